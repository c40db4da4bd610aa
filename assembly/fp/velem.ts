// Elements of SIMD&FP registers (the Arm ARM's Elem[vector, e, size] accessor) and the integer
// helpers the Advanced SIMD handlers share: sign extension, saturation (SignedSatQ/UnsignedSatQ,
// which set FPSR.QC), rounding shifts. Element e of size 8 << size bits lives at byte e << size.
import { FPSR, VRES } from '../layout';

/** FPSR.QC, the cumulative saturation flag (bit 27). */
// @ts-ignore: decorator
@inline export function setQC(): void { store<u64>(FPSR, load<u64>(FPSR) | (1 << 27)); }

/** Element e (size: 0 byte, 1 half, 2 word, 3 doubleword) of the register at v, zero-extended. */
// @ts-ignore: decorator
@inline export function eget(v: usize, e: u32, size: u32): u64 {
  const a = v + (<usize>e << size);
  if (size == 0) return <u64>load<u8>(a);
  if (size == 1) return <u64>load<u16>(a);
  if (size == 2) return <u64>load<u32>(a);
  return load<u64>(a);
}
// @ts-ignore: decorator
@inline export function eset(v: usize, e: u32, size: u32, x: u64): void {
  const a = v + (<usize>e << size);
  if (size == 0) store<u8>(a, <u8>x);
  else if (size == 1) store<u16>(a, <u16>x);
  else if (size == 2) store<u32>(a, <u32>x);
  else store<u64>(a, x);
}

/** All ones in the low 8 << size bits. */
// @ts-ignore: decorator
@inline export function emask(size: u32): u64 { return size == 3 ? 0xffffffffffffffff : (<u64>1 << (8 << size)) - 1; }

/** The element x (8 << size bits) sign-extended to 64 bits. */
// @ts-ignore: decorator
@inline export function sxe(x: u64, size: u32): i64 {
  const sh: u64 = 64 - (8 << size);
  return (<i64>(x << sh)) >> sh;
}

/** SignedSatQ(x, 8 << size) for size < 3 (x a 64-bit value), as the element's bits. */
export function satS(x: i64, size: u32): u64 {
  const bits: u32 = 8 << size;
  const hi: i64 = (<i64>1 << (bits - 1)) - 1;
  const lo: i64 = -hi - 1;
  if (x > hi) { setQC(); return <u64>hi & emask(size); }
  if (x < lo) { setQC(); return <u64>lo & emask(size); }
  return <u64>x & emask(size);
}
/** UnsignedSatQ of a signed 64-bit value to 8 << size bits (size < 3). */
export function satUfromS(x: i64, size: u32): u64 {
  if (x < 0) { setQC(); return 0; }
  if (<u64>x > emask(size)) { setQC(); return emask(size); }
  return <u64>x;
}
/** UnsignedSatQ of an unsigned 64-bit value to 8 << size bits. */
export function satU(x: u64, size: u32): u64 {
  if (x > emask(size)) { setQC(); return emask(size); }
  return x;
}

/**
 * (x + 2^(s-1)) >> s, exactly (no 64-bit overflow), for 0 <= s; x is signed when sgn. Shifts of
 * 65 or more give 0 for either signedness (the rounded value of any 64-bit x).
 */
export function roundShiftRight(x: u64, s: u32, sgn: bool): u64 {
  if (s == 0) return x;
  if (s > 64) return 0;
  const t: u64 = s == 64 ? (sgn ? <u64>(<i64>x >> 63) : 0) : (sgn ? <u64>(<i64>x >> s) : x >> s);
  return t + ((x >> (s - 1)) & 1);
}

/** Shift right by s >= 0 without rounding: arithmetic when sgn; any s. */
// @ts-ignore: decorator
@inline export function shiftRight(x: u64, s: u32, sgn: bool): u64 {
  if (sgn) return <u64>(<i64>x >> (s > 63 ? 63 : s));
  return s > 63 ? 0 : x >> s;
}

/**
 * Writes VRES to Vd: all 128 bits when q, else the low 64 with the upper half cleared (a 64-bit
 * vector result, C1.2.5).
 */
// @ts-ignore: decorator
@inline export function writeRes(vd: usize, q: u32): void {
  store<u64>(vd, load<u64>(<usize>VRES));
  store<u64>(vd, q != 0 ? load<u64>(<usize>VRES, 8) : 0, 8);
}
