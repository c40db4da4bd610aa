// The fast path through wasm's own IEEE arithmetic (assembly/fp/hw.ts) against the exact path
// (assembly/fp/arith.ts, itself checked against QEMU by fp-qemu.test.ts and the differential
// cases). The fast path runs only when FPSR.IXC is already set, so each case runs twice: from
// FPSR = 0 (the exact path: hw.ts is never tried) and from FPSR = IXC (the fast path wherever it
// applies). The results must be the same, and the flags those of the first run plus IXC. The
// operands lean to where the fast path must step aside: zeros, subnormals, values around the
// smallest normal and the largest finite, infinities and NaNs; and FPCR modes it must leave to
// the exact path (FZ, a directed rounding) run too. The fused multiply-adds (FMADD..., FMLA)
// check the emulation through rounding to odd (hw.ts) against the exact 128-bit one.
import { describe, it, expect } from 'vitest';
import { FpRig } from './helpers/fprig.ts';
import { Rng32 } from '../src/tools/difftest/format.ts';

const IXC = 16;
const FZ = 1 << 24, DN = 1 << 25, RP = 1 << 22, RZ = 3 << 22;

// Words from llvm-mc: Vd = V3, Vn = V0, Vm = V1. [name, word, element bits]
const OPS: [string, number, 32 | 64][] = [
  ['fadd s3, s0, s1', 0x1e212803, 32], ['fadd d3, d0, d1', 0x1e612803, 64],
  ['fsub s3, s0, s1', 0x1e213803, 32], ['fsub d3, d0, d1', 0x1e613803, 64],
  ['fmul s3, s0, s1', 0x1e210803, 32], ['fmul d3, d0, d1', 0x1e610803, 64],
  ['fnmul s3, s0, s1', 0x1e218803, 32], ['fmulx d3, d0, d1', 0x5e61dc03, 64],
  ['fdiv s3, s0, s1', 0x1e211803, 32], ['fdiv d3, d0, d1', 0x1e611803, 64],
  ['fsqrt s3, s0', 0x1e21c003, 32], ['fsqrt d3, d0', 0x1e61c003, 64],
  ['fadd v3.4s, v0.4s, v1.4s', 0x4e21d403, 32], ['fadd v3.2d, v0.2d, v1.2d', 0x4e61d403, 64],
  ['fabd v3.2d, v0.2d, v1.2d', 0x6ee1d403, 64], ['fmul v3.4s, v0.4s, v1.4s', 0x6e21dc03, 32],
  ['fmul v3.2d, v0.2d, v1.2d', 0x6e61dc03, 64], ['fdiv v3.4s, v0.4s, v1.4s', 0x6e21fc03, 32],
  ['fsqrt v3.2d, v0.2d', 0x6ee1f803, 64],
  ['fmadd d3, d0, d1, d2', 0x1f410803, 64], ['fmadd s3, s0, s1, s2', 0x1f010803, 32],
  ['fmsub d3, d0, d1, d2', 0x1f418803, 64], ['fnmadd s3, s0, s1, s2', 0x1f210803, 32],
  ['fnmsub d3, d0, d1, d2', 0x1f618803, 64], ['fmla v3.2d, v0.2d, v1.2d', 0x4e61cc03, 64],
  ['fmla v3.4s, v0.4s, v1.4s', 0x4e21cc03, 32], ['fmls v3.2d, v0.2d, v1.2d', 0x4ee1cc03, 64],
  ['fmla v3.4s, v0.4s, v1.s[1]', 0x4fa11003, 32],
];

/** An element of `bits` bits as 32-bit words (least significant first), from one of the classes. */
function element(r: Rng32, bits: 32 | 64): number[] {
  const [eBits, mBits] = bits === 32 ? [8, 23] : [11, 52];
  const eMax = (1 << eBits) - 1;
  const bias = eMax >> 1;
  const sign = r.next() & 1;
  let e: number;
  switch (r.next() % 8) {
    case 0: e = r.next() % 3; break; // zero or subnormal, the smallest normals
    case 1: e = eMax - 1 - (r.next() % 2); break; // the largest finite
    case 2: e = r.next() % 2 ? 0 : eMax; break; // zero/subnormal, infinity/NaN
    case 3: e = Math.floor(bias / 2) - 3 + (r.next() % 6); break; // squares, products near the bottom
    case 4: e = bias + Math.floor(bias / 2) - 3 + (r.next() % 6); break; // ... near the top
    default: e = bias - 8 + (r.next() % 16); // ordinary values
  }
  const mantissaZero = r.next() % 4 === 0;
  if (bits === 32) {
    const m = mantissaZero ? 0 : r.next() & 0x7fffff;
    return [((sign << 31) | (e << 23) | m) >>> 0];
  }
  const hiM = mantissaZero ? 0 : r.next() & 0xfffff;
  const lo = mantissaZero ? 0 : r.next();
  return [lo >>> 0, ((sign << 31) | (e << 20) | hiM) >>> 0];
}

/**
 * For a fused multiply-add, operands the emulation finds hardest: an addend about -(op1 * op2)
 * (the product cancels, then nudged by a few ulps), or op2 made about 2^j / op1 and the addend
 * 2^(j + p) for p significand bits, so that the product is about half the addend's ulp and the
 * exact sum lies next to a tie that only the product's low bits break (what rounding twice gets
 * wrong). acc: the addend register (V2 for FMADD..., V3 for FMLA); lane1: FMLA by element takes
 * op2 from lane 1 of V1.
 */
function hardOperands(r: Rng32, regs: Uint32Array, bits: 32 | 64, acc: number, lane1: boolean): void {
  const dv = new DataView(regs.buffer, regs.byteOffset);
  const size = bits / 8, lanes = 16 / size;
  const at = (v: number, i: number) => 16 * v + size * i;
  const get = (v: number, i: number) => (bits === 64 ? dv.getFloat64(at(v, i), true) : dv.getFloat32(at(v, i), true));
  const set = (v: number, i: number, x: number) => (bits === 64 ? dv.setFloat64(at(v, i), x, true) : dv.setFloat32(at(v, i), x, true));
  const round = bits === 64 ? (x: number) => x : Math.fround;
  for (let i = 0; i < lanes; i++) {
    const a = get(0, i), bLane = lane1 ? 1 : i;
    const mode = r.next() % 3;
    if (mode === 2 || !Number.isFinite(a) || a === 0) continue;
    if (mode === 1) set(1, bLane, round(2 ** ((r.next() % 9) - 4) / a));
    const p = round(a * get(1, bLane));
    if (!Number.isFinite(p) || p === 0) continue;
    const sign = r.next() & 1 ? -1 : 1;
    const c = mode === 0 ? round(sign * p) : round(sign * p * 2 ** (bits === 64 ? 53 : 24));
    if (!Number.isFinite(c)) continue;
    set(acc, i, c);
    if (mode === 0) {
      const nudge = (r.next() % 7) - 3;
      if (bits === 64) dv.setBigUint64(at(acc, i), dv.getBigUint64(at(acc, i), true) + BigInt(nudge), true);
      else dv.setUint32(at(acc, i), (dv.getUint32(at(acc, i), true) + nudge) >>> 0, true);
    }
  }
}

/** A 128-bit register of elements. */
function vreg(r: Rng32, bits: 32 | 64): number[] {
  const out: number[] = [];
  while (out.length < 4) out.push(...element(r, bits));
  return out;
}

describe('FP fast path (wasm arithmetic) against the exact path', () => {
  it('gives the same results and flags (plus IXC) for every case, in every FPCR mode', () => {
    const rig = new FpRig();
    const r = new Rng32(0xfa57);
    const regs = new Uint32Array(24);
    const exact = new Uint32Array(8), fast = new Uint32Array(8);
    let cases = 0, onlyInexact = 0;
    for (const [name, word, bits] of OPS) {
      for (const fpcr of [0, DN, FZ, RP, RZ]) {
        for (let i = 0; i < 2000; i++) {
          for (let v = 0; v < 4; v++) regs.set(vreg(r, bits), 4 * v); // V3 is an input of FMLA
          if (/^fn?m(add|sub|la|ls)/.test(name) && r.next() % 2) hardOperands(r, regs, bits, name.startsWith('fml') ? 3 : 2, name.includes('['));
          expect(rig.stepFast(word, regs, fpcr, 0, exact, 0), name).toBe(true);
          expect(rig.stepFast(word, regs, fpcr, 0, fast, IXC), name).toBe(true);
          const a = { v3: [...exact.subarray(0, 4)], fpsr: exact[6] | IXC };
          const b = { v3: [...fast.subarray(0, 4)], fpsr: fast[6] };
          if (a.v3.some((w, k) => w !== b.v3[k]) || a.fpsr !== b.fpsr) {
            const hex = (ws: Iterable<number>) => [...ws].map((w) => w.toString(16).padStart(8, '0')).reverse().join('_');
            expect(b, `${name}, FPCR ${fpcr.toString(16)}: V0 ${hex(regs.subarray(0, 4))} V1 ${hex(regs.subarray(4, 8))}`).toEqual(a);
          }
          cases++;
          if (exact[6] === IXC || exact[6] === 0) onlyInexact++;
        }
      }
    }
    // Most cases raise no flag but IXC: the ones the fast path may take (in RN, FZ = 0).
    console.log(`fp fast path: ${cases} cases, ${onlyInexact} raising no flag but IXC`);
    expect(onlyInexact).toBeGreaterThan(cases / 3);
  });
});
