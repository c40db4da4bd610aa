// Traces of a running guest (`a64vm run --trace insn,exc,hvc,mmio,guard,irq [--trace-file F]`).
//
//   insn   every retired instruction: `cpu0 0000000040080000: d2800021  mov x1, #0x1   x1=0x1`,
//          with the general registers, SP, NZCV, SIMD&FP registers, FPSR and FPCR it changed
//   exc    every exception the guest takes at EL1 (synchronous, IRQ, FIQ, SError): the vector and
//          ESR_EL1/FAR_EL1/ELR_EL1/SPSR_EL1 as the vector sees them
//   irq    interrupts taken (IRQ/FIQ vector entries), and the interrupt controller's events
//          (VM event 'irq') when it emits them
//   hvc    hypercalls (HVC, or SMC when it is the conduit): function, arguments and results
//   mmio   emulated MMIO accesses: address, size, direction, value, device
//   guard  MMIO guard calls and violations (the guard's own events)
//
// insn, exc and irq need the instruction-by-instruction view: the run then goes one instruction
// at a time (vm.run with a budget of 1), which is slow but exact. hvc, mmio and guard come from
// the hypervisor's exits and events and leave the guest at full speed. With no tracing nothing
// is subscribed: the hot loop is untouched.
import { layout as L, type Exit } from '../cpu/cpu.ts';
import { decodeAbort } from '../hyp/esr.ts';
import { formatGuardEvent, type GuardEvent } from '../hyp/mmio-guard.ts';
import { EXIT_BUDGET_STATUS, type RunResult, type VM } from '../vm.ts';
import { disassemble } from './disasm.ts';
import { currentVcpu, readInsn, stateCopy, vcpuCount } from './vcpus.ts';

export const TRACE_CATEGORIES = ['insn', 'exc', 'irq', 'hvc', 'mmio', 'guard'] as const;
export type TraceCategory = (typeof TRACE_CATEGORIES)[number];

/** Parses `insn,exc` (or `all`); throws with the offending name. */
export function parseTraceCategories(spec: string): Set<TraceCategory> {
  const out = new Set<TraceCategory>();
  for (const raw of spec.split(',')) {
    const c = raw.trim();
    if (c === '') continue;
    if (c === 'all') { TRACE_CATEGORIES.forEach((x) => out.add(x)); continue; }
    if (!(TRACE_CATEGORIES as readonly string[]).includes(c)) {
      throw new Error(`unknown trace category '${c}' (${TRACE_CATEGORIES.join(', ')} or all)`);
    }
    out.add(c as TraceCategory);
  }
  if (out.size === 0) throw new Error('no trace category given');
  return out;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const hex16 = (v: bigint) => v.toString(16).padStart(16, '0');

// ---- names ----

const SMCCC_NAMES: Record<number, string> = {
  0x80000000: 'SMCCC_VERSION', 0x80000001: 'SMCCC_ARCH_FEATURES',
  0x84000000: 'PSCI_VERSION', 0x84000001: 'PSCI_CPU_SUSPEND', 0xc4000001: 'PSCI_CPU_SUSPEND',
  0x84000002: 'PSCI_CPU_OFF', 0x84000003: 'PSCI_CPU_ON', 0xc4000003: 'PSCI_CPU_ON',
  0x84000004: 'PSCI_AFFINITY_INFO', 0xc4000004: 'PSCI_AFFINITY_INFO', 0x84000005: 'PSCI_MIGRATE',
  0xc4000005: 'PSCI_MIGRATE', 0x84000006: 'PSCI_MIGRATE_INFO_TYPE', 0x84000007: 'PSCI_MIGRATE_INFO_UP_CPU',
  0xc4000007: 'PSCI_MIGRATE_INFO_UP_CPU', 0x84000008: 'PSCI_SYSTEM_OFF', 0x84000009: 'PSCI_SYSTEM_RESET',
  0x8400000a: 'PSCI_FEATURES', 0x8400000e: 'PSCI_SYSTEM_SUSPEND', 0xc400000e: 'PSCI_SYSTEM_SUSPEND',
  0x84000012: 'PSCI_SYSTEM_RESET2', 0xc4000012: 'PSCI_SYSTEM_RESET2',
  0x86000000: 'VENDOR_HYP_KVM_FEATURES', 0x8600ff01: 'VENDOR_HYP_CALL_UID',
};

function smcccName(fid: number): string {
  const n = SMCCC_NAMES[fid >>> 0];
  if (n) return n;
  if ((fid & 0xffffff00) >>> 0 === 0xc6000000) return `VENDOR_HYP_${fid & 0xff}`;
  return 'unknown';
}

/** Exception classes (ESR_ELx.EC), Arm ARM D17.2.37. */
const EC_NAMES: Record<number, string> = {
  0x00: 'unknown reason', 0x01: 'WFI/WFE', 0x07: 'SIMD/FP access', 0x0e: 'illegal execution state',
  0x15: 'SVC', 0x16: 'HVC', 0x17: 'SMC', 0x18: 'MSR/MRS/system instruction', 0x20: 'instruction abort from EL0',
  0x21: 'instruction abort', 0x22: 'PC alignment', 0x24: 'data abort from EL0', 0x25: 'data abort',
  0x26: 'SP alignment', 0x2c: 'floating-point exception', 0x2f: 'SError', 0x30: 'breakpoint from EL0',
  0x31: 'breakpoint', 0x32: 'software step from EL0', 0x33: 'software step', 0x34: 'watchpoint from EL0',
  0x35: 'watchpoint', 0x3c: 'BRK',
};
const KIND = ['sync', 'IRQ', 'FIQ', 'SError'] as const;
const GROUP = ['current EL, SP_EL0', 'current EL, SP_ELx', 'lower EL, AArch64', 'lower EL, AArch32'];

/** B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET/ERET: instructions that may set the PC anywhere. */
export function isBranch(w: number): boolean {
  return ((w & 0x7c000000) >>> 0) === 0x14000000 || ((w & 0x7e000000) >>> 0) === 0x34000000 ||
    ((w & 0x7e000000) >>> 0) === 0x36000000 || ((w & 0xff000010) >>> 0) === 0x54000000 ||
    ((w & 0xfe000000) >>> 0) === 0xd6000000;
}

const HCR_VF = 1n << 6n;
const HCR_VI = 1n << 7n;
const HCR_VSE = 1n << 8n;

// Fields of a state copy (vcpus.ts stateCopy: a fresh buffer, so offset 0 and aligned).
const field64 = (st: Uint8Array, addr: number) => {
  const w = new Uint32Array(st.buffer, (addr - L.STATE) & ~7, 2);
  return (BigInt(w[1]) << 32n) | BigInt(w[0]);
};
const field32 = (st: Uint8Array, addr: number) => new Uint32Array(st.buffer, (addr - L.STATE) & ~3, 1)[0];

/**
 * The asynchronous exception a vCPU in state st takes before its next instruction: 3 SError,
 * 2 FIQ, 1 IRQ, or 0 (the priority and masking of the CPU's takePending).
 */
function pendingAsync(st: Uint8Array): number {
  const hcr = field64(st, L.HCR_EL2);
  const daif = field32(st, L.DAIF);
  if ((hcr & HCR_VSE) !== 0n && (daif & 0x100) === 0) return 3;
  if ((hcr & HCR_VF) !== 0n && (daif & 0x40) === 0) return 2;
  if ((hcr & HCR_VI) !== 0n && (daif & 0x80) === 0) return 1;
  return 0;
}

/** The vector group offset for an exception taken from this vCPU's current state. */
function vectorGroup(st: Uint8Array): number {
  return field32(st, L.CURRENT_EL) === 0 ? 0x400 : field32(st, L.SPSEL) ? 0x200 : 0;
}

// ---- the tracer ----

export class Tracer {
  readonly categories: Set<TraceCategory>;
  private readonly unsubscribe: (() => void)[] = [];
  private pendingCall?: { vcpu: number; pc: bigint; fid: number; args: bigint[] };
  private pendingMmio?: { vcpu: number; pc: bigint; ipa: number; size: number; write: boolean; value?: bigint; srt: number; isv: boolean };
  /** The vCPU of the last exit (with several vCPUs, the one that ran the last step). */
  private lastVcpu = 0;

  constructor(private readonly vm: VM, categories: Iterable<TraceCategory>, private readonly write: (line: string) => void) {
    this.categories = new Set(categories);
  }

  has(c: TraceCategory): boolean { return this.categories.has(c); }

  /** insn, exc and irq need single-stepping. */
  get stepping(): boolean { return this.has('insn') || this.has('exc') || this.has('irq'); }

  /** Subscribes to the VM's exits and events for the categories that come from them. */
  attach(): this {
    const vm = this.vm;
    this.unsubscribe.push(vm.onExit((e) => this.beforeExit(e)));
    if (this.has('hvc') || this.has('mmio')) this.unsubscribe.push(vm.onExitHandled((e) => this.afterExit(e)));
    if (this.has('guard')) this.unsubscribe.push(vm.onGuard((e) => this.guardEvent(e)));
    if (this.has('irq')) {
      this.unsubscribe.push(vm.events.on('irq', (e) => {
        this.write(`irq ${e.vcpu === undefined ? '' : `cpu${e.vcpu} `}intid ${e.intid} ${e.what}${e.level === undefined ? '' : ` level ${e.level ? 1 : 0}`}`);
      }));
    }
    return this;
  }

  detach(): void { this.unsubscribe.splice(0).forEach((f) => f()); }

  /**
   * Runs like vm.run({ budget }); with insn/exc/irq one instruction at a time. The result covers
   * the whole run (output, instructions, resets).
   */
  run(opts: { budget?: bigint } = {}): RunResult {
    const vm = this.vm;
    if (!this.stepping) return vm.run(opts);
    const start = vm.instructions;
    const out: number[] = [];
    let resets = 0;
    for (;;) {
      if (opts.budget !== undefined && vm.instructions - start >= opts.budget) {
        const n = vm.instructions - start;
        const bytes = Uint8Array.from(out);
        return {
          reason: 'budget', status: EXIT_BUDGET_STATUS, output: new TextDecoder().decode(bytes), outputBytes: bytes,
          instructions: n, resets, message: `instruction budget exhausted after ${n} instructions (PC ${hex(vm.cpu.pc)})`,
        };
      }
      const r = this.step();
      out.push(...r.outputBytes);
      resets += r.resets;
      if (r.reason !== 'budget') {
        const bytes = Uint8Array.from(out);
        return { ...r, output: new TextDecoder().decode(bytes), outputBytes: bytes, instructions: vm.instructions - start, resets };
      }
    }
  }

  /** One instruction (vm.run with a budget of 1), traced. */
  step(): RunResult {
    const vm = this.vm;
    const n = vcpuCount(vm);
    const before: Uint8Array[] = [];
    const words: (number | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      before.push(stateCopy(vm, i));
      words.push(readInsn(vm, i, field64(before[i], L.PC)));
    }
    const r = vm.run({ budget: 1 });
    // The vCPU that ran: with one vCPU, 0; else the one whose last exit this was.
    const i = n === 1 ? 0 : this.lastVcpu;
    const b = before[i];
    const a = stateCopy(vm, i);
    const vbar = field64(a, L.VBAR_EL1) & ~0x7ffn;
    let pc = field64(b, L.PC);
    let word = words[i];
    const pending = this.asyncAtStart(i, b, a);
    if (pending) {
      // Taken before the instruction: the step ran the vector's first instruction instead.
      const vector = (field64(b, L.VBAR_EL1) & ~0x7ffn) + BigInt(vectorGroup(b) + 0x80 * pending);
      this.exception(i, pending, vector, a);
      pc = vector;
      word = readInsn(vm, i, vector);
    }
    if (r.instructions > 0n) {
      if (this.has('insn')) this.insnLine(i, pc, word, b, a);
      // An exception the instruction raised (or one it unmasked, taken right after it; or one the
      // hypervisor injected for it): the PC is on a vector entry that no branch went to.
      const after = field64(a, L.PC);
      const off = after - vbar;
      const atVector = off >= 0n && off < 0x800n && (off & 0x7fn) === 0n;
      const elrChanged = field64(a, L.ELR_EL1) !== field64(b, L.ELR_EL1) || field64(a, L.SPSR_EL1) !== field64(b, L.SPSR_EL1);
      if (atVector && (word === undefined || !isBranch(word) || elrChanged)) this.exception(i, Number((off >> 7n) & 3n), after, a);
    }
    return r;
  }

  /**
   * An asynchronous exception (IRQ, FIQ, SError) taken before the step's instruction: the
   * scheduler may raise the line inside the step, so it shows in the result: ELR_EL1 and
   * SPSR_EL1 are the interrupted PC and PSTATE, and the PC is where that vector's first
   * instruction leads. Returns 1 IRQ, 2 FIQ, 3 SError, or 0.
   */
  private asyncAtStart(i: number, b: Uint8Array, a: Uint8Array): number {
    if (field64(a, L.ELR_EL1) !== field64(b, L.PC)) return 0;
    const spsr = BigInt((field32(b, L.NZCV) | (field32(b, L.PSTATE_IL) ? 1 << 20 : 0) | field32(b, L.DAIF) |
      (field32(b, L.CURRENT_EL) << 2) | field32(b, L.SPSEL)) >>> 0);
    if (field64(a, L.SPSR_EL1) !== spsr) return 0;
    const base = (field64(b, L.VBAR_EL1) & ~0x7ffn) + BigInt(vectorGroup(b));
    const after = field64(a, L.PC);
    for (let k = 1; k <= 3; k++) {
      const vector = base + BigInt(0x80 * k);
      const w = readInsn(this.vm, i, vector);
      if (w === undefined) continue;
      let next: bigint | undefined = vector + 4n;
      if (((w & 0x7c000000) >>> 0) === 0x14000000) next = vector + BigInt(((w << 6) >> 6) * 4); // B, BL
      else if (isBranch(w)) next = undefined; // any target: the ELR/SPSR match has to do
      if (next === undefined || next === after) return k;
    }
    return pendingAsync(b);
  }

  // ---- lines ----

  /** Capstone is slow (tens of microseconds a call) and loops repeat: cache by address and word. */
  private readonly disasmCache = new Map<string, string>();
  private disassemble(word: number, pc: bigint): string {
    const key = `${pc}:${word}`;
    let text = this.disasmCache.get(key);
    if (text === undefined) {
      if (this.disasmCache.size >= 1 << 16) this.disasmCache.clear();
      text = disassemble(word, pc);
      this.disasmCache.set(key, text);
    }
    return text;
  }

  private insnLine(i: number, pc: bigint, word: number | undefined, b: Uint8Array, a: Uint8Array): void {
    const text = word === undefined ? '????????  (not readable)' : `${(word >>> 0).toString(16).padStart(8, '0')}  ${this.disassemble(word, pc)}`;
    const changed: string[] = [];
    const bw = new Uint32Array(b.buffer, b.byteOffset, 0x48);
    const aw = new Uint32Array(a.buffer, a.byteOffset, 0x48);
    for (let r = 0; r <= 32; r++) {
      if (r === 31) continue; // XZR
      const k = ((L.X0 - L.STATE) >> 2) + 2 * r;
      if (bw[k] !== aw[k] || bw[k + 1] !== aw[k + 1]) changed.push(`${r === 32 ? 'sp' : `x${r}`}=${hex(field64(a, L.X0 + 8 * r))}`);
    }
    const nzcvB = field32(b, L.NZCV);
    const nzcvA = field32(a, L.NZCV);
    if (nzcvA !== nzcvB) changed.push(`nzcv=${['N', 'Z', 'C', 'V'].map((f, k) => ((nzcvA >>> (31 - k)) & 1 ? f : '-')).join('')}`);
    // SIMD&FP registers: V<n> as 32 hex digits (bits 127..0), then FPSR and FPCR.
    for (let v = 0; v < 32; v++) {
      const lo = L.V0 + 16 * v;
      const hi = lo + 8;
      if (field64(a, lo) !== field64(b, lo) || field64(a, hi) !== field64(b, hi)) {
        changed.push(`v${v}=0x${hex16(field64(a, hi))}${hex16(field64(a, lo))}`);
      }
    }
    if (field64(a, L.FPSR) !== field64(b, L.FPSR)) changed.push(`fpsr=${hex(field64(a, L.FPSR))}`);
    if (field64(a, L.FPCR) !== field64(b, L.FPCR)) changed.push(`fpcr=${hex(field64(a, L.FPCR))}`);
    const line = `cpu${i} ${hex16(pc)}: ${text}`;
    this.write(changed.length ? `${line.padEnd(64)} ${changed.join(' ')}` : line);
  }

  /** A line for an exception taken by vCPU i; st is its state block after the step. */
  private exception(i: number, kind: number, vector: bigint, st: Uint8Array): void {
    const wanted = kind === 0 || kind === 3 ? this.has('exc') : this.has('exc') || this.has('irq');
    if (!wanted) return;
    const vbar = field64(st, L.VBAR_EL1) & ~0x7ffn;
    const group = GROUP[Number(((vector - vbar) >> 9n) & 3n)];
    const parts = [`${kind === 1 || kind === 2 ? 'irq' : 'exc'} cpu${i} ${KIND[kind]} (${group}) vector ${hex(vector)}`];
    if (kind === 0 || kind === 3) {
      const esr = field64(st, L.ESR_EL1);
      const ec = Number((esr >> 26n) & 0x3fn);
      parts.push(`ESR_EL1=${hex(esr)} (EC 0x${ec.toString(16)}: ${EC_NAMES[ec] ?? 'reserved'})`);
      if (kind === 0 && [0x20, 0x21, 0x22, 0x24, 0x25, 0x34, 0x35].includes(ec)) parts.push(`FAR_EL1=${hex(field64(st, L.FAR_EL1))}`);
    }
    parts.push(`ELR_EL1=${hex(field64(st, L.ELR_EL1))} SPSR_EL1=${hex(field64(st, L.SPSR_EL1))}`);
    this.write(parts.join(' '));
  }

  private beforeExit(e: Exit): void {
    const vm = this.vm;
    const i = currentVcpu(vm);
    this.lastVcpu = i;
    const cpu = vm.cpu;
    const conduit = vm.board.conduit;
    if (this.has('hvc') && (e.reason === conduit)) {
      // HVC exits with the PC past it; a trapped SMC with the PC at it.
      const pc = e.reason === 'hvc' ? cpu.pc - 4n : cpu.pc;
      this.pendingCall = { vcpu: i, pc, fid: Number(cpu.x(0) & 0xffff_ffffn), args: [1, 2, 3].map((r) => cpu.x(r)) };
    }
    if (this.has('mmio') && e.reason === 'dabt') {
      const ipa = Number(e.ipa);
      const slot = vm.memslots.find(ipa);
      const syn = decodeAbort(e.esr);
      if (!syn.s1ptw && !syn.cm && (!slot || (slot.readonly && syn.wnr))) {
        this.pendingMmio = {
          vcpu: i, pc: cpu.pc, ipa, size: syn.isv ? syn.size : 0, write: syn.wnr, srt: syn.srt, isv: syn.isv,
          value: syn.isv && syn.wnr ? (syn.srt === 31 ? 0n : cpu.x(syn.srt) & (syn.size >= 8 ? (1n << 64n) - 1n : (1n << BigInt(8 * syn.size)) - 1n)) : undefined,
        };
      }
    }
  }

  private afterExit(e: Exit): void {
    const cpu = this.vm.cpu;
    const c = this.pendingCall;
    if (c && e.reason === this.vm.board.conduit) {
      this.pendingCall = undefined;
      const res = [0, 1, 2, 3].map((r) => hex(cpu.x(r))).join(', ');
      this.write(`${e.reason} cpu${c.vcpu} pc=${hex(c.pc)} ${smcccName(c.fid)} (${hex(c.fid)}) args ${c.args.map(hex).join(', ')} -> ${res}`);
    }
    const m = this.pendingMmio;
    if (m && e.reason === 'dabt') {
      this.pendingMmio = undefined;
      const dev = this.vm.bus.find(m.ipa, Math.max(m.size, 1));
      const where = dev ? `${dev.dev.name}+${hex(m.ipa - dev.base)}` : this.vm.memslots.find(m.ipa)?.name ?? 'unclaimed';
      const done = cpu.pc === m.pc + 4n;
      let value = '';
      if (m.isv && m.write) value = ` = ${hex(m.value!)}`;
      else if (m.isv && done) value = ` -> ${hex(m.srt === 31 ? 0n : cpu.x(m.srt))}`;
      const size = m.isv ? `${m.size} bytes` : 'no syndrome (ISV = 0)';
      const outcome = done ? '' : cpu.pc === m.pc ? ' (not completed)' : ` (not completed: exception injected, PC ${hex(cpu.pc)})`;
      this.write(`mmio cpu${m.vcpu} pc=${hex(m.pc)} ${m.write ? 'write' : 'read'} ${size} at ${hex(m.ipa)} (${where})${value}${outcome}`);
    }
  }

  private guardEvent(e: GuardEvent): void {
    // The guard's own wording (hyp/mmio-guard.ts), with the vCPU in front.
    this.write(e.kind === 'reset' ? formatGuardEvent(e) : formatGuardEvent(e).replace(/^guard: /, `guard: cpu${currentVcpu(this.vm)} `));
  }
}
