// The exact sum A + P of an addend and a product, rounded once: the arithmetic inside FPAdd,
// FPSub, FPMulAdd, FPRecipStepFused and FPRSqrtStepFused. Both terms are held as 128-bit
// integers with the leading bit at or below bit 125, aligned with a sticky shift, added or
// subtracted exactly, normalised and rounded by fpRound. An exactly zero sum is FPZero with the
// sign the pseudocode gives (negative only when rounding towards minus infinity).
import { RM_NEGINF } from './fpcr';
import { fpZero } from './format';
import { fpRound } from './round';
import { wHi, wLo, mul64x64, shrJam128, shl128, clz128 } from './wide';

/**
 * Rounds (-1)^sA * mA/2^63 * 2^eA + (-1)^sP * (m1/2^63 * 2^e1) * (m2/2^63 * 2^e2), scaled by
 * 2^adj. A zero mantissa (mA, m1 or m2) makes that term zero whatever its exponent.
 */
export function fusedSum(sA: u32, eA: i32, mA: u64, sP: u32, e1: i32, m1: u64, e2: i32, m2: u64,
  adj: i32, N: u32, fpcr: u32, rmode: u32): u64 {
  // P = m1*m2 * 2^(e1+e2-126): shift right 2 (exact: at most 53 significant bits each) so the
  // leading bit is at 125 or below, value = XP * 2^kP.
  mul64x64(m1, m2);
  let pHi = (wHi >> 2), pLo = (wLo >> 2) | (wHi << 62);
  let kP: i32 = e1 + e2 - 124;
  // A = mA * 2^(eA-63) = (mA << 62) * 2^(eA-125)
  let aHi = mA >> 2, aLo = mA << 62;
  let kA: i32 = eA - 125;
  const zeroP = (pHi | pLo) == 0, zeroA = mA == 0;
  let k: i32;
  if (zeroP && zeroA) return fpZero(rmode == RM_NEGINF ? 1 : 0, N);
  if (zeroP) k = kA;
  else if (zeroA) k = kP;
  else if (kA >= kP) {
    k = kA;
    shrJam128(pHi, pLo, <u32>min<i32>(kA - kP, 200)); pHi = wHi; pLo = wLo;
  } else {
    k = kP;
    shrJam128(aHi, aLo, <u32>min<i32>(kP - kA, 200)); aHi = wHi; aLo = wLo;
  }
  let hi: u64, lo: u64, sign: u32;
  if (sA == sP) {
    lo = aLo + pLo;
    hi = aHi + pHi + (lo < aLo ? 1 : 0);
    sign = sA;
  } else if (aHi > pHi || (aHi == pHi && aLo >= pLo)) {
    lo = aLo - pLo;
    hi = aHi - pHi - (aLo < pLo ? 1 : 0);
    sign = sA;
  } else {
    lo = pLo - aLo;
    hi = pHi - aHi - (pLo < aLo ? 1 : 0);
    sign = sP;
  }
  if ((hi | lo) == 0) return fpZero(rmode == RM_NEGINF ? 1 : 0, N);
  const lz = clz128(hi, lo);
  shl128(hi, lo, lz);
  const mant = wHi | (wLo != 0 ? 1 : 0);
  return fpRound(sign, 127 + k - <i32>lz + adj, mant, N, fpcr, rmode);
}
