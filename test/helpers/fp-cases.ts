// The floating-point differential cases shared by the fp guest (guest-images/fp/, which runs them
// on QEMU and prints one hash per instruction word and FPCR setting) and test/fp-qemu.test.ts
// (which runs the same cases on a64vm). `npx tsx test/helpers/fp-cases.ts` writes
// guest-images/fp/cases.h from this file.
//
// A word group: one instruction word (destination register 3, sources 0, 1 and 2), an operand
// list, an arity and the FPCR values it runs under. Case (i, j) of a group sets
//   a = L[i], b = L[j] (j = (7i + 3) mod n for arity 1), c = L[(5i + 11j + 3) mod n],
//   V0 = X0 = a, V1 = X1 = b, V2 = X2 = c (upper halves of V0..V2 zero),
//   V3 = X3 = PATTERN (both halves of V3), NZCV = ((3i + j) mod 16) << 28, FPSR = 0,
// runs the word once and hashes V3 (both halves), X3, FPSR and NZCV (fnv below).
// Groups with lanes = 16, 32 or 64 (the Advanced SIMD forms) fill whole registers instead: the
// register for list index x holds lanes L[x], L[x+1], ... (indices mod n, each lane the low
// `lanes` bits of the list value, lane 0 least significant), V0 = pack(i), V1 = pack(j),
// V2 = pack(c), and X0..X2 = their low halves.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PARSED } from '../../src/isa/encodings.ts';

export const PATTERN = 0x5a5a_a5a5_0ff0_f00fn;

// ---- Operand lists ----
function xorshift(seed: bigint) {
  let s = seed;
  return () => {
    s ^= (s << 13n) & 0xffff_ffff_ffff_ffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffff_ffff_ffff_ffffn;
    return s;
  };
}

const single = (x: number) => { const d = new DataView(new ArrayBuffer(4)); d.setFloat32(0, x); return BigInt(d.getUint32(0)); };
const double = (x: number) => { const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, x); return d.getBigUint64(0); };

/** Special single-precision operands, then random ones with exponents near 0 and anywhere. */
function singles(): bigint[] {
  const l = [
    0n, 0x8000_0000n, single(1), single(-1), single(1.5), single(-2.5), single(2.5), single(0.5), single(-0.5), single(3),
    0x0000_0001n, 0x8000_0001n, 0x007f_ffffn, 0x0040_0000n, 0x0020_0001n, 0x0080_0000n, 0x8080_0000n, 0x0080_0001n,
    0x7f7f_ffffn, 0xff7f_ffffn, 0x7e80_0000n, 0x7f80_0000n, 0xff80_0000n,
    0x7fc0_0000n, 0x7fc1_2345n, 0xffc0_0001n, 0x7f80_0001n, 0x7fa0_0042n, 0xff80_ff00n,
    single(2 ** 31), single(-(2 ** 31)), 0x4eff_ffffn, 0xcf00_0001n, single(2 ** 32), 0x4f7f_ffffn,
    single(2 ** 63), single(-(2 ** 63)), single(2 ** 64), 0x3f80_0001n, 0x3f7f_ffffn, single(1 / 3),
  ];
  const r = xorshift(0x1234_5678_9abc_def1n);
  for (let k = 0; k < 9; k++) {
    const v = r();
    const exp = k < 6 ? 127 + Number(v % 9n) - 4 : Number((v >> 40n) & 0xffn);
    l.push(((v >> 63n) << 31n) | (BigInt(exp === 255 ? 254 : exp) << 23n) | (v & 0x7f_ffffn));
  }
  return l;
}

function doubles(): bigint[] {
  const l = [
    0n, 0x8000_0000_0000_0000n, double(1), double(-1), double(1.5), double(-2.5), double(2.5), double(0.5), double(-0.5), double(3),
    1n, 0x8000_0000_0000_0001n, 0x000f_ffff_ffff_ffffn, 0x0008_0000_0000_0000n, 0x0004_0000_0000_0001n,
    0x0010_0000_0000_0000n, 0x8010_0000_0000_0000n, 0x0010_0000_0000_0001n,
    0x7fef_ffff_ffff_ffffn, 0xffef_ffff_ffff_ffffn, 0x7fd0_0000_0000_0000n, 0x7ff0_0000_0000_0000n, 0xfff0_0000_0000_0000n,
    0x7ff8_0000_0000_0000n, 0x7ff8_1234_5678_9abcn, 0xfff8_0000_0000_0001n, 0x7ff0_0000_0000_0001n, 0x7ff4_0000_dead_0042n,
    0xfff0_ff00_0000_0000n,
    double(2 ** 31), double(-(2 ** 31)), double(2 ** 31 - 0.5), double(-(2 ** 31) - 1), double(2 ** 32 - 1), double(2 ** 32),
    double(2 ** 63), double(-(2 ** 63)), 0x43df_ffff_ffff_ffffn, double(2 ** 64), double(2 ** 53 + 2), double(1 / 3),
    0x3ff0_0000_0000_0001n, 0x36a0_0000_0000_0000n, 0x47e0_0000_0000_0000n, 0x3810_0000_0000_0000n,
  ];
  const r = xorshift(0x0fed_cba9_8765_4321n);
  for (let k = 0; k < 9; k++) {
    const v = r();
    const exp = k < 6 ? 1023 + Number(v % 9n) - 4 : Number((v >> 40n) & 0x7ffn);
    l.push(((v >> 63n) << 63n) | (BigInt(exp === 2047 ? 2046 : exp) << 52n) | (v & 0xf_ffff_ffff_ffffn));
  }
  return l;
}

function halves(): bigint[] {
  const l = [0n, 0x8000n, 0x3c00n, 0xbc00n, 0x0001n, 0x8001n, 0x03ffn, 0x0400n, 0x7bffn, 0xfbffn, 0x7c00n, 0xfc00n,
    0x7e00n, 0x7e55n, 0xfe01n, 0x7c01n, 0x7d23n, 0xfc80n, 0x3555n, 0x4248n];
  const r = xorshift(0x5151_5151_7777_1234n);
  for (let k = 0; k < 12; k++) l.push(r() & 0xffffn);
  return l;
}

function integers(): bigint[] {
  const l = [0n, 1n, 2n, 3n, 0xffff_ffff_ffff_ffffn, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n,
    0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x0020_0000_0000_0001n, 0x0020_0000_0000_0003n,
    0x0100_0001n, 0x0100_0003n, 0xffff_ffff_8000_0001n, 0x1234_5678_ffff_fffen, 0x0000_0001_0000_0003n,
    0xfeff_ffffn, 0x7fff_ff80n, 0x7fff_ffc0n, 0xffff_fffe_0000_0000n];
  const r = xorshift(0x2468_ace0_1357_9bdfn);
  for (let k = 0; k < 14; k++) { const v = r(); l.push(k < 7 ? v : v >> BigInt(k * 4)); }
  return l;
}

/**
 * Operands near +-1 and small powers of two, so that sums and fused products cancel in part or
 * in full (FADD, FSUB, FMADD..., FRECPS, FRSQRTS).
 */
function cancelling(N: 32 | 64): bigint[] {
  const F = N === 32 ? 23 : 52;
  const enc = (sign: number, exp: number, frac: bigint) =>
    (BigInt(sign) << BigInt(N - 1)) | (BigInt(exp + (N === 32 ? 127 : 1023)) << BigInt(F)) | frac;
  const l: bigint[] = [];
  for (const sign of [0, 1]) {
    l.push(enc(sign, 0, 0n), enc(sign, 0, 1n), enc(sign, -1, (1n << BigInt(F)) - 1n), enc(sign, 0, (1n << BigInt(F)) - 1n),
      enc(sign, -F, 0n), enc(sign, -2 * F, 0n), enc(sign, 1, 0n), enc(sign, 0, 1n << BigInt(F - 1)), enc(sign, 1, 1n << BigInt(F - 1)),
      enc(sign, 0, 3n), enc(sign, -1, (1n << BigInt(F)) - 3n), enc(sign, -F - 1, 1n));
  }
  const r = xorshift(N === 32 ? 0x7777_1111_3333_5555n : 0x1357_2468_9bdf_ace0n);
  for (let k = 0; k < 8; k++) {
    const v = r();
    l.push(enc(Number(v >> 63n), Number((v >> 56n) & 1n) - 1, v & ((1n << BigInt(F)) - 1n) & ~((1n << BigInt(F - 6)) - 1n)));
  }
  return l;
}

/**
 * Soak mode (not committed, not run by npm test): with FP_SOAK_SEED set, the S, D, H and I lists
 * are 100 random values of that seed each (every exponent, NaNs and denormals included) and
 * FPCR_ALL is cut to four settings. Write cases.h, build fp.elf, run it on QEMU into a file, and
 * run test/fp-qemu.test.ts with FP_FIXTURE=that file (the header check then fails, as it should).
 */
const SOAK = process.env.FP_SOAK_SEED;
function soak(N: 16 | 32 | 64, salt: bigint): bigint[] {
  const r = xorshift(BigInt(SOAK!) * 0x9e37_79b9n + salt);
  const out: bigint[] = [];
  for (let k = 0; k < 100; k++) {
    let v = r();
    if (N < 64) v &= (1n << BigInt(N)) - 1n;
    // half of them near 1.0 (exponent bias +-8), so that sums and products stay in range
    if (k % 2 === 0 && N !== 16) {
      const F = N === 32 ? 23n : 52n, bias = N === 32 ? 127n : 1023n;
      v = (v & ((1n << (F + 1n)) - 1n) & ~(1n << F)) | ((bias - 8n + (v % 17n)) << F) | (((v >> 40n) & 1n) << BigInt(N - 1));
    }
    out.push(v);
  }
  return out;
}

export const LISTS = SOAK
  ? { S: soak(32, 1n), D: soak(64, 2n), H: soak(16, 3n), I: soak(64, 4n), SC: cancelling(32), DC: cancelling(64) }
  : { S: singles(), D: doubles(), H: halves(), I: integers(), SC: cancelling(32), DC: cancelling(64) };
export type ListName = keyof typeof LISTS;

// ---- FPCR settings ----
const RMODES = [0, 1, 2, 3].map((r) => r << 22);
const FZ = 1 << 24, DN = 1 << 25, AHP = 1 << 26;
/** Every rounding mode with neither, either or both of FZ and DN. */
export const FPCR_ALL = SOAK ? [0, RMODES[1] | FZ, RMODES[2] | DN, RMODES[3] | FZ | DN]
  : RMODES.flatMap((r) => [r, r | FZ, r | DN, r | FZ | DN]);
/** Conversions that may involve half precision: FPCR_ALL and every rounding mode with AHP (and AHP|FZ|DN). */
export const FPCR_HALF = [...FPCR_ALL, ...RMODES.flatMap((r) => [r | AHP, r | AHP | FZ | DN])];
/** Instructions FPCR cannot affect. */
export const FPCR_NONE = [0];
/**
 * The Advanced SIMD forms evaluate elements with the scalar core (checked under FPCR_ALL above),
 * so they run under fewer settings: each rounding mode once, with FZ and DN among them.
 */
export const FPCR_SIMD = [0, RMODES[1] | FZ, RMODES[2] | DN, RMODES[3] | FZ | DN];
export const FPCR_SIMD_HALF = [...FPCR_SIMD, AHP, RMODES[2] | AHP | FZ | DN];

// ---- Word groups ----
export interface Group { name: string; word: number; list: ListName; arity: 1 | 2 | 3; fpcr: number[]; lanes: 0 | 16 | 32 | 64 }

/** The 128-bit register image [lo, hi] for list index x of a lane-packed group. */
export function pack(L: bigint[], x: number, lanes: number): [bigint, bigint] {
  if (lanes === 0) return [L[x], 0n];
  let v = 0n;
  const m = (1n << BigInt(lanes)) - 1n;
  for (let k = 0; k < 128 / lanes; k++) v |= (L[(x + k) % L.length] & m) << BigInt(k * lanes);
  return [v & 0xffff_ffff_ffff_ffffn, v >> 64n];
}

const REG: Record<string, number> = { Vd: 3, Rd: 3, Vn: 0, Rn: 0, Vm: 1, Va: 2 };
function word(enc: string, fields: Record<string, number> = {}): number {
  const p = PARSED.find((e) => e.name === enc);
  if (!p) throw new Error(`no encoding ${enc}`);
  let w = p.match;
  for (const f of p.fields) {
    if (f.fixed !== undefined) continue;
    const v = fields[f.name] ?? REG[f.name] ?? 0;
    w |= (v & ((1 << f.width) - 1)) << f.lsb;
  }
  return w >>> 0;
}

function groups(): Group[] {
  const g: Group[] = [];
  const add = (name: string, w: number, list: ListName, arity: 1 | 2 | 3, fpcr = FPCR_ALL, lanes: 0 | 16 | 32 | 64 = 0) =>
    g.push({ name, word: w, list, arity, fpcr, lanes });
  for (const ft of [0, 1]) {
    const L: ListName = ft ? 'D' : 'S';
    const t = ft ? 'd' : 's';
    for (const e of ['FMOV_reg', 'FABS', 'FNEG']) add(`${e} ${t}`, word(e, { ft }), L, 1, FPCR_NONE);
    for (const e of ['FSQRT', 'FRINTN', 'FRINTP', 'FRINTM', 'FRINTZ', 'FRINTA', 'FRINTX', 'FRINTI', 'FCMP_zero', 'FCMPE_zero']) {
      add(`${e} ${t}`, word(e, { ft }), L, 1);
    }
    for (const e of ['FRECPE_scalar', 'FRSQRTE_scalar', 'FRECPX']) add(`${e} ${t}`, word(e, { sz: ft }), L, 1);
    for (const e of ['FMUL', 'FDIV', 'FADD', 'FSUB', 'FMAX', 'FMIN', 'FMAXNM', 'FMINNM', 'FNMUL', 'FCMP', 'FCMPE']) {
      add(`${e} ${t}`, word(e, { ft }), L, 2);
    }
    for (const e of ['FRECPS_scalar', 'FRSQRTS_scalar']) add(`${e} ${t}`, word(e, { sz: ft }), L, 2);
    add(`FCCMP ${t} eq`, word('FCCMP', { ft, cond: 0, nzcv: 0b0101 }), L, 2);
    add(`FCCMPE ${t} ge`, word('FCCMPE', { ft, cond: 10, nzcv: 0b1010 }), L, 2);
    add(`FCSEL ${t} ne`, word('FCSEL', { ft, cond: 1 }), L, 2, FPCR_NONE);
    for (const e of ['FMADD', 'FMSUB', 'FNMADD', 'FNMSUB']) add(`${e} ${t}`, word(e, { ft }), L, 3);
    for (const e of ['FADD', 'FSUB', 'FMADD', 'FMSUB', 'FNMADD', 'FNMSUB']) {
      add(`${e} ${t} cancelling`, word(e, { ft }), ft ? 'DC' : 'SC', e.startsWith('FADD') || e.startsWith('FSUB') ? 2 : 3);
    }
    for (const e of ['FRECPS_scalar', 'FRSQRTS_scalar']) add(`${e} ${t} cancelling`, word(e, { sz: ft }), ft ? 'DC' : 'SC', 2);
    for (const imm8 of [0x00, 0x70, 0x7f, 0x80, 0x3c, 0xc5, 0x1f, 0xff]) {
      add(`FMOV_imm ${t} #${imm8}`, word('FMOV_imm', { ft, imm8 }), L, 1, FPCR_NONE);
    }
    for (const sf of [0, 1]) {
      const r = sf ? 'x' : 'w';
      for (const e of ['FCVTNS', 'FCVTNU', 'FCVTAS', 'FCVTAU', 'FCVTPS', 'FCVTPU', 'FCVTMS', 'FCVTMU', 'FCVTZS', 'FCVTZU']) {
        add(`${e} ${r} ${t}`, word(`${e}_int`, { sf, ft }), L, 1);
      }
      for (const e of ['SCVTF_int', 'UCVTF_int']) add(`${e} ${t} ${r}`, word(e, { sf, ft }), 'I', 1);
      for (const fbits of sf ? [1, 32, 64] : [1, 16, 32]) {
        for (const e of ['FCVTZS_fix', 'FCVTZU_fix']) add(`${e} ${r} ${t} #${fbits}`, word(e, { sf, ft, scale: 64 - fbits }), L, 1);
        for (const e of ['SCVTF_fix', 'UCVTF_fix']) add(`${e} ${t} ${r} #${fbits}`, word(e, { sf, ft, scale: 64 - fbits }), 'I', 1);
      }
    }
  }
  // FCVT between precisions: ftype = source, opc = destination (00 single, 01 double, 11 half)
  for (const [ftype, opc, L] of [[0, 1, 'S'], [0, 3, 'S'], [1, 0, 'D'], [1, 3, 'D'], [3, 0, 'H'], [3, 1, 'H']] as const) {
    add(`FCVT ${ftype}->${opc}`, word('FCVT', { ftype, opc }), L, 1, FPCR_HALF);
  }
  add('FMOV w s', word('FMOV_w_s'), 'D', 1, FPCR_NONE);
  add('FMOV s w', word('FMOV_s_w'), 'I', 1, FPCR_NONE);
  add('FMOV x d', word('FMOV_x_d'), 'D', 1, FPCR_NONE);
  add('FMOV d x', word('FMOV_d_x'), 'I', 1, FPCR_NONE);
  add('FMOV x v.d[1]', word('FMOV_x_v1', { Vn: 3 }), 'I', 1, FPCR_NONE);
  add('FMOV v.d[1] x', word('FMOV_v1_x'), 'I', 1, FPCR_NONE);
  simdGroups(add);
  return g;
}

type Add = (name: string, w: number, list: ListName, arity: 1 | 2 | 3, fpcr?: number[], lanes?: 0 | 16 | 32 | 64) => void;
function simdGroups(add: Add): void {
  const S3 = ['FMAXNM', 'FMLA', 'FADD', 'FMULX', 'FCMEQ', 'FMAX', 'FRECPS', 'FMINNM', 'FMLS', 'FSUB', 'FMIN', 'FRSQRTS',
    'FMAXNMP', 'FADDP', 'FMUL', 'FCMGE', 'FACGE', 'FMAXP', 'FDIV', 'FMINNMP', 'FABD', 'FCMGT', 'FACGT', 'FMINP'];
  const S2 = ['FRINTN', 'FRINTM', 'FCVTNS', 'FCVTMS', 'FCVTAS', 'SCVTF', 'FCMGT_zero', 'FCMEQ_zero', 'FCMLT_zero', 'FABS',
    'FRINTP', 'FRINTZ', 'FCVTPS', 'FCVTZS', 'URECPE', 'FRECPE', 'FRINTA', 'FRINTX', 'FCVTNU', 'FCVTMU', 'FCVTAU', 'UCVTF',
    'FCMGE_zero', 'FCMLE_zero', 'FNEG', 'FRINTI', 'FCVTPU', 'FCVTZU', 'URSQRTE', 'FRSQRTE', 'FSQRT'];
  const intIn = (e: string) => /CVTF|^UR/.test(e);
  for (const sz of [0, 1]) {
    const L: ListName = sz ? 'D' : 'S', lanes = sz ? 64 : 32, t = sz ? '2d' : '4s';
    for (const e of S3) add(`${e}_vec ${t}`, word(`${e}_vec`, { Q: 1, sz }), L, 2, FPCR_SIMD, lanes);
    for (const e of S2) {
      if (sz && /^UR/.test(e)) continue;
      add(`${e}_vec ${t}`, word(`${e}_vec`, { Q: 1, sz }), intIn(e) ? 'I' : L, 1, FPCR_SIMD, lanes);
    }
    for (const e of ['FMULX', 'FCMEQ', 'FCMGE', 'FACGE', 'FABD', 'FCMGT', 'FACGT']) add(`${e}_scalar ${t}`, word(`${e}_scalar`, { sz }), L, 2, FPCR_SIMD);
    for (const e of S2.filter((e) => /^(FCVT[NMAPZ][SU]|[SU]CVTF|FCM.._zero)$/.test(e))) {
      add(`${e}_scalar ${t}`, word(`${e}_scalar`, { sz }), intIn(e) ? 'I' : L, 1, FPCR_SIMD);
    }
    for (const e of ['FMAXNMP', 'FMINNMP', 'FADDP', 'FMAXP', 'FMINP']) add(`${e}_scalar ${t}`, word(`${e}_scalar`, { sz }), L, 1, FPCR_SIMD, lanes);
    // fixed point: fbits 1 and the largest
    for (const e of ['SCVTF', 'UCVTF', 'FCVTZS', 'FCVTZU']) {
      for (const fbits of [1, lanes]) {
        const immhb = 2 * lanes - fbits;
        const f = sz ? { immh: (immhb >> 3) & 7, immb: immhb & 7 } : { immh: (immhb >> 3) & 3, immb: immhb & 7 };
        const list = /CVTF/.test(e) ? 'I' : L;
        add(`${e}_fix_vec ${t} #${fbits}`, word(`${e}_fix_vec_${sz ? 'd' : 's'}`, { Q: 1, ...f }), list, 1, FPCR_SIMD, lanes);
        add(`${e}_fix_scalar ${t} #${fbits}`, word(`${e}_fix_scalar_${sz ? 'd' : 's'}`, f), list, 1, FPCR_SIMD);
      }
    }
  }
  // 64-bit vectors (Q = 0): the upper half is cleared
  for (const e of ['FADD', 'FADDP', 'FMLA', 'FMAXNMP']) add(`${e}_vec 2s`, word(`${e}_vec`, { Q: 0, sz: 0 }), 'S', 2, FPCR_SIMD, 32);
  for (const e of ['FRECPE', 'FCVTZU', 'URSQRTE']) add(`${e}_vec 2s`, word(`${e}_vec`, { Q: 0, sz: 0 }), e === 'URSQRTE' ? 'I' : 'S', 1, FPCR_SIMD, 32);
  // across lanes
  for (const e of ['FMAXNMV', 'FMINNMV', 'FMAXV', 'FMINV']) add(`${e} 4s`, word(e, { Q: 1, sz: 0 }), 'S', 1, FPCR_SIMD, 32);
  // by element
  for (const [e, sz, Q, idx] of [['FMLA', 0, 1, 3], ['FMLA', 1, 1, 1], ['FMLS', 0, 0, 1], ['FMLS', 1, 1, 0], ['FMUL', 0, 1, 2],
    ['FMUL', 1, 1, 1], ['FMULX', 0, 1, 0], ['FMULX', 1, 1, 1]] as const) {
    const f = sz ? { sz, H: idx, L: 0 } : { sz, H: idx >> 1, L: idx & 1 };
    add(`${e}_elem ${sz ? 'd' : 's'} Q${Q} [${idx}]`, word(`${e}_elem`, { Q, ...f }), sz ? 'D' : 'S', 3, FPCR_SIMD, sz ? 64 : 32);
    add(`${e}_elem_scalar ${sz ? 'd' : 's'} [${idx}]`, word(`${e}_elem_scalar`, f), sz ? 'D' : 'S', 3, FPCR_SIMD, sz ? 64 : 32);
  }
  // narrowing and widening
  for (const Q of [0, 1]) {
    add(`FCVTN s->h Q${Q}`, word('FCVTN', { Q, sz: 0 }), 'S', 1, FPCR_SIMD_HALF, 32);
    add(`FCVTN d->s Q${Q}`, word('FCVTN', { Q, sz: 1 }), 'D', 1, FPCR_SIMD, 64);
    add(`FCVTXN d->s Q${Q}`, word('FCVTXN', { Q, sz: 1 }), 'D', 1, FPCR_SIMD, 64);
    add(`FCVTL h->s Q${Q}`, word('FCVTL', { Q, sz: 0 }), 'H', 1, FPCR_SIMD_HALF, 16);
    add(`FCVTL s->d Q${Q}`, word('FCVTL', { Q, sz: 1 }), 'S', 1, FPCR_SIMD, 32);
  }
  add('FCVTXN_scalar', word('FCVTXN_scalar', { sz: 1 }), 'D', 1, FPCR_SIMD);
}

export const GROUPS = groups();

/** Case count of a group under one FPCR value. */
export function caseCount(g: Group): number {
  const n = LISTS[g.list].length;
  return g.arity === 1 ? n : n * n;
}

/** One step of FNV-1a over 32-bit words (a 64-bit value is hashed low word first), each step followed by h ^= h >> 13 (else a flipped bit 31 only ever
 * reaches bit 31), as the guest computes it. */
export function fnv32(h: number, x: number): number {
  h = Math.imul(h ^ x, 16777619) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}
export const FNV_INIT = 2166136261;

// ---- cases.h ----
/** The text of guest-images/fp/cases.h. */
export function casesHeader(): string {
  let s = '/* GENERATED by test/helpers/fp-cases.ts: the fp guest\'s cases. Do not edit. */\n';
  s += `#define PATTERN 0x${PATTERN.toString(16)}ull\n`;
  const ids = Object.keys(LISTS) as ListName[];
  for (const k of ids) {
    s += `static const uint64_t list_${k}[${LISTS[k].length}] = {\n`;
    for (let i = 0; i < LISTS[k].length; i += 4) s += '  ' + LISTS[k].slice(i, i + 4).map((v) => `0x${v.toString(16)}ull,`).join(' ') + '\n';
    s += '};\n';
  }
  const sets = [FPCR_ALL, FPCR_HALF, FPCR_NONE, FPCR_SIMD, FPCR_SIMD_HALF];
  sets.forEach((set, i) => { s += `static const uint32_t fpcr_set${i}[${set.length}] = { ${set.map((v) => `0x${v.toString(16)}`).join(', ')} };\n`; });
  s += 'struct group { uint32_t word; const uint64_t *list; uint32_t n; uint32_t arity; const uint32_t *fpcr; uint32_t nfpcr; uint32_t lanes; };\n';
  s += `#define NGROUPS ${GROUPS.length}\nstatic const struct group groups[NGROUPS] = {\n`;
  for (const g of GROUPS) {
    const si = sets.indexOf(g.fpcr);
    s += `  { 0x${g.word.toString(16).padStart(8, '0')}, list_${g.list}, ${LISTS[g.list].length}, ${g.arity}, fpcr_set${si}, ${g.fpcr.length}, ${g.lanes} }, /* ${g.name} */\n`;
  }
  s += '};\n';
  return s;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(fileURLToPath(new URL('../../guest-images/fp/cases.h', import.meta.url)), casesHeader());
  const total = GROUPS.reduce((t, g) => t + caseCount(g) * g.fpcr.length, 0);
  console.log(`${GROUPS.length} groups, ${total} cases`);
}
