// The MMIO guard (shared/spec/mmio-guard.md): the hypercalls a guest uses to enrol and to tell
// the hypervisor, granule by granule, which guest-physical pages it considers MMIO, and the check
// the stage-2 fault path makes before any access outside RAM is forwarded to a device.
//
// State lives where KVM keeps it: in the stage-2 table. A granule the guest has mapped is an
// INVALID level-3 descriptor carrying a note (the CPU's walker ignores every bit of an invalid
// entry, so it still faults to the hypervisor, which then finds the note):
//
//   bit 0      0: invalid (the walker faults; KVM_PTE_VALID clear)
//   bit 1      1: GUARD_NOTE, "mapped by the MMIO guard" (a64vm's KVM_INVALID_PTE_MMIO_NOTE)
//   bits 63:2  the attribute the guest passed to MAP (x2), its low 62 bits
//
// Besides the table, the guard holds only the VM-wide enrolled flag (and its configuration:
// profile, violation mode). getState()/setState() read and write the annotations themselves.
import type { Cpu, Exit } from '../cpu/cpu.ts';
import type { AbortOutcome } from './abort.ts';
import { completeAsBusError } from './bus-error.ts';
import type { AbortSyndrome } from './esr.ts';
import { injectDataAbort, injectVirtualSError, SERROR_IDS } from './inject.ts';
import type { Memslots } from './memslots.ts';
import {
  GUARD_GRANULE, PROFILES, RET_SUCCESS, RGUARD_MAX_BATCH, isGuardProfileName, isGuardViolationMode,
  type GuardCall, type GuardProfile, type GuardProfileName, type GuardViolationMode,
} from './mmio-guard-profiles.ts';
import { vendorHyp64, type Regs4, type Smccc } from './smccc.ts';
import { IPA_BITS, type Stage2 } from './stage2.ts';
import type { VmEvents } from '../events.ts';

export const GUARD_NOTE = 1n << 1n;
const ATTR_SHIFT = 2n;
export const ATTR_MASK = (1n << 62n) - 1n;
const IPA_LIMIT = 2 ** IPA_BITS;

/**
 * Stage-2 table pages the guard may have allocated for its notes, beyond those RAM needs: a guest
 * mapping granules scattered over the 40-bit IPA space would otherwise make the host allocate a
 * table page per 2 MiB touched (pKVM refuses when its memcache runs dry; so does a64vm).
 */
export const GUARD_MAX_TABLE_PAGES = 1024;

/**
 * VSESR_EL2 of a guard SError: IDS (bit 24) set, so ISS [23:0] is IMPLEMENTATION DEFINED; a64vm
 * puts 0x4D47 ("MG", MMIO guard) in [23:8] and the reason in [7:0].
 */
export const SERROR_GUARD_UNMAPPED = SERROR_IDS | 0x4d4701n;
export const SERROR_GUARD_NISV = SERROR_IDS | 0x4d4702n;

export type ViolationReason = 'unmapped' | 'nisv';

export type GuardEvent =
  | {
    kind: 'call';
    call: GuardCall;
    fid: number;
    /** x1..x3 as passed. */
    args: readonly [bigint, bigint, bigint];
    /** x0..x3 returned (unsigned). */
    result: Regs4;
    /** The HVC/SMC instruction's address. */
    pc: bigint;
  }
  | {
    kind: 'violation';
    reason: ViolationReason;
    pc: bigint;
    va: bigint;
    /** IPA of the access's first byte. */
    ipa: number;
    /** The granule that is not mapped (for 'nisv', the first byte's granule). */
    granule: number;
    /** Bytes accessed (0 when an ISV = 0 instruction could not be decoded). */
    size: number;
    write: boolean;
    insn: number;
    /** What the guest got: 'serror', or 'dabt' (configured, or an undecodable ISV = 0 access). */
    injected: 'serror' | 'dabt';
  }
  | { kind: 'reset'; cause: 'system-reset' | 'system-off' | 'restore' };

export type GuardListener = (e: GuardEvent) => void;

export interface GuardMapping { ipa: number; attr: bigint }

/** The guard's part of a VM snapshot: plain JSON data (attributes as hex strings). */
export interface GuardState {
  version: 1;
  profile: GuardProfileName;
  violation: GuardViolationMode;
  enrolled: boolean;
  granule: number;
  mappings: { ipa: number; attr: string }[];
}

export interface GuardDeps {
  cpu: Cpu;
  stage2: Stage2;
  memslots: Memslots;
  smccc: Smccc;
  /** The VM's events (src/events.ts): guard-call and guard-violation are emitted there too. */
  events?: VmEvents;
  /** The running vCPU's index, for those events. */
  vcpuIndex?: () => number;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const granuleOf = (ipa: number) => ipa - (ipa % GUARD_GRANULE);

export class MmioGuard {
  private prof: GuardProfile;
  private mode: GuardViolationMode;
  private isEnrolled: boolean;
  private readonly listeners = new Set<GuardListener>();
  private registered: number[] = [];
  /** Counters since creation (not part of the state). */
  readonly stats = { calls: 0, violations: 0 };

  constructor(private readonly deps: GuardDeps, profile: GuardProfileName = 'rfc-v1', violation: GuardViolationMode = 'serror') {
    if (!isGuardProfileName(profile)) throw new Error(`a64vm: unknown MMIO guard profile '${profile}' (rfc-v1, android, mainline or off)`);
    if (!isGuardViolationMode(violation)) throw new Error(`a64vm: unknown guard violation mode '${violation}' (serror or dabt)`);
    this.prof = PROFILES[profile];
    this.mode = violation;
    this.isEnrolled = this.prof.enrolledAtCreation;
    this.register();
  }

  get profile(): GuardProfileName { return this.prof.name; }
  get violation(): GuardViolationMode { return this.mode; }
  get enrolled(): boolean { return this.isEnrolled; }

  /** Subscribes to guard calls, violations and resets; returns the unsubscribe function. */
  on(listener: GuardListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  // ---- state: the stage-2 annotations ----

  /** Whether the granule holding ipa carries the guard's note. */
  isMapped(ipa: number): boolean {
    return (this.deps.stage2.leafLow32(ipa) & 3) === Number(GUARD_NOTE); // invalid, with the note
  }

  /** The recorded attribute of a mapped granule. */
  attribute(ipa: number): bigint | undefined {
    return this.isMapped(ipa) ? this.deps.stage2.leafDescriptor(granuleOf(ipa)) >> ATTR_SHIFT : undefined;
  }

  /** Every mapped granule with its attribute, in IPA order, read from the stage-2 table. */
  mappings(): GuardMapping[] {
    return this.deps.stage2.annotations()
      .filter((a) => (a.desc & GUARD_NOTE) !== 0n)
      .map((a) => ({ ipa: a.ipa, attr: a.desc >> ATTR_SHIFT }));
  }

  getState(): GuardState {
    return {
      version: 1,
      profile: this.prof.name,
      violation: this.mode,
      enrolled: this.isEnrolled,
      granule: GUARD_GRANULE,
      mappings: this.mappings().map((m) => ({ ipa: m.ipa, attr: hex(m.attr) })),
    };
  }

  /** Throws (naming the problem) unless setState(state) would succeed; changes nothing. */
  validateState(state: GuardState): void { this.checkState(state); }

  /** Replaces the guard with a saved one (profile, mode, enrolment, every mapping). */
  setState(state: GuardState): void {
    const maps = this.checkState(state);
    if (state.profile !== this.prof.name) { this.unregister(); this.prof = PROFILES[state.profile]; this.register(); }
    this.mode = state.violation;
    // A whole-VM restore may have put the stage-2 tables back already: leave them alone then.
    const now = this.mappings();
    const same = now.length === maps.length && now.every((m, i) => m.ipa === maps[i].ipa && m.attr === maps[i].attr);
    if (!same) {
      this.clearNotes();
      for (const m of maps) this.note(m.ipa, m.attr);
    }
    this.isEnrolled = state.enrolled;
    this.emit({ kind: 'reset', cause: 'restore' });
  }

  private checkState(state: GuardState): GuardMapping[] {
    const bad = (why: string) => new Error(`a64vm: guard state: ${why}`);
    if (!state || state.version !== 1) throw bad(`unsupported version ${state?.version}`);
    if (!isGuardProfileName(state.profile)) throw bad(`unknown profile '${state.profile}'`);
    if (!isGuardViolationMode(state.violation)) throw bad(`unknown violation mode '${state.violation}'`);
    if (state.granule !== GUARD_GRANULE) throw bad(`granule ${state.granule} (a64vm's is ${GUARD_GRANULE})`);
    if (typeof state.enrolled !== 'boolean') throw bad('enrolled is not a boolean');
    if (state.profile === 'off' && (state.enrolled || state.mappings?.length)) throw bad('profile off cannot be enrolled or have mappings');
    if (!Array.isArray(state.mappings)) throw bad('mappings is not a list');
    return state.mappings.map((m) => {
      let attr: bigint;
      try { attr = BigInt(m.attr); } catch { throw bad(`attribute ${String(m.attr)} is not a number`); }
      if (!Number.isInteger(m.ipa) || m.ipa % GUARD_GRANULE !== 0 || m.ipa < 0 || m.ipa >= IPA_LIMIT) throw bad(`mapping at ${m.ipa} is not a granule address`);
      if (this.deps.memslots.find(m.ipa)) throw bad(`mapping at ${hex(m.ipa)} is inside RAM`);
      if (attr < 0n || attr > ATTR_MASK) throw bad(`attribute ${m.attr} of ${hex(m.ipa)} does not fit in 62 bits`);
      return { ipa: m.ipa, attr };
    }).sort((a, b) => a.ipa - b.ipa);
  }

  /** PSCI SYSTEM_RESET / SYSTEM_OFF: every mapping goes; enrolment returns to the VM's default. */
  reset(cause: 'system-reset' | 'system-off'): void {
    this.clearNotes();
    this.isEnrolled = this.prof.enrolledAtCreation;
    this.emit({ kind: 'reset', cause });
  }

  // ---- enforcement: the stage-2 fault path (abort.ts) ----

  /**
   * Steps 3 and 4 of the spec for an access outside every memslot (instruction fetches, stage-1
   * walks and cache maintenance are handled before): undefined lets the access go on to MMIO
   * emulation; otherwise the violation has been injected and never reaches a device.
   */
  check(exit: Exit, syn: AbortSyndrome): AbortOutcome | undefined {
    if (!this.isEnrolled) return undefined;
    const ipa = Number(exit.ipa);
    if (!syn.isv) return this.violate(exit, syn, 'nisv', granuleOf(ipa));
    if (!this.isMapped(ipa)) return this.violate(exit, syn, 'unmapped', granuleOf(ipa));
    // As pKVM's __pkvm_check_ioguard_page: the last byte's IPA is the first byte's + size - 1.
    const last = ipa + syn.size - 1;
    if (granuleOf(last) !== granuleOf(ipa) && !this.isMapped(last)) return this.violate(exit, syn, 'unmapped', granuleOf(last));
    return undefined;
  }

  /** The embedder's "raise an SError now" (VSESR_EL2 = iss, IDS by default). */
  raiseSError(iss: bigint = SERROR_IDS): void { injectVirtualSError(this.deps.cpu, iss); }

  private violate(exit: Exit, syn: AbortSyndrome, reason: ViolationReason, granule: number): AbortOutcome {
    const cpu = this.deps.cpu;
    const pc = cpu.pc;
    let injected: 'serror' | 'dabt' = this.mode;
    let size = syn.isv ? syn.size : 0;
    if (this.mode === 'serror') {
      const done = completeAsBusError(cpu, syn, exit.insn);
      if (done) {
        size = done.size;
        injectVirtualSError(cpu, reason === 'nisv' ? SERROR_GUARD_NISV : SERROR_GUARD_UNMAPPED);
      } else {
        injected = 'dabt'; // an instruction whose effects cannot be completed here: be synchronous
      }
    }
    if (injected === 'dabt') injectDataAbort(cpu, exit.far);
    this.stats.violations++;
    this.emit({ kind: 'violation', reason, pc, va: exit.far, ipa: Number(exit.ipa), granule, size, write: syn.wnr, insn: exit.insn, injected });
    this.deps.events?.emit('guard-violation', {
      vcpu: this.deps.vcpuIndex?.() ?? 0, pc, va: exit.far, ipa: exit.ipa, size, write: syn.wnr, reason, injected,
    });
    return { kind: 'continue', action: injected === 'serror' ? 'guard-serror' : 'guard-dabt' };
  }

  // ---- the hypercalls ----

  private register(): void {
    for (const [call, fn] of Object.entries(this.prof.functions) as [GuardCall, number][]) {
      this.deps.smccc.registerVendor(fn, (args, fid) => this.handle(call, args, fid));
      this.registered.push(vendorHyp64(fn));
    }
  }

  private unregister(): void {
    for (const fid of this.registered) this.deps.smccc.unregisterVendor(fid);
    this.registered = [];
  }

  private handle(call: GuardCall, args: readonly [bigint, bigint, bigint], fid: number): bigint[] {
    const r = this.answer(call, args);
    const result = [0, 1, 2, 3].map((i) => BigInt.asUintN(64, r[i] ?? 0n)) as Regs4;
    this.stats.calls++;
    const ev = this.deps.events;
    if (this.listeners.size || ev?.wants('guard-call')) {
      // The HVC (or SMC) has been stepped over: the call is the instruction before the PC.
      const pc = this.deps.cpu.pc - 4n;
      this.emit({ kind: 'call', call, fid, args, result, pc });
      ev?.emit('guard-call', { vcpu: this.deps.vcpuIndex?.() ?? 0, pc, fid, name: call, args, result });
    }
    return result;
  }

  private answer(call: GuardCall, [a1, a2, a3]: readonly [bigint, bigint, bigint]): bigint[] {
    const p = this.prof;
    const err = p.error;
    switch (call) {
      case 'INFO':
      case 'HYP_MEMINFO':
        if (p.infoArgsMustBeZero && (a1 | a2 | a3) !== 0n) return [err];
        return [BigInt(GUARD_GRANULE), p.infoHasRange ? 1n : 0n];
      case 'ENROLL':
        this.isEnrolled = true;
        return [RET_SUCCESS];
      case 'MAP': {
        if (p.mapArgsMustBeZero && (a2 | a3) !== 0n) return [err];
        const ok = this.isEnrolled && this.mapOne(a1, p.mapRecordsAttribute ? a2 : 0n);
        if (p.mapReturnsCount) return ok ? [RET_SUCCESS, 1n] : [err, 0n];
        return [ok ? RET_SUCCESS : err];
      }
      case 'UNMAP': {
        let ipa = a1;
        if (p.unmapAlignsDown) ipa -= ipa % BigInt(GUARD_GRANULE);
        const ok = this.isEnrolled && this.unmapOne(ipa);
        if (p.mapReturnsCount) return ok ? [RET_SUCCESS, 1n] : [err, 0n];
        return [ok ? RET_SUCCESS : err];
      }
      case 'RGUARD_MAP':
      case 'RGUARD_UNMAP': {
        // x1 = IPA, x2 = granules; x3 is reserved (pKVM: "else if (arg3) goto out_guest_err").
        if (!this.isEnrolled || a3 !== 0n || a2 === 0n) return [err, 0n];
        const n = a2 < BigInt(RGUARD_MAX_BATCH) ? Number(a2) : RGUARD_MAX_BATCH;
        let done = 0;
        for (; done < n; done++) {
          const g = a1 + BigInt(done * GUARD_GRANULE);
          if (!(call === 'RGUARD_MAP' ? this.mapOne(g, 0n) : this.unmapOne(g))) break;
        }
        return done === 0 ? [err, 0n] : [RET_SUCCESS, BigInt(done)];
      }
    }
  }

  /** MAP of one granule; false for a misaligned IPA, RAM, beyond the IPA space, or no table room. */
  private mapOne(ipa: bigint, attr: bigint): boolean {
    if (!this.validGranule(ipa)) return false;
    const a = Number(ipa);
    if (this.deps.memslots.find(a)) return false;
    if (this.isMapped(a)) return true; // no reference count: the guest keeps one
    const s2 = this.deps.stage2;
    if (s2.walk(a).level < 3 && s2.tablePages >= GUARD_MAX_TABLE_PAGES) {
      s2.pruneEmptyTables(); // UNMAP leaves emptied tables in place (no churn on MAP/UNMAP pairs)
      if (s2.tablePages >= GUARD_MAX_TABLE_PAGES) return false;
    }
    this.note(a, attr);
    return true;
  }

  /** UNMAP of one granule: true when it was mapped (or, in profiles that allow it, was not). */
  private unmapOne(ipa: bigint): boolean {
    if (!this.validGranule(ipa)) return false;
    const a = Number(ipa);
    if (!this.isMapped(a)) return this.prof.unmapUnmappedSucceeds;
    this.deps.stage2.setInvalidLeaf(a, 0n, { prune: false });
    return true;
  }

  private validGranule(ipa: bigint): boolean {
    return ipa % BigInt(GUARD_GRANULE) === 0n && ipa < BigInt(IPA_LIMIT);
  }

  private note(ipa: number, attr: bigint): void {
    this.deps.stage2.setInvalidLeaf(ipa, ((attr & ATTR_MASK) << ATTR_SHIFT) | GUARD_NOTE);
  }

  private clearNotes(): void {
    for (const m of this.mappings()) this.deps.stage2.setInvalidLeaf(m.ipa, 0n);
  }

  private emit(e: GuardEvent): void { for (const f of this.listeners) f(e); }
}

/** One line per event, as `a64vm run --trace guard` prints it. */
export function formatGuardEvent(e: GuardEvent): string {
  switch (e.kind) {
    case 'call': {
      const ret = BigInt.asIntN(64, e.result[0]);
      const shown = ret < 0n ? ret.toString() : hex(ret);
      const extra = e.result.slice(1).some((v) => v !== 0n) ? ` x1..x3=${e.result.slice(1).map(hex).join(',')}` : '';
      return `guard: ${e.call}(${e.args.map(hex).join(', ')}) at PC ${hex(e.pc)} -> ${shown}${extra}`;
    }
    case 'violation': {
      const what = e.reason === 'nisv' ? 'access without a valid syndrome (ISV = 0)' : `granule ${hex(e.granule)} not mapped`;
      return `guard: VIOLATION at PC ${hex(e.pc)}: ${e.write ? 'write' : 'read'} of ${e.size} byte(s) at VA ${hex(e.va)} ` +
        `(IPA ${hex(e.ipa)}): ${what} -> injected ${e.injected === 'serror' ? 'SError' : 'data abort'}`;
    }
    case 'reset':
      return `guard: cleared (${e.cause})`;
  }
}
