// A fast path through wasm's own IEEE 754 arithmetic for FPAdd, FPSub, FPMul, FPDiv and FPSqrt
// in single and double precision. f32/f64 add, subtract, multiply, divide and square root round
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
