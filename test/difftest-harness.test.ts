// The differential-testing harness itself (issue 7), without QEMU or a64vm: the case format, the
// generator, the golden data's consistency, an independent reference model checked against the
// committed QEMU results (it proves the runner sets up and reports state as the format says), the
// named QEMU deviations, and the minimiser.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { matchEncoding, PARSED } from '../src/isa/encodings.ts';
import {
  type Case, type Result, type State, Rng32, StateRng, newCase, encodeCases, decodeCases, initialState, parseResults,
  parseResultLine, formatResult, finalState, WINDOW_ADDR, SLOT_ADDR, F_MMU_OFF, F_FP, SLOT_SYS, u64,
} from '../src/tools/difftest/format.ts';
import { generate, EXCLUDED, FP_EXCLUDED, FP_CASES_DEFAULT, effectiveAddress } from '../src/tools/difftest/generate.ts';
import {
  compareCase, compareRuns, DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF, DEVIATION_QEMU_STXR_UNALIGNED_NO_FAULT,
  DEVIATION_QEMU_CLEARS_NZCV_ON_EXCEPTION,
} from '../src/tools/difftest/compare.ts';
import { coverage, formatCoverage } from '../src/tools/difftest/coverage.ts';
import { minimise, type BatchRunner } from '../src/tools/difftest/minimise.ts';
import { loadMeta, loadShard, loadGoldenCases, readShardResultText, shardOptions, SHARDS } from '../src/tools/difftest/golden.ts';
import { RUNNER_ELF } from '../src/tools/difftest/qemu.ts';

const meta = loadMeta();
/** The per-case checks below (reference model, addresses, line round trip) look at shard 0. */
const golden = loadShard(0, undefined, meta);
/** Every shard's cases (coverage). */
const allCases = loadGoldenCases(undefined, meta);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('case format', () => {
  it('round-trips cases through the binary file', () => {
    const g = generate({ seed: 7, perEncoding: 2 });
    const bin = encodeCases(g.cases);
    const back = decodeCases(bin);
    expect(back.length).toBe(g.cases.length);
    expect(encodeCases(back)).toEqual(bin);
    back.forEach((c, i) => expect(initialState(c)).toEqual(initialState(g.cases[i])));
  });

  it('rejects a corrupted file', () => {
    const bin = encodeCases([newCase(0xd503201f, 1)]);
    const bad = bin.slice(); bad[0] = 0x58;
    expect(() => decodeCases(bad)).toThrow(/magic/);
    expect(() => decodeCases(bin.slice(0, bin.length - 8))).toThrow();
  });

  it('round-trips committed result lines (the first 10,000 of shard 0)', () => {
    const lines = golden.text.trim().split('\n');
    expect(lines.length).toBe(golden.cases.length);
    for (const l of lines.slice(0, 10_000)) expect(formatResult(parseResultLine(l)!)).toBe(l);
  });

  it('parses runner output with its header, end line and errors', () => {
    const out = parseResults('boot noise\nA64DIFF 1 count=2 slot=40100100 window=40101f80\nC0 p=1 x3=0000000000000001\nC1 v=200 esr=f2000000 elr=+0 far=0 spsr=3c5 f=0\nEND 2\n');
    expect(out.header).toEqual({ count: 2, slot: SLOT_ADDR, window: WINDOW_ADDR });
    expect(out.ended).toBe(true);
    expect(out.results[1].vec).toBe(0x200);
    expect(out.results[1].nzcv).toBe(0);
    expect(out.other).toEqual(['boot noise']);
    expect(parseResults('ERR bad magic\n').errors).toEqual(['bad magic']);
  });

  it('draws the same PRNG stream as the runner (values fixed by runner.c)', () => {
    const r = new Rng32(0);
    // splitmix32 of 0x9e3779b9, 0x3c6ef372: the first two outputs of rng32() in runner.c
    expect([r.next(), r.next()]).toEqual([0x92ca2f0e, 0x3cd6e3f3]);
  });

  it('computes xorshift128+ in 32-bit halves exactly as in 64-bit arithmetic', () => {
    const M = (1n << 64n) - 1n;
    for (const seed of [0, 1, 0xffffffff, 0x5eed0007, 123456789]) {
      const q = new Rng32(seed);
      const w = () => (BigInt(q.next()) << 32n) | BigInt(q.next());
      let s0 = w();
      let s1 = w();
      if ((s0 | s1) === 0n) s0 = 1n;
      const r = new StateRng(seed);
      for (let i = 0; i < 200; i++) {
        let a = s0;
        const b = s1;
        s0 = b;
        a = (a ^ (a << 23n)) & M;
        s1 = a ^ b ^ (a >> 17n) ^ (b >> 26n);
        expect(r.next64()).toBe((s1 + b) & M);
      }
    }
  });
});

describe('generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = encodeCases(generate({ seed: 99, perEncoding: 3 }).cases);
    const b = encodeCases(generate({ seed: 99, perEncoding: 3 }).cases);
    const c = encodeCases(generate({ seed: 100, perEncoding: 3 }).cases);
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).not.toBe(sha256(c));
  });

  it('records the options each committed shard was drawn with', () => {
    // The committed cases are data (golden.ts says why); the options say where they came from.
    meta.shards.forEach((m, i) => expect(m.generator).toEqual(shardOptions(i)));
  });

  it('draws no SIMD&FP encoding when told not to (--no-fp)', () => {
    const drawn = generate({ seed: 3, perEncoding: 2, fp: false }).cases.map((c) => matchEncoding(c.insn)!);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.filter((e) => e.fp).map((e) => e.name)).toEqual([]);
  });

  it('keeps every memory access inside the window (plain loads and stores, MMU on)', () => {
    const outside: string[] = [];
    golden.cases.forEach((c, i) => {
      const ea = effectiveAddress(c);
      const enc = matchEncoding(c.insn)!;
      if (ea === undefined || /^PRF/.test(enc.name)) return;
      if (ea < BigInt(WINDOW_ADDR) || ea >= BigInt(WINDOW_ADDR + 256)) outside.push(`${enc.name} #${i}`);
    });
    expect(outside).toEqual([]);
  });

  it('covers every encoding (SIMD&FP ones when FP_CASES_DEFAULT) with at least 50 committed cases, 200,000 in all', () => {
    const cases = allCases.flat();
    expect(cases.length).toBeGreaterThanOrEqual(200_000);
    const rows = coverage(cases);
    for (const r of rows) {
      if ((r.fp && !FP_CASES_DEFAULT) || r.excluded) { expect(r.generated).toBe(0); continue; }
      expect(r.generated, `${r.name}: fewer than 50 committed cases (new encoding? run cli.ts --golden)`).toBeGreaterThanOrEqual(50);
    }
    expect(rows.length).toBe(PARSED.length);
    expect(Object.keys(EXCLUDED)).toEqual([]);
  });
});

describe('golden data', () => {
  it('matches the committed runner, and every shard its cases, with one result per case', () => {
    // The results depend on the runner's layout (ELR offsets of EL0 faults land in its stubs).
    expect(sha256(readFileSync(RUNNER_ELF)), 'diff-runner.elf changed: run cli.ts --golden').toBe(meta.runnerSha256);
    expect(meta.shards.length).toBe(SHARDS);
    meta.shards.forEach((m, i) => {
      expect(allCases[i].length).toBe(m.cases);
      // One line per case, in order (the shard tests parse them all).
      const text = i === 0 ? golden.text : readShardResultText(i, undefined, meta);
      const lines = text.split('\n');
      expect(lines.length).toBe(m.cases + 1);
      for (const k of [0, m.cases >> 1, m.cases - 1]) expect(lines[k].startsWith(`C${k.toString(16)} `)).toBe(true);
    });
    golden.results.forEach((r, i) => { if (r.index !== i) expect(r.index).toBe(i); });
    // The canonical case file: results on the UART (out_size 0), as QEMU ran it.
    expect(new DataView(golden.bin.buffer, golden.bin.byteOffset).getUint32(28, true)).toBe(0);
  });

  it('has one vitest file per shard', () => {
    for (let i = 0; i < SHARDS; i++) {
      expect(readFileSync(new URL(`./difftest-golden-${i}.test.ts`, import.meta.url), 'utf8')).toContain(`goldenShardSuite(${i})`);
    }
  });

  it('is compact: a few MB compressed', () => {
    const bytes = meta.shards.reduce((a, m) => a + m.casesBytes + m.resultsBytes, 0);
    expect(bytes).toBeLessThan(8_000_000); // about 5 MB of integer cases, about 2.2 MB of SIMD&FP ones (0.9 MB the loads/stores)
  });
});

// ---- an independent reference model for a few encodings ----
const M64 = (1n << 64n) - 1n;
const bits = (w: number, lsb: number, n: number) => (w >>> lsb) & ((1 << n) - 1);
const sx = (v: bigint, n: number) => BigInt.asIntN(n, v);
function condHolds(cond: number, nzcv: number): boolean {
  const N = (nzcv >> 3) & 1, Z = (nzcv >> 2) & 1, C = (nzcv >> 1) & 1, V = nzcv & 1;
  let r: boolean;
  switch (cond >> 1) {
    case 0: r = Z === 1; break;
    case 1: r = C === 1; break;
    case 2: r = N === 1; break;
    case 3: r = V === 1; break;
    case 4: r = C === 1 && Z === 0; break;
    case 5: r = N === V; break;
    case 6: r = N === V && Z === 0; break;
    default: r = true;
  }
  return (cond & 1) && cond !== 15 ? !r : r;
}
function addWithCarry(x: bigint, y: bigint, carry: bigint, n: number): [bigint, number] {
  const mask = (1n << BigInt(n)) - 1n;
  const us = (x & mask) + (y & mask) + carry;
  const ss = sx(x, n) + sx(y, n) + carry;
  const res = us & mask;
  const N = Number(res >> BigInt(n - 1)), Z = res === 0n ? 1 : 0;
  const C = us === res ? 0 : 1, V = sx(res, n) === ss ? 0 : 1;
  return [res, (N << 3) | (Z << 2) | (C << 1) | V];
}
function shiftReg(v: bigint, type: number, amt: number, n: number): bigint {
  const mask = (1n << BigInt(n)) - 1n;
  v &= mask;
  const a = BigInt(amt);
  switch (type) {
    case 0: return (v << a) & mask;
    case 1: return v >> a;
    case 2: return BigInt.asUintN(n, sx(v, n) >> a);
    default: return amt === 0 ? v : ((v >> a) | (v << (BigInt(n) - a))) & mask;
  }
}

interface Expect { pad?: number; vec?: number; esr?: bigint; reg?: [number, bigint]; nzcv?: number; win?: [number, number, bigint]; vreg?: [number, bigint] }
/** The reference's prediction, or undefined for encodings (and cases) it does not model. */
function reference(c: Case, st: State): Expect | undefined {
  const w = c.insn >>> 0;
  const name = matchEncoding(w)!.name;
  const sf = w >>> 31, n = sf ? 64 : 32, mask = sf ? M64 : 0xffffffffn;
  const rd = bits(w, 0, 5), rn = bits(w, 5, 5), rm = bits(w, 16, 5);
  const X = (r: number) => (r === 31 ? 0n : st.x[r]);
  const out = (v: bigint): Expect => ({ pad: 1, reg: [rd, v & mask] });
  const UNDEF: Expect = { vec: 0x200, esr: 0x2000000n };
  switch (name) {
    case 'MOVZ': case 'MOVN': case 'MOVK': {
      const hw = bits(w, 21, 2);
      if (!sf && hw >= 2) return UNDEF;
      const imm = BigInt(bits(w, 5, 16)) << BigInt(hw * 16);
      if (name === 'MOVZ') return out(imm);
      if (name === 'MOVN') return out(~imm);
      return out((X(rd) & ~(0xffffn << BigInt(hw * 16))) | imm);
    }
    case 'ADD_shift': case 'SUB_shift': case 'ADDS_shift': case 'SUBS_shift': {
      const type = bits(w, 22, 2), amt = bits(w, 10, 6);
      if (type === 3 || (!sf && amt >= 32)) return UNDEF;
      let op2 = shiftReg(X(rm), type, amt, n);
      const sub = name.startsWith('SUB');
      if (sub) op2 = ~op2 & mask;
      const [res, flags] = addWithCarry(X(rn), op2, sub ? 1n : 0n, n);
      const e = out(res);
      if (name.includes('S_')) e.nzcv = flags;
      return e;
    }
    case 'AND_shift': case 'ORR_shift': case 'EOR_shift': case 'ANDS_shift': {
      const amt = bits(w, 10, 6);
      if (!sf && amt >= 32) return UNDEF;
      const op2 = shiftReg(X(rm), bits(w, 22, 2), amt, n);
      const a = X(rn) & mask;
      const res = name === 'ORR_shift' ? a | op2 : name === 'EOR_shift' ? a ^ op2 : a & op2;
      const e = out(res);
      if (name === 'ANDS_shift') e.nzcv = (Number((res >> BigInt(n - 1)) & 1n) << 3) | ((res === 0n ? 1 : 0) << 2);
      return e;
    }
    case 'CSEL': case 'CSINC': case 'CSINV': case 'CSNEG': {
      if (condHolds(bits(w, 12, 4), c.nzcv)) return out(X(rn));
      const b = X(rm) & mask;
      return out(name === 'CSEL' ? b : name === 'CSINC' ? b + 1n : name === 'CSINV' ? ~b : -b);
    }
    case 'UDIV': case 'SDIV': {
      const a = X(rn) & mask, b = X(rm) & mask;
      if (b === 0n) return out(0n);
      if (name === 'UDIV') return out(a / b);
      return out(BigInt.asUintN(n, sx(a, n) / sx(b, n)));
    }
    case 'LSLV': return out(shiftReg(X(rn), 0, Number((X(rm) & mask) % BigInt(n)), n));
    case 'ADR': return { pad: 1, reg: [rd, u64(BigInt(SLOT_ADDR) + sx(BigInt((bits(w, 5, 19) << 2) | bits(w, 29, 2)), 21))] };
    case 'B_cond': return { pad: condHolds(bits(w, 0, 4), c.nzcv) ? Number(sx(BigInt(bits(w, 5, 19)), 19)) : 1 };
    case 'B': return { pad: Number(sx(BigInt(bits(w, 0, 26)), 26)) };
    case 'BL': return { pad: Number(sx(BigInt(bits(w, 0, 26)), 26)), reg: [30, BigInt(SLOT_ADDR + 4)] };
    case 'CBZ': case 'CBNZ': {
      const zero = (X(rd) & mask) === 0n;
      return { pad: zero === (name === 'CBZ') ? Number(sx(BigInt(bits(w, 5, 19)), 19)) : 1 };
    }
    case 'TBZ': case 'TBNZ': {
      const bit = (sf << 5) | bits(w, 19, 5);
      const set = ((X(rd) >> BigInt(bit)) & 1n) === 1n;
      return { pad: set === (name === 'TBNZ') ? Number(sx(BigInt(bits(w, 5, 14)), 14)) : 1 };
    }
    case 'SVC': return { vec: 0x200, esr: (0x15n << 26n) | (1n << 25n) | BigInt(bits(w, 5, 16)) };
    case 'BRK': return { vec: 0x200, esr: (0x3cn << 26n) | (1n << 25n) | BigInt(bits(w, 5, 16)) };
    case 'HINT': case 'DMB': case 'DSB': case 'ISB': case 'CLREX': return { pad: 1 };
    case 'LDR_x_uimm': case 'LDRB_uimm': case 'STR_x_uimm': {
      if (c.flags) return undefined;
      const size = name === 'LDRB_uimm' ? 1 : 8;
      const ea = Number(effectiveAddress(c, st)! - BigInt(WINDOW_ADDR));
      const win = new DataView(new ArrayBuffer(256));
      st.win.forEach((v, i) => win.setBigUint64(i * 8, v, true));
      if (name === 'STR_x_uimm') return { pad: 1, win: [ea, 8, X(rd)] };
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(win.getUint8(ea + i));
      return { pad: 1, reg: [rd, v] };
    }
    // SIMD&FP loads and stores (MMU on, SCTLR_EL1.A = 0: any alignment): Q and D from/to the
    // window, little-endian; LD1R replicates one element of 1 << size bytes over 8 << Q bytes.
    case 'LDR_Q_uimm': case 'STR_D_uimm': case 'LD1R': {
      if (c.flags & ~F_FP) return undefined;
      const ea = Number(effectiveAddress(c, st)! - BigInt(WINDOW_ADDR));
      const win = new DataView(new ArrayBuffer(256));
      st.win.forEach((v, i) => win.setBigUint64(i * 8, v, true));
      const le = (o: number, k: number) => { let v = 0n; for (let i = k - 1; i >= 0; i--) v = (v << 8n) | BigInt(win.getUint8(o + i)); return v; };
      if (name === 'STR_D_uimm') return { pad: 1, win: [ea, 8, st.v[rd] & M64] };
      if (name === 'LDR_Q_uimm') return { pad: 1, vreg: [rd, le(ea, 16)] };
      if (bits(w, 12, 1)) return UNDEF; // LD1R with S = 1
      const esize = 1 << bits(w, 10, 2), e = le(ea, esize);
      let v = 0n;
      for (let i = 0; i < (8 << bits(w, 30, 1)) / esize; i++) v |= e << BigInt(8 * esize * i);
      return { pad: 1, vreg: [rd, v] };
    }
    // FMOV (general): the moves the runner itself uses for the V registers (F_FP cases only)
    case 'FMOV_x_d': return { pad: 1, reg: [rd, st.v[rn] & M64] };
    case 'FMOV_x_v1': return { pad: 1, reg: [rd, st.v[rn] >> 64n] };
    case 'FMOV_d_x': return { pad: 1, vreg: [rd, X(rn)] };
    case 'FMOV_v1_x': return { pad: 1, vreg: [rd, (X(rn) << 64n) | (st.v[rd] & M64)] };
    case 'MRS': {
      const key = bits(w, 5, 15);
      const sysByKey: Record<number, number> = { 0x5e82: 0, 0x4684: 1, 0x4681: 2, 0x4208: 3, 0x4201: 4, 0x4200: 5, 0x4290: 6, 0x4300: 7, 0x5e83: 8 };
      if (key === 0x5a10) return { pad: 1, reg: [rd, BigInt(c.nzcv) << 28n] }; // NZCV
      if (sysByKey[key] === undefined) return undefined;
      return { pad: 1, reg: [rd, st.sys[sysByKey[key]]] };
    }
  }
  return undefined;
}

describe('the committed QEMU results agree with an independent reference model', () => {
  it('for moves, arithmetic, logic, selects, divides, shifts, ADR, branches, SVC/BRK, hints, loads, stores (SIMD&FP ones too) and MRS', () => {
    const checked = new Map<string, number>();
    const failures: string[] = [];
    golden.cases.forEach((c, i) => {
      const st = initialState(c);
      const e = reference(c, st);
      if (!e) return;
      const name = matchEncoding(c.insn)!.name;
      const f = finalState(st, golden.results[i]);
      const bad: string[] = [];
      if (e.pad !== undefined && f.pad !== e.pad) bad.push(`pad ${f.pad} want ${e.pad}`);
      if (e.vec !== undefined && (f.vec !== e.vec || f.esr !== e.esr)) bad.push(`exception ${f.vec}/${f.esr?.toString(16)} want ${e.vec}/${e.esr?.toString(16)}`);
      if (e.reg && e.reg[0] !== 31 && f.x[e.reg[0]] !== e.reg[1]) bad.push(`x${e.reg[0]}=${f.x[e.reg[0]].toString(16)} want ${e.reg[1].toString(16)}`);
      if (e.nzcv !== undefined && f.nzcv !== e.nzcv) bad.push(`nzcv ${f.nzcv} want ${e.nzcv}`);
      if (e.vreg && f.v[e.vreg[0]] !== e.vreg[1]) bad.push(`v${e.vreg[0]}=${f.v[e.vreg[0]].toString(16)} want ${e.vreg[1].toString(16)}`);
      if (e.win) {
        const dv = new DataView(new ArrayBuffer(256));
        f.win.forEach((v, k) => dv.setBigUint64(k * 8, v, true));
        if (dv.getBigUint64(e.win[0], true) !== e.win[2]) bad.push(`window+${e.win[0]} differs`);
      }
      if (bad.length) failures.push(`#${i} ${name} ${c.insn.toString(16)}: ${bad.join(', ')}`);
      checked.set(name, (checked.get(name) ?? 0) + 1);
    });
    expect(failures.slice(0, 20)).toEqual([]);
    expect(checked.size).toBeGreaterThanOrEqual(35);
    expect(['LDR_Q_uimm', 'STR_D_uimm', 'LD1R'].map((k) => (checked.get(k) ?? 0) >= 8)).toEqual([true, true, true]);
    expect([...checked.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(2000);
  });
});

// ---- deviations ----
function ldrCase(insn: number, base: bigint, flags = 0): Case {
  const c = newCase(insn, 1234);
  c.regs.set(1, base);
  c.flags = flags;
  c.nzcv = 0b1010;
  return c;
}
const res = (line: string) => parseResultLine(line)!;

describe('named QEMU deviations', () => {
  // ldr x0, [x1] / str x0, [x1]
  const LDR = 0xf9400020, STR = 0xf9000020;

  it(`${DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF.id}: a64vm must fault where QEMU does not`, () => {
    const c = ldrCase(LDR, BigInt(WINDOW_ADDR + 3), F_MMU_OFF);
    const init = initialState(c);
    const qemu = res('C0 p=1 x0=0123456789abcdef');
    const faulted = res(`C0 v=200 esr=96000021 elr=+0 far=${(WINDOW_ADDR + 3).toString(16)} spsr=a00003c5`);
    const ok = compareCase(c, qemu, faulted, init);
    expect(ok.ok).toBe(true);
    expect(ok.deviations).toEqual([DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF.id]);
    // Doing what QEMU does is a mismatch.
    const same = compareCase(c, qemu, qemu, init);
    expect(same.ok).toBe(false);
    expect(same.diffs.map((d) => d.field)).toContain('exit');
    // A store must report WnR and leave memory alone.
    const s = ldrCase(STR, BigInt(WINDOW_ADDR + 5), F_MMU_OFF);
    const sq = res('C0 p=1 w0=0000000000000000');
    expect(compareCase(s, sq, res(`C0 v=200 esr=96000061 elr=+0 far=${(WINDOW_ADDR + 5).toString(16)} spsr=a00003c5`)).ok).toBe(true);
    expect(compareCase(s, sq, res(`C0 v=200 esr=96000021 elr=+0 far=${(WINDOW_ADDR + 5).toString(16)} spsr=a00003c5`)).ok).toBe(false);
  });

  it(`${DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF.id}: does not apply to aligned accesses, to the MMU on, or when QEMU faults`, () => {
    const aligned = ldrCase(LDR, BigInt(WINDOW_ADDR + 8), F_MMU_OFF);
    const q = res('C0 p=1 x0=0000000000000001');
    expect(compareCase(aligned, q, q).deviations).toEqual([]);
    const mmuOn = ldrCase(LDR, BigInt(WINDOW_ADDR + 3), 0);
    expect(compareCase(mmuOn, q, q).ok).toBe(true);
    const qf = res(`C0 v=200 esr=96000021 elr=+0 far=${(WINDOW_ADDR + 3).toString(16)} spsr=a00003c5 f=0`);
    const un = ldrCase(LDR, BigInt(WINDOW_ADDR + 3), F_MMU_OFF);
    expect(compareCase(un, qf, qf).deviations).not.toContain(DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF.id);
  });

  it(`${DEVIATION_QEMU_STXR_UNALIGNED_NO_FAULT.id}: an unaligned store-exclusive faults`, () => {
    // stxr w2, x0, [x1]
    const c = ldrCase(0xc8027c20, BigInt(WINDOW_ADDR + 4));
    const q = res('C0 p=1 x2=0000000000000001');
    const a = res(`C0 v=200 esr=96000061 elr=+0 far=${(WINDOW_ADDR + 4).toString(16)} spsr=a00003c5`);
    const cmp = compareCase(c, q, a);
    expect(cmp.ok).toBe(true);
    expect(cmp.deviations).toEqual([DEVIATION_QEMU_STXR_UNALIGNED_NO_FAULT.id]);
    expect(compareCase(c, q, q).ok).toBe(false);
    const aligned = ldrCase(0xc8027c20, BigInt(WINDOW_ADDR + 8));
    expect(compareCase(aligned, q, q)).toMatchObject({ ok: true, deviations: [] });
  });

  it(`${DEVIATION_QEMU_CLEARS_NZCV_ON_EXCEPTION.id}: flags survive exception entry`, () => {
    const c = newCase(0xd4200000, 5); // brk #0
    c.nzcv = 0b0110;
    const q = res('C0 v=200 esr=f2000000 elr=+0 far=0 spsr=600003c5 f=0');
    const a = res('C0 v=200 esr=f2000000 elr=+0 far=0 spsr=600003c5');
    expect(compareCase(c, q, a)).toMatchObject({ ok: true, deviations: [DEVIATION_QEMU_CLEARS_NZCV_ON_EXCEPTION.id] });
    expect(compareCase(c, q, q).ok).toBe(false);
    // Flags already zero: nothing to correct.
    const z = newCase(0xd4200000, 5);
    const qz = res('C0 v=200 esr=f2000000 elr=+0 far=0 spsr=3c5');
    expect(compareCase(z, qz, qz)).toMatchObject({ ok: true, deviations: [] });
  });

  it('masks what the architecture leaves UNKNOWN (FAR after an SVC) and IMPLEMENTATION DEFINED SPSR bits', () => {
    const c = newCase(0xd4000021, 5); // svc #1
    const q = res('C0 v=200 esr=56000001 elr=+4 far=1234 spsr=3c5');
    expect(compareCase(c, q, res('C0 v=200 esr=56000001 elr=+4 far=5678 spsr=10003c5')).ok).toBe(true);
    expect(compareCase(c, q, res('C0 v=200 esr=56000001 elr=+0 far=1234 spsr=3c5')).ok).toBe(false);
  });

  it('compareRuns reports cases missing on one side', () => {
    const cs = [newCase(0xd503201f, 1), newCase(0xd503201f, 2)];
    const s = compareRuns(cs, [res('C0 p=1'), res('C1 p=1')], [res('C0 p=1')]);
    expect(s.compared).toBe(1);
    expect(s.missing).toEqual([{ index: 1, side: 'a64vm' }]);
  });
});

describe('minimiser', () => {
  it('keeps only the inputs that matter for the mismatch', async () => {
    // A fake pair of emulators running "add x0, x1, x2": the one under test gets it wrong when x7 is odd.
    const fake: BatchRunner = async (cases) => {
      const qemu: Result[] = [], a64: Result[] = [];
      cases.forEach((c, index) => {
        const st = initialState(c);
        const sum = u64(st.x[1] + st.x[2]);
        const line = (v: bigint) => parseResultLine(`C${index.toString(16)} p=1${v === st.x[0] ? '' : ' x0=' + v.toString(16).padStart(16, '0')}`)!;
        qemu.push(line(sum));
        a64.push(line(st.x[7] & 1n ? u64(sum + 1n) : sum));
      });
      return { qemu, a64 };
    };
    const c = newCase(0x8b020020, 77);
    c.regs.set(7, 0x1235n);
    const [m] = await minimise([c], fake);
    const nonzero = [...m.regs].filter(([, v]) => v !== 0n).map(([k]) => k);
    expect(nonzero).toEqual([7]);
    expect([...m.win.values()].every((v) => v === 0n)).toBe(true);
    expect(m.regs.get(SLOT_SYS)).toBe(0n);
  });
});
