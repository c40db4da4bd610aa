// The SIMD&FP side of the differential-test harness (issue 7): case format 3 (FPCR, FPSR, V
// registers of F_FP cases), the q=/fpsr=/fpcr= result fields, their comparison, and the
// generator's SIMD&FP cases. No QEMU or a64vm here; the runs are `cli.ts --fresh --fp`.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { PARSED, matchEncoding } from '../src/isa/encodings.ts';
import {
  StateRng, newCase, encodeCases, decodeCases, initialState, parseResultLine, formatResult, finalState, caseSize,
  F_FP, CASE_FP_BLOCK, VERSION, NSYS, WINDOW_WORDS, HDR_SIZE, WINDOW_ADDR, WINDOW_SIZE,
} from '../src/tools/difftest/format.ts';
import { generate, FP_EXCLUDED, fpExcluded, memInfo, effectiveAddress } from '../src/tools/difftest/generate.ts';
import { fpValue, fpVector, intVector } from '../src/tools/difftest/generate-fp.ts';
import { compareCase } from '../src/tools/difftest/compare.ts';
import { coverage, formatCoverage } from '../src/tools/difftest/coverage.ts';
import { materialise } from '../src/tools/difftest/minimise.ts';
import { Rng32 } from '../src/tools/difftest/format.ts';

/** The SIMD&FP encodings the generator draws (all of them: none is excluded). */
const FP_NAMES = PARSED.filter((p) => p.fp && !fpExcluded(p)).map((p) => p.name);
const fpGen = generate({ seed: 41, perEncoding: 6, fp: true, only: new RegExp(`^(${FP_NAMES.join('|')})$`) });

describe('case format 3: SIMD&FP state', () => {
  it('matches the runner header (format.h)', () => {
    const h = readFileSync(new URL('../guest-images/diff-runner/format.h', import.meta.url), 'utf8');
    expect(h).toMatch(new RegExp(`#define F_FP\\s+0x0*${F_FP.toString(16)}\\b`));
    expect(h).toMatch(new RegExp(`#define CASE_FP_BLOCK\\s+${CASE_FP_BLOCK}\\b`));
    const c = readFileSync(new URL('../guest-images/diff-runner/runner.c', import.meta.url), 'utf8');
    expect(c).toContain(`rd32(f + 8) != ${VERSION}`);
  });

  it('round-trips F_FP cases (FPCR, FPSR, explicit V registers) through the binary file', () => {
    const bin = encodeCases(fpGen.cases);
    const back = decodeCases(bin);
    expect(encodeCases(back)).toEqual(bin);
    back.forEach((c, i) => {
      expect(c.flags & F_FP).toBe(F_FP);
      expect(initialState(c)).toEqual(initialState(fpGen.cases[i]));
    });
    expect(bin.length).toBe(HDR_SIZE + fpGen.cases.reduce((a, c) => a + caseSize(c), 0));
  });

  it('draws V0..V31 after the window, low half first, and lets explicit values replace them', () => {
    const c = newCase(0x1e602820, 99); // fadd d0, d1, d0
    c.flags = F_FP;
    c.fpcr = 0x03c00000;
    c.fpsr = 0x9f;
    c.vregs.set(5, (0x7ff8n << 112n) | 1n);
    const r = new StateRng(99);
    for (let i = 0; i < 31 + 1 + NSYS + WINDOW_WORDS; i++) r.next64();
    const lo0 = r.next64(), hi0 = r.next64();
    const st = initialState(c);
    expect(st.v.length).toBe(32);
    expect(st.v[0]).toBe((hi0 << 64n) | lo0);
    expect(st.v[5]).toBe((0x7ff8n << 112n) | 1n);
    expect([st.fpcr, st.fpsr]).toEqual([0x03c00000, 0x9f]);
    // Without F_FP there is no SIMD&FP state, and giving one is an error.
    const plain = newCase(0x8b020020, 99);
    expect(initialState(plain)).toMatchObject({ v: [], fpcr: 0, fpsr: 0 });
    plain.vregs.set(1, 1n);
    expect(() => encodeCases([plain])).toThrow(/F_FP/);
    const bad = encodeCases([newCase(0x8b020020, 1)]);
    bad[HDR_SIZE + 5] = 0x80;
    expect(() => decodeCases(bad)).toThrow(/flags/);
  });
});

describe('result fields q<n>=, fpsr=, fpcr=', () => {
  const line = 'C7 p=1 x3=0000000000000001 q0=7ff80000000000003ff0000000000000 q31=00000000000000000000000000000001 fpsr=10 fpcr=1000000';

  it('parse, print back unchanged and apply to the final state', () => {
    const r = parseResultLine(line)!;
    expect(r.v.get(0)).toBe(0x7ff80000000000003ff0000000000000n);
    expect([r.fpsr, r.fpcr]).toEqual([0x10, 0x1000000]);
    expect(formatResult(r)).toBe(line);
    const c = newCase(0x1e602820, 3);
    c.flags = F_FP;
    const f = finalState(initialState(c), r);
    expect(f.v[31]).toBe(1n);
    expect(f.fpsr).toBe(0x10);
  });

  it('are compared: a V register, FPSR or FPCR that differs is a mismatch', () => {
    const c = newCase(0x1e602820, 3);
    c.flags = F_FP;
    const q = parseResultLine('C0 p=1 q0=00000000000000003ff0000000000000 fpsr=10')!;
    expect(compareCase(c, q, q).ok).toBe(true);
    const wrongV = compareCase(c, q, parseResultLine('C0 p=1 q0=00000000000000013ff0000000000000 fpsr=10')!);
    expect(wrongV.ok).toBe(false);
    expect(wrongV.diffs.map((d) => d.field)).toEqual(['v0']);
    const noFlag = compareCase(c, q, parseResultLine('C0 p=1 q0=00000000000000003ff0000000000000')!);
    expect(noFlag.diffs.map((d) => d.field)).toEqual(['FPSR']);
    const fpcr = compareCase(c, q, parseResultLine('C0 p=1 q0=00000000000000003ff0000000000000 fpsr=10 fpcr=2000000')!);
    expect(fpcr.diffs.map((d) => d.field)).toEqual(['FPCR']);
  });
});

describe('SIMD&FP generation', () => {
  it('draws every SIMD&FP encoding, each word decoding to the intended entry, as F_FP cases', () => {
    const names = fpGen.cases.map((c) => matchEncoding(c.insn)!.name);
    expect(new Set(names)).toEqual(new Set(FP_NAMES));
    for (const c of fpGen.cases) {
      expect(c.flags & F_FP).toBe(F_FP);
      expect(c.fpcr & ~0x07c00000).toBe(0); // AHP, DN, FZ, RMode only
      expect(c.fpsr & ~0x0800009f).toBe(0); // QC and the cumulative flags
    }
    // Every rounding mode and control bit is used.
    const fpcrs = new Set(fpGen.cases.map((c) => c.fpcr));
    for (const rm of [0, 1, 2, 3]) expect([...fpcrs].some((v) => ((v >> 22) & 3) === rm)).toBe(true);
    for (const bit of [24, 25, 26]) expect([...fpcrs].some((v) => (v >> bit) & 1)).toBe(true);
    // Integer cases stay without SIMD&FP state.
    const ints = generate({ seed: 41, perEncoding: 1, fp: true, only: /^(ADD_imm|LDR_x_uimm)$/ }).cases;
    expect(ints.every((c) => !(c.flags & F_FP) && c.vregs.size === 0)).toBe(true);
  });

  it('puts the interesting values in the operand registers (both precisions)', () => {
    const r = new Rng32(5);
    const singles = Array.from({ length: 4000 }, () => fpValue(r, 32));
    const doubles = Array.from({ length: 4000 }, () => fpValue(r, 64));
    const cls32 = (v: bigint) => { const e = (v >> 23n) & 0xffn, m = v & 0x7fffffn; return e === 0xffn ? (m === 0n ? 'inf' : m >> 22n ? 'qnan' : 'snan') : e === 0n ? (m === 0n ? 'zero' : 'sub') : 'normal'; };
    const cls64 = (v: bigint) => { const e = (v >> 52n) & 0x7ffn, m = v & ((1n << 52n) - 1n); return e === 0x7ffn ? (m === 0n ? 'inf' : m >> 51n ? 'qnan' : 'snan') : e === 0n ? (m === 0n ? 'zero' : 'sub') : 'normal'; };
    for (const k of ['inf', 'qnan', 'snan', 'zero', 'sub', 'normal']) {
      expect(singles.filter((v) => cls32(v) === k).length, `single ${k}`).toBeGreaterThan(40);
      expect(doubles.filter((v) => cls64(v) === k).length, `double ${k}`).toBeGreaterThan(40);
    }
    for (const v of [0x4f000000n, 0xcf000000n, 0x5f000000n]) expect(singles).toContain(v); // conversion limits
    expect(doubles).toContain(0x43e0000000000000n);
    expect(fpVector(r, 32) >> 128n).toBe(0n);
    // Integer lanes (Advanced SIMD integer groups): the byte edges turn up.
    const bytes = Array.from({ length: 200 }, () => intVector(r, 8)).flatMap((v) => Array.from({ length: 16 }, (_, i) => (v >> BigInt(8 * i)) & 0xffn));
    for (const b of [0n, 0x7fn, 0x80n, 0xffn]) expect(bytes).toContain(b);
    // Operands are explicit most of the time (loads and stores name Vt only: the PRNG fills it).
    const ops = fpGen.cases.filter((c) => !matchEncoding(c.insn)!.fields.some((f) => f.name === 'Vt'));
    const withV = ops.filter((c) => c.vregs.size > 0).length;
    expect(withV / ops.length).toBeGreaterThan(0.8);
  });

  it('is counted by coverage, and the exclusion line appears only when no SIMD&FP case was drawn', () => {
    const rows = coverage(fpGen.cases);
    for (const r of rows.filter((x) => x.fp && FP_NAMES.includes(x.name))) expect([r.excluded, r.generated > 0]).toEqual([undefined, true]);
    expect(formatCoverage(rows)).toMatch(/SIMD&FP: \d+ of them over \d+ of \d+ SIMD&FP encodings/);
    const none = coverage(generate({ seed: 1, perEncoding: 1, fp: false, only: /^ADD_imm$/ }).cases);
    expect(none.filter((x) => x.fp).every((x) => x.excluded === FP_EXCLUDED)).toBe(true);
  });

  it('knows the SIMD&FP loads and stores: element size and count from the fields (llvm-mc words)', () => {
    const mi = (w: number) => { const e = matchEncoding(w)!; const m = memInfo(e.name, w)!; return [e.name, m.kind, m.size, m.count, m.mode, m.load]; };
    expect(mi(0x4c400000)).toEqual(['LD4_multi', 'vstruct', 1, 64, 'base', true]); // ld4 {v0.16b-v3.16b}, [x0]
    expect(mi(0x4c407c20)).toEqual(['LD1_x1_multi', 'vstruct', 8, 2, 'base', true]); // ld1 {v0.2d}, [x1]
    expect(mi(0xad410440)).toEqual(['LDP_Q_off', 'pair', 16, 2, 'off', true]); // ldp q0, q1, [x2, #32]
    expect(mi(0x0ddfb061)).toEqual(['LD3_single_SD_post', 'vstruct', 4, 3, 'post', true]); // ld3 {v1.s-v3.s}[1], [x3], #12
    expect(mi(0x0de5c480)).toEqual(['LD2R_post', 'vstruct', 2, 2, 'post', true]); // ld2r {v0.4h, v1.4h}, [x4], x5
    expect(mi(0x3d000c00)).toEqual(['STR_B_uimm', 'single', 1, 1, 'uimm', false]); // str b0, [x0, #3]
    expect(mi(0x3ce37841)).toEqual(['LDR_Q_reg', 'single', 16, 1, 'reg', true]); // ldr q1, [x2, x3, lsl #4]
  });

  it('shapes every SIMD&FP load/store into the window (no exclusion left)', () => {
    const vt = PARSED.filter((p) => p.fields.some((f) => f.name === 'Vt'));
    expect(vt.length).toBe(161);
    expect(vt.every((p) => !fpExcluded(p))).toBe(true);
    const g = generate({ seed: 5, perEncoding: 12, fp: true, only: new RegExp(`^(${vt.map((p) => p.name).join('|')})$`) });
    for (const p of vt) expect(g.counts.get(p.name), p.name).toBe(12);
    for (const c of g.cases) {
      const e = matchEncoding(c.insn)!;
      const m = memInfo(e.name, c.insn)!;
      const off = Number(effectiveAddress(c)! - BigInt(WINDOW_ADDR));
      expect(off >= 0 && off + m.size * m.count <= WINDOW_SIZE, `${e.name} ${c.insn.toString(16)} at ${off}`).toBe(true);
    }
  });

  it('materialises the V registers of an F_FP case for the minimiser', () => {
    const m = materialise(fpGen.cases[0]);
    expect(m.vregs.size).toBe(32);
    expect(initialState(m)).toEqual(initialState(fpGen.cases[0]));
  });
});
