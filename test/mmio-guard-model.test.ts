// The hypervisor side of the MMIO guard (hyp/mmio-guard.ts, its hooks in abort.ts) against a
// reference model written from shared/spec/mmio-guard.md alone (src/tools/fuzz/guard-model.ts:
// a plain Map from granule to attribute plus the enrolled flag). fast-check generates sequences of hypercalls (with aligned,
// misaligned, RAM, out-of-range and colliding arguments), guarded accesses (every size, loads and
// stores, granule-crossing, with and without a valid syndrome), resets and save/restore into a
// second VM; after every step the hypervisor's answer, what was injected (or forwarded to the
// embedder) and the stage-2 annotations must equal the model's. Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { VM } from '../src/vm.ts';
import { handleGuestAbort, type AbortContext } from '../src/hyp/abort.ts';
import { GUARD_NOTE } from '../src/hyp/mmio-guard.ts';
import type { GuardProfileName, GuardViolationMode } from '../src/hyp/mmio-guard-profiles.ts';
import { B_SELF, words } from './helpers/guest.ts';
import { GUARD_NUMBERS, GuardModel, type GuardModelCall } from '../src/tools/fuzz/guard-model.ts';

const PAGE = 4096;
const RAM = 0x4000_0000;
const RAM_SIZE = 16 << 20;
const WINDOW = 0x2000_0000; // MMIO granules the sequences play with
const LIMIT = 2 ** 40;
const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const VBAR = 0x4010_0000n;
const PC = 0x4020_0000n;

type Call = GuardModelCall;
const NUMBERS = GUARD_NUMBERS;

// The model (src/tools/fuzz/guard-model.ts, shared with the hypercall fuzzing target) over this
// file's RAM.
class Model extends GuardModel {
  constructor(profile: Exclude<GuardProfileName, 'off'>) { super(profile, [{ base: RAM, size: RAM_SIZE }], LIMIT); }
}

// ---------------------------------------------------------------- generators

const granule = fc.integer({ min: 0, max: 5 }).map((k) => BigInt(WINDOW + k * PAGE));
const ipaArg = fc.oneof(
  { weight: 6, arbitrary: granule },
  { weight: 1, arbitrary: fc.tuple(granule, fc.integer({ min: 1, max: 4095 })).map(([g, o]) => g + BigInt(o)) },
  { weight: 1, arbitrary: fc.constantFrom(BigInt(RAM), BigInt(RAM + RAM_SIZE - PAGE), BigInt(RAM - PAGE), BigInt(RAM - 2 * PAGE)) },
  { weight: 1, arbitrary: fc.constantFrom(BigInt(LIMIT), BigInt(LIMIT - PAGE), M64 - 4095n, 1n << 63n) },
);
const smallArg = fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 40n }), fc.bigInt({ min: 0n, max: M64 }));
const callOp = fc.record({
  op: fc.constant('call' as const),
  call: fc.constantFrom<Call>('INFO', 'HYP_MEMINFO', 'ENROLL', 'ENROLL', 'MAP', 'MAP', 'MAP', 'UNMAP', 'UNMAP', 'RGUARD_MAP', 'RGUARD_UNMAP'),
  a1: ipaArg, a2: smallArg, a3: fc.oneof(fc.constant(0n), fc.constant(0n), fc.constant(0n), smallArg),
});
const accessOp = fc.record({
  op: fc.constant('access' as const),
  k: fc.integer({ min: 0, max: 5 }),
  offset: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(0, 0xffc, 0xffe, 0xfff, 0xff8) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4095 }) }),
  sizeLog: fc.integer({ min: 0, max: 3 }),
  write: fc.boolean(),
  isv: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)),
});
const otherOp = fc.constantFrom({ op: 'reset' as const }, { op: 'restore' as const });
const ops = fc.array(fc.oneof({ weight: 5, arbitrary: callOp }, { weight: 5, arbitrary: accessOp }, { weight: 1, arbitrary: otherOp }), { minLength: 5, maxLength: 80, size: 'max' });

// ---------------------------------------------------------------- the system under test

interface Rig { vm: VM; ctx: AbortContext; forwarded: { ipa: number; size: number; write: boolean }[] }

async function rig(profile: GuardProfileName, mode: GuardViolationMode): Promise<Rig> {
  const forwarded: Rig['forwarded'] = [];
  const vm = await VM.create({
    loads: [{ data: words(new Array(512).fill(B_SELF)), name: 'vectors', addr: Number(VBAR) }],
    entry: VBAR, memory: RAM_SIZE, mmioGuard: profile, guardViolation: mode,
    mmio: (a) => { forwarded.push({ ipa: a.ipa, size: a.size, write: a.write }); return a.write ? true : 0x1122_3344_5566_7788n; },
  });
  const ctx: AbortContext = { cpu: vm.cpu, memslots: vm.memslots, stage2: vm.stage2, phys: vm.phys, emulateNisv: false, guard: vm.guard };
  return { vm, ctx, forwarded };
}

/** Starts a fresh sequence: an empty guard with the profile's initial enrolment. */
function clear(r: Rig, profile: GuardProfileName, mode: GuardViolationMode): void {
  r.vm.guard.setState({ version: 1, profile, violation: mode, enrolled: profile === 'mainline', granule: PAGE, mappings: [] });
}

const INSN = { load: [0x39400001, 0x79400001, 0xb9400001, 0xf9400001], store: [0x39000001, 0x79000001, 0xb9000001, 0xf9000001] };

/** Presents one stage-2 data abort, as the CPU would report it, to the hypervisor. */
function access(r: Rig, ipa: number, sizeLog: number, write: boolean, isv: boolean) {
  const cpu = r.vm.cpu;
  cpu.setPstateMode(1, 1);
  cpu.daif = 0x3c0;
  cpu.pc = PC;
  cpu.setSysreg('VBAR_EL1', VBAR);
  cpu.setSysreg('HCR_EL2', cpu.sysreg('HCR_EL2') & ~(1n << 8n));
  cpu.setSysreg('VSESR_EL2', 0n);
  cpu.setX(0, BigInt(ipa));
  cpu.setX(1, M64);
  cpu.setX(2, M64);
  const iss = isv
    ? (1n << 24n) | (BigInt(sizeLog) << 22n) | (1n << 16n) | (sizeLog === 3 ? 1n << 15n : 0n)
    : 0n;
  const esr = (0x24n << 26n) | (1n << 25n) | iss | (write ? 1n << 6n : 0n) | 0x07n;
  const insn = isv ? (write ? INSN.store : INSN.load)[sizeLog] : write ? 0x29000801 : 0x29400801; // stp/ldp w1, w2, [x0]
  r.forwarded.length = 0;
  return handleGuestAbort(r.ctx, { reason: 'dabt', esr, far: BigInt(ipa), ipa: BigInt(ipa), insn });
}

function annotations(r: Rig): [number, bigint][] {
  return r.vm.stage2.annotations().map((a) => [a.ipa, a.desc]);
}

describe('the MMIO guard against its reference model', () => {
  for (const profile of ['rfc-v1', 'android', 'mainline'] as const) {
    for (const mode of ['serror', 'dabt'] as const) {
      it(`${profile}, ${mode}: answers, injections and stage-2 annotations match the model`, async () => {
        const rigs = [await rig(profile, mode), await rig(profile, mode)];
        const numbers = NUMBERS[profile];
        fc.assert(fc.property(ops, (seq) => {
          let cur = 0;
          let r = rigs[cur];
          clear(rigs[0], profile, mode);
          clear(rigs[1], profile, mode);
          const model = new Model(profile);
          for (const o of seq) {
            if (o.op === 'call') {
              const n = numbers[o.call];
              const fid = n === undefined ? 0xc600_0000 + 60 : 0xc600_0000 + n; // absent calls: an unused number
              const got = r.vm.smccc.call([BigInt(fid), o.a1, o.a2, o.a3]).regs;
              const want = n === undefined ? [-1n] : model.call(o.call, o.a1, o.a2, o.a3);
              expect(got, `${o.call}(${o.a1.toString(16)}, ${o.a2}, ${o.a3})`).toEqual([0, 1, 2, 3].map((i) => u64(want[i] ?? 0n)));
            } else if (o.op === 'access') {
              const ipa = WINDOW + o.k * PAGE + o.offset;
              const size = 1 << o.sizeLog;
              const want = model.access(ipa, size, o.isv);
              const out = access(r, ipa, o.sizeLog, o.write, o.isv);
              const cpu = r.vm.cpu;
              const what = `${o.write ? 'store' : 'load'} ${size}@${ipa.toString(16)} isv=${o.isv}: ${want}`;
              if (want === 'nisv-exit') {
                expect(out.kind, what).toBe('error');
              } else if (want === 'forward') {
                expect(out, what).toEqual({ kind: 'continue', action: 'mmio' });
                expect(r.forwarded, what).toEqual([{ ipa, size, write: o.write }]);
                expect(cpu.pc).toBe(PC + 4n);
                if (!o.write) expect(cpu.x(1)).toBe(0x1122_3344_5566_7788n & (size === 8 ? M64 : (1n << BigInt(8 * size)) - 1n));
              } else {
                // Violation: nothing reaches the embedder; the configured injection happened.
                expect(r.forwarded, what).toEqual([]);
                if (mode === 'serror') {
                  expect(out, what).toEqual({ kind: 'continue', action: 'guard-serror' });
                  expect(cpu.pc, what).toBe(PC + 4n);
                  expect(cpu.sysreg('HCR_EL2') & (1n << 8n), what).toBe(1n << 8n);
                  expect(cpu.sysreg('VSESR_EL2'), what).toBe(want === 'nisv' ? 0x14d4702n : 0x14d4701n);
                  expect(cpu.x(1), what).toBe(o.write ? M64 : 0n);
                  expect(cpu.x(2), what).toBe(!o.write && !o.isv ? 0n : M64);
                } else {
                  expect(out, what).toEqual({ kind: 'continue', action: 'guard-dabt' });
                  expect(cpu.pc, what).toBe(VBAR + 0x200n);
                  expect(cpu.sysreg('ESR_EL1'), what).toBe(0x9600_0010n);
                  expect(cpu.sysreg('FAR_EL1'), what).toBe(BigInt(ipa));
                  expect(cpu.sysreg('ELR_EL1'), what).toBe(PC);
                  expect(cpu.x(1), what).toBe(M64);
                }
              }
            } else if (o.op === 'reset') {
              r.vm.guard.reset('system-reset');
              model.reset();
            } else {
              // Save, and restore into the other VM, which carries on from here.
              const state = JSON.parse(JSON.stringify(r.vm.guard.getState()));
              cur ^= 1;
              r = rigs[cur];
              r.vm.guard.setState(state);
            }
            // The stage-2 table is the guard's state: exactly the model's map, as annotations.
            expect(annotations(r)).toEqual([...model.map].sort((a, b) => a[0] - b[0]).map(([ipa, attr]) => [ipa, (attr << 2n) | GUARD_NOTE]));
            expect(r.vm.guard.enrolled).toBe(model.enrolled);
          }
        }), { numRuns: 150 });
      });
    }
  }

  it('off: no guard functions, no enforcement', async () => {
    const r = await rig('off', 'serror');
    expect(r.vm.smccc.call([0x8600_0000n, 0n, 0n, 0n]).regs).toEqual([1n, 0n, 0n, 0n]);
    for (const n of [2, 3, 4, 5, 6, 7, 8, 10, 11]) expect(r.vm.smccc.call([BigInt(0xc600_0000 + n), BigInt(WINDOW), 0n, 0n]).regs[0]).toBe(M64);
    expect(access(r, WINDOW, 2, false, true)).toEqual({ kind: 'continue', action: 'mmio' });
  });
});

describe('guard state', () => {
  it('the annotations hold the attribute (rfc-v1 records x2, 62 bits) and nothing else holds state', async () => {
    const r = await rig('rfc-v1', 'serror');
    const call = (n: number, a1: bigint, a2 = 0n) => r.vm.smccc.call([BigInt(0xc600_0000 + n), a1, a2, 0n]).regs[0];
    expect(call(3, 0n)).toBe(0n);
    expect(call(4, BigInt(WINDOW), 0x0060_0000_0000_0f0fn)).toBe(0n); // a Linux PROT_DEVICE_nGnRE-like value
    expect(call(4, BigInt(WINDOW + PAGE), M64)).toBe(0n);
    expect(call(4, BigInt(WINDOW), 7n)).toBe(0n); // already mapped: unchanged
    expect(r.vm.guard.getState()).toEqual({
      version: 1, profile: 'rfc-v1', violation: 'serror', enrolled: true, granule: 4096,
      mappings: [{ ipa: WINDOW, attr: '0x60000000000f0f' }, { ipa: WINDOW + PAGE, attr: '0x3fffffffffffffff' }],
    });
    // The descriptor itself: invalid (bit 0 clear), the note in bit 1, the attribute above.
    expect(r.vm.stage2.leafDescriptor(WINDOW)).toBe((0x0060_0000_0000_0f0fn << 2n) | 2n);
    expect(r.vm.stage2.walk(WINDOW).pa).toBeUndefined();
    expect(call(5, BigInt(WINDOW))).toBe(0n);
    expect(call(5, BigInt(WINDOW + PAGE))).toBe(0n);
    expect(r.vm.stage2.annotations()).toEqual([]);
  });

  it('setState rejects what cannot be a guard (RAM, misaligned, unknown profile)', async () => {
    const r = await rig('android', 'dabt');
    const base = { version: 1 as const, profile: 'android' as const, violation: 'dabt' as const, enrolled: true, granule: 4096 };
    expect(() => r.vm.guard.setState({ ...base, mappings: [{ ipa: RAM, attr: '0x0' }] })).toThrow(/inside RAM/);
    expect(() => r.vm.guard.setState({ ...base, mappings: [{ ipa: WINDOW + 8, attr: '0x0' }] })).toThrow(/granule address/);
    expect(() => r.vm.guard.setState({ ...base, profile: 'x' as never, mappings: [] })).toThrow(/unknown profile/);
    expect(() => r.vm.guard.setState({ ...base, granule: 16384, mappings: [] })).toThrow(/granule/);
  });

  it('a profile change through setState swaps the vendor functions', async () => {
    const r = await rig('rfc-v1', 'serror');
    r.vm.guard.setState({ version: 1, profile: 'mainline', violation: 'serror', enrolled: true, granule: 4096, mappings: [{ ipa: WINDOW, attr: '0x0' }] });
    expect(r.vm.smccc.call([0x8600_0000n, 0n, 0n, 0n]).regs[0]).toBe(0x85n);
    expect(r.vm.smccc.call([0xc600_0003n, 0n, 0n, 0n]).regs[0]).toBe(M64); // rfc-v1's ENROLL is gone
    expect(access(r, WINDOW, 2, false, true)).toEqual({ kind: 'continue', action: 'mmio' });
    expect(access(r, WINDOW + PAGE, 2, false, true)).toEqual({ kind: 'continue', action: 'guard-serror' });
  });

  it('a guest cannot make the host allocate table pages without bound', async () => {
    const r = await rig('android', 'serror');
    r.vm.smccc.call([0xc600_0006n, 0n, 0n, 0n]);
    const region = (i: number) => BigInt(0x1_0000_0000 + i * 2 * 1024 * 1024); // one granule per 2 MiB
    const sweep = (fn: number, from: number) => {
      let ok = 0;
      for (let i = from; i < from + 1200; i++) if (r.vm.smccc.call([BigInt(0xc600_0000 + fn), region(i), 0n, 0n]).regs[0] === 0n) ok++;
      return ok;
    };
    const mapped = sweep(7, 0);
    expect(mapped).toBeGreaterThan(900);
    expect(mapped).toBeLessThan(1200); // refused once the table pages run out
    expect(r.vm.stage2.tablePages).toBeLessThanOrEqual(1024);
    // Unmapped granules leave empty tables behind, reclaimed when the limit is reached again.
    sweep(8, 0);
    expect(sweep(7, 5000)).toBeGreaterThan(mapped - 5); // (a few level-2 tables more over there)
    expect(r.vm.stage2.tablePages).toBeLessThanOrEqual(1024);
  });
});
