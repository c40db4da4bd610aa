// FPUnpack (Arm ARM, shared/functions/float/fpunpack): classifies an N-bit value and gives its
// sign and real value. Denormal inputs are flushed to zero (setting IDC) when FPCR.FZ is 1 for
// single and double precision. Half precision is never flushed in Armv8.0 (FZ16 arrives with
// FEAT_FP16), and FPCR.AHP makes exponent 0b11111 an ordinary exponent.
//
// A nonzero value is returned as uSign, uExp and uMant: value = uMant / 2^63 * 2^uExp with bit 63
// of uMant set (denormals are normalised here, so uExp may lie below the format's minimum).
import { FPCR_FZ, FPCR_AHP, IDC, fpException } from './fpcr';
import { fracBits, expBits, expBias } from './format';

export const T_ZERO: u32 = 0;
export const T_NONZERO: u32 = 1;
export const T_INF: u32 = 2;
export const T_QNAN: u32 = 3;
export const T_SNAN: u32 = 4;

export let uSign: u32 = 0;
export let uExp: i32 = 0;
export let uMant: u64 = 0;

// @ts-ignore: decorator
@inline export function isNaNType(t: u32): bool { return t >= T_QNAN; }

/** FPUnpack(x<N-1:0>, fpcr): the FPType; sign, exponent and mantissa in uSign/uExp/uMant. */
export function fpUnpack(x: u64, N: u32, fpcr: u32): u32 {
  const F = fracBits(N), E = expBits(N);
  const exp = <u32>(x >> F) & ((1 << E) - 1);
  const frac = x & ((<u64>1 << F) - 1);
  uSign = <u32>(x >> (N - 1)) & 1;
  uMant = 0;
  uExp = 0;
  if (exp == 0) {
    if (frac == 0) return T_ZERO;
    if (N != 16 && (fpcr & FPCR_FZ) != 0) { fpException(IDC); return T_ZERO; }
    // value = frac * 2^(1 - bias - F)
    const lz = <u32>clz(frac);
    uMant = frac << lz;
    uExp = <i32>(63 - lz) + 1 - expBias(N) - <i32>F;
    return T_NONZERO;
  }
  if (exp == <u32>((1 << E) - 1) && !(N == 16 && (fpcr & FPCR_AHP) != 0)) {
    if (frac == 0) return T_INF;
    return ((frac >> (F - 1)) & 1) != 0 ? T_QNAN : T_SNAN;
  }
  uMant = (frac | (<u64>1 << F)) << (63 - F);
  uExp = <i32>exp - expBias(N);
  return T_NONZERO;
}
