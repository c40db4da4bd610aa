// Hand-worked cases for the data-processing groups (assembly/exec/dpimm.ts, dpreg.ts): every
// instruction family, its aliases and edge cases, and the reserved encodings that must be
// UNDEFINED. Words were assembled with llvm-mc; the expected values were worked out by hand
// from the Arm ARM pseudocode (and cross-checked against qemu-aarch64).
import { describe, it, expect } from 'vitest';
import { Cpu } from '../src/cpu/cpu.ts';

const M64 = (1n << 64n) - 1n;
const PC0 = 0x1100n; // code runs at IPA/VA 0x1100 (MMU off), so ADRP sees a nonzero page
const VBAR = 0x10000n;

/** One vCPU at EL1h, MMU off, with one stage-2 page (IPA 0x1000) holding the code. */
class Rig {
  readonly cpu = new Cpu();
  private code: number;
  constructor() {
    const c = this.cpu;
    const base = c.alloc(0x10000); // 64 KiB aligned
    const l2 = base; // 25-bit IPA space: VTCR.T0SZ = 39, SL0 = 0, start at level 2 (16 entries)
    const l3 = base + 0x1000;
    this.code = base + 0x2000;
    c.setU64(l2, BigInt(l3) | 3n); // table
    // page IPA 0x1000 -> code: valid page, AF, S2AP read/write, executable
    c.setU64(l3 + 8, BigInt(this.code) | 3n | (1n << 10n) | (3n << 6n));
    c.setSysreg('VTCR_EL2', 39n);
    c.setSysreg('VTTBR_EL2', BigInt(l2));
    c.setSysreg('VBAR_EL1', VBAR);
    c.setPstateMode(1, 1);
  }
  run(words: number[], x: Record<number, bigint>, sp: bigint, nzcv: number) {
    const c = this.cpu;
    words.forEach((w, i) => c.setU32(this.code + 0x100 + 4 * i, w));
    for (let i = 0; i < 31; i++) c.setX(i, x[i] ?? 0n);
    c.sp = sp;
    c.nzcv = nzcv >>> 0;
    c.pc = PC0;
    c.setPstateMode(1, 1);
    c.run(BigInt(words.length));
    return {
      x: Array.from({ length: 31 }, (_, i) => c.x(i)),
      sp: c.sp, nzcv: c.nzcv >>> 0, pc: c.pc,
      esr: c.sysreg('ESR_EL1'), elr: c.sysreg('ELR_EL1'),
    };
  }
}

interface Case {
  asm: string;
  w: number | number[];
  x?: Record<number, bigint>;
  sp?: bigint;
  nzcv?: number;
  /** Registers written (all others must be unchanged); nzcv/sp default to unchanged. */
  want: { x?: Record<number, bigint>; sp?: bigint; nzcv?: number };
}

const N = 0x80000000, Z = 0x40000000, C = 0x20000000, V = 0x10000000;
const neg = (v: bigint) => BigInt.asUintN(64, -v);
const IMIN = 0x8000000000000000n;

const CASES: Case[] = [
  // ---- ADR / ADRP ----
  { asm: 'adr x0, #16', w: 0x10000080, want: { x: { 0: 0x1110n } } },
  { asm: 'adr x1, #-4', w: 0x10ffffe1, want: { x: { 1: 0x10fcn } } },
  { asm: 'adrp x2, #4096', w: 0xb0000002, want: { x: { 2: 0x2000n } } },
  { asm: 'adrp x3, #-4096', w: 0xf0ffffe3, x: { 3: 77n }, want: { x: { 3: 0n } } },

  // ---- add/subtract (immediate) ----
  { asm: 'add x0, x1, #1, lsl #12', w: 0x91400420, x: { 1: 0xfffffffffffff000n }, nzcv: N | Z | C | V, want: { x: { 0: 0n } } },
  { asm: 'add sp, sp, #16', w: 0x910043ff, sp: 0x8000n, want: { sp: 0x8010n } },
  { asm: 'sub w0, w1, #1', w: 0x51000420, x: { 1: 0xffffffff00000000n }, want: { x: { 0: 0xffffffffn } } },
  { asm: 'cmp x1, #5', w: 0xf100143f, x: { 1: 5n }, want: { nzcv: Z | C } },
  { asm: 'cmp x1, #5', w: 0xf100143f, x: { 1: 4n }, nzcv: Z | C, want: { nzcv: N } },
  { asm: 'cmn w1, #1', w: 0x3100043f, x: { 1: 0xffffffffn }, want: { nzcv: Z | C } },
  { asm: 'adds x0, x1, #1', w: 0xb1000420, x: { 1: 0x7fffffffffffffffn }, want: { x: { 0: IMIN }, nzcv: N | V } },
  { asm: 'subs w0, w1, #1', w: 0x71000420, x: { 1: 0x80000000n }, want: { x: { 0: 0x7fffffffn }, nzcv: C | V } },
  { asm: 'mov x0, sp', w: 0x910003e0, sp: 0x12345678n, want: { x: { 0: 0x12345678n } } },

  // ---- logical (immediate) ----
  { asm: 'and x0, x1, #0xff00ff00ff00ff00', w: 0x92089c20, x: { 1: 0x123456789abcdef0n }, want: { x: { 0: 0x120056009a00de00n } } },
  { asm: 'orr w0, wzr, #0xaaaaaaaa', w: 0x3201f3e0, x: { 0: M64 }, want: { x: { 0: 0xaaaaaaaan } } },
  { asm: 'eor x0, x1, #1', w: 0xd2400020, x: { 1: 0x10n }, want: { x: { 0: 0x11n } } },
  { asm: 'ands w0, w1, #0x80000000', w: 0x72010020, x: { 1: 0xffffffff80000000n }, nzcv: C | V, want: { x: { 0: 0x80000000n }, nzcv: N } },
  { asm: 'and sp, x1, #0xfffffffffffffff0', w: 0x927cec3f, x: { 1: 0x12345n }, want: { sp: 0x12340n } },
  { asm: 'orr w3, w1, #0x1', w: 0x32000023, x: { 1: 0xfffffffffffffff0n }, want: { x: { 3: 0xfffffff1n } } },

  // ---- move wide ----
  { asm: 'movz x0, #0x1234, lsl #48', w: 0xd2e24680, x: { 0: 5n }, want: { x: { 0: 0x1234000000000000n } } },
  { asm: 'mov w0, #-1', w: 0x12800000, want: { x: { 0: 0xffffffffn } } },
  { asm: 'movn x0, #1', w: 0x92800020, want: { x: { 0: 0xfffffffffffffffen } } },
  { asm: 'movk x0, #0xbeef, lsl #16', w: 0xf2b7dde0, x: { 0: 0x1111222233334444n }, want: { x: { 0: 0x11112222beef4444n } } },
  { asm: 'movk w0, #0xbeef, lsl #16', w: 0x72b7dde0, x: { 0: 0x1111222233334444n }, want: { x: { 0: 0xbeef4444n } } },

  // ---- bitfield (SBFM/BFM/UBFM and their aliases) ----
  { asm: 'lsl x0, x1, #4', w: 0xd37cec20, x: { 1: 0x8123456789abcdefn }, want: { x: { 0: 0x123456789abcdef0n } } },
  { asm: 'lsr w0, w1, #31', w: 0x531f7c20, x: { 1: 0x180000000n }, want: { x: { 0: 1n } } },
  { asm: 'asr x0, x1, #63', w: 0x937ffc20, x: { 1: IMIN }, want: { x: { 0: M64 } } },
  { asm: 'asr w0, w1, #4', w: 0x13047c20, x: { 1: 0x80000000n }, want: { x: { 0: 0xf8000000n } } },
  { asm: 'sxtb x0, w1', w: 0x93401c20, x: { 1: 0x80n }, want: { x: { 0: 0xffffffffffffff80n } } },
  { asm: 'sxth w0, w1', w: 0x13003c20, x: { 1: 0x8000n }, want: { x: { 0: 0xffff8000n } } },
  { asm: 'sxtw x0, w1', w: 0x93407c20, x: { 1: 0x180000000n }, want: { x: { 0: 0xffffffff80000000n } } },
  { asm: 'uxtb w0, w1', w: 0x53001c20, x: { 1: 0x1234n }, want: { x: { 0: 0x34n } } },
  { asm: 'uxth w0, w1', w: 0x53003c20, x: { 1: 0xffff12345678n }, want: { x: { 0: 0x5678n } } },
  { asm: 'ubfx x0, x1, #8, #4', w: 0xd3482c20, x: { 1: 0xabcdn }, want: { x: { 0: 0xbn } } },
  { asm: 'sbfx x0, x1, #8, #4', w: 0x93482c20, x: { 1: 0xabcdn }, want: { x: { 0: 0xfffffffffffffffbn } } },
  { asm: 'bfi x0, x1, #8, #4', w: 0xb3780c20, x: { 0: M64, 1: 0x5n }, want: { x: { 0: 0xfffffffffffff5ffn } } },
  { asm: 'bfxil w0, w1, #4, #8', w: 0x33042c20, x: { 0: 0xffffffff12345678n, 1: 0xabcdn }, want: { x: { 0: 0x123456bcn } } },
  { asm: 'sbfiz x0, x1, #60, #4', w: 0x93440c20, x: { 1: 0x9n }, want: { x: { 0: 0x9000000000000000n } } },
  { asm: 'ubfiz w0, w1, #24, #8', w: 0x53081c20, x: { 1: 0x1abn }, want: { x: { 0: 0xab000000n } } },
  { asm: 'bfi w0, w1, #0, #32', w: 0x33007c20, x: { 0: M64, 1: 0x123489abcdefn }, want: { x: { 0: 0x89abcdefn } } },
  { asm: 'bfm x0, x1, #60, #3', w: 0xb37c0c20, x: { 0: M64, 1: 0n }, want: { x: { 0: 0xffffffffffffff0fn } } },
  { asm: 'bfm x0, x1, #60, #3', w: 0xb37c0c20, x: { 0: 0n, 1: 0xffn }, want: { x: { 0: 0xf0n } } },
  { asm: 'sbfx w0, w1, #31, #1', w: 0x131f7c20, x: { 1: 0x80000000n }, want: { x: { 0: 0xffffffffn } } },

  // ---- extract ----
  { asm: 'extr x0, x1, x2, #8', w: 0x93c22020, x: { 1: 0x11n, 2: 0x2233445566778899n }, want: { x: { 0: 0x1122334455667788n } } },
  { asm: 'ror w0, w1, #4', w: 0x13811020, x: { 1: 0x12345678n }, want: { x: { 0: 0x81234567n } } },
  { asm: 'extr w0, w1, w2, #0', w: 0x13820020, x: { 1: 5n, 2: 0xffffffff12345678n }, want: { x: { 0: 0x12345678n } } },
  { asm: 'extr x0, x1, x2, #0', w: 0x93c20020, x: { 1: 5n, 2: 0xffffffff12345678n }, want: { x: { 0: 0xffffffff12345678n } } },

  // ---- logical (shifted register) ----
  { asm: 'bic x0, x1, x2, lsl #4', w: 0x8a221020, x: { 1: M64, 2: 0xfn }, want: { x: { 0: 0xffffffffffffff0fn } } },
  { asm: 'orn w0, w1, w2, ror #8', w: 0x2ae22020, x: { 1: 0n, 2: 0xffn }, want: { x: { 0: 0x00ffffffn } } },
  { asm: 'eon x0, x1, x2, asr #63', w: 0xcaa2fc20, x: { 1: 5n, 2: IMIN }, want: { x: { 0: 5n } } },
  { asm: 'bics w0, w1, w2', w: 0x6a220020, x: { 1: 0x1000000f0n, 2: 0xf0n }, nzcv: N | C | V, want: { x: { 0: 0n }, nzcv: Z } },
  { asm: 'mvn x0, x1', w: 0xaa2103e0, x: { 1: 0n }, want: { x: { 0: M64 } } },
  { asm: 'tst x1, x2, lsr #1', w: 0xea42043f, x: { 1: IMIN, 2: M64 }, want: { nzcv: Z } },
  { asm: 'and w0, w1, w2, asr #31', w: 0x0a827c20, x: { 1: 0x12345678n, 2: 0x80000000n }, want: { x: { 0: 0x12345678n } } },
  { asm: 'orr w0, w1, w2, lsr #4', w: 0x2a421020, x: { 1: 0n, 2: 0xffffffff00000010n }, want: { x: { 0: 1n } } },

  // ---- add/subtract (shifted register) ----
  { asm: 'add x0, x1, x2, asr #3', w: 0x8b820c20, x: { 1: 100n, 2: neg(64n) }, want: { x: { 0: 92n } } },
  { asm: 'sub w0, w1, w2, lsl #31', w: 0x4b027c20, x: { 1: 0n, 2: 1n }, want: { x: { 0: 0x80000000n } } },
  { asm: 'neg x0, x1', w: 0xcb0103e0, x: { 1: 5n }, want: { x: { 0: neg(5n) } } },
  { asm: 'adds w0, w1, w2', w: 0x2b020020, x: { 1: 0xffffffffn, 2: 1n }, want: { x: { 0: 0n }, nzcv: Z | C } },
  { asm: 'subs x0, x1, x2', w: 0xeb020020, x: { 1: IMIN, 2: 1n }, want: { x: { 0: 0x7fffffffffffffffn }, nzcv: C | V } },
  { asm: 'cmp x1, x2', w: 0xeb02003f, x: { 1: 1n, 2: 2n }, want: { nzcv: N } },
  { asm: 'cmp w1, w2, asr #1', w: 0x6b82043f, x: { 1: 0xffffffffn, 2: 0xfffffffen }, want: { nzcv: Z | C } },

  // ---- add/subtract (extended register) ----
  { asm: 'add x0, sp, w1, uxtw #2', w: 0x8b214be0, sp: 0x1000n, x: { 1: 0xffffffff00000004n }, want: { x: { 0: 0x1010n } } },
  { asm: 'sub sp, sp, x1, sxtx', w: 0xcb21e3ff, sp: 0x1000n, x: { 1: 0x10n }, want: { sp: 0xff0n } },
  { asm: 'add w0, w1, w2, sxtb', w: 0x0b228020, x: { 1: 0x100n, 2: 0x80n }, want: { x: { 0: 0x80n } } },
  { asm: 'adds x0, x1, w2, sxth #1', w: 0xab22a420, x: { 1: 0n, 2: 0x8000n }, want: { x: { 0: 0xffffffffffff0000n }, nzcv: N } },
  { asm: 'cmp x1, w2, uxtw', w: 0xeb22403f, x: { 1: 0x100000000n, 2: M64 }, want: { nzcv: C } },
  { asm: 'add x0, x1, w2, uxtb #4', w: 0x8b221020, x: { 1: 1n, 2: 0x1ffn }, want: { x: { 0: 0xff1n } } },
  { asm: 'sub x0, x1, w2, sxtw', w: 0xcb22c020, x: { 1: 0n, 2: 0x80000000n }, want: { x: { 0: 0x80000000n } } },
  { asm: 'add w0, w1, w2, uxth #4', w: 0x0b223020, x: { 1: 0n, 2: 0xffffn }, want: { x: { 0: 0xffff0n } } },

  // ---- add/subtract with carry ----
  { asm: 'adc x0, x1, x2', w: 0x9a020020, x: { 1: 1n, 2: 2n }, nzcv: C, want: { x: { 0: 4n } } },
  { asm: 'adcs w0, w1, w2', w: 0x3a020020, x: { 1: 0xffffffffn, 2: 0n }, nzcv: C, want: { x: { 0: 0n }, nzcv: Z | C } },
  { asm: 'sbc x0, x1, x2', w: 0xda020020, x: { 1: 5n, 2: 3n }, want: { x: { 0: 1n } } },
  { asm: 'sbcs x0, x1, x2', w: 0xfa020020, x: { 1: 3n, 2: 3n }, nzcv: C, want: { x: { 0: 0n }, nzcv: Z | C } },
  { asm: 'ngc w0, w1', w: 0x5a0103e0, x: { 1: 0n }, want: { x: { 0: 0xffffffffn } } },
  { asm: 'adcs x0, x1, x2', w: 0xba020020, x: { 1: M64, 2: M64 }, nzcv: C, want: { x: { 0: M64 }, nzcv: N | C } },

  // ---- conditional compare ----
  { asm: 'ccmp x1, x2, #4, eq', w: 0xfa420024, x: { 1: 1n, 2: 2n }, nzcv: Z, want: { nzcv: N } },
  { asm: 'ccmp x1, x2, #4, eq', w: 0xfa420024, x: { 1: 1n, 2: 2n }, nzcv: 0, want: { nzcv: Z } },
  { asm: 'ccmn w1, #5, #2, ne', w: 0x3a451822, x: { 1: 0xfffffffbn }, nzcv: 0, want: { nzcv: Z | C } },
  { asm: 'ccmn w1, #5, #2, ne', w: 0x3a451822, x: { 1: 0xfffffffbn }, nzcv: Z, want: { nzcv: C } },
  { asm: 'ccmp x1, #31, #0, al', w: 0xfa5fe820, x: { 1: 31n }, want: { nzcv: Z | C } },

  // ---- conditional select ----
  { asm: 'csel x0, x1, x2, eq', w: 0x9a820020, x: { 1: 1n, 2: 2n }, nzcv: Z, want: { x: { 0: 1n } } },
  { asm: 'csel x0, x1, x2, eq', w: 0x9a820020, x: { 1: 1n, 2: 2n }, nzcv: 0, want: { x: { 0: 2n } } },
  { asm: 'cset w0, cs', w: 0x1a9f37e0, nzcv: C, want: { x: { 0: 1n } } },
  { asm: 'cset w0, cs', w: 0x1a9f37e0, x: { 0: 9n }, nzcv: 0, want: { x: { 0: 0n } } },
  { asm: 'csetm x0, lt', w: 0xda9fa3e0, nzcv: N, want: { x: { 0: M64 } } },
  { asm: 'csetm x0, lt', w: 0xda9fa3e0, nzcv: N | V, want: { x: { 0: 0n } } },
  { asm: 'cneg x0, x1, mi', w: 0xda815420, x: { 1: 7n }, nzcv: N, want: { x: { 0: neg(7n) } } },
  { asm: 'cneg x0, x1, mi', w: 0xda815420, x: { 1: 7n }, nzcv: 0, want: { x: { 0: 7n } } },
  { asm: 'csinc w0, w1, w2, ne', w: 0x1a821420, x: { 1: 5n, 2: 0xffffffffn }, nzcv: Z, want: { x: { 0: 0n } } },
  { asm: 'csinv w0, w1, w2, ne', w: 0x5a821020, x: { 1: 0xffffffff00000005n, 2: 0n }, nzcv: 0, want: { x: { 0: 5n } } },

  // ---- data processing (1 source) ----
  { asm: 'rbit w0, w1', w: 0x5ac00020, x: { 1: 0xff00000001n }, want: { x: { 0: 0x80000000n } } },
  { asm: 'rbit x0, x1', w: 0xdac00020, x: { 1: 0x123456789abcdef0n }, want: { x: { 0: 0x0f7b3d591e6a2c48n } } },
  { asm: 'rev16 w0, w1', w: 0x5ac00420, x: { 1: 0xaa11223344n }, want: { x: { 0: 0x22114433n } } },
  { asm: 'rev16 x0, x1', w: 0xdac00420, x: { 1: 0x1122334455667788n }, want: { x: { 0: 0x2211443366558877n } } },
  { asm: 'rev32 x0, x1', w: 0xdac00820, x: { 1: 0x1122334455667788n }, want: { x: { 0: 0x4433221188776655n } } },
  { asm: 'rev w0, w1', w: 0x5ac00820, x: { 1: 0xaa11223344n }, want: { x: { 0: 0x44332211n } } },
  { asm: 'rev x0, x1', w: 0xdac00c20, x: { 1: 0x1122334455667788n }, want: { x: { 0: 0x8877665544332211n } } },
  { asm: 'clz w0, w1', w: 0x5ac01020, x: { 1: 0xffffffff00000000n }, want: { x: { 0: 32n } } },
  { asm: 'clz w0, w1', w: 0x5ac01020, x: { 1: 1n }, want: { x: { 0: 31n } } },
  { asm: 'clz x0, x1', w: 0xdac01020, x: { 1: 0n }, want: { x: { 0: 64n } } },
  { asm: 'clz x0, x1', w: 0xdac01020, x: { 1: 0x100000000n }, want: { x: { 0: 31n } } },
  { asm: 'cls w0, w1', w: 0x5ac01420, x: { 1: 0xffffffffn }, want: { x: { 0: 31n } } },
  { asm: 'cls w0, w1', w: 0x5ac01420, x: { 1: 0x40000000n }, want: { x: { 0: 0n } } },
  { asm: 'cls w0, w1', w: 0x5ac01420, x: { 1: 0xffffffff0000ffffn }, want: { x: { 0: 15n } } },
  { asm: 'cls x0, x1', w: 0xdac01420, x: { 1: M64 }, want: { x: { 0: 63n } } },
  { asm: 'cls x0, x1', w: 0xdac01420, x: { 1: 1n }, want: { x: { 0: 62n } } },
  { asm: 'cls x0, x1', w: 0xdac01420, x: { 1: 0xf000000000000000n }, want: { x: { 0: 3n } } },

  // ---- data processing (2 source) ----
  { asm: 'udiv x0, x1, x2', w: 0x9ac20820, x: { 0: 9n, 1: 7n, 2: 0n }, want: { x: { 0: 0n } } },
  { asm: 'udiv x0, x1, x2', w: 0x9ac20820, x: { 1: M64, 2: 2n }, want: { x: { 0: 0x7fffffffffffffffn } } },
  { asm: 'udiv w0, w1, w2', w: 0x1ac20820, x: { 1: 0xffffffffn, 2: 0x100000002n }, want: { x: { 0: 0x7fffffffn } } },
  { asm: 'sdiv x0, x1, x2', w: 0x9ac20c20, x: { 1: IMIN, 2: M64 }, want: { x: { 0: IMIN } } },
  { asm: 'sdiv x0, x1, x2', w: 0x9ac20c20, x: { 1: neg(7n), 2: 2n }, want: { x: { 0: neg(3n) } } },
  { asm: 'sdiv x0, x1, x2', w: 0x9ac20c20, x: { 0: 1n, 1: 7n, 2: 0n }, want: { x: { 0: 0n } } },
  { asm: 'sdiv w0, w1, w2', w: 0x1ac20c20, x: { 1: 0x80000000n, 2: 0xffffffffn }, want: { x: { 0: 0x80000000n } } },
  { asm: 'sdiv w0, w1, w2', w: 0x1ac20c20, x: { 1: 7n, 2: 0xfffffffen }, want: { x: { 0: 0xfffffffdn } } },
  { asm: 'lsl x0, x1, x2', w: 0x9ac22020, x: { 1: 1n, 2: 65n }, want: { x: { 0: 2n } } },
  { asm: 'lsr w0, w1, w2', w: 0x1ac22420, x: { 1: 0x80000000n, 2: 33n }, want: { x: { 0: 0x40000000n } } },
  { asm: 'asr w0, w1, w2', w: 0x1ac22820, x: { 1: 0x80000000n, 2: 31n }, want: { x: { 0: 0xffffffffn } } },
  { asm: 'asr x0, x1, x2', w: 0x9ac22820, x: { 1: IMIN, 2: 0xffn }, want: { x: { 0: M64 } } },
  { asm: 'ror w0, w1, w2', w: 0x1ac22c20, x: { 1: 1n, 2: 33n }, want: { x: { 0: 0x80000000n } } },
  { asm: 'ror x0, x1, x2', w: 0x9ac22c20, x: { 1: 1n, 2: 0x40n }, want: { x: { 0: 1n } } },

  // ---- CRC32 / CRC32C (one update step: no inversion; so ~acc in, ~result = the usual CRC) ----
  { asm: 'crc32b w0, w1, w2', w: 0x1ac24020, x: { 1: 0xffffffffn, 2: 0x61n }, want: { x: { 0: 0x174841bcn } } }, // "a"
  { asm: 'crc32cb w0, w1, w2', w: 0x1ac25020, x: { 1: 0xffffffffn, 2: 0x61n }, want: { x: { 0: 0x3e2fbccfn } } },
  { asm: 'crc32h w0, w1, w2', w: 0x1ac24420, x: { 1: 0xffffffffn, 2: 0xffff6261n }, want: { x: { 0: 0x617cb792n } } }, // "ab"
  { asm: 'crc32ch w0, w1, w2', w: 0x1ac25420, x: { 1: 0xffffffffn, 2: 0x6261n }, want: { x: { 0: 0x1d5dd6c9n } } },
  { asm: 'crc32w w0, w1, w2', w: 0x1ac24820, x: { 1: 0xffffffffn, 2: 0x64636261n }, want: { x: { 0: 0x127d32een } } }, // "abcd"
  { // "123456789": the check values 0xCBF43926 / 0xE3069283
    asm: 'crc32x w0, w0, x1; crc32b w0, w0, w2', w: [0x9ac14c00, 0x1ac24000],
    x: { 0: 0xffffffffn, 1: 0x3837363534333231n, 2: 0x39n }, want: { x: { 0: 0x340bc6d9n } },
  },
  {
    asm: 'crc32cx w0, w0, x1; crc32cb w0, w0, w2', w: [0x9ac15c00, 0x1ac25000],
    x: { 0: 0xffffffffn, 1: 0x3837363534333231n, 2: 0x39n }, want: { x: { 0: 0x1cf96d7cn } },
  },

  // ---- data processing (3 source) ----
  { asm: 'madd x0, x1, x2, x3', w: 0x9b020c20, x: { 1: 3n, 2: 4n, 3: 5n }, want: { x: { 0: 17n } } },
  { asm: 'msub w0, w1, w2, w3', w: 0x1b028c20, x: { 1: 3n, 2: 4n, 3: 5n }, want: { x: { 0: 0xfffffff9n } } },
  { asm: 'mneg x0, x1, x2', w: 0x9b02fc20, x: { 1: 3n, 2: 4n }, want: { x: { 0: neg(12n) } } },
  { asm: 'mul w0, w1, w2', w: 0x1b027c20, x: { 1: 0x10000n, 2: 0x10001n }, want: { x: { 0: 0x10000n } } },
  { asm: 'smaddl x0, w1, w2, x3', w: 0x9b220c20, x: { 1: 0x12340000fffffffen, 2: 3n, 3: 10n }, want: { x: { 0: 4n } } },
  { asm: 'smull x0, w1, w2', w: 0x9b227c20, x: { 1: 0x80000000n, 2: 0x80000000n }, want: { x: { 0: 0x4000000000000000n } } },
  { asm: 'umaddl x0, w1, w2, x3', w: 0x9ba20c20, x: { 1: M64, 2: 0xffffffffn, 3: 1n }, want: { x: { 0: 0xfffffffe00000002n } } },
  { asm: 'umsubl x0, w1, w2, x3', w: 0x9ba28c20, x: { 1: 2n, 2: 3n, 3: 0n }, want: { x: { 0: neg(6n) } } },
  { asm: 'smsubl x0, w1, w2, x3', w: 0x9b228c20, x: { 1: 0xffffffffn, 2: 5n, 3: 0n }, want: { x: { 0: 5n } } },
  { asm: 'smulh x0, x1, x2', w: 0x9b427c20, x: { 1: M64, 2: 1n }, want: { x: { 0: M64 } } },
  { asm: 'smulh x0, x1, x2', w: 0x9b427c20, x: { 1: IMIN, 2: IMIN }, want: { x: { 0: 0x4000000000000000n } } },
  { asm: 'smulh x0, x1, x2', w: 0x9b427c20, x: { 1: 0x7fffffffffffffffn, 2: 2n }, want: { x: { 0: 0n } } },
  { asm: 'smulh x0, x1, x2', w: 0x9b427c20, x: { 1: IMIN, 2: 0x7fffffffffffffffn }, want: { x: { 0: 0xc000000000000000n } } },
  { asm: 'umulh x0, x1, x2', w: 0x9bc27c20, x: { 1: M64, 2: M64 }, want: { x: { 0: 0xfffffffffffffffen } } },
  { asm: 'umulh x0, x1, x2', w: 0x9bc27c20, x: { 1: 0x100000000n, 2: 0x100000000n }, want: { x: { 0: 1n } } },
];

// Reserved encodings: each must be UNDEFINED (EC 0, IL 1, preferred return = the instruction).
const RESERVED: [string, number][] = [
  ['AND (imm) sf=0 N=1', 0x1272acc3],
  ['ORR (imm) x, N=1 imms=111111 (all-ones element)', 0xb240fc20],
  ['ORR (imm) w, N=0 imms=111110 (len < 1)', 0x3200f820],
  ['ORR (imm) w, N=0 imms=111111', 0x3200fc20],
  ['MOVZ w, hw=2', 0x52c00000],
  ['MOVN w, hw=3', 0x12e00000],
  ['SBFM x, N=0', 0x93001c20],
  ['UBFM w, imms<5>=1', 0x53009c20],
  ['UBFM w, immr<5>=1', 0x53201c20],
  ['BFM w, N=1', 0x33401c20],
  ['EXTR x, N=0', 0x93822020],
  ['EXTR w, imms=32', 0x13828020],
  ['EXTR w, N=1', 0x13c20020],
  ['ADD (shifted) shift=11', 0x8bc20c20],
  ['SUBS (shifted) w, imm6=32', 0x6b028020],
  ['ORR (shifted) w, imm6=32', 0x2a028020],
  ['ADD (extended) imm3=5', 0x8b221420],
  ['ADDS (extended) imm3=7', 0xab221c20],
  ['CRC32X with sf=0', 0x1ac14c00],
  ['CRC32B with sf=1', 0x9ac24020],
  ['CRC32CW with sf=1', 0x9ac25820],
];

describe('data processing: hand-worked cases', () => {
  const rig = new Rig();
  for (const c of CASES) {
    it(c.asm, () => {
      const words = Array.isArray(c.w) ? c.w : [c.w];
      const x = c.x ?? {};
      const sp = c.sp ?? 0x7000n;
      const nzcv = c.nzcv ?? 0;
      const r = rig.run(words, x, sp, nzcv);
      expect(r.pc, 'pc').toBe(PC0 + 4n * BigInt(words.length));
      const want = Array.from({ length: 31 }, (_, i) => c.want.x?.[i] ?? x[i] ?? 0n);
      expect(r.x.map((v) => '0x' + v.toString(16)), 'x').toEqual(want.map((v) => '0x' + v.toString(16)));
      expect('0x' + r.sp.toString(16), 'sp').toBe('0x' + (c.want.sp ?? sp).toString(16));
      expect('0x' + r.nzcv.toString(16), 'nzcv').toBe('0x' + ((c.want.nzcv ?? nzcv) >>> 0).toString(16));
    });
  }
});

describe('data processing: reserved encodings are UNDEFINED', () => {
  const rig = new Rig();
  for (const [name, w] of RESERVED) {
    it(`${name} (0x${w.toString(16).padStart(8, '0')})`, () => {
      const x = { 0: 0x1111n, 1: 0x2222n, 2: 0x3333n };
      const r = rig.run([w], x, 0x7000n, 0);
      expect(r.pc).toBe(VBAR + 0x200n); // current EL with SP_ELx, synchronous
      expect(r.elr).toBe(PC0);
      expect(r.esr).toBe(1n << 25n); // EC = 0 (unknown), IL = 1
      expect(r.x[0]).toBe(0x1111n);
    });
  }
});

// The decoder itself must call these words UNDEFINED too (op 0 = UNDEFINED).
describe('data processing: reserved encodings decode to UNDEFINED', () => {
  const cpu = new Cpu();
  for (const [name, w] of RESERVED) {
    it(name, () => { expect(cpu.decode(w).op).toBe(0); });
  }
});
