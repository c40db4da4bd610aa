// Robustness: 1,000,000 pseudo-random instruction words (seeded, deterministic), each executed
// once (budget 1) at EL1 or EL0 with random register values, MMU off, VBAR at a vector table.
// Whatever the word does, the host must never see an exception, and afterwards the architectural
// invariants must hold: EL is 0 or 1, SPSel is 0 or 1, DAIF has only bits 9:6, NZCV only bits
// 31:28, the zero-register slot reads 0, and the exit reason is one the host knows.
//
// Speed: one Cpu; the state block is restored from a snapshot with one typed-array copy; the
// registers are filled through a Uint32Array; run() is called on the wasm export directly.
import { describe, it, expect } from 'vitest';
import { layout as L } from '../src/cpu/cpu.ts';
import { SysRig, CODE } from './helpers/sysrig.ts';

/** mulberry32: a small deterministic 32-bit PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

// Top bytes that land in the system, branch, load/store and atomic spaces, so that a good share
// of the words exercise MSR/MRS/SYS, exception generation, ERET and memory accesses.
const BIASED_TOP = [
  0xd4, 0xd5, 0xd5, 0xd5, 0xd6, 0x54, 0x14, 0x94, 0x34, 0xb4, 0x36, 0xb7,
  0xf8, 0xf9, 0xb8, 0xb9, 0x38, 0x39, 0x78, 0x79, 0xa9, 0x29, 0xc8, 0x88, 0x08, 0x48,
];

// Fixed-encoding words that uniform random words almost never hit (llvm-mc): eret, wfi, wfe,
// sevl, clrex, isb, msr daifclr/daifset #0xf, msr spsel #0/#1, drps, svc/hvc/smc/brk #0, hlt #0xf000.
const FIXED = [
  0xd69f03e0, 0xd503207f, 0xd503205f, 0xd50320bf, 0xd5033f5f, 0xd5033fdf, 0xd5034fff, 0xd5034fdf,
  0xd50040bf, 0xd50041bf, 0xd6bf03e0, 0xd4000001, 0xd4000002, 0xd4000003, 0xd4200000, 0xd45e0000,
];

// Exit codes the host knows about for a guest with semihosting off (layout.ts EXIT_*).
const KNOWN_EXITS = new Set([L.EXIT_BUDGET, L.EXIT_HVC, L.EXIT_SMC, L.EXIT_DABT, L.EXIT_IABT, L.EXIT_WFI]);

interface Failure { i: number; word: string; el: number; what: string }

function campaign(seed: number, count: number): { failures: Failure[]; exits: Record<number, number>; el0: number } {
  const rig = new SysRig();
  const cpu = rig.cpu;
  rig.cpu.setSysreg('SPSR_EL1', 0n);
  const codeAddr = rig.addr(CODE);
  const snapshot = cpu.bytes(L.STATE, L.STATE_END - L.STATE).slice();
  const next = prng(seed);
  const failures: Failure[] = [];
  const exits: Record<number, number> = {};
  let el0 = 0;
  let buf = cpu.memory.buffer;
  let state = new Uint8Array(buf, L.STATE, L.STATE_END - L.STATE);
  let u32 = new Uint32Array(buf);
  const W = (addr: number) => addr >>> 2;
  const run = cpu.exports.run;
  for (let i = 0; i < count; i++) {
    if (cpu.memory.buffer !== buf) {
      buf = cpu.memory.buffer;
      state = new Uint8Array(buf, L.STATE, L.STATE_END - L.STATE);
      u32 = new Uint32Array(buf);
    }
    state.set(snapshot);
    // Registers X0..X30 and the live SP (slot 32); slot 31 (XZR) stays 0.
    for (let r = 0; r < 33; r++) {
      if (r === 31) continue;
      const lo = next();
      const kind = lo & 3;
      const base = W(L.X0 + 8 * r);
      if (kind === 0) { u32[base] = next() & 0x1ffffff; u32[base + 1] = 0; } // near the RAM (32 MiB)
      else { u32[base] = next(); u32[base + 1] = next(); }
    }
    for (const reg of [L.SPSR_EL1, L.ELR_EL1, L.SP_EL0, L.SP_EL1]) { u32[W(reg)] = next(); u32[W(reg) + 1] = next(); }
    u32[W(L.NZCV)] = (next() & 0xf0000000) >>> 0;
    u32[W(L.DAIF)] = next() & 0x3c0;
    const atEL0 = (next() & 7) === 0;
    if (atEL0) { u32[W(L.CURRENT_EL)] = 0; u32[W(L.SPSEL)] = 0; el0++; }
    else { u32[W(L.CURRENT_EL)] = 1; u32[W(L.SPSEL)] = next() & 1; }
    u32[W(L.FETCH_TAG)] = 0xffffffff; u32[W(L.FETCH_TAG) + 1] = 0xffffffff;
    const sel = next();
    const word = (sel & 31) === 1 ? FIXED[(sel >>> 5) % FIXED.length]
      : (sel & 3) === 0 ? ((BIASED_TOP[(sel >>> 2) % BIASED_TOP.length] << 24) | (next() & 0xffffff)) >>> 0
      : next();
    u32[codeAddr >>> 2] = word;
    let code: number;
    try {
      code = run(1);
    } catch (e) {
      failures.push({ i, word: word.toString(16).padStart(8, '0'), el: atEL0 ? 0 : 1, what: `host exception: ${(e as Error).message}` });
      if (failures.length > 20) break;
      continue;
    }
    if (cpu.memory.buffer !== buf) { buf = cpu.memory.buffer; state = new Uint8Array(buf, L.STATE, L.STATE_END - L.STATE); u32 = new Uint32Array(buf); }
    exits[code] = (exits[code] ?? 0) + 1;
    const el = u32[W(L.CURRENT_EL)], spsel = u32[W(L.SPSEL)], daif = u32[W(L.DAIF)], nzcv = u32[W(L.NZCV)];
    const bad: string[] = [];
    if (el !== 0 && el !== 1) bad.push(`EL ${el}`);
    if (spsel !== 0 && spsel !== 1) bad.push(`SPSel ${spsel}`);
    if ((daif & ~0x3c0) !== 0) bad.push(`DAIF 0x${daif.toString(16)}`);
    if ((nzcv & 0x0fffffff) !== 0) bad.push(`NZCV 0x${nzcv.toString(16)}`);
    if (u32[W(L.XZR)] !== 0 || u32[W(L.XZR) + 1] !== 0) bad.push('XZR slot not zero');
    if (!KNOWN_EXITS.has(code)) bad.push(`exit code ${code}`);
    if (bad.length) {
      failures.push({ i, word: word.toString(16).padStart(8, '0'), el: atEL0 ? 0 : 1, what: bad.join(', ') });
      if (failures.length > 20) break;
    }
  }
  return { failures, exits, el0 };
}

describe('robustness: 1,000,000 random words, one at a time', () => {
  const PARTS = 4, PER = 250_000;
  for (let p = 0; p < PARTS; p++) {
    it(`words ${p * PER}..${(p + 1) * PER - 1} (seed ${0x5eed0000 + p})`, () => {
      const { failures, exits, el0 } = campaign(0x5eed0000 + p, PER);
      expect(failures).toEqual([]);
      // The campaign really ran: every word was counted, a share at EL0, several kinds of exit.
      expect(Object.values(exits).reduce((a, b) => a + b, 0)).toBe(PER);
      expect(el0).toBeGreaterThan(PER / 10);
      expect(exits[L.EXIT_BUDGET]).toBeGreaterThan(PER / 2);
      expect(exits[L.EXIT_DABT] ?? 0).toBeGreaterThan(0);
      expect(exits[L.EXIT_HVC] ?? 0).toBeGreaterThan(0);
      expect(exits[L.EXIT_SMC] ?? 0).toBeGreaterThan(0);
      expect(exits[L.EXIT_WFI] ?? 0).toBeGreaterThan(0);
    });
  }
});
