// The debugger's hold on a VM: breakpoints, watchpoints, stepping and running, over the library
// API. The gdb protocol (server.ts) sits on top; nothing here knows about packets.
//
// Breakpoints (software and "hardware" alike) are BRK #0 written over the instruction, with the
// CPU's HOST_FLAGS.HF_TRAP_BRK set so that a BRK exits to the host (PC at the BRK) instead of
// raising the guest's breakpoint exception. A BRK that is not ours is given back to the guest
// (hyp/vcpu.ts). The decode cache is keyed by instruction word, so patching needs no flush.
//
// Watchpoints take away stage-2 permissions of the watched pages while the guest runs (write
// permission for write watchpoints, read and write for read/access ones; execute stays, so
// code on the same page runs at full speed). A data access to such a page exits as a stage-2
// permission fault before it happens; the access (address, size, direction: from the
// instruction and its registers, else the syndrome) is compared with the watchpoints. A hit stops
// the vCPU at the instruction, not executed, as Arm's watchpoints do (gdb then steps over it
// with the watchpoints removed, and reports the old and new values). A miss runs that one
// instruction with the permissions back and takes them away again. Stage-1 walks that read a
// watched page are stepped over the same way.
import { layout as L, type Exit } from '../../cpu/cpu.ts';
import { decodeAbort } from '../../hyp/esr.ts';
import { S2AP_R, S2AP_W } from '../../hyp/stage2.ts';
import type { RunResult, VM } from '../../vm.ts';
import { currentVcpu, reg32, reg64, setReg32, vaToHost, vaToIpa, vcpuCount, readVirtual, writeVirtual } from '../vcpus.ts';
import { decodeAccess, type DataAccess } from './access.ts';

export const BRK0 = 0xd4200000;
const PAGE = 4096n;
/** Instructions per slice while running: Ctrl-C and the socket are looked at between slices. */
const SLICE = 1_000_000n;

export type BreakKind = 'sw' | 'hw';
export type WatchKind = 'write' | 'read' | 'access';

export type StopEvent =
  | {
    kind: 'stopped';
    /** Signal for the stop reply: 5 SIGTRAP (step, breakpoint, watchpoint), 2 SIGINT (interrupt). */
    signal: number;
    vcpu: number;
    why?: 'swbreak' | 'hwbreak' | { watch: WatchKind; addr: bigint };
  }
  | { kind: 'exited'; result: RunResult };

interface Breakpoint { va: bigint; host: number; orig: number; kinds: Set<BreakKind> }
interface Watch { va: bigint; len: number; kind: WatchKind }

type Claim =
  | { kind: 'break'; vcpu: number; bp: Breakpoint }
  | { kind: 'watch'; vcpu: number; watch: Watch; addr: bigint }
  | { kind: 'step-over'; vcpu: number };

export class DebugTarget {
  private readonly breakpoints = new Map<bigint, Breakpoint>();
  private watches: Watch[] = [];
  /** Pages whose stage-2 permissions are cut, with their descriptors as they were. */
  private protectedPages = new Map<number, bigint>();
  private claim?: Claim;
  private attached = false;
  /** Instructions retired while the debugger ran the guest, against the budget. */
  private readonly start: bigint;

  constructor(readonly vm: VM, private readonly budget?: bigint) {
    this.start = vm.instructions;
  }

  get vcpus(): number { return vcpuCount(this.vm); }

  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.vm.setDebugHandler((e) => this.onExit(e));
    this.setTrapBrk(true);
  }

  /** Removes every breakpoint and watchpoint and lets the guest run as if no debugger was there. */
  detach(): void {
    for (const bp of [...this.breakpoints.values()]) this.unplant(bp);
    this.breakpoints.clear();
    this.watches = [];
    this.unprotect();
    this.setTrapBrk(false);
    this.vm.setDebugHandler(undefined);
    this.attached = false;
  }

  private setTrapBrk(on: boolean): void {
    for (let i = 0; i < this.vcpus; i++) {
      const f = reg32(this.vm, i, L.HOST_FLAGS);
      setReg32(this.vm, i, L.HOST_FLAGS, on ? f | L.HF_TRAP_BRK : f & ~L.HF_TRAP_BRK);
    }
  }

  // ---- memory (breakpoints hidden: reads show the original instructions) ----

  readMemory(vcpu: number, va: bigint, len: number): Uint8Array {
    const data = readVirtual(this.vm, vcpu, va, len);
    for (const bp of this.breakpoints.values()) {
      for (let k = 0; k < 4; k++) {
        const off = bp.va + BigInt(k) - va;
        if (off >= 0n && off < BigInt(data.length)) data[Number(off)] = (bp.orig >>> (8 * k)) & 0xff;
      }
    }
    return data;
  }

  writeMemory(vcpu: number, va: bigint, data: Uint8Array): boolean {
    const n = writeVirtual(this.vm, vcpu, va, data);
    // A write over a planted breakpoint changes what is restored later; the BRK stays.
    for (const bp of this.breakpoints.values()) {
      let orig = bp.orig;
      for (let k = 0; k < 4; k++) {
        const off = bp.va + BigInt(k) - va;
        if (off >= 0n && off < BigInt(n)) orig = ((orig & ~(0xff << (8 * k))) | (data[Number(off)] << (8 * k))) >>> 0;
      }
      if (orig !== bp.orig) { bp.orig = orig; this.vm.cpu.setU32(bp.host, BRK0); }
    }
    return n === data.length;
  }

  // ---- breakpoints ----

  insertBreakpoint(kind: BreakKind, va: bigint, vcpu = 0): boolean {
    const have = this.breakpoints.get(va);
    if (have) { have.kinds.add(kind); return true; }
    if ((va & 3n) !== 0n) return false;
    const host = vaToHost(this.vm, vcpu, va);
    if (host === undefined) return false;
    const bp: Breakpoint = { va, host, orig: this.vm.cpu.u32(host), kinds: new Set([kind]) };
    this.vm.cpu.setU32(host, BRK0);
    this.breakpoints.set(va, bp);
    return true;
  }

  removeBreakpoint(kind: BreakKind, va: bigint): boolean {
    const bp = this.breakpoints.get(va);
    if (!bp || !bp.kinds.delete(kind)) return false;
    if (bp.kinds.size === 0) { this.unplant(bp); this.breakpoints.delete(va); }
    return true;
  }

  private unplant(bp: Breakpoint): void {
    if (this.vm.cpu.u32(bp.host) === BRK0) this.vm.cpu.setU32(bp.host, bp.orig);
  }

  // ---- watchpoints ----

  insertWatch(kind: WatchKind, va: bigint, len: number): boolean {
    if (len <= 0 || len > 1 << 20) return false;
    this.watches.push({ va, len, kind });
    return true;
  }

  removeWatch(kind: WatchKind, va: bigint, len: number): boolean {
    const i = this.watches.findIndex((w) => w.kind === kind && w.va === va && w.len === len);
    if (i < 0) return false;
    this.watches.splice(i, 1);
    return true;
  }

  /** Cuts the stage-2 permissions of every watched page (see the header). */
  private protect(): void {
    const want = new Map<number, boolean>(); // IPA page -> reads too
    for (const w of this.watches) {
      for (let p = w.va & ~(PAGE - 1n); p < w.va + BigInt(w.len); p += PAGE) {
        const ipa = vaToIpa(this.vm, 0, p);
        if (ipa === undefined || !this.vm.memslots.find(ipa)) continue;
        want.set(ipa, (want.get(ipa) ?? false) || w.kind !== 'write');
      }
    }
    const s2 = this.vm.stage2;
    for (const [ipa, reads] of want) {
      const desc = s2.leafDescriptor(ipa);
      if ((desc & 1n) === 0n) continue;
      this.protectedPages.set(ipa, desc);
      s2.setLeafDescriptor(ipa, desc & ~(S2AP_W | (reads ? S2AP_R : 0n)));
    }
  }

  private unprotect(): void {
    for (const [ipa, desc] of this.protectedPages) this.vm.stage2.setLeafDescriptor(ipa, desc);
    this.protectedPages.clear();
  }

  // ---- exits ----

  /** The VM's debug handler: claims BRKs we planted and faults on pages we protected. */
  private onExit(e: Exit): boolean {
    const vm = this.vm;
    const cpu = vm.cpu;
    const vcpu = currentVcpu(vm);
    if (e.reason === 'brk') {
      const bp = this.breakpoints.get(cpu.pc);
      if (!bp || cpu.u32(bp.host) !== BRK0) return false;
      cpu.icount -= 1n; // the BRK stands for an instruction that has not run yet
      this.claim = { kind: 'break', vcpu, bp };
      return true;
    }
    if (e.reason !== 'dabt' || this.protectedPages.size === 0) return false;
    const page = Number(e.ipa) - (Number(e.ipa) % 4096);
    if (!this.protectedPages.has(page)) return false;
    cpu.icount -= 1n; // the faulting instruction runs again (or is reported before it runs)
    const syn = decodeAbort(e.esr);
    if (syn.s1ptw) { this.claim = { kind: 'step-over', vcpu }; return true; }
    const regs = (n: number) => (n === 31 ? cpu.sp : cpu.x(n));
    const acc: DataAccess = decodeAccess(e.insn, regs, cpu.pc) ?? {
      va: e.far, size: syn.isv ? syn.size : 1, read: !syn.wnr, write: syn.wnr,
    };
    for (const w of this.watches) {
      const lo = acc.va > w.va ? acc.va : w.va;
      const hi = acc.va + BigInt(acc.size) < w.va + BigInt(w.len) ? acc.va + BigInt(acc.size) : w.va + BigInt(w.len);
      if (lo >= hi) continue;
      if ((w.kind === 'write' && !acc.write) || (w.kind === 'read' && !acc.read)) continue;
      this.claim = { kind: 'watch', vcpu, watch: w, addr: lo };
      return true;
    }
    this.claim = { kind: 'step-over', vcpu };
    return true;
  }

  // ---- run control ----

  private budgetLeft(): bigint | undefined {
    return this.budget === undefined ? undefined : this.budget - (this.vm.instructions - this.start);
  }

  /** Runs at most n instructions; a stop event, or undefined when the slice just ended. */
  private runSome(n: bigint): StopEvent | undefined {
    const left = this.budgetLeft();
    if (left !== undefined && left <= 0n) return { kind: 'exited', result: this.budgetResult() };
    if (left !== undefined && left < n) n = left;
    this.claim = undefined;
    const r = this.vm.run({ budget: n });
    if (r.reason === 'budget') return undefined;
    if (r.reason !== 'debug') return { kind: 'exited', result: r };
    const c = this.claim as Claim | undefined;
    this.claim = undefined;
    if (!c) return undefined;
    if (c.kind === 'break') return { kind: 'stopped', signal: 5, vcpu: c.vcpu, why: c.bp.kinds.has('sw') ? 'swbreak' : 'hwbreak' };
    if (c.kind === 'watch') return { kind: 'stopped', signal: 5, vcpu: c.vcpu, why: { watch: c.watch.kind, addr: c.addr } };
    // A watched page was touched, but not a watched byte: run that instruction unwatched.
    this.unprotect();
    this.pin(c.vcpu);
    const r2 = this.vm.run({ budget: 1 });
    this.protect();
    if (r2.reason !== 'budget' && r2.reason !== 'debug') return { kind: 'exited', result: r2 };
    return undefined;
  }

  private budgetResult(): RunResult {
    const n = this.vm.instructions - this.start;
    return {
      reason: 'budget', status: 3, output: '', outputBytes: new Uint8Array(0), instructions: n, resets: 0,
      message: `instruction budget exhausted after ${n} instructions (PC 0x${this.vm.cpu.pc.toString(16)})`,
    };
  }

  /** Makes vCPU i the next one the scheduler runs (when it can run). */
  private pin(i: number): void {
    if (this.vcpus > 1) (this.vm.scheduler as unknown as { next: number }).next = i;
  }

  /**
   * Moves vCPU i off a breakpoint at its PC: the original instruction runs once, then the BRK
   * goes back. Returns a stop event if that one instruction ended something.
   */
  private stepOffBreakpoint(i: number): StopEvent | undefined | 'stepped' {
    const bp = this.breakpoints.get(reg64(this.vm, i, L.PC));
    if (!bp) return undefined;
    this.unplant(bp);
    this.pin(i);
    const ev = this.runSome(1n);
    if (this.breakpoints.get(bp.va) === bp) this.vm.cpu.setU32(bp.host, BRK0);
    return ev ?? 'stepped';
  }

  private prepare(): void {
    this.setTrapBrk(true); // again: a guest reset reloads the host flags
    this.protect();
  }

  /** One instruction on vCPU i. */
  step(i: number): StopEvent {
    this.prepare();
    try {
      const off = this.stepOffBreakpoint(i);
      if (off !== undefined) return off === 'stepped' ? { kind: 'stopped', signal: 5, vcpu: i } : off;
      this.pin(i);
      return this.runSome(1n) ?? { kind: 'stopped', signal: 5, vcpu: i };
    } finally {
      this.unprotect();
    }
  }

  /**
   * Runs until a breakpoint, a watchpoint, the guest's end, or interrupted() (polled between
   * slices, after the event loop had a turn, so socket data can arrive).
   */
  async resume(from: number, interrupted: () => boolean): Promise<StopEvent> {
    this.prepare();
    try {
      const off = this.stepOffBreakpoint(from);
      if (off !== undefined && off !== 'stepped') return off;
      for (;;) {
        const ev = this.runSome(SLICE);
        if (ev) return ev;
        await new Promise((r) => setImmediate(r));
        if (interrupted()) return { kind: 'stopped', signal: 2, vcpu: currentVcpu(this.vm) };
      }
    } finally {
      this.unprotect();
    }
  }
}
