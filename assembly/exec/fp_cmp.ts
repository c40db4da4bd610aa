// Floating-point compare (C4.1.94: FCMP, FCMPE, with a register or #0.0), conditional compare
// (C4.1.95: FCCMP, FCCMPE) and conditional select (C4.1.97: FCSEL).
import { recWord, recD, recN, recM, nextPC, conditionHolds, setNZCV } from '../cpu';
import { vRead64, vWriteScalar } from '../fp/vreg';
import { fpcrValue } from '../fp/fpcr';
import { fpCompare } from '../fp/compare';
import { fpSize } from './fp_common';

/** FCMP/FCMPE: bit 4 (opc<1>) signals on quiet NaNs, bit 3 (opc<0>) compares with +0.0. */
export function exec_FCMP(rec: usize): void {
  const w = recWord(rec);
  const N = fpSize(rec);
  const m: u64 = ((w >> 3) & 1) != 0 ? 0 : vRead64(recM(rec));
  setNZCV(fpCompare(vRead64(recN(rec)), m, N, fpcrValue(), ((w >> 4) & 1) != 0));
  nextPC();
}

/** FCCMP/FCCMPE: the comparison's flags if cond holds, else the nzcv immediate. */
export function exec_FCCMP(rec: usize): void {
  const w = recWord(rec);
  const N = fpSize(rec);
  if (conditionHolds((w >> 12) & 15)) {
    setNZCV(fpCompare(vRead64(recN(rec)), vRead64(recM(rec)), N, fpcrValue(), ((w >> 4) & 1) != 0));
  } else {
    setNZCV((w & 15) << 28);
  }
  nextPC();
}

export function exec_FCSEL(rec: usize): void {
  const w = recWord(rec);
  const N = fpSize(rec);
  const src = conditionHolds((w >> 12) & 15) ? recN(rec) : recM(rec);
  vWriteScalar(recD(rec), vRead64(src), N >> 3);
  nextPC();
}
