// Whole-VM snapshots (src/tools/snapshot.ts): a run snapshotted at instruction N and restored
// into a fresh VM finishes exactly as the uninterrupted run (UART output byte for byte,
// instruction count, VM clock); bad files give clear errors and change nothing; the CLI's
// --snapshot-at and --restore.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VM, type VMOptions } from '../src/vm.ts';
import { main } from '../src/cli.ts';
import { SNAPSHOT_FORMAT, SnapshotError, readHeader } from '../src/tools/snapshot.ts';
import { readShardCaseFile } from '../src/tools/difftest/golden.ts';

const img = (p: string) => fileURLToPath(new URL(`../guest-images/${p}`, import.meta.url));
const kernel = (p: string) => ({ data: new Uint8Array(readFileSync(img(p))), name: p });
const tmp = mkdtempSync(join(tmpdir(), 'a64vm-snap-'));

/** The diff-runner with the first 2000 cases of the QEMU comparison fixture (results on the UART). */
function diffRunner(): VMOptions {
  const cases = readShardCaseFile(0);
  new DataView(cases.buffer, cases.byteOffset).setUint32(12, 2000, true);
  return { kernel: kernel('diff-runner.elf'), loads: [{ data: cases, name: 'cases.bin', addr: 0x4400_0000 }] };
}

interface Case { name: string; opts: () => VMOptions; at: number[] }
const cases: Case[] = [
  { name: 'hello', opts: () => ({ kernel: kernel('hello.elf') }), at: [0.01, 0.5, 0.99] },
  { name: 'bench svc (exceptions)', opts: () => ({ kernel: kernel('bench/svc.elf') }), at: [0.5] },
  { name: 'bench mmio (UART reads)', opts: () => ({ kernel: kernel('bench/mmio.elf') }), at: [0.7] },
  { name: 'bench ptrchase, MMU on', opts: () => ({ kernel: kernel('bench/ptrchase-mmuon.elf') }), at: [0.45] },
  { name: 'diff-runner (2000 cases)', opts: diffRunner, at: [0.4] },
  { name: 'timer guest (GICv3, virtual timer interrupts, WFI)', opts: () => ({ kernel: kernel('irq/timer-gicv3.elf') }), at: [0.37, 0.8] },
  { name: 'SMP guest (4 vCPUs, spinlocks)', opts: () => ({ kernel: kernel('irq/smp.elf'), smp: 4 }), at: [0.37, 0.61] },
];

async function splitRun(opts: VMOptions, n: bigint) {
  const a = await VM.create(opts);
  const first = a.run({ budget: n });
  expect(first.reason).toBe('budget');
  const bytes = a.snapshot();
  const b = await VM.fromSnapshot(bytes);
  const rest = b.run({ budget: 5_000_000_000n });
  return { a, b, bytes, output: Buffer.concat([first.outputBytes, rest.outputBytes]), rest };
}

describe('snapshot at instruction N, restore, finish: identical to the uninterrupted run', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const full = await VM.create(c.opts());
      const r = full.run({ budget: 5_000_000_000n });
      expect(r.reason).toBe('system-off');
      for (const f of c.at) {
        const n = BigInt(Math.max(1, Math.floor(Number(r.instructions) * f)));
        const s = await splitRun(c.opts(), n);
        expect(Buffer.from(s.output).equals(Buffer.from(r.outputBytes)), `output after a snapshot at ${n}`).toBe(true);
        expect(s.rest.reason).toBe('system-off');
        expect(s.b.instructions).toBe(full.instructions);
        expect(s.b.clock).toBe(full.clock);
      }
    });
  }

  it('the MMIO guard demo, snapshotted while its mappings are live', async () => {
    const opts = () => ({ kernel: kernel('guard-demo.elf') });
    const full = await VM.create(opts());
    const r = full.run();
    expect(r.reason).toBe('system-off');
    // Find instruction counts where the guard has granules mapped (the UART, and the RTC too).
    const probe = await VM.create(opts());
    const live: { at: bigint; maps: number }[] = [];
    while (probe.run({ budget: 100 }).reason === 'budget') {
      const maps = probe.guard.mappings().length;
      if (maps) live.push({ at: probe.instructions, maps });
    }
    const both = live.filter((l) => l.maps === 2);
    expect(both.length).toBeGreaterThan(0);
    for (const { at } of [live[Math.floor(live.length / 3)], both[Math.floor(both.length / 2)]]) {
      const a = await VM.create(opts());
      const first = a.run({ budget: at });
      const mapped = a.guard.mappings();
      expect(mapped.length).toBeGreaterThan(0);
      expect(a.guard.enrolled).toBe(true);
      const b = await VM.fromSnapshot(a.snapshot());
      expect(b.guard.mappings()).toEqual(mapped);
      expect(b.guard.enrolled).toBe(true);
      const rest = b.run();
      expect(first.output + rest.output).toBe(r.output);
      expect(b.instructions).toBe(full.instructions);
    }
  });

  it('the same VM state gives the same file (snapshots are deterministic)', async () => {
    const a = await VM.create({ kernel: kernel('hello.elf') });
    a.run({ budget: 2000 });
    const b = await VM.create({ kernel: kernel('hello.elf') });
    b.run({ budget: 2000 });
    expect(Buffer.from(a.snapshot()).equals(Buffer.from(b.snapshot()))).toBe(true);
  });

  it('stores only pages that are not zero: a 128 MiB guest gives a small file', async () => {
    const vm = await VM.create({ kernel: kernel('hello.elf') });
    vm.run({ budget: 3000 });
    const bytes = vm.snapshot();
    expect(bytes.length).toBeLessThan(64 * 1024);
  });
});

describe('bad snapshots: a clear error, and the VM is left as it was', () => {
  async function setup() {
    const donor = await VM.create({ kernel: kernel('hello.elf') });
    donor.run({ budget: 2500 });
    const good = donor.snapshot();
    const vm = await VM.create({ kernel: kernel('hello.elf') });
    vm.run({ budget: 1000 });
    return { good, vm, before: vm.snapshot() };
  }
  const expectUntouched = (vm: VM, before: Uint8Array) => expect(Buffer.from(vm.snapshot()).equals(Buffer.from(before))).toBe(true);

  it('another format version', async () => {
    const { good, vm, before } = await setup();
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(8, SNAPSHOT_FORMAT + 1, true);
    expect(() => vm.restore(bad)).toThrow(new RegExp(`snapshot format version ${SNAPSHOT_FORMAT + 1} .*reads format version ${SNAPSHOT_FORMAT} only`));
    expectUntouched(vm, before);
  });

  it('a truncated file', async () => {
    const { good, vm, before } = await setup();
    for (const len of [0, 5, 40, good.length >> 1, good.length - 1]) {
      expect(() => vm.restore(good.subarray(0, len))).toThrow(SnapshotError);
      expect(() => vm.restore(good.subarray(0, len))).toThrow(/truncated/);
    }
    expectUntouched(vm, before);
  });

  it('a corrupted file (any flipped byte in the body fails the checksum)', async () => {
    const { good, vm, before } = await setup();
    for (const at of [80, good.length >> 1, good.length - 1]) {
      const bad = good.slice();
      bad[at] ^= 0x40;
      expect(() => vm.restore(bad)).toThrow(/corrupted snapshot: the SHA-256 checksum of the body does not match/);
    }
    expect(() => vm.restore(new TextEncoder().encode('hello world, not a snapshot at all........................................'))).toThrow(/not an a64vm snapshot/);
    expectUntouched(vm, before);
  });

  it('a snapshot of a VM with other options (memory size, vCPUs)', async () => {
    const { good } = await setup();
    for (const other of [{ memory: 256 * 2 ** 20 }, { smp: 2 }]) {
      const vm = await VM.create({ kernel: kernel('hello.elf'), ...other });
      vm.run({ budget: 1000 });
      const before = vm.snapshot();
      expect(() => vm.restore(good)).toThrow(/cannot restore: /);
      expectUntouched(vm, before);
    }
  });

  it('a component whose restore() fails: everything applied so far is undone', async () => {
    const { good, vm, before } = await setup();
    vm.snapshottables.register('flaky', { snapshot: () => ({ ok: 1 }), restore: () => { throw new Error('flaky refuses'); } });
    const withFlaky = await VM.create({ kernel: kernel('hello.elf') });
    withFlaky.snapshottables.register('flaky', { snapshot: () => ({ ok: 2 }), restore: () => {} });
    withFlaky.run({ budget: 2500 });
    expect(() => vm.restore(withFlaky.snapshot())).toThrow(/restore failed and was undone: component flaky: flaky refuses/);
    vm.snapshottables.unregister('flaky');
    expectUntouched(vm, before);
    expect(() => vm.restore(good)).not.toThrow(); // and the VM still takes a good one
  });

  it('the header carries the magic, format version and a64vm version', async () => {
    const { good } = await setup();
    expect(Buffer.from(good.subarray(0, 8)).toString()).toBe('A64VMSNP');
    const h = readHeader(good);
    expect(h.format).toBe(SNAPSHOT_FORMAT);
    expect(h.version).toBe(JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')).version);
  });
});

describe('the command line: --snapshot-at N FILE, --restore FILE', () => {
  async function cli(...argv: string[]) {
    const out: number[] = [];
    let err = '';
    const status = await main(argv, { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
    return { status, stdout: Buffer.from(out).toString(), stderr: err };
  }

  it('a run with --snapshot-at goes on to the end; --restore prints the rest', async () => {
    const full = await cli('run', img('hello.elf'));
    const file = join(tmp, 'hello.snap');
    const a = await cli('run', img('hello.elf'), '--snapshot-at', '2000', file);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(full.stdout);
    expect(a.stderr).toMatch(new RegExp(`snapshot at instruction 2000 written to ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const vm = await VM.fromSnapshot(new Uint8Array(readFileSync(file)));
    expect(vm.instructions).toBe(2000n);
    const b = await cli('run', '--restore', file);
    expect(b.status).toBe(0);
    const head = await VM.create({ kernel: kernel('hello.elf') });
    expect(head.run({ budget: 2000 }).output + b.stdout).toBe(full.stdout);
  });

  it('--snapshot-exit stops once the file is written; a guest that ends first writes nothing', async () => {
    const file = join(tmp, 'stop.snap');
    const a = await cli('run', img('hello.elf'), '--snapshot-at', '1500', file, '--snapshot-exit');
    expect(a.status).toBe(0);
    expect(readHeader(new Uint8Array(readFileSync(file))).format).toBe(SNAPSHOT_FORMAT);
    const late = await cli('run', img('hello.elf'), '--snapshot-at', '999999999', join(tmp, 'never.snap'));
    expect(late.stderr).toMatch(/before instruction 999999999: no snapshot written/);
  });

  it('--restore errors', async () => {
    const bad = join(tmp, 'bad.snap');
    const vm = await VM.create({ kernel: kernel('hello.elf') });
    writeFileSync(bad, vm.snapshot().subarray(0, 5000));
    const r = await cli('run', '--restore', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^a64vm: (truncated|corrupted) snapshot/);
    const c = await cli('run', img('hello.elf'), '--restore', bad);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/IMAGE cannot be combined with --restore/);
    const m = await cli('run', '--restore', bad, '--mem', '256M');
    expect(m.stderr).toMatch(/--mem cannot be combined with --restore/);
  });
});
