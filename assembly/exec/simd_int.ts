// Advanced SIMD integer data processing (C4.1.91; the C7.2 instruction pages): three registers
// of the same type (vector and scalar), two-register miscellaneous (the integer half), across
// lanes, and three registers of different types (long, wide, narrow; vector and scalar).
// Floating-point opcodes of these groups are not decoded here.
//
// The decode step stores imm2 = op | size << 8 | Q << 10 | scalar << 11, where op = U:opcode
// (bit 29, then the group's opcode field), after rejecting the reserved size/Q combinations. The
// result is built in VRES and then written to Vd, so Vd may also be a source.
import { recWord, recD, recN, recM, recImm2, setImm2, nextPC } from '../cpu';
import { VRES } from '../layout';
import {
  eget, eset, emask, sxe, satS, satU, satUfromS, setQC, roundShiftRight, shiftRight, writeRes,
} from '../fp/velem';
import { vWriteScalar } from '../fp/vreg';
import { fast3same, fast2misc, fast3diff, fastAddPairwise, truncNarrow } from '../fp/vfast';

// @ts-ignore: decorator
@inline function params(w: u32, op: u32): u64 {
  return <u64>(op | (((w >> 22) & 3) << 8) | (((w >> 30) & 1) << 10) | (((w >> 28) & 1) << 11));
}

// ---- Shared element operations ----

/** Saturating signed 64-bit add (SQADD D), setting QC on overflow. */
export function sqadd64(a: u64, b: u64): u64 {
  const r = a + b;
  if (((a ^ r) & (b ^ r)) >> 63) { setQC(); return (a >> 63) ? 0x8000000000000000 : 0x7fffffffffffffff; }
  return r;
}
export function sqsub64(a: u64, b: u64): u64 {
  const r = a - b;
  if (((a ^ b) & (a ^ r)) >> 63) { setQC(); return (a >> 63) ? 0x8000000000000000 : 0x7fffffffffffffff; }
  return r;
}

/** Signed saturation of the (mathematical) sum x + y of two signed elements. */
// @ts-ignore: decorator
@inline function sAddSat(a: u64, b: u64, size: u32): u64 {
  return size == 3 ? sqadd64(a, b) : satS(sxe(a, size) + sxe(b, size), size);
}

/**
 * The register-shift family (SSHL, USHL, SRSHL, URSHL, SQSHL, UQSHL, SQRSHL, UQRSHL): shift by the
 * signed low byte of b, left when positive, right (rounding when asked) when negative; the
 * saturating forms saturate a left shift that overflows (Arm ARM C7.2 pseudocode, infinite
 * precision then SatQ).
 */
function shiftReg(a: u64, b: u64, size: u32, unsigned: bool, round: bool, sat: bool): u64 {
  const s = <i32>(<i8>(<u8>b));
  const bits: i32 = 8 << size;
  const m = emask(size);
  if (s < 0) {
    const n = <u32>(-s);
    const x: u64 = unsigned ? a : <u64>sxe(a, size);
    return (round ? roundShiftRight(x, n, !unsigned) : shiftRight(x, n, !unsigned)) & m;
  }
  if (!sat) return s >= bits ? 0 : (a << <u64>s) & m;
  return satShiftLeft(a, <u32>s, size, unsigned, unsigned);
}

/**
 * Saturating left shift of element a by s >= 0: a signed (srcUnsigned = false) or unsigned,
 * saturated to a signed or unsigned result (SQSHLU: signed source, unsigned result).
 */
export function satShiftLeft(a: u64, s: u32, size: u32, srcUnsigned: bool, dstUnsigned: bool): u64 {
  const bits: u32 = 8 << size;
  const m = emask(size);
  // SQSHLU of a non-negative element is the unsigned shift of the same bits.
  if (srcUnsigned || (dstUnsigned && ((a >> (bits - 1)) & 1) == 0)) {
    if (a == 0) return 0;
    if (s >= bits) { setQC(); return dstUnsigned ? m : m >> 1; }
    const r = a << s;
    const limit: u64 = dstUnsigned ? m : m >> 1;
    if ((r >> s) != a || r > limit) { setQC(); return limit; }
    return r;
  }
  const x = sxe(a, size);
  if (dstUnsigned) { setQC(); return 0; } // SQSHLU of a negative element
  if (x == 0) return 0;
  const maxS: u64 = m >> 1;
  if (s >= bits) { setQC(); return x < 0 ? (maxS + 1) & m : maxS; }
  const r = x << <i64>s;
  if ((r >> <i64>s) != x) { setQC(); return x < 0 ? (maxS + 1) & m : maxS; }
  if (x < 0) { if (r < -<i64>maxS - 1) { setQC(); return (maxS + 1) & m; } return <u64>r & m; }
  if (<u64>r > maxS) { setQC(); return maxS; }
  return <u64>r;
}

/** Polynomial multiplication over {0,1} of two bytes, the low 8 (PMUL) or 16 (PMULL) bits. */
function pmul8(a: u64, b: u64): u64 {
  let r: u64 = 0;
  for (let i: u64 = 0; i < 8; i++) if ((a >> i) & 1) r ^= b << i;
  return r;
}

/** SQDMULH / SQRDMULH of signed elements of 16 or 32 bits: (2ab [+ 2^(esize-1)]) >> esize. */
function sqdmulh(a: u64, b: u64, size: u32, round: bool): u64 {
  const x = sxe(a, size);
  const y = sxe(b, size);
  const bits: u32 = 8 << size;
  const min: i64 = -(<i64>1 << (bits - 1));
  if (x == min && y == min) { setQC(); return emask(size) >> 1; }
  let p = x * y * 2;
  if (round) p += <i64>1 << (bits - 1);
  return <u64>(p >> bits) & emask(size);
}

/** |x - y| of two elements, signed or unsigned, as element bits. */
// @ts-ignore: decorator
@inline function absDiff(a: u64, b: u64, size: u32, unsigned: bool): u64 {
  if (unsigned) return (a > b ? a - b : b - a) & emask(size);
  const x = sxe(a, size);
  const y = sxe(b, size);
  return <u64>(x > y ? x - y : y - x) & emask(size);
}

// ---- Three registers of the same type ----

// Operation codes: U << 5 | opcode.
const SHADD: u32 = 0; const SQADD: u32 = 1; const SRHADD: u32 = 2; const LOGIC_S: u32 = 3; const SHSUB: u32 = 4;
const SQSUB: u32 = 5; const CMGT: u32 = 6; const CMGE: u32 = 7; const SSHL: u32 = 8; const SQSHL: u32 = 9;
const SRSHL: u32 = 10; const SQRSHL: u32 = 11; const SMAX: u32 = 12; const SMIN: u32 = 13; const SABD: u32 = 14;
const SABA: u32 = 15; const ADD: u32 = 16; const CMTST: u32 = 17; const MLA: u32 = 18; const MUL: u32 = 19;
const SMAXP: u32 = 20; const SMINP: u32 = 21; const SQDMULH: u32 = 22; const ADDP: u32 = 23;
const UHADD: u32 = 32; const UQADD: u32 = 33; const URHADD: u32 = 34; const LOGIC_U: u32 = 35; const UHSUB: u32 = 36;
const UQSUB: u32 = 37; const CMHI: u32 = 38; const CMHS: u32 = 39; const USHL: u32 = 40; const UQSHL: u32 = 41;
const URSHL: u32 = 42; const UQRSHL: u32 = 43; const UMAX: u32 = 44; const UMIN: u32 = 45; const UABD: u32 = 46;
const UABA: u32 = 47; const SUB: u32 = 48; const CMEQ: u32 = 49; const MLS: u32 = 50; const PMUL: u32 = 51;
const UMAXP: u32 = 52; const UMINP: u32 = 53; const SQRDMULH: u32 = 54;

/** Reserved size/Q combinations of the three-same group, vector and scalar forms. */
export function pre_v3same(w: u32, rec: usize): bool {
  const op = (((w >> 29) & 1) << 5) | ((w >> 11) & 31);
  const size = (w >> 22) & 3;
  const q = (w >> 30) & 1;
  const scalar = (w >> 28) & 1;
  let ok = false;
  if (scalar) {
    switch (op) {
      case SQADD: case UQADD: case SQSUB: case UQSUB: case SQSHL: case UQSHL: case SQRSHL: case UQRSHL: ok = true; break;
      case CMGT: case CMHI: case CMGE: case CMHS: case SSHL: case USHL: case SRSHL: case URSHL: case ADD: case SUB:
      case CMTST: case CMEQ: ok = size == 3; break;
      case SQDMULH: case SQRDMULH: ok = size == 1 || size == 2; break;
    }
  } else {
    switch (op) {
      case SQADD: case UQADD: case SQSUB: case UQSUB: case CMGT: case CMHI: case CMGE: case CMHS: case SSHL: case USHL:
      case SQSHL: case UQSHL: case SRSHL: case URSHL: case SQRSHL: case UQRSHL: case ADD: case SUB: case CMTST: case CMEQ:
      case ADDP:
        ok = size != 3 || q == 1; break;
      case SHADD: case UHADD: case SRHADD: case URHADD: case SHSUB: case UHSUB: case SMAX: case UMAX: case SMIN: case UMIN:
      case SABD: case UABD: case SABA: case UABA: case MLA: case MLS: case MUL: case SMAXP: case UMAXP: case SMINP: case UMINP:
        ok = size != 3; break;
      case PMUL: ok = size == 0; break;
      case SQDMULH: case SQRDMULH: ok = size == 1 || size == 2; break;
      case LOGIC_S: case LOGIC_U: ok = true; break;
    }
  }
  if (!ok) return false;
  setImm2(rec, params(w, op));
  return true;
}

/** One element of a three-same operation; d is the destination's element (accumulating forms). */
export function same3(op: u32, a: u64, b: u64, d: u64, size: u32): u64 {
  const m = emask(size);
  switch (op) {
    case SHADD: return <u64>((sxe(a, size) + sxe(b, size)) >> 1) & m;
    case UHADD: return (a + b) >> 1;
    case SRHADD: return <u64>((sxe(a, size) + sxe(b, size) + 1) >> 1) & m;
    case URHADD: return (a + b + 1) >> 1;
    case SHSUB: return <u64>((sxe(a, size) - sxe(b, size)) >> 1) & m;
    case UHSUB: return <u64>((<i64>a - <i64>b) >> 1) & m;
    case SQADD: return sAddSat(a, b, size);
    case UQADD: { const r = a + b; if (size == 3 ? r < a : r > m) { setQC(); return m; } return r; }
    case SQSUB: return size == 3 ? sqsub64(a, b) : satS(sxe(a, size) - sxe(b, size), size);
    case UQSUB: if (a < b) { setQC(); return 0; } return a - b;
    case CMGT: return sxe(a, size) > sxe(b, size) ? m : 0;
    case CMGE: return sxe(a, size) >= sxe(b, size) ? m : 0;
    case CMHI: return a > b ? m : 0;
    case CMHS: return a >= b ? m : 0;
    case CMTST: return (a & b) != 0 ? m : 0;
    case CMEQ: return a == b ? m : 0;
    case SSHL: return shiftReg(a, b, size, false, false, false);
    case USHL: return shiftReg(a, b, size, true, false, false);
    case SRSHL: return shiftReg(a, b, size, false, true, false);
    case URSHL: return shiftReg(a, b, size, true, true, false);
    case SQSHL: return shiftReg(a, b, size, false, false, true);
    case UQSHL: return shiftReg(a, b, size, true, false, true);
    case SQRSHL: return shiftReg(a, b, size, false, true, true);
    case UQRSHL: return shiftReg(a, b, size, true, true, true);
    case SMAX: case SMAXP: return sxe(a, size) >= sxe(b, size) ? a : b;
    case SMIN: case SMINP: return sxe(a, size) <= sxe(b, size) ? a : b;
    case UMAX: case UMAXP: return a >= b ? a : b;
    case UMIN: case UMINP: return a <= b ? a : b;
    case SABD: return absDiff(a, b, size, false);
    case UABD: return absDiff(a, b, size, true);
    case SABA: return (d + absDiff(a, b, size, false)) & m;
    case UABA: return (d + absDiff(a, b, size, true)) & m;
    case ADD: case ADDP: return (a + b) & m;
    case SUB: return (a - b) & m;
    case MLA: return (d + a * b) & m;
    case MLS: return (d - a * b) & m;
    case MUL: return (a * b) & m;
    case PMUL: return pmul8(a, b) & 0xff;
    case SQDMULH: return sqdmulh(a, b, size, false);
    case SQRDMULH: return sqdmulh(a, b, size, true);
  }
  return 0;
}

export function exec_V3SAME(rec: usize): void {
  const p = <u32>recImm2(rec);
  const op = p & 0xff;
  const size = (p >> 8) & 3;
  const q = (p >> 10) & 1;
  const scalar = (p >> 11) & 1;
  const n = recN(rec);
  const mm = recM(rec);
  const vd = recD(rec);
  if (op == LOGIC_S || op == LOGIC_U) {
    // AND, BIC, ORR, ORN (U = 0) and EOR, BSL, BIT, BIF (U = 1), by size; bitselect(x, y, c) is
    // (x AND c) OR (y AND NOT c).
    const a = v128.load(n);
    const b = v128.load(mm);
    const d = v128.load(vd);
    let r: v128;
    switch (((op >> 5) << 2) | size) {
      case 0: r = v128.and(a, b); break;
      case 1: r = v128.andnot(a, b); break;
      case 2: r = v128.or(a, b); break;
      case 3: r = v128.or(a, v128.not(b)); break;
      case 4: r = v128.xor(a, b); break;
      case 5: r = v128.bitselect(a, b, d); break; // BSL: Vd selects
      case 6: r = v128.bitselect(a, d, b); break; // BIT: insert Vn where Vm is 1
      default: r = v128.bitselect(d, a, b); // BIF: insert Vn where Vm is 0
    }
    v128.store(<usize>VRES, r);
    writeRes(vd, q);
    nextPC();
    return;
  }
  if (scalar) {
    const r = same3(op, eget(n, 0, size), eget(mm, 0, size), 0, size);
    vWriteScalar(vd, r, 1 << size); // the element, the rest of the register cleared
    nextPC();
    return;
  }
  if (fast3same(op, size, q, n, mm, vd)) { writeRes(vd, q); nextPC(); return; }
  const elements: u32 = (8 << q) >> size;
  if (op == ADDP || op == SMAXP || op == SMINP || op == UMAXP || op == UMINP) {
    // Pairwise: element e of the result combines elements 2e and 2e + 1 of Vm:Vn (Vn low).
    const half = elements >> 1;
    for (let e: u32 = 0; e < elements; e++) {
      const src = e < half ? n : mm;
      const i = (e < half ? e : e - half) * 2;
      eset(<usize>VRES, e, size, same3(op, eget(src, i, size), eget(src, i + 1, size), 0, size));
    }
  } else {
    for (let e: u32 = 0; e < elements; e++) {
      eset(<usize>VRES, e, size, same3(op, eget(n, e, size), eget(mm, e, size), eget(vd, e, size), size));
    }
  }
  writeRes(vd, q);
  nextPC();
}

// ---- Two-register miscellaneous (integer) ----

const REV64: u32 = 0; const REV16: u32 = 1; const SADDLP: u32 = 2; const SUQADD: u32 = 3; const CLS: u32 = 4;
const CNT: u32 = 5; const SADALP: u32 = 6; const SQABS: u32 = 7; const CMGT0: u32 = 8; const CMEQ0: u32 = 9;
const CMLT0: u32 = 10; const ABS: u32 = 11; const XTN: u32 = 18; const SQXTN: u32 = 20;
const REV32: u32 = 32; const UADDLP: u32 = 34; const USQADD: u32 = 35; const CLZ: u32 = 36; const NOT: u32 = 37;
const UADALP: u32 = 38; const SQNEG: u32 = 39; const CMGE0: u32 = 40; const CMLE0: u32 = 41; const NEG: u32 = 43;
const SQXTUN: u32 = 50; const SHLL: u32 = 51; const UQXTN: u32 = 52;
const RBIT: u32 = 64; // NOT's encoding with size = 01; works on bytes

export function pre_v2misc(w: u32, rec: usize): bool {
  const op = (((w >> 29) & 1) << 5) | ((w >> 12) & 31);
  const size = (w >> 22) & 3;
  const q = (w >> 30) & 1;
  const scalar = (w >> 28) & 1;
  let ok = false;
  if (scalar) {
    switch (op) {
      case SUQADD: case USQADD: case SQABS: case SQNEG: ok = true; break;
      case CMGT0: case CMGE0: case CMEQ0: case CMLE0: case CMLT0: case ABS: case NEG: ok = size == 3; break;
      case SQXTN: case UQXTN: case SQXTUN: ok = size != 3; break;
    }
  } else {
    switch (op) {
      case REV64: ok = size != 3; break;
      case REV32: ok = size < 2; break;
      case REV16: ok = size == 0; break;
      case SADDLP: case UADDLP: case SADALP: case UADALP: case CLS: case CLZ: ok = size != 3; break;
      case SUQADD: case USQADD: case SQABS: case SQNEG: case CMGT0: case CMGE0: case CMEQ0: case CMLE0: case CMLT0:
      case ABS: case NEG:
        ok = size != 3 || q == 1; break;
      case CNT: ok = size == 0; break;
      case NOT: ok = size < 2; break; // NOT (size 00), RBIT (size 01)
      case XTN: case SQXTN: case UQXTN: case SQXTUN: case SHLL: ok = size != 3; break;
    }
  }
  if (!ok) return false;
  // NOT (size 00) and RBIT (size 01) both work on bytes.
  if (op == NOT) { setImm2(rec, (params(w, size == 1 ? RBIT : NOT) & ~(<u64>3 << 8))); return true; }
  setImm2(rec, params(w, op));
  return true;
}

/** CountLeadingSignBits / CountLeadingZeroBits of an element. */
// @ts-ignore: decorator
@inline function clzE(a: u64, size: u32): u64 { return <u64>(clz<u64>(a) - (64 - (8 << size))); }

/** One element of a two-register misc operation that keeps the element size. */
function misc1(op: u32, a: u64, d: u64, size: u32): u64 {
  const m = emask(size);
  switch (op) {
    case CLS: { const x = sxe(a, size); return clzE(<u64>(x ^ (x >> 63)) & m, size) - 1; }
    case CLZ: return clzE(a, size);
    case CNT: return <u64>popcnt<u64>(a);
    case NOT: return ~a & 0xff;
    case RBIT: {
      let r: u64 = 0;
      for (let i: u64 = 0; i < 8; i++) r |= ((a >> i) & 1) << (7 - i);
      return r;
    }
    case SQABS: { if (a == (m >> 1) + 1) { setQC(); return m >> 1; } const x = sxe(a, size); return <u64>(x < 0 ? -x : x) & m; }
    case SQNEG: { if (a == (m >> 1) + 1) { setQC(); return m >> 1; } return (0 - a) & m; }
    case ABS: { const x = sxe(a, size); return <u64>(x < 0 ? -x : x) & m; }
    case NEG: return (0 - a) & m;
    case CMGT0: return sxe(a, size) > 0 ? m : 0;
    case CMGE0: return sxe(a, size) >= 0 ? m : 0;
    case CMEQ0: return a == 0 ? m : 0;
    case CMLE0: return sxe(a, size) <= 0 ? m : 0;
    case CMLT0: return sxe(a, size) < 0 ? m : 0;
    case SUQADD: { // signed d + unsigned a, signed saturation
      if (size < 3) return satS(sxe(d, size) + <i64>a, size);
      if ((d >> 63) == 0) {
        const r = d + a;
        if (r < d || (r >> 63) != 0) { setQC(); return 0x7fffffffffffffff; }
        return r;
      }
      const nd = 0 - d; // |d|
      if (a >= nd) { const v = a - nd; if ((v >> 63) != 0) { setQC(); return 0x7fffffffffffffff; } return v; }
      return d + a;
    }
    case USQADD: { // unsigned d + signed a, unsigned saturation
      if (size < 3) return satUfromS(<i64>d + sxe(a, size), size);
      const r = d + a;
      if (<i64>a < 0) { if (r > d) { setQC(); return 0; } } else if (r < d) { setQC(); return m; }
      return r;
    }
  }
  return 0;
}

/** Narrowing: the element a (twice the size) to 8 << size bits. */
function narrow(op: u32, a: u64, size: u32): u64 {
  const ws = size + 1;
  switch (op) {
    case XTN: return a & emask(size);
    case SQXTN: return size == 2 ? satS32from64(a) : satS(sxe(a, ws), size);
    case UQXTN: return satU(a, size);
    default: return satUfromS(sxe(a, ws), size); // SQXTUN
  }
}
function satS32from64(a: u64): u64 { return satS(<i64>a, 2); }

export function exec_V2MISC(rec: usize): void {
  const p = <u32>recImm2(rec);
  const op = p & 0xff;
  const size = (p >> 8) & 3;
  const q = (p >> 10) & 1;
  const scalar = (p >> 11) & 1;
  const n = recN(rec);
  const vd = recD(rec);
  if (op == XTN && !scalar) {
    // XTN{2}: the low halves of the elements, into the lower (upper) half of Vd.
    const low = i64x2.extract_lane(truncNarrow(v128.load(n), size), 0);
    if (q == 0) { store<u64>(vd, low); store<u64>(vd, 0, 8); } else store<u64>(vd, low, 8);
    nextPC();
    return;
  }
  if (op == XTN || op == SQXTN || op == UQXTN || op == SQXTUN) {
    // Vd.<part>[e] = narrow(Vn[e] of 2 * esize); Q = 1 writes the upper half, keeping the lower.
    const elements: u32 = scalar ? 1 : 8 >> size;
    if (scalar || q == 0) { store<u64>(<usize>VRES, 0); store<u64>(<usize>VRES, 0, 8); }
    else { store<u64>(<usize>VRES, load<u64>(vd)); }
    const base: u32 = scalar ? 0 : q * elements;
    for (let e: u32 = 0; e < elements; e++) eset(<usize>VRES, base + e, size, narrow(op, eget(n, e, size + 1), size));
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, q != 0 && !scalar ? load<u64>(<usize>VRES, 8) : 0, 8);
    nextPC();
    return;
  }
  if (scalar) {
    const r = misc1(op, eget(n, 0, size), eget(vd, 0, size), size);
    vWriteScalar(vd, r, 1 << size); // the element, the rest of the register cleared
    nextPC();
    return;
  }
  const elements: u32 = (8 << q) >> size;
  if (op == REV64 || op == REV32 || op == REV16) {
    // Reverse the elements within each 64-, 32- or 16-bit container.
    const cbits: u32 = op == REV64 ? 6 : op == REV32 ? 5 : 4;
    const flip: u32 = (1 << (cbits - 3 - size)) - 1;
    for (let e: u32 = 0; e < elements; e++) eset(<usize>VRES, e, size, eget(n, e ^ flip, size));
  } else if ((op == SADDLP || op == UADDLP || op == SADALP || op == UADALP) && fastAddPairwise(op, size, n, vd)) {
    // done in VRES
  } else if (op == SADDLP || op == UADDLP || op == SADALP || op == UADALP) {
    // Pairwise add long: elements of 2 * esize, from adjacent pairs; the ALP forms accumulate.
    const signed = op == SADDLP || op == SADALP;
    const acc = op == SADALP || op == UADALP;
    const ws = size + 1;
    for (let e: u32 = 0; e < elements >> 1; e++) {
      const a = eget(n, e * 2, size);
      const b = eget(n, e * 2 + 1, size);
      let r: u64 = signed ? <u64>(sxe(a, size) + sxe(b, size)) : a + b;
      if (acc) r += eget(vd, e, ws);
      eset(<usize>VRES, e, ws, r);
    }
  } else if (op == SHLL) {
    // SHLL{2}: each element of the lower (upper) half, widened, shifted left by esize.
    const count: u32 = 8 >> size;
    for (let e: u32 = 0; e < count; e++) eset(<usize>VRES, e, size + 1, eget(n, q * count + e, size) << (8 << size));
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, load<u64>(<usize>VRES, 8), 8);
    nextPC();
    return;
  } else if (!fast2misc(op, size, n)) {
    for (let e: u32 = 0; e < elements; e++) eset(<usize>VRES, e, size, misc1(op, eget(n, e, size), eget(vd, e, size), size));
  }
  writeRes(vd, q);
  nextPC();
}

// ---- Across lanes ----

const SADDLV: u32 = 3; const SMAXV: u32 = 10; const SMINV: u32 = 26; const ADDV: u32 = 27;
const UADDLV: u32 = 35; const UMAXV: u32 = 42; const UMINV: u32 = 58;

export function pre_vacross(w: u32, rec: usize): bool {
  const op = (((w >> 29) & 1) << 5) | ((w >> 12) & 31);
  const size = (w >> 22) & 3;
  const q = (w >> 30) & 1;
  if (size == 3 || (size == 2 && q == 0)) return false;
  if (op != SADDLV && op != SMAXV && op != SMINV && op != ADDV && op != UADDLV && op != UMAXV && op != UMINV) return false;
  setImm2(rec, params(w, op));
  return true;
}

/** ADDP (scalar): Dd = Vn.d[0] + Vn.d[1], done as ADDV over two doublewords (Q = 1 in the encoding). */
export function pre_vaddp_scalar(w: u32, rec: usize): bool {
  setImm2(rec, params(w, ADDV));
  return true;
}

export function exec_VACROSS(rec: usize): void {
  const p = <u32>recImm2(rec);
  const op = p & 0xff;
  const size = (p >> 8) & 3;
  const q = (p >> 10) & 1;
  const n = recN(rec);
  const vd = recD(rec);
  const elements: u32 = (8 << q) >> size;
  let r = eget(n, 0, size);
  let sr: i64 = sxe(r, size);
  if (op == UADDLV || op == ADDV) {
    for (let e: u32 = 1; e < elements; e++) r += eget(n, e, size);
  } else if (op == SADDLV) {
    for (let e: u32 = 1; e < elements; e++) sr += sxe(eget(n, e, size), size);
    r = <u64>sr;
  } else {
    for (let e: u32 = 1; e < elements; e++) {
      const x = eget(n, e, size);
      const sx = sxe(x, size);
      if (op == UMAXV) { if (x > r) r = x; }
      else if (op == UMINV) { if (x < r) r = x; }
      else if (op == SMAXV) { if (sx > sr) { sr = sx; r = x; } }
      else if (sx < sr) { sr = sx; r = x; } // SMINV
    }
  }
  const rsize = op == SADDLV || op == UADDLV ? size + 1 : size;
  store<u64>(vd, 0);
  store<u64>(vd, 0, 8);
  eset(vd, 0, rsize, r & emask(rsize));
  nextPC();
}

// ---- Three registers of different types ----

const SADDL: u32 = 0; const SADDW: u32 = 1; const SSUBL: u32 = 2; const SSUBW: u32 = 3; const ADDHN: u32 = 4;
const SABAL: u32 = 5; const SUBHN: u32 = 6; const SABDL: u32 = 7; const SMLAL: u32 = 8; const SQDMLAL: u32 = 9;
const SMLSL: u32 = 10; const SQDMLSL: u32 = 11; const SMULL: u32 = 12; const SQDMULL: u32 = 13; const PMULL: u32 = 14;
const RADDHN: u32 = 20; const RSUBHN: u32 = 22;

export function pre_v3diff(w: u32, rec: usize): bool {
  const u = (w >> 29) & 1;
  const opcode = (w >> 12) & 15;
  const op = (u << 4) | opcode;
  const size = (w >> 22) & 3;
  const scalar = (w >> 28) & 1;
  let ok: bool;
  if (scalar) ok = u == 0 && (opcode == SQDMLAL || opcode == SQDMLSL || opcode == SQDMULL) && (size == 1 || size == 2);
  else if (opcode == SQDMLAL || opcode == SQDMLSL || opcode == SQDMULL) ok = u == 0 && (size == 1 || size == 2);
  else if (opcode == PMULL) ok = u == 0 && (size == 0 || size == 3); // size 11: PMULL (1Q), FEAT_PMULL
  else ok = opcode != 15 && size != 3;
  if (!ok) return false;
  setImm2(rec, params(w, op));
  return true;
}

/**
 * Signed saturating doubling multiply long of two signed 16- or 32-bit elements: 2ab in 32 or
 * 64 bits; only (-2^(esize-1))^2 saturates.
 */
export function sqdmull(a: u64, b: u64, size: u32): u64 {
  const x = sxe(a, size);
  const y = sxe(b, size);
  const min: i64 = size == 2 ? -0x80000000 : -0x8000;
  if (x == min && y == min) { setQC(); return size == 2 ? 0x7fffffffffffffff : 0x7fffffff; }
  return <u64>(x * y * 2) & emask(size + 1);
}

export function exec_V3DIFF(rec: usize): void {
  const p = <u32>recImm2(rec);
  const op = p & 0xff;
  const size = (p >> 8) & 3;
  const q = (p >> 10) & 1;
  const scalar = (p >> 11) & 1;
  const n = recN(rec);
  const mm = recM(rec);
  const vd = recD(rec);
  const u = op >> 4;
  const o = op & 15;
  const ws = size + 1;
  const wm = emask(ws);
  const count: u32 = scalar ? 1 : 8 >> size; // elements of the narrow operands (one half)
  const part: u32 = scalar ? 0 : q * count; // the "2" forms use the upper halves
  if (o == ADDHN || o == SUBHN) {
    // Narrow high: (Vn + or - Vm) of 2 * esize, upper half [+ rounding]; Q = 1 fills the upper half.
    const round = u == 1;
    if (q == 0) { store<u64>(<usize>VRES, 0); store<u64>(<usize>VRES, 0, 8); } else store<u64>(<usize>VRES, load<u64>(vd));
    const bits: u64 = 8 << size;
    for (let e: u32 = 0; e < count; e++) {
      const a = eget(n, e, ws);
      const b = eget(mm, e, ws);
      let r: u64 = o == ADDHN ? a + b : a - b;
      if (round) r += <u64>1 << (bits - 1);
      eset(<usize>VRES, part + e, size, (r & wm) >> bits);
    }
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, q != 0 ? load<u64>(<usize>VRES, 8) : 0, 8);
    nextPC();
    return;
  }
  if (o == PMULL && size == 3) {
    // PMULL{2} Vd.1Q: the 128-bit carry-less product of doubleword Q of Vn and of Vm.
    const a = load<u64>(n + <usize>q * 8);
    const b = load<u64>(mm + <usize>q * 8);
    let lo: u64 = 0;
    let hi: u64 = 0;
    for (let i: u64 = 0; i < 64; i++) {
      if ((a >> i) & 1) { lo ^= b << i; if (i != 0) hi ^= b >> (64 - i); }
    }
    store<u64>(vd, lo);
    store<u64>(vd, hi, 8);
    nextPC();
    return;
  }
  if (!scalar && fast3diff(o, u == 1, size, q, n, mm, vd)) {
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, load<u64>(<usize>VRES, 8), 8);
    nextPC();
    return;
  }
  const wide = o == SADDW || o == SSUBW;
  for (let e: u32 = 0; e < count; e++) {
    const ea = wide ? eget(n, e, ws) : eget(n, part + e, size);
    const eb = eget(mm, part + e, size);
    // Operands widened to 64 bits, signed or unsigned by U.
    const a: u64 = wide ? ea : (u ? ea : <u64>sxe(ea, size));
    const b: u64 = u ? eb : <u64>sxe(eb, size);
    const d = eget(vd, e, ws);
    let r: u64;
    switch (o) {
      case SADDL: case SADDW: r = a + b; break;
      case SSUBL: case SSUBW: r = a - b; break;
      case SABAL: r = d + absDiff(ea, eb, size, u == 1); break;
      case SABDL: r = absDiff(ea, eb, size, u == 1); break;
      case SMLAL: r = d + a * b; break;
      case SMLSL: r = d - a * b; break;
      case SMULL: r = a * b; break;
      case PMULL: r = pmul8(ea, eb); break;
      default: { // SQDMLAL, SQDMLSL, SQDMULL
        const prod = sqdmull(ea, eb, size);
        if (o == SQDMULL) r = prod;
        else if (size == 2) r = o == SQDMLAL ? sqadd64(d, prod) : sqsub64(d, prod);
        else r = satS(sxe(d, 2) + (o == SQDMLAL ? sxe(prod, 2) : -sxe(prod, 2)), 2);
      }
    }
    eset(<usize>VRES, e, ws, r & wm);
  }
  if (scalar) {
    store<u64>(vd, load<u64>(<usize>VRES) & wm);
    store<u64>(vd, 0, 8);
  } else {
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, load<u64>(<usize>VRES, 8), 8);
  }
  nextPC();
}
