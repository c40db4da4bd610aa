// The host's view of the CPU: loads build/cpu.wasm, gives typed access to the state block
// (the layout comes from assembly/layout.ts, the same file the CPU is compiled from), and runs
// it with a budget, returning decoded exit records.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as L from '../../assembly/layout.ts';
import { Jit, DEFAULT_THRESHOLD, type JitExports } from './jit/jit.ts';

export { L as layout };

export type ExitReason = 'none' | 'budget' | 'hvc' | 'smc' | 'dabt' | 'iabt' | 'wfi' | 'semihost' | 'internal' | 'brk' | 'sysreg' | 'timer';
const REASONS: ExitReason[] = ['none', 'budget', 'hvc', 'smc', 'dabt', 'iabt', 'wfi', 'semihost', 'internal', 'brk', 'sysreg', 'timer'];

export interface Exit {
  reason: ExitReason;
  /** ESR_EL2-style syndrome for hvc/smc/dabt/iabt and the other trapped exits (0 for budget). */
  esr: bigint;
  /** Faulting virtual address (dabt/iabt; 0 for the others). */
  far: bigint;
  /** Faulting IPA (dabt/iabt), the full address (0 for the others). */
  ipa: bigint;
  /** The instruction word at the exit. */
  insn: number;
}

interface CpuExports extends JitExports {
  run(budget: number): number;
  growPages(n: number): number;
  init(): void;
  flushTLB(): void;
  flushTLBPage(va: bigint): void;
  refreshInterrupts(): void;
  decodeWord(w: number): number;
}

export interface CpuOptions {
  /**
   * Compile blocks entered this many times to wasm (src/cpu/jit/); false or 0: interpret only.
   * Default DEFAULT_THRESHOLD.
   */
  jit?: number | false;
}

let compiled: WebAssembly.Module | undefined;
function wasmModule(): WebAssembly.Module {
  if (!compiled) {
    const path = fileURLToPath(new URL('../../build/cpu.wasm', import.meta.url));
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      throw new Error(`a64vm: ${path} is missing; run \`npm install\` (or \`npm run build:wasm\`) to build the CPU`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** System register names the host may read and write, by state-block address. */
export const SYSREGS = {
  SCTLR_EL1: L.SCTLR_EL1, TCR_EL1: L.TCR_EL1, TTBR0_EL1: L.TTBR0_EL1, TTBR1_EL1: L.TTBR1_EL1,
  MAIR_EL1: L.MAIR_EL1, AMAIR_EL1: L.AMAIR_EL1, VBAR_EL1: L.VBAR_EL1, ESR_EL1: L.ESR_EL1,
  FAR_EL1: L.FAR_EL1, ELR_EL1: L.ELR_EL1, SPSR_EL1: L.SPSR_EL1, CPACR_EL1: L.CPACR_EL1,
  CONTEXTIDR_EL1: L.CONTEXTIDR_EL1, TPIDR_EL0: L.TPIDR_EL0, TPIDR_EL1: L.TPIDR_EL1,
  TPIDRRO_EL0: L.TPIDRRO_EL0, PAR_EL1: L.PAR_EL1, CNTKCTL_EL1: L.CNTKCTL_EL1,
  CNTV_CTL_EL0: L.CNTV_CTL_EL0, CNTV_CVAL_EL0: L.CNTV_CVAL_EL0, CNTP_CTL_EL0: L.CNTP_CTL_EL0,
  CNTP_CVAL_EL0: L.CNTP_CVAL_EL0, MPIDR_EL1: L.MPIDR_EL1, MIDR_EL1: L.MIDR_EL1, CNTFRQ_EL0: L.CNTFRQ_EL0,
  SP_EL0: L.SP_EL0, SP_EL1: L.SP_EL1, HCR_EL2: L.HCR_EL2, VTTBR_EL2: L.VTTBR_EL2, VTCR_EL2: L.VTCR_EL2,
  VSESR_EL2: L.VSESR_EL2, CNTVOFF_EL2: L.CNTVOFF_EL2, FPCR: L.FPCR, FPSR: L.FPSR,
} as const;
export type SysReg = keyof typeof SYSREGS;

/** One vCPU: its own wasm instance (own state block and caches) over its own memory. */
export class Cpu {
  readonly exports: CpuExports;
  private dv!: DataView;
  readonly jit: Jit | undefined;

  constructor(options: CpuOptions = {}) {
    const inst = new WebAssembly.Instance(wasmModule(), {
      env: {
        abort: (_m: number, _f: number, line: number, col: number) => {
          throw new Error(`a64vm: CPU module abort at ${line}:${col}`);
        },
      },
    });
    this.exports = inst.exports as unknown as CpuExports;
    this.exports.init();
    this.refreshView();
    const threshold = options.jit === undefined ? DEFAULT_THRESHOLD : options.jit === false ? 0 : options.jit;
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > 0xffff_ffff) throw new RangeError(`a64vm: JIT threshold ${threshold} is not a count of block entries`);
    if (threshold > 0) this.jit = new Jit(this.exports, threshold);
  }

  get memory(): WebAssembly.Memory { return this.exports.memory; }

  // Linear memory grows only through alloc() (growPages), which renews the view: the state
  // block accessors below use it without re-checking the buffer (an exit's hot path).
  private refreshView(): void { this.dv = new DataView(this.exports.memory.buffer); }
  private view(): DataView { return this.dv; }

  /** Allocates `bytes` (rounded up to 64 KiB) of wasm memory; returns its address. */
  alloc(bytes: number): number {
    const pages = Math.ceil(bytes / 65536);
    const base = this.exports.growPages(pages);
    if (base === 0) throw new Error(`a64vm: cannot grow wasm memory by ${bytes} bytes (4 GiB is the limit)`);
    this.refreshView();
    return base >>> 0;
  }

  bytes(addr: number, len: number): Uint8Array { return new Uint8Array(this.exports.memory.buffer, addr, len); }

  u64(addr: number): bigint { return this.view().getBigUint64(addr, true); }
  setU64(addr: number, v: bigint): void { this.view().setBigUint64(addr, BigInt.asUintN(64, v), true); }
  u32(addr: number): number { return this.view().getUint32(addr, true); }
  setU32(addr: number, v: number): void { this.view().setUint32(addr, v >>> 0, true); }

  /** Xn (n = 0..30); 31 reads as zero. */
  x(n: number): bigint { return this.u64(L.X0 + 8 * n); }
  /** W<n>, the low 32 bits of X<n>, as a number (no BigInt). */
  w(n: number): number { return this.dv.getUint32(L.X0 + 8 * n, true); }
  setX(n: number, v: bigint): void { if (n < 31) this.setU64(L.X0 + 8 * n, v); }
  /** Xn = v for 0 <= v < 2^32, as a number (no BigInt). */
  setXw(n: number, v: number): void {
    if (n >= 31) return;
    this.dv.setUint32(L.X0 + 8 * n, v >>> 0, true);
    this.dv.setUint32(L.X0 + 8 * n + 4, 0, true);
  }
  get sp(): bigint { return this.u64(L.XSP); }
  set sp(v: bigint) { this.setU64(L.XSP, v); }
  get pc(): bigint { return this.u64(L.PC); }
  set pc(v: bigint) { this.setU64(L.PC, v); }
  get nzcv(): number { return this.u32(L.NZCV); }
  set nzcv(v: number) { this.setU32(L.NZCV, v); }
  get daif(): number { return this.u32(L.DAIF); }
  set daif(v: number) { this.setU32(L.DAIF, v); this.exports.refreshInterrupts(); }
  get el(): number { return this.u32(L.CURRENT_EL); }
  get spsel(): number { return this.u32(L.SPSEL); }
  /** Sets EL and SPSel; the live SP is banked as the architecture does. */
  setPstateMode(el: number, spsel: number): void {
    const bankOf = (e: number, s: number) => (e !== 0 && s !== 0 ? L.SP_EL1 : L.SP_EL0);
    this.setU64(bankOf(this.el, this.spsel), this.sp);
    this.setU32(L.CURRENT_EL, el);
    this.setU32(L.SPSEL, spsel);
    this.sp = this.u64(bankOf(el, spsel));
    this.exports.flushTLB();
  }
  sysreg(name: SysReg): bigint {
    // The banked SP of the mode in use lives in the live slot.
    if (name === 'SP_EL0' && !(this.el !== 0 && this.spsel !== 0)) return this.sp;
    if (name === 'SP_EL1' && this.el !== 0 && this.spsel !== 0) return this.sp;
    return this.u64(SYSREGS[name]);
  }
  setSysreg(name: SysReg, v: bigint): void {
    if (name === 'SP_EL0' && !(this.el !== 0 && this.spsel !== 0)) { this.sp = v; return; }
    if (name === 'SP_EL1' && this.el !== 0 && this.spsel !== 0) { this.sp = v; return; }
    this.setU64(SYSREGS[name], v);
    this.exports.flushTLB();
    this.exports.refreshInterrupts();
  }
  get icount(): bigint { return this.u64(L.ICOUNT); }
  /** The instruction count as a number (exact below 2^53, about 104 days at 1 GIPS). */
  get icountNumber(): number { return this.dv.getUint32(L.ICOUNT, true) + this.dv.getUint32(L.ICOUNT + 4, true) * 0x1_0000_0000; }
  set icount(v: bigint) { this.setU64(L.ICOUNT, v); }
  get hostFlags(): number { return this.u32(L.HOST_FLAGS); }
  set hostFlags(v: number) { this.setU32(L.HOST_FLAGS, v); }

  /** Runs at most `budget` instructions (at most 2^32 - 1 per call); returns why it stopped. */
  run(budget: bigint | number): Exit {
    const n = typeof budget === 'number' ? budget : budget > 0xffff_ffffn ? 0xffff_ffff : Number(budget);
    if (!(n >= 0 && n <= 0xffff_ffff)) throw new RangeError(`a64vm: run budget ${budget} outside 0..2^32-1 (run in slices)`);
    const start = this.jit ? this.icountNumber : 0;
    let code = this.exports.run(n);
    while (code === L.EXIT_JIT) {
      // A hot block: compile it and go on with what is left of the budget.
      this.jit!.compileRequested();
      const left = n - (this.icountNumber - start);
      code = left > 0 ? this.exports.run(left) : L.EXIT_BUDGET;
    }
    // Each BigInt read costs an allocation: the fields an exit does not have are 0 (a hypercall
    // exit, the most frequent after the budget's, reads one).
    const abort = code === L.EXIT_DABT || code === L.EXIT_IABT;
    return {
      reason: REASONS[code] ?? 'internal',
      esr: code > L.EXIT_BUDGET ? this.u64(L.ESR_EL2) : 0n,
      far: abort ? this.u64(L.FAR_EL2) : 0n,
      ipa: abort ? this.u64(L.HPFAR_EL2) : 0n,
      insn: this.u32(L.EXIT_INSN),
    };
  }

  /** Decodes an instruction word the way the CPU does: handler op id and table index. */
  decode(word: number): { op: number; encoding: number } {
    const r = this.exports.decodeWord(word >>> 0) >>> 0;
    return { op: r & 0xffff, encoding: r >>> 16 === 0xffff ? -1 : r >>> 16 };
  }
}
