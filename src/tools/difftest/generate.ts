// The random-instruction generator of the differential tests: draws valid encodings from the
// declarative encoding table (src/isa/encodings.ts), fills every non-fixed field, and sets the
// registers the instruction reads to interesting values. Whatever an instruction touches is kept
// where the runner can observe it: loads and stores address the scratch window, branches land on
// the pads around the slot, system-register accesses name registers the runner sets and reports.
// Seeded: the same options give the same cases, byte for byte.
import { PARSED, matchEncoding, type Parsed, type Field } from '../../isa/encodings.ts';
import {
  Rng32, newCase, initialState, u64, type Case, type State, SLOT_ADDR, PADS, WINDOW_ADDR, WINDOW_SIZE,
  F_MMU_OFF, F_ALIGN_CHECK, F_FP, SLOT_SYS, sysIndex, SYS_MASKS,
} from './format.ts';
import { shapeFp, FP_VALIDITY } from './generate-fp.ts';

// ---- what cannot be compared, and why ----
/** Encodings the generator never draws: their effect leaves the runner's view or differs by design. */
export const EXCLUDED: Readonly<Record<string, string>> = {};
/**
 * Whether the generator draws SIMD&FP encodings (the table's `fp: true`) unless told otherwise.
 * The runner sets FPCR and FPSR with MSR and reads them with MRS (format.h), so an a64vm without
 * MRS/MSR FPCR/FPSR stops at the first such case: this stays false until a64vm has them (branch
 * `fp`); then true, and the golden data regenerated (`cli.ts --golden`).
 */
export const FP_CASES_DEFAULT = true;
/** Why SIMD&FP encodings have no cases when FP generation is off. */
export const FP_EXCLUDED = 'SIMD&FP: not generated in this run (FP_CASES_DEFAULT false, no --fp): the runner sets FPCR/FPSR with MSR, which a64vm needs';
/**
 * SIMD&FP encodings the generator leaves out even with `fp`, and why: none. The loads and stores
 * (Vt fields) have their addresses shaped into the window like the integer ones (simdMemInfo).
 */
export function fpExcluded(_p: Parsed): string | undefined {
  return undefined;
}
/** Why the generator never draws encoding p (undefined: it does, SIMD&FP ones when `fp`). */
export const exclusion = (p: Parsed): string | undefined => EXCLUDED[p.name] ?? fpExcluded(p);
/** The encodings the generator draws from: the table, SIMD&FP only when `fp`. */
export const isGenerated = (p: Parsed, fp = FP_CASES_DEFAULT): boolean => (fp || !p.fp) && !exclusion(p);
/** Parts of encodings the generator avoids (the rest of the encoding is drawn). */
export const PARTIAL_EXCLUSIONS: Readonly<Record<string, string>> = {
  HVC: 'only X0 = a PSCI function that QEMU (PSCI conduit HVC, no EL2) and a64vm (SMCCC through the host) both answer without side effects (VERSION, FEATURES, MIGRATE_INFO_TYPE, AFFINITY_INFO of CPU 0), X1..X3 = 0: a64vm, like KVM, zeroes the unused result registers X1..X3, QEMU leaves them; QEMU makes every other function UNDEFINED where a64vm answers NOT_SUPPORTED',
  HINT: 'WFI and WFE (would wait for an interrupt that never comes)',
  HLT: 'HLT #0xF000 (the semihosting call)',
  MSR_imm: 'only SPSel, DAIFSet, DAIFClr and fields unallocated on both CPUs (PAN, UAO, SSBS, DIT differ between Cortex-A76 and a64vm)',
  MSR_reg: 'only registers the runner sets and reports, and EL2/EL3 registers (UNDEFINED at EL1); never the registers the runner depends on',
  MRS: 'only registers with values both sides share (not MIDR/ID registers/CTR_EL0, which describe different CPUs)',
  SYS: 'cache maintenance on the window, set/way and TLB invalidation, DC ZVA; not AT (writes PAR_EL1)',
};

// ---- interesting values ----
const SPECIAL: readonly bigint[] = [
  0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen,
  0xffffffff80000000n, 0xffffffff7fffffffn, 0xffffffff00000000n, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan,
  31n, 32n, 33n, 63n, 64n, 65n, 0x8000000080000000n, 0x00000000deadbeefn, 0x0123456789abcdefn,
];

export function interesting(r: Rng32): bigint {
  const k = r.below(100);
  if (k < 40) return r.pick(SPECIAL);
  if (k < 55) return BigInt(r.below(72));
  if (k < 65) return BigInt(r.next());
  if (k < 75) return u64(BigInt(r.next() | 0));
  if (k < 90) return r.next64();
  const d = BigInt(r.below(5)) - 2n;
  return u64(r.pick(SPECIAL) + d);
}

// ---- the instruction word being built ----
export class Word {
  word: number;
  readonly vals = new Map<string, number>();
  constructor(readonly enc: Parsed) { this.word = enc.match >>> 0; }
  field(name: string): Field | undefined {
    return this.enc.fields.find((f) => f.name === name || f.name === name + '_SP');
  }
  has(name: string): boolean { const f = this.field(name); return !!f && f.fixed === undefined; }
  get(name: string): number {
    const f = this.field(name);
    if (!f) throw new Error(`${this.enc.name}: no field ${name}`);
    if (f.fixed !== undefined) return f.fixed;
    return (this.word >>> f.lsb) & (2 ** f.width - 1);
  }
  set(name: string, v: number): void {
    const f = this.field(name);
    if (!f) throw new Error(`${this.enc.name}: no field ${name}`);
    if (f.fixed !== undefined) return;
    const m = (2 ** f.width - 1);
    this.word = ((this.word & ~(m << f.lsb)) | ((v & m) << f.lsb)) >>> 0;
  }
  /** True when register field name is 31 and means SP. */
  isSP(name: string): boolean {
    const f = this.field(name);
    return !!f && f.name.endsWith('_SP') && this.get(name) === 31;
  }
}

const REG_FIELDS = ['Rd', 'Rn', 'Rm', 'Ra', 'Rt', 'Rt2', 'Rs'];

function drawField(r: Rng32, f: Field): number {
  const max = 2 ** f.width - 1;
  const base = f.name.replace(/_SP$/, '');
  if (REG_FIELDS.includes(base)) return r.chance(0.12) ? 31 : r.below(31);
  if (f.width <= 4) return r.below(max + 1);
  const k = r.below(10);
  if (k === 0) return 0;
  if (k === 1) return max;
  if (k === 2) return r.below(4);
  if (k === 3) return max - r.below(4);
  if (f.width === 6 && k < 6) return r.pick([31, 32, 33, 63, 1, 0, 62]);
  return r.below(max + 1);
}

// ---- the case being built ----
export class Gen {
  readonly w: Word;
  readonly c: Case;
  constructor(readonly r: Rng32, enc: Parsed) {
    this.w = new Word(enc);
    this.c = newCase(0, r.next());
    for (const f of enc.fields) if (f.fixed === undefined) this.w.set(f.name, drawField(r, f));
  }
  get name(): string { return this.w.enc.name; }
  /** The state slot of register field name: 0..30, 31 = SP, -1 = the zero register. */
  slot(field: string): number {
    const n = this.w.get(field);
    if (n < 31) return n;
    return this.w.isSP(field) ? 31 : -1;
  }
  setReg(field: string, v: bigint): boolean {
    const s = this.slot(field);
    if (s < 0) return false;
    this.c.regs.set(s, u64(v));
    return true;
  }
  setSys(name: Parameters<typeof sysIndex>[0], v: bigint): void { this.c.regs.set(SLOT_SYS + sysIndex(name), u64(v)); }
  state(): State { return initialState(this.c); }
}

/** The pad offset of a branch: in [-PADS, PADS], never 0 (the slot itself), rarely 1. */
function padOffset(r: Rng32): number {
  for (;;) {
    const k = r.chance(0.5) ? r.below(9) - 4 : r.below(2 * PADS + 1) - PADS;
    if (k === 0) continue;
    if (k === 1 && r.chance(0.8)) continue;
    return k;
  }
}

// ---- memory operations ----
export interface MemInfo {
  /**
   * single: one register; pair: two; lit: PC-relative; prfm: no access; excl*, acqrel, cas*, lse:
   * forced alignment; vstruct: SIMD&FP structures (LD1-LD4, ST1-ST4, LD1R-LD4R), `count`
   * adjacent elements of `size` bytes from the base register, post-indexed by Rm or (Rm = 31) by
   * the bytes transferred. The SIMD&FP single-register, pair and literal forms are single, pair
   * and lit with sizes 1..16.
   */
  kind: 'single' | 'pair' | 'lit' | 'prfm' | 'excl' | 'exclpair' | 'acqrel' | 'cas' | 'casp' | 'lse' | 'vstruct';
  /** Bytes per element: the alignment a Device access or SCTLR_EL1.A asks for. */
  size: number;
  /** Elements accessed (2 for pairs). */
  count: number;
  /** Addressing: uimm, simm (unscaled / unprivileged), pre, post, reg, np/off (pair offset), lit, base. */
  mode: 'uimm' | 'simm' | 'pre' | 'post' | 'reg' | 'off' | 'lit' | 'base';
  load: boolean;
  store: boolean;
  /** The instruction requires natural alignment of the whole access whatever the memory type. */
  forceAlign: boolean;
}

const SINGLE_SIZE: Record<string, [number, boolean]> = {
  STRB: [1, false], LDRB: [1, true], LDRSB_x: [1, true], LDRSB_w: [1, true], STRH: [2, false], LDRH: [2, true],
  LDRSH_x: [2, true], LDRSH_w: [2, true], STR_w: [4, false], LDR_w: [4, true], LDRSW: [4, true], STR_x: [8, false],
  LDR_x: [8, true],
};

const V_SIZE: Record<string, number> = { B: 1, H: 2, S: 4, D: 8, Q: 16 };

/**
 * The SIMD&FP loads and stores (Arm ARM C6.2/C7.2 pseudocode). Structures: LD1-LD4/ST1-ST4
 * (multiple) move rpt * selem registers of 8 << Q bytes, elements of 1 << size bytes; the single
 * structure forms move selem elements of the opcode's size (B, H, S or D by size<0>), LDnR selem
 * of 1 << size bytes.
 */
function simdMemInfo(name: string, word: number): MemInfo | undefined {
  let m: RegExpExecArray | null;
  const v = (kind: MemInfo['kind'], size: number, count: number, mode: MemInfo['mode'], load: boolean): MemInfo =>
    ({ kind, size, count, mode, load, store: !load, forceAlign: false });
  if ((m = /^(LDR|STR)_([BHSDQ])_(uimm|unscaled|post|pre|reg)$/.exec(name))) {
    return v('single', V_SIZE[m[2]], 1, m[3] === 'unscaled' ? 'simm' : (m[3] as MemInfo['mode']), m[1] === 'LDR');
  }
  if ((m = /^LDR_([SDQ])_lit$/.exec(name))) return v('lit', V_SIZE[m[1]], 1, 'lit', true);
  if ((m = /^(LDP|STP|LDNP|STNP)_([SDQ])(?:_(post|off|pre))?$/.exec(name))) {
    return v('pair', V_SIZE[m[2]], 2, m[3] === undefined ? 'off' : (m[3] as MemInfo['mode']), m[1].startsWith('LD'));
  }
  const post = name.endsWith('_post');
  const mode = post ? 'post' : 'base';
  if ((m = /^(LD|ST)([1-4])(?:_x([1-4]))?_multi/.exec(name))) {
    const esize = 1 << ((word >>> 10) & 3);
    const bytes = Number(m[3] ?? m[2]) * (8 << ((word >>> 30) & 1));
    return v('vstruct', esize, bytes / esize, mode, m[1] === 'LD');
  }
  if ((m = /^(LD|ST)([1-4])_single_(B|H|SD)/.exec(name))) {
    const esize = m[3] === 'B' ? 1 : m[3] === 'H' ? 2 : (word >>> 10) & 1 ? 8 : 4;
    return v('vstruct', esize, Number(m[2]), mode, m[1] === 'LD');
  }
  if ((m = /^LD([1-4])R/.exec(name))) return v('vstruct', 1 << ((word >>> 10) & 3), Number(m[1]), mode, true);
  return undefined;
}

/** How encoding `name` accesses memory, with the size fields of `word`; undefined if it does not. */
export function memInfo(name: string, word: number): MemInfo | undefined {
  const vm = simdMemInfo(name, word);
  if (vm) return vm;
  let m: RegExpExecArray | null;
  if ((m = /^(STRB|LDRB|LDRSB_x|LDRSB_w|STRH|LDRH|LDRSH_x|LDRSH_w|STR_w|LDR_w|LDRSW|STR_x|LDR_x)_(uimm|unscaled|post|unpriv|pre|reg)$/.exec(name))) {
    const [size, load] = SINGLE_SIZE[m[1]];
    const mode = m[2] === 'unscaled' || m[2] === 'unpriv' ? 'simm' : (m[2] as MemInfo['mode']);
    return { kind: 'single', size, count: 1, mode, load, store: !load, forceAlign: false };
  }
  if ((m = /^(STP_w|LDP_w|LDPSW|STP_x|LDP_x)_(np|post|off|pre)$/.exec(name))) {
    const size = m[1].endsWith('_x') ? 8 : 4;
    const load = !m[1].startsWith('ST');
    const mode = m[2] === 'np' ? 'off' : (m[2] as MemInfo['mode']);
    return { kind: 'pair', size, count: 2, mode, load, store: !load, forceAlign: false };
  }
  if (name === 'LDRSW_lit' || name === 'LDR_lit_w') return { kind: 'lit', size: 4, count: 1, mode: 'lit', load: true, store: false, forceAlign: false };
  if (name === 'LDR_lit_x') return { kind: 'lit', size: 8, count: 1, mode: 'lit', load: true, store: false, forceAlign: false };
  if (name === 'PRFM_lit') return { kind: 'prfm', size: 8, count: 1, mode: 'lit', load: false, store: false, forceAlign: false };
  if (name === 'PRFM_uimm') return { kind: 'prfm', size: 8, count: 1, mode: 'uimm', load: false, store: false, forceAlign: false };
  if (name === 'PRFUM') return { kind: 'prfm', size: 8, count: 1, mode: 'simm', load: false, store: false, forceAlign: false };
  if (name === 'PRFM_reg') return { kind: 'prfm', size: 8, count: 1, mode: 'reg', load: false, store: false, forceAlign: false };
  const size2 = 1 << (word >>> 30);
  const sz = (word >>> 30) & 1;
  switch (name) {
    case 'STXR': return { kind: 'excl', size: size2, count: 1, mode: 'base', load: false, store: true, forceAlign: true };
    case 'LDXR': return { kind: 'excl', size: size2, count: 1, mode: 'base', load: true, store: false, forceAlign: true };
    case 'STXP': return { kind: 'exclpair', size: sz ? 8 : 4, count: 2, mode: 'base', load: false, store: true, forceAlign: true };
    case 'LDXP': return { kind: 'exclpair', size: sz ? 8 : 4, count: 2, mode: 'base', load: true, store: false, forceAlign: true };
    case 'STLR': return { kind: 'acqrel', size: size2, count: 1, mode: 'base', load: false, store: true, forceAlign: true };
    case 'LDAR': return { kind: 'acqrel', size: size2, count: 1, mode: 'base', load: true, store: false, forceAlign: true };
    case 'CAS': return { kind: 'cas', size: size2, count: 1, mode: 'base', load: true, store: true, forceAlign: true };
    case 'CASP': return { kind: 'casp', size: (word >>> 30) & 1 ? 8 : 4, count: 2, mode: 'base', load: true, store: true, forceAlign: true };
  }
  if (/^(LDADD|LDCLR|LDEOR|LDSET|LDSMAX|LDSMIN|LDUMAX|LDUMIN|SWP)$/.test(name)) {
    return { kind: 'lse', size: size2, count: 1, mode: 'base', load: true, store: true, forceAlign: true };
  }
  return undefined;
}

const sext = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

/** Rm extended and shifted as the register-offset forms do (option, S). */
function regOffset(rm: bigint, option: number, s: number, size: number): bigint {
  let v: bigint;
  switch (option) {
    case 2: v = rm & 0xffffffffn; break; // UXTW
    case 6: v = BigInt.asIntN(32, rm & 0xffffffffn); break; // SXTW
    default: v = rm; // LSL (UXTX) and SXTX: 64 bits
  }
  return s ? v << BigInt(Math.log2(size)) : v;
}

/** Byte offset the instruction adds to the base for the accessed address (not for post-index). */
function immOffset(g: Gen, mi: MemInfo): number {
  const w = g.w;
  if (mi.kind === 'pair') return mi.mode === 'off' || mi.mode === 'pre' ? sext(w.get('imm7'), 7) * mi.size : 0;
  if (mi.mode === 'uimm') return w.get('imm12') * mi.size;
  if (mi.mode === 'simm' || mi.mode === 'pre') return sext(w.get('imm9'), 9);
  return 0;
}

/**
 * The effective address of a memory case, from its initial state (the first byte accessed).
 * Undefined for encodings that do not access memory.
 */
export function effectiveAddress(c: Case, st: State = initialState(c)): bigint | undefined {
  const enc = matchEncoding(c.insn);
  if (!enc) return undefined;
  const mi = memInfo(enc.name, c.insn);
  if (!mi) return undefined;
  const w = c.insn >>> 0;
  if (mi.mode === 'lit') return u64(BigInt(SLOT_ADDR) + BigInt(sext((w >>> 5) & 0x7ffff, 19) * 4));
  const rn = (w >>> 5) & 31;
  const base = rn === 31 ? st.sp : st.x[rn];
  const f = (lsb: number, width: number) => (w >>> lsb) & (2 ** width - 1);
  switch (mi.mode) {
    case 'uimm': return u64(base + BigInt(f(10, 12) * mi.size));
    case 'simm': case 'pre': return mi.kind === 'pair' ? u64(base + BigInt(sext(f(15, 7), 7) * mi.size)) : u64(base + BigInt(sext(f(12, 9), 9)));
    case 'off': return u64(base + BigInt(sext(f(15, 7), 7) * mi.size));
    case 'post': case 'base': return base;
    case 'reg': {
      const rm = f(16, 5);
      return u64(base + regOffset(rm === 31 ? 0n : st.x[rm], f(13, 3), f(12, 1), mi.size));
    }
  }
  return undefined;
}

/** Picks the window offset of an access of `bytes` bytes, aligned to `align` unless unaligned. */
function windowOffset(r: Rng32, bytes: number, align: number, unaligned: boolean): number {
  const span = WINDOW_SIZE - bytes;
  if (!unaligned) return Math.floor(r.below(Math.floor(span / align) + 1)) * align;
  for (;;) {
    const o = r.below(span + 1);
    if (align <= 1 || o % align !== 0) return o;
  }
}

interface GenOpts { unalignedRate: number; flags: number }

function shapeMemory(g: Gen, mi: MemInfo, o: GenOpts): boolean {
  const w = g.w;
  const r = g.r;
  // SIMD&FP forms name V registers (Vt, Vt2), which never alias the base register.
  const rt = w.field('Rt') ? w.get('Rt') : -1;
  const rn = w.field('Rn') ? w.get('Rn') : -1;
  if (mi.kind === 'pair' && mi.load && w.field('Vt2') && w.get('Vt2') === w.get('Vt')) return false; // LDP Vt == Vt2: CONSTRAINED UNPREDICTABLE
  // Structures post-indexed: Rm = 31 (by the bytes transferred) half of the time.
  if (mi.kind === 'vstruct' && mi.mode === 'post' && r.chance(0.5)) w.set('Rm', 31);
  const wb = mi.mode === 'pre' || mi.mode === 'post';
  // CONSTRAINED UNPREDICTABLE register combinations (Arm ARM K1.2): avoided.
  if (wb && rn !== 31 && (rt === rn || (mi.count === 2 && w.has('Rt2') && w.get('Rt2') === rn))) return false;
  if (mi.kind === 'pair' && mi.load && rt >= 0 && w.get('Rt2') === rt) return false;
  if (mi.kind === 'exclpair' && mi.load && w.get('Rt2') === rt) return false;
  if ((mi.kind === 'excl' || mi.kind === 'exclpair') && mi.store) {
    const rs = w.get('Rs');
    if (rs === rt || (rs === rn && rn !== 31) || (mi.kind === 'exclpair' && rs === w.get('Rt2'))) return false;
  }
  if (mi.kind === 'casp' && r.chance(0.9)) { w.set('Rs', w.get('Rs') & ~1); w.set('Rt', w.get('Rt') & ~1); }
  if (mi.mode === 'reg' && w.get('Rm') === rn && rn !== 31) return false;
  if (mi.mode === 'reg' && r.chance(0.9)) w.set('option', r.pick([2, 3, 6, 7]));

  const bytes = mi.size * mi.count;
  const align = mi.forceAlign ? bytes : mi.size;
  const unaligned = mi.kind !== 'prfm' && align > 1 && r.chance(mi.forceAlign ? Math.min(o.unalignedRate, 0.1) : o.unalignedRate);
  const off = windowOffset(r, bytes, mi.mode === 'lit' ? 4 : align, unaligned && mi.mode !== 'lit');
  const ea = BigInt(WINDOW_ADDR + off);

  if (mi.mode === 'lit') {
    if (mi.kind === 'prfm') return true; // prefetches do not access memory: any offset
    const o4 = WINDOW_ADDR + (off & ~3) - SLOT_ADDR;
    w.set('imm19', o4 / 4);
    return true;
  }
  // Immediate fields: edges and small values are the interesting ones.
  if (w.has('imm12')) w.set('imm12', r.chance(0.5) ? r.below(32) : r.chance(0.3) ? 4095 : r.below(4096));
  let base: bigint;
  if (mi.mode === 'reg') {
    const rm = w.get('Rm');
    if (rm !== 31 && r.chance(0.7)) {
      const v = r.chance(0.5) ? BigInt(r.below(64)) - 32n : interesting(r);
      g.c.regs.set(rm, u64(v));
    }
    const st = g.state();
    const rmv = rm === 31 ? 0n : st.x[rm];
    base = ea - regOffset(rmv, w.get('option'), w.get('S'), mi.size);
  } else if (mi.mode === 'post' || mi.mode === 'base') {
    base = ea;
  } else {
    base = ea - BigInt(immOffset(g, mi));
  }
  if (!g.setReg('Rn', base)) return false;

  // Values: exclusive monitor, compare values.
  const st = g.state();
  const win = new DataView(new ArrayBuffer(WINDOW_SIZE));
  st.win.forEach((v, i) => win.setBigUint64(i * 8, v, true));
  const memVal = (o2: number, n: number): bigint => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(o2 + i < WINDOW_SIZE ? win.getUint8(o2 + i) : 0);
    return v;
  };
  if ((mi.kind === 'excl' || mi.kind === 'exclpair') && mi.store) {
    const k = r.below(10);
    const kind = mi.kind === 'excl' ? [1, 2, 3, 4][Math.log2(mi.size)] : mi.size === 4 ? 5 : 6;
    if (k < 7 && off % bytes === 0) { g.c.mon = kind; g.c.monOff = off; }
    else if (k < 8) { g.c.mon = kind; g.c.monOff = windowOffset(r, bytes, bytes, false); }
  }
  // Compare values, unless the compare register is the base register itself.
  const baseSlot = g.slot('Rn');
  if (mi.kind === 'cas' && g.slot('Rs') !== baseSlot && r.chance(0.5)) {
    const hi = mi.size < 8 && r.chance(0.5) ? BigInt(r.next()) << 32n : 0n;
    g.setReg('Rs', memVal(off, mi.size) | hi);
  }
  if (mi.kind === 'casp' && r.chance(0.5)) {
    const rs = w.get('Rs');
    if (rs < 31 && rs !== baseSlot) g.c.regs.set(rs, memVal(off, mi.size));
    if (rs + 1 < 31 && rs + 1 !== baseSlot) g.c.regs.set(rs + 1, memVal(off + mi.size, mi.size));
  }
  return true;
}

// ---- system registers ----
type SysKey = [number, number, number, number, number];
interface SysReg { name: string; key: SysKey; mask?: bigint }
/** Readable, with values both CPUs share (the runner sets or fixes them). */
const MRS_REGS: SysReg[] = [
  { name: 'TPIDR_EL0', key: [3, 3, 13, 0, 2] }, { name: 'TPIDR_EL1', key: [3, 0, 13, 0, 4] },
  { name: 'TPIDRRO_EL0', key: [3, 3, 13, 0, 3] }, { name: 'CONTEXTIDR_EL1', key: [3, 0, 13, 0, 1] },
  { name: 'SP_EL0', key: [3, 0, 4, 1, 0] }, { name: 'ELR_EL1', key: [3, 0, 4, 0, 1] },
  { name: 'SPSR_EL1', key: [3, 0, 4, 0, 0] }, { name: 'ESR_EL1', key: [3, 0, 5, 2, 0] },
  { name: 'FAR_EL1', key: [3, 0, 6, 0, 0] }, { name: 'NZCV', key: [3, 3, 4, 2, 0] }, { name: 'DAIF', key: [3, 3, 4, 2, 1] },
  { name: 'SPSel', key: [3, 0, 4, 2, 0] }, { name: 'CurrentEL', key: [3, 0, 4, 2, 2] },
  { name: 'VBAR_EL1', key: [3, 0, 12, 0, 0] }, { name: 'MAIR_EL1', key: [3, 0, 10, 2, 0] },
  { name: 'TCR_EL1', key: [3, 0, 2, 0, 2] }, { name: 'TTBR0_EL1', key: [3, 0, 2, 0, 0] },
  { name: 'TTBR1_EL1', key: [3, 0, 2, 0, 1] }, { name: 'SCTLR_EL1', key: [3, 0, 1, 0, 0] },
  { name: 'CPACR_EL1', key: [3, 0, 1, 0, 2] }, { name: 'CNTFRQ_EL0', key: [3, 3, 14, 0, 0] },
  { name: 'DCZID_EL0', key: [3, 3, 0, 0, 7] },
];
/** Writable, and reported by the runner (or visible in PSTATE). */
const MSR_REGS: SysReg[] = [
  { name: 'TPIDR_EL0', key: [3, 3, 13, 0, 2] }, { name: 'TPIDR_EL1', key: [3, 0, 13, 0, 4] },
  { name: 'CONTEXTIDR_EL1', key: [3, 0, 13, 0, 1], mask: SYS_MASKS[2] }, { name: 'SP_EL0', key: [3, 0, 4, 1, 0] },
  { name: 'ELR_EL1', key: [3, 0, 4, 0, 1] }, { name: 'SPSR_EL1', key: [3, 0, 4, 0, 0], mask: SYS_MASKS[5] },
  { name: 'ESR_EL1', key: [3, 0, 5, 2, 0], mask: SYS_MASKS[6] }, { name: 'FAR_EL1', key: [3, 0, 6, 0, 0] },
  { name: 'NZCV', key: [3, 3, 4, 2, 0] }, { name: 'DAIF', key: [3, 3, 4, 2, 1] }, { name: 'SPSel', key: [3, 0, 4, 2, 0] },
];
/** UNDEFINED at EL1 on both (EL2/EL3 registers with no EL2/EL3; read-only registers written). */
const UNDEF_READS: SysReg[] = [
  { name: 'HCR_EL2', key: [3, 4, 1, 1, 0] }, { name: 'SCTLR_EL2', key: [3, 4, 1, 0, 0] },
  { name: 'VBAR_EL2', key: [3, 4, 12, 0, 0] }, { name: 'SP_EL1', key: [3, 4, 4, 1, 0] },
  { name: 'ELR_EL2', key: [3, 4, 4, 0, 1] }, { name: 'SCR_EL3', key: [3, 6, 1, 1, 0] },
  { name: 'SCTLR_EL3', key: [3, 6, 1, 0, 0] },
];
const UNDEF_WRITES: SysReg[] = [
  ...UNDEF_READS, { name: 'CurrentEL', key: [3, 0, 4, 2, 2] }, { name: 'DCZID_EL0', key: [3, 3, 0, 0, 7] },
];

function setSysKey(w: Word, k: SysKey): void {
  // MRS/MSR: o0 is op0 - 2 (bit 19), then op1 CRn CRm op2.
  w.set('o0', k[0] - 2);
  w.set('op1', k[1]); w.set('CRn', k[2]); w.set('CRm', k[3]); w.set('op2', k[4]);
}

/** SYS operations that are safe and comparable: [op1, CRn, CRm, op2, Xt is a window address]. */
const SYS_OPS: [string, number, number, number, number, boolean][] = [
  ['DC ZVA', 3, 7, 4, 1, true], ['DC CVAC', 3, 7, 10, 1, true], ['DC CVAU', 3, 7, 11, 1, true],
  ['DC CIVAC', 3, 7, 14, 1, true], ['DC IVAC', 0, 7, 6, 1, true], ['IC IVAU', 3, 7, 5, 1, true],
  ['DC ISW', 0, 7, 6, 2, false], ['DC CSW', 0, 7, 10, 2, false], ['DC CISW', 0, 7, 14, 2, false],
  ['IC IALLU', 0, 7, 5, 0, false], ['IC IALLUIS', 0, 7, 1, 0, false],
  ['TLBI VMALLE1', 0, 8, 7, 0, false], ['TLBI VMALLE1IS', 0, 8, 3, 0, false], ['TLBI VAE1', 0, 8, 7, 1, false],
  ['TLBI ASIDE1', 0, 8, 7, 2, false], ['TLBI VAAE1', 0, 8, 7, 3, false], ['TLBI VALE1', 0, 8, 7, 5, false],
  ['TLBI VAALE1', 0, 8, 7, 7, false],
  // UNDEFINED at EL1 here: EL2/EL3 operations, and DC CVADP (FEAT_DPB2, on neither CPU).
  ['TLBI ALLE2', 4, 8, 7, 0, false], ['TLBI ALLE3', 6, 8, 7, 0, false], ['DC CVADP', 3, 7, 13, 1, true],
];

// ---- per-encoding shaping ----
type Shaper = (g: Gen, o: GenOpts) => boolean;

function condBranch(field: string, bits: number): Shaper {
  return (g) => { g.w.set(field, padOffset(g.r) & (2 ** bits - 1)); return true; };
}

const SHAPERS: Record<string, Shaper> = {
  B: condBranch('imm26', 26),
  BL: condBranch('imm26', 26),
  B_cond: condBranch('imm19', 19),
  CBZ: (g) => {
    g.w.set('imm19', padOffset(g.r));
    if (g.r.chance(0.4)) g.setReg('Rt', g.r.chance(0.5) ? 0n : BigInt(g.r.next()) << 32n);
    return true;
  },
  TBZ: (g) => {
    g.w.set('imm14', padOffset(g.r));
    const bit = (g.w.get('b5') << 5) | g.w.get('b40');
    const v = interesting(g.r);
    g.setReg('Rt', g.r.chance(0.5) ? v | (1n << BigInt(bit)) : v & ~(1n << BigInt(bit)));
    return true;
  },
  BR: (g) => {
    if (g.w.get('Rn') === 31) return false; // XZR: a jump to address 0, outside the runner
    const k = padOffset(g.r);
    const mis = g.r.chance(0.08) ? 1 + g.r.below(3) : 0; // PC alignment fault at the target
    return g.setReg('Rn', BigInt(SLOT_ADDR + 4 * k + mis));
  },
  ERET: (g) => {
    const r = g.r;
    const k = padOffset(r);
    g.setSys('ELR_EL1', BigInt(SLOT_ADDR + 4 * k + (r.chance(0.05) ? 2 : 0)));
    // M: EL1h mostly; EL1t; EL0t (runs a pad at EL0, which faults on its MSR); reserved or
    // unimplemented modes (an illegal exception return: PSTATE.IL).
    const m = r.chance(0.6) ? 5 : r.pick([4, 0, 1, 8, 9, 12, 13]);
    g.setSys('SPSR_EL1', BigInt(m) | (BigInt(r.below(16)) << 28n) | (BigInt(r.below(16)) << 6n));
    return true;
  },
  HLT: (g) => g.w.get('imm16') !== 0xf000,
  HVC: (g) => {
    // PSCI function IDs both sides answer with no side effect (PSCI 1.1, DEN0022): W0 only, the
    // upper half 0 (QEMU matches all of X0; SMCCC uses W0), arguments 0.
    const fid = g.r.pick([0x84000000, 0x8400000a, 0x84000006, 0x84000004, 0xc4000004]);
    g.c.regs.set(0, BigInt(fid));
    for (const n of [1, 2, 3]) g.c.regs.set(n, 0n);
    return true;
  },
  HINT: (g) => { const sel = (g.w.get('CRm') << 3) | g.w.get('op2'); return sel !== 2 && sel !== 3; },
  MSR_imm: (g) => {
    const r = g.r;
    if (r.chance(0.9)) {
      const [op1, op2] = r.pick([[0, 5], [3, 6], [3, 7]] as const);
      g.w.set('op1', op1); g.w.set('op2', op2);
    } else {
      // Unallocated on Cortex-A76 and on a64vm.
      g.w.set('op1', r.pick([1, 2, 5, 6, 7])); g.w.set('op2', r.below(8));
      if (g.w.get('op1') === 1 && g.w.get('op2') <= 1) return false; // ALLINT/PM (v8.8/9) aside
    }
    return true;
  },
  MRS: (g) => {
    const r = g.r;
    const reg = r.chance(0.9) ? r.pick(MRS_REGS) : r.pick(UNDEF_READS);
    setSysKey(g.w, reg.key);
    return true;
  },
  MSR_reg: (g) => {
    const r = g.r;
    const reg = r.chance(0.9) ? r.pick(MSR_REGS) : r.pick(UNDEF_WRITES);
    setSysKey(g.w, reg.key);
    let v = interesting(r);
    if (reg.mask !== undefined) v &= reg.mask;
    g.setReg('Rt', v);
    return true;
  },
  SYS: (g) => {
    const r = g.r;
    const [, op1, crn, crm, op2, addr] = r.pick(SYS_OPS);
    g.w.set('op1', op1); g.w.set('CRn', crn); g.w.set('CRm', crm); g.w.set('op2', op2);
    if (addr) {
      if (g.w.get('Rt') === 31) return false;
      g.setReg('Rt', BigInt(WINDOW_ADDR + r.below(WINDOW_SIZE)));
    }
    return true;
  },
};
SHAPERS.CBNZ = SHAPERS.CBZ;
SHAPERS.TBNZ = SHAPERS.TBZ;
SHAPERS.BLR = SHAPERS.BR;
SHAPERS.RET = SHAPERS.BR;

/** Decode-time validity (the table's pre_ checks), enforced most of the time so that most cases execute. */
const VALIDITY: Record<string, (w: Word, r: Rng32) => void> = {
  logical_imm: (w) => { if (w.get('sf') === 0) w.set('N', 0); },
  bitfield: (w) => { w.set('N', w.get('sf')); if (w.get('sf') === 0) { w.set('immr', w.get('immr') & 31); w.set('imms', w.get('imms') & 31); } },
  extr: (w) => { w.set('N', w.get('sf')); if (w.get('sf') === 0) w.set('imms', w.get('imms') & 31); },
  movewide: (w) => { if (w.get('sf') === 0) w.set('hw', w.get('hw') & 1); },
  shifted: (w) => { if (w.get('sf') === 0) w.set('imm6', w.get('imm6') & 31); },
  shifted_arith: (w, r) => { if (w.get('shift') === 3) w.set('shift', r.below(3)); if (w.get('sf') === 0) w.set('imm6', w.get('imm6') & 31); },
  extended: (w, r) => { if (w.get('imm3') > 4) w.set('imm3', r.below(5)); },
  crc: (w, r) => { if (w.get('sf') === 1) w.set('sz', 3); else if (w.get('sz') === 3) w.set('sz', r.below(3)); },
};

export interface GenerateOptions {
  seed: number;
  /** Draw the SIMD&FP encodings too (default FP_CASES_DEFAULT). */
  fp?: boolean;
  /** Cases per SIMD&FP encoding (default perEncoding): their V values make them the bulkiest. */
  perFp?: number;
  /** Cases per encoding in the main group (MMU on). */
  perEncoding: number;
  /** Extra cases per plain load/store encoding with the MMU off (Device memory). */
  perMmuOff?: number;
  /** Extra cases per plain load/store encoding with SCTLR_EL1.A = 1. */
  perAlignCheck?: number;
  /** perMmuOff and perAlignCheck for the SIMD&FP loads and stores (default: the same). */
  perFpMmuOff?: number;
  perFpAlignCheck?: number;
  /** Only encodings whose name matches. */
  only?: RegExp;
}

export interface Generated {
  cases: Case[];
  /** Per encoding name: cases generated. */
  counts: Map<string, number>;
  /** Encodings with no cases, and why. */
  skipped: Map<string, string>;
}

/** One case for encoding enc, or undefined when no valid draw was found. */
export function generateOne(enc: Parsed, r: Rng32, o: GenOpts = { unalignedRate: 0.3, flags: 0 }): Case | undefined {
  for (let attempt = 0; attempt < 200; attempt++) {
    const g = new Gen(r, enc);
    if (enc.pre && VALIDITY[enc.pre] && r.chance(0.9)) VALIDITY[enc.pre](g.w, r);
    if (enc.fp && r.chance(0.9)) FP_VALIDITY(enc, g.w, r);
    // Registers the instruction may read: interesting values (the PRNG fills the rest).
    for (const f of enc.fields) {
      const base = f.name.replace(/_SP$/, '');
      if (!REG_FIELDS.includes(base) || r.chance(0.2)) continue;
      g.setReg(base, interesting(r));
    }
    g.c.nzcv = r.below(16);
    g.c.daif = r.chance(0.85) ? 0xf : r.below(16);
    g.c.flags = o.flags;
    if (enc.fp) { g.c.flags |= F_FP; if (!shapeFp(g, r)) continue; }
    const mi = memInfo(enc.name, g.w.word);
    if (mi && !shapeMemory(g, mi, o)) continue;
    const shaper = SHAPERS[enc.name];
    if (shaper && !shaper(g, o)) continue;
    const m = matchEncoding(g.w.word);
    if (!m || m.name !== enc.name) continue;
    // The memory shaper ran before the encoding-specific one; recheck its view of the word.
    if (mi && memInfo(enc.name, g.w.word)?.size !== mi.size) continue;
    g.c.insn = g.w.word;
    return g.c;
  }
  return undefined;
}

/** Plain (non-atomic) loads and stores: the ones whose alignment depends on the memory type. */
export function isPlainMemory(name: string): boolean {
  const mi = memInfo(name, 0);
  return !!mi && (mi.kind === 'single' || mi.kind === 'pair' || mi.kind === 'lit' || mi.kind === 'vstruct');
}

export function generate(opts: GenerateOptions): Generated {
  const r = new Rng32(opts.seed);
  const cases: Case[] = [];
  const counts = new Map<string, number>();
  const skipped = new Map<string, string>();
  const bump = (n: string) => counts.set(n, (counts.get(n) ?? 0) + 1);
  const encs = PARSED.filter((p) => (opts.fp ?? FP_CASES_DEFAULT ? true : !p.fp) && (!opts.only || opts.only.test(p.name)));
  const groups: [GenOpts, (p: Parsed) => boolean, number][] = [
    [{ unalignedRate: 0.3, flags: 0 }, () => true, opts.perEncoding],
    [{ unalignedRate: 0.5, flags: F_MMU_OFF }, (p) => isPlainMemory(p.name), opts.perMmuOff ?? 0],
    [{ unalignedRate: 0.5, flags: F_ALIGN_CHECK }, (p) => isPlainMemory(p.name) || !!memInfo(p.name, 0), opts.perAlignCheck ?? 0],
  ];
  for (const [go, want, n] of groups) {
    for (const enc of encs) {
      const why = exclusion(enc);
      if (why) { skipped.set(enc.name, why); continue; }
      if (!want(enc)) continue;
      const count = !enc.fp ? n
        : go.flags === 0 ? opts.perFp ?? n
        : go.flags === F_MMU_OFF ? opts.perFpMmuOff ?? n
        : opts.perFpAlignCheck ?? n;
      for (let i = 0; i < count; i++) {
        const c = generateOne(enc, r, go);
        if (!c) { skipped.set(enc.name, 'no valid draw found'); break; }
        cases.push(c);
        bump(enc.name);
      }
    }
  }
  // MMU-off cases last: the runner switches the MMU only when a case's flags change it.
  cases.sort((a, b) => (a.flags & F_MMU_OFF) - (b.flags & F_MMU_OFF));
  return { cases, counts, skipped };
}
