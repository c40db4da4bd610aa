// The a64vm command's MMIO guard options: --mmio-guard, --guard-violation, --trace guard.
// The runs need build/cpu.wasm; the usage errors do not.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.ts';

const DEMO = fileURLToPath(new URL('../guest-images/guard-demo.elf', import.meta.url));

async function cli(...argv: string[]) {
  const out: number[] = [];
  let err = '';
  const status = await main(argv, { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
  return { status, stdout: Buffer.from(out).toString(), stderr: err };
}

describe('usage errors: exit status 2 and a clear one-line message', () => {
  const cases: [string[], string][] = [
    [['run', DEMO, '--mmio-guard', 'rfc-v2'], "a64vm: --mmio-guard: 'rfc-v2' is not a guard profile (rfc-v1, android, mainline, off)\n"],
    [['run', DEMO, '--mmio-guard', ''], "a64vm: --mmio-guard: '' is not a guard profile (rfc-v1, android, mainline, off)\n"],
    [['run', DEMO, '--mmio-guard'], 'a64vm: --mmio-guard needs a value\n'],
    [['run', DEMO, '--guard-violation', 'panic'], "a64vm: --guard-violation: 'panic' is not serror or dabt\n"],
    [['run', DEMO, '--guard-violation', 'SError'], "a64vm: --guard-violation: 'SError' is not serror or dabt\n"],
    [['run', DEMO, '--guard-violation'], 'a64vm: --guard-violation needs a value\n'],
    [['run', DEMO, '--trace', 'guard,mmu'], "a64vm: --trace: unknown trace category 'mmu' (insn, exc, irq, hvc, mmio, guard or all)\n"],
    [['dtb', '--mmio-guard', 'android', '-o', '/dev/null'], 'a64vm: --mmio-guard is a run option\n'],
  ];
  for (const [argv, msg] of cases) {
    it(argv.slice(2).join(' '), async () => {
      const r = await cli(...argv);
      expect(r).toEqual({ status: 2, stdout: '', stderr: msg });
    });
  }

  it('--help lists the options', async () => {
    const r = await cli('--help');
    expect(r.stdout).toMatch(/--mmio-guard PROFILE/);
    expect(r.stdout).toMatch(/--guard-violation KIND/);
    expect(r.stdout).toMatch(/--trace LIST/);
  });
});

describe('runs', () => {
  it('--trace guard prints every call (function, arguments, result) and the violation', async () => {
    const r = await cli('run', DEMO, '--trace', 'guard');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('guard-demo: MMIO guard found, ABI rfc-v1');
    const lines = r.stderr.trim().split('\n').filter((l) => /guard/i.test(l));
    const calls = lines.filter((l) => !/violation|cleared|reset/i.test(l));
    // Function, arguments and result of each call, in order.
    const want: [string, string, string][] = [
      ['INFO', '0x0, 0x0, 0x0', '0x1000'], ['ENROLL', '0x0, 0x0, 0x0', '0x0'], ['MAP', '0x9000000, 0x0, 0x0', '0x0'],
      ['MAP', '0x9010000, 0x0, 0x0', '0x0'], ['UNMAP', '0x9010000, 0x0, 0x0', '0x0'], ['UNMAP', '0x9000000, 0x0, 0x0', '0x0'],
    ];
    expect(calls).toHaveLength(want.length);
    calls.forEach((l, i) => {
      const [fn, args, ret] = want[i];
      expect(l).toMatch(new RegExp(`\\b${fn}\\b.*${args}.*-> ${ret}\\b`));
      expect(l).toMatch(/pc[ =]0x4008[0-9a-f]+/i);
    });
    // The violation: PC, VA, IPA, size, read, what was injected.
    const v = lines.filter((l) => /violation/i.test(l));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(/pc[ =]0x4008[0-9a-f]+/i);
    expect(v[0]).toMatch(/VA 0x9010000/);
    expect(v[0]).toMatch(/IPA 0x9010000/);
    expect(v[0]).toMatch(/read (of )?4 byte/);
    expect(v[0]).toMatch(/serror/i);
  });

  it('--mmio-guard android --guard-violation dabt: the android ABI and a synchronous abort', async () => {
    const r = await cli('run', DEMO, '--mmio-guard', 'android', '--guard-violation', 'dabt', '--trace', 'guard');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ABI android');
    expect(r.stderr).toMatch(/\bINFO\b.*0x0, 0x0, 0x0.*-> 0x1000.*0x1\b/); // x1 = 1: the range calls exist
    expect(r.stderr).toMatch(/violation.*(data abort|dabt)/i);
    expect(r.stderr).toMatch(/\bMAP\b.*0x9000000, 0x0, 0x0.*-> 0x0.*0x1\b/); // x1 = 1 granule
  });

  it('--mmio-guard off: the demo finds no guard and still powers off cleanly', async () => {
    const r = await cli('run', DEMO, '--mmio-guard', 'off', '--trace', 'guard');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('does not offer the MMIO guard');
    expect(r.stderr).not.toMatch(/violation|MAP|ENROLL|INFO/);
  });
});
