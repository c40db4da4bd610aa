// A fast path through wasm's own IEEE 754 arithmetic for FPAdd, FPSub, FPMul, FPDiv, FPSqrt and
// FPMulAdd in single and double precision. f32/f64 add, subtract, multiply, divide and square root round
// to nearest, ties to even: FPRound's result (Arm ARM J1.1.3, FPRound) under FPCR.RMode = RN and
// FPCR.FZ = 0 whenever the result is finite and normal, or an exact zero. The path is taken only
// when the instruction can raise no flag but IXC and FPSR.IXC is already set (the flags are
// cumulative, so an inexact result then changes nothing and need not be detected):
// - both operands finite: no NaN rules, no invalid operation, no infinity arithmetic;
// - no division by zero and no square root of a negative number;
// - a finite result (no overflow) above the smallest normal in magnitude, so that the exact
//   value was not tiny either (rounding to nearest cannot carry a tiny value past the smallest
//   normal, which is representable): no underflow; or a zero that is exact (a sum or difference
//   of finite values that rounds to zero is zero; a product or quotient with a zero operand).
// Everything else, and half precision, takes the exact path (arith.ts), which returns the same
// result and sets the flags. FPCR.DN and AHP do not matter here (no NaN, no half precision).
import { FPSR } from '../layout';
import { FPCR_FZ, IXC } from './fpcr';

/** FPCR.FZ and FPCR.RMode: the fast path needs both 0. */
const MODE_MASK: u32 = FPCR_FZ | (3 << 22);

/** Set by the hw* functions: true when they returned a result, false when the exact path must run. */
export let hwDone = false;

/** True when the fast path may be tried under this FPCR and the current FPSR. */
// @ts-ignore: decorator
@inline export function hwEligible(fpcr: u32): bool {
  return (fpcr & MODE_MASK) == 0 && (load<u32>(FPSR) & IXC) != 0;
}

// Magnitudes (the encoding without its sign bit): below INF is finite; above MIN_NORMAL (the
// smallest normal's encoding) is normal and not the smallest normal itself.
const MAG64: u64 = 0x7fff_ffff_ffff_ffff;
const INF64: u64 = 0x7ff0_0000_0000_0000;
const MIN_NORMAL64: u64 = 0x0010_0000_0000_0000;
const MAG32: u32 = 0x7fff_ffff;
const INF32: u32 = 0x7f80_0000;
const MIN_NORMAL32: u32 = 0x0080_0000;

// Operation codes for hw().
export const HW_ADD: u32 = 0;
export const HW_SUB: u32 = 1;
export const HW_MUL: u32 = 2;
export const HW_DIV: u32 = 3;
export const HW_SQRT: u32 = 4;

/**
 * op (HW_*) of op1 and op2 (op2 unused for HW_SQRT) at N = 32 or 64 bits, if the fast path
 * applies (hwDone then true); the caller checked hwEligible.
 */
export function hw(op: u32, op1: u64, op2: u64, N: u32): u64 {
  hwDone = false;
  if (N == 64) return hwAt<f64, u64>(op, op1, op2, MAG64, INF64, MIN_NORMAL64);
  if (N == 32) return <u64>hwAt<f32, u32>(op, <u32>op1, <u32>op2, MAG32, INF32, MIN_NORMAL32);
  return 0;
}

/** hw() in format F (f32 or f64) with encodings U; MAG, INF and MIN_NORMAL as above. */
// @ts-ignore: decorator
@inline function hwAt<F, U>(op: u32, w1: U, w2: U, MAG: U, INF: U, MIN_NORMAL: U): U {
  const m1 = w1 & MAG, m2 = w2 & MAG;
  if (m1 >= INF || m2 >= INF) return <U>0;
  const a = reinterpret<F>(w1), b = reinterpret<F>(w2);
  let r: F;
  switch (op) {
    case HW_ADD: r = a + b; break;
    case HW_SUB: r = a - b; break;
    case HW_MUL: r = a * b; break;
    case HW_DIV: if (m2 == 0) return <U>0; r = a / b; break;
    default: if (w1 != m1 && m1 != 0) return <U>0; r = sqrt<F>(a); // not of a negative number
  }
  const bits = reinterpret<U>(r);
  const m = bits & MAG;
  if (m >= INF || (m <= MIN_NORMAL && !(m == 0 && exactZero(op, m1 == 0, m2 == 0)))) return <U>0;
  hwDone = true;
  return bits;
}

/** True when a zero result of op is exact (so neither tiny nor inexact). */
// @ts-ignore: decorator
@inline function exactZero(op: u32, zero1: bool, zero2: bool): bool {
  // A sum or difference of finite values is a multiple of the smallest subnormal: a non-zero
  // exact value rounds to a non-zero result. A product or quotient is zero only exactly when an
  // operand is (op2 is never zero in a division here); a square root only of a zero.
  return op <= HW_SUB || zero1 || (op == HW_MUL && zero2);
}

// ---- FPMulAdd: addend + op1 * op2, one rounding ----
// Wasm has no fused multiply-add, so the exact value is carried in pairs of doubles and rounded
// once through rounding to odd (Boldo and Melquiond, "Emulation of a FMA and correctly rounded
// sums: proved algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008): rounding
// a value to odd in a format of p + 2 or more bits and then to nearest in p bits is rounding it
// to nearest once; and for double, with op1 * op2 = uh + ul exactly (Dekker's product) and
// addend + uh = th + tl exactly (Knuth's two-sum), RN(th + RO(tl + ul)) is the fused result.
// Both hold without underflow, which the operand ranges below rule out.

/** Biased exponents the double path takes: |x| in [2^-400, 2^401), so nothing over- or underflows. */
const E64_LO: u64 = 1023 - 400;
const E64_HI: u64 = 1023 + 400;
/** Veltkamp's splitting constant for 53-bit significands: 2^27 + 1. */
const SPLIT: f64 = 134217729.0;

/** x rounded to odd, given x's round-to-nearest value r and the exact rest err (x = r + err). */
// @ts-ignore: decorator
@inline function toOdd(r: f64, err: f64): f64 {
  const bits = reinterpret<u64>(r);
  if (err == 0 || (bits & 1) != 0) return r;
  // r is even and x lies beyond it, towards err: the odd neighbour on that side.
  return reinterpret<f64>((err > 0) == (r > 0) ? bits + 1 : bits - 1);
}

/** The exact rest of a + b beside its rounded sum s (Knuth's two-sum). */
// @ts-ignore: decorator
@inline function sumError(a: f64, b: f64, s: f64): f64 {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/**
 * FPMulAdd(addend, op1, op2) if the fast path applies (hwDone then true): operands finite and
 * not zero (and, in double precision, of magnitude between 2^-400 and 2^401), the result normal.
 */
export function hwMulAdd(addend: u64, op1: u64, op2: u64, N: u32): u64 {
  hwDone = false;
  if (N == 64) {
    const eA = (addend >> 52) & 0x7ff, e1 = (op1 >> 52) & 0x7ff, e2 = (op2 >> 52) & 0x7ff;
    if (eA < E64_LO || eA > E64_HI || e1 < E64_LO || e1 > E64_HI || e2 < E64_LO || e2 > E64_HI) return 0;
    const c = reinterpret<f64>(addend), a = reinterpret<f64>(op1), b = reinterpret<f64>(op2);
    // Dekker: a * b = uh + ul exactly.
    const uh = a * b;
    const ta = SPLIT * a, ah = ta - (ta - a), al = a - ah;
    const tb = SPLIT * b, bh = tb - (tb - b), bl = b - bh;
    const ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl;
    const th = c + uh;
    const tl = sumError(c, uh, th);
    const v = tl + ul;
    const r = th + toOdd(v, sumError(tl, ul, v));
    const m = reinterpret<u64>(r) & MAG64;
    if (m >= INF64 || m <= MIN_NORMAL64) return 0;
    hwDone = true;
    return reinterpret<u64>(r);
  }
  if (N != 32) return 0;
  const wA = <u32>addend, w1 = <u32>op1, w2 = <u32>op2;
  const fA = (wA >> 23) & 0xff, f1 = (w1 >> 23) & 0xff, f2 = (w2 >> 23) & 0xff;
  if (fA == 0 || fA == 0xff || f1 == 0 || f1 == 0xff || f2 == 0 || f2 == 0xff) return 0;
  // In double precision the product of two singles is exact, and the sum then rounds to odd
  // (53 bits >= 24 + 2) before its one rounding to single.
  const c = <f64>reinterpret<f32>(wA), p = <f64>reinterpret<f32>(w1) * <f64>reinterpret<f32>(w2);
  const s = p + c;
  const r = <f32>toOdd(s, sumError(p, c, s));
  const m = reinterpret<u32>(r) & MAG32;
  if (m >= INF32 || m <= MIN_NORMAL32) return 0;
  hwDone = true;
  return <u64>reinterpret<u32>(r);
}
