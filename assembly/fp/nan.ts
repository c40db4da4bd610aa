// NaN propagation (Arm ARM FPProcessNaN, FPProcessNaNs, FPProcessNaNs3): a signalling NaN
// operand wins over a quiet one, then the first operand over later ones; a signalling NaN is
// quietened (top fraction bit set) and raises Invalid Operation; with FPCR.DN the result is the
// default NaN instead.
import { FPCR_DN, IOC, fpException } from './fpcr';
import { T_QNAN, T_SNAN } from './unpack';
import { fracBits, widthMask, fpDefaultNaN } from './format';

/** FPProcessNaN(type, op, fpcr) for a NaN operand. */
export function fpProcessNaN(t: u32, op: u64, N: u32, fpcr: u32): u64 {
  let r = op & widthMask(N);
  if (t == T_SNAN) {
    r |= <u64>1 << (fracBits(N) - 1);
    fpException(IOC);
  }
  if ((fpcr & FPCR_DN) != 0) r = fpDefaultNaN(N);
  return r;
}

/** FPProcessNaNs for two operands, at least one of which is a NaN. */
export function fpProcessNaNs(t1: u32, t2: u32, op1: u64, op2: u64, N: u32, fpcr: u32): u64 {
  if (t1 == T_SNAN) return fpProcessNaN(t1, op1, N, fpcr);
  if (t2 == T_SNAN) return fpProcessNaN(t2, op2, N, fpcr);
  if (t1 == T_QNAN) return fpProcessNaN(t1, op1, N, fpcr);
  return fpProcessNaN(t2, op2, N, fpcr);
}

/** FPProcessNaNs3 for three operands, at least one of which is a NaN. */
export function fpProcessNaNs3(t1: u32, t2: u32, t3: u32, op1: u64, op2: u64, op3: u64, N: u32, fpcr: u32): u64 {
  if (t1 == T_SNAN) return fpProcessNaN(t1, op1, N, fpcr);
  if (t2 == T_SNAN) return fpProcessNaN(t2, op2, N, fpcr);
  if (t3 == T_SNAN) return fpProcessNaN(t3, op3, N, fpcr);
  if (t1 == T_QNAN) return fpProcessNaN(t1, op1, N, fpcr);
  if (t2 == T_QNAN) return fpProcessNaN(t2, op2, N, fpcr);
  return fpProcessNaN(t3, op3, N, fpcr);
}
