// The memory system: the soft TLB, stage-1 (EL1&0 regime) and stage-2 translation, and the
// load/store entry points every instruction uses. Physical addresses are wasm linear-memory
// addresses: the host's stage-2 tables map each IPA straight to where its bytes live.
import {
  TLB, TLB_BITS, TLB_ENTRIES, TLB_REGIME_BYTES, CURRENT_EL, SCTLR_EL1, TCR_EL1, TTBR0_EL1, TTBR1_EL1,
  MAIR_EL1, VTTBR_EL2, VTCR_EL2, MEM_LIMIT, FETCH_TAG, FETCH_ADDEND, FAULT, EXIT_REASON, ESR_EL2,
  FAR_EL2, HPFAR_EL2, EXIT_DABT, EXIT_IABT, EXIT_INTERNAL, PC, EXIT_INSN, TLB_MISSES, SPLIT_BUF,
} from './layout';
import { takeSync, EC_DABT_LOWER, EC_DABT_CUR, EC_IABT_LOWER, EC_IABT_CUR, EC_PC_ALIGN } from './exceptions';
import { dataAbortISS } from './syndrome';

export const ACC_READ: u32 = 0;
export const ACC_WRITE: u32 = 1;
export const ACC_EXEC: u32 = 2;
export const ACC_RMW: u32 = 3; // atomic read-modify-write (addrAligned only)

// Fault status codes (DFSC/IFSC), D17.2.40.
export const FSC_ADDR_SIZE: u32 = 0x00; // + level
export const FSC_TRANSLATION: u32 = 0x04; // + level
export const FSC_ACCESS_FLAG: u32 = 0x08; // + level
export const FSC_PERMISSION: u32 = 0x0c; // + level
export const FSC_SYNC_EXTERNAL: u32 = 0x10;
export const FSC_ALIGNMENT: u32 = 0x21;

const INVALID_TAG: u64 = 0xffffffffffffffff;
export const FAIL: u64 = 0xffffffffffffffff;
const PARANGE_BITS: u32 = 40; // ID_AA64MMFR0_EL1.PARange = 0b0010

// ---- TLB ----
// Entry: tagR u64 @0, tagW u64 @8, tagX u64 @16, addend u64 @24 (host address = VA + addend).
// A tag is the VA of the page; an access hits when (va & (~0xfff | (size - 1))) equals it, so an
// unaligned access always misses and the slow path decides (alignment fault or split access).

// @ts-ignore: decorator
@inline function tlbEntry(va: u64, regime: u32): usize {
  return <usize>TLB + (<usize>regime) * <usize>TLB_REGIME_BYTES + ((<usize>(va >> 12) & <usize>(TLB_ENTRIES - 1)) << 5);
}

// @ts-ignore: decorator
@inline export function regimeNow(): u32 { return load<u32>(CURRENT_EL); }

export function tlbFlushAll(): void {
  for (let i: usize = 0; i < 2 * TLB_ENTRIES; i++) {
    const e = <usize>TLB + (i << 5);
    store<u64>(e, INVALID_TAG, 0);
    store<u64>(e, INVALID_TAG, 8);
    store<u64>(e, INVALID_TAG, 16);
  }
  store<u64>(FETCH_TAG, INVALID_TAG);
}

/** Drops the translations of one VA page, in both regimes (TLBI VAE1 and friends). */
export function tlbFlushPage(va: u64): void {
  for (let r: u32 = 0; r < 2; r++) {
    const e = tlbEntry(va, r);
    store<u64>(e, INVALID_TAG, 0);
    store<u64>(e, INVALID_TAG, 8);
    store<u64>(e, INVALID_TAG, 16);
  }
  store<u64>(FETCH_TAG, INVALID_TAG);
}

// ---- The result of the last walk (valid when translate() did not return FAIL) ----
let walkDevice: bool = false; // stage-1 memory type is Device
let walkAttr: u32 = 0; // the MAIR_EL1 attribute byte of the translation (0 = Device-nGnRnE)
let walkSH: u32 = 0; // the descriptor's shareability, SH[1:0]
let walkPermR: bool = false;
let walkPermW: bool = false;
let walkPermX: bool = false;

// ---- Stage 2 ----
// VTCR_EL2: T0SZ [5:0], SL0 [7:6], 4 KiB granule only. Returns the PA, or FAIL after reporting.
let s2PermR: bool = true;
let s2PermW: bool = true;
let s2PermX: bool = true;
let s2FaultFSC: u32 = 0;

function stage2(ipa: u64): u64 {
  const vtcr = load<u64>(VTCR_EL2);
  const t0sz = <u32>(vtcr & 63);
  const sl0 = <u32>((vtcr >> 6) & 3);
  const inBits: u32 = 64 - t0sz;
  let level: i32 = 2 - <i32>sl0; // 4 KiB granule: SL0 0 -> level 2, 1 -> 1, 2 -> 0
  if (inBits < 25 || inBits > 48 || level < 0) { internalError(); return FAIL; }
  if (inBits < 64 && (ipa >> inBits) != 0) { s2FaultFSC = FSC_TRANSLATION + 0; return FAIL; }
  let table = load<u64>(VTTBR_EL2) & 0x0000fffffffff000;
  const limit = load<u64>(MEM_LIMIT);
  while (true) {
    const shift: u32 = 12 + 9 * (3 - <u32>level);
    // The start level may use concatenated tables: its index takes every remaining input bit.
    const idxBits: u32 = level == 2 - <i32>sl0 ? inBits - shift : 9;
    const idx = (ipa >> shift) & ((<u64>1 << idxBits) - 1);
    const daddr = table + idx * 8;
    if (daddr + 8 > limit) { internalError(); return FAIL; }
    const desc = load<u64>(<usize>daddr);
    const kind = desc & 3;
    if ((desc & 1) == 0 || (level == 3 && kind == 1)) { s2FaultFSC = FSC_TRANSLATION + <u32>level; return FAIL; }
    if (kind == 3 && level < 3) { table = desc & 0x0000fffffffff000; level++; continue; }
    if (level < 1) { s2FaultFSC = FSC_TRANSLATION + <u32>level; return FAIL; } // no level-0 blocks
    if ((desc & (1 << 10)) == 0) { s2FaultFSC = FSC_ACCESS_FLAG + <u32>level; return FAIL; }
    s2PermR = (desc & (1 << 6)) != 0; // S2AP[0]: read
    s2PermW = (desc & (1 << 7)) != 0; // S2AP[1]: write
    s2PermX = (desc & (<u64>1 << 54)) == 0; // XN
    s2FaultFSC = FSC_PERMISSION + <u32>level;
    const blockMask: u64 = (<u64>1 << shift) - 1;
    const pa = (desc & 0x0000fffffffff000 & ~blockMask) | (ipa & blockMask);
    if ((pa & ~(<u64>0xfff)) + 4096 > limit) { internalError(); return FAIL; } // the page must be inside wasm memory
    return pa;
  }
}

/**
 * The word of the instruction being executed: it was fetched through the fetch cache, whose
 * addend still maps its page (only a fetch refills it).
 */
function currentInsn(): u32 {
  const pc = load<u64>(PC);
  return load<u32>(<usize>(pc + load<u64>(FETCH_ADDEND)));
}

function internalError(): void {
  store<u32>(EXIT_REASON, EXIT_INTERNAL);
  store<u32>(FAULT, 1);
}

/** A stage-2 fault: exit to the host with an ESR_EL2-style syndrome (EC 0x24 or 0x20). */
function stage2Exit(va: u64, ipa: u64, acc: u32, s1ptw: bool, cm: bool): void {
  let esr: u64;
  if (acc == ACC_EXEC) {
    // An instruction fetch reports EC 0x20 even when its stage-1 walk faulted (S1PTW = 1).
    esr = (<u64>0x20 << 26) | (1 << 25) | s2FaultFSC | (s1ptw ? 1 << 7 : 0);
    store<u32>(EXIT_REASON, EXIT_IABT);
  } else {
    let iss: u32 = s2FaultFSC;
    if (s1ptw) iss |= 1 << 7;
    else iss |= dataAbortISS(currentInsn());
    if (acc == ACC_WRITE && !s1ptw) iss |= 1 << 6; // WnR (a stage-1 walk is a read)
    if (cm) iss |= 1 << 8;
    esr = (<u64>0x24 << 26) | (1 << 25) | iss;
    store<u32>(EXIT_REASON, EXIT_DABT);
  }
  store<u64>(ESR_EL2, esr);
  store<u64>(FAR_EL2, va);
  store<u64>(HPFAR_EL2, ipa);
  store<u32>(EXIT_INSN, acc == ACC_EXEC ? 0 : currentInsn());
  store<u32>(FAULT, 1);
}

/** TCR_ELx.IPS as a number of bits, capped at the implemented PARange (40). */
function outputBits(ips: u32): u32 {
  const bits: u32 = ips == 0 ? 32 : ips == 1 ? 36 : ips == 2 ? 40 : ips == 3 ? 42 : ips == 4 ? 44 : 48;
  return bits < PARANGE_BITS ? bits : PARANGE_BITS;
}

// ---- Stage 1 (EL1&0 regime), D8 "The AArch64 Virtual Memory System Architecture" ----
let s1FaultFSC: u32 = 0;
let s1WalkIPA: u64 = 0; // the IPA of a table read that faulted at stage 2
let s1WalkFailedAtS2: bool = false;
let s1LastLevel: u32 = 3; // the level of the descriptor that ended the last walk

/** Stage-1 walk; returns the IPA or FAIL (s1FaultFSC set, or s1WalkFailedAtS2 after an exit). */
function stage1(va: u64, regime: u32): u64 {
  const sctlr = load<u64>(SCTLR_EL1);
  s1WalkFailedAtS2 = false;
  if ((sctlr & 1) == 0) {
    // MMU off: VA = IPA; data accesses are Device-nGnRnE, fetches Normal (D8.2.10).
    walkDevice = true;
    walkPermR = true; walkPermW = true; walkPermX = true;
    walkAttr = 0;
    s1LastLevel = 0;
    if ((va >> PARANGE_BITS) != 0) { s1FaultFSC = FSC_ADDR_SIZE + 0; return FAIL; }
    return va;
  }
  const tcr = load<u64>(TCR_EL1);
  const upper = ((va >> 55) & 1) != 0;
  const tsz = <u32>(upper ? (tcr >> 16) & 63 : tcr & 63);
  const tbi = upper ? ((tcr >> 38) & 1) != 0 : ((tcr >> 37) & 1) != 0;
  const epd = upper ? ((tcr >> 23) & 1) != 0 : ((tcr >> 7) & 1) != 0;
  const tg = <u32>(upper ? (tcr >> 30) & 3 : (tcr >> 14) & 3);
  // Granule: TG0 0=4K 1=64K 2=16K; TG1 1=16K 2=4K 3=64K. Reserved values act as 4K here.
  let gbits: u32 = 12;
  if (upper) { if (tg == 1) gbits = 14; else if (tg == 3) gbits = 16; }
  else { if (tg == 1) gbits = 16; else if (tg == 2) gbits = 14; }
  const inBits: u32 = 64 - (tsz < 16 ? 16 : tsz > 39 ? 39 : tsz);
  // Every bit above the input size must equal bit 55 (ignoring the top byte under TBI).
  const top: u32 = tbi ? 56 : 64;
  const ext = upper ? ((<u64>1 << (top - inBits)) - 1) : 0;
  const high = top == 64 ? va >> inBits : (va >> inBits) & ((<u64>1 << (top - inBits)) - 1);
  if (high != ext || epd) { s1FaultFSC = FSC_TRANSLATION + 0; return FAIL; }
  const stride: u32 = gbits - 3;
  let level: i32 = 4 - <i32>((inBits - gbits + stride - 1) / stride);
  // Output addresses are limited by TCR_EL1.IPS, and by PARange (D8.2.4, "output address size").
  const oaBits = outputBits(<u32>((tcr >> 32) & 7));
  // BADDR: the start table may be smaller than a granule, aligned to its size (at least 64 bytes).
  const ttbr = load<u64>(upper ? TTBR1_EL1 : TTBR0_EL1);
  let table: u64 = ttbr & 0x0000ffffffffffc0;
  if ((table >> oaBits) != 0) { s1FaultFSC = FSC_ADDR_SIZE + 0; return FAIL; }
  let apTable: u64 = 0;
  let xnTable = false;
  let pxnTable = false;
  while (true) {
    const shift: u32 = gbits + stride * (3 - <u32>level);
    const idxBits: u32 = shift + stride > inBits ? inBits - shift : stride;
    const idx = (va >> shift) & ((<u64>1 << idxBits) - 1);
    const ipa = table + idx * 8;
    const pa = stage2(ipa);
    if (pa == FAIL || !s2PermR) {
      if (load<u32>(EXIT_REASON) == EXIT_INTERNAL) return FAIL;
      s1WalkIPA = ipa; s1WalkFailedAtS2 = true; return FAIL;
    }
    const desc = load<u64>(<usize>pa);
    if ((desc & 1) == 0) { s1FaultFSC = FSC_TRANSLATION + <u32>level; return FAIL; }
    const isTable = (desc & 2) != 0 && level < 3;
    if (isTable) {
      apTable |= (desc >> 61) & 3;
      if ((desc >> 60) & 1) xnTable = true;
      if ((desc >> 59) & 1) pxnTable = true;
      table = desc & 0x0000ffffffffffff & ~((<u64>1 << gbits) - 1);
      // A next-level table out of range is an address size fault at this descriptor's level.
      if ((table >> oaBits) != 0) { s1FaultFSC = FSC_ADDR_SIZE + <u32>level; return FAIL; }
      level++;
      continue;
    }
    // Blocks: 4K at levels 1-2, 16K and 64K at level 2. Level 3 needs a page descriptor.
    if (level == 3 && (desc & 2) == 0) { s1FaultFSC = FSC_TRANSLATION + 3; return FAIL; }
    if (level < 3 && (level == 0 || (gbits != 12 && level == 1))) { s1FaultFSC = FSC_TRANSLATION + <u32>level; return FAIL; }
    const blockMask: u64 = (<u64>1 << shift) - 1;
    const oa = (desc & 0x0000ffffffffffff & ~blockMask) | (va & blockMask);
    if ((oa >> oaBits) != 0) { s1FaultFSC = FSC_ADDR_SIZE + <u32>level; return FAIL; }
    if ((desc & (1 << 10)) == 0) { s1FaultFSC = FSC_ACCESS_FLAG + <u32>level; return FAIL; }
    // Permissions, D8.4: AP[2:1] with the hierarchical APTable limits.
    let ap = <u32>((desc >> 6) & 3);
    if (apTable & 1) ap &= ~1; // no EL0 access below
    if (apTable & 2) ap |= 2; // read-only below
    const el0 = regime == 0;
    const uxn = ((desc >> 54) & 1) != 0 || xnTable;
    const pxn = ((desc >> 53) & 1) != 0 || pxnTable;
    const wxn = ((sctlr >> 19) & 1) != 0;
    if (el0) {
      walkPermR = (ap & 1) != 0;
      walkPermW = ap == 1;
    } else {
      walkPermR = true;
      walkPermW = (ap & 2) == 0;
    }
    // EL1 never executes EL0-writable memory (implicit PXN); WXN makes writable memory XN.
    walkPermX = el0 ? !uxn && !(wxn && walkPermW) : !pxn && ap != 1 && !(wxn && walkPermW);
    const attr = <u32>((load<u64>(MAIR_EL1) >> (((desc >> 2) & 7) * 8)) & 0xff);
    walkDevice = (attr & 0xf0) == 0;
    walkAttr = attr;
    walkSH = <u32>(desc >> 8) & 3;
    s1LastLevel = <u32>level;
    return oa;
  }
}

/** Raises the stage-1 fault recorded in s1FaultFSC (or the walk's stage-2 exit). */
function stage1Fault(va: u64, acc: u32, cm: bool): void {
  if (s1WalkFailedAtS2) { stage2Exit(va, s1WalkIPA, acc, true, false); return; }
  abortToEL1(va, acc, s1FaultFSC, cm);
}

function abortToEL1(va: u64, acc: u32, fsc: u32, cm: bool): void {
  const lower = load<u32>(CURRENT_EL) == 0;
  if (acc == ACC_EXEC) {
    takeSync(lower ? EC_IABT_LOWER : EC_IABT_CUR, fsc, va, true);
  } else {
    let iss = fsc;
    if (acc == ACC_WRITE || cm) iss |= 1 << 6;
    if (cm) iss |= 1 << 8;
    takeSync(lower ? EC_DABT_LOWER : EC_DABT_CUR, iss, va, true);
  }
}

/**
 * Full translation of one access. Returns the host address of va, or FAIL after raising the
 * fault (an EL1 exception or a stage-2 exit). On success the TLB entry for the page is filled.
 * align: bytes the access must be aligned to when it is to Device memory or SCTLR.A is set.
 * forceAlign: the access must be aligned to align whatever the memory type (exclusives, atomics).
 */
export function translate(va: u64, acc: u32, regime: u32, size: u32, forceAlign: bool, cm: bool): u64 {
  store<u64>(TLB_MISSES, load<u64>(TLB_MISSES) + 1);
  const unaligned = acc != ACC_EXEC && size > 1 && (va & (<u64>size - 1)) != 0;
  // Alignment checks that do not depend on the memory type come before translation (D8.14).
  if (unaligned && (forceAlign || ((load<u64>(SCTLR_EL1) >> 1) & 1) != 0)) {
    abortToEL1(va, acc, FSC_ALIGNMENT, cm);
    return FAIL;
  }
  const ipa = stage1(va, regime);
  if (ipa == FAIL) { if (load<u32>(EXIT_REASON) != EXIT_INTERNAL) stage1Fault(va, acc, cm); return FAIL; }
  const permitted = acc == ACC_READ ? walkPermR : acc == ACC_WRITE ? walkPermW : walkPermX;
  if (!permitted) { abortToEL1(va, acc, FSC_PERMISSION + s1LastLevel, cm); return FAIL; }
  // Unaligned accesses to Device memory fault after the stage-1 checks, before stage 2.
  if (unaligned && walkDevice) { abortToEL1(va, acc, FSC_ALIGNMENT, cm); return FAIL; }
  const pa = stage2(ipa);
  if (pa == FAIL) { if (load<u32>(EXIT_REASON) != EXIT_INTERNAL) stage2Exit(va, ipa, acc, false, cm); return FAIL; }
  const s2ok = acc == ACC_READ ? s2PermR : acc == ACC_WRITE ? s2PermW : s2PermX;
  if (!s2ok) { stage2Exit(va, ipa, acc, false, cm); return FAIL; }
  // Fill the TLB: each access type gets a tag only if both stages allow it.
  const e = tlbEntry(va, regime);
  const page = va & ~(<u64>0xfff);
  store<u64>(e, walkPermR && s2PermR ? page : INVALID_TAG, 0);
  store<u64>(e, walkPermW && s2PermW ? page : INVALID_TAG, 8);
  store<u64>(e, walkPermX && s2PermX ? page : INVALID_TAG, 16);
  store<u64>(e, (pa & ~(<u64>0xfff)) - page, 24);
  return pa;
}


// ---- Loads and stores ----

// @ts-ignore: decorator
@inline function hit(va: u64, regime: u32, off: usize, size: u32): usize {
  const e = tlbEntry(va, regime);
  if ((va & (0xfffffffffffff000 | (<u64>size - 1))) == load<u64>(e + off)) return <usize>(va + load<u64>(e, 24));
  return 0;
}

/** Host address for a read of size bytes at va, or 0 after raising a fault. */
// The soft-TLB hit is inlined into every load and store handler; a miss calls out.
// @ts-ignore: decorator
@inline export function addrR(va: u64, size: u32, regime: u32): usize {
  const h = hit(va, regime, 0, size);
  if (h) return h;
  return slowAddr(va, size, regime, ACC_READ, false);
}
// @ts-ignore: decorator
@inline export function addrW(va: u64, size: u32, regime: u32): usize {
  const h = hit(va, regime, 8, size);
  if (h) return h;
  return slowAddr(va, size, regime, ACC_WRITE, false);
}

// Unaligned accesses that cross a page are split into bytes through this buffer.

function slowAddr(va: u64, size: u32, regime: u32, acc: u32, forceAlign: bool): usize {
  const pa = translate(va, acc, regime, size, forceAlign, false);
  if (pa == FAIL) return 0;
  if ((va & 0xfff) + size <= 4096) return <usize>pa;
  // Crosses a page: translate the second page too (so a fault leaves nothing half done), then
  // the caller works on SPLIT_BUF; splitFinish copies stores back.
  const va2 = (va + 0xfff) & ~(<u64>0xfff);
  const pa2 = translate(va2, acc, regime, 1, false, false);
  if (pa2 == FAIL) return 0;
  const n1 = <usize>(va2 - va);
  splitPa1 = <usize>pa; splitPa2 = <usize>pa2; splitN1 = n1; splitSize = size; splitPending = acc == ACC_WRITE;
  memory.copy(SPLIT_BUF, <usize>pa, n1);
  memory.copy(SPLIT_BUF + n1, <usize>pa2, <usize>size - n1);
  return SPLIT_BUF;
}
let splitPa1: usize = 0;
let splitPa2: usize = 0;
let splitN1: usize = 0;
let splitSize: u32 = 0;
let splitPending: bool = false;

/** After a store through addrW: completes a page-crossing store. */
// @ts-ignore: decorator
@inline export function storeDone(h: usize): void {
  if (h == SPLIT_BUF) finishSplit();
}
function finishSplit(): void {
  if (!splitPending) return;
  memory.copy(splitPa1, SPLIT_BUF, splitN1);
  memory.copy(splitPa2, SPLIT_BUF + splitN1, <usize>splitSize - splitN1);
  splitPending = false;
}

// Convenience forms for the common single accesses.
// @ts-ignore: decorator
@inline export function read8(va: u64): u64 { const h = addrR(va, 1, regimeNow()); return h ? <u64>load<u8>(h) : 0; }
// @ts-ignore: decorator
@inline export function read16(va: u64): u64 { const h = addrR(va, 2, regimeNow()); return h ? <u64>load<u16>(h) : 0; }
// @ts-ignore: decorator
@inline export function read32(va: u64): u64 { const h = addrR(va, 4, regimeNow()); return h ? <u64>load<u32>(h) : 0; }
// @ts-ignore: decorator
@inline export function read64(va: u64): u64 { const h = addrR(va, 8, regimeNow()); return h ? load<u64>(h) : 0; }
// @ts-ignore: decorator
@inline export function write8(va: u64, v: u64): void { const h = addrW(va, 1, regimeNow()); if (h) store<u8>(h, <u8>v); }
// @ts-ignore: decorator
@inline export function write16(va: u64, v: u64): void { const h = addrW(va, 2, regimeNow()); if (h) { store<u16>(h, <u16>v); storeDone(h); } }
// @ts-ignore: decorator
@inline export function write32(va: u64, v: u64): void { const h = addrW(va, 4, regimeNow()); if (h) { store<u32>(h, <u32>v); storeDone(h); } }
// @ts-ignore: decorator
@inline export function write64(va: u64, v: u64): void { const h = addrW(va, 8, regimeNow()); if (h) { store<u64>(h, v); storeDone(h); } }

/**
 * Host address for an access that must be naturally aligned whatever the memory type
 * (exclusives, acquire/release, atomics: B2.5.2), checked before translation. acc is ACC_READ,
 * ACC_WRITE or ACC_RMW. An atomic read-modify-write reports a fault as a read (WnR = 0) when a
 * read would have raised the same fault (alignment, or no read permission), else as a write.
 */
export function addrAligned(va: u64, size: u32, regime: u32, acc: u32): usize {
  if ((va & (<u64>size - 1)) != 0) {
    abortToEL1(va, acc == ACC_WRITE ? ACC_WRITE : ACC_READ, FSC_ALIGNMENT, false);
    return 0;
  }
  if (acc == ACC_RMW) {
    const r = addrR(va, size, regime);
    if (!r) return 0;
    return addrW(va, size, regime);
  }
  return acc == ACC_WRITE ? addrW(va, size, regime) : addrR(va, size, regime);
}

/** Host address of the instruction at pc, filling the one-entry fetch cache, or 0 after a fault. */
export function fetchSlow(pc: u64): usize {
  if ((pc & 3) != 0) {
    takeSync(EC_PC_ALIGN, 0, pc, true);
    return 0;
  }
  const regime = regimeNow();
  const e = tlbEntry(pc, regime);
  let h: u64;
  if ((pc & 0xfffffffffffff000) == load<u64>(e, 16)) {
    h = pc + load<u64>(e, 24);
  } else {
    const pa = translate(pc, ACC_EXEC, regime, 4, false, false);
    if (pa == FAIL) return 0;
    h = pa;
  }
  store<u64>(FETCH_TAG, pc & 0xfffffffffffff000);
  store<u64>(FETCH_ADDEND, h - pc);
  return <usize>h;
}

/**
 * Translation for cache maintenance by VA (DC CIVAC etc.) and DC ZVA: a fault is reported with
 * CM = 1 (except DC ZVA, which is a store). Returns the host address or 0.
 */
export function addrMaintenance(va: u64, isZero: bool): usize {
  const regime = regimeNow();
  const pa = translate(va, isZero ? ACC_WRITE : ACC_READ, regime, 1, false, !isZero);
  if (pa == FAIL) return 0;
  // DC ZVA to any type of Device memory is an alignment fault (C5.3.16).
  if (isZero && walkDevice) { abortToEL1(va, ACC_WRITE, FSC_ALIGNMENT, false); return 0; }
  return <usize>pa;
}

/** AT S1E1R and friends: stage-1 only, no fault taken; returns PAR_EL1's value. */
/**
 * AT S1E1R and friends: stage-1 only; returns PAR_EL1's value, or FAIL when a stage-2 fault on
 * the walk's table reads exits to the host (as a data abort with S1PTW = 1 and CM = 1, like
 * QEMU and the Arm ARM's AArch64.AT pseudocode with EL2 enabled).
 */
export function atStage1(va: u64, regime: u32, write: bool): u64 {
  const ipa = stage1(va, regime);
  if (ipa == FAIL) {
    if (load<u32>(EXIT_REASON) == EXIT_INTERNAL) return FAIL;
    if (s1WalkFailedAtS2) { stage2Exit(va, s1WalkIPA, ACC_READ, true, true); return FAIL; }
    return PAR_RES1 | 1 | ((<u64>s1FaultFSC) << 1);
  }
  const ok = write ? walkPermW : walkPermR;
  if (!ok) return PAR_RES1 | 1 | ((<u64>(FSC_PERMISSION + s1LastLevel)) << 1);
  // SH: Device and Normal Non-cacheable memory report Outer Shareable (0b10, D17.2.107); NS is
  // UNKNOWN for a Non-secure regime and reads 1 as on QEMU.
  const nonCacheable = walkDevice || walkAttr == 0x44;
  const sh: u64 = nonCacheable ? 2 : <u64>walkSH;
  return (ipa & 0x0000fffffffff000) | (<u64>walkAttr << 56) | PAR_RES1 | (1 << 9) | (sh << 7);
}
const PAR_RES1: u64 = 1 << 11;

export function pcNow(): u64 { return load<u64>(PC); }
