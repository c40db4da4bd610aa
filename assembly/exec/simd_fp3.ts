// Advanced SIMD floating-point arithmetic (C4.1.x, Armv8.0, single and double precision
// elements): three same, vector and scalar (FADD ... FRSQRTS, FCMxx, FACxx, FABD, FMULX, and the
// pairwise FADDP/FMAXP/... over Vm:Vn), scalar pairwise, across lanes (FMAXV, FMINV, FMAXNMV,
// FMINNMV) and by element (FMLA, FMLS, FMUL, FMULX). Elements go through fp/elem.ts.
import { recWord, recD, recN, recM, recImm, recImm2, setImm, setImm2, nextPC } from '../cpu';
import { vWrite128, vWriteScalar } from '../fp/vreg';
import { fpcrValue } from '../fp/fpcr';
import { fpElem3, K3_FMAXNMP, K3_FADDP, K3_FMAXP, K3_FMINNMP, K3_FMINP, K3_FMAXNM, K3_FMINNM,
  K3_FMAX, K3_FMIN, K3_FMLA, K3_FMLS, K3_FMUL, K3_FMULX } from '../fp/elem';
import { isQ, esz, elemAt, resultClear, resultPut, resultLo, resultHi, opKey } from './simd_fp_lanes';

/** Vector forms: 2D needs Q = 1 (sz:Q = 10 is reserved). imm = key. */
export function pre_simd3(w: u32, rec: usize): bool {
  if (esz(w) == 64 && !isQ(w)) return false;
  setImm(rec, opKey(w, 11));
  return true;
}
export function pre_simd3_scalar(w: u32, rec: usize): bool { setImm(rec, opKey(w, 11)); return true; }
/** Three same, vector: elementwise or (FADDP, FMAXP...) pairwise over Vm:Vn. */
export function exec_SIMD3_FP(rec: usize): void {
  const w = recWord(rec);
  const k = <u32>recImm(rec);
  const N = esz(w), elems: u32 = (isQ(w) ? <u32>128 : <u32>64) / N;
  const n = recN(rec), m = recM(rec), d = recD(rec);
  const fpcr = fpcrValue();
  resultClear();
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
    resultPut(e, N, fpElem3(k, a, b, elemAt(d, e, N), N, fpcr));
  }
  vWrite128(d, resultLo(), isQ(w) ? resultHi() : 0);
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
  resultClear();
  for (let e: u32 = 0; e < elems; e++) resultPut(e, N, fpElem3(k, elemAt(n, e, N), b, elemAt(d, e, N), N, fpcr));
  vWrite128(d, resultLo(), isQ(w) ? resultHi() : 0);
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

