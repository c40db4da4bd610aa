// Hand-worked cases for the Advanced SIMD floating-point forms (assembly/exec/simd_fp.ts): lane
// order, pairwise and across-lanes evaluation order, by-element indexing, the upper half of a
// 64-bit vector result, the narrowing "2" forms that keep the lower half, fixed-point scaling,
// round-to-odd, and the integer estimate URECPE. Words were assembled with llvm-mc; expected values
// follow the Arm ARM pseudocode (whole groups are checked against QEMU by test/fp-qemu.test.ts).
import { describe, it, expect } from 'vitest';
import { FpRig } from './helpers/fprig.ts';

const rig = new FpRig();
const f32 = (x: number) => { const d = new DataView(new ArrayBuffer(4)); d.setFloat32(0, x); return BigInt(d.getUint32(0)); };
const f64 = (x: number) => { const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, x); return d.getBigUint64(0); };
/** A 128-bit register image from four single-precision lanes, lane 0 first. */
const s4 = (...l: number[]): [bigint, bigint] => [f32(l[0]) | (f32(l[1]) << 32n), f32(l[2]) | (f32(l[3]) << 32n)];
const raw4 = (...l: bigint[]): [bigint, bigint] => [l[0] | (l[1] << 32n), l[2] | (l[3] << 32n)];
const d2 = (a: number, b: number): [bigint, bigint] => [f64(a), f64(b)];

/** Runs word with V0..V3 = the given images; returns [V3, FPSR]. */
function run(word: number, v0: [bigint, bigint], v1: [bigint, bigint] = [0n, 0n], v3: [bigint, bigint] = [0n, 0n], fpcr = 0) {
  const s = rig.step(word, [v0[0], v1[0], 0n, v3[0]], [], fpcr, 0, [v0[1], v1[1], 0n, v3[1]]);
  expect(s.pc, 'retired').toBe(0x1104n);
  return [s.v[3], s.fpsr] as const;
}

describe('Advanced SIMD floating point', () => {
  it('FADDP v3.4s: pairs of the concatenation Vm:Vn, Vn first', () => {
    expect(run(0x6e21d403, s4(1, 2, 3, 4), s4(10, 20, 30, 40))).toEqual([s4(3, 7, 30, 70), 0]);
  });
  it('FMLA v3.4s, v0.4s, v1.s[3]: fused, each lane times lane 3 of Vm, added to Vd', () => {
    expect(run(0x4fa11803, s4(1, 2, 3, 4), s4(0, 0, 0, 0.5), s4(100, 200, 300, 400))).toEqual([s4(100.5, 201, 301.5, 402), 0]);
  });
  it('FADD v3.2s (Q = 0) clears bits 127:64', () => {
    expect(run(0x0e21d403, s4(1, 2, 9, 9), s4(1, 1, 9, 9), s4(7, 7, 7, 7))).toEqual([[s4(2, 3, 0, 0)[0], 0n], 0]);
  });
  it('FCVTN v3.2s writes the lower half and clears the upper; FCVTN2 writes the upper and keeps the lower', () => {
    const src = d2(1.5, -0.25), keep = s4(5, 6, 7, 8);
    expect(run(0x0e616803, src, [0n, 0n], keep)).toEqual([[s4(1.5, -0.25, 0, 0)[0], 0n], 0]);
    expect(run(0x4e616803, src, [0n, 0n], keep)).toEqual([[keep[0], s4(0, 0, 1.5, -0.25)[1]], 0]);
  });
  it('FCVTL2 v3.2d widens the upper two lanes', () => {
    expect(run(0x4e617803, s4(1, 2, 3.5, -4))).toEqual([d2(3.5, -4), 0]);
  });
  it('FMAXNMV s3, v0.4s reduces as (e0 op e1) op (e2 op e3): quiet NaNs drop out', () => {
    const q = 0x7fc0_0000n;
    expect(run(0x6e30c803, raw4(q, f32(1), f32(2), q))).toEqual([[f32(2), 0n], 0]);
  });
  it('FCMGT v3.4s, #0.0: all ones for true lanes; a NaN lane is false and raises IOC', () => {
    expect(run(0x4ea0c803, raw4(f32(1), f32(-1), 0n, 0x7fc0_0000n))).toEqual([raw4(0xffff_ffffn, 0n, 0n, 0n), 1]);
  });
  it('FADDP d3, v0.2d (scalar pairwise)', () => {
    expect(run(0x7e70d803, d2(0.5, 0.25))).toEqual([[f64(0.75), 0n], 0]);
  });
  it('SCVTF v3.4s, v0.4s, #16: each lane / 2^16', () => {
    expect(run(0x4f30e403, raw4(0x10000n, 0xffff_8000n, 3n, 0n))).toEqual([s4(1, -0.5, 3 / 65536, 0), 0]);
  });
  it('FMULX v3.2d: infinity times zero is 2.0 with the product sign, no exception', () => {
    expect(run(0x4e61dc03, [0x7ff0_0000_0000_0000n, f64(3)], d2(-0, 2))).toEqual([d2(-2, 6), 0]);
  });
  it('FCVTXN s3, d0 rounds to odd: 1 + 2^-30 becomes 1 + 2^-23 (inexact)', () => {
    expect(run(0x7e616803, [f64(1 + 2 ** -30), 0n])).toEqual([[0x3f80_0001n, 0n], 16]);
  });
  it('URECPE v3.4s: operands below 0.5 (bit 31 clear) give all ones; else the 9-bit estimate', () => {
    // 0x8000_0000 is 0.5: RecipEstimate(256) = (2^19 / 513 + 1) / 2 = 511; 0xffff_ffff: RecipEstimate(511) = (2^19 / 1023 + 1) / 2 = 256
    expect(run(0x4ea1c803, raw4(0x8000_0000n, 0x7fff_ffffn, 0xffff_ffffn, 0n))).toEqual([raw4(511n << 23n, 0xffff_ffffn, 256n << 23n, 0xffff_ffffn), 0]);
  });
});
