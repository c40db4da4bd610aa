// The host side of the hypercall-interface fuzzing target (guest-images/fuzz/hypercall.c): after
// every operation the guest performs, it executes the step marker BRK #0x57E9 and the harness
// calls step(), which reads the guest's step record (hc_step) and checks the hypervisor against
// the reference models (guard-model.ts, smccc-model.ts), which know nothing of src/hyp:
//   - a call's x0..x3 results,
//   - the guard's registered set and enrolment (the granules the call touched; every granule at
//     the end of the execution),
//   - for a load or store: whether it reached a device (this file's MMIO callback owns the device
//     window and records what reaches it, with the values), what a load returned, and whether
//     the guest took an exception, which one (ESR_EL1, FAR_EL1, ELR_EL1), or an SError, and when
//     (PSTATE.A), with which syndrome; and that the guard's violation events say the same.
// Any disagreement is a crash 'model:<what>' at the PC of the operation's instruction.
import type { Crash } from './harness.ts';
import type { VM, RunResult } from '../../vm.ts';
import type { GuardEvent } from '../../hyp/mmio-guard.ts';
import { GuardModel, type GuardModelProfile } from './guard-model.ts';
import { expectedCall } from './smccc-model.ts';

/** BRK #0x57E9, the guest's step marker. */
export const STEP_BRK_IMM = 0x57e9;

// hc_step's fields (u64 each), as hypercall.c declares them.
const F = { op: 0, x: 8, r: 40, pc: 72, syncCount: 80, syncEsr: 88, syncFar: 96, syncElr: 104, serrorCount: 112, serrorEsr: 120, otherCount: 128, daif: 136, n: 144 };
const RECORD_SIZE = 152;
const OP_CALL = 1n, OP_ACCESS = 2n, OP_DAIF = 3n, OP_RESET = 4n;

/** The synchronous external abort a64vm injects (ESR_EL1: EC 0x25, IL, DFSC 0x10, ISV 0). */
const ESR_EXTERNAL_DABT = 0x9600_0010n;
/** An SError's ESR_EL1: EC 0x2F, IL, ISS = VSESR_EL2[24:0] (IDS | 0x4D47 "MG" | reason). */
const ESR_SERROR = (0x2fn << 26n) | (1n << 25n);
const VSESR_GUARD = { unmapped: 0x14d4701n, nisv: 0x14d4702n };
const M64 = (1n << 64n) - 1n;
const mask = (size: number) => (size >= 8 ? M64 : (1n << BigInt(8 * size)) - 1n);

/** What the device window returns for a read: a function of the address, so a load can be checked. */
export const windowValue = (ipa: number, size: number) =>
  ((BigInt(ipa) * 0x9e37_79b9_7f4a_7c15n) ^ (BigInt(size) << 56n)) & mask(size);

export interface GuardCheckOptions {
  profile: GuardModelProfile;
  violation: 'serror' | 'dabt';
  /** The device window [lo, hi): the MMIO callback answers there, nothing answers elsewhere. */
  window: [number, number];
}

interface Access { ipa: number; size: number; write: boolean; value: bigint }

export class GuardChecker {
  private vm!: VM;
  private rec = 0;
  private model: GuardModel;
  private readonly forwarded: Access[] = [];
  private readonly violations: Extract<GuardEvent, { kind: 'violation' }>[] = [];
  private masked = true;
  private pending: bigint | undefined;
  private prev = { sync: 0n, serror: 0n, other: 0n };
  /**
   * After the SYSTEM_RESET marker: 'reset' until the HVC, 'resetting' until the rebooted guest's
   * first exit (its first UART write), where the guard must be as the VM was created; then
   * 'done': the rest of the run is the rebooted guest's (the harness's breakpoints are gone
   * with the reloaded image), not checked.
   */
  private rebooting: 'no' | 'reset' | 'resetting' | 'done' = 'no';
  private resetVerdict?: Crash;
  /** How many checked steps had each outcome (what the fuzzing exercised). */
  readonly outcomes: Record<string, number> = {};
  /** This execution's outcomes in order, for feedback(). */
  private readonly trail: string[] = [];

  constructor(readonly opts: GuardCheckOptions) {
    this.model = new GuardModel(opts.profile, []);
  }

  /** The embedder MMIO callback the VM is created with: the device window. */
  readonly mmio = (a: Access): bigint | boolean | undefined => {
    const [lo, hi] = this.opts.window;
    if (a.ipa < lo || a.ipa + a.size > hi) return undefined;
    this.forwarded.push({ ...a });
    return a.write ? true : windowValue(a.ipa, a.size);
  };

  /** Binds to the VM once it is at the start point; rec is hc_step's address. */
  attach(vm: VM, rec: number): void {
    this.vm = vm;
    this.rec = rec;
    const ram = vm.memslots.all.map((s) => ({ base: s.ipa, size: s.size }));
    this.model = new GuardModel(this.opts.profile, ram);
    vm.onGuard((e) => { if (e.kind === 'violation') this.violations.push(e); });
    vm.onExit((e) => {
      if (this.rebooting === 'reset' && (e.reason === 'hvc' || e.reason === 'smc') && (vm.cpu.x(0) & 0xffff_ffffn) === 0x8400_0009n) this.rebooting = 'resetting';
      else if (this.rebooting === 'resetting') {
        this.rebooting = 'done';
        this.model.reset();
        this.outcomes['system-reset'] = (this.outcomes['system-reset'] ?? 0) + 1;
        this.resetVerdict = this.compareAll((what, message) => ({ kind: `model:${what}`, pc: 0n, message }), 'after SYSTEM_RESET');
      }
    });
  }

  /** Before each execution: the model of the start point (no guard call has been made yet). */
  begin(): void {
    this.model = new GuardModel(this.opts.profile, this.model.ram);
    const r = this.record();
    this.prev = { sync: r(F.syncCount), serror: r(F.serrorCount), other: r(F.otherCount) };
    const cpu = this.vm.cpu;
    this.masked = (cpu.daif & 0x100) !== 0;
    // A virtual SError may be pending at the start point already (mainline: the VM is enrolled
    // from creation, so the boot banner's UART writes were violations): HCR_EL2.VSE, VSESR_EL2.
    this.pending = (cpu.sysreg('HCR_EL2') >> 8n) & 1n ? cpu.sysreg('VSESR_EL2') & 0x1ff_ffffn : undefined;
    this.rebooting = 'no';
    this.resetVerdict = undefined;
    this.forwarded.length = 0;
    this.violations.length = 0;
    this.trail.length = 0;
  }

  /**
   * Hypervisor-side coverage: each pair of consecutive outcomes of this execution (a call that
   * succeeded then an access forwarded, ...) counts as an edge in the fuzzer's map, so inputs
   * that make the hypervisor do something new are kept even when the guest's own code paths are
   * the same (they do not depend on what the hypervisor answers).
   */
  feedback(map: Uint8Array): void {
    let prev = 0;
    for (const k of this.trail) {
      let h = 0x811c9dc5;
      for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
      const cur = (h >>> 16) ^ (h & 0xffff);
      const e = (cur ^ prev) & 0xffff;
      if (map[e] < 255) map[e]++;
      prev = (cur >>> 1) & 0xffff;
    }
  }

  private record(): (off: number) => bigint {
    const b = this.vm.memslots.view(this.rec, RECORD_SIZE);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return (off) => dv.getBigUint64(off, true);
  }

  /** At a step marker: undefined when the hypervisor agrees with the model. */
  step(): Crash | undefined {
    const r = this.record();
    const op = r(F.op), pc = r(F.pc);
    const x = [0, 1, 2, 3].map((i) => r(F.x + 8 * i));
    const res = [0, 1, 2, 3].map((i) => r(F.r + 8 * i));
    const crash = (what: string, message: string): Crash => ({ kind: `model:${what}`, pc, message: `step ${r(F.n)}: ${message}` });
    const forwarded = this.forwarded.splice(0);
    const violations = this.violations.splice(0);
    if (this.rebooting !== 'no') return undefined;
    const sync: { esr: bigint; far: bigint; elr: bigint }[] = [];
    const seen = { sync: r(F.syncCount) - this.prev.sync, serror: r(F.serrorCount) - this.prev.serror, other: r(F.otherCount) - this.prev.other };
    this.prev = { sync: r(F.syncCount), serror: r(F.serrorCount), other: r(F.otherCount) };
    let wantViolation: 'unmapped' | 'nisv' | undefined;
    let loaded: string | undefined; // a wrong loaded value, reported after the exceptions
    const count = (k: string, feedback = k) => { this.outcomes[k] = (this.outcomes[k] ?? 0) + 1; this.trail.push(feedback); };

    if (op === OP_CALL) {
      const fid = Number(x[0] & 0xffff_ffffn);
      const want = expectedCall(this.model, fid, [x[1], x[2], x[3]]);
      if (want.some((v, i) => v !== res[i])) {
        return crash('result', `call 0x${fid.toString(16)}(${x.slice(1).map(hex).join(', ')}) returned ${res.map(hex).join(', ')}; the model says ${want.map(hex).join(', ')}`);
      }
      const touched = [x[1] - (x[1] % 4096n)];
      for (let k = 1n; k <= 16n; k++) touched.push(x[1] + k * 4096n);
      for (const g of touched) {
        if (g >= 1n << 40n || g % 4096n !== 0n) continue;
        const got = this.vm.guard.attribute(Number(g));
        const want = this.model.map.get(Number(g));
        if (got !== want) return crash('guard-state', `after call 0x${fid.toString(16)}: granule ${hex(g)} is ${got === undefined ? 'not mapped' : `mapped (attribute ${hex(got)})`} in the guard; the model says ${want === undefined ? 'not mapped' : `mapped (attribute ${hex(want)})`}`);
      }
      if (this.vm.guard.enrolled !== this.model.enrolled) return crash('guard-state', `after call 0x${fid.toString(16)}: enrolled is ${this.vm.guard.enrolled}; the model says ${this.model.enrolled}`);
      const call = this.model.callOf(fid);
      const ok = want[0] >> 63n ? 'error' : 'ok';
      // Feedback by call and success; other IDs by owner (PSCI, SMCCC, vendor), not one per ID.
      const owner = (fid >>> 24) === 0x84 || (fid >>> 24) === 0xc4 ? 'psci' : (fid >>> 24) === 0x80 ? 'smccc' : 'vendor';
      count(call ? `call:${call}:${ok}` : `call:0x${fid.toString(16)}`, `call:${call ?? owner}:${ok}`);
    } else if (op === OP_ACCESS) {
      const ipa = Number(x[0]), size = Number(x[1]), write = x[2] !== 0n, pair = x[3] !== 0n;
      const what = `${write ? 'store' : 'load'} of ${size} bytes at ${hex(ipa)}${pair ? ' (pair, ISV = 0)' : ''}`;
      const elems = pair ? [[ipa, 8], [ipa + 8, 8]] : [[ipa, size]];
      const wantFwd: Access[] = [];
      if (this.model.inRam(ipa)) {
        count('access:ram'); // no hypervisor involvement at all
      } else {
        let g = this.model.access(ipa, size, !pair);
        if (g === 'nisv-exit') g = 'forward'; // the harness runs with emulateNisv (hypercall.json)
        if (g === 'forward') {
          const [lo, hi] = this.opts.window;
          count(`access:forward${pair ? '-pair' : ''}${this.model.enrolled ? '-enrolled' : ''}${ipa >= lo && ipa + size <= hi ? '' : '-bus-error'}`);
          if (ipa >= lo && ipa + size <= hi) {
            elems.forEach(([a, s], i) => wantFwd.push({ ipa: a, size: s, write, value: write ? res[i] & mask(s) : 0n }));
            if (!write) {
              const got = elems.map(([a, s], i) => [res[i], windowValue(a, s)]);
              if (got.some(([g1, w]) => g1 !== w)) loaded = `${what} loaded ${res.slice(0, elems.length).map(hex).join(', ')}; the device returned ${got.map(([, w]) => hex(w)).join(', ')}`;
            }
          } else {
            sync.push({ esr: ESR_EXTERNAL_DABT, far: BigInt(ipa), elr: pc }); // nothing there: a bus error
          }
        } else {
          wantViolation = g;
          count(`access:violation-${g}`);
          if (this.opts.violation === 'dabt') sync.push({ esr: ESR_EXTERNAL_DABT, far: BigInt(ipa), elr: pc });
          else {
            this.pending = VSESR_GUARD[g];
            if (!write && res.slice(0, elems.length).some((v) => v !== 0n)) loaded = `${what} was a guard violation (SError mode: completes as a failed read, zero) but loaded ${res.slice(0, elems.length).map(hex).join(', ')}`;
          }
        }
      }
      const key = (f: Access) => `${f.write ? 'W' : 'R'}${f.size}@${hex(f.ipa)}${f.write ? `=${hex(f.value)}` : ''}`;
      const gotK = forwarded.map(key).join(' '), wantK = wantFwd.map(key).join(' ');
      if (gotK !== wantK) return crash('forwarded', `${what}: the device saw [${gotK}]; the model says [${wantK}] (guard ${this.model.enrolled ? 'enrolled' : 'not enrolled'})`);
    } else if (op === OP_DAIF) {
      this.masked = x[0] !== 0n;
      count(this.masked ? 'daif:mask' : 'daif:unmask');
    } else if (op === OP_RESET) {
      this.rebooting = 'reset';
      return undefined;
    } else {
      return crash('record', `unknown operation ${op} in the step record`);
    }

    const gotV = violations.map((v) => v.reason).join(','), wantV = wantViolation ?? '';
    if (gotV !== wantV) return crash('violation-event', `the guard reported violations [${gotV}]; the model says [${wantV}]`);
    if (seen.other !== 0n) return crash('exception', `the guest took ${seen.other} IRQ/FIQ exception(s)`);
    if (seen.sync !== BigInt(sync.length)) {
      return crash('exception', `the guest took ${seen.sync} synchronous exception(s) (last ESR_EL1 ${hex(r(F.syncEsr))} FAR ${hex(r(F.syncFar))} ELR ${hex(r(F.syncElr))}); the model expects ${sync.length}${sync.length ? ` (ESR_EL1 ${hex(sync[0].esr)})` : ''}`);
    }
    if (sync.length) {
      const s = sync[0];
      if (r(F.syncEsr) !== s.esr || r(F.syncFar) !== s.far || r(F.syncElr) !== s.elr) {
        return crash('exception', `synchronous exception ESR_EL1 ${hex(r(F.syncEsr))} FAR ${hex(r(F.syncFar))} ELR ${hex(r(F.syncElr))}; the model expects ESR_EL1 ${hex(s.esr)} FAR ${hex(s.far)} ELR ${hex(s.elr)}`);
      }
    }
    // A pending virtual SError is taken as soon as PSTATE.A is clear (one, with the last syndrome).
    const wantSE = this.pending !== undefined && !this.masked ? this.pending : undefined;
    if (wantSE !== undefined) { this.pending = undefined; count('serror-taken'); }
    if (seen.serror !== (wantSE === undefined ? 0n : 1n)) {
      return crash('serror', `the guest took ${seen.serror} SError(s) (PSTATE.A ${this.masked ? 'set' : 'clear'}); the model expects ${wantSE === undefined ? 0 : 1}`);
    }
    if (wantSE !== undefined && r(F.serrorEsr) !== (ESR_SERROR | wantSE)) {
      return crash('serror', `SError with ESR_EL1 ${hex(r(F.serrorEsr))}; the model expects ${hex(ESR_SERROR | wantSE)}`);
    }
    return loaded === undefined ? undefined : crash('loaded', loaded);
  }

  /** When the execution ends: the whole registered set must be the model's. */
  end(result: RunResult): Crash | undefined {
    const crash = (what: string, message: string): Crash => ({ kind: `model:${what}`, pc: 0n, message });
    if (this.rebooting === 'done') return this.resetVerdict;
    if (this.rebooting !== 'no') return crash('reset', `the guest asked for SYSTEM_RESET but the VM did not restart (the run ended: ${result.reason})`);
    if (result.reason === 'system-off') { this.model.reset(); this.outcomes['system-off'] = (this.outcomes['system-off'] ?? 0) + 1; }
    return this.compareAll(crash, result.reason === 'system-off' ? 'after SYSTEM_OFF' : 'at the end');
  }

  private compareAll(crash: (what: string, message: string) => Crash, when: string): Crash | undefined {
    const got = this.vm.guard.mappings().map((m) => `${hex(m.ipa)}:${hex(m.attr)}`).join(' ');
    const want = [...this.model.map].sort((a, b) => a[0] - b[0]).map(([ipa, attr]) => `${hex(ipa)}:${hex(attr)}`).join(' ');
    if (got !== want) return crash('guard-state', `${when}: the guard has [${got}]; the model says [${want}]`);
    if (this.vm.guard.enrolled !== this.model.enrolled) return crash('guard-state', `${when}: enrolled is ${this.vm.guard.enrolled}; the model says ${this.model.enrolled}`);
    return undefined;
  }
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
