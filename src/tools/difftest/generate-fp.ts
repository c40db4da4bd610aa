// The SIMD&FP part of the differential-test generator: FPCR and FPSR for the case, V registers
// filled lane by lane with the floating-point values where implementations go wrong (signed
// zeros, infinities, quiet and signalling NaNs with payloads, subnormals, the normal range's
// ends, ties, values at the integer-conversion limits), and the decode-time validity rules of the
// SIMD&FP encodings (enforced most of the time so that most cases execute; the rest checks that
// both sides make the reserved forms UNDEFINED).
import type { Parsed } from '../../isa/encodings.ts';
import { type Rng32 } from './format.ts';
import type { Gen, Word } from './generate.ts';

// FPCR fields (Arm ARM D17.2.56): AHP [26], DN [25], FZ [24], RMode [23:22]. The trap enables
// and FZ16 are left 0 (a64vm implements Armv8.0 without trapping; FZ16 is FEAT_FP16).
const FPCR_AHP = 1 << 26, FPCR_DN = 1 << 25, FPCR_FZ = 1 << 24;
// FPSR (D17.2.57): QC [27], IDC [7], IXC [4], UFC [3], OFC [2], DZC [1], IOC [0].
const FPSR_BITS = [1 << 27, 1 << 7, 1 << 4, 1 << 3, 1 << 2, 1 << 1, 1 << 0];

export function drawFpcr(r: Rng32): number {
  if (r.chance(0.25)) return 0;
  let v = r.below(4) << 22;
  if (r.chance(0.35)) v |= FPCR_FZ;
  if (r.chance(0.35)) v |= FPCR_DN;
  if (r.chance(0.25)) v |= FPCR_AHP;
  return v >>> 0;
}

export function drawFpsr(r: Rng32): number {
  if (r.chance(0.6)) return 0;
  let v = 0;
  for (const b of FPSR_BITS) if (r.chance(0.3)) v |= b;
  return v >>> 0;
}

// ---- interesting values, per element size ----
const F16 = [
  0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7e01, 0x7c01, 0x7d55, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff,
  0xfbff, 0x3c00, 0xbc00, 0x3800, 0x3e00, 0x4100,
].map(BigInt);
const F32 = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, // zeros, infinities
  0x7fc00000, 0xffc00000, 0x7fc12345, 0xffe00001, // quiet NaNs (default, negative, payloads)
  0x7f800001, 0x7fa00000, 0xffbfffff, 0x7f812345, // signalling NaNs with payloads
  0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000, 0x00000800, // subnormals
  0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x00800001, 0x7f000000, // normal range ends
  0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0xc0200000, 0x3f7fffff, 0x3effffff,
  0x4b000000, 0x4b000001, 0x4affffff, // 2^23: the last float with fractions, ties at .5
  0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x4f800000, 0x4f7fffff, // 2^31, -2^31, 2^32 edges
  0x5f000000, 0xdf000000, 0x5effffff, 0xdf000001, 0x5f800000, 0x5f7fffff, // 2^63, -2^63, 2^64 edges
  0x40490fdb, 0x3eaaaaab, 0x1f800000, 0x5e800000, // pi, 1/3, exponents near the reciprocal limits
].map(BigInt);
const F64 = [
  0x0000000000000000n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n,
  0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff800000000abcdn, 0xfffc000000000001n,
  0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff7ffffffffffffn, 0x7ff0000012345678n,
  0x0000000000000001n, 0x8000000000000001n, 0x000fffffffffffffn, 0x800fffffffffffffn, 0x0008000000000000n,
  0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn, 0x0010000000000001n,
  0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n, 0x3ff8000000000000n, 0x4004000000000000n,
  0xbff8000000000000n, 0x3fefffffffffffffn, 0x4330000000000000n, 0x4330000000000001n, 0x432fffffffffffffn,
  0x41dfffffffc00000n, 0x41e0000000000000n, 0xc1e0000000000000n, 0xc1e0000000200000n, 0x41dfffffffe00000n, // 2^31 edges
  0x41efffffffe00000n, 0x41f0000000000000n, 0x41effffffff00000n, // 2^32 edges
  0x43e0000000000000n, 0xc3e0000000000000n, 0x43dfffffffffffffn, 0xc3e0000000000001n, 0x43f0000000000000n, 0x43efffffffffffffn,
  0x36a0000000000000n, 0x3690000000000000n, 0x47efffffe0000000n, 0x47f0000000000000n, 0x380fffffe0000000n, // single range ends
  0x3810000000000000n, 0x3e9ffffffdffffffn, 0x400921fb54442d18n, 0x3fd5555555555555n, 0x1ff0000000000000n,
];

const mask = (bits: number) => (1n << BigInt(bits)) - 1n;

/** A value of `bits` bits (16, 32 or 64) that is interesting as a floating-point number. */
export function fpValue(r: Rng32, bits: number): bigint {
  const table = bits === 16 ? F16 : bits === 32 ? F32 : F64;
  const eb = bits === 16 ? 5 : bits === 32 ? 8 : 11;
  const mb = bits - 1 - eb;
  const k = r.below(100);
  if (k < 55) return r.pick(table);
  const rnd = (r.next64() & mask(bits));
  if (k < 70) return rnd;
  // sign, an exponent near the interesting places (subnormal, 1.0, the top), a random fraction
  const bias = (1 << (eb - 1)) - 1;
  const top = (1 << eb) - 1;
  const exp = r.pick([0, 1, 2, bias - 1, bias, bias + 1, bias + mb, bias + mb + 1, top - 2, top - 1, top, r.below(top + 1)]);
  const frac = r.chance(0.3) ? BigInt(r.below(8)) : r.chance(0.3) ? mask(mb) - BigInt(r.below(8)) : rnd & mask(mb);
  return (BigInt(r.below(2)) << BigInt(bits - 1)) | (BigInt(exp) << BigInt(mb)) | frac;
}

/** A 128-bit register of `bits`-bit lanes (0: each 64-bit half single or double at random). */
export function fpVector(r: Rng32, bits: number): bigint {
  let v = 0n;
  for (let half = 0; half < 2; half++) {
    const b = bits || (r.chance(0.5) ? 32 : 64);
    let h = 0n;
    for (let lane = 0; lane < 64 / b; lane++) h |= fpValue(r, b) << BigInt(lane * b);
    v |= h << BigInt(64 * half);
  }
  return v;
}

/** Integer lanes of `bits` bits: the signed/unsigned edges, small values, random bits. */
export function intLane(r: Rng32, bits: number): bigint {
  const m = mask(bits), half = 1n << BigInt(bits - 1);
  const k = r.below(100);
  if (k < 50) return r.pick([0n, 1n, 2n, m, m - 1n, half, half - 1n, half + 1n, BigInt(r.below(bits + 2))]) & m;
  return r.next64() & m;
}

/** A 128-bit register of integer lanes. */
export function intVector(r: Rng32, bits: number): bigint {
  let v = 0n;
  for (let lane = 0; lane < 128 / bits; lane++) v |= intLane(r, bits) << BigInt(lane * bits);
  return v;
}

/**
 * Whether an encoding computes on floating-point values (its group: fp_* and simd_fp*): the
 * others (Advanced SIMD integer, permutes, copies, crypto) get integer lanes of their `size`.
 */
const isFpGroup = (enc: Parsed): boolean => /^(fp_|simd_fp)/.test(enc.group);

/** The element size an encoding's V registers hold, from its size field (0: mixed/unknown). */
function elementBits(enc: Parsed, w: Word): number {
  if (enc.name === 'FCVT') return [32, 64, 0, 16][w.get('ftype')];
  if (/_fix_(vec|scalar)_s$/.test(enc.name)) return 32;
  if (/_fix_(vec|scalar)_d$/.test(enc.name)) return 64;
  if (w.field('ft')) return w.get('ft') ? 64 : 32;
  if (w.field('sz') && !/^FCVT[LNX]/.test(enc.name)) return w.get('sz') ? 64 : 32;
  return 0;
}

// vm (4 bits): the by-element register of Advanced SIMD integer forms with 16-bit elements (M apart).
const V_FIELDS = ['Vd', 'Vn', 'Vm', 'Va', 'vm'];

/** FPCR, FPSR and the V registers the instruction names. */
export function shapeFp(g: Gen, r: Rng32): boolean {
  const enc = g.w.enc;
  g.c.fpcr = drawFpcr(r);
  g.c.fpsr = drawFpsr(r);
  const bits = elementBits(enc, g.w);
  const intBits = g.w.field('size') ? 8 << g.w.get('size') : 0;
  for (const f of V_FIELDS) {
    if (!g.w.field(f) || r.chance(0.15)) continue;
    let n = g.w.get(f);
    if (f === 'Vm' && /_elem/.test(enc.name) && !g.w.get('sz')) n &= 15; // M:Rm, M is the index's low bit
    const ints = !isFpGroup(enc) && r.chance(0.8);
    g.c.vregs.set(n, ints ? intVector(r, intBits || r.pick([8, 16, 32, 64])) : fpVector(r, bits));
  }
  return true;
}

/**
 * Decode-time rules of the SIMD&FP encodings (the assembly's pre_ checks), applied 90 % of the
 * time: reserved size/Q combinations, the across-lanes 4S-only rule, FCVT's type pairs,
 * FCVTXN's double source, and the fixed-point scale of 32-bit integers (scale >= 32).
 */
export function FP_VALIDITY(enc: Parsed, w: Word, r: Rng32): void {
  switch (enc.pre) {
    case 'simd3': case 'simd2': case 'elem':
      if (w.get('Q') === 0 && w.get('sz') === 1) w.set('Q', 1);
      if (enc.pre === 'elem' && w.get('sz') === 1) w.set('L', 0);
      if (/^URECPE|^URSQRTE/.test(enc.name)) w.set('sz', 0); // 32-bit integer lanes only
      break;
    case 'elem_scalar':
      if (w.get('sz') === 1) w.set('L', 0);
      break;
    case 'across':
      w.set('Q', 1); w.set('sz', 0);
      break;
    case 'fcvtxn':
      w.set('sz', 1);
      break;
    case 'fcvt': {
      const pairs = [[0, 1], [0, 3], [1, 0], [1, 3], [3, 0], [3, 1]];
      const [t, o] = r.pick(pairs);
      w.set('ftype', t); w.set('opc', o);
      break;
    }
    case 'fixed':
      if (w.get('sf') === 0) w.set('scale', w.get('scale') | 32);
      break;
    case 'simd_fixed':
      if (/_d$/.test(enc.name)) w.set('Q', 1);
      break;
    case 'vmulti': // size 11 with Q = 0 is reserved for LD2-LD4/ST2-ST4
      if (!/_x\d_/.test(enc.name) && w.get('size') === 3) w.set('Q', 1);
      break;
    case 'vsingle': // H: size<0> = 0; S/D: size<1> = 0, S = 0 for D; LDnR: S = 0
      if (/_single_H/.test(enc.name)) w.set('size', w.get('size') & 2);
      if (/_single_SD/.test(enc.name)) { w.set('size', w.get('size') & 1); if (w.get('size') === 1) w.set('S', 0); }
      if (/^LD\dR/.test(enc.name)) w.set('S', 0);
      break;
  }
}
