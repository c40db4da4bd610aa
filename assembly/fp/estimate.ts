// Reciprocal and reciprocal square root estimates and FRECPX (Arm ARM FPRecipEstimate,
// RecipEstimate, FPRSqrtEstimate, RecipSqrtEstimate, FPRecpX), as Armv8.0 defines them (the
// 8-bit estimate tables, without the FEAT_RPRES increased precision).
import { FPCR_FZ, fpRoundingMode, RM_TIEEVEN, RM_POSINF, RM_NEGINF,
  IOC, DZC, OFC, UFC, IXC, fpException } from './fpcr';
import { T_ZERO, T_INF, uSign, fpUnpack, isNaNType } from './unpack';
import { fpProcessNaN } from './nan';
import { fracBits, expBits, fpZero, fpInfinity, fpMaxNormal, fpDefaultNaN, widthMask } from './format';

/** RecipEstimate(a), 256 <= a < 512: 256..511 for a result in [1.0, 2.0). */
// @ts-ignore: decorator
@inline export function recipEstimate(a: u32): u32 {
  a = a * 2 + 1; // round to nearest
  const b = (<u32>1 << 19) / a;
  return (b + 1) >> 1;
}

/** RecipSqrtEstimate(a), 128 <= a < 512. */
export function recipSqrtEstimate(a: u32): u32 {
  if (a < 256) a = a * 2 + 1; // 0.25 .. 0.5, units of 1/512 rounded to nearest
  else { a = (a >> 1) << 1; a = (a + 1) * 2; } // 0.5 .. 1.0, units of 1/256
  // b = the largest b such that a * (b+1)^2 < 2^28, from 512 up. Start close below it (the
  // f64 square root is accurate to far better than the margin of 2) and finish by the rule.
  let b = <u64>max<i64>(512, <i64>Math.floor(Math.sqrt(<f64>(1 << 28) / <f64>a)) - 3);
  while (<u64>a * (b + 1) * (b + 1) < (<u64>1 << 28)) b++;
  return <u32>((b + 1) >> 1);
}

/** FPRecipEstimate(op) for N = 32 or 64 (FRECPE). */
export function fpRecipEstimate(op: u64, N: u32, fpcr: u32): u64 {
  const t = fpUnpack(op, N, fpcr); const s = uSign;
  if (isNaNType(t)) return fpProcessNaN(t, op, N, fpcr);
  if (t == T_INF) return fpZero(s, N);
  if (t == T_ZERO) { fpException(DZC); return fpInfinity(s, N); }
  const F = fracBits(N), E = expBits(N);
  let exp: i32 = <i32>((op >> F) & ((1 << E) - 1));
  let fraction: u64 = (op & ((<u64>1 << F) - 1)) << (52 - F); // 52-bit fraction
  // Abs(value) < 2^-128 (single) / 2^-1024 (double): a denormal with its top two fraction bits clear
  if (exp == 0 && (fraction >> 50) == 0) {
    const rm = fpRoundingMode(fpcr);
    const toInf = rm == RM_TIEEVEN || (rm == RM_POSINF && s == 0) || (rm == RM_NEGINF && s == 1);
    fpException(OFC | IXC);
    return toInf ? fpInfinity(s, N) : fpMaxNormal(s, N);
  }
  // Abs(value) >= 2^126 (single) / 2^1022 (double) with FZ: the result would be denormal
  if ((fpcr & FPCR_FZ) != 0 && exp >= (1 << E) - 3) {
    fpException(UFC);
    return fpZero(s, N);
  }
  if (exp == 0) {
    if (((fraction >> 51) & 1) == 0) { exp = -1; fraction = (fraction << 2) & 0xfffffffffffff; }
    else fraction = (fraction << 1) & 0xfffffffffffff;
  }
  const scaled = <u32>(0x100 | (fraction >> 44));
  let resultExp: i32 = (N == 32 ? 253 : 2045) - exp;
  const est = recipEstimate(scaled);
  fraction = <u64>(est & 0xff) << 44;
  if (resultExp == 0) fraction = (<u64>1 << 51) | (fraction >> 1);
  else if (resultExp == -1) { fraction = (<u64>1 << 50) | (fraction >> 2); resultExp = 0; }
  return (<u64>s << (N - 1)) | (<u64>resultExp << F) | (fraction >> (52 - F));
}

/** FPRSqrtEstimate(op) for N = 32 or 64 (FRSQRTE). */
export function fpRSqrtEstimate(op: u64, N: u32, fpcr: u32): u64 {
  const t = fpUnpack(op, N, fpcr); const s = uSign;
  if (isNaNType(t)) return fpProcessNaN(t, op, N, fpcr);
  if (t == T_ZERO) { fpException(DZC); return fpInfinity(s, N); }
  if (s != 0) { fpException(IOC); return fpDefaultNaN(N); }
  if (t == T_INF) return fpZero(0, N);
  const F = fracBits(N), E = expBits(N);
  let exp: i32 = <i32>((op >> F) & ((1 << E) - 1));
  let fraction: u64 = (op & ((<u64>1 << F) - 1)) << (52 - F);
  if (exp == 0) {
    while (((fraction >> 51) & 1) == 0) { fraction = (fraction << 1) & 0xfffffffffffff; exp--; }
    fraction = (fraction << 1) & 0xfffffffffffff;
  }
  const scaled = (exp & 1) == 0 ? <u32>(0x100 | (fraction >> 44)) : <u32>(0x80 | (fraction >> 45));
  const resultExp: i32 = ((N == 32 ? 380 : 3068) - exp) >> 1;
  const est = recipSqrtEstimate(scaled);
  return (<u64>resultExp << F) | (<u64>(est & 0xff) << (F - 8));
}

/** FPRecpX(op) (FRECPX): the exponent inverted, the fraction cleared. */
export function fpRecpX(op: u64, N: u32, fpcr: u32): u64 {
  const t = fpUnpack(op, N, fpcr);
  if (isNaNType(t)) return fpProcessNaN(t, op, N, fpcr);
  const F = fracBits(N), E = expBits(N);
  const ones: u64 = (<u64>1 << E) - 1;
  const exp = (op >> F) & ones;
  const sign = op & widthMask(N) & ~(widthMask(N) >> 1);
  if (exp == 0) return sign | ((ones - 1) << F);
  return sign | ((~exp & ones) << F);
}
