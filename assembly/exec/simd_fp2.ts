// Advanced SIMD floating-point conversions and one-source operations (C4.1.x, Armv8.0, single
// and double precision elements): two-register misc, vector and scalar (FABS ... FSQRT, FRINT*,
// FCVT*, SCVTF/UCVTF, FCMxx #0, FRECPE, FRSQRTE, URECPE, URSQRTE); the fixed-point conversions
// by immediate (SCVTF, UCVTF, FCVTZS, FCVTZU #fbits); FCVTN(2), FCVTXN(2) and FCVTL(2).
import { recWord, recD, recN, recImm, recImm2, setImm, setImm2, nextPC } from '../cpu';
import { vWrite128, vWriteScalar } from '../fp/vreg';
import { fpcrValue, fpRoundingMode, RM_ODD } from '../fp/fpcr';
import { fpElem2, K2_URECPE, K2_URSQRTE } from '../fp/elem';
import { fpConvert } from '../fp/convert';
import { isQ, esz, elemAt, resultClear, resultPut, resultLo, resultHi, opKey } from './simd_fp_lanes';

export function pre_simd2(w: u32, rec: usize): bool {
  if (esz(w) == 64 && !isQ(w)) return false;
  const k = opKey(w, 12);
  if ((k == K2_URECPE || k == K2_URSQRTE) && esz(w) == 64) return false;
  setImm(rec, k);
  setImm2(rec, 0);
  return true;
}
export function pre_simd2_scalar(w: u32, rec: usize): bool { setImm(rec, opKey(w, 12)); setImm2(rec, 0); return true; }

/** Two-register misc, vector. imm2 = fbits for the fixed-point forms (shift by immediate). */
export function exec_SIMD2_FP(rec: usize): void {
  const w = recWord(rec);
  const k = <u32>recImm(rec), fbits = <u32>recImm2(rec);
  const N = esz(w), elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  const n = recN(rec);
  const fpcr = fpcrValue();
  resultClear();
  for (let e: u32 = 0; e < elems; e++) resultPut(e, N, fpElem2(k, elemAt(n, e, N), N, fpcr, fbits));
  vWrite128(recD(rec), resultLo(), isQ(w) ? resultHi() : 0);
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
  resultClear();
  const elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  for (let e: u32 = 0; e < elems; e++) resultPut(e, N, fpElem2(k, elemAt(n, e, N), N, fpcr, fbits));
  vWrite128(recD(rec), resultLo(), isQ(w) ? resultHi() : 0);
  nextPC();
}
export function exec_SIMD_FIXED_scalar(rec: usize): void {
  const w = recWord(rec);
  const N: u32 = ((w >> 22) & 1) != 0 ? 64 : 32;
  const r = fpElem2(<u32>recImm(rec), elemAt(recN(rec), 0, N), N, fpcrValue(), <u32>recImm2(rec));
  vWriteScalar(recD(rec), r, N >> 3);
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
  resultClear();
  for (let e: u32 = 0; e < elems; e++) {
    const x = N == 32 ? <u64>load<u32>(src + (<usize>e << 2)) : <u64>load<u16>(src + (<usize>e << 1));
    resultPut(e, M, fpConvert(x, N, M, fpcr, fpRoundingMode(fpcr)));
  }
  vWrite128(recD(rec), resultLo(), resultHi());
  nextPC();
}


