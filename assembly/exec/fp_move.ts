// FMOV (general) (C7.2 "FMOV (general)"): bit-exact moves between a general-purpose register
// and a SIMD&FP register, no floating-point arithmetic and no FPCR/FPSR effect: Wd <-> Sn,
// Xd <-> Dn, and Xd <-> Vn.D[1] (the upper half). The half-precision forms (Wd <-> Hn) need
// FEAT_FP16 and are not in the table. Writing S or D clears the rest of the register; writing
// D[1] keeps the lower half. Compilers use these freely in integer code (moving a scalar into a
// vector register and back), so they come with the Advanced SIMD integer groups.
import { recD, recN, nextPC } from '../cpu';
import { vWriteScalar } from '../fp/vreg';

/** FMOV Wd, Sn / FMOV Xd, Dn. */
export function exec_FMOV_to_gen32(rec: usize): void { store<u64>(recD(rec), <u64>load<u32>(recN(rec))); nextPC(); }
export function exec_FMOV_to_gen64(rec: usize): void { store<u64>(recD(rec), load<u64>(recN(rec))); nextPC(); }
/** FMOV Sd, Wn / FMOV Dd, Xn. */
export function exec_FMOV_from_gen32(rec: usize): void { vWriteScalar(recD(rec), load<u64>(recN(rec)), 4); nextPC(); }
export function exec_FMOV_from_gen64(rec: usize): void { vWriteScalar(recD(rec), load<u64>(recN(rec)), 8); nextPC(); }
/** FMOV Xd, Vn.D[1]. */
export function exec_FMOV_to_gen_top(rec: usize): void { store<u64>(recD(rec), load<u64>(recN(rec), 8)); nextPC(); }
/** FMOV Vd.D[1], Xn: the lower half of Vd is kept. */
export function exec_FMOV_from_gen_top(rec: usize): void { store<u64>(recD(rec), load<u64>(recN(rec)), 8); nextPC(); }
