// Loads and stores of SIMD&FP registers (Arm ARM C6.2, C7.2): LDR/STR of B, H, S, D and Q with
// unsigned offset, unscaled (LDUR/STUR), pre- and post-index and register offset; LDR (literal)
// of S, D and Q; LDP/STP/LDNP/STNP of S, D and Q; LD1-LD4/ST1-ST4 (multiple structures, single
// structure) and LD1R-LD4R, without offset or post-indexed by an immediate or by Xm.
//
// Decode record use:
//   single register: imm = byte offset (immediate forms, scaled) or shift (register offset);
//     imm2 = mode (offset/post/pre, as ldst.ts) or the extend option, | log2(access bytes) << 8;
//   literal: imm = PC-relative offset, imm2 = log2(access bytes);
//   pairs: imm = scaled imm7, imm2 = bits 24:23 | log2(element bytes) << 8;
//   structures: imm = the post-index immediate (bytes transferred), imm2 = see pre_vmulti / pre_vsingle.
//
// Faults: every address is translated (and checked) before any register or memory changes, so a
// data abort leaves the destination registers, the base register and memory as they were. A data
// abort from these instructions reports ISV = 0 (syndrome.ts recognises only general-purpose
// register accesses), as the Arm ARM requires for SIMD&FP accesses and QEMU does.
//
// CONSTRAINED UNPREDICTABLE: LDP/LDNP with Vt == Vt2 loads both and writes Vt then Vt2, so the
// higher address's value wins (as ldst.ts does for X registers; QEMU writes in the same order).
import { recWord, recD, recN, recM, recA, recImm, recImm2, setImm, setImm2, getPC, nextPC, sext } from '../cpu';
import { XZR, VMEM_BUF } from '../layout';
import { addrR, addrW, storeDone, regimeNow } from '../memory';
import { spAlignOK, loadSized, storeSized, regOffsetAddress, MODE_OFFSET, MODE_POST, MODE_PRE, PAIR_POST, PAIR_PRE } from './ldst';
import { vAddr, vWriteScalar, vWrite128 } from '../fp/vreg';
import { vmemLoad, vmemStore } from '../fp/vmem';

// Addressing modes: ldst.ts's (imm2 low byte), shared with the X-register forms.

// ---- Decode hooks ----

/** log2 of the access size of a single-register form: size, or 4 (Q) when opc<1> is set. */
// @ts-ignore: decorator
@inline function ldstScale(w: u32): u32 { return ((w >> 23) & 1) != 0 ? 4 : w >> 30; }

/** Unsigned offset: imm12 scaled by the access size. */
export function pre_vldst_uimm(w: u32, rec: usize): bool {
  const scale = ldstScale(w);
  setImm(rec, <u64>((w >> 10) & 0xfff) << scale);
  setImm2(rec, <u64>(MODE_OFFSET | (scale << 8)));
  return true;
}

/** Unscaled, post-index, pre-index: signed imm9, mode in bits 11:10. */
export function pre_vldst_simm(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>((w >> 12) & 0x1ff), 9));
  setImm2(rec, <u64>(((w >> 10) & 3) | (ldstScale(w) << 8)));
  return true;
}

/** Register offset: option<1> == 0 is reserved; S shifts by log2 of the access size. */
export function pre_vldst_reg(w: u32, rec: usize): bool {
  const option = (w >> 13) & 7;
  if ((option & 2) == 0) return false;
  const scale = ldstScale(w);
  setImm(rec, ((w >> 12) & 1) != 0 ? <u64>scale : 0);
  setImm2(rec, <u64>(option | (scale << 8)));
  return true;
}

/** LDR (literal, SIMD&FP): opc 00 S, 01 D, 10 Q (11 is not in the table). */
export function pre_vlit(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>((w >> 5) & 0x7ffff) << 2, 21));
  setImm2(rec, <u64>(2 + (w >> 30)));
  return true;
}

/** Pairs: opc 00 S, 01 D, 10 Q; imm7 scaled by the element size; mode in bits 24:23. */
export function pre_vpair(w: u32, rec: usize): bool {
  const scale: u32 = 2 + (w >> 30);
  setImm(rec, sext(<u64>((w >> 15) & 0x7f), 7) << scale);
  setImm2(rec, <u64>(((w >> 23) & 3) | (scale << 8)));
  return true;
}

// Multiple structures, by opcode (bits 15:12): rpt (registers per structure element) and selem
// (elements per structure); 0 = unallocated.
// opcode: 0000 LD4, 0010 LD1 x4, 0100 LD3, 0110 LD1 x3, 0111 LD1 x1, 1000 LD2, 1010 LD1 x2.
/**
 * imm = bytes transferred (the post-index immediate); imm2 = rpt | selem << 4 | size << 8 | Q << 12.
 * size = 11 with Q = 0 and more than one element per structure is reserved (UNDEFINED).
 */
export function pre_vmulti(w: u32, rec: usize): bool {
  const opcode = (w >> 12) & 15;
  const size = (w >> 10) & 3;
  const q = (w >> 30) & 1;
  let rpt: u32 = 0;
  let selem: u32 = 0;
  switch (opcode) {
    case 0: rpt = 1; selem = 4; break;
    case 2: rpt = 4; selem = 1; break;
    case 4: rpt = 1; selem = 3; break;
    case 6: rpt = 3; selem = 1; break;
    case 7: rpt = 1; selem = 1; break;
    case 8: rpt = 1; selem = 2; break;
    case 10: rpt = 2; selem = 1; break;
    default: return false;
  }
  if (size == 3 && q == 0 && selem != 1) return false;
  setImm(rec, <u64>(rpt * selem * (8 << q)));
  setImm2(rec, <u64>(rpt | (selem << 4) | (size << 8) | (q << 12)));
  return true;
}

/**
 * Single structure and replicate (LDnR). imm = bytes transferred; imm2 = selem | scale << 4 |
 * index << 8 | replicate << 12 | Q << 13. Reserved size/S combinations, and LDnR's store and
 * S = 1 forms, are UNDEFINED.
 */
export function pre_vsingle(w: u32, rec: usize): bool {
  const q = (w >> 30) & 1;
  const isLoad = (w >> 22) & 1;
  const r = (w >> 21) & 1;
  const opcode = (w >> 13) & 7;
  const s = (w >> 12) & 1;
  const size = (w >> 10) & 3;
  let scale = opcode >> 1;
  const selem = (((opcode & 1) << 1) | r) + 1;
  let replicate: u32 = 0;
  let index: u32 = 0;
  switch (scale) {
    case 3:
      if (isLoad == 0 || s != 0) return false;
      scale = size;
      replicate = 1;
      break;
    case 0:
      index = (q << 3) | (s << 2) | size;
      break;
    case 1:
      if ((size & 1) != 0) return false;
      index = (q << 2) | (s << 1) | (size >> 1);
      break;
    default: // 2
      if ((size & 2) != 0) return false;
      if ((size & 1) == 0) {
        index = (q << 1) | s;
      } else {
        if (s != 0) return false;
        index = q;
        scale = 3;
      }
  }
  setImm(rec, <u64>(selem << scale));
  setImm2(rec, <u64>(selem | (scale << 4) | (index << 8) | (replicate << 12) | (q << 13)));
  return true;
}

// ---- Single register ----

// @ts-ignore: decorator
@inline function loadToV(vd: usize, h: usize, scale: u32): void {
  if (scale == 4) vWrite128(vd, load<u64>(h), load<u64>(h, 8));
  else vWriteScalar(vd, loadSized(h, 1 << scale), 1 << scale);
}

/** Stores the low 2^scale bytes of V at h (and completes a page-crossing store). */
// @ts-ignore: decorator
@inline function storeFromV(h: usize, vd: usize, scale: u32): void {
  if (scale == 4) { store<u64>(h, load<u64>(vd)); store<u64>(h, load<u64>(vd, 8), 8); }
  else storeSized(h, loadSized(vd, 1 << scale), 1 << scale);
  storeDone(h);
}

export function exec_VLDR_imm(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const m = <u32>recImm2(rec);
  const mode = m & 0xff;
  const scale = m >> 8;
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const h = addrR(mode == MODE_POST ? base : wbAddr, 1 << scale, regimeNow());
  if (h == 0) return;
  loadToV(recD(rec), h, scale);
  if (mode == MODE_POST || mode == MODE_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

export function exec_VSTR_imm(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const m = <u32>recImm2(rec);
  const mode = m & 0xff;
  const scale = m >> 8;
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const h = addrW(mode == MODE_POST ? base : wbAddr, 1 << scale, regimeNow());
  if (h == 0) return;
  storeFromV(h, recD(rec), scale);
  if (mode == MODE_POST || mode == MODE_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

export function exec_VLDR_reg(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const m = <u32>recImm2(rec);
  const scale = m >> 8;
  const h = addrR(regOffsetAddress(rec, m & 7), 1 << scale, regimeNow());
  if (h == 0) return;
  loadToV(recD(rec), h, scale);
  nextPC();
}

export function exec_VSTR_reg(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const m = <u32>recImm2(rec);
  const scale = m >> 8;
  const h = addrW(regOffsetAddress(rec, m & 7), 1 << scale, regimeNow());
  if (h == 0) return;
  storeFromV(h, recD(rec), scale);
  nextPC();
}

export function exec_VLDR_lit(rec: usize): void {
  const scale = <u32>recImm2(rec);
  const h = addrR(getPC() + recImm(rec), 1 << scale, regimeNow());
  if (h == 0) return;
  loadToV(recD(rec), h, scale);
  nextPC();
}

// ---- Pairs ----
// Two element accesses at va and va + esize, like the X-register pairs (ldst.ts). At most one of
// them crosses a page, so the split buffer is used at most once: the first element's value is
// taken before the second is translated.

export function exec_VLDP(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const m = <u32>recImm2(rec);
  const mode = m & 0xff;
  const scale = m >> 8;
  const esize: u32 = 1 << scale;
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const va = mode == PAIR_POST ? base : wbAddr;
  const regime = regimeNow();
  const h1 = addrR(va, esize, regime);
  if (h1 == 0) return;
  const lo1 = scale == 4 ? load<u64>(h1) : loadSized(h1, esize);
  const hi1: u64 = scale == 4 ? load<u64>(h1, 8) : 0;
  const h2 = addrR(va + <u64>esize, esize, regime);
  if (h2 == 0) return;
  const lo2 = scale == 4 ? load<u64>(h2) : loadSized(h2, esize);
  const hi2: u64 = scale == 4 ? load<u64>(h2, 8) : 0;
  vWrite128(recD(rec), lo1, hi1);
  vWrite128(recA(rec), lo2, hi2);
  if (mode == PAIR_POST || mode == PAIR_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

export function exec_VSTP(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const m = <u32>recImm2(rec);
  const mode = m & 0xff;
  const scale = m >> 8;
  const esize: u32 = 1 << scale;
  const rn = recN(rec);
  const base = load<u64>(rn);
  const wbAddr = base + recImm(rec);
  const va = mode == PAIR_POST ? base : wbAddr;
  const regime = regimeNow();
  const h1 = addrW(va, esize, regime);
  if (h1 == 0) return;
  const h2 = addrW(va + <u64>esize, esize, regime);
  if (h2 == 0) return;
  storeFromV(h1, recD(rec), scale);
  storeFromV(h2, recA(rec), scale);
  if (mode == PAIR_POST || mode == PAIR_PRE) store<u64>(rn, wbAddr);
  nextPC();
}

// ---- Structures ----

/** Copies one element of ebytes (1, 2, 4 or 8). */
// @ts-ignore: decorator
@inline function copyElem(dst: usize, src: usize, ebytes: u32): void {
  storeSized(dst, loadSized(src, ebytes), ebytes);
}

/** The post-index writeback: Xn += (Rm == 31 ? bytes transferred : Xm). No-op without post-index. */
// @ts-ignore: decorator
@inline function structWriteback(rec: usize, address: u64): void {
  if (((recWord(rec) >> 23) & 1) == 0) return;
  const rm = recM(rec);
  const offs = rm == <usize>XZR ? recImm(rec) : load<u64>(rm);
  store<u64>(recN(rec), address + offs);
}

export function exec_LD_multi(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const p = <u32>recImm2(rec);
  const rpt = p & 15;
  const selem = (p >> 4) & 15;
  const size = (p >> 8) & 3;
  const q = (p >> 12) & 1;
  const ebytes: u32 = 1 << size;
  const dbytes: u32 = 8 << q;
  const t = recWord(rec) & 31;
  const address = load<u64>(recN(rec));
  if (!vmemLoad(address, <u32>recImm(rec), ebytes, regimeNow())) return;
  if (selem == 1) {
    // LD1: each register takes the next dbytes of memory as they are.
    for (let r: u32 = 0; r < rpt; r++) {
      const v = vAddr(t + r);
      const src = <usize>VMEM_BUF + <usize>(r * dbytes);
      vWrite128(v, load<u64>(src), q != 0 ? load<u64>(src, 8) : 0);
    }
  } else {
    // LD2-LD4: element e of register t+s is structure e's member s.
    const elements = dbytes >> size;
    for (let s: u32 = 0; s < selem; s++) {
      const v = vAddr(t + s);
      for (let e: u32 = 0; e < elements; e++) {
        copyElem(v + <usize>(e << size), <usize>VMEM_BUF + <usize>((e * selem + s) << size), ebytes);
      }
      if (q == 0) store<u64>(v, 0, 8);
    }
  }
  structWriteback(rec, address);
  nextPC();
}

export function exec_ST_multi(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const p = <u32>recImm2(rec);
  const rpt = p & 15;
  const selem = (p >> 4) & 15;
  const size = (p >> 8) & 3;
  const q = (p >> 12) & 1;
  const ebytes: u32 = 1 << size;
  const dbytes: u32 = 8 << q;
  const t = recWord(rec) & 31;
  const address = load<u64>(recN(rec));
  if (selem == 1) {
    for (let r: u32 = 0; r < rpt; r++) {
      const v = vAddr(t + r);
      const dst = <usize>VMEM_BUF + <usize>(r * dbytes);
      store<u64>(dst, load<u64>(v));
      if (q != 0) store<u64>(dst, load<u64>(v, 8), 8);
    }
  } else {
    const elements = dbytes >> size;
    for (let s: u32 = 0; s < selem; s++) {
      const v = vAddr(t + s);
      for (let e: u32 = 0; e < elements; e++) {
        copyElem(<usize>VMEM_BUF + <usize>((e * selem + s) << size), v + <usize>(e << size), ebytes);
      }
    }
  }
  if (!vmemStore(address, <u32>recImm(rec), ebytes, regimeNow())) return;
  structWriteback(rec, address);
  nextPC();
}

/** Replicate(element, 64 / esize) for esize = 8 << scale. */
// @ts-ignore: decorator
@inline function replicate64(x: u64, scale: u32): u64 {
  if (scale == 0) return x * 0x0101010101010101;
  if (scale == 1) return x * 0x0001000100010001;
  if (scale == 2) return x * 0x0000000100000001;
  return x;
}

export function exec_LD_single(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const p = <u32>recImm2(rec);
  const selem = p & 15;
  const scale = (p >> 4) & 3;
  const index = (p >> 8) & 15;
  const ebytes: u32 = 1 << scale;
  const t = recWord(rec) & 31;
  const address = load<u64>(recN(rec));
  if (!vmemLoad(address, <u32>recImm(rec), ebytes, regimeNow())) return;
  if (((p >> 12) & 1) != 0) {
    // LDnR: the element fills every lane; a 64-bit arrangement clears the upper half.
    const q = (p >> 13) & 1;
    for (let s: u32 = 0; s < selem; s++) {
      const x = replicate64(loadSized(<usize>VMEM_BUF + <usize>(s << scale), ebytes), scale);
      vWrite128(vAddr(t + s), x, q != 0 ? x : 0);
    }
  } else {
    // One lane of each register; the other lanes keep their values.
    for (let s: u32 = 0; s < selem; s++) {
      copyElem(vAddr(t + s) + <usize>(index << scale), <usize>VMEM_BUF + <usize>(s << scale), ebytes);
    }
  }
  structWriteback(rec, address);
  nextPC();
}

export function exec_ST_single(rec: usize): void {
  if (!spAlignOK(rec)) return;
  const p = <u32>recImm2(rec);
  const selem = p & 15;
  const scale = (p >> 4) & 3;
  const index = (p >> 8) & 15;
  const ebytes: u32 = 1 << scale;
  const t = recWord(rec) & 31;
  const address = load<u64>(recN(rec));
  for (let s: u32 = 0; s < selem; s++) {
    copyElem(<usize>VMEM_BUF + <usize>(s << scale), vAddr(t + s) + <usize>(index << scale), ebytes);
  }
  if (!vmemStore(address, <u32>recImm(rec), ebytes, regimeNow())) return;
  structWriteback(rec, address);
  nextPC();
}
