// Advanced SIMD modified immediate (C4.1.91; C7.2 MOVI, MVNI, ORR (vector, immediate), BIC
// (vector, immediate), FMOV (vector, immediate) single and double precision).
//
// The decode step expands the immediate (AdvSIMDExpandImm, J1.2) once: imm = the 64-bit pattern
// (already inverted for MVNI and BIC), imm2 = the operation (IMM_MOV, IMM_ORR, IMM_AND).
import { recWord, recD, recImm, recImm2, setImm, setImm2, nextPC } from '../cpu';

const IMM_MOV: u32 = 0; // MOVI, MVNI, FMOV: Vd = imm
const IMM_ORR: u32 = 1; // ORR: Vd |= imm
const IMM_AND: u32 = 2; // BIC: Vd &= ~imm (imm holds ~imm)

/** Replicates the low 32 (16) bits of x over 64. */
// @ts-ignore: decorator
@inline function rep32(x: u64): u64 { return (x & 0xffffffff) * 0x0000000100000001; }
// @ts-ignore: decorator
@inline function rep16(x: u64): u64 { return (x & 0xffff) * 0x0001000100010001; }

/**
 * AdvSIMDExpandImm(op, cmode, imm8) and the operation; false for the unallocated encodings
 * (FMOV .2d with Q = 0, i.e. op = 1, cmode = 1111, Q = 0).
 */
export function pre_vmodimm(w: u32, rec: usize): bool {
  const q = (w >> 30) & 1;
  const op = (w >> 29) & 1;
  const cmode = (w >> 12) & 15;
  const imm8: u64 = <u64>((((w >> 16) & 7) << 5) | ((w >> 5) & 31));
  let imm: u64 = 0;
  let kind = IMM_MOV;
  switch (cmode >> 1) {
    case 0: case 1: case 2: case 3: // 32-bit shifted immediate: MOVI/MVNI (cmode<0> = 0), ORR/BIC
      imm = rep32(imm8 << (8 * (cmode >> 1)));
      if (cmode & 1) kind = op ? IMM_AND : IMM_ORR;
      break;
    case 4: case 5: // 16-bit shifted immediate
      imm = rep16(imm8 << (8 * ((cmode >> 1) & 1)));
      if (cmode & 1) kind = op ? IMM_AND : IMM_ORR;
      break;
    case 6: // 32-bit shifting ones (MSL #8 / #16)
      imm = rep32((cmode & 1) == 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff);
      break;
    default: // 7
      if ((cmode & 1) == 0) {
        if (op == 0) { imm = imm8 * 0x0101010101010101; break; } // MOVI 8-bit
        // MOVI 64-bit: each bit of imm8 becomes a byte.
        for (let i: u32 = 0; i < 8; i++) if ((imm8 >> i) & 1) imm |= <u64>0xff << (8 * i);
        break;
      }
      if (op == 0) {
        // FMOV single: imm8<7>:NOT(imm8<6>):Replicate(imm8<6>,5):imm8<5:0>:Zeros(19)
        const b6 = (imm8 >> 6) & 1;
        const s: u64 = ((imm8 >> 7) << 31) | ((b6 ^ 1) << 30) | ((b6 * 0x1f) << 25) | ((imm8 & 0x3f) << 19);
        imm = rep32(s);
      } else {
        if (q == 0) return false;
        const b6 = (imm8 >> 6) & 1;
        imm = ((imm8 >> 7) << 63) | ((b6 ^ 1) << 62) | ((b6 * 0xff) << 54) | ((imm8 & 0x3f) << 48);
      }
  }
  // MVNI (op = 1 with the MOVI forms of cmode 0xx0, 10x0, 110x) inverts; BIC stores ~imm.
  if (op == 1 && cmode < 14 && kind != IMM_ORR) imm = ~imm;
  setImm(rec, imm);
  setImm2(rec, <u64>kind);
  return true;
}

export function exec_VMODIMM(rec: usize): void {
  const q = (recWord(rec) >> 30) & 1;
  const vd = recD(rec);
  const imm = recImm(rec);
  const kind = <u32>recImm2(rec);
  let lo = imm;
  let hi = imm;
  if (kind == IMM_ORR) { lo |= load<u64>(vd); hi |= load<u64>(vd, 8); }
  else if (kind == IMM_AND) { lo &= load<u64>(vd); hi &= load<u64>(vd, 8); }
  store<u64>(vd, lo);
  store<u64>(vd, q != 0 ? hi : 0, 8);
  nextPC();
}
