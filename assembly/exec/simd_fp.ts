// Advanced SIMD floating point (C4.1.x, Armv8.0, single and double precision elements): vector
// and scalar three-same, two-register misc, pairwise, across-lanes (FMAXV...), by-element
// (FMLA, FMLS, FMUL, FMULX), fixed-point conversions by immediate (SCVTF, UCVTF, FCVTZS,
// FCVTZU #fbits), and the narrowing/widening conversions FCVTN(2), FCVTXN(2), FCVTL(2).
// Elements are evaluated by fp/elem.ts; results are collected before Vd is written, so any
// register may alias any other. A 64-bit vector (Q = 0) result clears bits 127:64.
import { recWord, recD, recN, recM, recImm, recImm2, setImm, setImm2, nextPC } from '../cpu';
import { vWrite128, vWriteScalar } from '../fp/vreg';
import { fpcrValue, fpRoundingMode, RM_ODD } from '../fp/fpcr';
import { fpElem3, fpElem2, K3_FMAXNMP, K3_FADDP, K3_FMAXP, K3_FMINNMP, K3_FMINP, K3_FMAXNM, K3_FMINNM,
  K3_FMAX, K3_FMIN, K3_FMLA, K3_FMLS, K3_FMUL, K3_FMULX, K2_URECPE, K2_URSQRTE } from '../fp/elem';
import { fpConvert } from '../fp/convert';

// @ts-ignore: decorator
@inline function isQ(w: u32): bool { return ((w >> 30) & 1) != 0; }
// @ts-ignore: decorator
@inline function esz(w: u32): u32 { return ((w >> 22) & 1) != 0 ? 64 : 32; }
/** Element e (of N bits) of the register at v. */
// @ts-ignore: decorator
@inline function elemAt(v: usize, e: u32, N: u32): u64 {
  return N == 64 ? load<u64>(v + (<usize>e << 3)) : <u64>load<u32>(v + (<usize>e << 2));
}

// The result under construction: element e of N bits goes into rLo/rHi.
let rLo: u64 = 0, rHi: u64 = 0;
// @ts-ignore: decorator
@inline function put(e: u32, N: u32, x: u64): void {
  const bit = e * N;
  if (bit < 64) rLo |= x << bit; else rHi |= x << (bit - 64);
}

/** The key U:bit23:opcode of a three-same or two-register misc encoding. */
// @ts-ignore: decorator
@inline function key(w: u32, opLsb: u32): u32 { return ((w >> 23) & 0x40) | ((w >> 18) & 0x20) | ((w >> opLsb) & 0x1f); }

/** Vector forms: 2D needs Q = 1 (sz:Q = 10 is reserved). imm = key. */
export function pre_simd3(w: u32, rec: usize): bool {
  if (esz(w) == 64 && !isQ(w)) return false;
  setImm(rec, key(w, 11));
  return true;
}
export function pre_simd3_scalar(w: u32, rec: usize): bool { setImm(rec, key(w, 11)); return true; }
export function pre_simd2(w: u32, rec: usize): bool {
  if (esz(w) == 64 && !isQ(w)) return false;
  const k = key(w, 12);
  if ((k == K2_URECPE || k == K2_URSQRTE) && esz(w) == 64) return false;
  setImm(rec, k);
  setImm2(rec, 0);
  return true;
}
export function pre_simd2_scalar(w: u32, rec: usize): bool { setImm(rec, key(w, 12)); setImm2(rec, 0); return true; }

/** Three same, vector: elementwise or (FADDP, FMAXP...) pairwise over Vm:Vn. */
export function exec_SIMD3_FP(rec: usize): void {
  const w = recWord(rec);
  const k = <u32>recImm(rec);
  const N = esz(w), elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  const n = recN(rec), m = recM(rec), d = recD(rec);
  const fpcr = fpcrValue();
  rLo = 0; rHi = 0;
  const pairwise = k == K3_FMAXNMP || k == K3_FADDP || k == K3_FMAXP || k == K3_FMINNMP || k == K3_FMINP;
  for (let e: u32 = 0; e < elems; e++) {
    let a: u64, b: u64;
    if (pairwise) { // concatenation Vm:Vn, element pairs
      const i: u32 = 2 * e;
      a = i < elems ? elemAt(n, i, N) : elemAt(m, i - elems, N);
      b = i + 1 < elems ? elemAt(n, i + 1, N) : elemAt(m, i + 1 - elems, N);
    } else {
      a = elemAt(n, e, N); b = elemAt(m, e, N);
    }
    put(e, N, fpElem3(k, a, b, elemAt(d, e, N), N, fpcr));
  }
  vWrite128(d, rLo, isQ(w) ? rHi : 0);
  nextPC();
}

/** Three same, scalar (FMULX, FCMEQ, FCMGE, FCMGT, FACGE, FACGT, FABD). */
export function exec_SIMD3_FP_scalar(rec: usize): void {
  const w = recWord(rec);
  const N = esz(w);
  const r = fpElem3(<u32>recImm(rec), elemAt(recN(rec), 0, N), elemAt(recM(rec), 0, N), 0, N, fpcrValue());
  vWriteScalar(recD(rec), r, N >> 3);
  nextPC();
}

/** Two-register misc, vector. imm2 = fbits for the fixed-point forms (shift by immediate). */
export function exec_SIMD2_FP(rec: usize): void {
  const w = recWord(rec);
  const k = <u32>recImm(rec), fbits = <u32>recImm2(rec);
  const N = esz(w), elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  const n = recN(rec);
  const fpcr = fpcrValue();
  rLo = 0; rHi = 0;
  for (let e: u32 = 0; e < elems; e++) put(e, N, fpElem2(k, elemAt(n, e, N), N, fpcr, fbits));
  vWrite128(recD(rec), rLo, isQ(w) ? rHi : 0);
  nextPC();
}
export function exec_SIMD2_FP_scalar(rec: usize): void {
  const w = recWord(rec);
  const N = esz(w);
  const r = fpElem2(<u32>recImm(rec), elemAt(recN(rec), 0, N), N, fpcrValue(), <u32>recImm2(rec));
  vWriteScalar(recD(rec), r, N >> 3);
  nextPC();
}

// ---- Fixed-point conversions by immediate (Advanced SIMD shift by immediate) ----
// immh:immb (bits 22:16) = 2 * esize - fbits; immh = 01xx single, 1xxx double (001x is FP16).
// imm = the two-register misc key of the operation, imm2 = fbits.
function preFixed(w: u32, rec: usize, vector: bool): bool {
  const immhb = (w >> 16) & 0x7f;
  const N: u32 = (immhb & 0x40) != 0 ? 64 : 32;
  if (vector && N == 64 && !isQ(w)) return false;
  const u = (w >> 29) & 1, opc = (w >> 11) & 0x1f;
  // SCVTF (11100) and UCVTF: the misc keys 0x1d / 0x5d; FCVTZS (11111) / FCVTZU: 0x3b / 0x7b
  setImm(rec, opc == 0x1c ? (u != 0 ? 0x5d : 0x1d) : (u != 0 ? 0x7b : 0x3b));
  setImm2(rec, 2 * N - immhb);
  return true;
}
export function pre_simd_fixed(w: u32, rec: usize): bool { return preFixed(w, rec, true); }
export function pre_simd_fixed_scalar(w: u32, rec: usize): bool { return preFixed(w, rec, false); }

/** Shift by immediate forms: the element size comes from immh, not bit 22. */
export function exec_SIMD_FIXED(rec: usize): void {
  const w = recWord(rec);
  const k = <u32>recImm(rec), fbits = <u32>recImm2(rec);
  const N: u32 = ((w >> 22) & 1) != 0 ? 64 : 32;
  const fpcr = fpcrValue();
  const n = recN(rec);
  rLo = 0; rHi = 0;
  const elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  for (let e: u32 = 0; e < elems; e++) put(e, N, fpElem2(k, elemAt(n, e, N), N, fpcr, fbits));
  vWrite128(recD(rec), rLo, isQ(w) ? rHi : 0);
  nextPC();
}
export function exec_SIMD_FIXED_scalar(rec: usize): void {
  const w = recWord(rec);
  const N: u32 = ((w >> 22) & 1) != 0 ? 64 : 32;
  const r = fpElem2(<u32>recImm(rec), elemAt(recN(rec), 0, N), N, fpcrValue(), <u32>recImm2(rec));
  vWriteScalar(recD(rec), r, N >> 3);
  nextPC();
}

// ---- Across lanes and scalar pairwise ----

/** FMAXNMV, FMINNMV, FMAXV, FMINV: 4S only in Armv8.0. imm = the element operation's key. */
export function pre_across(w: u32, rec: usize): bool {
  if (!isQ(w) || esz(w) == 64) return false;
  const min = ((w >> 23) & 1) != 0, nm = ((w >> 12) & 0x1f) == 0x0c;
  setImm(rec, nm ? (min ? K3_FMINNM : K3_FMAXNM) : (min ? K3_FMIN : K3_FMAX));
  return true;
}
/** Reduce(op, Vn.4S): op(op(e0, e1), op(e2, e3)). */
export function exec_ACROSS_FP(rec: usize): void {
  const k = <u32>recImm(rec);
  const n = recN(rec);
  const fpcr = fpcrValue();
  const lo = fpElem3(k, elemAt(n, 0, 32), elemAt(n, 1, 32), 0, 32, fpcr);
  const hi = fpElem3(k, elemAt(n, 2, 32), elemAt(n, 3, 32), 0, 32, fpcr);
  vWriteScalar(recD(rec), fpElem3(k, lo, hi, 0, 32, fpcr), 4);
  nextPC();
}

/** FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (scalar): imm = the element operation's key. */
export function pre_pair_scalar(w: u32, rec: usize): bool {
  const min = ((w >> 23) & 1) != 0, opc = (w >> 12) & 0x1f;
  let k: u32;
  if (opc == 0x0d) { if (min) return false; k = K3_FADDP; }
  else if (opc == 0x0c) k = min ? K3_FMINNM : K3_FMAXNM;
  else k = min ? K3_FMIN : K3_FMAX;
  setImm(rec, k);
  return true;
}
export function exec_PAIR_FP_scalar(rec: usize): void {
  const w = recWord(rec);
  const N = esz(w);
  const n = recN(rec);
  vWriteScalar(recD(rec), fpElem3(<u32>recImm(rec), elemAt(n, 0, N), elemAt(n, 1, N), 0, N, fpcrValue()), N >> 3);
  nextPC();
}

// ---- By element: imm = key, imm2 = index (H:L single, H double) ----
function preElem(w: u32, rec: usize, vector: bool): bool {
  const sz = (w >> 22) & 1, L = (w >> 21) & 1, H = (w >> 11) & 1;
  if (sz == 1 && L == 1) return false;
  if (vector && sz == 1 && !isQ(w)) return false;
  const u = (w >> 29) & 1, op = (w >> 12) & 15;
  let k: u32;
  if (op == 1 && u == 0) k = K3_FMLA;
  else if (op == 5 && u == 0) k = K3_FMLS;
  else if (op == 9) k = u != 0 ? K3_FMULX : K3_FMUL;
  else return false;
  setImm(rec, k);
  setImm2(rec, sz != 0 ? H : (H << 1) | L);
  return true;
}
export function pre_elem(w: u32, rec: usize): bool { return preElem(w, rec, true); }
export function pre_elem_scalar(w: u32, rec: usize): bool { return preElem(w, rec, false); }
export function exec_ELEM_FP(rec: usize): void {
  const w = recWord(rec);
  const k = <u32>recImm(rec);
  const N = esz(w), elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  const n = recN(rec), d = recD(rec);
  const b = elemAt(recM(rec), <u32>recImm2(rec), N);
  const fpcr = fpcrValue();
  rLo = 0; rHi = 0;
  for (let e: u32 = 0; e < elems; e++) put(e, N, fpElem3(k, elemAt(n, e, N), b, elemAt(d, e, N), N, fpcr));
  vWrite128(d, rLo, isQ(w) ? rHi : 0);
  nextPC();
}
export function exec_ELEM_FP_scalar(rec: usize): void {
  const w = recWord(rec);
  const N = esz(w);
  const d = recD(rec);
  const r = fpElem3(<u32>recImm(rec), elemAt(recN(rec), 0, N), elemAt(recM(rec), <u32>recImm2(rec), N),
    elemAt(d, 0, N), N, fpcrValue());
  vWriteScalar(d, r, N >> 3);
  nextPC();
}

// ---- Narrowing and widening conversions ----
// sz = 0: single <-> half; sz = 1: double <-> single. FCVTXN rounds to odd (double to single only).

/** FCVTN/FCVTN2 and FCVTXN/FCVTXN2: Q = 1 writes the upper half and keeps the lower. */
export function pre_fcvtxn(w: u32, rec: usize): bool { return esz(w) == 64; }
// @ts-ignore: decorator
@inline function narrow(rec: usize, odd: bool): void {
  const w = recWord(rec);
  const N = esz(w), M = N >> 1; // source and destination element sizes
  const n = recN(rec), d = recD(rec);
  const fpcr = fpcrValue();
  const rm = odd ? RM_ODD : fpRoundingMode(fpcr);
  let r: u64 = 0;
  const elems: u32 = <u32>64 / M;
  for (let e: u32 = 0; e < elems; e++) r |= fpConvert(elemAt(n, e, N), N, M, fpcr, rm) << (e * M);
  if (isQ(w)) store<u64>(d, r, 8); // upper half; the lower half is kept
  else vWrite128(d, r, 0);
  nextPC();
}
export function exec_FCVTN(rec: usize): void { narrow(rec, false); }
export function exec_FCVTXN(rec: usize): void { narrow(rec, true); }
/** FCVTXN (scalar): Sd = double Dn rounded to odd. */
export function exec_FCVTXN_scalar(rec: usize): void {
  const fpcr = fpcrValue();
  vWriteScalar(recD(rec), fpConvert(load<u64>(recN(rec)), 64, 32, fpcr, RM_ODD), 4);
  nextPC();
}
/** FCVTL/FCVTL2: widen the lower (Q = 0) or upper (Q = 1) half of Vn. */
export function exec_FCVTL(rec: usize): void {
  const w = recWord(rec);
  const M = esz(w), N = M >> 1; // destination and source element sizes
  const src = recN(rec) + (isQ(w) ? 8 : 0);
  const fpcr = fpcrValue();
  const elems: u32 = <u32>128 / M;
  rLo = 0; rHi = 0;
  for (let e: u32 = 0; e < elems; e++) {
    const x = N == 32 ? <u64>load<u32>(src + (<usize>e << 2)) : <u64>load<u16>(src + (<usize>e << 1));
    put(e, M, fpConvert(x, N, M, fpcr, fpRoundingMode(fpcr)));
  }
  vWrite128(recD(rec), rLo, rHi);
  nextPC();
}


