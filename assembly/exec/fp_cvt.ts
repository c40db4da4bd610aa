// Conversions between floating-point and integer (C4.1.102: FCVT{N,P,M,Z,A}{S,U}, SCVTF, UCVTF)
// and between floating-point and fixed-point (C4.1.101: FCVTZS, FCVTZU, SCVTF, UCVTF with
// #fbits). sf (bit 31) selects a 32- or 64-bit general register.
import { recWord, recD, recN, recImm, recImm2, setImm, setImm2, nextPC } from '../cpu';
import { vRead64, vWriteScalar } from '../fp/vreg';
import { fpcrValue, fpRoundingMode, RM_TIEEVEN, RM_POSINF, RM_NEGINF, RM_ZERO, RM_TIEAWAY } from '../fp/fpcr';
import { fpToFixed, fixedToFP } from '../fp/convert';
import { fpSize } from './fp_common';

// @ts-ignore: decorator
@inline function intSize(w: u32): u32 { return (w >> 31) != 0 ? 64 : 32; }

/**
 * FCVT*{S,U} to integer: imm = FPRounding from rmode (bits 20:19) or, for FCVTA*, TIEAWAY
 * (opcode<2> = 1); imm2 = fbits (0 here).
 */
export function pre_fcvt_int(w: u32, rec: usize): bool {
  const rmode = (w >> 19) & 3;
  const opc2 = (w >> 18) & 1;
  let r: u32;
  if (opc2 != 0) r = RM_TIEAWAY;
  else r = rmode == 0 ? RM_TIEEVEN : rmode == 1 ? RM_POSINF : rmode == 2 ? RM_NEGINF : RM_ZERO;
  setImm(rec, r);
  setImm2(rec, 0);
  return true;
}

/** The fixed-point forms: fbits = 64 - scale; a 32-bit form needs scale >= 32. */
export function pre_fixed(w: u32, rec: usize): bool {
  const scale = (w >> 10) & 63;
  if ((w >> 31) == 0 && scale < 32) return false;
  setImm(rec, RM_ZERO); // FCVTZ*; SCVTF/UCVTF use FPCR's rounding
  setImm2(rec, 64 - scale);
  return true;
}

/** FP -> integer or fixed point; bit 16 (opcode<0>) selects unsigned. */
export function exec_FCVT_to_int(rec: usize): void {
  const w = recWord(rec);
  const M = intSize(w);
  const r = fpToFixed(vRead64(recN(rec)), fpSize(rec), <u32>recImm2(rec), ((w >> 16) & 1) != 0, M,
    fpcrValue(), <u32>recImm(rec));
  store<u64>(recD(rec), r);
  nextPC();
}

/** Integer or fixed point -> FP (SCVTF, UCVTF), rounded as FPCR says; bit 16 = unsigned. */
export function exec_CVTF(rec: usize): void {
  const w = recWord(rec);
  const N = fpSize(rec);
  const fpcr = fpcrValue();
  const r = fixedToFP(load<u64>(recN(rec)), intSize(w), <u32>recImm2(rec), ((w >> 16) & 1) != 0, N,
    fpcr, fpRoundingMode(fpcr));
  vWriteScalar(recD(rec), r, N >> 3);
  nextPC();
}

/** SCVTF/UCVTF (integer): fbits 0. */
export function pre_cvtf_int(w: u32, rec: usize): bool { setImm2(rec, 0); return true; }
