// Advanced SIMD permute (ZIP1/2, UZP1/2, TRN1/2), EXT and table lookup (TBL, TBX), C4.1.91.
// Results are built in VRES first: Vd may be one of the sources.
import { recWord, recD, recN, recM, recImm2, setImm2, nextPC } from '../cpu';
import { VRES } from '../layout';
import { eget, eset, writeRes } from '../fp/velem';
import { fastTbl, fastExt } from '../fp/vfast';

/** size = 11 with Q = 0 is reserved; imm2 = size. */
export function pre_vperm(w: u32, rec: usize): bool {
  const size = (w >> 22) & 3;
  if (size == 3 && ((w >> 30) & 1) == 0) return false;
  setImm2(rec, <u64>size);
  return true;
}

/** EXT: with Q = 0, imm4<3> = 1 is reserved. */
export function pre_vext(w: u32, rec: usize): bool {
  return ((w >> 30) & 1) != 0 || ((w >> 14) & 1) == 0;
}

// Permute: opcode (bits 14:12) 001 UZP1, 010 TRN1, 011 ZIP1, 101 UZP2, 110 TRN2, 111 ZIP2.
export function exec_VPERM(rec: usize): void {
  const w = recWord(rec);
  const q = (w >> 30) & 1;
  const size = <u32>recImm2(rec);
  const opcode = (w >> 12) & 7;
  const part = opcode >> 2;
  const n = recN(rec);
  const m = recM(rec);
  const elements: u32 = (8 << q) >> size;
  const half = elements >> 1;
  switch (opcode & 3) {
    case 1: // UZP: even (odd) elements of the concatenation Vm:Vn
      for (let e: u32 = 0; e < elements; e++) {
        const s = e * 2 + part;
        eset(<usize>VRES, e, size, s < elements ? eget(n, s, size) : eget(m, s - elements, size));
      }
      break;
    case 2: // TRN
      for (let p: u32 = 0; p < half; p++) {
        eset(<usize>VRES, p * 2, size, eget(n, p * 2 + part, size));
        eset(<usize>VRES, p * 2 + 1, size, eget(m, p * 2 + part, size));
      }
      break;
    default: // 3: ZIP, from the low (high) halves
      for (let p: u32 = 0; p < half; p++) {
        eset(<usize>VRES, p * 2, size, eget(n, p + part * half, size));
        eset(<usize>VRES, p * 2 + 1, size, eget(m, p + part * half, size));
      }
  }
  writeRes(recD(rec), q);
  nextPC();
}

/** EXT: bytes imm4.. of Vm:Vn (Vn low). */
export function exec_EXT(rec: usize): void {
  const w = recWord(rec);
  const q = (w >> 30) & 1;
  const pos = (w >> 11) & 15;
  const bytes: u32 = 8 << q;
  const n = recN(rec);
  const m = recM(rec);
  if (q != 0 && fastExt(n, m, pos)) { writeRes(recD(rec), q); nextPC(); return; }
  for (let i: u32 = 0; i < bytes; i++) {
    const s = pos + i;
    store<u8>(<usize>VRES + <usize>i, s < bytes ? load<u8>(n + <usize>s) : load<u8>(m + <usize>(s - bytes)));
  }
  writeRes(recD(rec), q);
  nextPC();
}

/**
 * TBL/TBX: each byte of Vm indexes the table Vn, Vn+1, ... (len + 1 registers, numbered modulo
 * 32); an index past the table gives 0 (TBL) or leaves the byte of Vd (TBX).
 */
export function exec_TBL(rec: usize): void {
  const w = recWord(rec);
  const q = (w >> 30) & 1;
  const regs = ((w >> 13) & 3) + 1;
  const tbx = (w >> 12) & 1;
  const n = w >> 5 & 31;
  const m = recM(rec);
  const vd = recD(rec);
  fastTbl(n, regs, tbx != 0, m, vd); // WebAssembly's swizzle: an index past 15 gives 0
  writeRes(vd, q);
  nextPC();
}
