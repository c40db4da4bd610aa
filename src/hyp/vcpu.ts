// One vCPU's run loop, like KVM_RUN plus the VMM's exit dispatch: run the CPU until an exit,
// handle it (hypercall, stage-2 abort, WFI, semihosting), and go on until the budget is used or
// something ends the run.
import type { Cpu, Exit } from '../cpu/cpu.ts';
import { handleGuestAbort, type AbortContext } from './abort.ts';
import { esrImm16 } from './esr.ts';
import { injectSync, injectUndefined } from './inject.ts';
import type { PsciEvent } from './psci.ts';
import type { Semihosting } from './semihosting.ts';
import type { Smccc } from './smccc.ts';

export type Conduit = 'hvc' | 'smc';

export type StopReason =
  | { kind: 'budget' }
  | { kind: 'system-off' }
  | { kind: 'system-reset'; event: PsciEvent }
  | { kind: 'cpu-off' }
  /** WFI (or CPU_SUSPEND) with nothing that could ever wake the vCPU. */
  | { kind: 'halted'; pc: bigint }
  | { kind: 'semihost-exit'; status: number; reason: bigint }
  | { kind: 'error'; message: string }
  /** A debugger claimed an exit (breakpoint, watchpoint) through VcpuHooks.debugExit. */
  | { kind: 'debug' }
  // Stops the scheduler (hyp/smp.ts) handles; they do not end a VM run:
  /** WFI or WFE (wfe) with nothing pending, or CPU_SUSPEND: the vCPU waits (PC past the instruction). */
  | { kind: 'wait'; wfe: boolean }
  /** A timer register was written: the next deadline may have moved. */
  | { kind: 'replan' }
  /** PSCI CPU_ON was accepted for the vCPU with this MPIDR (x0 already holds SUCCESS). */
  | { kind: 'cpu-on'; mpidr: bigint; entry: bigint; context: bigint };

export interface VcpuHooks {
  smccc: Smccc;
  abort: AbortContext;
  /** The SMCCC conduit; the other instruction is UNDEFINED to the guest, as on QEMU's virt. */
  conduit: Conduit;
  semihosting?: Semihosting;
  /** Observes every exit before it is handled (tracing). */
  onExit?: (exit: Exit) => void;
  /** Observes every exit after it was handled, whether or not the run goes on (tracing). */
  afterExit?: (exit: Exit) => void;
  /**
   * A debugger's claim on an exit, asked before the normal handling (src/tools/gdbstub): true
   * ends the run with { kind: 'debug' } and leaves the exit unhandled (a BRK it planted, an
   * access to a page it unmapped to watch it).
   */
  debugExit?: (exit: Exit) => boolean;
  /**
   * Emulates a trapped system register access (EXIT_SYSREG: the GICv3 ICC_* registers), with
   * the ESR_EL2 ISS; returns false when the access is UNDEFINED. PC is at the instruction.
   */
  sysreg?: (iss: number) => boolean;
  /** Called after every handled exit: device and interrupt controller state may have changed. */
  sync?: () => void;
}

/** Exits in a row without a retired instruction before the run is declared stuck. */
// The CPU runs in slices: V8 first runs wasm from its baseline compiler and switches a function
// to optimised code only on a later call, so one endless call would never get the fast code.
// A slice of 2^20 instructions is a few milliseconds; the return costs well under a microsecond.
const RUN_SLICE = 1 << 20;
const MAX_EXITS_WITHOUT_PROGRESS = 1000;

const hex = (v: bigint) => `0x${v.toString(16)}`;

export class Vcpu {
  constructor(readonly cpu: Cpu, private readonly hooks: VcpuHooks) {}


  /** Runs at most budget instructions. */
  run(budget: bigint): StopReason {
    const cpu = this.cpu;
    // Counting in numbers, not BigInts: this loop turns once per exit (every hypercall, every
    // trapped MMIO access).
    const start = cpu.icountNumber;
    const limit = budget >= BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(budget);
    let idle = 0;
    let lastCount = start;
    let now = start;
    for (;;) {
      const used = now - start;
      if (used >= limit) return { kind: 'budget' };
      const left = limit - used;
      const exit = cpu.run(left < RUN_SLICE ? left : RUN_SLICE);
      now = cpu.icountNumber;
      this.hooks.onExit?.(exit);
      if (this.hooks.debugExit?.(exit)) return { kind: 'debug' };
      if (now === lastCount) {
        if (++idle > MAX_EXITS_WITHOUT_PROGRESS) {
          return { kind: 'error', message: `the guest makes no progress: ${idle} exits in a row (last: ${exit.reason}) at PC ${hex(cpu.pc)} without executing an instruction` };
        }
      } else {
        idle = 0;
        lastCount = now;
      }
      const stop = this.handle(exit);
      this.hooks.sync?.();
      this.hooks.afterExit?.(exit);
      if (stop) return stop;
    }
  }

  /** Handles one exit; returns why the run ends, or undefined to go on. */
  private handle(exit: Exit): StopReason | undefined {
    const cpu = this.cpu;
    switch (exit.reason) {
      case 'budget':
        return undefined; // the loop checks the budget
      case 'hvc':
        if (this.hooks.conduit !== 'hvc') { injectUndefined(cpu, cpu.pc - 4n); return undefined; }
        return this.smccc();
      case 'smc':
        if (this.hooks.conduit !== 'smc') { injectUndefined(cpu); return undefined; }
        cpu.pc += 4n; // a trapped SMC returns to the instruction after it
        // SMC immediates other than 0 are reserved (SMCCC 1.1, 2.9): NOT_SUPPORTED, as KVM.
        if (esrImm16(exit.esr) !== 0) { cpu.setX(0, (1n << 64n) - 1n); return undefined; }
        return this.smccc();
      case 'dabt':
      case 'iabt': {
        const r = handleGuestAbort(this.hooks.abort, exit);
        return r.kind === 'error' ? { kind: 'error', message: r.message } : undefined;
      }
      case 'wfi':
        return { kind: 'wait', wfe: (exit.esr & 1n) !== 0n }; // ISS.TI: 0 WFI, 1 WFE
      case 'semihost': {
        if (!this.hooks.semihosting) return { kind: 'error', message: `semihosting call at PC ${hex(cpu.pc)} with semihosting off` };
        const r = this.hooks.semihosting.handle(cpu);
        if (r.kind === 'exit') return { kind: 'semihost-exit', status: r.status, reason: r.reason };
        if (r.kind === 'error') return { kind: 'error', message: r.message };
        return undefined;
      }
      case 'timer':
        return { kind: 'replan' }; // the MSR completed (PC past it); the timer's deadline may have moved
      case 'sysreg': {
        const iss = Number(exit.esr & 0x1ff_ffffn);
        if (!this.hooks.sysreg?.(iss)) { injectUndefined(cpu); return undefined; }
        cpu.pc += 4n;
        return undefined;
      }
      case 'brk':
        // HOST_FLAGS.HF_TRAP_BRK is set (a debugger is attached) but the debugger did not claim
        // this BRK: it is the guest's own, so it gets the breakpoint exception it would have
        // taken untrapped (EC 0x3C, ELR at the BRK), as QEMU re-injects under KVM_GUESTDBG_USE_SW_BP.
        injectSync(cpu, (0x3cn << 26n) | (1n << 25n) | BigInt(esrImm16(exit.esr)));
        return undefined;
      case 'internal':
        return { kind: 'error', message: `CPU internal error at PC ${hex(cpu.pc)} (a stage-2 table or output address outside wasm memory)` };
      default:
        return { kind: 'error', message: `unexpected exit '${exit.reason}' at PC ${hex(cpu.pc)}` };
    }
  }

  private smccc(): StopReason | undefined {
    const { event } = this.hooks.smccc.handle(this.cpu);
    if (!event) return undefined;
    switch (event.kind) {
      case 'system-off': return { kind: 'system-off' };
      case 'system-reset':
      case 'system-reset2': return { kind: 'system-reset', event };
      case 'cpu-off': return { kind: 'cpu-off' };
      // KVM treats every CPU_SUSPEND power state as standby: a WFI (kvm_vcpu_wfi).
      case 'cpu-suspend': return { kind: 'wait', wfe: false };
      case 'cpu-on': return { kind: 'cpu-on', mpidr: event.mpidr, entry: event.entry, context: event.context };
    }
  }
}
