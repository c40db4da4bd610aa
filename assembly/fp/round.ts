// FPRoundBase (Arm ARM shared/functions/float/fpround): rounds a nonzero real value to an N-bit
// floating-point number under a rounding mode, applying flush-to-zero of tiny results
// (FPCR.FZ, single and double only in Armv8.0: Underflow without Inexact), tininess detected
// before rounding (Underflow only when the tiny result is also inexact), overflow to infinity
// or the largest normal as the mode says (Overflow and Inexact), and the alternative
// half-precision format (FPCR.AHP: no infinities; overflow saturates with Invalid Operation).
//
// The value is sign, exp and mant: |value| = mant / 2^63 * 2^exp with bit 63 of mant set; bit 0
// of mant must be sticky (ORed with every lower bit of the exact value that was dropped).
import { FPCR_FZ, FPCR_AHP, RM_TIEEVEN, RM_POSINF, RM_NEGINF, RM_TIEAWAY, RM_ODD,
  IOC, OFC, UFC, IXC, fpException } from './fpcr';
import { fracBits, expBits, fpInfinity, fpMaxNormal } from './format';

export function fpRound(sign: u32, exp: i32, mant: u64, N: u32, fpcr: u32, rmode: u32): u64 {
  const F = fracBits(N), E = expBits(N);
  const minExp: i32 = 2 - (1 << (E - 1));
  const s = <u64>sign << (N - 1);
  if (N != 16 && (fpcr & FPCR_FZ) != 0 && exp < minExp) {
    fpException(UFC); // flushed output: Underflow, not Inexact
    return s;
  }
  let biased: i32 = exp - minExp + 1;
  let sh: u32 = 63 - F;
  if (biased <= 0) { // denormal result: mantissa / 2^(minExp - exp)
    const extra = <u32>(1 - biased);
    sh = extra > 100 ? 100 : sh + extra;
    biased = 0;
  }
  // int_mant = RoundDown(mantissa * 2^F); error as the bits below it (rest) against one half
  let intMant: u64, rest: u64, half: u64;
  if (sh < 64) {
    intMant = mant >> sh;
    rest = mant & ((<u64>1 << sh) - 1);
    half = <u64>1 << (sh - 1);
  } else if (sh == 64) {
    intMant = 0; rest = mant; half = <u64>1 << 63;
  } else {
    intMant = 0; rest = 1; half = 2; // 0 < error < 0.5
  }
  const inexact = rest != 0;
  if (biased == 0 && inexact) fpException(UFC);
  let up = false;
  let overflowToInf = false;
  switch (rmode) {
    case RM_TIEEVEN: up = rest > half || (rest == half && (intMant & 1) != 0); overflowToInf = true; break;
    case RM_POSINF: up = inexact && sign == 0; overflowToInf = sign == 0; break;
    case RM_NEGINF: up = inexact && sign != 0; overflowToInf = sign != 0; break;
    case RM_TIEAWAY: up = rest >= half; overflowToInf = true; break;
    default: break; // ZERO, ODD
  }
  if (up) {
    intMant++;
    if (intMant == (<u64>1 << F)) biased = 1; // denormal rounded up to the smallest normal
    if (intMant == (<u64>1 << (F + 1))) { biased++; intMant >>= 1; }
  }
  if (rmode == RM_ODD && inexact) intMant |= 1;
  if (N == 16 && (fpcr & FPCR_AHP) != 0) {
    if (biased >= (1 << E)) {
      fpException(IOC);
      return s | 0x7fff;
    }
  } else if (biased >= (1 << E) - 1) {
    fpException(OFC | IXC);
    return overflowToInf ? fpInfinity(sign, N) : fpMaxNormal(sign, N);
  }
  if (inexact) fpException(IXC);
  return s | (<u64>biased << F) | (intMant & ((<u64>1 << F) - 1));
}
