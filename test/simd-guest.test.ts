// guest-images/simd.elf on a64vm against the output QEMU 7.2 gave for the same image, recorded in
// test/fixtures/qemu-output/simd.txt by `make -C guest-images record`:
//   timeout 20 qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -kernel simd.elf
// The guest checks the CPACR_EL1.FPEN traps (EC 0x07), the writable bits of FPCR and FPSR, and
// prints a hash of the architectural state after every instruction of guest-images/simd-cases.inc
// (SIMD&FP loads and stores, Advanced SIMD integer data processing: every arrangement) over
// several inputs, among them values at the signed and unsigned limits; the loads and stores run
// again with SCTLR_EL1.A = 1 and a misaligned base (with the alignment faults each raises). a64vm must print the same bytes except
// for the deviations named below.
//
// ordinary.elf (guest-images/ordinary/, C at -O2 without -mgeneral-regs-only or -mstrict-align, so
// clang vectorises it and uses floating point; MMU on) must print exactly what QEMU printed
// (test/fixtures/qemu-output/ordinary.txt).
//
// Booting needs build/cpu.wasm; the rebuild check needs clang, ld.lld and make. Set
// A64VM_LIVE_QEMU=1 to also run QEMU and check the fixture is still what it prints.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.ts';
import { Cpu } from '../src/cpu/cpu.ts';
import { ENCODINGS } from '../src/isa/encodings.ts';

const images = fileURLToPath(new URL('../guest-images/', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/qemu-output/', import.meta.url));
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;

/** a64vm prints `a64vm` exactly once where QEMU prints `qemu`. */
interface Deviation { name: string; why: string; qemu: string; a64vm: string }

const AARCH32_WHY = 'QEMU\'s cortex-a57 also implements AArch32, so FPCR keeps the AArch32 FPSCR fields Len [18:16] and ' +
  'Stride [21:20] and FPSR keeps N, Z, C, V [31:28] for context switching; a64vm is AArch64-only (ID_AA64PFR0_EL1.EL0 = ' +
  'EL1 = 1), where the Arm ARM makes those bits RES0';

const DEVIATIONS: Deviation[] = [
  {
    name: 'FPCR/FPSR all ones',
    why: AARCH32_WHY,
    qemu: 'FPCR <- 0x00000000ffffffff reads 0x0000000007f70000\nFPSR <- 0x00000000ffffffff reads 0x00000000f800009f\n' +
      'FPCR <- 0xffffffffffffffff reads 0x0000000007f70000\nFPSR <- 0xffffffffffffffff reads 0x00000000f800009f\n',
    a64vm: 'FPCR <- 0x00000000ffffffff reads 0x0000000007c00000\nFPSR <- 0x00000000ffffffff reads 0x000000000800009f\n' +
      'FPCR <- 0xffffffffffffffff reads 0x0000000007c00000\nFPSR <- 0xffffffffffffffff reads 0x000000000800009f\n',
  },
  {
    name: 'FPCR Len and Stride',
    why: AARCH32_WHY,
    qemu: 'FPCR <- 0x0000000000370000 reads 0x0000000000370000\n',
    a64vm: 'FPCR <- 0x0000000000370000 reads 0x0000000000000000\n',
  },
  {
    name: 'FPSR N, Z, C, V',
    why: AARCH32_WHY,
    qemu: 'FPSR <- 0x00000000f0000000 reads 0x00000000f0000000\n',
    a64vm: 'FPSR <- 0x00000000f0000000 reads 0x0000000000000000\n',
  },
];

const count = (s: string, sub: string) => s.split(sub).length - 1;
const recorded = () => ({
  stdout: readFileSync(join(fixtures, 'simd.txt'), 'utf8'),
  status: Number(readFileSync(join(fixtures, 'simd.status'), 'utf8').trim()),
});

describe('simd.elf on a64vm gives QEMU\'s output (less named deviations)', () => {
  it('prints the same bytes', async () => {
    const out: number[] = [];
    let err = '';
    const status = await main(['run', join(images, 'simd.elf')], { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
    let stdout = Buffer.from(out).toString('utf8');
    const qemu = recorded();
    for (const d of DEVIATIONS) {
      expect(count(stdout, d.a64vm), `deviation '${d.name}' no longer in a64vm's output`).toBe(1);
      expect(count(qemu.stdout, d.qemu), `deviation '${d.name}' not in QEMU's output`).toBe(1);
      stdout = stdout.replace(d.a64vm, d.qemu);
    }
    // Compare per instruction first, so that a failure names the instruction.
    const a = stdout.split('\n');
    const q = qemu.stdout.split('\n');
    for (let i = 0; i < Math.max(a.length, q.length); i++) {
      if (a[i] !== q[i]) expect(`${q[i - 1]}\n${a[i]}`, `line ${i + 1}`).toBe(`${q[i - 1]}\n${q[i]}`);
    }
    expect(stdout).toBe(qemu.stdout);
    expect(err).toBe('');
    expect(status).toBe(qemu.status);
  }, 60_000);

  it('the fixture covers what it should (a sanity check of the recording)', () => {
    const q = recorded().stdout;
    // FPEN = 0 and 2 trap EL1 with EC 0x07, ISS CV = 1, COND = 0b1110; FPEN = 1 and 3 do not.
    expect(q).toMatch(/FPEN = 0 at EL1\n mrs x0, fpcr\n {2}taken: EC 0x7 ESR_EL1 0x000000001fe00000\n/);
    expect(q).toMatch(/FPEN = 1 at EL1\n mrs x0, fpcr\n mrs x0, fpsr\n/);
    expect(q).toMatch(/FPEN = 2 at EL1\n mrs x0, fpcr\n {2}taken: EC 0x7/);
    // Every table entry printed a hash, the loads and stores twice (the misaligned pass took
    // alignment faults).
    const inc = readFileSync(join(images, 'simd-cases.inc'), 'utf8');
    const casesIn = (t: string) => t.split('\n').filter((l) => l.startsWith('CASE ')).length;
    const ldst = casesIn(inc.slice(0, inc.indexOf('MARK simd_ldst_cases_end')));
    expect(ldst).toBeGreaterThan(150);
    expect(count(q, '\n  0x')).toBe(casesIn(inc) + ldst);
    expect(q).toMatch(/ldr q5, \[x0, #48\]\n {2}taken: EC 0x25 ESR_EL1 0x0000000096000021 FAR_EL1 - buffer 0x00000000000000f1\n/);
    expect(q).toMatch(/simd test done\n$/);
  });
});

describe('ordinary.elf (C at -O2 without -mgeneral-regs-only) on a64vm gives QEMU\'s output', () => {
  it('prints the same bytes', async () => {
    const out: number[] = [];
    let err = '';
    const status = await main(['run', join(images, 'ordinary.elf')], { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
    expect(Buffer.from(out).toString('utf8')).toBe(readFileSync(join(fixtures, 'ordinary.txt'), 'utf8'));
    expect(err).toBe('');
    expect(status).toBe(Number(readFileSync(join(fixtures, 'ordinary.status'), 'utf8').trim()));
  });

  it('really runs compiler-generated SIMD: its code holds Advanced SIMD and SIMD&FP load/store instructions', () => {
    const elf = readFileSync(join(images, 'ordinary.elf'));
    const cpu = new Cpu();
    const groups = new Map<string, number>();
    // The words of .text (from the section headers).
    const shoff = Number(elf.readBigUInt64LE(0x28));
    const shnum = elf.readUInt16LE(0x3c);
    const strtab = Number(elf.readBigUInt64LE(shoff + 64 * elf.readUInt16LE(0x3e) + 24));
    let text: [number, number] | undefined;
    for (let i = 0; i < shnum; i++) {
      const sh = shoff + 64 * i;
      const at = strtab + elf.readUInt32LE(sh);
      if (elf.subarray(at, elf.indexOf(0, at)).toString() === '.text') text = [Number(elf.readBigUInt64LE(sh + 24)), Number(elf.readBigUInt64LE(sh + 32))];
    }
    expect(text).toBeDefined();
    for (let off = text![0]; off + 4 <= text![0] + text![1]; off += 4) {
      const d = cpu.decode(elf.readUInt32LE(off));
      if (d.op === 0 || d.encoding < 0) continue;
      const g = ENCODINGS[d.encoding].group;
      if (g.startsWith('simd') || g.startsWith('fp_')) groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    expect(groups.get('simd_ldst') ?? 0).toBeGreaterThan(10);
    expect(groups.get('simd_int') ?? 0).toBeGreaterThan(10);
    expect(groups.get('fp_move') ?? 0).toBeGreaterThan(0);
    expect(groups.get('fp_dp2') ?? 0).toBeGreaterThan(0); // FADD, FMUL, FDIV: the formatting
  });
});

describe('simd.elf and ordinary.elf', () => {
  const sources = ['Makefile', 'link.ld', 'rt-start.S', 'rt.c', 'rt.h', 'simd.c', 'simd-harness.S', 'simd-cases.inc', 'ordinary'];

  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('rebuild to the committed bytes', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'a64vm-simd-'));
    for (const f of sources) cpSync(join(images, f), join(tmp, f), { recursive: true });
    const r = spawnSync('make', ['-C', tmp, 'simd.elf', 'ordinary.elf'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const e of ['simd.elf', 'ordinary.elf']) expect(Buffer.compare(readFileSync(join(tmp, e)), readFileSync(join(images, e))), e).toBe(0);
  });

  it.skipIf(!process.env.A64VM_LIVE_QEMU || !have('qemu-system-aarch64'))('QEMU still prints the recorded output', () => {
    const run = (elf: string) => spawnSync('timeout', ['20', 'qemu-system-aarch64', '-M', 'virt', '-cpu', 'cortex-a57', '-nographic',
      '-kernel', join(images, elf)], { encoding: 'utf8', input: '' });
    const r = run('simd.elf');
    expect({ stdout: r.stdout, status: r.status }).toEqual(recorded());
    const a = run('ordinary.elf');
    expect(a.stdout).toBe(readFileSync(join(fixtures, 'ordinary.txt'), 'utf8'));
  }, 60_000);
});
