// The arithmetic operations of the Arm ARM floating-point pseudocode: FPAdd, FPSub, FPMul,
// FPDiv, FPSqrt, FPMulAdd (fused), FPRecipStepFused and FPRSqrtStepFused, for N = 32 or 64.
// Special operands follow the pseudocode case by case; finite results are computed exactly in
// integers and rounded once by fpRound under FPCR, except where wasm's own arithmetic gives the
// same result and flags (hw.ts).
import { fpRoundingMode, RM_NEGINF, IOC, DZC, fpException } from './fpcr';
import { T_ZERO, T_INF, T_QNAN, uSign, uExp, uMant, fpUnpack, isNaNType } from './unpack';
import { fpProcessNaN, fpProcessNaNs, fpProcessNaNs3 } from './nan';
import { fpZero, fpInfinity, fpDefaultNaN, fpPow2, signBit } from './format';
import { fpRound } from './round';
import { fusedSum } from './fused';
import { wHi, wLo, mul64x64, shrJam64 } from './wide';
import { hw, hwMulAdd, hwDone, hwEligible, HW_ADD, HW_SUB, HW_MUL, HW_DIV, HW_SQRT } from './hw';

/** FPAdd(op1, op2) or, with sub, FPSub(op1, op2). */
export function fpAddSub(op1: u64, op2: u64, N: u32, fpcr: u32, sub: bool): u64 {
  if (hwEligible(fpcr)) { const r = hw(sub ? HW_SUB : HW_ADD, op1, op2, N); if (hwDone) return r; }
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign, e1 = uExp, m1 = uMant;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign ^ (sub ? 1 : 0), e2 = uExp, m2 = uMant;
  if (isNaNType(t1) || isNaNType(t2)) return fpProcessNaNs(t1, t2, op1, op2, N, fpcr);
  const inf1 = t1 == T_INF, inf2 = t2 == T_INF;
  if (inf1 && inf2 && s1 != s2) { fpException(IOC); return fpDefaultNaN(N); }
  if ((inf1 && s1 == 0) || (inf2 && s2 == 0)) return fpInfinity(0, N);
  if ((inf1 && s1 == 1) || (inf2 && s2 == 1)) return fpInfinity(1, N);
  if (t1 == T_ZERO && t2 == T_ZERO && s1 == s2) return fpZero(s1, N);
  return addMagnitudes(s1, e1, m1, s2, e2, m2, N, fpcr);
}

/**
 * The exact sum of two values (mantissas with the leading bit at 63, 0 for a zero), rounded. The
 * mantissas are moved down two bits for headroom and the smaller operand is aligned with a sticky
 * shift: with at most 53 significant bits that leaves 9 or more bits below the rounding point,
 * and a sticky bit can only reach them when the exponents differ by more than 2, when at most one
 * bit cancels, so the sum is rounded as the exact one would be.
 */
function addMagnitudes(s1: u32, e1: i32, m1: u64, s2: u32, e2: i32, m2: u64, N: u32, fpcr: u32): u64 {
  const rmode = fpRoundingMode(fpcr);
  let a = m1 >> 2, b = m2 >> 2;
  let e: i32;
  if (m1 == 0) e = e2;
  else if (m2 == 0) e = e1;
  else if (e1 >= e2) { e = e1; b = shrJam64(b, <u32>min<i32>(e1 - e2, 100)); }
  else { e = e2; a = shrJam64(a, <u32>min<i32>(e2 - e1, 100)); }
  let r: u64, sign: u32;
  if (s1 == s2) { r = a + b; sign = s1; }
  else if (a >= b) { r = a - b; sign = s1; }
  else { r = b - a; sign = s2; }
  if (r == 0) return fpZero(rmode == RM_NEGINF ? 1 : 0, N);
  // value = r / 2^61 * 2^e
  const lz = <u32>clz(r);
  return fpRound(sign, e + 2 - <i32>lz, r << lz, N, fpcr, rmode);
}

/** FPMul(op1, op2) or, with mulx, FPMulX (FMULX: infinity * zero is 2.0 with the product's sign). */
export function fpMul(op1: u64, op2: u64, N: u32, fpcr: u32, mulx: bool = false): u64 {
  // (FPMulX differs from FPMul only for a zero times an infinity, which the fast path leaves.)
  if (hwEligible(fpcr)) { const r = hw(HW_MUL, op1, op2, N); if (hwDone) return r; }
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign, e1 = uExp, m1 = uMant;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign, e2 = uExp, m2 = uMant;
  if (isNaNType(t1) || isNaNType(t2)) return fpProcessNaNs(t1, t2, op1, op2, N, fpcr);
  const inf1 = t1 == T_INF, inf2 = t2 == T_INF, zero1 = t1 == T_ZERO, zero2 = t2 == T_ZERO;
  if ((inf1 && zero2) || (zero1 && inf2)) {
    if (mulx) return fpPow2(s1 ^ s2, 1, N);
    fpException(IOC); return fpDefaultNaN(N);
  }
  if (inf1 || inf2) return fpInfinity(s1 ^ s2, N);
  if (zero1 || zero2) return fpZero(s1 ^ s2, N);
  let e = e1 + e2;
  if (N == 32) { // 24-bit mantissas: the product fits in 64 bits
    let p = (m1 >> 40) * (m2 >> 40); // in [2^46, 2^48)
    if ((p >> 47) != 0) e++; else p <<= 1;
    return fpRound(s1 ^ s2, e, p << 16, N, fpcr, fpRoundingMode(fpcr));
  }
  mul64x64(m1, m2); // in [2^126, 2^128)
  let hi = wHi, lo = wLo;
  if ((hi >> 63) != 0) e++;
  else { hi = (hi << 1) | (lo >> 63); lo <<= 1; }
  return fpRound(s1 ^ s2, e, hi | (lo != 0 ? 1 : 0), N, fpcr, fpRoundingMode(fpcr));
}

/** FPDiv(op1, op2). */
export function fpDiv(op1: u64, op2: u64, N: u32, fpcr: u32): u64 {
  if (hwEligible(fpcr)) { const r = hw(HW_DIV, op1, op2, N); if (hwDone) return r; }
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign, e1 = uExp, m1 = uMant;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign, e2 = uExp, m2 = uMant;
  if (isNaNType(t1) || isNaNType(t2)) return fpProcessNaNs(t1, t2, op1, op2, N, fpcr);
  const inf1 = t1 == T_INF, inf2 = t2 == T_INF, zero1 = t1 == T_ZERO, zero2 = t2 == T_ZERO;
  if ((inf1 && inf2) || (zero1 && zero2)) { fpException(IOC); return fpDefaultNaN(N); }
  if (inf1 || zero2) {
    if (!inf1) fpException(DZC);
    return fpInfinity(s1 ^ s2, N);
  }
  if (zero1 || inf2) return fpZero(s1 ^ s2, N);
  // m1/m2 to 62 quotient bits by long division in 10-bit steps (the divisor has at most 53
  // significant bits, so a remainder shifted left by 10 stays below 2^63), plus a sticky bit.
  const bd = m2 >> 11;
  let r = m1 >> 11;
  let q: u64 = 0;
  for (let i = 0; i < 6; i++) {
    const x = r << 10;
    q = (q << 10) | (x / bd);
    r = x % bd;
  }
  // q = m1/m2 * 2^60 in (2^59, 2^61): normalise to bit 63
  let e = e1 - e2;
  const lz = <u32>clz(q);
  e += 3 - <i32>lz;
  // the first step may produce 11 bits when m1 >= m2 (quotient digit up to 2^11 - 1): q < 2^61 still
  return fpRound(s1 ^ s2, e, (q << lz) | (r != 0 ? 1 : 0), N, fpcr, fpRoundingMode(fpcr));
}

/** FPSqrt(op). */
export function fpSqrt(op: u64, N: u32, fpcr: u32): u64 {
  if (hwEligible(fpcr)) { const r = hw(HW_SQRT, op, 0, N); if (hwDone) return r; }
  const t = fpUnpack(op, N, fpcr); const s = uSign, e = uExp, m = uMant;
  if (isNaNType(t)) return fpProcessNaN(t, op, N, fpcr);
  if (t == T_ZERO) return fpZero(s, N);
  if (t == T_INF && s == 0) return fpInfinity(0, N);
  if (s != 0) { fpException(IOC); return fpDefaultNaN(N); }
  if (N == 32) {
    // 24-bit mantissa: X = f * 2^50 (e even) or 2f * 2^50 (e odd) is below 2^53, so f64 holds it
    // exactly and its square root to within one; isqrt(X) = sqrt(value) * 2^(25 - (e>>1)).
    const X = m >> ((e & 1) != 0 ? 12 : 13);
    let r = <u64>Math.sqrt(<f64>X);
    while (r * r > X) r--;
    while ((r + 1) * (r + 1) <= X) r++;
    return fpRound(0, e >> 1, (r << 38) | (r * r != X ? 1 : 0), N, fpcr, fpRoundingMode(fpcr));
  }
  // 53-bit mantissa: X = f * 2^108 (e even) or 2f * 2^108 (e odd), 128 bits, so that
  // isqrt(X) = sqrt(value) * 2^(54 - (e>>1)) is in [2^54, 2^55). The f64 square root of X (rounded
  // to 53 bits) is within a few units of it; the loops below make it exact.
  const sh: u32 = (e & 1) != 0 ? 46 : 45;
  const xHi = m >> (64 - sh), xLo = m << sh;
  let r = <u64>Math.sqrt(<f64>xHi * 18446744073709551616.0 + <f64>xLo);
  while (sqGreater(r, xHi, xLo)) r--;
  while (!sqGreater(r + 1, xHi, xLo)) r++;
  mul64x64(r, r);
  const exact = wHi == xHi && wLo == xLo;
  return fpRound(0, e >> 1, (r << 9) | (exact ? 0 : 1), N, fpcr, fpRoundingMode(fpcr));
}

/** r * r > xHi:xLo (128-bit). */
function sqGreater(r: u64, xHi: u64, xLo: u64): bool {
  mul64x64(r, r);
  return wHi > xHi || (wHi == xHi && wLo > xLo);
}

/**
 * FPMulAdd(addend, op1, op2): addend + op1 * op2 with one rounding. FMSUB, FNMADD and FNMSUB
 * negate op1 and/or the addend before the call (sign bits only, NaNs included), as the
 * instruction pseudocode does.
 */
export function fpMulAdd(addend: u64, op1: u64, op2: u64, N: u32, fpcr: u32): u64 {
  if (hwEligible(fpcr)) { const r = hwMulAdd(addend, op1, op2, N); if (hwDone) return r; }
  const tA = fpUnpack(addend, N, fpcr); const sA = uSign, eA = uExp, mA = uMant;
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign, e1 = uExp, m1 = uMant;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign, e2 = uExp, m2 = uMant;
  const inf1 = t1 == T_INF, inf2 = t2 == T_INF, zero1 = t1 == T_ZERO, zero2 = t2 == T_ZERO;
  if (isNaNType(tA) || isNaNType(t1) || isNaNType(t2)) {
    const r = fpProcessNaNs3(tA, t1, t2, addend, op1, op2, N, fpcr);
    // A quiet NaN addend does not hide the Invalid Operation of infinity * zero.
    if (tA == T_QNAN && ((inf1 && zero2) || (zero1 && inf2))) { fpException(IOC); return fpDefaultNaN(N); }
    return r;
  }
  const infA = tA == T_INF, zeroA = tA == T_ZERO;
  const sP = s1 ^ s2, infP = inf1 || inf2, zeroP = zero1 || zero2;
  if ((inf1 && zero2) || (zero1 && inf2) || (infA && infP && sA != sP)) {
    fpException(IOC); return fpDefaultNaN(N);
  }
  if ((infA && sA == 0) || (infP && sP == 0)) return fpInfinity(0, N);
  if ((infA && sA == 1) || (infP && sP == 1)) return fpInfinity(1, N);
  if (zeroA && zeroP && sA == sP) return fpZero(sA, N);
  return fusedSum(sA, eA, mA, sP, e1, m1, e2, m2, 0, N, fpcr, fpRoundingMode(fpcr));
}

/**
 * FPRecipStepFused (FRECPS): 2.0 - op1 * op2, fused; infinity * zero gives 2.0.
 * With rsqrt, FPRSqrtStepFused (FRSQRTS): (3.0 - op1 * op2) / 2, one rounding; inf * 0 gives 1.5.
 */
export function fpStepFused(op1in: u64, op2: u64, N: u32, fpcr: u32, rsqrt: bool): u64 {
  const op1 = op1in ^ signBit(N); // FPNeg(op1), before NaN processing
  const t1 = fpUnpack(op1, N, fpcr); const s1 = uSign, e1 = uExp, m1 = uMant;
  const t2 = fpUnpack(op2, N, fpcr); const s2 = uSign, e2 = uExp, m2 = uMant;
  if (isNaNType(t1) || isNaNType(t2)) return fpProcessNaNs(t1, t2, op1, op2, N, fpcr);
  const inf1 = t1 == T_INF, inf2 = t2 == T_INF, zero1 = t1 == T_ZERO, zero2 = t2 == T_ZERO;
  if ((inf1 && zero2) || (zero1 && inf2)) {
    return rsqrt ? fpPow2(0, 0, N) | (<u64>1 << (N == 64 ? 51 : 22)) : fpPow2(0, 1, N);
  }
  if (inf1 || inf2) return fpInfinity(s1 ^ s2, N);
  // 2.0 = 2^63/2^63 * 2^1; 3.0 = 1.5 * 2^1
  const mC: u64 = rsqrt ? <u64>0xc000000000000000 : <u64>1 << 63;
  return fusedSum(0, 1, mC, s1 ^ s2, e1, m1, e2, m2, rsqrt ? -1 : 0, N, fpcr, fpRoundingMode(fpcr));
}
