// Element operations of the Advanced SIMD floating-point instructions, selected by a key built
// from the encoding: U (bit 29) << 6 | a/size<1> (bit 23) << 5 | opcode (bits 15:11 or 16:12).
// The vector, scalar, pairwise, across-lanes and by-element handlers (exec/simd_fp.ts) all
// evaluate elements through these, so every form shares the scalar core's arithmetic.
import { RM_TIEEVEN, RM_POSINF, RM_NEGINF, RM_ZERO, RM_TIEAWAY, fpRoundingMode } from './fpcr';
import { fpAddSub, fpMul, fpDiv, fpSqrt, fpMulAdd, fpStepFused } from './arith';
import { fpCompare, fpMaxMin, fpMaxMinNum, fpNeg, fpAbs } from './compare';
import { fpRoundInt, fpToFixed, fixedToFP } from './convert';
import { fpRecipEstimate, fpRSqrtEstimate, fpRecpX, recipEstimate, recipSqrtEstimate } from './estimate';
import { widthMask } from './format';

// Three-same keys (C4.1.x "Advanced SIMD three same", the FP half: opcode 11xxx)
export const K3_FMAXNM: u32 = 0x18, K3_FMLA: u32 = 0x19, K3_FADD: u32 = 0x1a, K3_FMULX: u32 = 0x1b,
  K3_FCMEQ: u32 = 0x1c, K3_FMAX: u32 = 0x1e, K3_FRECPS: u32 = 0x1f,
  K3_FMINNM: u32 = 0x38, K3_FMLS: u32 = 0x39, K3_FSUB: u32 = 0x3a, K3_FMIN: u32 = 0x3e, K3_FRSQRTS: u32 = 0x3f,
  K3_FMAXNMP: u32 = 0x58, K3_FADDP: u32 = 0x5a, K3_FMUL: u32 = 0x5b, K3_FCMGE: u32 = 0x5c, K3_FACGE: u32 = 0x5d,
  K3_FMAXP: u32 = 0x5e, K3_FDIV: u32 = 0x5f,
  K3_FMINNMP: u32 = 0x78, K3_FABD: u32 = 0x7a, K3_FCMGT: u32 = 0x7c, K3_FACGT: u32 = 0x7d, K3_FMINP: u32 = 0x7e;

/** True when the three-same key is defined in Armv8.0 (the others are UNDEFINED). */
export function k3Valid(k: u32): bool {
  switch (k) {
    case K3_FMAXNM: case K3_FMLA: case K3_FADD: case K3_FMULX: case K3_FCMEQ: case K3_FMAX: case K3_FRECPS:
    case K3_FMINNM: case K3_FMLS: case K3_FSUB: case K3_FMIN: case K3_FRSQRTS:
    case K3_FMAXNMP: case K3_FADDP: case K3_FMUL: case K3_FCMGE: case K3_FACGE: case K3_FMAXP: case K3_FDIV:
    case K3_FMINNMP: case K3_FABD: case K3_FCMGT: case K3_FACGT: case K3_FMINP: return true;
    default: return false;
  }
}

/** All ones of the element for a true comparison. */
// @ts-ignore: decorator
@inline function mask(b: bool, N: u32): u64 { return b ? widthMask(N) : 0; }

// NZCV results of fpCompare
const NZCV_EQ: u32 = 0x60000000, NZCV_GT: u32 = 0x20000000;

/** FPCompareEQ: quiet (IOC only for a signalling NaN). */
// @ts-ignore: decorator
@inline export function fpCompareEQ(a: u64, b: u64, N: u32, fpcr: u32): bool { return fpCompare(a, b, N, fpcr, false) == NZCV_EQ; }
/** FPCompareGE: IOC for any NaN. */
// @ts-ignore: decorator
@inline export function fpCompareGE(a: u64, b: u64, N: u32, fpcr: u32): bool {
  const f = fpCompare(a, b, N, fpcr, true);
  return f == NZCV_EQ || f == NZCV_GT;
}
/** FPCompareGT: IOC for any NaN. */
// @ts-ignore: decorator
@inline export function fpCompareGT(a: u64, b: u64, N: u32, fpcr: u32): bool { return fpCompare(a, b, N, fpcr, true) == NZCV_GT; }

/**
 * One element of a three-same (or by-element) operation: a = element of Vn, b = of Vm, acc = of
 * Vd (the accumulator of FMLA/FMLS). Pairwise keys give their element operation.
 */
export function fpElem3(k: u32, a: u64, b: u64, acc: u64, N: u32, fpcr: u32): u64 {
  switch (k) {
    case K3_FMAXNM: case K3_FMAXNMP: return fpMaxMinNum(a, b, N, fpcr, false);
    case K3_FMINNM: case K3_FMINNMP: return fpMaxMinNum(a, b, N, fpcr, true);
    case K3_FMAX: case K3_FMAXP: return fpMaxMin(a, b, N, fpcr, false);
    case K3_FMIN: case K3_FMINP: return fpMaxMin(a, b, N, fpcr, true);
    case K3_FADD: case K3_FADDP: return fpAddSub(a, b, N, fpcr, false);
    case K3_FSUB: return fpAddSub(a, b, N, fpcr, true);
    case K3_FABD: return fpAbs(fpAddSub(a, b, N, fpcr, true), N);
    case K3_FMUL: return fpMul(a, b, N, fpcr);
    case K3_FMULX: return fpMul(a, b, N, fpcr, true);
    case K3_FDIV: return fpDiv(a, b, N, fpcr);
    case K3_FMLA: return fpMulAdd(acc, a, b, N, fpcr);
    case K3_FMLS: return fpMulAdd(acc, fpNeg(a, N), b, N, fpcr);
    case K3_FRECPS: return fpStepFused(a, b, N, fpcr, false);
    case K3_FRSQRTS: return fpStepFused(a, b, N, fpcr, true);
    case K3_FCMEQ: return mask(fpCompareEQ(a, b, N, fpcr), N);
    case K3_FCMGE: return mask(fpCompareGE(a, b, N, fpcr), N);
    case K3_FCMGT: return mask(fpCompareGT(a, b, N, fpcr), N);
    case K3_FACGE: return mask(fpCompareGE(fpAbs(a, N), fpAbs(b, N), N, fpcr), N);
    default: return mask(fpCompareGT(fpAbs(a, N), fpAbs(b, N), N, fpcr), N); // K3_FACGT
  }
}

// Two-register misc keys (C4.1.x "Advanced SIMD two-register miscellaneous", FP part)
export const K2_FRINTN: u32 = 0x18, K2_FRINTM: u32 = 0x19, K2_FCVTNS: u32 = 0x1a, K2_FCVTMS: u32 = 0x1b,
  K2_FCVTAS: u32 = 0x1c, K2_SCVTF: u32 = 0x1d,
  K2_FCMGT0: u32 = 0x2c, K2_FCMEQ0: u32 = 0x2d, K2_FCMLT0: u32 = 0x2e, K2_FABS: u32 = 0x2f, K2_FRINTP: u32 = 0x38,
  K2_FRINTZ: u32 = 0x39, K2_FCVTPS: u32 = 0x3a, K2_FCVTZS: u32 = 0x3b, K2_URECPE: u32 = 0x3c, K2_FRECPE: u32 = 0x3d,
  K2_FRECPX: u32 = 0x3f,
  K2_FRINTA: u32 = 0x58, K2_FRINTX: u32 = 0x59, K2_FCVTNU: u32 = 0x5a, K2_FCVTMU: u32 = 0x5b, K2_FCVTAU: u32 = 0x5c,
  K2_UCVTF: u32 = 0x5d,
  K2_FCMGE0: u32 = 0x6c, K2_FCMLE0: u32 = 0x6d, K2_FNEG: u32 = 0x6f, K2_FRINTI: u32 = 0x79, K2_FCVTPU: u32 = 0x7a,
  K2_FCVTZU: u32 = 0x7b, K2_URSQRTE: u32 = 0x7c, K2_FRSQRTE: u32 = 0x7d, K2_FSQRT: u32 = 0x7f;

/** One element of a two-register misc operation on an N-bit element (fbits for the fixed-point forms). */
export function fpElem2(k: u32, a: u64, N: u32, fpcr: u32, fbits: u32): u64 {
  switch (k) {
    case K2_FRINTN: return fpRoundInt(a, N, fpcr, RM_TIEEVEN, false);
    case K2_FRINTM: return fpRoundInt(a, N, fpcr, RM_NEGINF, false);
    case K2_FRINTP: return fpRoundInt(a, N, fpcr, RM_POSINF, false);
    case K2_FRINTZ: return fpRoundInt(a, N, fpcr, RM_ZERO, false);
    case K2_FRINTA: return fpRoundInt(a, N, fpcr, RM_TIEAWAY, false);
    case K2_FRINTX: return fpRoundInt(a, N, fpcr, fpRoundingMode(fpcr), true);
    case K2_FRINTI: return fpRoundInt(a, N, fpcr, fpRoundingMode(fpcr), false);
    case K2_FCVTNS: return fpToFixed(a, N, fbits, false, N, fpcr, RM_TIEEVEN);
    case K2_FCVTMS: return fpToFixed(a, N, fbits, false, N, fpcr, RM_NEGINF);
    case K2_FCVTAS: return fpToFixed(a, N, fbits, false, N, fpcr, RM_TIEAWAY);
    case K2_FCVTPS: return fpToFixed(a, N, fbits, false, N, fpcr, RM_POSINF);
    case K2_FCVTZS: return fpToFixed(a, N, fbits, false, N, fpcr, RM_ZERO);
    case K2_FCVTNU: return fpToFixed(a, N, fbits, true, N, fpcr, RM_TIEEVEN);
    case K2_FCVTMU: return fpToFixed(a, N, fbits, true, N, fpcr, RM_NEGINF);
    case K2_FCVTAU: return fpToFixed(a, N, fbits, true, N, fpcr, RM_TIEAWAY);
    case K2_FCVTPU: return fpToFixed(a, N, fbits, true, N, fpcr, RM_POSINF);
    case K2_FCVTZU: return fpToFixed(a, N, fbits, true, N, fpcr, RM_ZERO);
    case K2_SCVTF: return fixedToFP(a, N, fbits, false, N, fpcr, fpRoundingMode(fpcr));
    case K2_UCVTF: return fixedToFP(a, N, fbits, true, N, fpcr, fpRoundingMode(fpcr));
    case K2_FCMGT0: return mask(fpCompareGT(a, 0, N, fpcr), N);
    case K2_FCMGE0: return mask(fpCompareGE(a, 0, N, fpcr), N);
    case K2_FCMEQ0: return mask(fpCompareEQ(a, 0, N, fpcr), N);
    case K2_FCMLE0: return mask(fpCompareGE(0, a, N, fpcr), N);
    case K2_FCMLT0: return mask(fpCompareGT(0, a, N, fpcr), N);
    case K2_FABS: return fpAbs(a, N);
    case K2_FNEG: return fpNeg(a, N);
    case K2_FSQRT: return fpSqrt(a, N, fpcr);
    case K2_FRECPE: return fpRecipEstimate(a, N, fpcr);
    case K2_FRSQRTE: return fpRSqrtEstimate(a, N, fpcr);
    case K2_FRECPX: return fpRecpX(a, N, fpcr);
    case K2_URECPE: // UnsignedRecipEstimate: 32-bit elements only
      return (a & 0x80000000) == 0 ? 0xffffffff : <u64>recipEstimate(<u32>(a >> 23) & 0x1ff) << 23;
    default: // K2_URSQRTE
      return (a & 0xc0000000) == 0 ? 0xffffffff : <u64>recipSqrtEstimate(<u32>(a >> 23) & 0x1ff) << 23;
  }
}


