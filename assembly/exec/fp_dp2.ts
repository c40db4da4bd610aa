// Floating-point data-processing (2 source), C4.1.98: FMUL, FDIV, FADD, FSUB, FMAX, FMIN,
// FMAXNM, FMINNM, FNMUL; and the Advanced SIMD scalar three-same steps FRECPS and FRSQRTS.
import { recD, recN, recM, nextPC } from '../cpu';
import { vRead64, vWriteScalar } from '../fp/vreg';
import { fpcrValue } from '../fp/fpcr';
import { fpAddSub, fpMul, fpDiv, fpStepFused } from '../fp/arith';
import { fpMaxMin, fpMaxMinNum, fpNeg } from '../fp/compare';
import { fpSize } from './fp_common';

// @ts-ignore: decorator
@inline function opN(rec: usize): u64 { return vRead64(recN(rec)); }
// @ts-ignore: decorator
@inline function opM(rec: usize): u64 { return vRead64(recM(rec)); }
// @ts-ignore: decorator
@inline function put(rec: usize, r: u64, N: u32): void { vWriteScalar(recD(rec), r, N >> 3); nextPC(); }

export function exec_FMUL(rec: usize): void { const N = fpSize(rec); put(rec, fpMul(opN(rec), opM(rec), N, fpcrValue()), N); }
export function exec_FDIV(rec: usize): void { const N = fpSize(rec); put(rec, fpDiv(opN(rec), opM(rec), N, fpcrValue()), N); }
export function exec_FADD(rec: usize): void { const N = fpSize(rec); put(rec, fpAddSub(opN(rec), opM(rec), N, fpcrValue(), false), N); }
export function exec_FSUB(rec: usize): void { const N = fpSize(rec); put(rec, fpAddSub(opN(rec), opM(rec), N, fpcrValue(), true), N); }
export function exec_FMAX(rec: usize): void { const N = fpSize(rec); put(rec, fpMaxMin(opN(rec), opM(rec), N, fpcrValue(), false), N); }
export function exec_FMIN(rec: usize): void { const N = fpSize(rec); put(rec, fpMaxMin(opN(rec), opM(rec), N, fpcrValue(), true), N); }
export function exec_FMAXNM(rec: usize): void { const N = fpSize(rec); put(rec, fpMaxMinNum(opN(rec), opM(rec), N, fpcrValue(), false), N); }
export function exec_FMINNM(rec: usize): void { const N = fpSize(rec); put(rec, fpMaxMinNum(opN(rec), opM(rec), N, fpcrValue(), true), N); }
/** FNMUL: FPNeg(FPMul(n, m)); the negation applies to NaN results too. */
export function exec_FNMUL(rec: usize): void { const N = fpSize(rec); put(rec, fpNeg(fpMul(opN(rec), opM(rec), N, fpcrValue()), N), N); }
export function exec_FRECPS_scalar(rec: usize): void { const N = fpSize(rec); put(rec, fpStepFused(opN(rec), opM(rec), N, fpcrValue(), false), N); }
export function exec_FRSQRTS_scalar(rec: usize): void { const N = fpSize(rec); put(rec, fpStepFused(opN(rec), opM(rec), N, fpcrValue(), true), N); }
