// Conversions of the Arm ARM floating-point pseudocode: FPConvert (between precisions),
// FPRoundInt (FRINT*), FPToFixed (FCVT* to integer, fixed point) and FixedToFP (SCVTF, UCVTF).
import { FPCR_AHP, FPCR_DN, RM_TIEEVEN, RM_POSINF, RM_NEGINF, RM_ZERO, RM_TIEAWAY,
  IOC, IXC, fpException } from './fpcr';
import { T_ZERO, T_INF, T_SNAN, uSign, uExp, uMant, fpUnpack, isNaNType } from './unpack';
import { fpProcessNaN } from './nan';
import { fracBits, fpZero, fpInfinity, fpDefaultNaN } from './format';
import { fpRound } from './round';

/**
 * FPConvert(op<N-1:0>, fpcr, rounding) to M bits. Half-precision operands are never flushed and
 * half-precision results never flushed (FPUnpackCV / FPRoundCV: FZ16 is not used); FPCR.AHP
 * selects the alternative half-precision format, which has no NaNs or infinities.
 */
export function fpConvert(op: u64, N: u32, M: u32, fpcr: u32, rmode: u32): u64 {
  const t = fpUnpack(op, N, fpcr); const s = uSign, e = uExp, m = uMant;
  const altHP = M == 16 && (fpcr & FPCR_AHP) != 0;
  if (isNaNType(t)) {
    let r: u64;
    if (altHP) r = fpZero(s, 16);
    else if ((fpcr & FPCR_DN) != 0) r = fpDefaultNaN(M);
    else { // FPConvertNaN: sign, quiet bit set, the payload's top bits kept
      const F = fracBits(N), G = fracBits(M);
      const payload = (op & ((<u64>1 << (F - 1)) - 1));
      const p = G >= F ? payload << (G - F) : payload >> (F - G);
      r = fpInfinity(s, M) | (<u64>1 << (G - 1)) | p;
    }
    if (t == T_SNAN || altHP) fpException(IOC);
    return r;
  }
  if (t == T_INF) {
    if (altHP) { fpException(IOC); return (<u64>s << 15) | 0x7fff; }
    return fpInfinity(s, M);
  }
  if (t == T_ZERO) return fpZero(s, M);
  return fpRound(s, e, m, M, fpcr, rmode);
}

// Magnitude rounding shared by FPRoundInt and FPToFixed: |value| = intPart + frac, frac given by
// the bits below the binary point (rest against half). Returns whether |value| rounds up.
// @ts-ignore: decorator
@inline function roundUpMag(rmode: u32, sign: u32, intPart: u64, rest: u64, half: u64): bool {
  switch (rmode) {
    case RM_TIEEVEN: return rest > half || (rest == half && (intPart & 1) != 0);
    case RM_POSINF: return rest != 0 && sign == 0;
    case RM_NEGINF: return rest != 0 && sign != 0;
    case RM_TIEAWAY: return rest >= half;
    default: return false; // ZERO
  }
}

// Results of splitValue: |value| * 2^fbits = sIntPart + (sRest against sHalf), sBig when >= 2^64.
let sIntPart: u64 = 0, sRest: u64 = 0, sHalf: u64 = 0;
let sBig = false;
/** Splits m/2^63 * 2^e into integer and fraction parts. */
function splitValue(e: i32, m: u64): void {
  sBig = false;
  if (e >= 64) { sBig = true; sIntPart = 0; sRest = 0; sHalf = 1; return; }
  if (e >= 63) { sIntPart = m; sRest = 0; sHalf = 1; return; }
  if (e >= 0) {
    const sh = <u32>(63 - e);
    sIntPart = m >> sh; sRest = m & ((<u64>1 << sh) - 1); sHalf = <u64>1 << (sh - 1);
    return;
  }
  sIntPart = 0;
  if (e == -1) { sRest = m; sHalf = <u64>1 << 63; return; }
  sRest = 1; sHalf = 2; // 0 < fraction < 0.5
}

/** FPRoundInt(op, fpcr, rounding, exact): FRINT*; exact (FRINTX) raises Inexact. */
export function fpRoundInt(op: u64, N: u32, fpcr: u32, rmode: u32, exact: bool): u64 {
  const t = fpUnpack(op, N, fpcr); const s = uSign, e = uExp, m = uMant;
  if (isNaNType(t)) return fpProcessNaN(t, op, N, fpcr);
  if (t == T_INF) return fpInfinity(s, N);
  if (t == T_ZERO) return fpZero(s, N);
  if (e >= <i32>fracBits(N)) return fpRound(s, e, m, N, fpcr, RM_ZERO); // already an integer
  splitValue(e, m);
  let r = sIntPart;
  if (roundUpMag(rmode, s, sIntPart, sRest, sHalf)) r++;
  if (sRest != 0 && exact) fpException(IXC);
  if (r == 0) return fpZero(s, N);
  const lz = <u32>clz(r);
  return fpRound(s, 63 - <i32>lz, r << lz, N, fpcr, RM_ZERO);
}

/**
 * FPToFixed(op, fbits, unsigned, fpcr, rounding) to an M-bit integer (M = 32 or 64): NaNs give 0,
 * out-of-range values saturate; either raises Invalid Operation (and not Inexact).
 */
export function fpToFixed(op: u64, N: u32, fbits: u32, unsigned: bool, M: u32, fpcr: u32, rmode: u32): u64 {
  const t = fpUnpack(op, N, fpcr); const s = uSign, e = uExp, m = uMant;
  const maxU: u64 = M == 64 ? 0xffffffffffffffff : 0xffffffff;
  const maxS: u64 = M == 64 ? 0x7fffffffffffffff : 0x7fffffff;
  if (isNaNType(t)) { fpException(IOC); return 0; }
  if (t == T_ZERO) return 0;
  let big = t == T_INF;
  let r: u64 = 0;
  let inexact = false;
  if (!big) {
    splitValue(e + <i32>fbits, m);
    big = sBig;
    r = sIntPart;
    inexact = sRest != 0;
    if (!big && roundUpMag(rmode, s, sIntPart, sRest, sHalf)) {
      r++;
      if (r == 0) big = true; // carried out of 64 bits
    }
  }
  // SatQ
  if (unsigned) {
    if (s != 0 && (big || r != 0)) { fpException(IOC); return 0; }
    if (big || r > maxU) { fpException(IOC); return maxU; }
  } else if (s != 0) {
    if (big || r > maxS + 1) { fpException(IOC); return maxS + 1; }
    r = (0 - r) & maxU;
  } else if (big || r > maxS) { fpException(IOC); return maxS; }
  if (inexact) fpException(IXC);
  return r;
}

/** FixedToFP(op<M-1:0>, fbits, unsigned, fpcr, rounding) to N bits; zero is +0. */
export function fixedToFP(op: u64, M: u32, fbits: u32, unsigned: bool, N: u32, fpcr: u32, rmode: u32): u64 {
  let x = M == 64 ? op : op & 0xffffffff;
  let sign: u32 = 0;
  if (!unsigned && ((x >> (M - 1)) & 1) != 0) { sign = 1; x = (0 - x) & (M == 64 ? 0xffffffffffffffff : 0xffffffff); }
  if (x == 0) return fpZero(0, N);
  const lz = <u32>clz(x);
  return fpRound(sign, 63 - <i32>lz - <i32>fbits, x << lz, N, fpcr, rmode);
}
