// The library API: a virtual machine on the virt board with one vCPU.
//
//   const vm = await VM.create({ kernel: { data: bytes, name: 'hello.elf' } });
//   vm.onOutput((b) => process.stdout.write(b));
//   const r = vm.run({ budget: 100_000_000n });   // { reason, status, output, instructions, ... }
//
// A run is a pure function of the options and input by default: time is virtual (it advances
// with retired instructions), so output, instruction counts and RTC readings repeat exactly.
import { Cpu, layout as L, type Exit } from './cpu/cpu.ts';
import { Bus } from './devices/bus.ts';
import { Pl011 } from './devices/pl011.ts';
import { Pl031 } from './devices/pl031.ts';
import { GuestMemory } from './hyp/guestmem.ts';
import { Memslots } from './hyp/memslots.ts';
import { MmioGuard, type GuardListener } from './hyp/mmio-guard.ts';
import type { GuardProfileName, GuardViolationMode } from './hyp/mmio-guard-profiles.ts';
import { PhysSpace, type MmioCallback } from './hyp/mmio.ts';
import { Semihosting } from './hyp/semihosting.ts';
import { Smccc } from './hyp/smccc.ts';
import { Stage2 } from './hyp/stage2.ts';
import { Vcpu, type Conduit, type StopReason } from './hyp/vcpu.ts';
import { planBoot, type BootInputs, type BootPlan } from './machine/boot.ts';
import { LoadError } from './machine/regions.ts';
import {
  CNTFRQ, DEFAULT_RAM_SIZE, FLASH_BASE, FLASH_SIZE, MAX_RAM_SIZE, MIDR_CORTEX_A57, MIN_RAM_SIZE, MPIDR_CPU0,
  RAM_BASE, RTC_BASE, SCTLR_EL1_RESET, UART_BASE, type BoardConfig,
} from './machine/virt.ts';
import { loadDisassembler } from './tools/disasm.ts';

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
}

export type RunReason = 'system-off' | 'semihost-exit' | 'budget' | 'halted' | 'cpu-off' | 'error';

export interface RunResult {
  reason: RunReason;
  /** Exit status: 0 after SYSTEM_OFF, the guest's status after a semihosting exit, 3 when the budget ran out, 1 otherwise. */
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

/** Where console output came from: the PL011's transmit line or a semihosting call. */
export type OutputSource = 'uart' | 'semihosting';
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
  private readonly vcpu: Vcpu;
  private readonly outputListeners = new Set<OutputListener>();
  private readonly exitListeners = new Set<(exit: Exit) => void>();
  private runOutput: number[] = [];
  private stdin: number[] = [];
  /** Instructions retired before the last reset (the CPU's count restarts at each reset). */
  private retiredBeforeReset = 0n;
  private readonly hostStart = Date.now();

  /** Creates a VM after loading the disassembler used in error messages. */
  static async create(options: VMOptions): Promise<VM> {
    await loadDisassembler();
    return new VM(options);
  }

  constructor(readonly options: VMOptions) {
    const ramSize = options.memory ?? DEFAULT_RAM_SIZE;
    if (!Number.isInteger(ramSize) || ramSize % 4096 !== 0 || ramSize < MIN_RAM_SIZE || ramSize > MAX_RAM_SIZE) {
      throw new LoadError(`memory size ${ramSize} must be a multiple of 4 KiB between ${MIN_RAM_SIZE >> 20} MiB and ${MAX_RAM_SIZE >> 20} MiB`);
    }
    this.board = { ramSize, flash: !!options.bios, conduit: options.psciConduit ?? 'hvc', bootargs: options.bootargs };
    this.boot = planBoot(options, this.board); // fails early, before any memory is allocated

    this.cpu = new Cpu();
    this.memslots = new Memslots(this.cpu);
    if (this.board.flash) this.memslots.add('flash0', FLASH_BASE, FLASH_SIZE, { readonly: true });
    this.memslots.add('ram', RAM_BASE, ramSize);
    this.stage2 = new Stage2(this.cpu);

    this.uart = new Pl011((b) => this.emit(b, 'uart'));
    this.rtc = new Pl031(() => this.wallClock());
    this.bus.map(UART_BASE, this.uart);
    this.bus.map(RTC_BASE, this.rtc);
    this.phys = new PhysSpace(this.memslots, this.bus, options.mmio);
    this.guestMemory = new GuestMemory(this.cpu, this.memslots);

    this.smccc = new Smccc(() => [{ mpidr: MPIDR_CPU0, on: true }]);
    this.guard = new MmioGuard({ cpu: this.cpu, stage2: this.stage2, memslots: this.memslots, smccc: this.smccc },
      options.mmioGuard ?? 'rfc-v1', options.guardViolation ?? 'serror');
    if (options.semihosting) {
      this.semihosting = new Semihosting(this.guestMemory, {
        write: (bytes) => bytes.forEach((b) => this.emit(b, 'semihosting')),
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
      onExit: (e) => this.exitListeners.forEach((f) => f(e)),
    });
    if (options.input !== undefined) this.sendInput(options.input);
    this.loadBootState(false);
  }

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

  /** Instructions retired since the VM was created, across resets. */
  get instructions(): bigint { return this.retiredBeforeReset + this.cpu.icount; }

  /** Restarts the machine from its boot state (what PSCI SYSTEM_RESET does). */
  reset(): void {
    this.retiredBeforeReset += this.cpu.icount;
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
      stop = left > 0n ? this.vcpu.run(left) : { kind: 'budget' };
      if (stop.kind !== 'system-reset') break;
      resets++;
      this.reset();
    }
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
        return { ...base, reason: 'halted', status: 1, message: `the guest waits for an interrupt that cannot come (WFI at PC 0x${(stop.pc - 4n).toString(16)}, no interrupt source)` };
      case 'cpu-off': return { ...base, reason: 'cpu-off', status: 1, message: 'every vCPU is off (PSCI CPU_OFF); the VM cannot continue' };
      case 'error': return { ...base, reason: 'error', status: 1, message: stop.message };
    }
  }

  // ---- internals ----

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
    const ticks = this.instructions >> BigInt(this.cpu.u32(L.CNT_SHIFT));
    return Number(ticks) / Number(CNTFRQ);
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
    cpu.hostFlags = this.options.semihosting ? L.HF_SEMIHOSTING : 0;
    for (let i = 0; i < 31; i++) cpu.setX(i, 0n);
    cpu.sp = 0n;
    cpu.setX(0, BigInt(this.boot.dtbAddr));
    cpu.pc = this.boot.entry;
    cpu.exports.flushTLB();
  }
}
