// The differential-test case file and the runner's result lines: the contract with the runner
// guest (guest-images/diff-runner/format.h, which carries the same description; keep in step).
//
// CASE FILE (little-endian; loaded raw at CASES_ADDR: QEMU `-device loader,file=F,addr=0x44000000,
// force-raw=on`, a64vm `--load F@0x44000000`)
//   header, 48 bytes: magic "A64DCAS1", u32 version = 3, u32 count, u64 window address,
//     u32 window size, u32 out_size, u64 slot address, u64 total file size
//   out_size selects the result sink: 0 the UART (QEMU; the canonical, committed form), n > 0 a
//     RAM buffer of n bytes at outAddr(total) holding u64 length + the same text (a64vm: no MMIO
//     exit per character). The runner's code is otherwise the same for both sinks.
//   then `count` cases, each 8-byte aligned:
//     u32 insn                     the instruction word, executed at SLOT_ADDR
//     u8  pstate                   bits 3:0 NZCV (N = bit 3), bits 7:4 DAIF (D = bit 7)
//     u8  flags                    F_MMU_OFF, F_ALIGN_CHECK, F_FP (SIMD&FP state: FP block, V regs)
//     u8  mon                      exclusive monitor preload: 0 none, 1 LDXRB, 2 LDXRH, 3 LDXR W,
//                                  4 LDXR X, 5 LDXP W, 6 LDXP X
//     u8  mon_off                  its byte offset in the window
//     u32 seed                     initial state PRNG seed
//     u32 wmask                    window words given explicitly
//     u64 rmask                    state slots given explicitly: 0..30 Xn, 31 SP, 32+i sysreg i
//     F_FP only: u32 FPCR, u32 FPSR   written with MSR before the case
//                u32 vmask, u32 0     V registers given explicitly
//     u64 values[]                 rmask slots in order, then wmask words in order, then each
//                                  vmask register's low and high 64 bits
//   Initial state: StateRng (xorshift128+, seeded by four Rng32 draws from `seed`) draws X0..X30,
//   SP, the NSYS system registers, the window words and (F_FP only) V0..V31, low then high half;
//   explicit values replace their slots; a system register is ANDed with its mask.
//
// RESULT LINES (UART): see parseResults. Only what differs from the initial state is printed.

export const CASES_ADDR = 0x44000000;
export const SLOT_REGION = 0x40100000;
export const PADS = 64;
export const SLOT_ADDR = SLOT_REGION + 4 * PADS;
export const WINDOW_ADDR = 0x40101f80;
export const WINDOW_SIZE = 256;
export const WINDOW_WORDS = WINDOW_SIZE / 8;
export const HDR_SIZE = 48;
export const CASE_FIXED = 24;
export const MAGIC = 'A64DCAS1';
/** Header offset of out_size (format.h). */
export const OUT_SIZE_OFFSET = 28;
/** End of the 128 MiB of RAM both boards have by default; the RAM sink must end at or below it. */
export const RAM_END = 0x48000000;
/** Where the runner puts the RAM sink for a case file of `total` bytes. */
export const outAddr = (total: number): number => (CASES_ADDR + total + 4095) & ~4095;

/**
 * A copy of case file `bin` whose results go to a RAM buffer (at most maxBytes, default as much
 * RAM as is left) instead of the UART. Returns the copy, the buffer address and its size.
 */
export function withRamSink(bin: Uint8Array, maxBytes = RAM_END): { bin: Uint8Array; addr: number; size: number } {
  const addr = outAddr(bin.byteLength);
  const size = Math.min(maxBytes, RAM_END - addr) & ~7;
  if (size < 16) throw new Error(`case file of ${bin.byteLength} bytes leaves no room for a result buffer below 0x${RAM_END.toString(16)}`);
  const copy = bin.slice();
  new DataView(copy.buffer).setUint32(OUT_SIZE_OFFSET, size, true);
  return { bin: copy, addr, size };
}

/** The text in a RAM sink's bytes (u64 length, then text), checked against the buffer size. */
export function ramSinkText(buf: Uint8Array): string {
  const len = Number(new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true));
  if (len > buf.byteLength - 8) throw new Error(`result buffer claims ${len} bytes, holds ${buf.byteLength - 8}`);
  return Buffer.from(buf.buffer, buf.byteOffset + 8, len).toString('latin1');
}
export const VERSION = 3;

export const F_MMU_OFF = 0x01;
export const F_ALIGN_CHECK = 0x02;
/** The case has SIMD&FP state: FPCR, FPSR and V0..V31 are set before it and reported after it. */
export const F_FP = 0x04;
/** Size of the FP block that follows the fixed part of an F_FP case. */
export const CASE_FP_BLOCK = 16;
const M128 = (1n << 128n) - 1n;

export const MON_NONE = 0;
/** Monitor preload kinds: [mnemonic, access bytes]. */
export const MON_KINDS: readonly [string, number][] = [
  ['none', 0], ['LDXRB', 1], ['LDXRH', 2], ['LDXR W', 4], ['LDXR X', 8], ['LDXP W', 8], ['LDXP X', 16],
];

export const SYS_NAMES = [
  'TPIDR_EL0', 'TPIDR_EL1', 'CONTEXTIDR_EL1', 'SP_EL0', 'ELR_EL1', 'SPSR_EL1', 'ESR_EL1', 'FAR_EL1', 'TPIDRRO_EL0',
] as const;
export type SysName = (typeof SYS_NAMES)[number];
export const NSYS = SYS_NAMES.length;
/** The runner reports the first NSYS_REPORTED; TPIDRRO_EL0 is its scratch on the way out. */
export const NSYS_REPORTED = 8;
export const SYS_MASKS: readonly bigint[] = [
  ~0n, ~0n, 0xffffffffn, ~0n, ~0n, 0xf00003cdn, 0xffffffffn, ~0n, ~0n,
].map((m) => BigInt.asUintN(64, m));
export const sysIndex = (n: SysName): number => SYS_NAMES.indexOf(n);
export const SLOT_SP = 31;
export const SLOT_SYS = 32;

const M64 = (1n << 64n) - 1n;
export const u64 = (v: bigint): bigint => v & M64;

/** The PRNG shared with the runner (a splitmix-style 32-bit generator). */
export class Rng32 {
  s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  next64(): bigint {
    const hi = this.next();
    const lo = this.next();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** Uniform integer in [0, n). */
  below(n: number): number { return n <= 1 ? 0 : Math.floor((this.next() / 4294967296) * n); }
  chance(p: number): boolean { return this.next() / 4294967296 < p; }
  pick<T>(a: readonly T[]): T { return a[this.below(a.length)]; }
}

/**
 * The initial state's generator, as the runner's xs_seed/xs_next: xorshift128+ (Vigna), its 64-bit
 * words kept as 32-bit halves so that no BigInt arithmetic is needed per draw.
 */
export class StateRng {
  private s0h: number; private s0l: number; private s1h: number; private s1l: number;
  constructor(seed: number) {
    const r = new Rng32(seed);
    this.s0h = r.next(); this.s0l = r.next(); this.s1h = r.next(); this.s1l = r.next();
    if ((this.s0h | this.s0l | this.s1h | this.s1l) === 0) this.s0l = 1;
  }
  next64(): bigint {
    let ah = this.s0h, al = this.s0l;
    const bh = this.s1h, bl = this.s1l;
    this.s0h = bh; this.s0l = bl;
    // a ^= a << 23
    ah = (ah ^ ((ah << 23) | (al >>> 9))) >>> 0;
    al = (al ^ (al << 23)) >>> 0;
    // s1 = a ^ b ^ (a >> 17) ^ (b >> 26)
    const h = (ah ^ bh ^ (ah >>> 17) ^ (bh >>> 26)) >>> 0;
    const l = (al ^ bl ^ ((al >>> 17) | (ah << 15)) ^ ((bl >>> 26) | (bh << 6))) >>> 0;
    this.s1h = h; this.s1l = l;
    // s1 + b
    const lo = (l + bl) >>> 0;
    const hi = (h + bh + (lo < l ? 1 : 0)) >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
}

export interface Case {
  insn: number;
  nzcv: number;
  daif: number;
  flags: number;
  mon: number;
  monOff: number;
  seed: number;
  /** Explicit state slots: 0..30 Xn, 31 SP, 32+i system register i. */
  regs: Map<number, bigint>;
  /** Explicit window words (index 0..31). */
  win: Map<number, bigint>;
  /** F_FP cases: FPCR and FPSR before the case, and explicit V registers (128-bit values). */
  fpcr: number;
  fpsr: number;
  vregs: Map<number, bigint>;
}

export interface State {
  x: bigint[];
  sp: bigint;
  nzcv: number;
  daif: number;
  sys: bigint[];
  win: bigint[];
  /** F_FP cases: V0..V31 (128-bit), FPCR, FPSR; empty / 0 otherwise (never set nor reported). */
  v: bigint[];
  fpcr: number;
  fpsr: number;
}

export function newCase(insn: number, seed: number): Case {
  return { insn: insn >>> 0, nzcv: 0, daif: 0xf, flags: 0, mon: 0, monOff: 0, seed: seed >>> 0, regs: new Map(), win: new Map(), fpcr: 0, fpsr: 0, vregs: new Map() };
}

/** The state the runner starts the case from. */
export function initialState(c: Case): State {
  const r = new StateRng(c.seed);
  const x: bigint[] = [];
  for (let i = 0; i < 31; i++) x.push(r.next64());
  let sp = r.next64();
  const sys: bigint[] = [];
  for (let i = 0; i < NSYS; i++) sys.push(r.next64());
  const win: bigint[] = [];
  for (let i = 0; i < WINDOW_WORDS; i++) win.push(r.next64());
  const v: bigint[] = [];
  const fp = (c.flags & F_FP) !== 0;
  if (fp) for (let i = 0; i < 32; i++) { const lo = r.next64(); v.push((r.next64() << 64n) | lo); }
  if (fp) for (const [n, x] of c.vregs) v[n] = x & M128;
  for (const [n, v] of c.regs) {
    if (n < 31) x[n] = u64(v);
    else if (n === 31) sp = u64(v);
    else sys[n - SLOT_SYS] = u64(v);
  }
  for (const [n, v] of c.win) win[n] = u64(v);
  for (let i = 0; i < NSYS; i++) sys[i] &= SYS_MASKS[i];
  return { x, sp, nzcv: c.nzcv & 15, daif: c.daif & 15, sys, win, v, fpcr: fp ? c.fpcr >>> 0 : 0, fpsr: fp ? c.fpsr >>> 0 : 0 };
}

/** The initial window as bytes. */
export function windowBytes(win: readonly bigint[]): Uint8Array {
  const b = new Uint8Array(WINDOW_SIZE);
  const dv = new DataView(b.buffer);
  win.forEach((w, i) => dv.setBigUint64(i * 8, w, true));
  return b;
}

export function caseSize(c: Case): number {
  const fp = (c.flags & F_FP) !== 0;
  return CASE_FIXED + (fp ? CASE_FP_BLOCK + 16 * c.vregs.size : 0) + 8 * (c.regs.size + c.win.size);
}

export function encodeCases(cases: readonly Case[]): Uint8Array {
  const total = HDR_SIZE + cases.reduce((a, c) => a + caseSize(c), 0);
  const buf = new Uint8Array(total);
  const dv = new DataView(buf.buffer);
  for (let i = 0; i < 8; i++) buf[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, VERSION, true);
  dv.setUint32(12, cases.length, true);
  dv.setBigUint64(16, BigInt(WINDOW_ADDR), true);
  dv.setUint32(24, WINDOW_SIZE, true);
  dv.setBigUint64(32, BigInt(SLOT_ADDR), true);
  dv.setBigUint64(40, BigInt(total), true);
  let off = HDR_SIZE;
  for (const c of cases) {
    dv.setUint32(off, c.insn >>> 0, true);
    buf[off + 4] = (c.nzcv & 15) | ((c.daif & 15) << 4);
    buf[off + 5] = c.flags;
    buf[off + 6] = c.mon;
    buf[off + 7] = c.monOff;
    dv.setUint32(off + 8, c.seed >>> 0, true);
    let wmask = 0;
    for (const n of c.win.keys()) wmask |= 1 << n;
    let rmask = 0n;
    for (const n of c.regs.keys()) rmask |= 1n << BigInt(n);
    dv.setUint32(off + 12, wmask >>> 0, true);
    dv.setBigUint64(off + 16, rmask, true);
    let p = off + CASE_FIXED;
    const fp = (c.flags & F_FP) !== 0;
    if (fp) {
      let vmask = 0;
      for (const n of c.vregs.keys()) vmask |= 1 << n;
      dv.setUint32(p, c.fpcr >>> 0, true);
      dv.setUint32(p + 4, c.fpsr >>> 0, true);
      dv.setUint32(p + 8, vmask >>> 0, true);
      p += CASE_FP_BLOCK;
    } else if (c.vregs.size || c.fpcr || c.fpsr) {
      throw new Error('case has SIMD&FP state but no F_FP flag');
    }
    for (const n of [...c.regs.keys()].sort((a, b) => a - b)) { dv.setBigUint64(p, u64(c.regs.get(n)!), true); p += 8; }
    for (const n of [...c.win.keys()].sort((a, b) => a - b)) { dv.setBigUint64(p, u64(c.win.get(n)!), true); p += 8; }
    if (fp) {
      for (const n of [...c.vregs.keys()].sort((a, b) => a - b)) {
        const v = c.vregs.get(n)! & M128;
        dv.setBigUint64(p, v & M64, true);
        dv.setBigUint64(p + 8, v >> 64n, true);
        p += 16;
      }
    }
    off = p;
  }
  return buf;
}

export function decodeCases(buf: Uint8Array): Case[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = String.fromCharCode(...buf.subarray(0, 8));
  if (magic !== MAGIC) throw new Error(`case file: bad magic '${magic}'`);
  if (dv.getUint32(8, true) !== VERSION) throw new Error('case file: unsupported version');
  const count = dv.getUint32(12, true);
  if (Number(dv.getBigUint64(16, true)) !== WINDOW_ADDR || dv.getUint32(24, true) !== WINDOW_SIZE) throw new Error('case file: window mismatch');
  if (Number(dv.getBigUint64(32, true)) !== SLOT_ADDR) throw new Error('case file: slot mismatch');
  const total = Number(dv.getBigUint64(40, true));
  if (total !== buf.byteLength) throw new Error(`case file: size field ${total} != ${buf.byteLength}`);
  const cases: Case[] = [];
  let off = HDR_SIZE;
  for (let i = 0; i < count; i++) {
    const ps = buf[off + 4];
    const c: Case = {
      insn: dv.getUint32(off, true), nzcv: ps & 15, daif: ps >> 4, flags: buf[off + 5], mon: buf[off + 6],
      monOff: buf[off + 7], seed: dv.getUint32(off + 8, true), regs: new Map(), win: new Map(),
      fpcr: 0, fpsr: 0, vregs: new Map(),
    };
    if (c.flags & ~(F_MMU_OFF | F_ALIGN_CHECK | F_FP)) throw new Error(`case file: case ${i} has unknown flags 0x${c.flags.toString(16)}`);
    const wmask = dv.getUint32(off + 12, true);
    const rmask = dv.getBigUint64(off + 16, true);
    let p = off + CASE_FIXED;
    let vmask = 0;
    if (c.flags & F_FP) {
      c.fpcr = dv.getUint32(p, true);
      c.fpsr = dv.getUint32(p + 4, true);
      vmask = dv.getUint32(p + 8, true);
      p += CASE_FP_BLOCK;
    }
    for (let n = 0; n < 64; n++) if ((rmask >> BigInt(n)) & 1n) { c.regs.set(n, dv.getBigUint64(p, true)); p += 8; }
    for (let n = 0; n < 32; n++) if ((wmask >>> n) & 1) { c.win.set(n, dv.getBigUint64(p, true)); p += 8; }
    for (let n = 0; n < 32; n++) {
      if (!((vmask >>> n) & 1)) continue;
      c.vregs.set(n, dv.getBigUint64(p, true) | (dv.getBigUint64(p + 8, true) << 64n));
      p += 16;
    }
    off = p;
    cases.push(c);
  }
  if (off !== total) throw new Error(`case file: cases end at ${off}, file is ${total} bytes`);
  return cases;
}

// ---- results ----

/** What one case did, as the runner reports it: only what changed from the initial state. */
export interface Result {
  index: number;
  /** Next-PC pad (offset in instructions from the slot), when no exception was taken. */
  pad?: number;
  /** Vector offset from VBAR_EL1, when an exception was taken; then esr, elr (relative to the slot), far, spsr. */
  vec?: number;
  esr?: bigint;
  elr?: bigint;
  far?: bigint;
  spsr?: bigint;
  x: Map<number, bigint>;
  sp?: bigint;
  nzcv?: number;
  daif?: number;
  sel?: number;
  win: Map<number, bigint>;
  sys: Map<number, bigint>;
  /** F_FP cases: changed V registers (128-bit), FPSR, FPCR. */
  v: Map<number, bigint>;
  fpsr?: number;
  fpcr?: number;
}

export interface RunOutput {
  header?: { count: number; slot: number; window: number };
  results: Result[];
  ended: boolean;
  errors: string[];
  /** Lines that are none of the above (boot noise, partial lines). */
  other: string[];
}

const hexBig = (s: string): bigint => BigInt('0x' + s);
const sHexBig = (s: string): bigint => (s.startsWith('-') ? -hexBig(s.slice(1)) : hexBig(s.replace(/^\+/, '')));

export function parseResultLine(line: string): Result | undefined {
  const parts = line.trim().split(' ');
  const m = /^C([0-9a-f]+)$/.exec(parts[0]);
  if (!m) return undefined;
  const r: Result = { index: parseInt(m[1], 16), x: new Map(), win: new Map(), sys: new Map(), v: new Map() };
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new Error(`bad result field '${p}' in: ${line}`);
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (k === 'p') r.pad = parseInt(v, 10);
    else if (k === 'v') r.vec = parseInt(v, 16);
    else if (k === 'esr') r.esr = hexBig(v);
    else if (k === 'elr') r.elr = sHexBig(v);
    else if (k === 'far') r.far = hexBig(v);
    else if (k === 'spsr') r.spsr = hexBig(v);
    else if (k === 'sp') r.sp = hexBig(v);
    else if (k === 'f') r.nzcv = parseInt(v, 16);
    else if (k === 'd') r.daif = parseInt(v, 16);
    else if (k === 'sel') r.sel = parseInt(v, 10);
    else if (/^x\d+$/.test(k)) r.x.set(parseInt(k.slice(1), 10), hexBig(v));
    else if (/^w[0-9a-f]+$/.test(k)) r.win.set(parseInt(k.slice(1), 16), hexBig(v));
    else if (/^s\d+$/.test(k)) r.sys.set(parseInt(k.slice(1), 10), hexBig(v));
    else if (/^q\d+$/.test(k)) r.v.set(parseInt(k.slice(1), 10), hexBig(v));
    else if (k === 'fpsr') r.fpsr = parseInt(v, 16);
    else if (k === 'fpcr') r.fpcr = parseInt(v, 16);
    else throw new Error(`unknown result field '${k}' in: ${line}`);
  }
  if ((r.pad === undefined) === (r.vec === undefined)) throw new Error(`result needs exactly one of p= and v=: ${line}`);
  return r;
}

export function parseResults(text: string): RunOutput {
  const out: RunOutput = { results: [], ended: false, errors: [], other: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r/g, '');
    if (!line) continue;
    let m: RegExpExecArray | null;
    if ((m = /^A64DIFF 1 count=(\d+) slot=([0-9a-f]+) window=([0-9a-f]+)$/.exec(line))) {
      out.header = { count: Number(m[1]), slot: parseInt(m[2], 16), window: parseInt(m[3], 16) };
    } else if (line.startsWith('C')) {
      const r = parseResultLine(line);
      if (r) out.results.push(r); else out.other.push(line);
    } else if (/^END \d+$/.test(line)) {
      out.ended = true;
    } else if (line.startsWith('ERR ')) {
      out.errors.push(line.slice(4));
    } else {
      out.other.push(line);
    }
  }
  return out;
}

const h16 = (v: bigint) => u64(v).toString(16).padStart(16, '0');
const sHex = (v: bigint) => (v < 0n ? '-' + (-v).toString(16) : '+' + v.toString(16));

/** The line the runner prints for r (canonical form). */
export function formatResult(r: Result): string {
  let s = 'C' + r.index.toString(16);
  if (r.vec !== undefined) {
    s += ` v=${r.vec.toString(16)} esr=${r.esr!.toString(16)} elr=${sHex(r.elr!)} far=${r.far!.toString(16)} spsr=${r.spsr!.toString(16)}`;
  } else {
    s += ` p=${r.pad}`;
  }
  for (const n of [...r.x.keys()].sort((a, b) => a - b)) s += ` x${n}=${h16(r.x.get(n)!)}`;
  if (r.sp !== undefined) s += ` sp=${h16(r.sp)}`;
  if (r.nzcv !== undefined) s += ` f=${r.nzcv.toString(16)}`;
  if (r.daif !== undefined) s += ` d=${r.daif.toString(16)}`;
  if (r.sel !== undefined) s += ` sel=${r.sel}`;
  for (const n of [...r.win.keys()].sort((a, b) => a - b)) s += ` w${n.toString(16)}=${h16(r.win.get(n)!)}`;
  for (const n of [...r.sys.keys()].sort((a, b) => a - b)) s += ` s${n}=${h16(r.sys.get(n)!)}`;
  for (const n of [...r.v.keys()].sort((a, b) => a - b)) s += ` q${n}=${r.v.get(n)!.toString(16).padStart(32, '0')}`;
  if (r.fpsr !== undefined) s += ` fpsr=${r.fpsr.toString(16)}`;
  if (r.fpcr !== undefined) s += ` fpcr=${r.fpcr.toString(16)}`;
  return s;
}

/** The full final state of a case: its initial state with the result's changes applied. */
export interface FinalState extends State {
  pad?: number;
  vec?: number;
  esr?: bigint;
  elr?: bigint;
  far?: bigint;
  spsr?: bigint;
  sel: number;
}

export function finalState(init: State, r: Result): FinalState {
  const f: FinalState = {
    x: [...init.x], sp: init.sp, nzcv: init.nzcv, daif: init.daif, sys: [...init.sys], win: [...init.win], sel: 1,
    v: [...init.v], fpcr: init.fpcr, fpsr: init.fpsr,
    pad: r.pad, vec: r.vec, esr: r.esr, elr: r.elr, far: r.far, spsr: r.spsr,
  };
  for (const [n, v] of r.x) f.x[n] = v;
  if (r.sp !== undefined) f.sp = r.sp;
  if (r.nzcv !== undefined) f.nzcv = r.nzcv;
  if (r.daif !== undefined) f.daif = r.daif;
  if (r.sel !== undefined) f.sel = r.sel;
  for (const [n, v] of r.win) f.win[n] = v;
  for (const [n, v] of r.sys) f.sys[n] = v;
  for (const [n, v] of r.v) f.v[n] = v;
  if (r.fpsr !== undefined) f.fpsr = r.fpsr;
  if (r.fpcr !== undefined) f.fpcr = r.fpcr;
  return f;
}
