// Floating-point data-processing (3 source), C4.1.99: FMADD, FMSUB, FNMADD, FNMSUB, all fused
// (FPMulAdd, one rounding). The instructions negate operands by flipping sign bits before the
// operation, so a NaN operand propagates with its sign flipped (C7.2.FMSUB etc.).
import { recD, recN, recM, recA, nextPC } from '../cpu';
import { vRead64, vWriteScalar } from '../fp/vreg';
import { fpcrValue } from '../fp/fpcr';
import { fpMulAdd } from '../fp/arith';
import { signBit } from '../fp/format';
import { fpSize } from './fp_common';

/** d = (a ^ negA) + (n ^ negN) * m */
// @ts-ignore: decorator
@inline function mulAdd(rec: usize, negA: bool, negN: bool): void {
  const N = fpSize(rec);
  const sb = signBit(N);
  const a = vRead64(recA(rec)) ^ (negA ? sb : 0);
  const n = vRead64(recN(rec)) ^ (negN ? sb : 0);
  vWriteScalar(recD(rec), fpMulAdd(a, n, vRead64(recM(rec)), N, fpcrValue()), N >> 3);
  nextPC();
}
export function exec_FMADD(rec: usize): void { mulAdd(rec, false, false); }
export function exec_FMSUB(rec: usize): void { mulAdd(rec, false, true); }
export function exec_FNMADD(rec: usize): void { mulAdd(rec, true, true); }
export function exec_FNMSUB(rec: usize): void { mulAdd(rec, true, false); }
