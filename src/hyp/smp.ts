// vCPU scheduling, time and interrupt delivery: the part of KVM's vcpu loop, arch timer and
// vgic glue that decides who runs, for how long, and which virtual IRQ/FIQ lines are up.
//
// One wasm CPU instance holds one state block at a time. Each vCPU owns a copy of the STATE
// range (0x1000..0x2000 of wasm memory); switching vCPUs copies the outgoing block out and the
// incoming one in, then flushes the soft TLB (so a TLBI by any vCPU reaches every other one: each
// switch starts from an empty TLB) and clears the incoming vCPU's local exclusive monitor (a
// legal spurious clear, and the guarantee that a store by another vCPU between its LDXR and its
// STXR makes the STXR fail).
//
// Scheduling is round-robin over the runnable vCPUs with a fixed quantum of instructions, on one
// thread: a run is a pure function of its inputs.
//
// Time. The VM has one clock T, in ICOUNT units (1 unit = 1 retired instruction = 1 ns by
// default); the system counter is CNTPCT = T >> CNT_SHIFT. The running vCPU's ICOUNT register *is*
// T: it is set to T when the vCPU is switched in, advances by one per retired instruction, and T
// is read back from it when the vCPU stops. So with several vCPUs the clock advances with the
// instructions of all of them together (as QEMU's round-robin icount mode does), and every vCPU
// reads one coherent, monotonic counter. When every vCPU that is on waits (WFI, WFE, CPU_SUSPEND)
// with nothing pending, T jumps to the next timer deadline: idle time costs no instructions.
// Instructions retired are counted apart from T (retired), so the instruction count of a run
// never includes skipped time. Nothing needs a CPU change: the host writes ICOUNT.
//
// With `clock: 'host'`, T also follows the host's monotonic clock: at each slice start it is
// raised to the host time since boot, and idling sleeps until the deadline.
import { layout as L, type Cpu } from '../cpu/cpu.ts';
import { nextTimerDeadline, PPI_PHYS_TIMER, PPI_VIRT_TIMER, timerOutputs, type TimerRegs } from '../devices/arch-timer.ts';
import type { GicCore } from '../devices/gic-core.ts';
import type { StopReason, Vcpu } from './vcpu.ts';

const STATE_BYTES = L.STATE_END - L.STATE;
const HCR_VF = 1n << 6n;
const HCR_VI = 1n << 7n;
const HCR_VSE = 1n << 8n;
/** EL1h with D, A, I, F masked: the PSTATE a vCPU starts in (reset, PSCI CPU_ON). */
const DAIF_ALL = 0x3c0;
/** Instructions per slice when the host clock drives time (so T catches up often). */
const HOST_SLICE = 1_000_000n;

export type ClockMode = 'virtual' | 'host';

/** One vCPU as the scheduler sees it. */
export interface VcpuContext {
  readonly index: number;
  readonly mpidr: bigint;
  on: boolean;
  /** Waiting for an interrupt (WFI, CPU_SUSPEND) or an event (WFE). */
  waiting: 'none' | 'wfi' | 'wfe';
  /** The value of the scheduler's epoch when a WFE wait started. */
  waitEpoch: number;
  /** The state block while the vCPU is not loaded. */
  readonly saved: Uint8Array;
  readonly view: DataView;
}

export interface SchedulerOptions {
  ncpu: number;
  /** MPIDR_EL1 of vCPU n. */
  mpidr: (n: number) => bigint;
  /** Instructions a vCPU runs before the next one gets its turn. */
  quantum: bigint;
  clock: ClockMode;
  gic: GicCore;
  /** Devices with their own deadlines (the RTC alarm): when next to poll, and the poll. */
  deviceDeadline?: (now: bigint) => bigint | undefined;
  pollDevices?: () => void;
}

export const DEFAULT_QUANTUM = 10_000n;

export interface SchedulerState {
  now: string;
  retired: string;
  epoch: number;
  next: number;
  vcpus: { on: boolean; waiting: 'none' | 'wfi' | 'wfe'; waitEpoch: number }[];
  /** The vCPU that ran last (switching back to it is no switch), -1 for none. */
  lastRan?: number;
  /** A slice a budget cut short: the vCPU and where its quantum ends (a decimal string, or null). */
  slice?: { vcpu: number; end: string | null } | null;
}

export class Scheduler {
  /** The VM clock T (ICOUNT units). */
  now = 0n;
  /** Instructions retired by all vCPUs. */
  retired = 0n;
  /** The vCPU whose state is in the CPU. */
  current = 0;
  /** Counts slices that retired instructions (a WFE waiter wakes when another vCPU ran). */
  private epoch = 0;
  private next = 0;
  /**
   * A run that ends on its budget in the middle of a slice leaves the slice to the next run, and
   * switching vCPUs between runs (vm.cpu shows vCPU 0) is undone without the effects of a real
   * switch: so splitting a run into several (snapshots, debugger slices) changes nothing.
   */
  private lastRan = -1;
  private cutSlice: { vcpu: number; end: bigint | undefined } | undefined;
  private readonly hostStart = process.hrtime.bigint();
  readonly vcpus: VcpuContext[];
  readonly gic: GicCore;
  private template = new Uint8Array(STATE_BYTES);

  constructor(readonly cpu: Cpu, private readonly vcpu: Vcpu, private readonly opts: SchedulerOptions) {
    this.gic = opts.gic;
    this.vcpus = Array.from({ length: opts.ncpu }, (_, index) => {
      const saved = new Uint8Array(STATE_BYTES);
      return { index, mpidr: opts.mpidr(index), on: index === 0, waiting: 'none' as const, waitEpoch: 0, saved, view: new DataView(saved.buffer) };
    });
  }

  get shift(): bigint { return BigInt(this.cpu.u32(L.CNT_SHIFT)); }

  // ---- per-vCPU register access, wherever the state block is ----

  reg64(v: VcpuContext, addr: number): bigint {
    return v.index === this.current ? this.cpu.u64(addr) : v.view.getBigUint64(addr - L.STATE, true);
  }

  setReg64(v: VcpuContext, addr: number, value: bigint): void {
    if (v.index === this.current) this.cpu.setU64(addr, value);
    else v.view.setBigUint64(addr - L.STATE, BigInt.asUintN(64, value), true);
  }

  /** Switches the CPU to vCPU i (see the header: state copy, TLB flush, monitor clear). */
  load(i: number): void {
    if (i === this.current) return;
    const mem = new Uint8Array(this.cpu.memory.buffer);
    this.vcpus[this.current].saved.set(mem.subarray(L.STATE, L.STATE_END));
    mem.set(this.vcpus[i].saved, L.STATE);
    this.current = i;
    const cpu = this.cpu;
    cpu.setU64(L.MEM_LIMIT, BigInt(cpu.memory.buffer.byteLength)); // memory may have grown meanwhile
    cpu.setU64(L.ICOUNT, this.now);
    if (i !== this.lastRan) cpu.setU32(L.EXCL_VALID, 0); // nobody ran since it did: no switch
    cpu.exports.flushTLB();
    cpu.exports.refreshInterrupts();
  }

  /**
   * Called once the boot vCPU's registers are in the CPU (boot and system reset): they become
   * the reset template for the others, which start powered off (PSCI CPU_ON brings them up).
   */
  bootState(): void {
    this.current = 0;
    this.next = 0;
    this.cutSlice = undefined;
    this.cpu.setU64(L.ICOUNT, this.now); // the clock runs on across a reset
    this.template = new Uint8Array(this.cpu.memory.buffer, L.STATE, STATE_BYTES).slice();
    for (const v of this.vcpus) {
      v.on = v.index === 0;
      v.waiting = 'none';
      if (v.index === 0) continue;
      v.saved.set(this.template);
      this.resetRegs(v, 0n, 0n);
    }
    this.flushLines();
  }

  /** Architectural reset values for a vCPU coming up at entry with x0 = context (PSCI CPU_ON). */
  private resetRegs(v: VcpuContext, entry: bigint, context: bigint): void {
    v.saved.set(this.template);
    const dv = v.view;
    const at = (a: number) => a - L.STATE;
    for (let r = 0; r < 31; r++) dv.setBigUint64(at(L.X0 + 8 * r), 0n, true);
    dv.setBigUint64(at(L.X0), context, true);
    dv.setBigUint64(at(L.XSP), 0n, true);
    dv.setBigUint64(at(L.PC), entry, true);
    dv.setUint32(at(L.DAIF), DAIF_ALL, true);
    dv.setBigUint64(at(L.MPIDR_EL1), v.mpidr, true);
    // The EL2 setup (stage 2, host flags, counter shift) is the VM's, as the caller has it now.
    for (const a of [L.VTTBR_EL2, L.VTCR_EL2, L.CNTVOFF_EL2, L.MEM_LIMIT]) dv.setBigUint64(at(a), this.cpu.u64(a), true);
    dv.setBigUint64(at(L.HCR_EL2), this.cpu.u64(L.HCR_EL2) & ~(HCR_VI | HCR_VF | HCR_VSE), true);
    dv.setUint32(at(L.HOST_FLAGS), this.cpu.u32(L.HOST_FLAGS), true);
    dv.setUint32(at(L.CNT_SHIFT), this.cpu.u32(L.CNT_SHIFT), true);
  }

  /** PSCI CPU_ON of an off vCPU (the PSCI layer checked it exists and is off). */
  cpuOn(mpidr: bigint, entry: bigint, context: bigint): void {
    const v = this.vcpus.find((c) => c.mpidr === mpidr);
    if (!v || v.on || v.index === this.current) return;
    this.resetRegs(v, entry, context);
    v.on = true;
    v.waiting = 'none';
    this.gic.dirty = true;
  }

  // ---- time and interrupt lines ----

  private timerRegs(v: VcpuContext): TimerRegs {
    return {
      cntpCtl: this.reg64(v, L.CNTP_CTL_EL0), cntpCval: this.reg64(v, L.CNTP_CVAL_EL0),
      cntvCtl: this.reg64(v, L.CNTV_CTL_EL0), cntvCval: this.reg64(v, L.CNTV_CVAL_EL0),
      cntvoff: this.reg64(v, L.CNTVOFF_EL2),
    };
  }

  /** Re-evaluates the timers and devices at the current time and updates the vCPUs' lines. */
  tick(): void {
    const shift = Number(this.shift);
    for (const v of this.vcpus) {
      if (!v.on) continue;
      const out = timerOutputs(this.timerRegs(v), this.now, shift);
      this.gic.setLevel(v.index, PPI_PHYS_TIMER, out.phys);
      this.gic.setLevel(v.index, PPI_VIRT_TIMER, out.virt);
    }
    this.opts.pollDevices?.();
    this.flushLines();
  }

  /** Maps the GIC's per-CPU outputs to HCR_EL2.VI/VF of each vCPU, if anything changed. */
  flushLines(): void {
    if (!this.gic.dirty) return;
    this.gic.dirty = false;
    for (const v of this.vcpus) {
      const { irq, fiq } = this.gic.lines(v.index);
      const hcr = this.reg64(v, L.HCR_EL2);
      const want = (hcr & ~(HCR_VI | HCR_VF)) | (irq ? HCR_VI : 0n) | (fiq ? HCR_VF : 0n);
      if (want === hcr) continue;
      this.setReg64(v, L.HCR_EL2, want);
      if (v.index === this.current) this.cpu.exports.refreshInterrupts();
    }
  }

  /** The next moment something happens without the guest doing anything, or undefined. */
  nextDeadline(): bigint | undefined {
    const shift = Number(this.shift);
    let best = this.opts.deviceDeadline?.(this.now);
    if (best !== undefined && best <= this.now) best = undefined;
    for (const v of this.vcpus) {
      if (!v.on) continue;
      const d = nextTimerDeadline(this.timerRegs(v), this.now, shift);
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    return best;
  }

  private hostNow(): bigint { return process.hrtime.bigint() - this.hostStart; }

  /** Moves the clock forward to t (never back); the loaded vCPU's ICOUNT follows. */
  private advanceTo(t: bigint): void {
    if (t <= this.now) return;
    this.now = t;
    this.cpu.setU64(L.ICOUNT, t);
  }

  // ---- scheduling ----

  private runnable(v: VcpuContext): boolean {
    if (!v.on) return false;
    if (v.waiting === 'none') return true;
    if ((this.reg64(v, L.HCR_EL2) & (HCR_VI | HCR_VF | HCR_VSE)) !== 0n) return true;
    return v.waiting === 'wfe' && this.epoch > v.waitEpoch;
  }

  private pick(): VcpuContext | undefined {
    const n = this.vcpus.length;
    for (let k = 0; k < n; k++) {
      const v = this.vcpus[(this.next + k) % n];
      if (this.runnable(v)) return v;
    }
    return undefined;
  }

  /** Runs the vCPUs until budget instructions have retired or something ends the run. */
  /** Whether a vCPU other than v is on (a loop, not a closure: this runs on every slice). */
  private othersOn(v: VcpuContext): boolean {
    for (const c of this.vcpus) if (c.on && c !== v) return true;
    return false;
  }

  run(budget: bigint): StopReason {
    const end = this.retired + budget;
    const host = this.opts.clock === 'host';
    for (;;) {
      if (this.retired >= end) return { kind: 'budget' };
      if (host) this.advanceTo(this.hostNow());
      this.tick();
      const v = this.pick();
      if (!v) {
        if (this.vcpus.every((c) => !c.on)) return { kind: 'cpu-off' };
        const d = this.nextDeadline();
        if (d === undefined) {
          const w = this.vcpus.find((c) => c.on)!;
          return { kind: 'halted', pc: this.reg64(w, L.PC) };
        }
        if (host) {
          this.sleepUntil(d);
          if (this.hostNow() + 1_000_000n < d) continue; // woke early (sleeps are capped)
        }
        this.advanceTo(d);
        continue;
      }
      this.load(v.index);
      v.waiting = 'none';
      // Set once another vCPU is on (it may come on meanwhile), or left by a run cut short.
      let sliceEnd: bigint | undefined = this.cutSlice?.vcpu === v.index ? this.cutSlice.end : undefined;
      this.cutSlice = undefined;
      let stop: StopReason = { kind: 'budget' };
      for (;;) {
        if (sliceEnd === undefined && this.othersOn(v)) sliceEnd = this.now + this.opts.quantum;
        let n = end - this.retired;
        if (sliceEnd !== undefined && sliceEnd - this.now < n) n = sliceEnd - this.now;
        const d = this.nextDeadline();
        if (d !== undefined && d - this.now < n) n = d - this.now;
        if (host && n > HOST_SLICE) n = HOST_SLICE;
        if (n <= 0n) break;
        const before = this.cpu.icount;
        this.lastRan = v.index;
        stop = this.vcpu.run(n);
        const ran = this.cpu.icount - before;
        this.retired += ran;
        this.now = this.cpu.icount;
        if (ran > 0n) this.epoch++;
        this.tick();
        if (stop.kind === 'budget' || stop.kind === 'replan') {
          if (host || (sliceEnd !== undefined && this.now >= sliceEnd)) break;
          continue; // a deadline or a timer write: re-plan and go on with this vCPU
        }
        if (stop.kind === 'cpu-on') { this.cpuOn(stop.mpidr, stop.entry, stop.context); continue; }
        break;
      }
      const cut = (stop.kind === 'budget' || stop.kind === 'replan') && this.retired >= end && !(sliceEnd !== undefined && this.now >= sliceEnd);
      if (cut) this.cutSlice = { vcpu: v.index, end: sliceEnd };
      this.next = cut ? v.index : (v.index + 1) % this.vcpus.length;
      switch (stop.kind) {
        case 'budget': case 'replan': case 'cpu-on': continue;
        case 'wait':
          v.waiting = stop.wfe ? 'wfe' : 'wfi';
          v.waitEpoch = this.epoch;
          continue;
        case 'cpu-off':
          v.on = false;
          v.waiting = 'none';
          continue;
        default:
          return stop;
      }
    }
  }

  /** Host clock: blocks the thread until the host time reaches t (for idle vCPUs). */
  private sleepUntil(t: bigint): void {
    const ms = Number((t - this.hostNow()) / 1_000_000n);
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 1000));
  }

  /**
   * The scheduler's own state as plain data (the clock, instructions retired, each vCPU's power
   * and wait state), for snapshots; the state blocks themselves travel apart. Take it, and
   * restore it, with vCPU 0 loaded (as between runs).
   */
  snapshot(): SchedulerState {
    return {
      now: this.now.toString(), retired: this.retired.toString(), epoch: this.epoch, next: this.next,
      vcpus: this.vcpus.map((v) => ({ on: v.on, waiting: v.waiting, waitEpoch: v.waitEpoch })),
      lastRan: this.lastRan,
      slice: this.cutSlice ? { vcpu: this.cutSlice.vcpu, end: this.cutSlice.end === undefined ? null : this.cutSlice.end.toString() } : null,
    };
  }

  restore(state: SchedulerState): void {
    if (state.vcpus.length !== this.vcpus.length) throw new Error(`a64vm: scheduler state for ${state.vcpus.length} vCPUs, this VM has ${this.vcpus.length}`);
    this.load(0);
    this.now = BigInt(state.now);
    this.retired = BigInt(state.retired);
    this.epoch = state.epoch;
    this.next = state.next;
    this.lastRan = state.lastRan ?? -1;
    this.cutSlice = state.slice ? { vcpu: state.slice.vcpu, end: state.slice.end === null ? undefined : BigInt(state.slice.end) } : undefined;
    state.vcpus.forEach((s, i) => Object.assign(this.vcpus[i], s));
    this.cpu.setU64(L.ICOUNT, this.now);
    this.gic.dirty = true;
    this.flushLines();
  }

  /** The PSCI view of the vCPUs (CPU_ON, AFFINITY_INFO). */
  psciInfo(): { mpidr: bigint; on: boolean }[] {
    return this.vcpus.map((v) => ({ mpidr: v.mpidr, on: v.on }));
  }
}
