// Advanced SIMD integer operations by element (C4.1.91 "Advanced SIMD (scalar) x indexed
// element"; C7.2 MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL, SMLSL, UMLSL, SQDMULL, SQDMLAL, SQDMLSL,
// SQDMULH, SQRDMULH, by element; the SQD* forms also scalar). The floating-point by-element
// forms (FMLA, FMLS, FMUL, FMULX) are not decoded here.
//
// The element comes from Vm[index]: with 16-bit elements Vm is V0-V15 (M is an index bit) and
// index = H:L:M; with 32-bit elements Vm = M:Rm and index = H:L; other sizes are reserved.
// imm2 = op | size << 8 | Q << 10 | scalar << 11 | index << 12 | m << 16, op = U:opcode.
import { recWord, recD, recN, recImm2, setImm2, nextPC } from '../cpu';
import { VRES } from '../layout';
import { eget, eset, emask, sxe, satS, writeRes } from '../fp/velem';
import { vAddr } from '../fp/vreg';
import { same3, sqdmull, sqadd64, sqsub64 } from './simd_int';

// op = U << 4 | opcode
const SMLAL: u32 = 2; const SQDMLAL: u32 = 3; const SMLSL: u32 = 6; const SQDMLSL: u32 = 7; const MUL: u32 = 8;
const SMULL: u32 = 10; const SQDMULL: u32 = 11; const SQDMULH: u32 = 12; const SQRDMULH: u32 = 13;
const MLA: u32 = 16; const UMLAL: u32 = 18; const MLS: u32 = 20; const UMLSL: u32 = 22; const UMULL: u32 = 26;

export function pre_velem(w: u32, rec: usize): bool {
  const op = (((w >> 29) & 1) << 4) | ((w >> 12) & 15);
  const size = (w >> 22) & 3;
  const scalar = (w >> 28) & 1;
  if (size != 1 && size != 2) return false;
  switch (op) {
    case SQDMLAL: case SQDMLSL: case SQDMULL: case SQDMULH: case SQRDMULH: break;
    case SMLAL: case SMLSL: case MUL: case SMULL: case MLA: case UMLAL: case MLS: case UMLSL: case UMULL:
      if (scalar) return false;
      break;
    default: return false;
  }
  const h = (w >> 11) & 1;
  const l = (w >> 21) & 1;
  const mbit = (w >> 20) & 1;
  const rm = (w >> 16) & 15;
  const index: u32 = size == 1 ? (h << 2) | (l << 1) | mbit : (h << 1) | l;
  const m: u32 = size == 1 ? rm : (mbit << 4) | rm;
  setImm2(rec, <u64>(op | (size << 8) | (((w >> 30) & 1) << 10) | (scalar << 11) | (index << 12) | (m << 16)));
  return true;
}

export function exec_VELEM(rec: usize): void {
  const p = <u32>recImm2(rec);
  const op = p & 0xff;
  const size = (p >> 8) & 3;
  const q = (p >> 10) & 1;
  const scalar = (p >> 11) & 1;
  const x = eget(vAddr(p >> 16), (p >> 12) & 7, size);
  const n = recN(rec);
  const vd = recD(rec);
  if (op == MUL || op == MLA || op == MLS || op == SQDMULH || op == SQRDMULH) {
    // Same-size results: the three-same operation with the element as the second operand.
    const op3: u32 = op == MUL ? 19 : op == MLA ? 18 : op == MLS ? 50 : op == SQDMULH ? 22 : 54;
    const elements: u32 = scalar ? 1 : (8 << q) >> size;
    if (scalar) { store<u64>(<usize>VRES, 0); store<u64>(<usize>VRES, 0, 8); }
    for (let e: u32 = 0; e < elements; e++) eset(<usize>VRES, e, size, same3(op3, eget(n, e, size), x, eget(vd, e, size), size));
    writeRes(vd, scalar ? 0 : q);
    nextPC();
    return;
  }
  // Long results (2 * esize) from the lower (upper, for the "2" forms) half of Vn.
  const ws = size + 1;
  const wm = emask(ws);
  const count: u32 = scalar ? 1 : 8 >> size;
  const part: u32 = scalar ? 0 : q * count;
  const unsigned = op >= 16;
  const b: u64 = unsigned ? x : <u64>sxe(x, size);
  for (let e: u32 = 0; e < count; e++) {
    const ea = eget(n, part + e, size);
    const a: u64 = unsigned ? ea : <u64>sxe(ea, size);
    const d = eget(vd, e, ws);
    let r: u64;
    switch (op) {
      case SMLAL: case UMLAL: r = d + a * b; break;
      case SMLSL: case UMLSL: r = d - a * b; break;
      case SMULL: case UMULL: r = a * b; break;
      default: { // SQDMULL, SQDMLAL, SQDMLSL
        const prod = sqdmull(ea, x, size);
        if (op == SQDMULL) r = prod;
        else if (size == 2) r = op == SQDMLAL ? sqadd64(d, prod) : sqsub64(d, prod);
        else r = satS(sxe(d, 2) + (op == SQDMLAL ? sxe(prod, 2) : -sxe(prod, 2)), 2);
      }
    }
    eset(<usize>VRES, e, ws, r & wm);
  }
  store<u64>(vd, load<u64>(<usize>VRES) & (scalar ? wm : 0xffffffffffffffff));
  store<u64>(vd, scalar ? 0 : load<u64>(<usize>VRES, 8), 8);
  nextPC();
}
