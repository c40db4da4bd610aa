// A small test rig for CPU tests: one vCPU over an 8 MiB RAM region, identity-mapped at both
// stages, so a guest virtual address, its IPA and its wasm (host) address are the same number
// unless a test maps an alias.
//
//   stage 2  VTCR_EL2 T0SZ = 32 (4 GiB IPA), SL0 = 1 (start at level 1): four 1 GiB identity
//            blocks, except the GiB holding the RAM, which goes through a level-2 table of
//            2 MiB identity blocks so that a test can unmap one or make it read-only (s2Block).
//   stage 1  TCR_EL1 T0SZ = 32, 4 KiB granule, TTBR0 only (EPD1 = 1). The RAM's GiB has a
//            level-2 table of 2 MiB blocks, all identity, Normal memory, EL1 read/write, EL0 no
//            access. s1Block changes a block's AP[2:1] / memory type, s1Unmap removes it, s1Alias
//            maps a VA block onto another block. MAIR_EL1: Attr0 Normal write-back, Attr1
//            Device-nGnRnE. SCTLR_EL1 = M (MMU on, no alignment checks) unless a test calls mmu().
//
// RAM: four 2 MiB blocks, 2 MiB-aligned.
//   block 0   the rig's own, mapped AP = 0b11 (read-only and executable at EL1 and EL0): the
//             translation tables, the vector table (every entry `b .`) and the code. The code
//             sits at the block's end (code = block(1) - 64 KiB) so that literal loads reach block 1.
//   block 1-3 free for tests (block(i)). SP_EL1 starts at the top of block 1, SP_EL0 4 KiB below.
//
// run(code) writes the words at `code`, sets PC there and runs one instruction per word (or
// `steps`). An exception taken to EL1 lands in the vector table and spins on `b .`, so the result
// says which vector was taken and carries ESR_EL1/FAR_EL1/ELR_EL1; a stage-2 fault stops the run
// with exit reason 'dabt' and the ESR_EL2-style syndrome in exit.
import { expect } from 'vitest';
import { Cpu, layout as L, type Exit } from '../../src/cpu/cpu.ts';

export { layout } from '../../src/cpu/cpu.ts';

export const MiB = 0x100000;
const BLOCK = 2 * MiB;
const GiB = 2 ** 30;

/** A pre-assembled instruction: its word and the assembly text it came from. */
export type Insn = readonly [word: number, asm: string];

/** An exception taken to EL1, seen from the vector it landed on. */
export interface Taken {
  /** Offset from VBAR_EL1: 0x200 = current EL with SP_ELx, synchronous; 0x400 = lower EL (AArch64), synchronous. */
  vector: number;
  esr: bigint;
  far: bigint;
  elr: bigint;
}

export interface RunResult {
  exit: Exit;
  pc: bigint;
  /** Every step retired: the budget ran out with PC just past the last step, no exception. */
  done: boolean;
  /** The exception taken to EL1, or null when PC is not in the vector table. */
  exc: Taken | null;
}

export interface RunOptions {
  /** Exception level to run at: 1 (EL1h, SP_EL1) or 0 (SP_EL0). Default 1. */
  el?: 0 | 1;
  /** Instructions to execute; default one per word. */
  steps?: number;
}

/** Registers a "nothing changed" check compares, as hex strings (readable diffs). */
export interface RegSnapshot { x: string[]; sp: string; nzcv: string; pc: string }

const B_SELF = 0x14000000; // b .

export class Rig {
  readonly cpu = new Cpu();
  /** Base of the RAM region (2 MiB-aligned). */
  readonly ram: number;
  /** Where run() puts the code. */
  readonly code: number;
  readonly vbar: number;
  private readonly s2l2: number;
  private readonly s1l2: number;
  private readonly gib: number;

  constructor() {
    const c = this.cpu;
    const raw = c.alloc(8 * MiB + BLOCK);
    this.ram = Math.ceil(raw / BLOCK) * BLOCK;
    const s2l1 = this.ram;
    this.s2l2 = this.ram + 0x1000;
    const s1l1 = this.ram + 0x2000;
    this.s1l2 = this.ram + 0x3000;
    this.vbar = this.ram + 0x10000;
    this.code = this.block(1) - 0x10000;
    this.gib = Math.floor(this.ram / GiB);
    // Room for the RAM and for alias VAs up to 32 MiB above it, all in one GiB.
    if (Math.floor((this.ram + 40 * MiB) / GiB) !== this.gib) throw new Error('rig: RAM too close to a GiB boundary');

    // Stage 2: 1 GiB identity blocks (valid block, AF, S2AP read/write); the RAM's GiB via a table.
    for (let i = 0; i < 4; i++) c.setU64(s2l1 + 8 * i, (BigInt(i) << 30n) | 0x4c1n);
    c.setU64(s2l1 + 8 * this.gib, BigInt(this.s2l2) | 3n);
    for (let j = 0; j < 512; j++) c.setU64(this.s2l2 + 8 * j, BigInt(this.gib * GiB + j * BLOCK) | 0x4c1n);
    c.setSysreg('VTCR_EL2', 32n | (1n << 6n));
    c.setSysreg('VTTBR_EL2', BigInt(s2l1));

    // Stage 1: identity 2 MiB blocks over the RAM's GiB, EL1 read/write; block 0 read-only to all.
    c.setU64(s1l1 + 8 * this.gib, BigInt(this.s1l2) | 3n);
    for (let j = 0; j < 512; j++) this.s1Write(j, this.gib * GiB + j * BLOCK, 0, false);
    this.s1Write(this.s1Index(this.ram), this.ram, 3, false);
    c.setSysreg('TCR_EL1', 32n | (1n << 23n));
    c.setSysreg('TTBR0_EL1', BigInt(s1l1));
    c.setSysreg('MAIR_EL1', 0x00ffn);
    this.mmu(true);

    for (let i = 0; i < 0x800; i += 4) c.setU32(this.vbar + i, B_SELF);
    c.setSysreg('VBAR_EL1', BigInt(this.vbar));
    c.setPstateMode(1, 1);
    c.setSysreg('SP_EL0', BigInt(this.block(2) - 0x1000));
    c.sp = BigInt(this.block(2));
    // Distinctive register contents, so that a register no test wrote never looks loaded.
    for (let n = 0; n < 31; n++) c.setX(n, 0x5a5a_0000_0000_0000n | (BigInt(n) << 8n) | BigInt(n));
  }

  /** Base address of RAM block i (0..3); block 0 is the rig's own. */
  block(i: number): number { return this.ram + i * BLOCK; }

  /** SCTLR_EL1 = M (on) | extra (SCTLR.A = 1n << 1n, SA = 1n << 3n, SA0 = 1n << 4n). */
  mmu(on: boolean, extra = 0n): void {
    this.cpu.setSysreg('SCTLR_EL1', (on ? 1n : 0n) | extra);
  }

  private s1Index(va: number): number {
    if (va % BLOCK !== 0 || Math.floor(va / GiB) !== this.gib) throw new Error(`rig: 0x${va.toString(16)} is not a block of the RAM's GiB`);
    return (va / BLOCK) % 512;
  }
  private s1Write(j: number, oa: number, ap: number, device: boolean): void {
    // Block descriptor: valid (bits 1:0 = 01), AttrIndx[4:2], AP[7:6], AF[10].
    this.cpu.setU64(this.s1l2 + 8 * j, BigInt(oa) | (1n << 10n) | (BigInt(ap) << 6n) | (device ? 1n << 2n : 0n) | 1n);
  }

  /**
   * Stage-1 attributes of the identity block at va: AP[2:1] (0 = EL1 RW, 1 = EL1 and EL0 RW,
   * 2 = EL1 RO, 3 = EL1 and EL0 RO), and Device-nGnRnE instead of Normal memory.
   */
  s1Block(va: number, ap: number, device = false): void {
    this.s1Write(this.s1Index(va), va, ap, device);
    this.cpu.exports.flushTLB();
  }
  /** The stage-1 block at va maps the block at pa (Normal memory, AP as in s1Block). */
  s1Alias(va: number, pa: number, ap = 0): void {
    this.s1Write(this.s1Index(va), pa, ap, false);
    this.cpu.exports.flushTLB();
  }
  /** Removes the stage-1 block at va: a translation fault, level 2. */
  s1Unmap(va: number): void {
    this.cpu.setU64(this.s1l2 + 8 * this.s1Index(va), 0n);
    this.cpu.exports.flushTLB();
  }
  /** The stage-2 identity block at ipa: 'rw', 'ro' (S2AP = read only) or 'none' (translation fault, level 2). */
  s2Block(ipa: number, access: 'rw' | 'ro' | 'none'): void {
    const s2ap = access === 'rw' ? 3n : 1n;
    const desc = access === 'none' ? 0n : BigInt(ipa) | (1n << 10n) | (s2ap << 6n) | 1n;
    this.cpu.setU64(this.s2l2 + 8 * this.s1Index(ipa), desc);
    this.cpu.exports.flushTLB();
  }

  // ---- registers and memory ----
  x(n: number): bigint { return this.cpu.x(n); }
  setX(n: number, v: bigint | number): void { this.cpu.setX(n, BigInt.asUintN(64, BigInt(v))); }
  get sp(): bigint { return this.cpu.sp; }
  set sp(v: bigint | number) { this.cpu.sp = BigInt(v); }
  u64(a: number): bigint { return this.cpu.u64(a); }
  setU64(a: number, v: bigint | number): void { this.cpu.setU64(a, BigInt.asUintN(64, BigInt(v))); }
  setU32(a: number, v: number): void { this.cpu.setU32(a, v); }
  /** Sets len bytes at a: byte i = f(i) & 0xff. */
  fill(a: number, len: number, f: (i: number) => number): void {
    const b = this.cpu.bytes(a, len);
    for (let i = 0; i < len; i++) b[i] = f(i) & 0xff;
  }

  regs(): RegSnapshot {
    const c = this.cpu;
    return { x: Array.from({ length: 31 }, (_, n) => hex(c.x(n))), sp: hex(c.sp), nzcv: hex(c.nzcv >>> 0), pc: hex(c.pc) };
  }

  /** The local exclusive monitor: valid flag, recorded physical address, size in bytes. */
  monitor(): { valid: number; addr: string; size: number } {
    return { valid: this.cpu.u32(L.EXCL_VALID), addr: hex(this.cpu.u64(L.EXCL_ADDR)), size: this.cpu.u32(L.EXCL_SIZE) };
  }

  /** Writes the words at `code`, sets PC there and runs (one instruction per word unless steps). */
  run(code: readonly (Insn | number)[], opts: RunOptions = {}): RunResult {
    const c = this.cpu;
    code.forEach((w, i) => c.setU32(this.code + 4 * i, typeof w === 'number' ? w : w[0]));
    const el = opts.el ?? 1;
    c.setPstateMode(el, el === 0 ? 0 : 1);
    c.pc = BigInt(this.code);
    const steps = opts.steps ?? code.length;
    const exit = c.run(BigInt(steps));
    const pc = c.pc;
    let exc: Taken | null = null;
    if (pc >= BigInt(this.vbar) && pc < BigInt(this.vbar + 0x800)) {
      exc = { vector: Number(pc - BigInt(this.vbar)), esr: c.sysreg('ESR_EL1'), far: c.sysreg('FAR_EL1'), elr: c.sysreg('ELR_EL1') };
    }
    const done = exc === null && exit.reason === 'budget' && pc === BigInt(this.code + 4 * steps);
    return { exit, pc, done, exc };
  }
}

export const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

// ---- Syndromes (Arm ARM D17.2.37 ESR_ELx; data abort ISS D17.2.37.2.x) ----

export const EC = { UNKNOWN: 0x00, SVC64: 0x15, DABT_LOWER: 0x24, DABT_CUR: 0x25, SP_ALIGN: 0x26 } as const;
/** DFSC values for the rig's tables: faults on its 2 MiB (level 2) blocks, and alignment. */
export const DFSC = { TRANSLATION_L2: 0x06, PERMISSION_L2: 0x0e, ALIGNMENT: 0x21 } as const;

/** ESR_ELx with IL = 1 (a 32-bit instruction). */
export function esr(ec: number, iss = 0): bigint {
  return (BigInt(ec) << 26n) | (1n << 25n) | BigInt(iss);
}

/**
 * A data abort ISS. With sas given, ISV = 1 and the instruction syndrome follows: SAS [23:22]
 * (0 byte, 1 halfword, 2 word, 3 doubleword), SSE [21] (sign-extending load), SRT [20:16],
 * SF [15] (64-bit register), AR [14] (acquire/release). WnR [6], DFSC [5:0].
 */
export function dabtISS(f: { dfsc: number; wnr?: 0 | 1; sas?: number; sse?: 0 | 1; srt?: number; sf?: 0 | 1; ar?: 0 | 1 }): number {
  let iss = f.dfsc | ((f.wnr ?? 0) << 6);
  if (f.sas !== undefined) {
    iss |= (1 << 24) | (f.sas << 22) | ((f.sse ?? 0) << 21) | ((f.srt ?? 0) << 16) | ((f.sf ?? 0) << 15) | ((f.ar ?? 0) << 14);
  }
  return iss >>> 0;
}

// ---- Assertions (values compared as hex strings, so that failures read well) ----

/** Each listed Xn holds the value. */
export function expectX(rig: Rig, want: Record<number, bigint | number>): void {
  const got: Record<string, string> = {};
  const exp: Record<string, string> = {};
  for (const [n, v] of Object.entries(want)) {
    got[`x${n}`] = hex(rig.x(Number(n)));
    exp[`x${n}`] = hex(v);
  }
  expect(got).toEqual(exp);
}

/** Each listed address holds the 64-bit little-endian value. */
export function expectMem(rig: Rig, want: [addr: number, value: bigint | number][]): void {
  const got: Record<string, string> = {};
  const exp: Record<string, string> = {};
  for (const [a, v] of want) {
    got[`[${hex(a)}]`] = hex(rig.u64(a));
    exp[`[${hex(a)}]`] = hex(v);
  }
  expect(got).toEqual(exp);
}

function describeRun(r: RunResult) {
  return {
    done: r.done,
    exit: r.exit.reason,
    exception: r.exc && { vector: hex(r.exc.vector), esr: hex(r.exc.esr), elr: hex(r.exc.elr), far: hex(r.exc.far) },
  };
}

/** Every instruction retired without an exception or an exit. */
export function expectDone(r: RunResult): void {
  expect(describeRun(r)).toEqual({ done: true, exit: 'budget', exception: null });
}

/**
 * The run took a synchronous exception to EL1 at the instruction at elr: vector 0x200 (from EL1)
 * or 0x400 (from EL0), with this ESR_EL1 and, when given, FAR_EL1.
 */
export function expectTaken(r: RunResult, want: { vector: number; esr: bigint; elr: number; far?: number }): void {
  expect(r.exc, 'an exception was taken to EL1').not.toBeNull();
  const e = r.exc!;
  const got = { vector: hex(e.vector), esr: hex(e.esr), elr: hex(e.elr), far: want.far === undefined ? undefined : hex(e.far) };
  expect(got).toEqual({ vector: hex(want.vector), esr: hex(want.esr), elr: hex(want.elr), far: want.far === undefined ? undefined : hex(want.far) });
}

/** The run stopped with a stage-2 data abort exit: ESR_EL2, FAR (the VA), the IPA and the word. */
export function expectStage2Abort(r: RunResult, want: { esr: bigint; far: number; ipa: number; insn: number }): void {
  expect({
    exit: r.exit.reason, esr: hex(r.exit.esr), far: hex(r.exit.far), ipa: hex(r.exit.ipa), insn: hex(r.exit.insn), exception: r.exc,
  }).toEqual({
    exit: 'dabt', esr: hex(want.esr), far: hex(want.far), ipa: hex(want.ipa), insn: hex(want.insn), exception: null,
  });
}
