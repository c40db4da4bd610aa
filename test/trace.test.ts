// Traces (src/tools/trace.ts, `a64vm run --trace ...`): one line per retired instruction with the
// registers it changed; exceptions, interrupts, hypercalls, MMIO and guard events; tracing does
// not change the run.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VM } from '../src/vm.ts';
import { main } from '../src/cli.ts';
import { Tracer, parseTraceCategories } from '../src/tools/trace.ts';

const img = (p: string) => fileURLToPath(new URL(`../guest-images/${p}`, import.meta.url));
const kernel = (p: string) => ({ data: new Uint8Array(readFileSync(img(p))), name: p });
const tmp = mkdtempSync(join(tmpdir(), 'a64vm-trace-'));

/** Runs image untraced for `skip` instructions (past the bench guests' .bss clearing), then traced. */
async function traced(image: string, cats: string, opts: { budget?: bigint; smp?: number; quantum?: number; skip?: bigint } = {}) {
  const vm = await VM.create({ kernel: kernel(image), smp: opts.smp, quantum: opts.quantum });
  if (opts.skip) vm.run({ budget: opts.skip });
  const lines: string[] = [];
  const t = new Tracer(vm, parseTraceCategories(cats), (l) => lines.push(l)).attach();
  const r = t.run({ budget: opts.budget });
  t.detach();
  return { vm, r, lines };
}

describe('--trace insn', () => {
  it('one line per retired instruction: cpu, pc, encoding, disassembly, changed registers', async () => {
    const { r, lines } = await traced('hello.elf', 'insn');
    const plain = await VM.create({ kernel: kernel('hello.elf') });
    const p = plain.run();
    expect(r.output).toBe(p.output);
    expect(r.instructions).toBe(p.instructions);
    expect(BigInt(lines.length)).toBe(r.instructions);
    // start.S: ldr x1, =__stack_top; mov sp, x1
    expect(lines[0]).toMatch(/^cpu0 0000000040080000: [0-9a-f]{8} {2}ldr x1, #0x[0-9a-f]+ +x1=0x4008[0-9a-f]+$/);
    expect(lines[1]).toMatch(/^cpu0 0000000040080004: 9100003f {2}mov sp, x1 +sp=0x4008[0-9a-f]+$/);
    expect(lines[4]).toMatch(/cmp x1, x2 +nzcv=/);
    expect(lines.at(-1)).toMatch(/hvc #0/);
  });

  it('SIMD&FP registers a vectorised guest changes: V<n> in full, and FMOV (general) to X', async () => {
    const { lines } = await traced('ordinary.elf', 'insn', { budget: 40_000n });
    expect(lines.some((l) => / movi v\d+\.(16b|2d), #.* v\d+=0x[0-9a-f]{32}( |$)/.test(l))).toBe(true);
    expect(lines.some((l) => / (ldr|ldp) q\d+, .* v\d+=0x[0-9a-f]{32}/.test(l))).toBe(true);
    expect(lines.some((l) => / fmov [wx]\d+, [sd]\d+ +[wx]?x\d+=0x/.test(l))).toBe(true);
  });

  it('a guest with the MMU on (instructions read through the guest page tables)', async () => {
    const { lines, vm } = await traced('bench/ptrchase-mmuon.elf', 'insn', { budget: 5_000n, skip: 3_000_000n });
    expect(vm.cpu.sysreg('SCTLR_EL1') & 1n).toBe(1n);
    expect(lines).toHaveLength(5_000);
    expect(lines.filter((l) => l.includes('not readable'))).toEqual([]);
    expect(lines.some((l) => /ldr [wx]\d+, \[x\d+/.test(l))).toBe(true);
  });
});

describe('--trace exc, irq, hvc, mmio, guard', () => {
  it('exc: SVCs taken and returned from', async () => {
    const { lines } = await traced('bench/svc.elf', 'exc', { budget: 3000n, skip: 1_000_000n });
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/^exc cpu0 sync \(current EL, SP_ELx\) vector 0x[0-9a-f]+ ESR_EL1=0x56000000 \(EC 0x15: SVC\) ELR_EL1=0x[0-9a-f]+ SPSR_EL1=0x[0-9a-f]+$/);
  });

  it('irq: virtual timer interrupts taken, on the IRQ vector', async () => {
    const { lines, r } = await traced('irq/timer-gicv3.elf', 'irq');
    expect(r.reason).toBe('system-off');
    const irqs = lines.filter((l) => /^irq cpu0 IRQ/.test(l));
    expect(irqs).toHaveLength(11); // 10 virtual timer ticks and one physical timer interrupt
    expect(irqs[0]).toMatch(/^irq cpu0 IRQ \(current EL, SP_ELx\) vector 0x[0-9a-f]+a80 ELR_EL1=0x[0-9a-f]+ SPSR_EL1=0x[0-9a-f]+$/);
  });

  it('hvc and mmio: PSCI and the UART, without single-stepping', async () => {
    const { lines, r } = await traced('hello.elf', 'hvc,mmio');
    const uart = lines.filter((l) => l.startsWith('mmio'));
    expect(uart.filter((l) => / write 4 bytes at 0x9000000 \(pl011\+0x0\) = 0x/.test(l))).toHaveLength(r.output.length);
    expect(uart.some((l) => / read 4 bytes at 0x9000018 \(pl011\+0x18\) -> 0x/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^hvc cpu0 pc=0x[0-9a-f]+ PSCI_SYSTEM_OFF \(0x84000008\) args /);
  });

  it('guard: the guard demo\'s calls and its violation, with the SError the exception trace sees', async () => {
    const { lines } = await traced('guard-demo.elf', 'guard,exc');
    expect(lines.some((l) => /^guard: cpu0 MAP\(0x9000000, 0x0, 0x0\) at PC 0x4008[0-9a-f]+ -> 0x0/.test(l))).toBe(true);
    const v = lines.findIndex((l) => /^guard: cpu0 VIOLATION .* VA 0x9010000 .* injected SError/.test(l));
    expect(v).toBeGreaterThanOrEqual(0);
    expect(lines.slice(v).find((l) => l.startsWith('exc'))).toMatch(/SError .*ESR_EL1=0xbf4d4701 \(EC 0x2f: SError\)/);
  });

  it('several vCPUs: lines name the vCPU that ran', async () => {
    const { lines } = await traced('irq/smp.elf', 'insn', { smp: 4, quantum: 1000, skip: 90_000n, budget: 8_000n });
    for (const cpu of ['cpu0', 'cpu1', 'cpu2', 'cpu3']) expect(lines.some((l) => l.startsWith(cpu + ' '))).toBe(true);
  });
});

describe('the command line', () => {
  async function cli(...argv: string[]) {
    const out: number[] = [];
    let err = '';
    const status = await main(argv, { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
    return { status, stdout: Buffer.from(out).toString(), stderr: err };
  }

  it('--trace insn,hvc --trace-file FILE', async () => {
    const file = join(tmp, 'hello.trace');
    const r = await cli('run', img('hello.elf'), '--trace', 'insn,hvc', '--trace-file', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Hello from a64vm\n');
    expect(r.stderr).toBe('');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('cpu0 '))).toHaveLength(4202);
    expect(lines.some((l) => l.startsWith('hvc cpu0'))).toBe(true);
  });

  it('--trace on stderr, --trace all, and unknown categories', async () => {
    const r = await cli('run', img('hello.elf'), '--trace', 'mmio', '--budget', '300');
    expect(r.status).toBe(3);
    const all = await cli('run', img('hello.elf'), '--trace', 'all');
    expect(all.stderr).toMatch(/^cpu0 0000000040080000: /);
    const bad = await cli('run', img('hello.elf'), '--trace', 'insn,bogus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("a64vm: --trace: unknown trace category 'bogus' (insn, exc, irq, hvc, mmio, guard or all)\n");
  });

  it('tracing off leaves the run untouched: nothing subscribed, same count', async () => {
    const vm = await VM.create({ kernel: kernel('hello.elf') });
    const r = vm.run();
    expect(r.instructions).toBe(4202n);
  });
});

describe('the debug guest rebuilds', () => {
  const have = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('to the committed bytes', () => {
    const root = mkdtempSync(join(tmpdir(), 'a64vm-debug-'));
    mkdirSync(join(root, 'debug'));
    for (const f of ['Makefile', 'debug.c']) cpSync(img(`debug/${f}`), join(root, 'debug', f));
    for (const f of ['start.S', 'link.ld']) cpSync(img(f), join(root, f));
    const r = spawnSync('make', ['-C', join(root, 'debug')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(root, 'debug', 'debug.elf')), readFileSync(img('debug/debug.elf')))).toBe(0);
  });
});
