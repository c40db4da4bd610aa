// guest-images/irq/: timers, IPIs and SMP on GICv2 and GICv3. Each image prints on a64vm what
// it printed on QEMU (test/fixtures/irq/*.txt, made by `make -C guest-images/irq golden` with
// the QEMU settings in guests.json); an SMP run repeats exactly; idling skips time.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VM } from '../src/vm.ts';

const dir = fileURLToPath(new URL('../guest-images/irq/', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/irq/', import.meta.url));
interface Guest { image: string; gic: 2 | 3; smp: number; qemu: string }
const guests = JSON.parse(readFileSync(join(fixtures, 'guests.json'), 'utf8')) as Guest[];
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;

async function boot(g: Guest, extra: { quantum?: number } = {}) {
  const data = new Uint8Array(readFileSync(join(dir, g.image)));
  return VM.create({ kernel: { data, name: g.image }, gic: g.gic, smp: g.smp, ...extra });
}

describe('irq guests match QEMU', () => {
  for (const g of guests) {
    it(`${g.image} (GICv${g.gic}, ${g.smp} vCPU${g.smp > 1 ? 's' : ''}) prints what QEMU printed`, async () => {
      const r = (await boot(g)).run({ budget: 50_000_000 });
      expect(r.reason, r.message).toBe('system-off');
      expect(r.output).toBe(readFileSync(join(fixtures, g.image.replace(/\.elf$/, '.txt')), 'utf8'));
    });
  }
});

describe('determinism', () => {
  it('the same SMP run twice gives byte-identical output and instruction counts', async () => {
    for (const image of ['smp.elf', 'ipi-gicv3.elf', 'ipi-gicv2.elf']) {
      const g = guests.find((x) => x.image === image)!;
      const a = await boot(g);
      const ra = a.run({ budget: 50_000_000 });
      const rb = (await boot(g)).run({ budget: 50_000_000 });
      expect(ra.reason).toBe('system-off');
      expect(Buffer.compare(Buffer.from(ra.outputBytes), Buffer.from(rb.outputBytes))).toBe(0);
      expect(rb.instructions).toBe(ra.instructions);
      if (image === 'smp.elf') expect(ra.instructions).toBeGreaterThan(1_000_000n); // 4 vCPUs x 60000 locked updates
    }
  });

  it('another quantum interleaves differently but the result is the same', async () => {
    const g = guests.find((x) => x.image === 'smp.elf')!;
    const a = (await boot(g, { quantum: 997 })).run({ budget: 50_000_000 });
    expect(a.output).toBe(readFileSync(join(fixtures, 'smp.txt'), 'utf8'));
  });
});

describe('host clock', () => {
  it('timer-gicv3.elf prints the same with time from the host clock', async () => {
    const g = guests.find((x) => x.image === 'timer-gicv3.elf')!;
    const data = new Uint8Array(readFileSync(join(dir, g.image)));
    const vm = await VM.create({ kernel: { data, name: g.image }, clock: 'host' });
    const t0 = performance.now();
    const r = vm.run({ budget: 50_000_000 });
    expect(r.output).toBe(readFileSync(join(fixtures, 'timer-gicv3.txt'), 'utf8'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(11); // 10 ticks of 1 ms and a 2 ms shot, in real time
  });
});

describe('idle time is skipped', () => {
  it('WFI with a 1 ms tick for 10 s of guest time retires few instructions', async () => {
    const g = guests.find((x) => x.image === 'idle.elf')!;
    const vm = await boot(g);
    const t0 = performance.now();
    const r = vm.run({ budget: 50_000_000 });
    const ms = performance.now() - t0;
    expect(r.output).toBe('idle: 10000 ticks of 1 ms, at least 10 s of counter time\n');
    // 10 s of guest time is 10^10 clock units (1 ns each); the guest ran ~100 instructions a tick.
    expect(vm.clock).toBeGreaterThanOrEqual(10_000_000_000n);
    expect(r.instructions).toBeLessThan(2_000_000n);
    console.log(`idle.elf: 10 s of guest time (10000 ticks) in ${ms.toFixed(0)} ms of host time, ${r.instructions} instructions (${Number(r.instructions) / 10000} per tick)`);
  });
});

describe('irq guests rebuild', () => {
  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('to the committed bytes', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'a64vm-irq-'));
    for (const f of ['Makefile', 'link.ld', 'start.S', 'lib.h', 'lib.c', 'timer.c', 'ipi.c', 'smp.c', 'idle.c']) cpSync(join(dir, f), join(tmp, f));
    const r = spawnSync('make', ['-C', tmp], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const g of guests) expect(Buffer.compare(readFileSync(join(tmp, g.image)), readFileSync(join(dir, g.image))), g.image).toBe(0);
  });
});
