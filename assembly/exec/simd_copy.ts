// Advanced SIMD copy (C4.1.91; C7.2 DUP (element), DUP (general), INS (element), INS (general),
// SMOV, UMOV) and the scalar DUP (element) (also written MOV Vd, Vn.T[i]).
//
// imm5 names the element size (its lowest set bit) and the index (the bits above it). The decode
// step checks the reserved forms and stores size | index << 4 (| index2 << 8 for INS (element))
// in imm2.
import { recWord, recD, recN, recImm2, setImm2, nextPC } from '../cpu';
import { VRES } from '../layout';
import { eget, eset, sxe, writeRes } from '../fp/velem';

/** LowestSetBit(imm5) for imm5<3:0> != 0, else 4 (reserved). */
// @ts-ignore: decorator
@inline function imm5Size(imm5: u32): u32 { return imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : imm5 & 8 ? 3 : 4; }

/**
 * Kinds (the encoding's imm4 / op / Q): DUP element and general (size 3 needs Q = 1), SMOV (to W:
 * B, H; to X: B, H, S), UMOV (to W: B, H, S; to X: D), INS general and element, scalar DUP.
 */
export function pre_vcopy(w: u32, rec: usize): bool {
  const q = (w >> 30) & 1;
  const op = (w >> 29) & 1;
  const imm5 = (w >> 16) & 31;
  const imm4 = (w >> 11) & 15;
  const scalar = (w >> 28) & 1;
  const size = imm5Size(imm5);
  if (size > 3) return false;
  const index = imm5 >> (size + 1);
  if (scalar) { setImm2(rec, <u64>(size | (index << 4))); return true; } // DUP (element, scalar)
  if (op == 1) { // INS (element): imm4 holds the source index
    setImm2(rec, <u64>(size | (index << 4) | ((imm4 >> size) << 8)));
    return true;
  }
  switch (imm4) {
    case 0: case 1: if (size == 3 && q == 0) return false; break; // DUP element / general
    case 5: if (size >= 2 + q) return false; break; // SMOV: W from B/H, X from B/H/S
    case 7: if (q == 0 ? size == 3 : size != 3) return false; break; // UMOV
    default: break; // INS (general): any size
  }
  setImm2(rec, <u64>(size | (index << 4)));
  return true;
}

/** Replicate the element x of size over the 16 bytes of VRES. */
// @ts-ignore: decorator
@inline function dupRes(x: u64, size: u32): void {
  let r: u64 = x;
  if (size == 0) r = (x & 0xff) * 0x0101010101010101;
  else if (size == 1) r = (x & 0xffff) * 0x0001000100010001;
  else if (size == 2) r = (x & 0xffffffff) * 0x0000000100000001;
  store<u64>(<usize>VRES, r);
  store<u64>(<usize>VRES, r, 8);
}

export function exec_DUP_elem(rec: usize): void {
  const p = <u32>recImm2(rec);
  dupRes(eget(recN(rec), p >> 4, p & 15), p & 15);
  writeRes(recD(rec), (recWord(rec) >> 30) & 1);
  nextPC();
}

export function exec_DUP_gen(rec: usize): void {
  const p = <u32>recImm2(rec);
  dupRes(load<u64>(recN(rec)), p & 15);
  writeRes(recD(rec), (recWord(rec) >> 30) & 1);
  nextPC();
}

/** DUP (element, scalar): Vd = Vn.T[index], the rest of Vd cleared. */
export function exec_DUP_scalar(rec: usize): void {
  const p = <u32>recImm2(rec);
  const x = eget(recN(rec), p >> 4, p & 15);
  const vd = recD(rec);
  store<u64>(vd, 0);
  store<u64>(vd, 0, 8);
  eset(vd, 0, p & 15, x);
  nextPC();
}

export function exec_SMOV(rec: usize): void {
  const p = <u32>recImm2(rec);
  const x = <u64>sxe(eget(recN(rec), p >> 4, p & 15), p & 15);
  store<u64>(recD(rec), (recWord(rec) >> 30) & 1 ? x : x & 0xffffffff);
  nextPC();
}

export function exec_UMOV(rec: usize): void {
  const p = <u32>recImm2(rec);
  store<u64>(recD(rec), eget(recN(rec), p >> 4, p & 15));
  nextPC();
}

/** INS (general): one element of Vd from Rn; the other elements keep their values. */
export function exec_INS_gen(rec: usize): void {
  const p = <u32>recImm2(rec);
  eset(recD(rec), p >> 4, p & 15, load<u64>(recN(rec)));
  nextPC();
}

export function exec_INS_elem(rec: usize): void {
  const p = <u32>recImm2(rec);
  const size = p & 15;
  eset(recD(rec), (p >> 4) & 15, size, eget(recN(rec), p >> 8, size));
  nextPC();
}
