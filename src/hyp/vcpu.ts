// One vCPU's run loop, like KVM_RUN plus the VMM's exit dispatch: run the CPU until an exit,
// handle it (hypercall, stage-2 abort, WFI, semihosting), and go on until the budget is used or
// something ends the run.
import type { Cpu, Exit } from '../cpu/cpu.ts';
import { handleGuestAbort, type AbortContext } from './abort.ts';
import { esrImm16 } from './esr.ts';
import { injectUndefined } from './inject.ts';
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
  | { kind: 'error'; message: string };

export interface VcpuHooks {
  smccc: Smccc;
  abort: AbortContext;
  /** The SMCCC conduit; the other instruction is UNDEFINED to the guest, as on QEMU's virt. */
  conduit: Conduit;
  semihosting?: Semihosting;
  /** Observes every exit before it is handled (tracing). */
  onExit?: (exit: Exit) => void;
}

/** Exits in a row without a retired instruction before the run is declared stuck. */
// The CPU runs in slices: V8 first runs wasm from its baseline compiler and switches a function
// to optimised code only on a later call, so one endless call would never get the fast code.
// A slice of 2^20 instructions is a few milliseconds; the return costs well under a microsecond.
const RUN_SLICE = 1n << 20n;
const MAX_EXITS_WITHOUT_PROGRESS = 1000;

const hex = (v: bigint) => `0x${v.toString(16)}`;

export class Vcpu {
  constructor(readonly cpu: Cpu, private readonly hooks: VcpuHooks) {}


  /** Runs at most budget instructions. */
  run(budget: bigint): StopReason {
    const cpu = this.cpu;
    const start = cpu.icount;
    let idle = 0;
    let lastCount = start;
    for (;;) {
      const used = cpu.icount - start;
      if (used >= budget) return { kind: 'budget' };
      const left = budget - used;
      const exit = cpu.run(left < RUN_SLICE ? left : RUN_SLICE);
      this.hooks.onExit?.(exit);
      if (cpu.icount === lastCount) {
        if (++idle > MAX_EXITS_WITHOUT_PROGRESS) {
          return { kind: 'error', message: `the guest makes no progress: ${idle} exits in a row (last: ${exit.reason}) at PC ${hex(cpu.pc)} without executing an instruction` };
        }
      } else {
        idle = 0;
        lastCount = cpu.icount;
      }
      const stop = this.handle(exit);
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
        return this.canWake() ? undefined : { kind: 'halted', pc: cpu.pc };
      case 'semihost': {
        if (!this.hooks.semihosting) return { kind: 'error', message: `semihosting call at PC ${hex(cpu.pc)} with semihosting off` };
        const r = this.hooks.semihosting.handle(cpu);
        if (r.kind === 'exit') return { kind: 'semihost-exit', status: r.status, reason: r.reason };
        if (r.kind === 'error') return { kind: 'error', message: r.message };
        return undefined;
      }
      case 'timer':
        return undefined; // a timer register changed; nothing delivers timer interrupts yet
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
      case 'cpu-suspend': return this.canWake() ? undefined : { kind: 'halted', pc: this.cpu.pc };
    }
  }

  /**
   * Whether anything could wake a waiting vCPU. There is no interrupt controller yet, so only an
   * enabled, unmasked generic timer counts (the guest may poll its status); with none, a WFI
   * waits forever and the run ends instead.
   */
  private canWake(): boolean {
    const armed = (ctl: bigint) => (ctl & 3n) === 1n; // ENABLE set, IMASK clear
    return armed(this.cpu.sysreg('CNTV_CTL_EL0')) || armed(this.cpu.sysreg('CNTP_CTL_EL0'));
  }
}
