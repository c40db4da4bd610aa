// Hand-worked cases for the scalar floating-point instructions (assembly/exec/fp_*.ts over the
// software core in assembly/fp/): rounding in each mode, ties, signed zeros, tininess and
// flush-to-zero, overflow, NaN propagation and quieting, the default NaN, compare flags,
// fused multiply-add, conversions with saturation, the estimate tables, and the encodings that
// must be UNDEFINED or trap. Words were assembled with llvm-mc; each expected value is worked
// out from the Arm ARM pseudocode (and the whole groups are checked against QEMU by
// test/fp-qemu.test.ts).
import { describe, it, expect } from 'vitest';
import { FpRig } from './helpers/fprig.ts';

const IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;
const RN = 0, RP = 1 << 22, RM = 2 << 22, RZ = 3 << 22, FZ = 1 << 24, DN = 1 << 25, AHP = 1 << 26;

const W = {
  fadd_s: 0x1e212803, fmul_s: 0x1e210803, fdiv_s: 0x1e211803, fcmp_s: 0x1e212000, fcmpe_s: 0x1e212010,
  fmadd_s: 0x1f010803, fmsub_d: 0x1f418803, fnmul_d: 0x1e618803, fmul_d: 0x1e610803,
  fcvtzs_ws: 0x1e380003, fcvtns_ws: 0x1e200003, fcvtas_ws: 0x1e240003, fcvtzu_ws: 0x1e390003,
  frintx_s: 0x1e274003, frinta_s: 0x1e264003, frintz_s: 0x1e25c003, fcvt_hs: 0x1e23c003, fcvt_sh: 0x1ee24003,
  frecpe_s: 0x5ea1d803, frsqrte_s: 0x7ea1d803, frecps_s: 0x5e21fc03, fsqrt_s: 0x1e21c003,
  fmaxnm_s: 0x1e216803, fminnm_s: 0x1e217803, fmax_s: 0x1e214803, fmin_s: 0x1e215803,
  fmov_s_imm: 0x1e3e9003, fmov_d_x: 0x9e670003, fmov_v1_x: 0x9eaf0003, fccmp_s_ne: 0x1e211402,
  scvtf_s_w31: 0x1e028403,
};

const rig = new FpRig();
/** Runs word on V0 = a, V1 = b, V2 = c (X0 = a too): [V3 low 64 bits, FPSR]. */
function fp(word: number, fpcr: number, a: bigint, b = 0n, c = 0n): [bigint, number] {
  const s = rig.step(word, [a, b, c, 0xffff_ffff_ffff_ffffn], [a, b, c], fpcr, 0, [0n, 0n, 0n, 0xffff_ffff_ffff_ffffn]);
  expect(s.pc, 'the instruction retired').toBe(0x1104n);
  expect(s.v[3][1], 'upper half of V3 cleared').toBe(0n);
  return [s.v[3][0], s.fpsr];
}
/** Runs a conversion to a general register: [X3, FPSR]. */
function toInt(word: number, fpcr: number, a: bigint): [bigint, number] {
  const s = rig.step(word, [a], [a, 0n, 0n, 0xdeadn], fpcr);
  return [s.x[3], s.fpsr];
}
function cmp(word: number, fpcr: number, a: bigint, b: bigint, nzcv = 0): [number, number] {
  const s = rig.step(word, [a, b], [], fpcr, nzcv);
  return [s.nzcv >>> 0, s.fpsr];
}

describe('rounding', () => {
  // 1 + 2^-24 is exactly half an ulp above 1.0 (single)
  const ONE = 0x3f80_0000n, HALF_ULP = 0x3380_0000n;
  it('a tie goes to even in RN; RP rounds up, RM and RZ down; all inexact', () => {
    expect(fp(W.fadd_s, RN, ONE, HALF_ULP)).toEqual([ONE, IXC]);
    expect(fp(W.fadd_s, RP, ONE, HALF_ULP)).toEqual([0x3f80_0001n, IXC]);
    expect(fp(W.fadd_s, RM, ONE, HALF_ULP)).toEqual([ONE, IXC]);
    expect(fp(W.fadd_s, RZ, ONE, HALF_ULP)).toEqual([ONE, IXC]);
    // (1 + 2^-23) + 2^-24: the tie now rounds up to the even 1 + 2^-22
    expect(fp(W.fadd_s, RN, 0x3f80_0001n, HALF_ULP)).toEqual([0x3f80_0002n, IXC]);
  });
  it('x + (-x) is +0, and -0 when rounding towards minus infinity', () => {
    expect(fp(W.fadd_s, RN, ONE, 0xbf80_0000n)).toEqual([0n, 0]);
    expect(fp(W.fadd_s, RM, ONE, 0xbf80_0000n)).toEqual([0x8000_0000n, 0]);
    expect(fp(W.fadd_s, RN, 0x8000_0000n, 0x8000_0000n)).toEqual([0x8000_0000n, 0]);
  });
  it('overflow: infinity or the largest normal by mode and sign, with OFC and IXC', () => {
    const MAX = 0x7f7f_ffffn, TWO = 0x4000_0000n;
    expect(fp(W.fmul_s, RN, MAX, TWO)).toEqual([0x7f80_0000n, OFC | IXC]);
    expect(fp(W.fmul_s, RZ, MAX, TWO)).toEqual([MAX, OFC | IXC]);
    expect(fp(W.fmul_s, RM, MAX, TWO)).toEqual([MAX, OFC | IXC]);
    expect(fp(W.fmul_s, RM, MAX, 0xc000_0000n)).toEqual([0xff80_0000n, OFC | IXC]);
    expect(fp(W.fmul_s, RP, MAX, 0xc000_0000n)).toEqual([0xff7f_ffffn, OFC | IXC]);
  });
});

describe('denormals, underflow and flush-to-zero', () => {
  const MIN_NORMAL = 0x0080_0000n, HALF = 0x3f00_0000n;
  it('an exact denormal result raises nothing; an inexact one UFC and IXC (tininess before rounding)', () => {
    expect(fp(W.fmul_s, RN, MIN_NORMAL, HALF)).toEqual([0x0040_0000n, 0]);
    // (2^-126 + 2^-149) / 2 is a tie between 0x00400000 and 0x00400001: even wins
    expect(fp(W.fmul_s, RN, 0x0080_0001n, HALF)).toEqual([0x0040_0000n, UFC | IXC]);
    expect(fp(W.fmul_s, RP, 0x0080_0001n, HALF)).toEqual([0x0040_0001n, UFC | IXC]);
    // the largest denormal plus a rounding bit rounds up to the smallest normal: still UFC (tiny before rounding)
    expect(fp(W.fmul_s, RP, 0x00ff_ffffn, HALF)).toEqual([MIN_NORMAL, UFC | IXC]);
  });
  it('FZ flushes a tiny result to zero with UFC only, and denormal inputs to zero with IDC', () => {
    expect(fp(W.fmul_s, FZ, MIN_NORMAL, HALF)).toEqual([0n, UFC]);
    expect(fp(W.fmul_s, FZ, 0x8080_0000n, HALF)).toEqual([0x8000_0000n, UFC]);
    expect(fp(W.fadd_s, FZ, 0x0000_0001n, 0x8000_0000n)).toEqual([0n, IDC]); // +0 + -0 = +0
    expect(fp(W.fadd_s, FZ | RM, 0x8000_0001n, 0x0000_0000n)).toEqual([0x8000_0000n, IDC]); // -0 + +0 in RM
  });
});

describe('NaNs', () => {
  const QNAN1 = 0x7fc0_0001n, SNAN2 = 0x7f80_0002n, DEFAULT = 0x7fc0_0000n;
  it('a signalling NaN wins over a quiet one (whatever the order), is quietened and raises IOC', () => {
    expect(fp(W.fadd_s, RN, QNAN1, SNAN2)).toEqual([0x7fc0_0002n, IOC]);
    expect(fp(W.fadd_s, RN, SNAN2, QNAN1)).toEqual([0x7fc0_0002n, IOC]);
  });
  it('otherwise the first NaN operand propagates, sign and payload kept', () => {
    expect(fp(W.fadd_s, RN, 0xffc1_2345n, 0x7fc0_0007n)).toEqual([0xffc1_2345n, 0]);
    expect(fp(W.fadd_s, RN, 0x3f80_0000n, 0xffc0_0007n)).toEqual([0xffc0_0007n, 0]);
  });
  it('DN gives the default NaN, still with IOC for a signalling NaN', () => {
    expect(fp(W.fadd_s, DN, QNAN1, SNAN2)).toEqual([DEFAULT, IOC]);
    expect(fp(W.fadd_s, DN, 0xffc1_2345n, 0n)).toEqual([DEFAULT, 0]);
  });
  it('invalid operations give the default NaN: inf - inf, 0 * inf, 0 / 0, sqrt(-1)', () => {
    expect(fp(W.fadd_s, RN, 0x7f80_0000n, 0xff80_0000n)).toEqual([DEFAULT, IOC]);
    expect(fp(W.fmul_s, RN, 0n, 0xff80_0000n)).toEqual([DEFAULT, IOC]);
    expect(fp(W.fdiv_s, RN, 0n, 0x8000_0000n)).toEqual([DEFAULT, IOC]);
    expect(fp(W.fsqrt_s, RN, 0xbf80_0000n)).toEqual([DEFAULT, IOC]);
    expect(fp(W.fsqrt_s, RN, 0x8000_0000n)).toEqual([0x8000_0000n, 0]); // sqrt(-0) = -0
  });
  it('x / 0 is a signed infinity with DZC', () => {
    expect(fp(W.fdiv_s, RN, 0xbf80_0000n, 0n)).toEqual([0xff80_0000n, DZC]);
  });
  it('FNMUL negates a NaN result too; FMSUB negates a NaN operand', () => {
    expect(fp(W.fnmul_d, RN, 0x7ff8_0000_0000_0001n, 0n)).toEqual([0xfff8_0000_0000_0001n, 0]);
    expect(fp(W.fmsub_d, RN, 0x7ff8_0000_0000_0005n, 0n, 0n)).toEqual([0xfff8_0000_0000_0005n, 0]);
  });
  it('FMAXNM/FMINNM ignore one quiet NaN; FMAX/FMIN propagate it; the zero signs order -0 < +0', () => {
    expect(fp(W.fmaxnm_s, RN, 0x7fc0_0000n, 0xbf80_0000n)).toEqual([0xbf80_0000n, 0]);
    expect(fp(W.fminnm_s, RN, 0x3f80_0000n, 0xffc0_0000n)).toEqual([0x3f80_0000n, 0]);
    expect(fp(W.fmaxnm_s, RN, 0x7fc0_0000n, 0x7f80_0001n)).toEqual([0x7fc0_0001n, IOC]); // a signalling NaN still wins
    expect(fp(W.fmax_s, RN, 0x7fc0_0000n, 0xbf80_0000n)).toEqual([0x7fc0_0000n, 0]);
    expect(fp(W.fmax_s, RN, 0x8000_0000n, 0n)).toEqual([0n, 0]);
    expect(fp(W.fmin_s, RN, 0n, 0x8000_0000n)).toEqual([0x8000_0000n, 0]);
  });
});

describe('compare', () => {
  it('NZCV: less 1000, equal 0110, greater 0010, unordered 0011', () => {
    expect(cmp(W.fcmp_s, RN, 0x3f80_0000n, 0x4000_0000n)).toEqual([0x8000_0000, 0]);
    expect(cmp(W.fcmp_s, RN, 0x8000_0000n, 0n)).toEqual([0x6000_0000, 0]);
    expect(cmp(W.fcmp_s, RN, 0x7f80_0000n, 0x7f7f_ffffn)).toEqual([0x2000_0000, 0]);
    expect(cmp(W.fcmp_s, RN, 0x7fc0_0000n, 0n)).toEqual([0x3000_0000, 0]);
  });
  it('FCMP raises IOC only for a signalling NaN, FCMPE for any NaN', () => {
    expect(cmp(W.fcmp_s, RN, 0x7f80_0001n, 0n)).toEqual([0x3000_0000, IOC]);
    expect(cmp(W.fcmpe_s, RN, 0x7fc0_0000n, 0n)).toEqual([0x3000_0000, IOC]);
  });
  it('FZ: a denormal compares equal to zero (IDC)', () => {
    expect(cmp(W.fcmp_s, FZ, 0x0000_0001n, 0x8000_0000n)).toEqual([0x6000_0000, IDC]);
  });
  it('FCCMP takes the immediate flags when the condition fails', () => {
    expect(cmp(W.fccmp_s_ne, RN, 0n, 0x3f80_0000n, 0x4000_0000)).toEqual([0x2000_0000, 0]); // Z set: NE fails
    expect(cmp(W.fccmp_s_ne, RN, 0n, 0x3f80_0000n, 0)).toEqual([0x8000_0000, 0]);
  });
});

describe('fused multiply-add', () => {
  it('rounds once: (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly', () => {
    expect(fp(W.fmadd_s, RN, 0x3f80_0001n, 0x3f7f_fffen, 0xbf80_0000n)).toEqual([0xa880_0000n, 0]);
  });
  it('a quiet NaN addend does not hide the invalid 0 * inf', () => {
    expect(fp(W.fmadd_s, RN, 0n, 0x7f80_0000n, 0x7fc0_1234n)).toEqual([0x7fc0_0000n, IOC]);
    expect(fp(W.fmadd_s, RN, 0x3f80_0000n, 0x3f80_0000n, 0x7fc0_1234n)).toEqual([0x7fc0_1234n, 0]);
  });
  it('FRECPS: 2 - a*b, with inf * 0 giving 2.0', () => {
    expect(fp(W.frecps_s, RN, 0x7f80_0000n, 0n)).toEqual([0x4000_0000n, 0]);
    expect(fp(W.frecps_s, RN, 0x3f80_0000n, 0x3f80_0000n)).toEqual([0x3f80_0000n, 0]);
  });
});

describe('conversions', () => {
  it('to integer: rounding by instruction, saturation with IOC only', () => {
    expect(toInt(W.fcvtns_ws, RN, 0x4020_0000n)).toEqual([2n, IXC]); // 2.5 -> 2 (even)
    expect(toInt(W.fcvtas_ws, RN, 0x4020_0000n)).toEqual([3n, IXC]); // away from zero
    expect(toInt(W.fcvtas_ws, RN, 0xc020_0000n)).toEqual([0xffff_fffdn, IXC]); // -3, W result zero-extended
    expect(toInt(W.fcvtzs_ws, RN, 0x4f00_0000n)).toEqual([0x7fff_ffffn, IOC]); // 2^31 saturates
    expect(toInt(W.fcvtzs_ws, RN, 0xcf00_0000n)).toEqual([0x8000_0000n, 0]); // -2^31 fits
    expect(toInt(W.fcvtzu_ws, RN, 0xbf00_0000n)).toEqual([0n, IXC]); // -0.5 -> 0 is only inexact
    expect(toInt(W.fcvtzu_ws, RN, 0xbf80_0000n)).toEqual([0n, IOC]); // -1 saturates
    expect(toInt(W.fcvtzs_ws, RN, 0x7fc0_0000n)).toEqual([0n, IOC]); // NaN -> 0
  });
  it('FRINT: X raises IXC, A rounds ties away, Z keeps the sign of a zero result', () => {
    expect(fp(W.frintx_s, RN, 0x4020_0000n)).toEqual([0x4000_0000n, IXC]);
    expect(fp(W.frinta_s, RN, 0xbf00_0000n)).toEqual([0xbf80_0000n, 0]);
    expect(fp(W.frintz_s, RN, 0xbf00_0000n)).toEqual([0x8000_0000n, 0]);
  });
  it('FCVT to half: a tie above the largest normal overflows to infinity; AHP has no infinity or NaN (IOC)', () => {
    expect(fp(W.fcvt_hs, RN, 0x477f_f000n)).toEqual([0x7c00n, OFC | IXC]); // 65520 rounds up out of range
    expect(fp(W.fcvt_hs, RZ, 0x477f_f000n)).toEqual([0x7bffn, IXC]); // rounds down to the largest normal: no overflow
    expect(fp(W.fcvt_hs, AHP, 0x7f80_0000n)).toEqual([0x7fffn, IOC]);
    expect(fp(W.fcvt_hs, AHP, 0xffc0_0000n)).toEqual([0x8000n, IOC]);
    expect(fp(W.fcvt_hs, AHP, 0x477f_f000n)).toEqual([0x7c00n, IXC]); // 65520 is finite in AHP
  });
  it('FCVT from half: never flushed, even with FZ; a signalling NaN is quietened with its payload', () => {
    expect(fp(W.fcvt_sh, FZ, 0x0001n)).toEqual([0x3380_0000n, 0]); // 2^-24
    expect(fp(W.fcvt_sh, RN, 0x7d23n)).toEqual([0x7fe4_6000n, IOC]);
    expect(fp(W.fcvt_sh, AHP, 0x7c00n)).toEqual([0x4780_0000n, 0]); // 65536 in AHP
  });
  it('SCVTF with fbits: the value scaled by 2^-fbits', () => {
    expect(fp(W.scvtf_s_w31, RN, 0xffff_ffff_8000_0000n)).toEqual([0xbf80_0000n, 0]); // -2^31 / 2^31
  });
});

describe('estimates (Armv8.0 tables)', () => {
  it('FRECPE 2.0 = 511/512 / 2; FRSQRTE 4.0 = 511/512 / 2', () => {
    expect(fp(W.frecpe_s, RN, 0x4000_0000n)).toEqual([0x3eff_8000n, 0]);
    expect(fp(W.frsqrte_s, RN, 0x4080_0000n)).toEqual([0x3eff_8000n, 0]);
  });
  it('FRECPE of a tiny denormal overflows; of +0 is +inf with DZC; FRSQRTE of a negative is the default NaN', () => {
    expect(fp(W.frecpe_s, RN, 0x0000_0001n)).toEqual([0x7f80_0000n, OFC | IXC]);
    expect(fp(W.frecpe_s, RZ, 0x0000_0001n)).toEqual([0x7f7f_ffffn, OFC | IXC]);
    expect(fp(W.frecpe_s, RN, 0n)).toEqual([0x7f80_0000n, DZC]);
    expect(fp(W.frsqrte_s, RN, 0xbf80_0000n)).toEqual([0x7fc0_0000n, IOC]);
  });
});

describe('moves', () => {
  it('FMOV (immediate) expands imm8; FMOV Dd, Xn clears the upper half; FMOV Vd.D[1], Xn keeps the lower', () => {
    expect(fp(W.fmov_s_imm, RN, 0n)).toEqual([0xbfa0_0000n, 0]); // -1.25
    expect(fp(W.fmov_d_x, RN, 0x0123_4567_89ab_cdefn)).toEqual([0x0123_4567_89ab_cdefn, 0]);
    const s = rig.step(W.fmov_v1_x, [], [0xabcdn], 0, 0, [0n, 0n, 0n, 0n]);
    expect(s.v[3]).toEqual([0n, 0xabcdn]);
  });
});

describe('UNDEFINED and trapped encodings', () => {
  const undef = (word: number) => {
    const s = rig.step(word, [], [], 0);
    return (s.esr >> 26n) & 0x3fn;
  };
  it('ftype 10, half-precision arithmetic (FEAT_FP16), FCVT to its own type, FRINT rmode 101, 32-bit fixed point with scale < 32', () => {
    for (const w of [0x1ea12803, 0x1ee12803, 0x1e224003, 0x1e26c003, 0x1e027c03]) {
      rig.cpu.setSysreg('ESR_EL1', 0xffn << 26n);
      expect(undef(w), w.toString(16)).toBe(0n); // EC 0x00: unknown reason
    }
  });
  it('CPACR_EL1.FPEN = 00 traps to EL1 with EC 0x07', () => {
    rig.cpu.setSysreg('CPACR_EL1', 0n);
    const s = rig.step(W.fadd_s, [], [], 0);
    rig.cpu.setSysreg('CPACR_EL1', 3n << 20n);
    expect(s.esr).toBe(0x1fe0_0000n);
  });
});
