// The MMIO guard conformance guests (guest-images/guard-conformance-PROFILE.elf) under each of
// the three guest ABIs and both violation modes, with the test harness device, so every rule is
// checked (none skipped) including the SYSTEM_RESET one; then the demo guest. The rebuild check
// makes sure the committed ELFs are what the sources produce. Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VM, type GuardEvent } from '../src/vm.ts';
import { guardHarness } from './helpers/guard-harness.ts';

const dir = fileURLToPath(new URL('../guest-images/', import.meta.url));
const elf = (name: string) => ({ data: new Uint8Array(readFileSync(join(dir, name))), name });
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;

const PROFILES = ['rfc-v1', 'android', 'mainline'] as const;
const MODES = ['serror', 'dabt'] as const;

describe('guard-conformance guests', () => {
  for (const profile of PROFILES) {
    for (const mode of MODES) {
      it(`${profile}, ${mode}: every rule passes, none skipped, the reset rule included`, async () => {
        const h = guardHarness();
        const vm = await VM.create({
          kernel: elf(`guard-conformance-${profile}.elf`), mmioGuard: profile, guardViolation: mode, mmio: h.mmio, semihosting: true,
        });
        const events: GuardEvent[] = [];
        vm.onGuard((e) => events.push(e));
        const r = vm.run({ budget: 50_000_000 });
        const lines = r.output.trim().split('\n');
        expect(lines.filter((l) => /^(FAIL|SKIP)/.test(l)), r.output).toEqual([]);
        expect(lines).toContain(`violation mode: ${mode}`);
        expect(lines.at(-1)).toBe('CONFORMANCE PASS');
        expect(lines.at(-2)).toMatch(/^TOTAL: \d+ passed, 0 failed, 0 skipped$/);
        expect(Number(/TOTAL: (\d+)/.exec(lines.at(-2)!)![1])).toBeGreaterThan(25);
        expect(r).toMatchObject({ reason: 'system-off', status: 0, resets: 1 });
        // Every violation the guest saw was injected the configured way (none fell back).
        const v = events.filter((e) => e.kind === 'violation');
        expect(v.length).toBeGreaterThan(10);
        expect(v.every((e) => e.kind === 'violation' && e.injected === mode)).toBe(true);
        expect(events.filter((e) => e.kind === 'reset').map((e) => e.kind === 'reset' && e.cause)).toEqual(['system-reset', 'system-off']);
        // SYSTEM_OFF cleared the guard.
        expect(vm.guard.getState()).toMatchObject({ profile, enrolled: profile === 'mainline', mappings: [] });
      });
    }
  }

  it('a build for one ABI run under another reports the failure with a non-zero status', async () => {
    const vm = await VM.create({ kernel: elf('guard-conformance-rfc-v1.elf'), mmioGuard: 'android', semihosting: true });
    const r = vm.run({ budget: 10_000_000 });
    expect(r.output).toMatch(/does not offer the rfc-v1 MMIO guard ABI[\s\S]*CONFORMANCE FAIL\n$/);
    expect(r).toMatchObject({ reason: 'semihost-exit', status: 1 });
  });
});

describe('guard-demo.elf', () => {
  it('enrols, maps the UART, reports the SError for the unmapped RTC, unmaps and powers off', async () => {
    const vm = await VM.create({ kernel: elf('guard-demo.elf') });
    const events: GuardEvent[] = [];
    vm.onGuard((e) => events.push(e));
    const r = vm.run({ budget: 10_000_000 });
    expect(r).toMatchObject({ reason: 'system-off', status: 0 });
    expect(r.output).toContain('MMIO guard found, ABI rfc-v1, granule 4096 bytes; enrolled, UART mapped');
    expect(r.output).toContain('SError taken at vector +0x380: ESR_EL1 0xbf4d4701 (SError: MMIO guard violation, unmapped granule)');
    expect(r.output).toContain('the hypervisor injected an SError; the load returned 0x0 and never reached the RTC');
    expect(r.output).toMatch(/unmapping the UART and powering off\n$/);
    expect(events.map((e) => (e.kind === 'call' ? e.call : e.kind))).toEqual(['INFO', 'ENROLL', 'MAP', 'violation', 'MAP', 'UNMAP', 'UNMAP', 'reset']);
  });

  for (const profile of ['android', 'mainline'] as const) {
    it(`works under the ${profile} ABI too (the library finds the ABI from the features bitmap)`, async () => {
      const vm = await VM.create({ kernel: elf('guard-demo.elf'), mmioGuard: profile, guardViolation: 'dabt' });
      const r = vm.run({ budget: 10_000_000 });
      expect(r).toMatchObject({ reason: 'system-off', status: 0 });
      expect(r.output).toContain(`ABI ${profile}`);
      expect(r.output).toContain('synchronous external abort taken at vector +0x200: ESR_EL1 0x96000010');
    });
  }

  it('without the guard it says so and powers off', async () => {
    const r = (await VM.create({ kernel: elf('guard-demo.elf'), mmioGuard: 'off' })).run({ budget: 1_000_000 });
    expect(r).toMatchObject({ reason: 'system-off', status: 0 });
    expect(r.output).toBe('guard-demo: the hypervisor does not offer the MMIO guard (no known guard ABI in the KVM features); nothing to show, powering off\n');
  });

  it.skipIf(!have('clang') || !have('ld.lld') || !have('make'))('the guard guests rebuild to the committed bytes', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'a64vm-guard-'));
    mkdirSync(join(tmp, 'guard'));
    for (const f of readdirSync(join(dir, 'guard'))) if (f !== 'obj') cpSync(join(dir, 'guard', f), join(tmp, 'guard', f));
    const r = spawnSync('make', ['-C', join(tmp, 'guard')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['guard-demo.elf', ...PROFILES.map((p) => `guard-conformance-${p}.elf`)]) {
      expect(Buffer.compare(readFileSync(join(tmp, f)), readFileSync(join(dir, f))), f).toBe(0);
    }
  });
});
