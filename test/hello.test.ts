// guest-images/hello.elf: boots on a64vm as on QEMU, and rebuilds to the same bytes.
// Booting needs build/cpu.wasm; the rebuild needs clang, ld.lld and make (skipped without them).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VM } from '../src/vm.ts';

const dir = fileURLToPath(new URL('../guest-images/', import.meta.url));
const hello = () => new Uint8Array(readFileSync(join(dir, 'hello.elf')));
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;

describe('hello.elf', () => {
  it('prints its greeting through the PL011 and powers off', async () => {
    const vm = await VM.create({ kernel: { data: hello(), name: 'hello.elf' } });
    const r = vm.run({ budget: 1_000_000 });
    expect(r).toMatchObject({ reason: 'system-off', status: 0, output: 'Hello from a64vm\n' });
    // Deterministic: the same run retires the same number of instructions.
    const again = (await VM.create({ kernel: { data: hello(), name: 'hello.elf' } })).run({ budget: 1_000_000 });
    expect(again.instructions).toBe(r.instructions);
  });

  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('rebuilds to the committed bytes', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'a64vm-hello-'));
    for (const f of ['Makefile', 'hello.c', 'start.S', 'link.ld']) cpSync(join(dir, f), join(tmp, f));
    const r = spawnSync('make', ['-C', tmp, 'hello.elf'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(tmp, 'hello.elf')), readFileSync(join(dir, 'hello.elf')))).toBe(0);
  });
});
