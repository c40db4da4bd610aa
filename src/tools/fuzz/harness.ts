// A fuzzing harness (issue 9): a guest image, where each input goes, where an execution starts
// (a snapshot taken when the guest first reaches a symbol) and where it ends, with crash
// detection and coverage / comparison feedback from the CPU (assembly/coverage.ts).
//
// Config (JSON, paths relative to the file; numbers may be "0x..." strings; symbols are names
// from the ELF's .symtab):
//   { "image": "parser.elf",
//     "input": { "at": "fuzz_input", "maxLen": 4096, "len": { "at": "fuzz_input_len", "size": 4 } },
//                                              // or "len": { "reg": 0 } (x0 at the start point)
//     "start": "fuzz_one",                     // the snapshot is taken on reaching it
//     "end": ["fuzz_done"],                    // reaching one of these ends the execution
//     "crash": ["unexpected"],                 // reaching one of these is a crash
//     "vectors": true,                         // entering VBAR_EL1's vectors is a crash (default)
//     "budget": 100000,                        // instructions per execution (beyond: a hang)
//     "memory": "16M", "semihosting": false,
//     "vm": { "mmioGuard": "rfc-v1", "guardViolation": "serror", "emulateNisv": true },  // VM options
//     "checker": { "kind": "mmio-guard", "record": "hc_step", "window": ["0x0c000000", "0x0e000000"] } }
//
// A checker (guard-check.ts; the hypercall target's) is consulted at every step marker the guest
// executes (BRK #0x57E9) and when the execution ends; what it reports is a crash. With a checker,
// guard violations and system resets are the guest's business, not crashes.
//
// How it works: the harness plants BRK #0xFA55 at the start symbol (with HOST_FLAGS.HF_TRAP_BRK
// so that BRK exits to the host), boots until it is hit, puts the instruction back, then plants
// BRKs at the end symbols, the crash symbols and the 16 vector entries at VBAR_EL1 and takes the
// start point (reset.ts). An execution ends when the guest hits one of those BRKs, powers off
// (PSCI SYSTEM_OFF) or exits through semihosting. Crashes, each keyed by (kind, PC) for
// de-duplication:
//   exception:<class>   a vector entry or crash symbol was reached; PC = ELR_EL1, class from
//                       ESR_EL1 (sync) or the vector (irq/fiq/serror)
//   brk                 the guest's own BRK (e.g. __builtin_trap); PC at it
//   guard-violation     the MMIO guard saw a violation; PC of the access
//   psci-reset          the guest asked for a system reset
//   hang                the budget ran out (PC recorded as 0: one hang bucket)
//   halted / cpu-off / error   the VM wedged or hit a condition it does not handle
//   model:<what>        the checker's reference model disagrees with the hypervisor
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { layout as L } from '../../cpu/cpu.ts';
import { VM, type RunResult } from '../../vm.ts';
import { elfSymbols } from './elfsyms.ts';
import { DirtyReset } from './reset.ts';
import { GuardChecker, STEP_BRK_IMM } from './guard-check.ts';
import type { GuardProfileName, GuardViolationMode } from '../../vm.ts';

export type Addr = string | number;

export interface HarnessConfig {
  /** The guest image (ELF with symbols) as a path, or its bytes. */
  image: string | Uint8Array;
  input: { at: Addr; maxLen?: number; len?: { reg?: number; at?: Addr; size?: 4 | 8 } };
  start: Addr;
  end?: Addr[];
  crash?: Addr[];
  vectors?: boolean;
  budget?: number;
  bootBudget?: number;
  memory?: number | string;
  semihosting?: boolean;
  /** VM options for the target (the MMIO guard's profile and violation mode, NISV emulation). */
  vm?: { mmioGuard?: GuardProfileName; guardViolation?: GuardViolationMode; emulateNisv?: boolean };
  /** A host-side checker run at every step marker (guard-check.ts). */
  checker?: { kind: 'mmio-guard'; record: Addr; window?: [Addr, Addr] };
}

export interface Crash { kind: string; pc: bigint; message?: string }

export interface ExecResult {
  /** 'ok': reached an end; otherwise the crash. */
  crash?: Crash;
  instructions: bigint;
}

export interface CmpEntry { pc: bigint; a: bigint; b: bigint; size: number }

const BRK_HARNESS = 0xd4200000 | (0xfa55 << 5); // BRK #0xFA55
const COV_SIZE = 1 << 16;

const EC_NAMES: Record<number, string> = {
  0x00: 'undefined', 0x15: 'svc', 0x16: 'hvc', 0x17: 'smc', 0x18: 'sysreg', 0x20: 'iabt', 0x21: 'iabt',
  0x22: 'pc-align', 0x24: 'dabt', 0x25: 'dabt', 0x26: 'sp-align', 0x2f: 'serror', 0x3c: 'brk', 0x0e: 'illegal-state',
};

/** Reads and resolves a JSON harness config file (image path relative to it). */
export function loadHarnessConfig(file: string): HarnessConfig {
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as HarnessConfig;
  if (typeof cfg.image === 'string') cfg.image = resolve(dirname(file), cfg.image);
  return cfg;
}

function parseMem(m: number | string | undefined): number {
  if (m === undefined) return 16 * 2 ** 20;
  if (typeof m === 'number') return m;
  const r = /^(\d+)([kmg]?)$/i.exec(m.trim());
  if (!r) throw new Error(`fuzz: memory '${m}' is not a size`);
  return Number(r[1]) * ({ '': 2 ** 20, k: 1024, m: 2 ** 20, g: 2 ** 30 } as Record<string, number>)[r[2].toLowerCase()];
}

export class Harness {
  readonly vm: VM;
  readonly maxLen: number;
  readonly inputAddr: number;
  private covView?: Uint8Array;
  private readonly covAddr: number;
  private readonly cmpAddr: number;
  private readonly reset: DirtyReset;
  private readonly ends = new Set<bigint>();
  private readonly crashes = new Set<bigint>();
  private vbar = 0n;
  private readonly budget: bigint;
  private guardViolation?: bigint;
  private first = true;
  private fullReset = false;
  private lastBrkImm = -1;
  /** Coverage map on (default) / off, comparison logging on / off. */
  coverage = true;
  cmplog = false;

  private constructor(vm: VM, readonly config: HarnessConfig, image: Uint8Array, readonly checker?: GuardChecker) {
    this.vm = vm;
    const syms = elfSymbols(image);
    const addr = (a: Addr): number => {
      if (typeof a === 'number') return a;
      if (/^(0x[0-9a-f]+|\d+)$/i.test(a)) return Number(a);
      const s = syms.get(a);
      if (!s) throw new Error(`fuzz: no symbol '${a}' in the image`);
      return Number(s.value);
    };
    const cpu = vm.cpu;
    this.inputAddr = addr(config.input.at);
    const inSym = typeof config.input.at === 'string' ? syms.get(config.input.at) : undefined;
    this.maxLen = config.input.maxLen ?? (inSym && inSym.size > 0n ? Number(inSym.size) : 4096);
    this.budget = BigInt(config.budget ?? 1_000_000);
    const len = config.input.len;
    this.lenAddr = len?.at !== undefined ? addr(len.at) : undefined;
    const word = (a: number) => new DataView(vm.memslots.view(a, 4).slice().buffer).getUint32(0, true);
    const putWord = (a: number, v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); vm.memslots.write(a, b); };

    // Boot to the start point.
    const start = addr(config.start);
    const orig = word(start);
    putWord(start, BRK_HARNESS);
    cpu.hostFlags |= L.HF_TRAP_BRK;
    vm.setDebugHandler((e) => {
      if (e.reason !== 'brk') return false;
      // ESR_EL2 of a BRK exit: ISS = the immediate (EC 0x3C, Arm ARM D17.2.37).
      this.lastBrkImm = Number(e.esr & 0xffffn);
      return true;
    });
    const r = vm.run({ budget: config.bootBudget ?? 100_000_000 });
    if (r.reason !== 'debug' || cpu.pc !== BigInt(start)) {
      throw new Error(`fuzz: the guest did not reach the start point 0x${start.toString(16)} (${r.reason}${r.message ? `: ${r.message}` : ''}; PC 0x${cpu.pc.toString(16)})`);
    }
    putWord(start, orig);
    for (const e of config.end ?? []) { const a = addr(e); this.ends.add(BigInt(a)); putWord(a, BRK_HARNESS); }
    for (const c of config.crash ?? []) { const a = addr(c); this.crashes.add(BigInt(a)); putWord(a, BRK_HARNESS); }
    if (config.vectors ?? true) {
      this.vbar = cpu.sysreg('VBAR_EL1');
      if (this.vbar !== 0n && vm.memslots.findRange(Number(this.vbar), 0x800)) {
        for (let i = 0; i < 16; i++) putWord(Number(this.vbar) + 0x80 * i, BRK_HARNESS);
      } else this.vbar = 0n;
    }
    this.covAddr = cpu.alloc(COV_SIZE);
    this.cmpAddr = cpu.alloc(L.CMPLOG_CAPACITY * 32);
    cpu.exports.flushTLB();
    vm.onGuard((ev) => { if (ev.kind === 'violation' && this.guardViolation === undefined) this.guardViolation = ev.pc; });
    if (checker) checker.attach(vm, addr(config.checker!.record));
    this.reset = new DirtyReset(vm);
  }

  private readonly lenAddr?: number;

  static async create(config: HarnessConfig): Promise<Harness> {
    const image = typeof config.image === 'string' ? new Uint8Array(readFileSync(config.image)) : config.image;
    let checker: GuardChecker | undefined;
    const c = config.checker;
    if (c) {
      if (c.kind !== 'mmio-guard') throw new Error(`fuzz: unknown checker '${String(c.kind)}' (mmio-guard)`);
      const profile = config.vm?.mmioGuard ?? 'rfc-v1';
      if (profile === 'off') throw new Error('fuzz: the mmio-guard checker needs the guard on (vm.mmioGuard)');
      if (!config.vm?.emulateNisv) throw new Error('fuzz: the mmio-guard checker needs vm.emulateNisv (LDP/STP to devices)');
      const num = (a: Addr) => (typeof a === 'number' ? a : Number(a));
      const window = c.window ? [num(c.window[0]), num(c.window[1])] as [number, number] : [0x0c00_0000, 0x0e00_0000] as [number, number];
      checker = new GuardChecker({ profile, violation: config.vm?.guardViolation ?? 'serror', window });
    }
    const vm = await VM.create({
      kernel: { data: image, name: typeof config.image === 'string' ? config.image : 'image.elf' },
      memory: parseMem(config.memory),
      semihosting: config.semihosting,
      mmioGuard: config.vm?.mmioGuard,
      guardViolation: config.vm?.guardViolation,
      emulateNisv: config.vm?.emulateNisv,
      mmio: checker?.mmio,
    });
    return new Harness(vm, config, image, checker);
  }

  /** The 64 KiB edge map of the last execution (a live view of wasm memory). */
  get cov(): Uint8Array {
    const buf = this.vm.cpu.memory.buffer;
    if (!this.covView || this.covView.buffer !== buf) this.covView = new Uint8Array(buf, this.covAddr, COV_SIZE);
    return this.covView;
  }

  /** Puts the VM back at the start point now (exec() does it before each run). */
  resetToStart(): void { this.reset.reset(this.fullReset); this.fullReset = false; this.first = true; }

  /** Where memory or the vCPU state differs from the start point (undefined: identical). */
  differenceFromStart(): string | undefined { return this.reset.difference(); }

  /** Pages the last reset copied back. */
  get lastDirtyPages(): number { return this.reset.lastDirty; }

  /** Runs one input from the start point; the coverage map (this.cov) holds its edges after. */
  exec(input: Uint8Array): ExecResult {
    const { vm } = this;
    const cpu = vm.cpu;
    if (!this.first) this.reset.reset(this.fullReset);
    this.first = false;
    this.fullReset = false;
    const data = input.length > this.maxLen ? input.subarray(0, this.maxLen) : input;
    vm.memslots.write(this.inputAddr, data);
    this.reset.markHostWrite(this.inputAddr, data.length);
    const lenSpec = this.config.input.len;
    if (this.lenAddr !== undefined) {
      const size = lenSpec?.size ?? 4;
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(data.length), true);
      vm.memslots.write(this.lenAddr, b.subarray(0, size));
      this.reset.markHostWrite(this.lenAddr, size);
    }
    if (lenSpec?.reg !== undefined) cpu.setX(lenSpec.reg, BigInt(data.length));
    if (this.coverage) { this.cov.fill(0); cpu.setU32(L.COV_MAP, this.covAddr); cpu.setU32(L.COV_PREV, 0); } else cpu.setU32(L.COV_MAP, 0);
    cpu.setU32(L.CMPLOG, this.cmplog ? this.cmpAddr : 0);
    cpu.setU32(L.CMPLOG_COUNT, 0);
    this.guardViolation = undefined;
    this.checker?.begin();
    let r = vm.run({ budget: this.budget });
    let instructions = r.instructions, resets = r.resets;
    let crash: Crash | undefined;
    // Step markers: the checker looks, then the guest goes on after the BRK.
    while (this.checker && r.reason === 'debug' && this.lastBrkImm === STEP_BRK_IMM) {
      crash = this.checker.step();
      if (crash) break;
      cpu.pc += 4n;
      r = vm.run({ budget: this.budget - instructions });
      instructions += r.instructions;
      resets += r.resets;
    }
    if (resets > 0) this.fullReset = true;
    if (this.checker && this.coverage) this.checker.feedback(this.cov);
    if (crash) { /* the checker's */ }
    else if (this.checker) {
      if (r.reason === 'system-off' || (r.reason === 'debug' && this.ends.has(cpu.pc))) crash = this.checker.end(r);
      else crash = this.runEnd(r);
    } else if (resets > 0) crash = { kind: 'psci-reset', pc: 0n };
    else if (this.guardViolation !== undefined) crash = { kind: 'guard-violation', pc: this.guardViolation };
    else crash = this.runEnd(r);
    return { crash, instructions };
  }

  /** How a run that ended without a checker's or guard's verdict ended. */
  private runEnd(r: RunResult): Crash | undefined {
    const cpu = this.vm.cpu;
    let crash: Crash | undefined;
    {
      switch (r.reason) {
        case 'system-off': case 'semihost-exit': break;
        case 'budget': crash = { kind: 'hang', pc: 0n, message: r.message }; break;
        case 'debug': crash = this.brkStop(); break;
        default: crash = { kind: r.reason, pc: cpu.pc, message: r.message };
      }
    }
    return crash;
  }

  private brkStop(): Crash | undefined {
    const cpu = this.vm.cpu;
    const pc = cpu.pc;
    if (this.ends.has(pc)) return undefined;
    const esr = cpu.sysreg('ESR_EL1');
    const ec = Number(esr >> 26n) & 0x3f;
    const cls = EC_NAMES[ec] ?? `ec-0x${ec.toString(16)}`;
    if (this.crashes.has(pc)) return { kind: `exception:${cls}`, pc: cpu.sysreg('ELR_EL1') };
    if (this.vbar !== 0n && pc >= this.vbar && pc < this.vbar + 0x800n) {
      const type = Number((pc - this.vbar) >> 7n) & 3;
      if (type === 0) return { kind: `exception:${cls}`, pc: cpu.sysreg('ELR_EL1') };
      return { kind: `exception:${['sync', 'irq', 'fiq', 'serror'][type]}`, pc: cpu.sysreg('ELR_EL1') };
    }
    return { kind: 'brk', pc };
  }

  /** The comparison log of the last execution (when cmplog was on). */
  comparisons(): CmpEntry[] {
    const cpu = this.vm.cpu;
    const n = Math.min(cpu.u32(L.CMPLOG_COUNT), L.CMPLOG_CAPACITY);
    const out: CmpEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e = this.cmpAddr + i * 32;
      out.push({ pc: cpu.u64(e), a: cpu.u64(e + 8), b: cpu.u64(e + 16), size: cpu.u32(e + 24) });
    }
    return out;
  }
}
