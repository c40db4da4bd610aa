// Loads and stores of general-purpose registers (C6.2): LDR/STR (all sizes, sign-extending
// forms) with unsigned offset, unscaled (LDUR/STUR), pre-index, post-index, unprivileged
// (LDTR/STTR family) and register offset; LDR (literal); PRFM (all forms); LDP/STP/LDPSW/LDNP/STNP.
//
// Decode record use (filled by the pre_ hooks below):
//   single register, immediate forms: imm = byte offset (already scaled), imm2 = addressing mode
//     (MODE_OFFSET, MODE_POST, MODE_UNPRIV, MODE_PRE: bits 11:10 of the unscaled/indexed forms);
//   single register, register offset: imm = shift amount (0 or log2(size)), imm2 = option;
//   literal: imm = PC-relative byte offset;
//   pairs: imm = byte offset (imm7 scaled), imm2 = bits 24:23 (PAIR_NP, PAIR_POST, PAIR_OFF, PAIR_PRE).
//
// Every access obtains ALL its host addresses before any architectural state changes; when
// addrR/addrW return 0 a fault has already been raised and the handler returns at once.
//
// CONSTRAINED UNPREDICTABLE choices (all follow QEMU, target/arm/tcg/translate-a64.c):
//   * Load with writeback and Rt == Rn (n != 31), Unpredictable_WBOVERLAPLD: the load is
//     written to Rt first, then the base writeback, so Rn ends up holding the written-back
//     address (QEMU loads into Rt, then moves the address into Rn). This is the
//     Constraint_UNKNOWN outcome (the written-back value is UNKNOWN; the address is one).
//     Same for LDP/LDPSW with writeback and Rt == Rn or Rt2 == Rn.
//   * Store with writeback and Rt == Rn (n != 31), Unpredictable_WBOVERLAPST: the ORIGINAL
//     value of Rt (the unmodified base) is stored, then the base is written back
//     (Constraint_NONE). Same for STP with Rt or Rt2 == Rn.
//   * LDP/LDNP/LDPSW with Rt == Rt2, Unpredictable_LDPOVERLAP: both loads are done and the
//     registers written in order Rt then Rt2, so Rt2's value (the higher address) wins
//     (Constraint_UNKNOWN; current QEMU, which extracts the 128-bit result lo then hi, does the same).
//   * LDPSW in the no-allocate (LDNP-like) form, opc = 01 with bits 24:23 = 00, is UNALLOCATED
//     in the Arm ARM: pre_ldst_pair returns false (UNDEFINED).
import { recD, recN, recM, recA, recImm, recImm2, setImm, setImm2, getPC, nextPC, sext } from '../cpu';
import { XSP, CURRENT_EL, SCTLR_EL1 } from '../layout';
import { takeSync, EC_SP_ALIGN } from '../exceptions';
import { addrR, addrW, storeDone, regimeNow } from '../memory';

// Addressing modes of the single-register immediate forms (imm2; the SIMD&FP forms too).
export const MODE_OFFSET: u32 = 0;
export const MODE_POST: u32 = 1;
const MODE_UNPRIV: u32 = 2;
export const MODE_PRE: u32 = 3;

// Pair modes (imm2 = bits 24:23; the SIMD&FP pairs too).
const PAIR_NP: u32 = 0;
export const PAIR_POST: u32 = 1;
const PAIR_OFF: u32 = 2; // signed offset, no writeback (like PAIR_NP)
export const PAIR_PRE: u32 = 3;

// Extension of a loaded value.
const EXT_ZERO: u32 = 0; // zero-extend to 64 bits
const EXT_SX: u32 = 1; // sign-extend to 64 bits (LDRSB/LDRSH Xt, LDRSW)
const EXT_SW: u32 = 2; // sign-extend to 32 bits, then zero-extend (LDRSB/LDRSH Wt)

// ---- Shared helpers (also used by exec/atomic.ts) ----

/**
 * CheckSPAlignment (D1.8.2) for an instruction whose base register is Rn: when Rn is SP and
 * SCTLR_EL1.SA (at EL1) / SA0 (at EL0) is set, SP must be 16-byte aligned. Returns false after
 * raising the SP alignment fault.
 */
// @ts-ignore: decorator
@inline export function spAlignOK(rec: usize): bool {
  if (recN(rec) != <usize>XSP) return true;
  return spAlignSlow();
}
function spAlignSlow(): bool {
  if ((load<u64>(XSP) & 15) == 0) return true;
  const bit: u64 = load<u32>(CURRENT_EL) == 0 ? 1 << 4 : 1 << 3;
  if ((load<u64>(SCTLR_EL1) & bit) == 0) return true;
  takeSync(EC_SP_ALIGN, 0, 0, false);
  return false;
}

/** Loads size (1, 2, 4 or 8) bytes from host address h, zero-extended. */
// @ts-ignore: decorator
@inline export function loadSized(h: usize, size: u32): u64 {
  if (size == 1) return <u64>load<u8>(h);
  if (size == 2) return <u64>load<u16>(h);
  if (size == 4) return <u64>load<u32>(h);
  return load<u64>(h);
}

/** Stores the low size (1, 2, 4 or 8) bytes of v at host address h (no storeDone). */
// @ts-ignore: decorator
@inline export function storeSized(h: usize, v: u64, size: u32): void {
  if (size == 1) store<u8>(h, <u8>v);
  else if (size == 2) store<u16>(h, <u16>v);
  else if (size == 4) store<u32>(h, <u32>v);
  else store<u64>(h, v);
}

// @ts-ignore: decorator
@inline function extend(v: u64, size: u32, ext: u32): u64 {
  if (ext == EXT_SX) return sext(v, size * 8);
  if (ext == EXT_SW) return sext(v, size * 8) & 0xffffffff;
  return v;
}

// ---- Decode hooks ----


/** Unsigned offset: imm12 scaled by the access size (size = bits 31:30). */
export function pre_ldst_uimm(w: u32, rec: usize): bool {
  const scale = w >> 30;
  setImm(rec, <u64>((w >> 10) & 0xfff) << scale);
  setImm2(rec, MODE_OFFSET);
  return true;
}

/** Unscaled, post-index, unprivileged, pre-index: signed imm9, mode in bits 11:10. */
export function pre_ldst_simm(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>((w >> 12) & 0x1ff), 9));
  setImm2(rec, <u64>((w >> 10) & 3));
  return true;
}

/** Register offset: option<1> == 0 is reserved (UNDEFINED); S scales by the access size. */
export function pre_ldst_reg(w: u32, rec: usize): bool {
  const option = (w >> 13) & 7;
  if ((option & 2) == 0) return false; // the decoder makes the word UNDEFINED
  const s = (w >> 12) & 1;
  setImm(rec, s != 0 ? <u64>(w >> 30) : 0);
  setImm2(rec, <u64>option);
  return true;
}

/** LDR (literal): imm19 words, PC-relative. */
export function pre_literal(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>((w >> 5) & 0x7ffff) << 2, 21));
  return true;
}

/** Pairs: imm7 scaled by 4 (opc<1> = 0) or 8 (opc<1> = 1); mode in bits 24:23. */
export function pre_ldst_pair(w: u32, rec: usize): bool {
  const opc = w >> 30;
  const mode = (w >> 23) & 3;
  if (opc == 1 && mode == PAIR_NP) return false; // the decoder makes the word UNDEFINED // LDNP with opc = 01: UNALLOCATED
  const scale: u32 = 2 + (opc >> 1);
  setImm(rec, sext(<u64>((w >> 15) & 0x7f), 7) << scale);
  setImm2(rec, <u64>mode);
  return true;
}

// ---- Single register, immediate forms ----

// @ts-ignore: decorator
@inline function loadImm(rec: usize, size: u32, ext: u32): void {
  if (!spAlignOK(rec)) return;
  const mode = <u32>recImm2(rec);
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const va = mode == MODE_POST ? base : wbAddr;
  const h = addrR(va, size, mode == MODE_UNPRIV ? 0 : regimeNow());
  if (h == 0) return;
  store<u64>(recD(rec), extend(loadSized(h, size), size, ext));
  // Writeback after the register write: with Rt == Rn the address wins (QEMU).
  if (mode == MODE_POST || mode == MODE_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

// @ts-ignore: decorator
@inline function storeImm(rec: usize, size: u32): void {
  if (!spAlignOK(rec)) return;
  const mode = <u32>recImm2(rec);
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const va = mode == MODE_POST ? base : wbAddr;
  const v = load<u64>(recD(rec)); // the original Rt, even when Rt == Rn (QEMU)
  const h = addrW(va, size, mode == MODE_UNPRIV ? 0 : regimeNow());
  if (h == 0) return;
  storeSized(h, v, size);
  if (size > 1) storeDone(h);
  if (mode == MODE_POST || mode == MODE_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

export function exec_STRB_imm(rec: usize): void { storeImm(rec, 1); }
export function exec_STRH_imm(rec: usize): void { storeImm(rec, 2); }
export function exec_STR_w_imm(rec: usize): void { storeImm(rec, 4); }
export function exec_STR_x_imm(rec: usize): void { storeImm(rec, 8); }
export function exec_LDRB_imm(rec: usize): void { loadImm(rec, 1, EXT_ZERO); }
export function exec_LDRH_imm(rec: usize): void { loadImm(rec, 2, EXT_ZERO); }
export function exec_LDR_w_imm(rec: usize): void { loadImm(rec, 4, EXT_ZERO); }
export function exec_LDR_x_imm(rec: usize): void { loadImm(rec, 8, EXT_ZERO); }
export function exec_LDRSB_x_imm(rec: usize): void { loadImm(rec, 1, EXT_SX); }
export function exec_LDRSB_w_imm(rec: usize): void { loadImm(rec, 1, EXT_SW); }
export function exec_LDRSH_x_imm(rec: usize): void { loadImm(rec, 2, EXT_SX); }
export function exec_LDRSH_w_imm(rec: usize): void { loadImm(rec, 2, EXT_SW); }
export function exec_LDRSW_imm(rec: usize): void { loadImm(rec, 4, EXT_SX); }

// ---- Single register, register offset ----

/**
 * Xn|SP + ExtendReg(Rm, option, shift): UXTW (010), LSL/UXTX (011), SXTW (110), SXTX (111); the
 * shift is in the record's imm. Shared with the SIMD&FP register-offset forms.
 */
// @ts-ignore: decorator
@inline export function regOffsetAddress(rec: usize, option: u32): u64 {
  const m = load<u64>(recM(rec));
  let off: u64;
  if (option == 2) off = m & 0xffffffff;
  else if (option == 6) off = sext(m, 32);
  else off = m;
  return load<u64>(recN(rec)) + (off << recImm(rec));
}

// @ts-ignore: decorator
@inline function loadReg(rec: usize, size: u32, ext: u32): void {
  if (!spAlignOK(rec)) return;
  const h = addrR(regOffsetAddress(rec, <u32>recImm2(rec)), size, regimeNow());
  if (h == 0) return;
  store<u64>(recD(rec), extend(loadSized(h, size), size, ext));
  nextPC();
}

// @ts-ignore: decorator
@inline function storeReg(rec: usize, size: u32): void {
  if (!spAlignOK(rec)) return;
  const v = load<u64>(recD(rec));
  const h = addrW(regOffsetAddress(rec, <u32>recImm2(rec)), size, regimeNow());
  if (h == 0) return;
  storeSized(h, v, size);
  if (size > 1) storeDone(h);
  nextPC();
}

export function exec_STRB_reg(rec: usize): void { storeReg(rec, 1); }
export function exec_STRH_reg(rec: usize): void { storeReg(rec, 2); }
export function exec_STR_w_reg(rec: usize): void { storeReg(rec, 4); }
export function exec_STR_x_reg(rec: usize): void { storeReg(rec, 8); }
export function exec_LDRB_reg(rec: usize): void { loadReg(rec, 1, EXT_ZERO); }
export function exec_LDRH_reg(rec: usize): void { loadReg(rec, 2, EXT_ZERO); }
export function exec_LDR_w_reg(rec: usize): void { loadReg(rec, 4, EXT_ZERO); }
export function exec_LDR_x_reg(rec: usize): void { loadReg(rec, 8, EXT_ZERO); }
export function exec_LDRSB_x_reg(rec: usize): void { loadReg(rec, 1, EXT_SX); }
export function exec_LDRSB_w_reg(rec: usize): void { loadReg(rec, 1, EXT_SW); }
export function exec_LDRSH_x_reg(rec: usize): void { loadReg(rec, 2, EXT_SX); }
export function exec_LDRSH_w_reg(rec: usize): void { loadReg(rec, 2, EXT_SW); }
export function exec_LDRSW_reg(rec: usize): void { loadReg(rec, 4, EXT_SX); }

// ---- Literal ----

// @ts-ignore: decorator
@inline function loadLit(rec: usize, size: u32, ext: u32): void {
  const h = addrR(getPC() + recImm(rec), size, regimeNow());
  if (h == 0) return;
  store<u64>(recD(rec), extend(loadSized(h, size), size, ext));
  nextPC();
}

export function exec_LDR_lit_w(rec: usize): void { loadLit(rec, 4, EXT_ZERO); }
export function exec_LDR_lit_x(rec: usize): void { loadLit(rec, 8, EXT_ZERO); }
export function exec_LDRSW_lit(rec: usize): void { loadLit(rec, 4, EXT_SX); }

/** PRFM/PRFUM, every form: a hint. No memory access, no fault, no SP alignment check. */
export function exec_PRFM(rec: usize): void { nextPC(); }

// ---- Pairs ----
// Two element accesses of esize bytes at va and va + esize (so that SCTLR.A and Device memory
// check the element alignment, not the pair's). At most one element can cross a page (the pair
// spans at most 16 bytes), so the single split buffer of memory.ts is never needed twice.

// @ts-ignore: decorator
@inline function loadPair(rec: usize, esize: u32, ext: u32): void {
  if (!spAlignOK(rec)) return;
  const mode = <u32>recImm2(rec);
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const va = mode == PAIR_POST ? base : wbAddr;
  const regime = regimeNow();
  const h1 = addrR(va, esize, regime);
  if (h1 == 0) return;
  const v1 = extend(loadSized(h1, esize), esize, ext);
  const h2 = addrR(va + <u64>esize, esize, regime);
  if (h2 == 0) return;
  const v2 = extend(loadSized(h2, esize), esize, ext);
  // Rt, then Rt2 (Rt2 wins when equal), then the writeback (the address wins over a loaded
  // value when Rn is Rt or Rt2): QEMU's order.
  store<u64>(recD(rec), v1);
  store<u64>(recA(rec), v2);
  if (mode == PAIR_POST || mode == PAIR_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

// @ts-ignore: decorator
@inline function storePair(rec: usize, esize: u32): void {
  if (!spAlignOK(rec)) return;
  const mode = <u32>recImm2(rec);
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const va = mode == PAIR_POST ? base : wbAddr;
  const regime = regimeNow();
  const v1 = load<u64>(recD(rec)); // original values, even when Rt or Rt2 is Rn
  const v2 = load<u64>(recA(rec));
  const h1 = addrW(va, esize, regime);
  if (h1 == 0) return;
  const h2 = addrW(va + <u64>esize, esize, regime);
  if (h2 == 0) return;
  storeSized(h1, v1, esize);
  storeDone(h1);
  storeSized(h2, v2, esize);
  storeDone(h2);
  if (mode == PAIR_POST || mode == PAIR_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

export function exec_STP_w(rec: usize): void { storePair(rec, 4); }
export function exec_STP_x(rec: usize): void { storePair(rec, 8); }
export function exec_LDP_w(rec: usize): void { loadPair(rec, 4, EXT_ZERO); }
export function exec_LDP_x(rec: usize): void { loadPair(rec, 8, EXT_ZERO); }
export function exec_LDPSW(rec: usize): void { loadPair(rec, 4, EXT_SX); }
