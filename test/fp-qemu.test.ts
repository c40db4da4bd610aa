// The scalar floating-point instructions against QEMU 7.2: guest-images/fp.elf runs every case of
// test/helpers/fp-cases.ts (special and random operands; every rounding mode, with and without
// FZ and DN, and AHP for half-precision conversions) and prints one hash per group (instruction
// word and operand list) and FPCR value; QEMU's output is recorded in test/fixtures/qemu-output/fp.txt by
// `make -C guest-images record-fp`. Here the same cases run on a64vm, one instruction at a time,
// and every hash must match. (The guest itself sets FPCR with MSR, which a64vm gets from the
// SIMD&FP register work of issue 11; the cases are replayed directly so this test does not
// depend on it.)
//
// On a mismatch, build the guest with -DVERBOSE (it then prints every case) to find the case.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FpRig } from './helpers/fprig.ts';
import { PARSED, matchEncoding } from '../src/isa/encodings.ts';
import { GROUPS, LISTS, PATTERN, FNV_INIT, fnv32, caseCount, casesHeader, pack } from './helpers/fp-cases.ts';

const fixture = process.env.FP_FIXTURE ?? fileURLToPath(new URL('./fixtures/qemu-output/fp.txt', import.meta.url));
const images = fileURLToPath(new URL('../guest-images/', import.meta.url));
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;
const hex8 = (v: number) => v.toString(16).padStart(8, '0');

function qemuHashes(): Map<string, string> {
  const m = new Map<string, string>();
  const lines = readFileSync(fixture, 'utf8').split('\n');
  expect(lines[0]).toBe('fp: floating point');
  expect(lines).toContain('fp: done');
  for (const l of lines) {
    const p = l.split(' ');
    if (p.length === 4 && /^[0-9a-f]{8}$/.test(p[1])) m.set(`${p[0]} ${p[1]} ${p[2]}`, p[3]);
  }
  return m;
}

describe('scalar floating point vs QEMU', () => {
  const want = qemuHashes();
  const rig = new FpRig();
  const total = GROUPS.reduce((t, g) => t + g.fpcr.length, 0);

  it('the fixture has one line per instruction word and FPCR value', () => {
    expect(want.size).toBe(total);
  });

  it('every floating-point arithmetic encoding of the table has at least one group', () => {
    const FP_GROUPS = ['fp_dp1', 'fp_dp2', 'fp_dp3', 'fp_cmp', 'fp_move', 'fp_cvt', 'simd_fp2', 'simd_fp3'];
    const hit = new Set(GROUPS.map((g) => matchEncoding(g.word)?.name));
    const mine = PARSED.filter((p) => FP_GROUPS.includes(p.group));
    expect(mine.length).toBeGreaterThan(170);
    expect(mine.filter((p) => !hit.has(p.name)).map((p) => p.name)).toEqual([]);
  });

  // One test per encoding family, so a mismatch names it.
  const families = new Map<string, [number, (typeof GROUPS)[number]][]>();
  GROUPS.forEach((g, gi) => {
    const fam = g.name.split(' ')[0];
    if (!families.has(fam)) families.set(fam, []);
    families.get(fam)!.push([gi, g]);
  });
  for (const [fam, gs] of families) {
    it(`${fam}: ${gs.reduce((t, [, g]) => t + caseCount(g) * g.fpcr.length, 0)} cases`, () => {
      const bad: string[] = [];
      for (const [gi, g] of gs) {
        const L = LISTS[g.list];
        const n = L.length;
        // each list index's register image as 32-bit words: [lo, hi] halves
        const img = L.map((_, x) => pack(L, x, g.lanes).flatMap((v) => [Number(v & 0xffff_ffffn), Number(v >> 32n)]));
        const regs = new Uint32Array(24), out = new Uint32Array(8);
        const P = [Number(PATTERN & 0xffff_ffffn), Number(PATTERN >> 32n)];
        regs.set([...P, ...P], 12); regs.set(P, 22);
        for (const fpcr of g.fpcr) {
          let h = FNV_INIT;
          let trapped = 0;
          for (let i = 0; i < n; i++) {
            for (let jj = 0; jj < (g.arity === 1 ? 1 : n); jj++) {
              const j = g.arity === 1 ? (7 * i + 3) % n : jj;
              const a = img[i], b = img[j], c = img[(5 * i + 11 * j + 3) % n];
              regs.set(a, 0); regs.set(b, 4); regs.set(c, 8);
              regs[16] = a[0]; regs[17] = a[1]; regs[18] = b[0]; regs[19] = b[1]; regs[20] = c[0]; regs[21] = c[1];
              if (!rig.stepFast(g.word, regs, fpcr, ((3 * i + j) & 15) << 28, out)) trapped++;
              // as the guest: five 64-bit values, V3 lo, V3 hi, X3, FPSR, NZCV
              for (let k = 0; k < 7; k++) h = fnv32(h, out[k]);
              h = fnv32(fnv32(fnv32(h, 0), out[7]), 0);
            }
          }
          if (trapped) bad.push(`${g.name}: ${trapped} cases took an exception`);
          const key = `${gi} ${hex8(g.word)} ${hex8(fpcr)}`;
          if (want.get(key) !== hex8(h)) bad.push(`${g.name} (${key}): a64vm ${hex8(h)}, QEMU ${want.get(key)}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
});

describe('the fp guest', () => {
  it('cases.h is what test/helpers/fp-cases.ts generates', () => {
    expect(readFileSync(join(images, 'fp/cases.h'), 'utf8')).toBe(casesHeader());
  });

  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('rebuilds to the committed bytes', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'a64vm-fp-'));
    mkdirSync(join(tmp, 'fp'));
    for (const f of ['Makefile', 'link.ld', 'rt-start.S', 'rt.c', 'rt.h', 'fp/fp.c', 'fp/run.S', 'fp/cases.h']) {
      cpSync(join(images, f), join(tmp, f));
    }
    const r = spawnSync('make', ['-C', tmp, 'fp.elf'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(tmp, 'fp.elf')), readFileSync(join(images, 'fp.elf')))).toBe(0);
  });

  it.skipIf(!process.env.A64VM_LIVE_QEMU || !have('qemu-system-aarch64'))('QEMU still prints the recorded output', () => {
    const r = spawnSync('timeout', ['300', 'qemu-system-aarch64', '-M', 'virt', '-cpu', 'cortex-a57', '-nographic',
      '-kernel', join(images, 'fp.elf')], { encoding: 'utf8', input: '' });
    expect(r.stdout).toBe(readFileSync(fixture, 'utf8'));
  }, 400_000);
});
