// FMOV (general): moves between general registers and SIMD&FP registers, including the upper
// 64 bits of a 128-bit register (C7.2 FMOV (general)); FMOV (scalar, immediate) (C4.1.100).
import { recWord, recD, recN, nextPC } from '../cpu';
import { vRead64, vReadHi, vWriteScalar } from '../fp/vreg';

/** FMOV Wd, Sn */
export function exec_FMOV_w_s(rec: usize): void { store<u64>(recD(rec), vRead64(recN(rec)) & 0xffffffff); nextPC(); }
/** FMOV Sd, Wn */
export function exec_FMOV_s_w(rec: usize): void { vWriteScalar(recD(rec), load<u64>(recN(rec)), 4); nextPC(); }
/** FMOV Xd, Dn */
export function exec_FMOV_x_d(rec: usize): void { store<u64>(recD(rec), vRead64(recN(rec))); nextPC(); }
/** FMOV Dd, Xn */
export function exec_FMOV_d_x(rec: usize): void { vWriteScalar(recD(rec), load<u64>(recN(rec)), 8); nextPC(); }
/** FMOV Xd, Vn.D[1] */
export function exec_FMOV_x_v1(rec: usize): void { store<u64>(recD(rec), vReadHi(recN(rec))); nextPC(); }
/** FMOV Vd.D[1], Xn: writes only the upper half; the lower half is kept. */
export function exec_FMOV_v1_x(rec: usize): void { store<u64>(recD(rec), load<u64>(recN(rec)), 8); nextPC(); }

/**
 * FMOV (scalar, immediate): VFPExpandImm(imm8) (Arm ARM shared pseudocode): sign imm8<7>,
 * exponent NOT(imm8<6>):Replicate(imm8<6>, E-3):imm8<5:4>, fraction imm8<3:0>:Zeros(F-4).
 */
export function exec_FMOV_imm(rec: usize): void {
  const w = recWord(rec);
  const imm8 = (w >> 13) & 0xff;
  const sign = <u64>(imm8 >> 7);
  const b6 = (imm8 >> 6) & 1;
  const low2 = <u64>((imm8 >> 4) & 3);
  const frac = <u64>(imm8 & 15);
  if (((w >> 22) & 1) != 0) {
    const exp: u64 = (<u64>(b6 ^ 1) << 10) | (b6 != 0 ? <u64>0xff << 2 : 0) | low2;
    vWriteScalar(recD(rec), (sign << 63) | (exp << 52) | (frac << 48), 8);
  } else {
    const exp: u64 = (<u64>(b6 ^ 1) << 7) | (b6 != 0 ? <u64>0x1f << 2 : 0) | low2;
    vWriteScalar(recD(rec), (sign << 31) | (exp << 23) | (frac << 19), 4);
  }
  nextPC();
}
