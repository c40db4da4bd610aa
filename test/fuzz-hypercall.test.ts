// The hypercall-interface fuzzing target (guest-images/fuzz/hypercall.*, src/tools/fuzz/guard-check.ts):
// its seed corpus exercises every kind of outcome the checker knows and runs clean on the real
// hypervisor in each guard profile; fuzzing finds no disagreement; and a deliberately broken
// guard IS reported, replayed and minimised (the check can fail).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Harness, loadHarnessConfig } from '../src/tools/fuzz/harness.ts';
import { Fuzzer } from '../src/tools/fuzz/fuzzer.ts';
import { readInputs } from '../src/tools/fuzz/corpus.ts';
import type { AbortSyndrome } from '../src/hyp/esr.ts';
import type { Exit } from '../src/cpu/cpu.ts';
import { VM } from '../src/vm.ts';

const DIR = join(__dirname, '../guest-images/fuzz');
const SEEDS = join(DIR, 'hypercall-seeds');
const seeds = () => readInputs(SEEDS).map((e) => e.data);
const harness = (config: string) => Harness.create(loadHarnessConfig(join(DIR, config)));

describe('hypercall target on the real hypervisor', () => {
  for (const [config, mode] of [['hypercall.json', 'serror'], ['hypercall-android.json', 'dabt'], ['hypercall-mainline.json', 'serror']] as const) {
    it(`${config}: the seeds run clean and reach every kind of outcome`, async () => {
      const h = await harness(config);
      for (const s of readdirSync(SEEDS).sort()) {
        const r = h.exec(new Uint8Array(readFileSync(join(SEEDS, s))));
        expect(r.crash, s).toBeUndefined();
      }
      const seen = Object.keys(h.checker!.outcomes);
      const want = ['call:MAP:ok', 'call:MAP:error', 'access:ram', 'access:violation-unmapped', 'access:violation-nisv', 'system-off', 'system-reset'];
      if (!config.includes('mainline')) want.push('call:ENROLL:ok', 'call:UNMAP:ok', 'call:UNMAP:error', 'access:forward', 'access:forward-bus-error', 'access:forward-pair', 'access:forward-enrolled', 'access:forward-enrolled-bus-error');
      if (config.includes('android')) want.push('call:RGUARD_MAP:ok', 'call:RGUARD_MAP:error', 'call:RGUARD_UNMAP:ok', 'call:INFO:ok', 'call:INFO:error', 'call:HYP_MEMINFO:ok');
      if (mode === 'serror') want.push('serror-taken', 'daif:mask', 'daif:unmask');
      for (const w of want) expect(seen, w).toContain(w);
    }, 60_000);
  }

  it('resets exactly: RAM, vCPU state and the guard are the start point after mapping, power-off and reset runs', async () => {
    const h = await harness('hypercall.json');
    for (const s of ['02-map-access-rfc-v1', '05-system-off', '06-system-reset', '01-demo-rfc-v1']) {
      const r = h.exec(new Uint8Array(readFileSync(join(SEEDS, s))));
      expect(r.crash, s).toBeUndefined();
      if (s === '01-demo-rfc-v1') expect(h.vm.guard.mappings().length, s).toBeGreaterThan(0);
      h.resetToStart();
      expect(h.differenceFromStart(), s).toBeUndefined();
      expect(h.vm.guard.getState(), s).toMatchObject({ enrolled: false, mappings: [] });
    }
  }, 60_000);

  it('is deterministic: same seed and corpus, same coverage, corpus and outcomes', async () => {
    const run = async () => {
      const h = await harness('hypercall.json');
      const f = new Fuzzer(h, { seed: 9, seeds: seeds() });
      f.fuzz({ maxExecs: 800 });
      return { digest: f.coverage.digest(), queue: f.queue.map((q) => Buffer.from(q).toString('hex')), outcomes: h.checker!.outcomes, execs: f.execs };
    };
    expect(await run()).toEqual(await run());
  }, 60_000);

  it('fuzzing from the seeds finds no disagreement (rfc-v1 with SErrors, android with data aborts)', async () => {
    for (const config of ['hypercall.json', 'hypercall-android.json']) {
      const h = await harness(config);
      const f = new Fuzzer(h, { seed: 5, seeds: seeds() });
      f.fuzz({ maxExecs: 2500 });
      expect([...f.findings.values()].map((x) => `${x.key}: ${x.crash.message}`), config).toEqual([]);
      expect(f.queue.length).toBeGreaterThan(seeds().length);
    }
  }, 120_000);
});

describe('hypercall target against a broken hypervisor', () => {
  it('an UNMAP that leaves the granule mapped is a model:guard-state crash', async () => {
    const h = await harness('hypercall.json');
    h.vm.smccc.registerVendor(5, () => [0n]); // rfc-v1 UNMAP: claims success, does nothing
    const r = h.exec(new Uint8Array(readFileSync(join(SEEDS, '01-demo-rfc-v1'))));
    expect(r.crash?.kind).toBe('model:guard-state');
    expect(r.crash?.message).toMatch(/granule 0xc000000 is mapped .* the model says not mapped/);
  });

  it('a guard that injects the wrong kind of abort is a model:exception crash', async () => {
    const h = await harness('hypercall.json'); // the checker expects SErrors
    (h.vm.guard as unknown as { mode: string }).mode = 'dabt';
    const r = h.exec(new Uint8Array(readFileSync(join(SEEDS, '02-map-access-rfc-v1'))));
    expect(r.crash?.kind).toBe('model:exception');
    expect(r.crash?.message).toMatch(/took 1 synchronous exception\(s\) \(last ESR_EL1 0x96000010 .*\); the model expects 0/);
  });

  it('a wrong PSCI_VERSION is a model:result crash', async () => {
    const h = await harness('hypercall-android.json');
    const call = h.vm.smccc.call.bind(h.vm.smccc);
    h.vm.smccc.call = (x) => (x[0] === 0x8400_0000n ? { regs: [0x10000n, 0n, 0n, 0n] } : call(x));
    const r = h.exec(new Uint8Array(readFileSync(join(SEEDS, '01-demo-rfc-v1'))));
    expect(r.crash).toMatchObject({ kind: 'model:result', message: expect.stringMatching(/call 0x84000000\(0x0, 0x0, 0x0\) returned 0x10000, 0x0, 0x0, 0x0; the model says 0x10001, 0x0, 0x0, 0x0/) });
  });

  it('a guard that lets 2-byte stores to unmapped granules through is found by fuzzing, replayed and minimised', async () => {
    const h = await harness('hypercall.json');
    const check = h.vm.guard.check.bind(h.vm.guard);
    h.vm.guard.check = (exit: Exit, syn: AbortSyndrome) => (syn.isv && syn.wnr && syn.size === 2 ? undefined : check(exit, syn));
    // The seeds alone do not show it (their 2-byte store goes to a mapped granule).
    for (const s of seeds()) expect(h.exec(s).crash).toBeUndefined();
    const f = new Fuzzer(h, { seed: 1, seeds: seeds() });
    f.fuzz({ maxExecs: 40_000, stopOnCrash: true });
    // To the device window: it reaches the device; to a hole: the guard reports no violation.
    const found = [...f.findings.values()];
    expect(found.length).toBeGreaterThan(0);
    for (const x of found) {
      expect(['model:forwarded', 'model:violation-event']).toContain(x.crash.kind);
      if (x.crash.kind === 'model:forwarded') expect(x.crash.message).toMatch(/store of 2 bytes .* the device saw \[W2@.*\]; the model says \[\]/);
      else expect(x.crash.message).toMatch(/the guard reported violations \[\]; the model says \[unmapped\]/);
      expect(h.exec(x.input).crash).toEqual(x.crash);
      expect(x.minimised!.length).toBeLessThan(x.input.length);
      const again = h.exec(x.minimised!).crash!;
      expect({ kind: again.kind, pc: again.pc }).toEqual({ kind: x.crash.kind, pc: x.crash.pc }); // the de-dup key
    }
  }, 180_000);
});

describe('hypercall.elf without input (its demonstration), against QEMU 7.2', () => {
  it('prints what QEMU prints except where the guard (which QEMU lacks) is involved', async () => {
    const elf = new Uint8Array(readFileSync(join(DIR, 'hypercall.elf')));
    const vm = await VM.create({ kernel: { data: elf, name: 'hypercall.elf' }, memory: 16 << 20 });
    const r = vm.run({ budget: 10_000_000 });
    expect(r.reason).toBe('system-off');
    const ours = r.output.split('\n');
    const qemu = readFileSync(join(DIR, 'hypercall.qemu.txt'), 'utf8').split('\n'); // make -C guest-images/fuzz record
    // QEMU: every vendor call is NOT_SUPPORTED (-1, x1 untouched), the device window is unassigned
    // (the load from granule 1 is a bus error rather than a guard violation), no SError.
    // a64vm: ENROLL succeeds before the UART is mapped (its line is lost: a guard violation, the
    // SError arrives at the unmask); SMCCC_VERSION is 1.1 (QEMU 7.2 answers -1).
    const same = [0, 1, 6, 14]; // banners, the load from the mapped window granule (a bus error on both), the end
    for (const i of same) expect(ours[i - (i > 2 ? 1 : 0)], `QEMU line ${i}`).toBe(qemu[i]);
    // Our line i is QEMU's i + 1 past the banners (no ENROLL line).
    expect(ours[6]).toMatch(/^access 0x000000000c001000 .* -> 0x0000000000000000 .* serror 0x0000000000000000/); // violation: loaded 0, SError pending
    expect(ours[7]).toMatch(/^daif .* serror 0x0000000000000001 ESR 0x00000000bf4d4701$/); // taken at the unmask
    expect(qemu[7]).toMatch(/^access 0x000000000c001000 .* ESR 0x0000000096000010 serror 0x0000000000000000 /);
    const psci = (lines: string[]) => lines.find((l) => l.startsWith('call 0x0000000084000000'))!.split(' -> ')[1].split(' ')[0];
    expect(psci(ours)).toBe(psci(qemu)); // PSCI_VERSION 1.1 on both
    expect(qemu.slice(2, 6).every((l) => l.includes('-> 0xffffffffffffffff'))).toBe(true);
  });
});
