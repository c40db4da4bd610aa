// The runner guest rebuilds to its committed bytes. Its two result sinks (format.h, header field
// out_size): a64vm takes the RAM buffer, QEMU the UART; the text must be the same bytes either
// way, a full buffer must say so, and the lines written before a run stops must survive (the
// resumable batches depend on it).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../src/tools/difftest/generate.ts';
import {
  encodeCases, newCase, withRamSink, ramSinkText, outAddr, parseResults, OUT_SIZE_OFFSET, RAM_END, CASES_ADDR,
} from '../src/tools/difftest/format.ts';
import { runA64vm, a64vmUnavailable } from '../src/tools/difftest/a64vm.ts';

const have = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;

describe('diff-runner.elf', () => {
  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('rebuilds to the committed bytes', () => {
    const src = fileURLToPath(new URL('../guest-images/diff-runner/', import.meta.url));
    const tmp = mkdtempSync(join(tmpdir(), 'a64vm-diff-runner-'));
    cpSync(src, tmp, { recursive: true });
    const r = spawnSync('make', ['-C', tmp, 'OUT=diff-runner.elf'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const committed = readFileSync(fileURLToPath(new URL('../guest-images/diff-runner.elf', import.meta.url)));
    expect(Buffer.compare(readFileSync(join(tmp, 'diff-runner.elf')), committed)).toBe(0);
  });
});

describe('result sink', () => {
  it('puts the buffer on the first page after the case file, below the end of RAM', () => {
    const bin = encodeCases([newCase(0xd503201f, 1)]);
    const s = withRamSink(bin);
    expect(s.addr).toBe(outAddr(bin.length));
    expect(s.addr % 4096).toBe(0);
    expect(s.addr).toBeGreaterThanOrEqual(CASES_ADDR + bin.length);
    expect(s.addr + s.size).toBeLessThanOrEqual(RAM_END);
    expect(new DataView(s.bin.buffer).getUint32(OUT_SIZE_OFFSET, true)).toBe(s.size);
    expect(new DataView(bin.buffer).getUint32(OUT_SIZE_OFFSET, true)).toBe(0); // the original is untouched
    expect(withRamSink(bin, 1000).size).toBe(1000);
    const buf = new Uint8Array(24);
    new DataView(buf.buffer).setBigUint64(0, 3n, true);
    buf.set([0x43, 0x30, 0x0a], 8);
    expect(ramSinkText(buf)).toBe('C0\n');
    new DataView(buf.buffer).setBigUint64(0, 17n, true);
    expect(() => ramSinkText(buf)).toThrow(/claims 17 bytes/);
  });

  it.skipIf(a64vmUnavailable() !== undefined)('gives the same text through RAM as through the UART', async () => {
    const g = generate({ seed: 11, perEncoding: 1, perMmuOff: 1 });
    const bin = encodeCases(g.cases);
    const uart = await runA64vm(bin, { sink: 'uart' });
    const ram = await runA64vm(bin, { sink: 'ram' });
    expect(uart.ended).toBe(true);
    expect(uart.results.length).toBe(g.cases.length);
    expect(ram.raw).toBe(uart.raw);
    // The RAM sink saves the two MMIO exits per character, not guest work: the runner executes
    // the same code but for the sink.
    expect(Number(ram.instructions)).toBeLessThan(Number(uart.instructions));
  });

  it.skipIf(a64vmUnavailable() !== undefined)('reports a full buffer on the UART and keeps the lines before it', async () => {
    const g = generate({ seed: 12, perEncoding: 1 });
    const bin = encodeCases(g.cases.slice(0, 50));
    const full = withRamSink(bin, 400);
    const { VM } = await import('../src/vm.ts');
    const { readFileSync } = await import('node:fs');
    const { RUNNER_ELF } = await import('../src/tools/difftest/qemu.ts');
    const vm = await VM.create({ kernel: { data: new Uint8Array(readFileSync(RUNNER_ELF)), name: 'diff-runner.elf' }, loads: [{ data: full.bin, name: 'cases.bin', addr: CASES_ADDR }] });
    const r = vm.run({ budget: 100_000_000n });
    expect(r.reason).toBe('system-off');
    expect(new TextDecoder().decode(r.outputBytes)).toBe('ERR result buffer full\n');
    const text = ramSinkText(vm.memslots.read(full.addr, full.size));
    const out = parseResults(text);
    expect(out.header?.count).toBe(50);
    expect(out.results.length).toBeGreaterThan(3);
    expect(out.results.length).toBeLessThan(50);
    expect(text.length).toBeLessThanOrEqual(400 - 8);
    expect(text.endsWith('\n')).toBe(true);
  });
});
