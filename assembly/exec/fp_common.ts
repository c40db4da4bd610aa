// Helpers shared by the scalar floating-point handlers (fp_*.ts).
import { recWord } from '../cpu';

/** The operand size of a scalar FP instruction: ftype/sz in bit 22, 0 single, 1 double. */
// @ts-ignore: decorator
@inline export function fpSize(rec: usize): u32 { return ((recWord(rec) >> 22) & 1) != 0 ? 64 : 32; }
