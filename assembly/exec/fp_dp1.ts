// Floating-point data-processing (1 source), C4.1.96 / C7.2: FMOV (register), FABS, FNEG, FSQRT,
// FCVT between half, single and double, and FRINT{N,P,M,Z,A,X,I}; and the Advanced SIMD scalar
// one-source estimates FRECPE, FRSQRTE and FRECPX (C7.2).
import { recD, recN, setImm, setImm2, recImm, recImm2, nextPC } from '../cpu';
import { vRead64, vWriteScalar } from '../fp/vreg';
import { fpcrValue, fpRoundingMode, RM_TIEEVEN, RM_POSINF, RM_NEGINF, RM_ZERO, RM_TIEAWAY } from '../fp/fpcr';
import { fpNeg, fpAbs } from '../fp/compare';
import { fpSqrt } from '../fp/arith';
import { fpConvert, fpRoundInt } from '../fp/convert';
import { fpRecipEstimate, fpRSqrtEstimate, fpRecpX } from '../fp/estimate';
import { fpSize } from './fp_common';

export function exec_FMOV_reg(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), vRead64(recN(rec)), N >> 3);
  nextPC();
}
export function exec_FABS(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), fpAbs(vRead64(recN(rec)), N), N >> 3);
  nextPC();
}
export function exec_FNEG(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), fpNeg(vRead64(recN(rec)), N), N >> 3);
  nextPC();
}
export function exec_FSQRT(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), fpSqrt(vRead64(recN(rec)), N, fpcrValue()), N >> 3);
  nextPC();
}

/** ftype/opc 00 single, 01 double, 11 half (10 is reserved). */
// @ts-ignore: decorator
@inline function precBits(t: u32): u32 { return t == 0 ? 32 : t == 1 ? 64 : 16; }

/** FCVT: imm = source size, imm2 = destination size. Equal or reserved types are UNDEFINED. */
export function pre_fcvt(w: u32, rec: usize): bool {
  const ftype = (w >> 22) & 3, opc = (w >> 15) & 3;
  if (ftype == 2 || opc == 2 || ftype == opc) return false;
  setImm(rec, precBits(ftype));
  setImm2(rec, precBits(opc));
  return true;
}
export function exec_FCVT(rec: usize): void {
  const N = <u32>recImm(rec), M = <u32>recImm2(rec);
  const fpcr = fpcrValue();
  vWriteScalar(recD(rec), fpConvert(vRead64(recN(rec)), N, M, fpcr, fpRoundingMode(fpcr)), M >> 3);
  nextPC();
}

/** FRINT*: rmode (bits 17:15) gives the rounding: imm = FPRounding (8 = FPCR's), imm2 = exact. */
export function pre_frint(w: u32, rec: usize): bool {
  const rmode = (w >> 15) & 7;
  let r: u32;
  switch (rmode) {
    case 0: r = RM_TIEEVEN; break; // N
    case 1: r = RM_POSINF; break; // P
    case 2: r = RM_NEGINF; break; // M
    case 3: r = RM_ZERO; break; // Z
    case 4: r = RM_TIEAWAY; break; // A
    case 6: r = 8; break; // X: FPCR, exact
    case 7: r = 8; break; // I: FPCR
    default: return false;
  }
  setImm(rec, r);
  setImm2(rec, rmode == 6 ? 1 : 0);
  return true;
}
export function exec_FRINT(rec: usize): void {
  const N = fpSize(rec);
  const fpcr = fpcrValue();
  let rm = <u32>recImm(rec);
  if (rm == 8) rm = fpRoundingMode(fpcr);
  vWriteScalar(recD(rec), fpRoundInt(vRead64(recN(rec)), N, fpcr, rm, recImm2(rec) != 0), N >> 3);
  nextPC();
}

export function exec_FRECPE_scalar(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), fpRecipEstimate(vRead64(recN(rec)), N, fpcrValue()), N >> 3);
  nextPC();
}
export function exec_FRSQRTE_scalar(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), fpRSqrtEstimate(vRead64(recN(rec)), N, fpcrValue()), N >> 3);
  nextPC();
}
export function exec_FRECPX(rec: usize): void {
  const N = fpSize(rec);
  vWriteScalar(recD(rec), fpRecpX(vRead64(recN(rec)), N, fpcrValue()), N >> 3);
  nextPC();
}


