// Fast paths for the commonest Advanced SIMD operations, on WebAssembly's own 128-bit SIMD
// (asconfig.json enables it). Each computes the whole 128-bit result into VRES from the
// registers at n and m (and d, for the accumulating forms) and returns true; the caller writes
// VRES to Vd, clearing the upper half for a 64-bit arrangement (the upper lanes computed from
// the sources' upper halves are discarded then). Operations or sizes without an exact WebAssembly
// equivalent return false and take the element-by-element path, which defines the semantics;
// simd.elf's comparison with QEMU covers both.
import { VRES } from '../layout';
import { vAddr } from './vreg';
import { setQC } from './velem';

// @ts-ignore: decorator
@inline function put(r: v128): bool { v128.store(<usize>VRES, r); return true; }
// @ts-ignore: decorator
@inline function zero(): v128 { return i64x2.splat(0); }

// Three-same op codes (U << 5 | opcode), as in exec/simd_int.ts.
/** Three registers of the same type, vector form. */
export function fast3same(op: u32, size: u32, q: u32, n: usize, m: usize, d: usize): bool {
  const a = v128.load(n);
  const b = v128.load(m);
  switch (op) {
    case 16: // ADD
      if (size == 0) return put(i8x16.add(a, b));
      if (size == 1) return put(i16x8.add(a, b));
      if (size == 2) return put(i32x4.add(a, b));
      return put(i64x2.add(a, b));
    case 48: // SUB
      if (size == 0) return put(i8x16.sub(a, b));
      if (size == 1) return put(i16x8.sub(a, b));
      if (size == 2) return put(i32x4.sub(a, b));
      return put(i64x2.sub(a, b));
    case 49: // CMEQ
      if (size == 0) return put(i8x16.eq(a, b));
      if (size == 1) return put(i16x8.eq(a, b));
      if (size == 2) return put(i32x4.eq(a, b));
      return put(i64x2.eq(a, b));
    case 6: // CMGT
      if (size == 0) return put(i8x16.gt_s(a, b));
      if (size == 1) return put(i16x8.gt_s(a, b));
      if (size == 2) return put(i32x4.gt_s(a, b));
      return put(i64x2.gt_s(a, b));
    case 7: // CMGE
      if (size == 0) return put(i8x16.ge_s(a, b));
      if (size == 1) return put(i16x8.ge_s(a, b));
      if (size == 2) return put(i32x4.ge_s(a, b));
      return put(i64x2.ge_s(a, b));
    case 38: // CMHI
      if (size == 0) return put(i8x16.gt_u(a, b));
      if (size == 1) return put(i16x8.gt_u(a, b));
      if (size == 2) return put(i32x4.gt_u(a, b));
      return false;
    case 39: // CMHS
      if (size == 0) return put(i8x16.ge_u(a, b));
      if (size == 1) return put(i16x8.ge_u(a, b));
      if (size == 2) return put(i32x4.ge_u(a, b));
      return false;
    case 17: { // CMTST
      const t = v128.and(a, b);
      if (size == 0) return put(v128.not(i8x16.eq(t, zero())));
      if (size == 1) return put(v128.not(i16x8.eq(t, zero())));
      if (size == 2) return put(v128.not(i32x4.eq(t, zero())));
      return put(v128.not(i64x2.eq(t, zero())));
    }
    case 12: // SMAX
      if (size == 0) return put(i8x16.max_s(a, b));
      if (size == 1) return put(i16x8.max_s(a, b));
      return put(i32x4.max_s(a, b));
    case 13: // SMIN
      if (size == 0) return put(i8x16.min_s(a, b));
      if (size == 1) return put(i16x8.min_s(a, b));
      return put(i32x4.min_s(a, b));
    case 44: // UMAX
      if (size == 0) return put(i8x16.max_u(a, b));
      if (size == 1) return put(i16x8.max_u(a, b));
      return put(i32x4.max_u(a, b));
    case 45: // UMIN
      if (size == 0) return put(i8x16.min_u(a, b));
      if (size == 1) return put(i16x8.min_u(a, b));
      return put(i32x4.min_u(a, b));
    case 34: // URHADD: (a + b + 1) >> 1
      if (size == 0) return put(i8x16.avgr_u(a, b));
      if (size == 1) return put(i16x8.avgr_u(a, b));
      return false;
    case 19: // MUL
      if (size == 1) return put(i16x8.mul(a, b));
      if (size == 2) return put(i32x4.mul(a, b));
      return false;
    case 18: // MLA
      if (size == 1) return put(i16x8.add(v128.load(d), i16x8.mul(a, b)));
      if (size == 2) return put(i32x4.add(v128.load(d), i32x4.mul(a, b)));
      return false;
    case 50: // MLS
      if (size == 1) return put(i16x8.sub(v128.load(d), i16x8.mul(a, b)));
      if (size == 2) return put(i32x4.sub(v128.load(d), i32x4.mul(a, b)));
      return false;
    case 1: case 33: case 5: case 37: { // SQADD, UQADD, SQSUB, UQSUB (8 and 16 bits): QC if any lane saturated
      if (size > 1) return false;
      let r: v128;
      let w: v128;
      if (size == 0) {
        w = op == 1 || op == 33 ? i8x16.add(a, b) : i8x16.sub(a, b);
        r = op == 1 ? i8x16.add_sat_s(a, b) : op == 33 ? i8x16.add_sat_u(a, b) : op == 5 ? i8x16.sub_sat_s(a, b) : i8x16.sub_sat_u(a, b);
      } else {
        w = op == 1 || op == 33 ? i16x8.add(a, b) : i16x8.sub(a, b);
        r = op == 1 ? i16x8.add_sat_s(a, b) : op == 33 ? i16x8.add_sat_u(a, b) : op == 5 ? i16x8.sub_sat_s(a, b) : i16x8.sub_sat_u(a, b);
      }
      return putQC(r, w, q);
    }
  }
  return false;
}

/**
 * Stores r and sets QC when r differs from the wrapping result w in a lane that is part of the
 * instruction (the low half only for a 64-bit arrangement, q = 0).
 */
function putQC(r: v128, w: v128, q: u32): bool {
  let diff = v128.xor(r, w);
  if (q == 0) diff = i64x2.replace_lane(diff, 1, 0);
  if (v128.any_true(diff)) setQC();
  return put(r);
}

// Two-register misc op codes (U << 5 | opcode), as in exec/simd_int.ts.
/** Two-register miscellaneous, vector form, same-size results. */
export function fast2misc(op: u32, size: u32, n: usize): bool {
  const a = v128.load(n);
  switch (op) {
    case 37: return put(v128.not(a)); // NOT (size 00; RBIT has its own op code)
    case 5: return put(i8x16.popcnt(a)); // CNT
    case 11: // ABS (wrapping)
      if (size == 0) return put(i8x16.abs(a));
      if (size == 1) return put(i16x8.abs(a));
      if (size == 2) return put(i32x4.abs(a));
      return put(i64x2.abs(a));
    case 43: // NEG
      if (size == 0) return put(i8x16.neg(a));
      if (size == 1) return put(i16x8.neg(a));
      if (size == 2) return put(i32x4.neg(a));
      return put(i64x2.neg(a));
    case 9: // CMEQ #0
      if (size == 0) return put(i8x16.eq(a, zero()));
      if (size == 1) return put(i16x8.eq(a, zero()));
      if (size == 2) return put(i32x4.eq(a, zero()));
      return put(i64x2.eq(a, zero()));
    case 8: // CMGT #0
      if (size == 0) return put(i8x16.gt_s(a, zero()));
      if (size == 1) return put(i16x8.gt_s(a, zero()));
      if (size == 2) return put(i32x4.gt_s(a, zero()));
      return put(i64x2.gt_s(a, zero()));
    case 40: // CMGE #0
      if (size == 0) return put(i8x16.ge_s(a, zero()));
      if (size == 1) return put(i16x8.ge_s(a, zero()));
      if (size == 2) return put(i32x4.ge_s(a, zero()));
      return put(i64x2.ge_s(a, zero()));
    case 41: // CMLE #0
      if (size == 0) return put(i8x16.le_s(a, zero()));
      if (size == 1) return put(i16x8.le_s(a, zero()));
      if (size == 2) return put(i32x4.le_s(a, zero()));
      return put(i64x2.le_s(a, zero()));
    case 10: // CMLT #0
      if (size == 0) return put(i8x16.lt_s(a, zero()));
      if (size == 1) return put(i16x8.lt_s(a, zero()));
      if (size == 2) return put(i32x4.lt_s(a, zero()));
      return put(i64x2.lt_s(a, zero()));
  }
  return false;
}

// Shift-by-immediate op codes (U << 5 | opcode), as in exec/simd_shift.ts.
/** SHL, SSHR and USHR by s (the shift the instruction encodes), vector form. */
export function fastShift(op: u32, size: u32, n: usize, s: u32): bool {
  const a = v128.load(n);
  const bits: u32 = 8 << size;
  const sh = <i32>s;
  switch (op) {
    case 10: // SHL: 0 <= s < esize
      if (size == 0) return put(i8x16.shl(a, sh));
      if (size == 1) return put(i16x8.shl(a, sh));
      if (size == 2) return put(i32x4.shl(a, sh));
      return put(i64x2.shl(a, sh));
    case 0: { // SSHR: 1 <= s <= esize; a shift by esize fills with the sign, as one by esize - 1
      const t = s == bits ? sh - 1 : sh;
      if (size == 0) return put(i8x16.shr_s(a, t));
      if (size == 1) return put(i16x8.shr_s(a, t));
      if (size == 2) return put(i32x4.shr_s(a, t));
      return put(i64x2.shr_s(a, t));
    }
    case 32: // USHR: a shift by esize gives 0 (WebAssembly would take it modulo esize)
      if (s == bits) return put(zero());
      if (size == 0) return put(i8x16.shr_u(a, sh));
      if (size == 1) return put(i16x8.shr_u(a, sh));
      if (size == 2) return put(i32x4.shr_u(a, sh));
      return put(i64x2.shr_u(a, sh));
  }
  return false;
}

// ---- Widening and narrowing ----

/** The lower (hi = false) or upper half of x, each element extended to twice its size. */
// @ts-ignore: decorator
@inline function widen(x: v128, size: u32, hi: bool, signed: bool): v128 {
  if (size == 0) return signed ? (hi ? i16x8.extend_high_i8x16_s(x) : i16x8.extend_low_i8x16_s(x)) : (hi ? i16x8.extend_high_i8x16_u(x) : i16x8.extend_low_i8x16_u(x));
  if (size == 1) return signed ? (hi ? i32x4.extend_high_i16x8_s(x) : i32x4.extend_low_i16x8_s(x)) : (hi ? i32x4.extend_high_i16x8_u(x) : i32x4.extend_low_i16x8_u(x));
  return signed ? (hi ? i64x2.extend_high_i32x4_s(x) : i64x2.extend_low_i32x4_s(x)) : (hi ? i64x2.extend_high_i32x4_u(x) : i64x2.extend_low_i32x4_u(x));
}
/** The full-width products of the lower or upper halves of a and b. */
// @ts-ignore: decorator
@inline function mulLong(a: v128, b: v128, size: u32, hi: bool, signed: bool): v128 {
  if (size == 0) return signed ? (hi ? i16x8.extmul_high_i8x16_s(a, b) : i16x8.extmul_low_i8x16_s(a, b)) : (hi ? i16x8.extmul_high_i8x16_u(a, b) : i16x8.extmul_low_i8x16_u(a, b));
  if (size == 1) return signed ? (hi ? i32x4.extmul_high_i16x8_s(a, b) : i32x4.extmul_low_i16x8_s(a, b)) : (hi ? i32x4.extmul_high_i16x8_u(a, b) : i32x4.extmul_low_i16x8_u(a, b));
  return signed ? (hi ? i64x2.extmul_high_i32x4_s(a, b) : i64x2.extmul_low_i32x4_s(a, b)) : (hi ? i64x2.extmul_high_i32x4_u(a, b) : i64x2.extmul_low_i32x4_u(a, b));
}
// @ts-ignore: decorator
@inline function addW(a: v128, b: v128, wsize: u32): v128 {
  return wsize == 1 ? i16x8.add(a, b) : wsize == 2 ? i32x4.add(a, b) : i64x2.add(a, b);
}
// @ts-ignore: decorator
@inline function subW(a: v128, b: v128, wsize: u32): v128 {
  return wsize == 1 ? i16x8.sub(a, b) : wsize == 2 ? i32x4.sub(a, b) : i64x2.sub(a, b);
}

/**
 * Three different, vector, long and wide forms (op = opcode, without U): SADDL/UADDL (0),
 * SADDW (1), SSUBL (2), SSUBW (3), SMLAL (8), SMLSL (10), SMULL (12); q picks the upper halves.
 */
export function fast3diff(o: u32, unsigned: bool, size: u32, q: u32, n: usize, m: usize, d: usize): bool {
  const signed = !unsigned;
  const hi = q != 0;
  const a = v128.load(n);
  const b = v128.load(m);
  const ws = size + 1;
  switch (o) {
    case 0: return put(addW(widen(a, size, hi, signed), widen(b, size, hi, signed), ws));
    case 1: return put(addW(a, widen(b, size, hi, signed), ws));
    case 2: return put(subW(widen(a, size, hi, signed), widen(b, size, hi, signed), ws));
    case 3: return put(subW(a, widen(b, size, hi, signed), ws));
    case 8: return put(addW(v128.load(d), mulLong(a, b, size, hi, signed), ws));
    case 10: return put(subW(v128.load(d), mulLong(a, b, size, hi, signed), ws));
    case 12: return put(mulLong(a, b, size, hi, signed));
  }
  return false;
}

/** SADDLP/UADDLP (2/34) and SADALP/UADALP (6/38) of bytes and halfwords. */
export function fastAddPairwise(op: u32, size: u32, n: usize, d: usize): bool {
  if (size > 1) return false;
  const a = v128.load(n);
  const signed = op == 2 || op == 6;
  let r: v128;
  if (size == 0) r = signed ? i16x8.extadd_pairwise_i8x16_s(a) : i16x8.extadd_pairwise_i8x16_u(a);
  else r = signed ? i32x4.extadd_pairwise_i16x8_s(a) : i32x4.extadd_pairwise_i16x8_u(a);
  if (op == 6 || op == 38) r = size == 0 ? i16x8.add(r, v128.load(d)) : i32x4.add(r, v128.load(d));
  return put(r);
}

/** The low half of each element of x (elements of 2 * esize, esize = 8 << size), packed into the low 64 bits. */
// @ts-ignore: decorator
@inline export function truncNarrow(x: v128, size: u32): v128 {
  if (size == 0) return i8x16.shuffle(x, x, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
  if (size == 1) return i8x16.shuffle(x, x, 0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13);
  return i8x16.shuffle(x, x, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);
}

/** USHLL/SSHLL{2}: the lower (upper) half widened, shifted left by s (< esize). */
export function fastShiftLong(signed: bool, size: u32, q: u32, n: usize, s: u32): bool {
  const w = widen(v128.load(n), size, q != 0, signed);
  const sh = <i32>s;
  return put(size == 0 ? i16x8.shl(w, sh) : size == 1 ? i32x4.shl(w, sh) : i64x2.shl(w, sh));
}

/** SHRN{2} source: the wide elements shifted right (logically) by s, 1 <= s <= esize. */
// @ts-ignore: decorator
@inline export function shrWide(n: usize, size: u32, s: u32): v128 {
  const a = v128.load(n);
  const sh = <i32>s;
  return size == 0 ? i16x8.shr_u(a, sh) : size == 1 ? i32x4.shr_u(a, sh) : i64x2.shr_u(a, sh);
}

// ---- Table lookup and EXT ----

/** TBL/TBX with a table of `regs` registers starting at V<first> (numbered modulo 32). */
export function fastTbl(first: u32, regs: u32, tbx: bool, m: usize, d: usize): bool {
  const idx = v128.load(m);
  let r = i8x16.swizzle(v128.load(vAddr(first)), idx);
  for (let k: u32 = 1; k < regs; k++) {
    // Indices below 16k wrap to 240 and above; swizzle gives 0 for anything past 15.
    r = v128.or(r, i8x16.swizzle(v128.load(vAddr(first + k)), i8x16.sub(idx, i8x16.splat(<i8>(16 * k)))));
  }
  if (tbx) r = v128.bitselect(r, v128.load(d), i8x16.lt_u(idx, i8x16.splat(<i8>(16 * regs))));
  return put(r);
}

/** EXT (Q = 1): bytes pos.. of Vm:Vn. */
export function fastExt(n: usize, m: usize, pos: u32): bool {
  const idx = i8x16.add(i8x16.splat(<i8>pos), i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  return put(v128.or(i8x16.swizzle(v128.load(n), idx), i8x16.swizzle(v128.load(m), i8x16.sub(idx, i8x16.splat(16)))));
}
