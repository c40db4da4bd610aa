// The library API: a virtual machine on the virt board with 1-8 vCPUs (--smp), a GICv2 or GICv3
// and the generic timers.
//
//   const vm = await VM.create({ kernel: { data: bytes, name: 'hello.elf' } });
//   vm.onOutput((b) => process.stdout.write(b));
//   const r = vm.run({ budget: 100_000_000n });   // { reason, status, output, instructions, ... }
//
// A run is a pure function of the options and input by default: time is virtual (it advances
// with retired instructions), so output, instruction counts and RTC readings repeat exactly.
import { Cpu, layout as L, type Exit } from './cpu/cpu.ts';
import { Bus } from './devices/bus.ts';
import { SnapshotRegistry } from './devices/snapshottable.ts';
import { VmEvents } from './events.ts';
import { GicCore } from './devices/gic-core.ts';
import { GicV2CpuInterface, GicV2Distributor } from './devices/gic-v2.ts';
import { GicV3CpuInterface, GicV3Distributor, GicV3Redistributors } from './devices/gic-v3.ts';
import { Pl011 } from './devices/pl011.ts';
import { Pl031 } from './devices/pl031.ts';
import { GuestMemory } from './hyp/guestmem.ts';
import { Memslots } from './hyp/memslots.ts';
import { MmioGuard, type GuardListener, type GuardState } from './hyp/mmio-guard.ts';
import type { GuardProfileName, GuardViolationMode } from './hyp/mmio-guard-profiles.ts';
import { PhysSpace, type MmioCallback } from './hyp/mmio.ts';
import { Semihosting } from './hyp/semihosting.ts';
import { Smccc } from './hyp/smccc.ts';
import { Stage2 } from './hyp/stage2.ts';
import { DEFAULT_QUANTUM, Scheduler, type SchedulerState } from './hyp/smp.ts';
import { Vcpu, type Conduit, type StopReason } from './hyp/vcpu.ts';
import { planBoot, type BootInputs, type BootPlan } from './machine/boot.ts';
import { LoadError } from './machine/regions.ts';
import {
  CNTFRQ, DEFAULT_RAM_SIZE, FLASH_BASE, FLASH_SIZE, MAX_RAM_SIZE, MIDR_CORTEX_A57, MIN_RAM_SIZE, MPIDR_CPU0,
  RAM_BASE, RTC_BASE, RTC_SPI, SCTLR_EL1_RESET, UART_BASE, UART_SPI, GIC_DIST_BASE, GIC_CPU_BASE, GIC_REDIST_BASE,
  MAX_CPUS, type BoardConfig,
} from './machine/virt.ts';
import { loadDisassembler } from './tools/disasm.ts';
import { apply as applySnapshot, decode as decodeSnapshot, snapshotVM, type VcpuStateBlock } from './tools/snapshot.ts';
import { decodeState } from './devices/snapshottable.ts';

export { LoadError } from './machine/regions.ts';
export type { MmioCallback } from './hyp/mmio.ts';
export type { GuardEvent, GuardListener, GuardState } from './hyp/mmio-guard.ts';
export type { GuardProfileName, GuardViolationMode } from './hyp/mmio-guard-profiles.ts';

export interface VMOptions extends BootInputs {
  /** RAM size in bytes (default 128 MiB). */
  memory?: number;
  /** The kernel command line (/chosen/bootargs). */
  bootargs?: string;
  /** Answer HLT #0xF000 semihosting calls (as QEMU's -semihosting); otherwise HLT is UNDEFINED. */
  semihosting?: boolean;
  /** The SMCCC/PSCI conduit (default hvc, as QEMU's virt without EL2). */
  psciConduit?: Conduit;
  /** Emulate data aborts without a valid syndrome instead of stopping (see hyp/nisv.ts). */
  emulateNisv?: boolean;
  /** 'virtual' (default): time follows retired instructions; 'host': the host's clock. */
  clock?: 'virtual' | 'host';
  /** Wall-clock time at boot in virtual mode, seconds since the Unix epoch (default 0). */
  epoch?: number;
  /** Bytes for the UART's receive line (and semihosting console input). */
  input?: Uint8Array | string;
  /** MMIO that no device model claims (KVM_EXIT_MMIO); unclaimed accesses get an external abort. */
  mmio?: MmioCallback;
  /** The MMIO guard's guest ABI (shared/spec/mmio-guard.md): 'rfc-v1' (default), 'android', 'mainline' (enrolled at creation) or 'off'. */
  mmioGuard?: GuardProfileName;
  /** How a guard violation is injected: 'serror' (default, asynchronous) or 'dabt' (KVM's synchronous kvm_inject_dabt). */
  guardViolation?: GuardViolationMode;
  /** Number of vCPUs, 1..8 (default 1); vCPU 0 boots, the others wait for PSCI CPU_ON. */
  smp?: number;
  /** Interrupt controller: 3 (default, GICv3 with the ICC_* system registers) or 2. */
  gic?: 2 | 3;
  /** Instructions a vCPU runs before the next runnable one gets the CPU (default 10000). */
  quantum?: number;
  /** Compile a block to wasm once entered this many times (default 64); false: interpret only. */
  jit?: number | false;
}

/** 'debug': a debugger attached with setDebugHandler() claimed an exit (breakpoint, watchpoint). */
export type RunReason = 'system-off' | 'semihost-exit' | 'budget' | 'halted' | 'cpu-off' | 'error' | 'debug';

export interface RunResult {
  reason: RunReason;
  /** Exit status: 0 after SYSTEM_OFF, the guest's status after a semihosting exit, 3 when the budget ran out, 4 when the guest wedged or hit a condition a64vm does not handle (halted, cpu-off, error). */
  status: number;
  /** What happened, for errors, halts and the budget. */
  message?: string;
  /** Console output of this run (UART and semihosting), decoded as UTF-8. */
  output: string;
  outputBytes: Uint8Array;
  /** Instructions retired during this run. */
  instructions: bigint;
  /** System resets during this run (PSCI SYSTEM_RESET / SYSTEM_RESET2). */
  resets: number;
}

export const EXIT_BUDGET_STATUS = 3;
/** The run status when the guest wedged (WFI forever, every vCPU off) or hit an unhandled condition. */
export const EXIT_WEDGED_STATUS = 4;

/**
 * Where console output came from: the PL011's transmit line, the semihosting console
 * (SYS_WRITEC, SYS_WRITE0, and SYS_WRITE to ":tt" opened for appending: QEMU's stderr), or
 * SYS_WRITE to ":tt" opened for writing (QEMU's stdout).
 */
export type OutputSource = 'uart' | 'semihosting' | 'semihosting-stdout';
export type OutputListener = (bytes: Uint8Array, source: OutputSource) => void;

const UNLIMITED = 1n << 62n;

export class VM {
  readonly cpu: Cpu;
  readonly memslots: Memslots;
  readonly stage2: Stage2;
  readonly bus = new Bus();
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly smccc: Smccc;
  /** The MMIO guard: its calls, state (getState/setState) and events (onGuard). */
  readonly guard: MmioGuard;
  readonly semihosting?: Semihosting;
  readonly phys: PhysSpace;
  readonly guestMemory: GuestMemory;
  readonly board: BoardConfig;
  readonly boot: BootPlan;
  /** The interrupt controller's state (distributor, redistributors, CPU interfaces). */
  readonly gic: GicCore;
  /** vCPUs, their scheduling, the VM clock and the interrupt lines. */
  readonly scheduler: Scheduler;
  private readonly gicV3?: GicV3CpuInterface;
  private readonly vcpu: Vcpu;
  private readonly outputListeners = new Set<OutputListener>();
  private readonly exitListeners = new Set<(exit: Exit) => void>();
  private readonly handledListeners = new Set<(exit: Exit) => void>();
  private debugHandler?: (exit: Exit) => boolean;
  /** Components with state of their own, saved in snapshots (bus devices are saved without registering). */
  readonly snapshottables = new SnapshotRegistry();
  /** Events for embedders and tools (src/events.ts). */
  readonly events = new VmEvents();
  private runOutput: number[] = [];
  private stdin: number[] = [];
  private readonly hostStart = Date.now();

  /** Creates a VM after loading the disassembler used in error messages. */
  static async create(options: VMOptions): Promise<VM> {
    await loadDisassembler();
    return new VM(options);
  }

  constructor(readonly options: VMOptions) {
    const ramSize = options.memory ?? DEFAULT_RAM_SIZE;
    if (!Number.isInteger(ramSize) || ramSize % 4096 !== 0 || ramSize < MIN_RAM_SIZE || ramSize > MAX_RAM_SIZE) {
      throw new LoadError(`memory size ${ramSize} must be a multiple of 4 KiB between ${MIN_RAM_SIZE / 2 ** 20} MiB and ${MAX_RAM_SIZE / 2 ** 20} MiB`);
    }
    const cpus = options.smp ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new LoadError(`--smp ${cpus}: a64vm has 1 to ${MAX_CPUS} vCPUs`);
    const gicVersion = options.gic ?? 3;
    if (gicVersion !== 2 && gicVersion !== 3) throw new LoadError(`--gic ${String(gicVersion)}: the GIC version is 2 or 3`);
    this.board = { ramSize, flash: !!options.bios, conduit: options.psciConduit ?? 'hvc', bootargs: options.bootargs, cpus, gic: gicVersion };
    this.boot = planBoot(options, this.board); // fails early, before any memory is allocated

    this.cpu = new Cpu({ jit: options.jit });
    this.memslots = new Memslots(this.cpu);
    if (this.board.flash) this.memslots.add('flash0', FLASH_BASE, FLASH_SIZE, { readonly: true });
    this.memslots.add('ram', RAM_BASE, ramSize);
    this.stage2 = new Stage2(this.cpu);

    // The GIC: accesses to banked registers reach the interface of the vCPU that made them.
    this.gic = new GicCore(cpus, gicVersion === 3);
    const current = () => this.scheduler.current;
    if (gicVersion === 3) {
      this.bus.map(GIC_DIST_BASE, new GicV3Distributor(this.gic, current));
      this.bus.map(GIC_REDIST_BASE, new GicV3Redistributors(this.gic));
      this.gicV3 = new GicV3CpuInterface(this.gic);
    } else {
      this.bus.map(GIC_DIST_BASE, new GicV2Distributor(this.gic, current));
      this.bus.map(GIC_CPU_BASE, new GicV2CpuInterface(this.gic, current));
    }
    const spi = (n: number) => (level: boolean) => this.gic.setLevel(0, 32 + n, level);
    this.uart = new Pl011((b) => this.emit(b, 'uart'), spi(UART_SPI));
    this.rtc = new Pl031(() => this.wallClock(), spi(RTC_SPI));
    this.bus.map(UART_BASE, this.uart);
    this.bus.map(RTC_BASE, this.rtc);
    this.phys = new PhysSpace(this.memslots, this.bus, options.mmio);
    this.guestMemory = new GuestMemory(this.cpu, this.memslots);

    this.smccc = new Smccc(() => this.scheduler.psciInfo());
    this.guard = new MmioGuard(
      { cpu: this.cpu, stage2: this.stage2, memslots: this.memslots, smccc: this.smccc, events: this.events, vcpuIndex: () => this.scheduler.current },
      options.mmioGuard ?? 'rfc-v1', options.guardViolation ?? 'serror');
    if (options.semihosting) {
      this.semihosting = new Semihosting(this.guestMemory, {
        write: (bytes, stream) => bytes.forEach((b) => this.emit(b, stream === 'stdout' ? 'semihosting-stdout' : 'semihosting')),
        readByte: () => this.stdin.shift(),
        centiseconds: () => this.elapsedSeconds() * 100,
        epochSeconds: () => this.wallClock(),
      });
    }
    this.vcpu = new Vcpu(this.cpu, {
      smccc: this.smccc,
      conduit: this.board.conduit,
      semihosting: this.semihosting,
      abort: { cpu: this.cpu, memslots: this.memslots, stage2: this.stage2, phys: this.phys, emulateNisv: !!options.emulateNisv, guard: this.guard },
      // (Plain loops: a closure made per exit costs more than the exit itself under tsx.)
      onExit: (e) => { if (this.exitListeners.size) for (const f of this.exitListeners) f(e); },
      afterExit: (e) => { if (this.handledListeners.size) for (const f of this.handledListeners) f(e); },
      debugExit: (e) => this.debugHandler !== undefined && this.debugHandler(e),
      sysreg: (iss) => this.iccAccess(iss),
      sync: () => this.scheduler.flushLines(),
    });
    this.scheduler = new Scheduler(this.cpu, this.vcpu, {
      ncpu: cpus,
      mpidr: (n) => MPIDR_CPU0 | BigInt(n),
      quantum: BigInt(options.quantum ?? DEFAULT_QUANTUM),
      clock: options.clock ?? 'virtual',
      gic: this.gic,
      deviceDeadline: () => this.rtcDeadline(),
      pollDevices: () => this.rtc.poll(),
    });
    if (options.input !== undefined) this.sendInput(options.input);
    this.loadBootState(false);
    this.registerSnapshotState();
  }

  /** Creates a VM from a snapshot file alone (its options are in it) and restores it. */
  static async fromSnapshot(bytes: Uint8Array, extra: Pick<VMOptions, 'mmio' | 'jit'> = {}): Promise<VM> {
    const img = decodeSnapshot(bytes);
    const vm = await VM.create({ ...(decodeState(img.config) as VMOptions), ...extra });
    applySnapshot(vm, img);
    return vm;
  }

  /** The whole VM as a snapshot file (src/tools/snapshot.ts); call it between runs. */
  snapshot(): Uint8Array { return snapshotVM(this); }

  /**
   * Puts the VM in the state a snapshot holds. The file is checked completely first (format
   * version, size, checksum, that it was taken of a VM with the same options); on any error
   * the VM is left as it was and a SnapshotError says why.
   */
  restore(bytes: Uint8Array): void { applySnapshot(this, decodeSnapshot(bytes)); }

  /** Each vCPU's state block, for snapshots (vCPU 0 first). */
  vcpuStateBlocks(): VcpuStateBlock[] {
    const s = this.scheduler;
    s.load(0); // vCPU 0 in the CPU, the others in their saved copies
    return s.vcpus.map((v) => ({
      read: () => (v.index === s.current ? this.cpu.bytes(L.STATE, L.STATE_END - L.STATE).slice() : v.saved.slice()),
      write: (b: Uint8Array) => {
        if (v.index !== s.current) { v.saved.set(b); return; }
        this.cpu.bytes(L.STATE, b.length).set(b);
        this.cpu.exports.flushTLB();
        this.cpu.exports.refreshInterrupts();
      },
    }));
  }

  /** Subscribes to every vCPU exit after it was handled (tracing); returns the unsubscribe function. */
  onExitHandled(listener: (exit: Exit) => void): () => void {
    this.handledListeners.add(listener);
    return () => this.handledListeners.delete(listener);
  }

  /**
   * Attaches a debugger (src/tools/gdbstub): it sees every exit first and claims the ones it
   * caused (returns true), which end the run with reason 'debug'. undefined detaches.
   */
  setDebugHandler(handler: ((exit: Exit) => boolean) | undefined): void { this.debugHandler = handler; }

  /** Subscribes to console output (UART and semihosting); returns the unsubscribe function. */
  onOutput(listener: OutputListener): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Subscribes to every vCPU exit (for tracing); returns the unsubscribe function. */
  onExit(listener: (exit: Exit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Subscribes to the MMIO guard's events (every call, violation and reset); returns the unsubscribe function. */
  onGuard(listener: GuardListener): () => void { return this.guard.on(listener); }

  /** Marks a virtual SError pending (VSESR_EL2 = iss; IDS only by default), taken when PSTATE.A allows. */
  raiseSError(iss?: bigint): void { this.guard.raiseSError(iss); }

  /** Queues console input (UART receive line; semihosting reads share it). */
  sendInput(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.uart.pushInput(bytes);
    this.stdin.push(...bytes);
  }

  /** Instructions retired since the VM was created, by all vCPUs, across resets. */
  get instructions(): bigint { return this.scheduler.retired; }

  /** The VM clock in ICOUNT units (CNTPCT = clock >> CNT_SHIFT); it runs on across resets. */
  get clock(): bigint { return this.scheduler.now; }

  /** Restarts the machine from its boot state (what PSCI SYSTEM_RESET does). */
  reset(): void {
    this.loadBootState(true);
    this.guard.reset('system-reset'); // enrolment is a VM property: mainline enrols again
  }

  /** Runs until the guest stops, something fails, or budget instructions have retired. */
  run(opts: { budget?: bigint | number } = {}): RunResult {
    const budget = opts.budget === undefined ? UNLIMITED : BigInt(opts.budget);
    this.runOutput = [];
    const start = this.instructions;
    let resets = 0;
    let stop: StopReason;
    for (;;) {
      const left = budget - (this.instructions - start);
      stop = left > 0n ? this.scheduler.run(left) : { kind: 'budget' };
      if (stop.kind !== 'system-reset') break;
      resets++;
      this.reset();
    }
    this.scheduler.load(0); // between runs, vm.cpu shows vCPU 0
    const outputBytes = Uint8Array.from(this.runOutput);
    const instructions = this.instructions - start;
    const base = { output: new TextDecoder().decode(outputBytes), outputBytes, instructions, resets };
    const pc = `0x${this.cpu.pc.toString(16)}`;
    switch (stop.kind) {
      case 'system-off':
        this.guard.reset('system-off');
        return { ...base, reason: 'system-off', status: 0 };
      case 'semihost-exit': return { ...base, reason: 'semihost-exit', status: stop.status };
      case 'budget':
        return { ...base, reason: 'budget', status: EXIT_BUDGET_STATUS, message: `instruction budget exhausted after ${instructions} instructions (PC ${pc})` };
      case 'halted':
        return { ...base, reason: 'halted', status: EXIT_WEDGED_STATUS, message: `the guest waits for an interrupt that cannot come (WFI at PC 0x${(stop.pc - 4n).toString(16)}, no interrupt source)` };
      case 'cpu-off': return { ...base, reason: 'cpu-off', status: EXIT_WEDGED_STATUS, message: 'every vCPU is off (PSCI CPU_OFF); the VM cannot continue' };
      case 'error': return { ...base, reason: 'error', status: EXIT_WEDGED_STATUS, message: stop.message };
      case 'debug': return { ...base, reason: 'debug', status: 0 };
      default: return { ...base, reason: 'error', status: EXIT_WEDGED_STATUS, message: `run stopped: ${stop.kind}` };
    }
  }

  // ---- internals ----

  /** The state outside the bus devices that a snapshot must carry (see devices/snapshottable.ts). */
  private registerSnapshotState(): void {
    const reg = this.snapshottables;
    reg.register('vm', {
      snapshot: () => ({ stdin: [...this.stdin] }),
      restore: (st) => { this.stdin = [...(st as { stdin: number[] }).stdin]; },
    });
    // The scheduler: the VM clock, instructions retired, the round-robin position and each
    // vCPU's power and wait state (the registers are the vcpu/<n> sections).
    reg.register('scheduler', {
      snapshot: () => this.scheduler.snapshot(),
      restore: (st) => this.scheduler.restore(st as SchedulerState),
      validate: (st) => {
        const s = st as Partial<SchedulerState> | null;
        if (typeof s?.now !== 'string' || typeof s.retired !== 'string' || !Array.isArray(s.vcpus) || s.vcpus.length !== this.scheduler.vcpus.length) {
          throw new Error(`scheduler state for another VM (${Array.isArray(s?.vcpus) ? s.vcpus.length : '?'} vCPUs, this VM has ${this.scheduler.vcpus.length})`);
        }
      },
    });
    reg.register('mmio-guard', {
      snapshot: () => this.guard.getState(),
      restore: (st) => this.guard.setState(st as GuardState),
      validate: (st) => this.guard.validateState(st as GuardState),
    });
    if (this.semihosting) reg.register('semihosting', this.semihosting);
  }

  private emit(byte: number, source: OutputSource): void {
    this.runOutput.push(byte);
    if (this.outputListeners.size) {
      const b = Uint8Array.of(byte);
      this.outputListeners.forEach((f) => f(b, source));
    }
  }

  /** Seconds since boot: virtual (from the counter the guest sees) or host time. */
  private elapsedSeconds(): number {
    if (this.options.clock === 'host') return (Date.now() - this.hostStart) / 1000;
    const ticks = this.scheduler.now >> BigInt(this.cpu.u32(L.CNT_SHIFT));
    return Number(ticks) / Number(CNTFRQ);
  }

  /** When the RTC's match alarm is due, on the VM clock (virtual time), for idle skipping. */
  private rtcDeadline(): bigint | undefined {
    const at = this.rtc.nextAlarm();
    if (at === null || this.options.clock === 'host') return undefined;
    const ticks = Math.ceil((at - (this.options.epoch ?? 0)) * Number(CNTFRQ)) + 1;
    if (!(ticks > 0) || !Number.isSafeInteger(ticks)) return undefined;
    return BigInt(ticks) << BigInt(this.cpu.u32(L.CNT_SHIFT));
  }

  /** A trapped ICC_* access (GICv3 CPU interface) by the running vCPU; false: UNDEFINED. */
  private iccAccess(iss: number): boolean {
    const icc = this.gicV3;
    if (!icc) return false;
    // ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0].
    const op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
    const crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15, read = (iss & 1) === 1;
    if (op0 !== 3 || op1 !== 0) return false;
    const reg = (crn << 7) | (crm << 3) | op2;
    if (icc.undefinedAccess(reg, read)) return false;
    const cpu = this.scheduler.current;
    if (read) this.cpu.setX(rt, icc.read(cpu, reg)); // Rt = 31: XZR, the value is discarded
    else icc.write(cpu, reg, rt === 31 ? 0n : this.cpu.x(rt));
    return true;
  }

  private wallClock(): number {
    if (this.options.clock === 'host') return Date.now() / 1000;
    return (this.options.epoch ?? 0) + this.elapsedSeconds();
  }

  /** Memory, stage 2, devices and registers as at power-on. */
  private loadBootState(again: boolean): void {
    const cpu = this.cpu;
    if (again) {
      cpu.exports.init();
      this.memslots.clear();
      this.bus.reset();
      this.semihosting?.reset();
    }
    // Stage 2: every memslot mapped up front (RAM read-write-execute, flash read-execute).
    this.stage2.reset();
    for (const s of this.memslots.all) this.stage2.map(s.ipa, s.host, s.size, { r: true, w: !s.readonly, x: true });
    this.stage2.install();

    for (const seg of this.boot.segments) {
      this.memslots.write(seg.addr, seg.data);
      // memsz beyond the data is already zero (fresh or cleared memory).
    }
    this.memslots.write(this.boot.dtbAddr, this.boot.dtb);

    cpu.setPstateMode(1, 1); // EL1h
    cpu.daif = 0x3c0;
    cpu.nzcv = 0;
    cpu.setSysreg('SCTLR_EL1', SCTLR_EL1_RESET);
    cpu.setSysreg('MPIDR_EL1', MPIDR_CPU0);
    cpu.setSysreg('MIDR_EL1', MIDR_CORTEX_A57);
    cpu.setSysreg('CNTFRQ_EL0', CNTFRQ);
    cpu.hostFlags = (this.options.semihosting ? L.HF_SEMIHOSTING : 0) | (this.board.gic === 3 ? L.HF_GICV3 : 0);
    for (let i = 0; i < 31; i++) cpu.setX(i, 0n);
    cpu.sp = 0n;
    cpu.setX(0, BigInt(this.boot.dtbAddr));
    cpu.pc = this.boot.entry;
    cpu.exports.flushTLB();
    this.scheduler.bootState(); // vCPU 0's state is the template of the others (powered off)
  }
}
