// FPCompare, FPMax, FPMin, FPMaxNum and FPMinNum (Arm ARM shared/functions/float). Operands are
// compared by value after FPUnpack, so flushed denormals equal zero and -0 == +0.
import { IOC, fpException } from './fpcr';
import { T_ZERO, T_INF, T_QNAN, T_SNAN, uSign, fpUnpack, isNaNType } from './unpack';
import { fpProcessNaNs } from './nan';
import { fpZero, fpInfinity, widthMask, signBit } from './format';

/** An ordering key of a non-NaN operand: sign-magnitude as a signed integer, zero for zeros. */
// @ts-ignore: decorator
@inline function orderKey(op: u64, t: u32, s: u32, N: u32): i64 {
  if (t == T_ZERO) return 0;
  const mag = <i64>(op & (widthMask(N) >> 1));
  return s != 0 ? -mag : mag;
}

/** FPCompare(op1, op2, signal_nans): NZCV in bits 31:28. */
export function fpCompare(op1: u64, op2: u64, N: u32, fpcr: u32, signalNaNs: bool): u32 {
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign;
  if (isNaNType(t1) || isNaNType(t2)) {
    if (t1 == T_SNAN || t2 == T_SNAN || signalNaNs) fpException(IOC);
    return 0x30000000; // unordered: C and V
  }
  const k1 = orderKey(op1, t1, s1, N), k2 = orderKey(op2, t2, s2, N);
  if (k1 == k2) return 0x60000000; // Z C
  if (k1 < k2) return 0x80000000; // N
  return 0x20000000; // C
}

/** FPMax(op1, op2) or, with isMin, FPMin(op1, op2). */
export function fpMaxMin(op1: u64, op2: u64, N: u32, fpcr: u32, isMin: bool): u64 {
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign;
  if (isNaNType(t1) || isNaNType(t2)) return fpProcessNaNs(t1, t2, op1, op2, N, fpcr);
  const k1 = orderKey(op1, t1, s1, N), k2 = orderKey(op2, t2, s2, N);
  const first = isMin ? k1 < k2 : k1 > k2;
  const t = first ? t1 : t2, s = first ? s1 : s2, op = first ? op1 : op2;
  if (t == T_INF) return fpInfinity(s, N);
  if (t == T_ZERO) return fpZero(isMin ? s1 | s2 : s1 & s2, N);
  return op & widthMask(N); // FPRound of an operand's own value is exact
}

/** FPMaxNum / FPMinNum: a single quiet NaN operand counts as -infinity (max) or +infinity (min). */
export function fpMaxMinNum(op1: u64, op2: u64, N: u32, fpcr: u32, isMin: bool): u64 {
  const t1 = fpUnpack(op1, N, fpcr);
  const t2 = fpUnpack(op2, N, fpcr);
  if (t1 == T_QNAN && t2 != T_QNAN) op1 = fpInfinity(isMin ? 0 : 1, N);
  else if (t1 != T_QNAN && t2 == T_QNAN) op2 = fpInfinity(isMin ? 0 : 1, N);
  return fpMaxMin(op1, op2, N, fpcr, isMin);
}

/** FPNeg / FPAbs: sign-bit operations, no exceptions, NaNs unchanged apart from the sign. */
// @ts-ignore: decorator
@inline export function fpNeg(op: u64, N: u32): u64 { return (op ^ signBit(N)) & widthMask(N); }
// @ts-ignore: decorator
@inline export function fpAbs(op: u64, N: u32): u64 { return op & (widthMask(N) >> 1); }
