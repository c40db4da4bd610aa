// Exclusives, load-acquire/store-release and the Armv8.1 LSE atomics (C6.2): LDXR/LDAXR,
// STXR/STLXR (B, H, W, X), LDXP/LDAXP, STXP/STLXP (W and X pairs), LDAR/STLR (all sizes),
// CAS/CASA/CASL/CASAL (B, H, W, X), CASP/CASPA/CASPL/CASPAL (W and X pairs), and
// LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP in every size and ordering (the ST*
// aliases are the same encodings with Rt = XZR). One vCPU executes at a time, so the acquire and
// release semantics need no extra work.
//
// All these accesses must be naturally aligned whatever the memory type (pairs: aligned to the
// total size); a misaligned address raises an alignment fault before translation.
//
// The local exclusive monitor (EXCL_VALID, EXCL_ADDR, EXCL_SIZE in the state block):
//   * a load-exclusive records the EXACT host (= physical: stage 2 maps IPAs straight to wasm
//     addresses) address of its access and its size in bytes (1, 2, 4, 8 or 16);
//   * a store-exclusive passes only when the monitor is valid AND its own translated host address
//     and size equal the recorded ones (an implementation may fail a store-exclusive whose address
//     or size differs from the load-exclusive's: that case is CONSTRAINED UNPREDICTABLE); the
//     monitor is cleared whether it passes or fails;
//   * with the monitor open (not valid) a store-exclusive fails WITHOUT translating the address
//     (it raises no translation/permission fault; alignment is still checked first), as
//     AArch64.ExclusiveMonitorsPass() allows (IsExclusiveVA checked before translation);
//     with the monitor valid the address is translated for a write, so it may fault;
//   * any LSE atomic (CAS/CASP, even when the comparison fails, LD<op>, SWP) whose access lies
//     in the reserved 64-byte granule (CTR_EL0.ERG = 64 bytes) clears the monitor;
//   * plain stores (STR, STP, STLR...) by this CPU do not clear it (as QEMU); exception entry,
//     exception return and CLREX clear it (exceptions.ts, exec/system.ts).
//
// CONSTRAINED UNPREDICTABLE choices (following QEMU, target/arm/tcg/translate-a64.c, which
// reads every source register before writing the status register):
//   * STXR/STXP with Rs == Rt or Rs == Rt2 (Unpredictable_DATAOVERLAP): executes; the value
//     stored is the ORIGINAL value of Rt/Rt2, then Rs gets the status.
//   * STXR/STXP with Rs == Rn, n != 31 (Unpredictable_BASEOVERLAP): executes; the address is
//     the original Rn, then Rs gets the status.
//   * LDXP/LDAXP with Rt == Rt2 (Unpredictable_LDPOVERLAP): registers written Rt then Rt2, so
//     the value from the higher address wins.
//   * CASP with odd Rs or Rt is UNDEFINED by the architecture (pre_casp returns false).
import { recWord, recD, recN, recM, recA, nextPC, sext } from '../cpu';
import { EXCL_VALID, EXCL_ADDR, EXCL_SIZE } from '../layout';
import { addrW, addrAligned, regimeNow, ACC_READ, ACC_WRITE, ACC_RMW } from '../memory';
import { spAlignOK, loadSized, storeSized } from './ldst';

const M32: u64 = 0xffffffff;

// @ts-ignore: decorator
@inline function sizeMask(size: u32): u64 {
  return size == 8 ? 0xffffffffffffffff : (<u64>1 << (size * 8)) - 1;
}

/** Host address for an aligned read (alignment fault otherwise), or 0 after a fault. */
// @ts-ignore: decorator
@inline function alignedR(va: u64, size: u32, regime: u32): usize {
  return addrAligned(va, size, regime, ACC_READ);
}

/**
 * Host address for an aligned write that needs write permission only (store-exclusive,
 * store-release), or 0 after a fault. A misaligned address goes through addrAligned, which
 * raises the alignment fault (WnR = 1).
 */
// @ts-ignore: decorator
@inline function alignedW(va: u64, size: u32, regime: u32): usize {
  return addrAligned(va, size, regime, ACC_WRITE);
}

// @ts-ignore: decorator
@inline function setMonitor(h: usize, size: u32): void {
  store<u64>(EXCL_ADDR, <u64>h);
  store<u32>(EXCL_SIZE, size);
  store<u32>(EXCL_VALID, 1);
}

/** An atomic read-modify-write at host address h clears the monitor if it hits the granule. */
// @ts-ignore: decorator
@inline function atomicClearsMonitor(h: usize): void {
  if (load<u32>(EXCL_VALID) != 0 && ((<u64>h ^ load<u64>(EXCL_ADDR)) >> 6) == 0) store<u32>(EXCL_VALID, 0);
}

// Status of a store-exclusive attempt.
const SX_PASS: i32 = 0;
const SX_FAIL: i32 = 1;
const SX_FAULT: i32 = -1;

/**
 * AArch64.ExclusiveMonitorsPass() and the store: size bytes (1..16) at va; lo holds the low 8
 * bytes of the data, hi the high 8 bytes for a 16-byte pair. Returns SX_PASS, SX_FAIL or
 * SX_FAULT (a fault was raised; nothing changed).
 */
function storeExclusive(va: u64, size: u32, lo: u64, hi: u64): i32 {
  const regime = regimeNow();
  if ((va & (<u64>size - 1)) != 0) {
    addrAligned(va, size, regime, ACC_WRITE); // raises the alignment fault
    return SX_FAULT;
  }
  if (load<u32>(EXCL_VALID) == 0) return SX_FAIL; // open monitor: fail without translating
  const h = addrW(va, size, regime); // aligned: never a split access
  if (h == 0) return SX_FAULT;
  const pass = <u64>h == load<u64>(EXCL_ADDR) && size == load<u32>(EXCL_SIZE);
  store<u32>(EXCL_VALID, 0);
  if (!pass) return SX_FAIL;
  if (size == 16) {
    store<u64>(h, lo);
    store<u64>(h, hi, 8);
  } else {
    storeSized(h, lo, size);
  }
  return SX_PASS;
}

// ---- Exclusives ----

/** STXR/STLXR (o0 = release): size in bits 31:30, status to Rs. */
export function exec_STXR(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const size: u32 = 1 << (recWord(rec) >> 30);
  const va = load<u64>(recN(rec));
  const v = load<u64>(recD(rec));
  const st = storeExclusive(va, size, v, 0);
  if (st == SX_FAULT) return;
  store<u64>(recM(rec), <u64>st);
  nextPC();
}

/** LDXR/LDAXR: zero-extended into Rt; arms the monitor. */
export function exec_LDXR(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const size: u32 = 1 << (recWord(rec) >> 30);
  const h = alignedR(load<u64>(recN(rec)), size, regimeNow());
  if (h == 0) return;
  const v = loadSized(h, size);
  setMonitor(h, size);
  store<u64>(recD(rec), v);
  nextPC();
}

/** STXP/STLXP: sz (bit 30) 0 = two W (8 bytes), 1 = two X (16 bytes); Rt at the lower address. */
export function exec_STXP(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const is64 = ((recWord(rec) >> 30) & 1) != 0;
  const va = load<u64>(recN(rec));
  const t1 = load<u64>(recD(rec));
  const t2 = load<u64>(recA(rec));
  const st = is64 ? storeExclusive(va, 16, t1, t2) : storeExclusive(va, 8, (t1 & M32) | (t2 << 32), 0);
  if (st == SX_FAULT) return;
  store<u64>(recM(rec), <u64>st);
  nextPC();
}

/** LDXP/LDAXP: one access of the total size, aligned to it; arms the monitor for it. */
export function exec_LDXP(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const is64 = ((recWord(rec) >> 30) & 1) != 0;
  const size: u32 = is64 ? 16 : 8;
  const h = alignedR(load<u64>(recN(rec)), size, regimeNow());
  if (h == 0) return;
  let v1: u64, v2: u64;
  if (is64) {
    v1 = load<u64>(h);
    v2 = load<u64>(h, 8);
  } else {
    const d = load<u64>(h);
    v1 = d & M32;
    v2 = d >> 32;
  }
  setMonitor(h, size);
  store<u64>(recD(rec), v1);
  store<u64>(recA(rec), v2); // Rt2 wins when Rt == Rt2
  nextPC();
}

// ---- Load-acquire / store-release ----

export function exec_LDAR(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const size: u32 = 1 << (recWord(rec) >> 30);
  const h = alignedR(load<u64>(recN(rec)), size, regimeNow());
  if (h == 0) return;
  store<u64>(recD(rec), loadSized(h, size));
  nextPC();
}

export function exec_STLR(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const size: u32 = 1 << (recWord(rec) >> 30);
  const v = load<u64>(recD(rec));
  const h = alignedW(load<u64>(recN(rec)), size, regimeNow());
  if (h == 0) return;
  storeSized(h, v, size); // aligned: never a split access, no storeDone needed
  nextPC();
}

// ---- Compare and swap ----

/** CAS{A}{L}{B,H}: compares Rs with memory, stores Rt if equal; Rs gets the old value. */
export function exec_CAS(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const size: u32 = 1 << (recWord(rec) >> 30);
  const mask = sizeMask(size);
  const rs = recM(rec);
  const cmp = load<u64>(rs) & mask;
  const nv = load<u64>(recD(rec));
  // A CAS is a read-modify-write: it needs write permission even when the comparison fails.
  const h = addrAligned(load<u64>(recN(rec)), size, regimeNow(), ACC_RMW);
  if (h == 0) return;
  const old = loadSized(h, size);
  if (old == cmp) storeSized(h, nv, size);
  atomicClearsMonitor(h);
  store<u64>(rs, old);
  nextPC();
}

/** Rs and Rt name even-numbered register pairs; odd is UNDEFINED. */
export function pre_casp(w: u32, rec: usize): bool {
  if (((w >> 16) & 1) != 0 || (w & 1) != 0) return false; // odd register pair: UNDEFINED
  return true;
}

/**
 * CASP{A}{L}: compares <Rs+1:Rs> with memory (Rs at the lower address, little-endian), stores
 * <Rt+1:Rt> if equal; <Rs+1:Rs> get the old values. sz (bit 30): 0 = W pairs, 1 = X pairs.
 * Register s+1 is the next slot (for s = 30 it is the XZR slot, which reads as zero).
 */
export function exec_CASP(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const is64 = ((recWord(rec) >> 30) & 1) != 0;
  const rs = recM(rec);
  const rt = recD(rec);
  const s1 = load<u64>(rs);
  const s2 = load<u64>(rs + 8);
  const t1 = load<u64>(rt);
  const t2 = load<u64>(rt + 8);
  const va = load<u64>(recN(rec));
  const regime = regimeNow();
  if (is64) {
    const h = addrAligned(va, 16, regime, ACC_RMW);
    if (h == 0) return;
    const o1 = load<u64>(h);
    const o2 = load<u64>(h, 8);
    if (o1 == s1 && o2 == s2) {
      store<u64>(h, t1);
      store<u64>(h, t2, 8);
    }
    atomicClearsMonitor(h);
    store<u64>(rs, o1);
    store<u64>(rs + 8, o2);
  } else {
    const h = addrAligned(va, 8, regime, ACC_RMW);
    if (h == 0) return;
    const old = load<u64>(h);
    if (old == ((s1 & M32) | (s2 << 32))) store<u64>(h, (t1 & M32) | (t2 << 32));
    atomicClearsMonitor(h);
    store<u64>(rs, old & M32);
    store<u64>(rs + 8, old >> 32);
  }
  nextPC();
}

// ---- Atomic memory operations ----

const OP_ADD: u32 = 0;
const OP_CLR: u32 = 1;
const OP_EOR: u32 = 2;
const OP_SET: u32 = 3;
const OP_SMAX: u32 = 4;
const OP_SMIN: u32 = 5;
const OP_UMAX: u32 = 6;
const OP_UMIN: u32 = 7;
const OP_SWP: u32 = 8;

/**
 * LD<op>{A}{L}{B,H} and SWP{A}{L}{B,H}: size in bits 31:30, operand Rs, Rt gets the old value
 * zero-extended. Signed max/min compare in the access size.
 */
// @ts-ignore: decorator
@inline function atomicOp(rec: usize, op: u32): void {
  if (!spAlignOK(rec)) return;
  const size: u32 = 1 << (recWord(rec) >> 30);
  const mask = sizeMask(size);
  const s = load<u64>(recM(rec)) & mask;
  const h = addrAligned(load<u64>(recN(rec)), size, regimeNow(), ACC_RMW);
  if (h == 0) return;
  const old = loadSized(h, size);
  let nv: u64;
  const bits = size * 8;
  switch (op) {
    case OP_ADD: nv = old + s; break;
    case OP_CLR: nv = old & ~s; break;
    case OP_EOR: nv = old ^ s; break;
    case OP_SET: nv = old | s; break;
    case OP_SMAX: nv = <i64>sext(old, bits) > <i64>sext(s, bits) ? old : s; break;
    case OP_SMIN: nv = <i64>sext(old, bits) < <i64>sext(s, bits) ? old : s; break;
    case OP_UMAX: nv = old > s ? old : s; break;
    case OP_UMIN: nv = old < s ? old : s; break;
    default: nv = s; // SWP
  }
  storeSized(h, nv, size); // storeSized truncates to the access size
  atomicClearsMonitor(h);
  store<u64>(recD(rec), old);
  nextPC();
}

export function exec_LDADD(rec: usize): void { atomicOp(rec, OP_ADD); }
export function exec_LDCLR(rec: usize): void { atomicOp(rec, OP_CLR); }
export function exec_LDEOR(rec: usize): void { atomicOp(rec, OP_EOR); }
export function exec_LDSET(rec: usize): void { atomicOp(rec, OP_SET); }
export function exec_LDSMAX(rec: usize): void { atomicOp(rec, OP_SMAX); }
export function exec_LDSMIN(rec: usize): void { atomicOp(rec, OP_SMIN); }
export function exec_LDUMAX(rec: usize): void { atomicOp(rec, OP_UMAX); }
export function exec_LDUMIN(rec: usize): void { atomicOp(rec, OP_UMIN); }
export function exec_SWP(rec: usize): void { atomicOp(rec, OP_SWP); }
