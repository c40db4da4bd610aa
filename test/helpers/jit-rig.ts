// The machine and the random programs of test/jit.test.ts (the JIT against the interpreter),
// kept apart from the tests so that a case can be rerun from its seed outside vitest, e.g. in a
// scratch test/x.mts run with `npx tsx test/x.mts`:
//   import { loadDisassembler } from '../src/tools/disasm.ts';
//   import { Machine, randomCase, compare, minimise, listing } from './helpers/jit-rig.ts';
//   await loadDisassembler();
//   const c = randomCase(0x1234abcd, { separateInterpreted: true }), ref = new Machine(false), jit = [new Machine(1)];
//   console.log(compare(ref, c.st, c.budgets, jit).diff, listing(c.p, c.st));
//
// The machine is a bare vCPU (src/cpu/cpu.ts) over 512 KiB of guest RAM at IPA 0, set up here
// rather than with test/helpers/{rig,sysrig}.ts because those construct their Cpu with the default
// JIT setting. Stage 2 maps the RAM page by page; every IPA above it is unmapped, so an access
// there stops the run with a 'dabt' exit (what the VM turns into MMIO emulation). Stage 1 (when
// the MMU is on) is an identity map with 4 KiB pages and a few special pages:
//
//   0x00000  scratch (small wild addresses land here)      0x40000  data window, 4 pages (EL0 may use them)
//   0x10000  VBAR: every vector is `hvc #0xE000 + n`       0x44000  no stage-1 mapping (translation fault)
//   0x18000  VBAR_RESUME: handlers that skip and ERET      0x45000  read-only (permission fault on stores)
//   0x20000  code at EL1 (block, exit stub, subroutine)    0x46000  Device-nGnRnE (unaligned accesses fault)
//   0x30000  code at EL0 (read-only, so EL0-executable)    0x70000  stage-1 tables (read-only)
//   0x80000+ Device, no stage-2 mapping: MMIO exit
//
// Taking an exception at VBAR lands on a vector whose HVC stops the run (exit 'hvc'), so
// ESR_EL1, FAR_EL1, ELR_EL1 and SPSR_EL1 are compared right after the exception. With the MMU
// off every data access is Device-nGnRnE (unaligned accesses fault), still through the soft TLB.
import { Cpu, SYSREGS, layout as L, type Exit, type SysReg } from '../../src/cpu/cpu.ts';
import { PARSED, matchEncoding, type Parsed } from '../../src/isa/encodings.ts';
import { jitEmits } from '../../src/cpu/jit/compile.ts';
import { Word, generateOne, interesting, memInfo, type MemInfo } from '../../src/tools/difftest/generate.ts';
import { Rng32 } from '../../src/tools/difftest/format.ts';
import { disassemble } from '../../src/tools/disasm.ts';

const UART = 0x0900_0000;

// ---------------------------------------------------------------------------------------------
// Instruction words used by the hand-built code (checked against capstone in the first test).

export const NE = 1;
const imm19 = (from: number, to: number) => (((to - from) >> 2) & 0x7ffff) << 5;
export const A = {
  movz: (rd: number, imm: number, hw = 0) => (0xd2800000 | (hw << 21) | (imm << 5) | rd) >>> 0,
  addi: (rd: number, rn: number, imm: number, sf = 1) => ((sf << 31) | 0x11000000 | (imm << 10) | (rn << 5) | rd) >>> 0,
  subi: (rd: number, rn: number, imm: number, sf = 1) => ((sf << 31) | 0x51000000 | (imm << 10) | (rn << 5) | rd) >>> 0,
  subsi: (rd: number, rn: number, imm: number, sf = 1) => ((sf << 31) | 0x71000000 | (imm << 10) | (rn << 5) | rd) >>> 0,
  addx: (rd: number, rn: number, rm: number) => (0x8b000000 | (rm << 16) | (rn << 5) | rd) >>> 0,
  b: (from: number, to: number) => (0x14000000 | (((to - from) >> 2) & 0x3ffffff)) >>> 0,
  bl: (from: number, to: number) => (0x94000000 | (((to - from) >> 2) & 0x3ffffff)) >>> 0,
  bcond: (from: number, to: number, cond: number) => (0x54000000 | imm19(from, to) | cond) >>> 0,
  cbz: (rt: number, from: number, to: number, nz: boolean, sf = 1) => ((sf << 31) | 0x34000000 | (nz ? 1 << 24 : 0) | imm19(from, to) | rt) >>> 0,
  tbz: (rt: number, bit: number, from: number, to: number, nz: boolean) =>
    (((bit >> 5) << 31) | 0x36000000 | (nz ? 1 << 24 : 0) | ((bit & 31) << 19) | ((((to - from) >> 2) & 0x3fff) << 5) | rt) >>> 0,
  br: (rn: number) => (0xd61f0000 | (rn << 5)) >>> 0,
  blr: (rn: number) => (0xd63f0000 | (rn << 5)) >>> 0,
  ret: (rn = 30) => (0xd65f0000 | (rn << 5)) >>> 0,
  csel: (rd: number, rn: number, rm: number, cond: number) => (0x9a800000 | (rm << 16) | (cond << 12) | (rn << 5) | rd) >>> 0,
  ldrx: (rt: number, rn: number, off = 0) => (0xf9400000 | ((off / 8) << 10) | (rn << 5) | rt) >>> 0,
  ldrw: (rt: number, rn: number, off = 0) => (0xb9400000 | ((off / 4) << 10) | (rn << 5) | rt) >>> 0,
  strw: (rt: number, rn: number, off = 0) => (0xb9000000 | ((off / 4) << 10) | (rn << 5) | rt) >>> 0,
  strx: (rt: number, rn: number, off = 0) => (0xf9000000 | ((off / 8) << 10) | (rn << 5) | rt) >>> 0,
  /** stlr wt, [xn]: a store the JIT leaves to the interpreter */
  stlrw: (rt: number, rn: number) => (0x889ffc00 | (rn << 5) | rt) >>> 0,
  faddD: 0x1e612803, // fadd d3, d0, d1
  fcmpD: 0x1e612000, // fcmp d0, d1
  fmovDX: (rd: number, rn: number) => (0x9e670000 | (rn << 5) | rd) >>> 0, // fmov dd, xn
  fmovXD: (rd: number, rn: number) => (0x9e660000 | (rn << 5) | rd) >>> 0, // fmov xd, dn
  strb: (rt: number, rn: number, off = 0) => (0x39000000 | (off << 10) | (rn << 5) | rt) >>> 0,
  /** ldr xt, [xn], #simm9 */
  ldrxPost: (rt: number, rn: number, simm: number) => (0xf8400400 | ((simm & 0x1ff) << 12) | (rn << 5) | rt) >>> 0,
  andw3f: (rd: number, rn: number) => (0x12001400 | (rn << 5) | rd) >>> 0, // and wd, wn, #0x3f
  orrw40: (rd: number, rn: number) => (0x321a0000 | (rn << 5) | rd) >>> 0, // orr wd, wn, #0x40
  hvc: (imm: number) => (0xd4000002 | (imm << 5)) >>> 0,
  isb: 0xd5033fdf,
  msrDaifClr: (imm: number) => (0xd50340ff | (imm << 8)) >>> 0,
  mrsNzcv: (rt: number) => (0xd53b4200 | rt) >>> 0,
  mrsCntvct: (rt: number) => (0xd53be040 | rt) >>> 0,
  mrsTpidr: (rt: number) => (0xd53bd040 | rt) >>> 0,
  dmbIsh: 0xd5033bbf,
  nop: 0xaa1f03ff, // mov xzr, xzr: emitted by the JIT, changes nothing, does not end a block
  mrsElr: (rt: number) => (0xd5384020 | rt) >>> 0,
  msrElr: (rt: number) => (0xd5184020 | rt) >>> 0,
  mrsSpsr: (rt: number) => (0xd5384000 | rt) >>> 0,
  msrSpsr: (rt: number) => (0xd5184000 | rt) >>> 0,
  orrx80: (rd: number, rn: number) => (0xb2790000 | (rn << 5) | rd) >>> 0, // orr xd, xn, #0x80
  eret: 0xd69f03e0,
};

// ---------------------------------------------------------------------------------------------
// The machine.

export const RAM_SIZE = 0x80000;
export const VBAR = 0x10000;
export const CODE = 0x20000;
/** Code run at EL0: a page read-only at both ELs, so executable at EL0. */
export const CODE_EL0 = 0x30000;
export const WIN = 0x40000;
export const WIN_SIZE = 0x4000;
export const HOLE = 0x44000;
export const RO_PAGE = 0x45000;
export const DEV_PAGE = 0x46000;
export const TABLES = 0x70000;
export const VEC_IMM = 0xe000;
/**
 * A second vector table whose handlers return: a synchronous exception skips the instruction
 * that raised it (ELR_EL1 += 4), an IRQ returns with PSTATE.I set (the host never lowers the
 * line); both count in X18. The rest stop the run like VBAR's.
 */
export const VBAR_RESUME = 0x18000;
export const EXIT_IMM = 1; // hvc #1: the end of the program
/** The code pages around the program hold `hvc #2`: a run that leaves the program stops. */
export const STRAY_IMM = 2;

/** Registers the loop control uses; body instructions never write them. */
export const COUNTER = 20, TARGET = 21, TMP = 22, EXIT_REG = 23, LR = 30;
/** The resuming exception handlers' registers (an exception count, a scratch register). */
export const EXC_COUNT = 18, EXC_TMP = 19;
export const RESERVED = new Set([COUNTER, TARGET, TMP, EXIT_REG, LR, EXC_COUNT, EXC_TMP]);
/** SCTLR_EL1: RES1 bits, M, C, I; A (alignment check) and SA (SP alignment check) are per case. */
export const SCTLR_BASE = 0x30d00800n | (1n << 2n) | (1n << 12n);
export const SCTLR_M = 1n, SCTLR_A = 1n << 1n, SCTLR_SA = 1n << 3n;

export interface Config { mmu: boolean; sctlr: bigint }

/** Everything a run starts from. */
export interface Init {
  x: bigint[]; // X0-X30
  sp: bigint; // SP_EL1
  spEl0: bigint; // (the SP at EL0 and EL1t)
  nzcv: number;
  daif: number;
  v: Uint8Array; // V0-V31
  fpcr: bigint;
  /** FPSR (IXC set lets the FP fast paths run from the first instruction). */
  fpsr?: bigint;
  cfg: Config;
  /** The guest RAM image (code, data, vectors, tables). */
  image: Uint8Array;
  /** HCR_EL2 (virtual interrupts pending from the start). */
  hcr?: bigint;
  /** CPACR_EL1 (default FPEN = 0b11: SIMD&FP enabled at EL0 and EL1). */
  cpacr?: bigint;
  /** Run at EL0 (SP_EL0, from CODE_EL0) instead of EL1h from CODE. */
  el0?: boolean;
  /** Run at EL1 with SP_EL0 (EL1t; spEl0 is then the SP in use). */
  el1t?: boolean;
  /** Where the run starts (default CODE, CODE_EL0 at EL0). */
  pc?: number;
  /** VBAR_EL1 (default VBAR). */
  vbar?: number;
  /** Before this budget slice, the host marks a virtual IRQ pending (HCR_EL2.VI). */
  irqAtSlice?: number;
}

const s1page = (pa: number, ap: number, device: boolean) =>
  BigInt(pa) | 3n | (device ? 1n << 2n : 0n) | (BigInt(ap) << 6n) | (3n << 8n) | (1n << 10n);

/** The RAM image every case starts from: vectors and stage-1 tables; data and code added per case. */
function baseImage(): Uint8Array {
  const img = new Uint8Array(RAM_SIZE);
  const dv = new DataView(img.buffer);
  for (const page of [CODE, CODE + 0x1000, CODE_EL0]) for (let a = page; a < page + 0x1000; a += 4) dv.setUint32(a, A.hvc(STRAY_IMM), true);
  for (let n = 0; n < 16; n++) dv.setUint32(VBAR + 0x80 * n, A.hvc(VEC_IMM + n), true);
  for (let n = 0; n < 16; n++) {
    const at = VBAR_RESUME + 0x80 * n;
    const kind = n % 4; // synchronous, IRQ, FIQ, SError
    const words = n >= 12 || kind >= 2 ? [A.hvc(VEC_IMM + n)]
      : kind === 0 ? [A.mrsElr(EXC_TMP), A.addi(EXC_TMP, EXC_TMP, 4), A.msrElr(EXC_TMP), A.addi(EXC_COUNT, EXC_COUNT, 1), A.eret]
      : [A.mrsSpsr(EXC_TMP), A.orrx80(EXC_TMP, EXC_TMP), A.msrSpsr(EXC_TMP), A.addi(EXC_COUNT, EXC_COUNT, 1), A.eret];
    words.forEach((w, i) => dv.setUint32(at + 4 * i, w, true));
  }
  // Stage 1: T0SZ = 32, 4 KiB granule, start at level 1. L1[0] -> L2; L1[1..3] 1 GiB Device blocks.
  const l1 = TABLES, l2 = TABLES + 0x1000, l3 = TABLES + 0x2000;
  dv.setBigUint64(l1, BigInt(l2) | 3n, true);
  for (let i = 1; i < 4; i++) dv.setBigUint64(l1 + 8 * i, (BigInt(i) << 30n) | 1n | (1n << 2n) | (1n << 10n), true);
  dv.setBigUint64(l2, BigInt(l3) | 3n, true);
  for (let i = 1; i < 512; i++) dv.setBigUint64(l2 + 8 * i, (BigInt(i) << 21n) | 1n | (1n << 2n) | (1n << 10n), true);
  for (let i = 0; i < 512; i++) {
    const pa = i * 0x1000;
    let d: bigint;
    if (pa >= RAM_SIZE) d = s1page(pa, 0, true); // no RAM behind it: stage-2 fault, an MMIO exit
    else if (pa === HOLE) d = 0n;
    else if (pa === RO_PAGE || (pa >= TABLES && pa < TABLES + 0x3000)) d = s1page(pa, 2, false);
    else if (pa === CODE_EL0) d = s1page(pa, 3, false);
    else if (pa === DEV_PAGE) d = s1page(pa, 0, true);
    else if (pa >= WIN && pa < WIN + WIN_SIZE) d = s1page(pa, 1, false); // EL0 too: LDTR/STTR work here
    else d = s1page(pa, 0, false);
    dv.setBigUint64(l3 + 8 * i, d, true);
  }
  return img;
}
export const BASE_IMAGE = baseImage();

/** One vCPU over the RAM, interpreter only (jit false) or with the JIT at a threshold. */
export class Machine {
  readonly cpu: Cpu;
  readonly ram: number;
  private readonly s2: number;

  constructor(readonly jit: number | false) {
    const c = (this.cpu = new Cpu({ jit }));
    // (64 KiB spare after the RAM: the stage-2 walk's bounds check takes the accessed byte's
    // address plus 4 KiB, so an access inside the last page of wasm memory would be an internal error.)
    this.s2 = c.alloc(0x10000 + RAM_SIZE + 0x10000);
    this.ram = this.s2 + 0x10000;
    // Stage 2: T0SZ = 32, SL0 = 1 (level 1), 4 KiB pages over the RAM, S2AP RW, AF, Normal WB.
    const l1 = this.s2, l2 = this.s2 + 0x1000, l3 = this.s2 + 0x2000;
    c.setU64(l1, BigInt(l2) | 3n);
    c.setU64(l2, BigInt(l3) | 3n);
    for (let i = 0; i < RAM_SIZE / 0x1000; i++) c.setU64(l3 + 8 * i, BigInt(this.ram + i * 0x1000) | 3n | (0xfn << 2n) | (3n << 6n) | (1n << 10n));
  }

  /** Back to a known state: init() (state block cleared, blocks and TLB flushed), then st. */
  load(st: Init): void {
    const c = this.cpu;
    c.exports.init();
    c.bytes(this.ram, RAM_SIZE).set(st.image);
    c.setU32(L.CNT_SHIFT, 0); // CNTVCT = the instruction count: any count difference shows in MRS
    // (Straight into the state block: setSysreg flushes the TLB each time; init() just did.)
    const set = (r: Exclude<SysReg, 'SP_EL0' | 'SP_EL1'>, v: bigint) => c.setU64(SYSREGS[r], v);
    set('VTCR_EL2', 32n | (1n << 6n));
    set('VTTBR_EL2', BigInt(this.s2));
    set('TCR_EL1', 32n | (1n << 23n));
    set('TTBR0_EL1', BigInt(TABLES));
    set('MAIR_EL1', 0x00ffn);
    set('SCTLR_EL1', st.cfg.sctlr | (st.cfg.mmu ? SCTLR_M : 0n));
    set('VBAR_EL1', BigInt(st.vbar ?? VBAR));
    set('CPACR_EL1', st.cpacr ?? 3n << 20n);
    set('FPCR', st.fpcr);
    set('FPSR', st.fpsr ?? 0n);
    set('TPIDR_EL0', 0x1234_5678_9abc_def0n);
    set('CNTKCTL_EL1', 3n); // EL0 may read the counters
    c.setPstateMode(1, 1);
    c.setSysreg('SP_EL0', st.spEl0);
    c.sp = st.sp;
    if (st.el0) c.setPstateMode(0, 0);
    if (st.el1t) c.setPstateMode(1, 0);
    for (let n = 0; n < 31; n++) c.setX(n, st.x[n]);
    c.bytes(L.V0, 512).set(st.v);
    c.nzcv = st.nzcv;
    c.daif = st.daif;
    if (st.hcr !== undefined) c.setSysreg('HCR_EL2', st.hcr);
    c.pc = BigInt(st.pc ?? (st.el0 ? CODE_EL0 : CODE));
  }

  /** The compared state, as hex strings. */
  state(exit: Exit): Record<string, string> {
    const c = this.cpu;
    const s: Record<string, string> = {};
    for (let n = 0; n < 31; n++) s[`x${n}`] = hex(c.x(n));
    s.sp = hex(c.sp);
    s.pc = hex(c.pc);
    s.nzcv = hex(c.nzcv >>> 0);
    s.daif = hex(c.daif);
    s.el = String(c.el);
    s.spsel = String(c.spsel);
    s.icount = String(c.icount);
    s.exit = exit.reason;
    s.exitEsr = hex(exit.esr);
    s.exitFar = hex(exit.far);
    s.exitIpa = hex(exit.ipa);
    s.exitInsn = hex(exit.insn);
    for (const r of ['SP_EL0', 'SP_EL1', 'ESR_EL1', 'FAR_EL1', 'ELR_EL1', 'SPSR_EL1', 'FPCR', 'FPSR', 'HCR_EL2'] as const) s[r] = hex(c.sysreg(r));
    s.excl = `${c.u32(L.EXCL_VALID)}:${hex(c.u64(L.EXCL_ADDR))}:${c.u32(L.EXCL_SIZE)}`;
    s.v = Buffer.from(c.bytes(L.V0, 512)).toString('hex');
    return s;
  }

  rambytes(): Uint8Array { return this.cpu.bytes(this.ram, RAM_SIZE); }
}

export const hex = (v: bigint | number): string => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);

/** A run: the same slices of budget on every machine, the state compared after each. */
export interface Outcome { states: Record<string, string>[]; ram: Uint8Array }

export function runSlices(m: Machine, st: Init, budgets: number[]): Outcome {
  m.load(st);
  const states: Record<string, string>[] = [];
  for (const [i, b] of budgets.entries()) {
    if (i === st.irqAtSlice) m.cpu.setSysreg('HCR_EL2', 1n << 7n);
    const exit = m.cpu.run(b);
    states.push(m.state(exit));
    if (exit.reason !== 'budget') break;
  }
  return { states, ram: m.rambytes().slice() };
}

/** The differences between two outcomes (empty: identical), as readable lines. */
export function diffOutcomes(a: Outcome, b: Outcome, budgets: number[]): string[] {
  const out: string[] = [];
  const n = Math.max(a.states.length, b.states.length);
  for (let i = 0; i < n && out.length === 0; i++) {
    const sa = a.states[i], sb = b.states[i];
    if (!sa || !sb) { out.push(`slice ${i} (budget ${budgets[i]}): ${sa ? 'the JIT run stopped before it' : 'the interpreter run stopped before it'}`); break; }
    for (const k of Object.keys(sa)) {
      if (sa[k] === sb[k]) continue;
      if (k === 'v') {
        for (let r = 0; r < 32; r++) {
          const va = sa.v.slice(32 * r, 32 * r + 32), vb = sb.v.slice(32 * r, 32 * r + 32);
          if (va !== vb) out.push(`after slice ${i} (budget ${budgets[i]}): v${r}: interpreter ${va} JIT ${vb}`);
        }
      } else {
        out.push(`after slice ${i} (budget ${budgets[i]}): ${k}: interpreter ${sa[k]} JIT ${sb[k]}`);
      }
    }
  }
  if (out.length === 0 && !Buffer.from(a.ram).equals(Buffer.from(b.ram))) {
    for (let o = 0; o < RAM_SIZE && out.length < 8; o += 8) {
      const va = Buffer.from(a.ram.subarray(o, o + 8)).toString('hex'), vb = Buffer.from(b.ram.subarray(o, o + 8)).toString('hex');
      if (va !== vb) out.push(`RAM at IPA ${hex(o)} (bytes, little-endian): interpreter ${va} JIT ${vb}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Random programs: a block of body instructions that loops (or not), an exit stub, maybe a
// subroutine called with BL.

export const HANDLER_OF = new Map(PARSED.map((p) => [p.name, p.handler]));
/** A CPU used only to decode words: UNDEFINED ones (op 0) are drawn again most of the time. */
let decoder: Cpu | undefined;
const undefinedWord = (w: number) => (decoder ??= new Cpu({ jit: false })).decode(w).op === 0;
/** matchEncoding (a walk over the table), remembered per word. */
const encodings = new Map<number, Parsed | undefined>();
export function encodingOf(w: number): Parsed | undefined {
  if (!encodings.has(w)) encodings.set(w, matchEncoding(w));
  return encodings.get(w);
}
export const emitted = (w: number) => { const p = encodingOf(w); return !!p && jitEmits(p.handler); };

/** Straight-line encodings (they do not end a basic block), by what runs them under the JIT. */
const BODY = PARSED.filter((p) => !p.endsBlock);
const JIT_DP = BODY.filter((p) => jitEmits(p.handler) && !memInfo(p.name, p.match));
const JIT_MEM = BODY.filter((p) => jitEmits(p.handler) && !!memInfo(p.name, p.match));
const INTERP_INT = BODY.filter((p) => !jitEmits(p.handler) && !p.fp);
const INTERP_FP = BODY.filter((p) => !jitEmits(p.handler) && p.fp);

/** Base registers for loads and stores (plus SP), and the index register of register offsets. */
const BASES = [8, 9, 31];
const INDEX = 10;
const DATA = [0, 1, 2, 3, 4, 5];
const OTHER = [6, 7, 11, 12, 13, 14, 15, 16, 17, 24, 25, 26, 27, 28, 29];

/**
 * A data register: mostly the few of DATA, so that instructions depend on each other. Tidy
 * cases leave the base and index registers and SP alone (_SP fields: 31 is SP).
 */
export function dataReg(r: Rng32, canBeSp: boolean, tidy = false): number {
  const k = r.below(100);
  if (k < 82) return r.pick(DATA);
  if (k < 88) return canBeSp && (tidy || r.chance(0.5)) ? r.pick(DATA) : 31;
  if (!tidy && k < 91) return r.pick([...BASES.slice(0, 2), INDEX]);
  return r.pick(OTHER);
}

/**
 * An address for a base register: mostly in the window, sometimes at its edges or outside RAM.
 * Tidy cases keep to 16-byte aligned window addresses, so that more of them loop to the end.
 */
export function address(r: Rng32, tidy: boolean): bigint {
  const k = tidy ? 0 : r.below(100);
  if (k < 50) return BigInt(WIN + 16 * r.below(WIN_SIZE / 16));
  if (k < 66) return BigInt(WIN + r.below(WIN_SIZE));
  if (k < 76) return BigInt(WIN + 0x1000 * (1 + r.below(4)) - 1 - r.below(16)); // pages crossed
  if (k < 86) return BigInt(r.pick([HOLE, RO_PAGE, DEV_PAGE, 0x47000]) + 8 * r.below(512) + (r.chance(0.3) ? r.below(8) : 0));
  if (k < 92) return BigInt(r.pick([UART, 0x80000, 0x4000_0000, 0x0901_0000]) + 8 * r.below(8));
  if (k < 96) return BigInt(r.below(0x10000));
  return interesting(r);
}

export function initialState(r: Rng32, cfg: Config, image: Uint8Array, tidy: boolean): Init {
  const x = Array.from({ length: 31 }, () => interesting(r));
  // The division edge cases, more often than interesting() gives them.
  if (r.chance(0.15)) { x[r.pick(DATA)] = 0x8000_0000_0000_0000n; x[r.pick(DATA)] = (1n << 64n) - 1n; x[r.pick(DATA)] = 0x8000_0000n; x[r.pick(DATA)] = 0xffff_ffffn; x[r.pick(DATA)] = 0n; }
  x[8] = address(r, tidy);
  x[9] = address(r, tidy);
  x[INDEX] = tidy || r.chance(0.5) ? BigInt.asUintN(64, BigInt(8 * (r.below(65) - 32))) : BigInt.asUintN(64, BigInt(r.below(129) - 64));
  const sp = tidy || r.chance(0.7) ? BigInt(WIN + 16 * r.below(WIN_SIZE / 16)) : address(r, false);
  const v = new Uint8Array(512);
  for (let i = 0; i < 512; i += 4) new DataView(v.buffer).setUint32(i, r.chance(0.1) ? r.pick([0, 0x7f800000, 0xffc00000, 0x3f800000, 0x80000000]) : r.next(), true);
  const fpcr = r.chance(0.7) ? 0n : (BigInt(r.below(4)) << 22n) | (BigInt(r.below(2)) << 24n) | (BigInt(r.below(2)) << 25n);
  const fpsr = r.chance(0.5) ? 0x10n : 0n; // IXC
  return { x, sp, spEl0: BigInt(WIN + 0x800), nzcv: (r.below(16) << 28) >>> 0, daif: 0x3c0, v, fpcr, fpsr, cfg, image };
}

/** A random word of encoding enc at pc, its registers drawn from the pools above. */
function randomWord(r: Rng32, enc: Parsed, pc: number, tidy: boolean): number | undefined {
  const c = generateOne(enc, r);
  if (!c) return undefined;
  const w = new Word(enc);
  w.word = c.insn >>> 0;
  const mi: MemInfo | undefined = memInfo(enc.name, w.word);
  for (const f of enc.fields) {
    if (f.fixed !== undefined) continue;
    const base = f.name.replace(/_SP$/, '');
    const sp = f.name.endsWith('_SP');
    if (mi && base === 'Rn') w.set(f.name, tidy || r.chance(0.9) ? r.pick(BASES) : dataReg(r, false));
    else if (mi && base === 'Rm' && mi.mode === 'reg') w.set(f.name, tidy || r.chance(0.75) ? INDEX : dataReg(r, false));
    else if (['Rd', 'Rn', 'Rm', 'Ra', 'Rt', 'Rt2', 'Rs'].includes(base)) w.set(f.name, dataReg(r, sp, tidy));
    else if (/^V[dnmat]2?$/.test(f.name)) w.set(f.name, r.chance(0.85) ? r.below(4) : r.below(32));
  }
  if (mi && w.has('imm12') && r.chance(0.6)) w.set('imm12', r.below(64));
  // Messy cases: now and then the transfer register is the base (with writeback, CONSTRAINED
  // UNPREDICTABLE; the JIT must still do what the interpreter does) or the pair's registers alias.
  if (mi && !tidy && r.chance(0.1) && w.has('Rt') && w.has('Rn')) {
    if (w.has('Rt2') && r.chance(0.5)) w.set('Rt2', r.chance(0.5) ? w.get('Rt') : w.get('Rn') & 31);
    else w.set('Rt', w.get('Rn') & 31);
  }
  if (mi?.mode === 'lit') {
    // A literal in the window (or in the code itself), at a 4-byte aligned address.
    const target = r.chance(0.8) ? WIN + 4 * r.below(WIN_SIZE / 4) : (pc & ~0xfff) + 4 * r.below(64);
    w.set('imm19', (target - pc) >> 2);
  }
  // Remapping a register can turn one encoding into another (or into nothing): draw again then.
  if (encodingOf(w.word)?.name !== enc.name) return undefined;
  return undefinedWord(w.word) && r.chance(0.9) ? undefined : w.word;
}

/** Hand-made words the generator does not give: clock and NZCV reads, a barrier. */
function extraWord(r: Rng32): number {
  const rt = r.pick(DATA);
  return r.pick([A.mrsNzcv(rt), A.mrsCntvct(rt), A.mrsTpidr(rt), A.dmbIsh]);
}

function bodyWord(r: Rng32, pc: number, tidy: boolean, emittedOnly = false): number {
  for (;;) {
    const k = emittedOnly ? 3 + r.below(80) : r.below(100);
    if (k < 3) return extraWord(r);
    const pool = k < 43 ? JIT_DP : k < 83 ? JIT_MEM : k < 91 ? INTERP_INT : INTERP_FP;
    const w = randomWord(r, r.pick(pool), pc, tidy);
    if (w !== undefined) return w;
  }
}

export type LoopKind = 'subs-bne' | 'cbnz' | 'cbnz-w' | 'tbz' | 'tbnz' | 'br' | 'ret' | 'blr' | 'b' | 'bcond-random' | 'none';
const LOOP_KINDS: LoopKind[] = ['subs-bne', 'subs-bne', 'cbnz', 'cbnz-w', 'tbz', 'tbnz', 'br', 'ret', 'blr', 'b', 'bcond-random', 'none'];

export interface Program {
  words: Map<number, number>; // address -> word
  /** The block (from CODE), the exit stub and the subroutine, in address order, for listings. */
  listing: number[];
  loop: LoopKind;
  counter: bigint;
  /** The exit stub's address (`hvc #1`). */
  exit: number;
  /** Where the block starts (CODE, or CODE_EL0 for a program run at EL0). */
  base: number;
}

/** Writes a program into a copy of the base image. */
export function buildImage(p: Program, r: Rng32): Uint8Array {
  const img = BASE_IMAGE.slice();
  const dv = new DataView(img.buffer);
  // Random data in the window and the special pages (literal loads and loads read it).
  for (let a = WIN; a < 0x48000; a += 4) dv.setUint32(a, r.next(), true);
  for (const [a, w] of p.words) dv.setUint32(a, w, true);
  return img;
}

/**
 * Options of the generator, both workarounds for known JIT bugs (test/jit.test.ts, "known JIT
 * bugs") that would otherwise make most failures the same ones:
 *   separateInterpreted: never two instructions the JIT leaves to the interpreter in a row (nor
 *     one just before the exit stub's HVC);
 *   readOnlyCode: the EL1 code pages are read-only, so that a store whose base came from ADR or
 *     ADRP faults rather than rewriting the block it is in.
 */
export interface GenOptions { separateInterpreted: boolean; readOnlyCode: boolean }
export const DEFAULT_GEN: GenOptions = { separateInterpreted: false, readOnlyCode: false };

export function randomProgram(r: Rng32, tidy: boolean, opts: GenOptions = DEFAULT_GEN, base = CODE): Program {
  // Up to 24 instructions; sometimes more than a block holds (BLOCK_MAX 32), so that the loop
  // is two blocks with no branch between them.
  const n = r.chance(0.08) ? 25 + r.below(12) : 1 + r.below(24);
  const words = new Map<number, number>();
  // Slots: body instructions, maybe a forward branch (a second block in the page) and a BL.
  const slots: ('body' | 'fwd' | 'bl')[] = Array.from({ length: n }, () => 'body' as const);
  if (n >= 3 && r.chance(0.25)) slots[r.below(n - 1)] = 'fwd';
  if (n >= 2 && r.chance(0.12)) slots[r.below(n)] = 'bl';
  const loop = r.pick(LOOP_KINDS);
  const ctlLen = { 'subs-bne': 2, cbnz: 2, 'cbnz-w': 2, tbz: 2, tbnz: 2, br: 3, ret: 3, blr: 3, b: 1, 'bcond-random': 1, none: 0 }[loop];
  const ctl = base + 4 * n;
  const exit = ctl + 4 * ctlLen;
  const sub = exit + 4;
  const subLen = 1 + r.below(4);
  slots.forEach((s, i) => {
    const pc = base + 4 * i;
    if (s === 'body') {
      const afterInterpreted = i > 0 && slots[i - 1] === 'body' && !emitted(words.get(pc - 4)!);
      const beforeExit = loop === 'none' && i === n - 1;
      words.set(pc, bodyWord(r, pc, tidy, opts.separateInterpreted && (afterInterpreted || beforeExit)));
      return;
    }
    if (s === 'bl') { words.set(pc, A.bl(pc, sub)); return; }
    const to = pc + 4 * (2 + r.below(Math.max(1, n - i - 1))); // over at least one instruction
    const k = r.below(3);
    const rt = dataReg(r, false) & 31;
    words.set(pc, k === 0 ? A.bcond(pc, to, r.below(16)) : k === 1 ? A.cbz(rt, pc, to, r.chance(0.5), r.below(2)) : A.tbz(rt, r.below(64), pc, to, r.chance(0.5)));
  });
  // Passes: a few, or enough for the compiled loop to go round many times (compiling costs the
  // same either way).
  let counter = BigInt(1 + r.below(r.chance(0.5) ? 6 : 60));
  const at = (i: number) => ctl + 4 * i;
  switch (loop) {
    case 'subs-bne': words.set(at(0), A.subsi(COUNTER, COUNTER, 1)); words.set(at(1), A.bcond(at(1), base, NE)); break;
    case 'cbnz': words.set(at(0), A.subi(COUNTER, COUNTER, 1)); words.set(at(1), A.cbz(COUNTER, at(1), base, true)); break;
    case 'cbnz-w':
      counter |= 0xffff_ffff_0000_0000n; // only W20 counts
      words.set(at(0), A.subi(COUNTER, COUNTER, 1, 0)); words.set(at(1), A.cbz(COUNTER, at(1), base, true, 0)); break;
    case 'tbz': { // counts up until bit k: 2^k passes
      const k = 1 + r.below(5);
      counter = 0n;
      words.set(at(0), A.addi(COUNTER, COUNTER, 1)); words.set(at(1), A.tbz(COUNTER, k, at(1), base, false)); break;
    }
    case 'tbnz': // counts down while negative
      counter = BigInt.asUintN(64, -counter);
      words.set(at(0), A.addi(COUNTER, COUNTER, 1)); words.set(at(1), A.tbz(COUNTER, 63, at(1), base, true)); break;
    case 'br': case 'ret': case 'blr':
      words.set(at(0), A.subsi(COUNTER, COUNTER, 1));
      words.set(at(1), A.csel(TMP, TARGET, EXIT_REG, NE));
      words.set(at(2), loop === 'br' ? A.br(TMP) : loop === 'ret' ? A.ret(TMP) : A.blr(TMP));
      break;
    case 'b': words.set(at(0), A.b(at(0), base)); break;
    case 'bcond-random': words.set(at(0), A.bcond(at(0), base, r.below(16))); break;
    case 'none': break;
  }
  words.set(exit, A.hvc(EXIT_IMM));
  if (slots.includes('bl')) {
    for (let i = 0; i < subLen; i++) {
      const afterInterpreted = i > 0 && !emitted(words.get(sub + 4 * i - 4)!);
      words.set(sub + 4 * i, bodyWord(r, sub + 4 * i, tidy, opts.separateInterpreted && afterInterpreted));
    }
    words.set(sub + 4 * subLen, A.ret());
  }
  const listing = [...words.keys()].sort((a, b) => a - b);
  return { words, listing, loop, counter, exit, base };
}

/** Budget slices: one large budget, one that may end anywhere, or many small ones. */
export function randomBudgets(r: Rng32, blockLen: number): number[] {
  const k = r.below(10);
  if (k < 5) return [2000];
  if (k < 7) return [1 + r.below(4 * blockLen + 4)];
  const out: number[] = [];
  for (let total = 0; total < 400 && out.length < 60;) { const b = 1 + r.below(blockLen + 3); out.push(b); total += b; }
  return out;
}

export function listing(p: Program, init?: Init): string {
  const lines = p.listing.map((a) => {
    const w = p.words.get(a)!;
    const enc = encodingOf(w);
    const how = enc ? `${enc.name}${HANDLER_OF.get(enc.name) !== enc.name ? ` (${enc.handler})` : ''}, ${jitEmits(enc.handler) ? 'JIT' : 'interpreter'}` : 'UNDEFINED';
    return `  ${hex(a)}: ${w.toString(16).padStart(8, '0')}  ${disassemble(w, BigInt(a)).padEnd(36)} ${how}`;
  });
  if (init) {
    lines.push(`  initial: ${init.x.map((v, i) => `x${i}=${hex(v)}`).join(' ')} sp=${hex(init.sp)} nzcv=${hex(init.nzcv)} fpcr=${hex(init.fpcr)} fpsr=${hex(init.fpsr ?? 0n)} mmu=${init.cfg.mmu} sctlr=${hex(init.cfg.sctlr)}${init.el0 ? ' EL0' : ''}${init.el1t ? ' EL1t' : ''}` +
      `${init.vbar === VBAR_RESUME ? ' resuming-vectors' : ''}${init.irqAtSlice !== undefined ? ` IRQ before slice ${init.irqAtSlice}` : ''}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Comparing and minimising.

/** diff: the first differing JIT's differences (empty: all agree); end: what ended the run. */
export interface CaseResult { diff: string[]; end: string; executed: number }

/** Runs a case on the interpreter and on the JIT machines. */
export function compare(interp: Machine, st: Init, budgets: number[], jits: Machine[]): CaseResult {
  const ref = runSlices(interp, st, budgets);
  for (const m of jits) {
    const got = runSlices(m, st, budgets);
    const diff = diffOutcomes(ref, got, budgets);
    if (diff.length) return { diff: [`JIT threshold ${m.jit}:`, ...diff], end: '', executed: 0 };
  }
  const last = ref.states[ref.states.length - 1];
  // What ended the run: the budget, the exit stub, a stray HVC, an exception (its EC), an MMIO
  // exit ('dabt').
  let end = last.exit;
  const imm = Number(BigInt(last.exitEsr) & 0xffffn);
  if (end === 'hvc') end = imm === EXIT_IMM ? 'end' : imm === STRAY_IMM ? 'stray' : `exception EC ${hex(BigInt(last.ESR_EL1) >> 26n)}`;
  return { diff: [], end, executed: Number(last.icount) };
}

/**
 * Minimises a failing program: each instruction replaced with a no-op (`mov xzr, xzr`), each
 * register zeroed, while the difference remains. Returns the smaller program and state.
 */
export function minimise(interp: Machine, p: Program, st: Init, budgets: number[], jits: Machine[]): { p: Program; st: Init; diff: string[] } {
  const fails = (q: Program, s: Init) => compare(interp, { ...s, image: imageOf(q, s.image) }, budgets, jits).diff.length > 0;
  let cur = p, cst = st;
  for (const a of p.listing) {
    const w = cur.words.get(a)!;
    if (w === A.nop) continue;
    const words = new Map(cur.words);
    words.set(a, A.nop);
    const q = { ...cur, words };
    if (fails(q, cst)) cur = q;
  }
  for (let n = 0; n < 31; n++) {
    if (cst.x[n] === 0n || RESERVED.has(n)) continue;
    const x = cst.x.slice();
    x[n] = 0n;
    const s = { ...cst, x };
    if (fails(cur, s)) cst = s;
  }
  const fin = { ...cst, image: imageOf(cur, cst.image) };
  return { p: cur, st: fin, diff: compare(interp, fin, budgets, jits).diff };
}

/** st's image with p's words written over it (the data bytes stay). */
export function imageOf(p: Program, image: Uint8Array): Uint8Array {
  const img = image.slice();
  const dv = new DataView(img.buffer);
  for (const [a, w] of p.words) dv.setUint32(a, w, true);
  return img;
}

/** Registers the loop control needs, over a random state. */
export function withControl(st: Init, p: Program): Init {
  const x = st.x.slice();
  x[COUNTER] = p.counter;
  x[TARGET] = BigInt(p.base);
  x[EXIT_REG] = BigInt(p.exit);
  return { ...st, x };
}

/** A random case, all of it drawn from one seed. */
export interface RandomCase { seed: number; tidy: boolean; p: Program; st: Init; budgets: number[] }

export function randomCase(seed: number, opts: GenOptions = DEFAULT_GEN): RandomCase {
  const r = new Rng32(seed);
  // Tidy cases (aligned bases in the window, no alignment checking) mostly loop to the end;
  // the others mostly fault or exit somewhere.
  const tidy = r.chance(0.6);
  const mmu = r.chance(tidy ? 0.85 : 0.6);
  const sctlr = SCTLR_BASE | (r.chance(0.3) ? SCTLR_SA : 0n) | (!tidy && r.chance(0.2) ? SCTLR_A : 0n);
  // Some programs run at EL0: its TLB regime, its permissions, exceptions to the lower-EL vector.
  const el0 = r.chance(0.12);
  const el1t = !el0 && r.chance(0.1);
  // Some programs start near the end of a page, so that the loop spans two pages (two functions).
  const base = el0 ? CODE_EL0 : r.chance(0.1) ? CODE + 0x1000 - 4 * (1 + r.below(16)) : CODE;
  const p = randomProgram(r, tidy, opts, base);
  const st = withControl(initialState(r, { mmu, sctlr }, buildImage(p, r), tidy), p);
  st.pc = base;
  if (opts.readOnlyCode) {
    const dv = new DataView(st.image.buffer);
    for (const page of [CODE, CODE + 0x1000]) dv.setBigUint64(TABLES + 0x2000 + 8 * (page >> 12), s1page(page, 2, false), true);
  }
  if (el0) { st.el0 = true; st.spEl0 = st.sp; }
  if (el1t) { st.el1t = true; st.spEl0 = st.sp; }
  const budgets = randomBudgets(r, p.listing.length);
  // Some runs go on after exceptions (the handlers skip the faulting instruction and return),
  // and some of those get an IRQ from the host between two slices. (Not at EL0, where the HVCs
  // that stop a run are UNDEFINED and would be skipped one after another.)
  if (!el0 && r.chance(0.35)) {
    st.vbar = VBAR_RESUME;
    if (budgets.length > 1 && r.chance(0.5)) { st.irqAtSlice = r.below(budgets.length); st.daif = 0x340; }
  }
  return { seed, tidy, p, st, budgets };
}

/** A hand-written case: words from CODE, registers zero unless given, a patterned window. */
export function handCase(words: number[], o: { x?: Record<number, bigint>; sp?: bigint; mmu?: boolean; sctlr?: bigint; daif?: number; nzcv?: number; hcr?: bigint; cpacr?: bigint } = {}): Init {
  const img = BASE_IMAGE.slice();
  const dv = new DataView(img.buffer);
  for (let a = WIN; a < 0x48000; a += 4) dv.setUint32(a, Math.imul(a, 0x9e3779b1) >>> 0, true);
  words.forEach((w, i) => dv.setUint32(CODE + 4 * i, w, true));
  const x = new Array<bigint>(31).fill(0n);
  for (const [n, v] of Object.entries(o.x ?? {})) x[Number(n)] = BigInt.asUintN(64, v);
  return {
    x, sp: o.sp ?? BigInt(WIN + 0x2000), spEl0: BigInt(WIN + 0x800), nzcv: o.nzcv ?? 0, daif: o.daif ?? 0x3c0,
    v: new Uint8Array(512), fpcr: 0n, cfg: { mmu: o.mmu ?? true, sctlr: o.sctlr ?? SCTLR_BASE }, image: img, hcr: o.hcr, cpacr: o.cpacr,
  };
}
