// Hand-worked cases for the general-purpose register loads and stores (assembly/exec/ldst.ts):
// every size and extension, every addressing mode, literal loads, PRFM, pairs, the SP alignment
// check, Device memory and SCTLR_EL1.A, page-crossing accesses, faults that must leave state
// untouched, the unprivileged LDTR/STTR forms, the CONSTRAINED UNPREDICTABLE choices documented
// in ldst.ts, and the stage-2 data aborts the host sees (ESR_EL2 ISS, FAR, IPA).
//
// The instruction words were assembled with llvm-mc (-triple=aarch64 -mattr=+lse) and pasted with
// their text; words llvm-mc refuses to assemble (the CONSTRAINED UNPREDICTABLE register overlaps,
// reserved encodings) were built by hand from the encoding diagrams and checked with llvm-mc
// --disassemble. Expected values were worked out from the Arm ARM pseudocode; the EL0-visible
// results were cross-checked with qemu-aarch64 user mode (QEMU 7.2, -cpu max).
import { describe, it, expect, beforeEach } from 'vitest';
import {
  Rig, MiB, EC, DFSC, esr, dabtISS, hex, expectX, expectMem, expectDone, expectTaken, expectStage2Abort, type Insn,
} from './helpers/rig.ts';

const SCTLR_A = 1n << 1n;
const SCTLR_SA = 1n << 3n;
const SCTLR_SA0 = 1n << 4n;
const NOP = 0xd503201f;

let rig: Rig;
/** Block 1: Normal memory, EL1 read/write (EL0 no access). */
let D: number;
beforeEach(() => {
  rig = new Rig();
  D = rig.block(1);
});

/** A data abort taken to EL1 from EL1 by the instruction at index i of the run. */
function expectEL1Abort(r: ReturnType<Rig['run']>, iss: number, far?: number, i = 0): void {
  expectTaken(r, { vector: 0x200, esr: esr(EC.DABT_CUR, iss), elr: rig.code + 4 * i, far });
}
/** The instruction at index i is UNDEFINED: EC 0, taken from EL1. */
function expectUndefined(r: ReturnType<Rig['run']>, i = 0): void {
  expectTaken(r, { vector: 0x200, esr: esr(EC.UNKNOWN), elr: rig.code + 4 * i });
}
/** Memory bytes as a hex string, for "nothing was written" checks. */
function bytesAt(a: number, n: number): string {
  return Buffer.from(rig.cpu.bytes(a, n)).toString('hex');
}

describe('single-register loads: access size and extension', () => {
  // D = 87 86 85 84 83 82 81 80 | 7f 80 54 76 98 ba dc 7e (little-endian bytes)
  const cases: [string, Insn, bigint][] = [
    ['LDRB zero-extends the byte', [0x39400040, 'ldrb w0, [x2]'], 0x87n],
    ['LDRSB Xt sign-extends the byte to 64 bits', [0x39800040, 'ldrsb x0, [x2]'], 0xffffffffffffff87n],
    ['LDRSB Wt sign-extends to 32 bits and clears bits 63:32', [0x39c00040, 'ldrsb w0, [x2]'], 0xffffff87n],
    ['LDRSB of a positive byte', [0x39802040, 'ldrsb x0, [x2, #8]'], 0x7fn],
    ['LDRH scales the offset by 2', [0x79400440, 'ldrh w0, [x2, #2]'], 0x8485n],
    ['LDRSH Xt sign-extends the halfword to 64 bits', [0x79800440, 'ldrsh x0, [x2, #2]'], 0xffffffffffff8485n],
    ['LDRSH Wt sign-extends to 32 bits and clears bits 63:32', [0x79c00440, 'ldrsh w0, [x2, #2]'], 0xffff8485n],
    ['LDRSH of a positive halfword', [0x79801440, 'ldrsh x0, [x2, #10]'], 0x7654n],
    ['LDR Wt zero-extends the word', [0xb9400440, 'ldr w0, [x2, #4]'], 0x80818283n],
    ['LDRSW sign-extends the word', [0xb9800440, 'ldrsw x0, [x2, #4]'], 0xffffffff80818283n],
    ['LDRSW of a positive word', [0xb9800c40, 'ldrsw x0, [x2, #12]'], 0x7edcba98n],
    ['LDR Xt loads the doubleword, little-endian', [0xf9400040, 'ldr x0, [x2]'], 0x8081828384858687n],
    ['LDRB with the largest offset, 4095', [0x397ffc40, 'ldrb w0, [x2, #4095]'], 0xa5n],
    ['LDR Xt with the largest scaled offset, 4095 * 8', [0xf97ffc40, 'ldr x0, [x2, #32760]'], 0x0123456789abcdefn],
  ];
  for (const [name, insn, want] of cases) {
    it(`${name} (${insn[1]})`, () => {
      rig.setU64(D, 0x8081828384858687n);
      rig.setU64(D + 8, 0x7edcba987654807fn);
      rig.fill(D + 4095, 1, () => 0xa5);
      rig.setU64(D + 32760, 0x0123456789abcdefn);
      rig.setX(2, D);
      expectDone(rig.run([insn]));
      expectX(rig, { 0: want, 2: D });
    });
  }
});

describe('single-register stores', () => {
  // x1 = 0x1122334455667788; the 16 bytes at D start as 0xee.
  const cases: [string, Insn, bigint, bigint][] = [
    ['STRB writes one byte', [0x39000441, 'strb w1, [x2, #1]'], 0xeeeeeeeeeeee88een, 0xeeeeeeeeeeeeeeeen],
    ['STRH writes two bytes', [0x79000441, 'strh w1, [x2, #2]'], 0xeeeeeeee7788eeeen, 0xeeeeeeeeeeeeeeeen],
    ['STR Wt writes four bytes', [0xb9000441, 'str w1, [x2, #4]'], 0x55667788eeeeeeeen, 0xeeeeeeeeeeeeeeeen],
    ['STR Xt writes eight bytes', [0xf9000441, 'str x1, [x2, #8]'], 0xeeeeeeeeeeeeeeeen, 0x1122334455667788n],
    ['STR XZR stores zero', [0xf900005f, 'str xzr, [x2]'], 0n, 0xeeeeeeeeeeeeeeeen],
    ['STUR Wt at an unaligned address (Normal memory)', [0xb8003041, 'stur w1, [x2, #3]'], 0xee55667788eeeeeen, 0xeeeeeeeeeeeeeeeen],
    ['STURH with a negative offset, across two doublewords', [0x781ff061, 'sturh w1, [x3, #-1]'], 0x88eeeeeeeeeeeeeen, 0xeeeeeeeeeeeeee77n],
  ];
  for (const [name, insn, want0, want8] of cases) {
    it(`${name} (${insn[1]})`, () => {
      rig.fill(D, 16, () => 0xee);
      rig.setX(1, 0x1122334455667788n);
      rig.setX(2, D);
      rig.setX(3, D + 8);
      expectDone(rig.run([insn]));
      expectMem(rig, [[D, want0], [D + 8, want8]]);
      expectX(rig, { 1: 0x1122334455667788n, 2: D, 3: D + 8 });
    });
  }
});

describe('immediate addressing modes: unscaled, pre-index, post-index', () => {
  beforeEach(() => rig.fill(D, 0x200, (i) => i)); // byte D+i holds i & 0xff
  it('LDUR with a negative offset', () => {
    rig.setX(2, D + 16);
    expectDone(rig.run([[0xf85f8040, 'ldur x0, [x2, #-8]']]));
    expectX(rig, { 0: 0x0f0e0d0c0b0a0908n, 2: D + 16 });
  });
  it('LDUR with the most negative offset, -256', () => {
    rig.setX(2, D + 0x1f8);
    expectDone(rig.run([[0xf8500040, 'ldur x0, [x2, #-256]']]));
    expectX(rig, { 0: 0xfffefdfcfbfaf9f8n, 2: D + 0x1f8 });
  });
  it('LDR pre-index loads from base + imm and writes that address back', () => {
    rig.setX(2, D + 16);
    expectDone(rig.run([[0xf85f8c40, 'ldr x0, [x2, #-8]!']]));
    expectX(rig, { 0: 0x0f0e0d0c0b0a0908n, 2: D + 8 });
  });
  it('LDR post-index loads from the base, then adds imm to it', () => {
    rig.setX(2, D + 8);
    expectDone(rig.run([[0xf8408440, 'ldr x0, [x2], #8']]));
    expectX(rig, { 0: 0x0f0e0d0c0b0a0908n, 2: D + 16 });
  });
  it('LDRSW pre-index sign-extends and writes back', () => {
    rig.setX(2, D + 0x80);
    expectDone(rig.run([[0xb8804c40, 'ldrsw x0, [x2, #4]!']]));
    expectX(rig, { 0: 0xffffffff87868584n, 2: D + 0x84 });
  });
  it('LDRB post-index with the most negative imm, -256', () => {
    rig.setX(2, D + 0x1c7);
    expectDone(rig.run([[0x38500440, 'ldrb w0, [x2], #-256']]));
    expectX(rig, { 0: 0xc7n, 2: D + 0xc7 });
  });
  it('STR pre-index stores at base + imm and writes that address back', () => {
    rig.setX(2, D);
    rig.setX(4, 0xabcn);
    expectDone(rig.run([[0xf8020c44, 'str x4, [x2, #32]!']]));
    expectMem(rig, [[D + 32, 0xabcn]]);
    expectX(rig, { 2: D + 32 });
  });
  it('STR post-index stores at the base, then adds a negative imm', () => {
    rig.setX(2, D + 32);
    rig.setX(4, 0xabcn);
    expectDone(rig.run([[0xf81f0444, 'str x4, [x2], #-16']]));
    expectMem(rig, [[D + 32, 0xabcn], [D + 16, 0x1716151413121110n]]);
    expectX(rig, { 2: D + 16 });
  });
  it('STRB pre-index with a negative imm', () => {
    rig.setX(2, D + 0x11);
    rig.setX(4, 0xabcn);
    expectDone(rig.run([[0x381ffc44, 'strb w4, [x2, #-1]!']]));
    expectMem(rig, [[D + 0x10, 0x17161514131211bcn]]);
    expectX(rig, { 2: D + 0x10 });
  });
});

describe('register-offset addressing', () => {
  beforeEach(() => {
    rig.fill(D, 0x100, (i) => i); // byte D+i holds i
    rig.setX(2, D + 0x40);
  });
  const loads: [string, Insn, Record<number, bigint>, bigint][] = [
    ['Xm added as is', [0xf8636840, 'ldr x0, [x2, x3]'], { 3: 8n }, 0x4f4e4d4c4b4a4948n],
    ['LSL #3 scales Xm by the access size', [0xf8637840, 'ldr x0, [x2, x3, lsl #3]'], { 3: 8n }, 0x8786858483828180n],
    ['SXTW sign-extends Wm (bits 63:32 of Xm ignored)', [0xf865c840, 'ldr x0, [x2, w5, sxtw]'], { 5: 0x12345678fffffff8n }, 0x3f3e3d3c3b3a3938n],
    ['UXTW #3 zero-extends Wm, then scales', [0xf8665840, 'ldr x0, [x2, w6, uxtw #3]'], { 6: 0xffffffff00000002n }, 0x5756555453525150n],
    ['SXTX #3 with a negative Xm', [0xf865f840, 'ldr x0, [x2, x5, sxtx #3]'], { 5: 0xfffffffffffffff8n }, 0x0706050403020100n],
    ['LDRB with LSL #0 (S = 1, no shift for a byte)', [0x38637840, 'ldrb w0, [x2, x3, lsl #0]'], { 3: 9n }, 0x49n],
    ['LDRH with UXTW #1', [0x78635840, 'ldrh w0, [x2, w3, uxtw #1]'], { 3: 0xffffffff00000004n }, 0x4948n],
    ['LDRSW with SXTW #2 and a negative Wm', [0xb8a3d840, 'ldrsw x0, [x2, w3, sxtw #2]'], { 3: 0xfffffff0n }, 0x03020100n],
    ['XZR as Xm adds zero; LDR Wt zero-extends', [0xb87f6840, 'ldr w0, [x2, xzr]'], {}, 0x43424140n],
  ];
  for (const [name, insn, regs, want] of loads) {
    it(`${name} (${insn[1]})`, () => {
      for (const [n, v] of Object.entries(regs)) rig.setX(Number(n), v);
      expectDone(rig.run([insn]));
      expectX(rig, { 0: want });
    });
  }
  it('STRB (register) writes one byte at Xn + Xm', () => {
    rig.setX(3, 1n);
    rig.setX(4, 0xabcn);
    expectDone(rig.run([[0x38236844, 'strb w4, [x2, x3]']]));
    expectMem(rig, [[D + 0x40, 0x474645444342bc40n]]);
  });
  it('STR Wt (register) with LSL #2', () => {
    rig.setX(3, 2n);
    rig.setX(4, 0xabcn);
    expectDone(rig.run([[0xb8237844, 'str w4, [x2, x3, lsl #2]']]));
    expectMem(rig, [[D + 0x48, 0x4f4e4d4c00000abcn]]);
  });
  it('STRH (register) with SXTW #1 and Wm = -1', () => {
    rig.setX(3, 0xffffffffn);
    rig.setX(4, 0xabcn);
    expectDone(rig.run([[0x7823d844, 'strh w4, [x2, w3, sxtw #1]']]));
    expectMem(rig, [[D + 0x38, 0x0abc3d3c3b3a3938n]]);
  });
  // option<1> == 0 is a reserved sub-word index: UNDEFINED (C6.2 LDR (register): "if option<1> == '0' then UNDEFINED").
  const reserved: [string, number][] = [
    ['option = 000', 0xf8630840],
    ['option = 001', 0xf8632840],
    ['option = 100', 0xf8638840],
    ['option = 101', 0xf863a840],
  ];
  for (const [name, word] of reserved) {
    it(`LDR Xt, [x2, x3] with ${name} is UNDEFINED (0x${word.toString(16)})`, () => {
      const before = rig.regs();
      const r = rig.run([[word, `ldr x0, [x2, x3] with ${name} (reserved)`]]);
      expectUndefined(r);
      expect(rig.regs().x).toEqual(before.x);
    });
  }
});

describe('LDR (literal)', () => {
  it('LDR Xt (literal) loads the doubleword at PC + offset', () => {
    expectDone(rig.run([[0x58000040, 'ldr x0, #8'], NOP, 0x76543210, 0xfedcba98], { steps: 1 }));
    expectX(rig, { 0: 0xfedcba9876543210n });
  });
  it('LDR Wt (literal) loads and zero-extends the word', () => {
    expectDone(rig.run([[0x18000061, 'ldr w1, #12'], NOP, 0x76543210, 0xfedcba98], { steps: 1 }));
    expectX(rig, { 1: 0xfedcba98n });
  });
  it('LDRSW (literal) sign-extends the word', () => {
    expectDone(rig.run([[0x98000063, 'ldrsw x3, #12'], NOP, 0x76543210, 0xfedcba98], { steps: 1 }));
    expectX(rig, { 3: 0xfffffffffedcba98n });
  });
  it('LDR (literal) with a negative offset', () => {
    rig.setU64(rig.code - 8, 0x0123456789abcdefn);
    expectDone(rig.run([[0x58ffffc0, 'ldr x0, #-8']]));
    expectX(rig, { 0: 0x0123456789abcdefn });
  });
  it('PRFM (literal) changes no register', () => {
    const before = rig.regs();
    expectDone(rig.run([[0xd8000040, 'prfm pldl1keep, #8'], NOP, 0, 0], { steps: 1 }));
    expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code + 4) });
  });
});

describe('PRFM: a hint that never faults', () => {
  it('PRFM in every addressing form, to an unmapped block: no fault, no register changed', () => {
    rig.s1Unmap(rig.block(3));
    rig.setX(2, rig.block(3));
    rig.setX(3, 0x40n);
    const before = rig.regs();
    const r = rig.run([
      [0xf9800040, 'prfm pldl1keep, [x2]'],
      [0xf9800453, 'prfm pstl2strm, [x2, #8]'],
      [0xf89fd040, 'prfum pldl1keep, [x2, #-3]'],
      [0xf8a36840, 'prfm pldl1keep, [x2, x3]'],
    ]);
    expectDone(r);
    expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code + 16) });
  });
  it('PRFM with the MMU off, above the physical address range: no fault', () => {
    rig.mmu(false);
    rig.setX(2, 0xdead0000000n);
    expectDone(rig.run([[0xf9800040, 'prfm pldl1keep, [x2]']]));
  });
  it('PRFM to a stage-2-unmapped block: no exit', () => {
    rig.s2Block(rig.block(3), 'none');
    rig.setX(2, rig.block(3));
    expectDone(rig.run([[0xf9800040, 'prfm pldl1keep, [x2]']]));
  });
  it('PRFM [SP] is not checked for SP alignment (SCTLR_EL1.SA = 1)', () => {
    rig.mmu(true, SCTLR_SA);
    rig.sp = D + 8;
    expectDone(rig.run([[0xf98003e0, 'prfm pldl1keep, [sp]']]));
  });
});

describe('pairs: LDP, STP, LDPSW, LDNP, STNP', () => {
  beforeEach(() => {
    rig.setU64(D, 0x1111n);
    rig.setU64(D + 8, 0x2222n);
    rig.setU64(D + 16, 0xffffffff80000001n);
    rig.setX(2, D);
  });
  it('LDP Xt loads two consecutive doublewords', () => {
    expectDone(rig.run([[0xa9400440, 'ldp x0, x1, [x2]']]));
    expectX(rig, { 0: 0x1111n, 1: 0x2222n, 2: D });
  });
  it('LDP Wt loads two consecutive words, each zero-extended', () => {
    expectDone(rig.run([[0x29421043, 'ldp w3, w4, [x2, #16]']]));
    expectX(rig, { 3: 0x80000001n, 4: 0xffffffffn });
  });
  it('LDPSW sign-extends both words', () => {
    expectDone(rig.run([[0x69421845, 'ldpsw x5, x6, [x2, #16]']]));
    expectX(rig, { 5: 0xffffffff80000001n, 6: 0xffffffffffffffffn });
  });
  it('LDNP loads like LDP', () => {
    expectDone(rig.run([[0xa8402047, 'ldnp x7, x8, [x2]']]));
    expectX(rig, { 7: 0x1111n, 8: 0x2222n });
  });
  it('LDP Xt with the most negative offset, -512 (imm7 = -64, scaled by 8)', () => {
    rig.setX(2, D + 0x200);
    expectDone(rig.run([[0xa9600440, 'ldp x0, x1, [x2, #-512]']]));
    expectX(rig, { 0: 0x1111n, 1: 0x2222n, 2: D + 0x200 });
  });
  it('LDP Wt offsets are scaled by 4', () => {
    rig.setX(2, D + 0x20);
    expectDone(rig.run([[0x297e0440, 'ldp w0, w1, [x2, #-16]']]));
    expectX(rig, { 0: 0x80000001n, 1: 0xffffffffn });
  });
  it('LDP pre-index writes the address back', () => {
    rig.setX(2, D + 0x20);
    expectDone(rig.run([[0xa9fe1043, 'ldp x3, x4, [x2, #-32]!']]));
    expectX(rig, { 3: 0x1111n, 4: 0x2222n, 2: D });
  });
  it('LDP post-index loads at the base, then adds imm', () => {
    expectDone(rig.run([[0xa8c11043, 'ldp x3, x4, [x2], #16']]));
    expectX(rig, { 3: 0x1111n, 4: 0x2222n, 2: D + 16 });
  });
  it('STP pre-index stores Rt at the lower address, Rt2 above, and writes back', () => {
    rig.setX(2, D + 0x20);
    rig.setX(0, 0xaaaan);
    rig.setX(1, 0xbbbbn);
    expectDone(rig.run([[0xa9810440, 'stp x0, x1, [x2, #16]!']]));
    expectMem(rig, [[D + 0x30, 0xaaaan], [D + 0x38, 0xbbbbn]]);
    expectX(rig, { 2: D + 0x30 });
  });
  it('STP Wt post-index stores the low words, then adds a negative imm', () => {
    rig.setX(2, D + 0x30);
    rig.setX(0, 0x123400000000aaaan);
    rig.setX(1, 0x56780000bbbbn);
    expectDone(rig.run([[0x28be0440, 'stp w0, w1, [x2], #-16']]));
    expectMem(rig, [[D + 0x30, 0x0000bbbb0000aaaan]]);
    expectX(rig, { 2: D + 0x20 });
  });
  it('STNP stores like STP', () => {
    rig.setX(0, 0xaaaan);
    rig.setX(1, 0xbbbbn);
    expectDone(rig.run([[0xa8000440, 'stnp x0, x1, [x2]']]));
    expectMem(rig, [[D, 0xaaaan], [D + 8, 0xbbbbn]]);
  });
  it('STP with Rt2 = XZR stores zero', () => {
    rig.setX(0, 0xaaaan);
    expectDone(rig.run([[0xa9007c40, 'stp x0, xzr, [x2]']]));
    expectMem(rig, [[D, 0xaaaan], [D + 8, 0n]]);
  });
  it('LDPSW in the no-allocate form (opc = 01, bits 24:23 = 00) is UNDEFINED', () => {
    const before = rig.regs();
    expectUndefined(rig.run([[0x68400c41, 'ldpsw x1, x3, [x2] with no-allocate encoding (unallocated)']]));
    expect(rig.regs().x).toEqual(before.x);
  });
});

describe('CONSTRAINED UNPREDICTABLE register overlaps (the choices documented in ldst.ts)', () => {
  // Each is one of the outcomes the Arm ARM allows; the results agree with qemu-aarch64 except
  // where noted.
  beforeEach(() => {
    rig.setU64(D, 0x1111n);
    rig.setU64(D + 8, 0x2222n);
    rig.setU64(D + 16, 0x3333n);
  });
  it('LDR pre-index with Rt == Rn: Rn ends up holding the written-back address', () => {
    rig.setX(1, D);
    expectDone(rig.run([[0xf8408c21, 'ldr x1, [x1, #8]!']]));
    expectX(rig, { 1: D + 8 });
  });
  it('LDR post-index with Rt == Rn: Rn ends up holding the written-back address', () => {
    rig.setX(1, D);
    expectDone(rig.run([[0xf8408421, 'ldr x1, [x1], #8']]));
    expectX(rig, { 1: D + 8 });
  });
  it('STR pre-index with Rt == Rn stores the original base, then writes back', () => {
    rig.setX(1, D);
    expectDone(rig.run([[0xf8008c21, 'str x1, [x1, #8]!']]));
    expectMem(rig, [[D + 8, D]]);
    expectX(rig, { 1: D + 8 });
  });
  it('STR post-index with Rt == Rn stores the original base, then writes back', () => {
    rig.setX(1, D);
    expectDone(rig.run([[0xf8008421, 'str x1, [x1], #8']]));
    expectMem(rig, [[D, D]]);
    expectX(rig, { 1: D + 8 });
  });
  it('LDP with Rt == Rt2: the value from the higher address wins (current QEMU; QEMU 7.2 keeps the lower)', () => {
    rig.setX(2, D);
    expectDone(rig.run([[0xa9400441, 'ldp x1, x1, [x2]']]));
    expectX(rig, { 1: 0x2222n });
  });
  it('LDP post-index with Rt == Rn: Rn gets the written-back address, Rt2 its value', () => {
    rig.setX(2, D);
    expectDone(rig.run([[0xa8c10c42, 'ldp x2, x3, [x2], #16']]));
    expectX(rig, { 2: D + 16, 3: 0x2222n });
  });
  it('LDP pre-index with Rt2 == Rn: Rn gets the written-back address, Rt its value', () => {
    rig.setX(2, D);
    expectDone(rig.run([[0xa9c10843, 'ldp x3, x2, [x2, #16]!']]));
    expectX(rig, { 2: D + 16, 3: 0x3333n });
  });
  it('STP pre-index with Rt == Rn stores the original base', () => {
    rig.setX(2, D);
    rig.setX(3, 0x33n);
    expectDone(rig.run([[0xa9810c42, 'stp x2, x3, [x2, #16]!']]));
    expectMem(rig, [[D + 16, D], [D + 24, 0x33n]]);
    expectX(rig, { 2: D + 16 });
  });
});

describe('SP as the base register: the SP alignment check', () => {
  it('SCTLR_EL1.SA = 1: a load with a misaligned SP takes an SP alignment fault', () => {
    rig.mmu(true, SCTLR_SA);
    rig.sp = D + 8;
    const before = rig.regs();
    const r = rig.run([[0xf94003e0, 'ldr x0, [sp]']]);
    expectTaken(r, { vector: 0x200, esr: esr(EC.SP_ALIGN), elr: rig.code });
    expect(rig.regs().x).toEqual(before.x);
  });
  it('SCTLR_EL1.SA checks SP itself, not the address: [sp, #8] with SP 16-aligned is fine', () => {
    rig.mmu(true, SCTLR_SA);
    rig.sp = D + 16;
    rig.setU64(D + 24, 0x77n);
    expectDone(rig.run([[0xf94007e0, 'ldr x0, [sp, #8]']]));
    expectX(rig, { 0: 0x77n });
  });
  it('STP pre-index with SP as the base writes SP back', () => {
    rig.mmu(true, SCTLR_SA);
    rig.sp = D + 16;
    rig.setX(0, 0xaaaan);
    rig.setX(1, 0xbbbbn);
    expectDone(rig.run([[0xa9bf07e0, 'stp x0, x1, [sp, #-16]!']]));
    expectMem(rig, [[D, 0xaaaan], [D + 8, 0xbbbbn]]);
    expect(hex(rig.sp)).toBe(hex(D));
  });
  it('SCTLR_EL1.SA = 0: a misaligned SP is used as is, and pre-index writes it back', () => {
    rig.sp = D + 0x21;
    rig.setU64(D + 0x20, 0x2020n);
    expectDone(rig.run([[0xf85fffe0, 'ldr x0, [sp, #-1]!']]));
    expectX(rig, { 0: 0x2020n });
    expect(hex(rig.sp)).toBe(hex(D + 0x20));
  });
  it('at EL0, SCTLR_EL1.SA0 = 1 checks SP_EL0: the fault goes to the lower-EL vector', () => {
    rig.mmu(true, SCTLR_SA0);
    rig.s1Block(rig.block(2), 1);
    rig.cpu.setSysreg('SP_EL0', BigInt(rig.block(2) + 8));
    const r = rig.run([[0xf94003e0, 'ldr x0, [sp]']], { el: 0 });
    expectTaken(r, { vector: 0x400, esr: esr(EC.SP_ALIGN), elr: rig.code });
  });
  it('at EL0, SCTLR_EL1.SA alone does not check SP_EL0', () => {
    rig.mmu(true, SCTLR_SA);
    rig.s1Block(rig.block(2), 1);
    rig.setU64(rig.block(2) + 8, 0x5150n);
    rig.cpu.setSysreg('SP_EL0', BigInt(rig.block(2) + 8));
    expectDone(rig.run([[0xf94003e0, 'ldr x0, [sp]']], { el: 0 }));
    expectX(rig, { 0: 0x5150n });
  });
});

describe('MMU off: data accesses are Device-nGnRnE', () => {
  beforeEach(() => rig.mmu(false));
  it('aligned LDR and STR work', () => {
    rig.setU64(D, 0x8877665544332211n);
    rig.setX(2, D);
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]'], [0xf9000440, 'str x0, [x2, #8]']]));
    expectX(rig, { 0: 0x8877665544332211n });
    expectMem(rig, [[D + 8, 0x8877665544332211n]]);
  });
  it('an unaligned LDR is an alignment fault (DFSC 0x21) with FAR = the address', () => {
    rig.setX(2, D + 1);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xf9400040, 'ldr x0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 1);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('an unaligned STR is an alignment fault with WnR = 1, nothing written', () => {
    rig.setX(2, D + 4);
    rig.setU64(D, 0x1111n);
    rig.setU64(D + 8, 0x2222n);
    expectEL1Abort(rig.run([[0xf9000040, 'str x0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT, wnr: 1 }), D + 4);
    expectMem(rig, [[D, 0x1111n], [D + 8, 0x2222n]]);
  });
  it('LDRB at an odd address is never misaligned', () => {
    rig.fill(D, 2, (i) => 0x40 + i);
    rig.setX(2, D + 1);
    expectDone(rig.run([[0x39400040, 'ldrb w0, [x2]']]));
    expectX(rig, { 0: 0x41n });
  });
  it('an unaligned LDP Wt element is an alignment fault', () => {
    rig.setX(2, D + 2);
    expectEL1Abort(rig.run([[0x29400440, 'ldp w0, w1, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 2);
  });
});

describe('Device memory with the MMU on', () => {
  it('an unaligned LDR to a Device-nGnRnE block is an alignment fault', () => {
    rig.s1Block(D, 0, true);
    rig.setX(2, D + 1);
    expectEL1Abort(rig.run([[0xf9400040, 'ldr x0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 1);
  });
  it('an aligned LDR from a Device-nGnRnE block works', () => {
    rig.s1Block(D, 0, true);
    rig.setU64(D + 8, 0x4444n);
    rig.setX(2, D + 8);
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]']]));
    expectX(rig, { 0: 0x4444n });
  });
});

describe('unaligned accesses to Normal memory, across a 4 KiB page boundary', () => {
  // Bytes D+0xff0 .. D+0x100f hold 0x01 .. 0x20; x2 = D+0xffc, 4 bytes below the page boundary.
  beforeEach(() => {
    rig.fill(D + 0xff0, 32, (i) => i + 1);
    rig.setX(2, D + 0xffc);
    rig.setX(7, 0xa1a2a3a4a5a6a7a8n);
    rig.setX(8, 0xb1b2b3b4b5b6b7b8n);
  });
  it('LDR Xt across the boundary', () => {
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]']]));
    expectX(rig, { 0: 0x14131211100f0e0dn });
  });
  it('LDUR Xt at -1, across the boundary', () => {
    expectDone(rig.run([[0xf85ff041, 'ldur x1, [x2, #-1]']]));
    expectX(rig, { 1: 0x131211100f0e0d0cn });
  });
  it('LDP Xt whose first element crosses the boundary', () => {
    expectDone(rig.run([[0xa9401043, 'ldp x3, x4, [x2]']]));
    expectX(rig, { 3: 0x14131211100f0e0dn, 4: 0x1c1b1a1918171615n });
  });
  it('LDP Xt whose second element crosses the boundary', () => {
    expectDone(rig.run([[0xa97f9845, 'ldp x5, x6, [x2, #-8]']]));
    expectX(rig, { 5: 0x0c0b0a0908070605n, 6: 0x14131211100f0e0dn });
  });
  it('LDUR Wt across the boundary', () => {
    expectDone(rig.run([[0xb8402049, 'ldur w9, [x2, #2]']]));
    expectX(rig, { 9: 0x1211100fn });
  });
  it('LDURSH Xt across the boundary', () => {
    expectDone(rig.run([[0x7880304a, 'ldursh x10, [x2, #3]']]));
    expectX(rig, { 10: 0x1110n });
  });
  it('STP Xt whose second element crosses, then STP Wt ending at the boundary', () => {
    expectDone(rig.run([[0xa93fa047, 'stp x7, x8, [x2, #-8]'], [0x293f9c48, 'stp w8, w7, [x2, #-4]']]));
    expectMem(rig, [[D + 0xff4, 0xb5b6b7b8a5a6a7a8n], [D + 0xffc, 0xb1b2b3b4a5a6a7a8n], [D + 0x1004, 0x1c1b1a1918171615n]]);
  });
  it('STP Xt whose first element crosses the boundary', () => {
    expectDone(rig.run([[0xa9002047, 'stp x7, x8, [x2]']]));
    expectMem(rig, [[D + 0xff4, 0x0c0b0a0908070605n], [D + 0xffc, 0xa1a2a3a4a5a6a7a8n], [D + 0x1004, 0xb1b2b3b4b5b6b7b8n]]);
  });
  it('STRH across the boundary', () => {
    expectDone(rig.run([[0x78003047, 'strh w7, [x2, #3]']]));
    expectMem(rig, [[D + 0xffc, 0x141312a7a80f0e0dn]]);
  });
  it('STR Xt across the boundary (at -3)', () => {
    expectDone(rig.run([[0xf81fd047, 'str x7, [x2, #-3]']]));
    expectMem(rig, [[D + 0xff1, 0x0908070605040302n], [D + 0xff9, 0xa1a2a3a4a5a6a7a8n], [D + 0x1001, 0x1918171615141312n]]);
  });
  it('LDR Xt across a 2 MiB block boundary into another mapped block', () => {
    rig.fill(rig.block(2) - 4, 8, (i) => 0x31 + i);
    rig.setX(2, rig.block(2) - 4);
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]']]));
    expectX(rig, { 0: 0x3837363534333231n });
  });
});

describe('a faulting access changes nothing', () => {
  it('STP whose second element is read-only: permission fault, nothing written, no writeback', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setU64(RO - 8, 0x55n);
    rig.setU64(RO, 0x66n);
    rig.setX(2, RO - 8);
    rig.setX(7, 0xa1a2a3a4a5a6a7a8n);
    rig.setX(8, 0xb1b2b3b4b5b6b7b8n);
    const r = rig.run([[0xa8812047, 'stp x7, x8, [x2], #16']]);
    expectEL1Abort(r, dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), RO);
    expectMem(rig, [[RO - 8, 0x55n], [RO, 0x66n]]);
    expectX(rig, { 2: RO - 8 });
  });
  it('STR Xt crossing into a read-only block writes neither part', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setU64(RO - 8, 0x55n);
    rig.setU64(RO, 0x66n);
    rig.setX(2, RO - 4);
    rig.setX(7, 0xa1a2a3a4a5a6a7a8n);
    expectEL1Abort(rig.run([[0xf9000047, 'str x7, [x2]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }));
    expectMem(rig, [[RO - 8, 0x55n], [RO, 0x66n]]);
  });
  it('LDP whose second element is unmapped: translation fault, no register written', () => {
    const UNM = rig.block(3);
    rig.s1Unmap(UNM);
    rig.setX(2, UNM - 8);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xa9401043, 'ldp x3, x4, [x2]']]), dabtISS({ dfsc: DFSC.TRANSLATION_L2 }), UNM);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('LDR post-index to an unmapped block: translation fault, base not written back', () => {
    const UNM = rig.block(3);
    rig.s1Unmap(UNM);
    rig.setX(2, UNM);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xf8408440, 'ldr x0, [x2], #8']]), dabtISS({ dfsc: DFSC.TRANSLATION_L2 }), UNM);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('STR pre-index to a read-only block: permission fault, nothing written, base not written back', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setU64(RO + 8, 0x66n);
    rig.setX(2, RO);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xf8008c40, 'str x0, [x2, #8]!']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), RO + 8);
    expectMem(rig, [[RO + 8, 0x66n]]);
    expect(rig.regs().x).toEqual(before.x);
  });
});

describe('unprivileged loads and stores (LDTR/STTR family)', () => {
  let U: number; // block 2: EL1 and EL0 read/write
  beforeEach(() => {
    U = rig.block(2);
    rig.s1Block(U, 1);
  });
  it('LDTR at EL1 on an EL1-only block: permission fault, as an EL0 access would get', () => {
    rig.setX(2, D);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xf8400840, 'ldtr x0, [x2]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2 }), D);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('LDTR at EL1 reads an EL0-accessible block', () => {
    rig.setU64(U, 0x4242n);
    rig.setX(3, U);
    expectDone(rig.run([[0xf8400860, 'ldtr x0, [x3]']]));
    expectX(rig, { 0: 0x4242n });
  });
  it('STTRB at EL1 writes one byte of an EL0-accessible block', () => {
    rig.fill(U + 8, 8, () => 0xee);
    rig.setX(0, 0x1142n);
    rig.setX(3, U);
    expectDone(rig.run([[0x38008860, 'sttrb w0, [x3, #8]']]));
    expectMem(rig, [[U + 8, 0xeeeeeeeeeeeeee42n]]);
  });
  it('LDTRSH sign-extends the halfword', () => {
    rig.setU64(U, 0x8042n);
    rig.setX(3, U);
    expectDone(rig.run([[0x78800861, 'ldtrsh x1, [x3]']]));
    expectX(rig, { 1: 0xffffffffffff8042n });
  });
  it('LDTRSW sign-extends the word', () => {
    rig.setU64(U + 0x100, 0xfffffffe80000000n);
    rig.setX(3, U + 0x100);
    expectDone(rig.run([[0xb8800860, 'ldtrsw x0, [x3]']]));
    expectX(rig, { 0: 0xffffffff80000000n });
  });
  it('LDTRSB Wt sign-extends to 32 bits', () => {
    rig.setU64(U + 0x100, 0xfffffffe80000000n);
    rig.setX(3, U + 0x100);
    expectDone(rig.run([[0x38c03861, 'ldtrsb w1, [x3, #3]']]));
    expectX(rig, { 1: 0xffffff80n });
  });
  it('STTRH with a negative offset', () => {
    rig.setU64(U + 0xf8, 0x1111111111111111n);
    rig.setX(1, 0xffffff80n);
    rig.setX(3, U + 0x100);
    expectDone(rig.run([[0x781fe861, 'sttrh w1, [x3, #-2]']]));
    expectMem(rig, [[U + 0xf8, 0xff80111111111111n]]);
  });
  it('STTR at EL1 to a block EL0 may only read (AP = 0b11): permission fault, WnR = 1', () => {
    rig.s1Block(rig.block(3), 3);
    rig.setX(4, rig.block(3));
    expectEL1Abort(rig.run([[0xf8000880, 'sttr x0, [x4]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), rig.block(3));
  });
  it('LDR and STR at EL1 on an EL0-accessible block work (no PAN)', () => {
    rig.setU64(D, 0x7777n);
    rig.setX(2, D);
    rig.setX(3, U);
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]'], [0xf9000060, 'str x0, [x3]']]));
    expectMem(rig, [[U, 0x7777n]]);
  });
  it('LDTR at EL0 on an EL1-only block: data abort from the lower EL (EC 0x24)', () => {
    rig.setX(2, D);
    const r = rig.run([[0xf8400840, 'ldtr x0, [x2]']], { el: 0 });
    expectTaken(r, { vector: 0x400, esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: DFSC.PERMISSION_L2 })), elr: rig.code, far: D });
  });
  it('LDR at EL0 on an EL1-only block: permission fault to EL1', () => {
    rig.setX(2, D);
    const r = rig.run([[0xf9400043, 'ldr x3, [x2]']], { el: 0 });
    expectTaken(r, { vector: 0x400, esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: DFSC.PERMISSION_L2 })), elr: rig.code, far: D });
  });
  it('STR at EL0 to a block EL0 may only read (AP = 0b11): permission fault, WnR = 1', () => {
    rig.s1Block(rig.block(3), 3);
    rig.setX(2, rig.block(3) + 8);
    const r = rig.run([[0xf9000040, 'str x0, [x2]']], { el: 0 });
    expectTaken(r, { vector: 0x400, esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 })), elr: rig.code, far: rig.block(3) + 8 });
  });
  it('LDR and STR at EL0 on an EL0 read/write block work', () => {
    rig.setU64(U + 0x10, 0x1234n);
    rig.setX(2, U + 0x10);
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]'], [0xf9000440, 'str x0, [x2, #8]']], { el: 0 }));
    expectMem(rig, [[U + 0x18, 0x1234n]]);
  });
});

describe('SCTLR_EL1.A = 1: alignment checking on Normal memory', () => {
  beforeEach(() => rig.mmu(true, SCTLR_A));
  it('LDR Xt at an unaligned address: alignment fault, FAR = the address', () => {
    rig.setX(2, D + 1);
    expectEL1Abort(rig.run([[0xf9400040, 'ldr x0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 1);
  });
  it('STRH at an odd address: alignment fault, WnR = 1', () => {
    rig.setX(2, D + 1);
    expectEL1Abort(rig.run([[0x79000040, 'strh w0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT, wnr: 1 }), D + 1);
  });
  it('LDRB at an odd address is fine', () => {
    rig.fill(D, 2, (i) => 0x60 + i);
    rig.setX(2, D + 1);
    expectDone(rig.run([[0x39400040, 'ldrb w0, [x2]']]));
    expectX(rig, { 0: 0x61n });
  });
  it('LDP Xt checks each element: an 8-aligned base is fine', () => {
    rig.setU64(D + 8, 0x8888n);
    rig.setU64(D + 16, 0x1616n);
    rig.setX(2, D + 8);
    expectDone(rig.run([[0xa9400440, 'ldp x0, x1, [x2]']]));
    expectX(rig, { 0: 0x8888n, 1: 0x1616n });
  });
  it('LDP Xt with a 4-aligned base: alignment fault', () => {
    rig.setX(2, D + 4);
    expectEL1Abort(rig.run([[0xa9400440, 'ldp x0, x1, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 4);
  });
  it('the alignment fault has priority over a translation fault', () => {
    rig.s1Unmap(rig.block(3));
    rig.setX(2, rig.block(3) + 1);
    expectEL1Abort(rig.run([[0xf9400040, 'ldr x0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), rig.block(3) + 1);
  });
});

describe('stage-2 data aborts: the exit to the host', () => {
  // VA block AV maps (stage 1) the IPA block B = block 3, which stage 2 leaves unmapped, so FAR
  // (the VA) and the IPA differ. AP = 0b01 so that LDTR/STTR pass stage 1. x2 = AV + 0x40.
  let AV: number;
  let B: number;
  beforeEach(() => {
    AV = rig.ram + 16 * MiB;
    B = rig.block(3);
    rig.s1Alias(AV, B, 1);
    rig.s2Block(B, 'none');
    rig.fill(B, 0x100, (i) => 0xc0 ^ i);
    rig.setX(2, AV + 0x40);
    rig.setX(3, 1n);
  });
  /** Runs insn; the exit must carry this ISS; PC, registers and memory must be unchanged. */
  function check(insn: Insn, off: number, iss: number): void {
    const before = rig.regs();
    const mem = bytesAt(B, 0x100);
    const r = rig.run([insn]);
    expectStage2Abort(r, { esr: esr(EC.DABT_LOWER, iss), far: AV + 0x40 + off, ipa: B + 0x40 + off, insn: insn[0] });
    expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code) });
    expect(bytesAt(B, 0x100)).toBe(mem);
  }
  const T = DFSC.TRANSLATION_L2;

  // ISV = 1: a single general-purpose register, no writeback, not exclusive.
  const withSyndrome: [string, Insn, number, Parameters<typeof dabtISS>[0]][] = [
    ['LDRB Wt', [0x39400040, 'ldrb w0, [x2]'], 0, { dfsc: T, sas: 0, sse: 0, srt: 0, sf: 0 }],
    ['LDRSB Xt', [0x39800041, 'ldrsb x1, [x2]'], 0, { dfsc: T, sas: 0, sse: 1, srt: 1, sf: 1 }],
    ['LDRSB Wt', [0x39c00043, 'ldrsb w3, [x2]'], 0, { dfsc: T, sas: 0, sse: 1, srt: 3, sf: 0 }],
    ['LDRH Wt', [0x79400444, 'ldrh w4, [x2, #2]'], 2, { dfsc: T, sas: 1, sse: 0, srt: 4, sf: 0 }],
    ['LDRSH Xt', [0x79800445, 'ldrsh x5, [x2, #2]'], 2, { dfsc: T, sas: 1, sse: 1, srt: 5, sf: 1 }],
    ['LDRSH Wt', [0x79c00446, 'ldrsh w6, [x2, #2]'], 2, { dfsc: T, sas: 1, sse: 1, srt: 6, sf: 0 }],
    ['LDR Wt', [0xb9400447, 'ldr w7, [x2, #4]'], 4, { dfsc: T, sas: 2, sse: 0, srt: 7, sf: 0 }],
    ['LDRSW', [0xb9800448, 'ldrsw x8, [x2, #4]'], 4, { dfsc: T, sas: 2, sse: 1, srt: 8, sf: 1 }],
    ['LDR Xt into X30', [0xf940045e, 'ldr x30, [x2, #8]'], 8, { dfsc: T, sas: 3, sse: 0, srt: 30, sf: 1 }],
    ['LDUR Xt', [0xf85f8049, 'ldur x9, [x2, #-8]'], -8, { dfsc: T, sas: 3, sse: 0, srt: 9, sf: 1 }],
    ['LDR Xt (register offset)', [0xf863784a, 'ldr x10, [x2, x3, lsl #3]'], 8, { dfsc: T, sas: 3, sse: 0, srt: 10, sf: 1 }],
    ['LDTR Xt', [0xf841084b, 'ldtr x11, [x2, #16]'], 16, { dfsc: T, sas: 3, sse: 0, srt: 11, sf: 1 }],
    ['STRB', [0x3900044c, 'strb w12, [x2, #1]'], 1, { dfsc: T, wnr: 1, sas: 0, sse: 0, srt: 12, sf: 0 }],
    ['STRH', [0x7900044d, 'strh w13, [x2, #2]'], 2, { dfsc: T, wnr: 1, sas: 1, sse: 0, srt: 13, sf: 0 }],
    ['STR Wt', [0xb900044e, 'str w14, [x2, #4]'], 4, { dfsc: T, wnr: 1, sas: 2, sse: 0, srt: 14, sf: 0 }],
    ['STR Xt', [0xf900044f, 'str x15, [x2, #8]'], 8, { dfsc: T, wnr: 1, sas: 3, sse: 0, srt: 15, sf: 1 }],
    ['STR XZR (SRT = 31)', [0xf900005f, 'str xzr, [x2]'], 0, { dfsc: T, wnr: 1, sas: 3, sse: 0, srt: 31, sf: 1 }],
    ['STUR Wt, unaligned', [0xb81fd050, 'stur w16, [x2, #-3]'], -3, { dfsc: T, wnr: 1, sas: 2, sse: 0, srt: 16, sf: 0 }],
    ['STTRH', [0x78006851, 'sttrh w17, [x2, #6]'], 6, { dfsc: T, wnr: 1, sas: 1, sse: 0, srt: 17, sf: 0 }],
    ['STR Wt (register offset)', [0xb8235852, 'str w18, [x2, w3, uxtw #2]'], 4, { dfsc: T, wnr: 1, sas: 2, sse: 0, srt: 18, sf: 0 }],
  ];
  for (const [name, insn, off, f] of withSyndrome) {
    it(`${name} (${insn[1]}): ISV = 1 with SAS ${f.sas}, SSE ${f.sse}, SRT ${f.srt}, SF ${f.sf}, WnR ${f.wnr ?? 0}`, () => {
      check(insn, off, dabtISS(f));
    });
  }

  // ISV = 0: pairs and writeback forms.
  const noSyndrome: [string, Insn, number, 0 | 1][] = [
    ['LDP', [0xa9400440, 'ldp x0, x1, [x2]'], 0, 0],
    ['LDPSW', [0x69410440, 'ldpsw x0, x1, [x2, #8]'], 8, 0],
    ['LDNP', [0x28400440, 'ldnp w0, w1, [x2]'], 0, 0],
    ['STP', [0xa9010440, 'stp x0, x1, [x2, #16]'], 16, 1],
    ['LDR pre-index', [0xf8408c40, 'ldr x0, [x2, #8]!'], 8, 0],
    ['LDR post-index', [0xf8408440, 'ldr x0, [x2], #8'], 0, 0],
    ['STR pre-index', [0xf81f0c40, 'str x0, [x2, #-16]!'], -16, 1],
    ['STRB post-index', [0x38001440, 'strb w0, [x2], #1'], 0, 1],
  ];
  for (const [name, insn, off, wnr] of noSyndrome) {
    it(`${name} (${insn[1]}): ISV = 0, WnR ${wnr}`, () => {
      check(insn, off, dabtISS({ dfsc: T, wnr }));
    });
  }

  describe('literal loads (code in block 0, the literal in a stage-2-unmapped block 1)', () => {
    const lits: [Insn, Parameters<typeof dabtISS>[0]][] = [
      [[0x58080814, 'ldr x20, #0x10100'], { dfsc: T, sas: 3, sse: 0, srt: 20, sf: 1 }],
      [[0x18080815, 'ldr w21, #0x10100'], { dfsc: T, sas: 2, sse: 0, srt: 21, sf: 0 }],
      [[0x98080816, 'ldrsw x22, #0x10100'], { dfsc: T, sas: 2, sse: 1, srt: 22, sf: 1 }],
    ];
    for (const [insn, f] of lits) {
      it(`${insn[1]}: ISV = 1 with SAS ${f.sas}, SSE ${f.sse}, SRT ${f.srt}, SF ${f.sf}; FAR = IPA = the literal`, () => {
        rig.s2Block(D, 'none');
        const before = rig.regs();
        const r = rig.run([insn]);
        expectStage2Abort(r, { esr: esr(EC.DABT_LOWER, dabtISS(f)), far: D + 0x100, ipa: D + 0x100, insn: insn[0] });
        expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code) });
      });
    }
  });

  it('a store to a stage-2 read-only block: permission fault (DFSC 0x0e), WnR = 1, ISV = 1', () => {
    rig.s2Block(B, 'ro');
    check([0xf900044f, 'str x15, [x2, #8]'], 8, dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1, sas: 3, srt: 15, sf: 1 }));
  });
  it('a load from a stage-2 read-only block completes', () => {
    rig.s2Block(B, 'ro');
    expectDone(rig.run([[0xf9400040, 'ldr x0, [x2]']]));
    expectX(rig, { 0: 0x8786858483828180n });
  });
  it('at EL0 the exit is the same: EC 0x24, ISV = 1, PC at the instruction, still at EL0', () => {
    const before = rig.regs();
    const spEL0 = hex(rig.cpu.sysreg('SP_EL0'));
    const insn: Insn = [0xf9400040, 'ldr x0, [x2]'];
    const r = rig.run([insn], { el: 0 });
    expectStage2Abort(r, { esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: T, sas: 3, srt: 0, sf: 1 })), far: AV + 0x40, ipa: B + 0x40, insn: insn[0] });
    expect(rig.regs()).toEqual({ ...before, sp: spEL0, pc: hex(rig.code) });
    expect(rig.cpu.el).toBe(0);
  });
  it('once the host maps the block, resuming at the same PC completes the load', () => {
    expect(rig.run([[0xf9400040, 'ldr x0, [x2]']]).exit.reason).toBe('dabt');
    rig.s2Block(B, 'rw');
    const exit = rig.cpu.run(1n);
    expect(exit.reason).toBe('budget');
    expectX(rig, { 0: 0x8786858483828180n });
    expect(hex(rig.cpu.pc)).toBe(hex(rig.code + 4));
  });
  it('an LDR crossing into a stage-2-unmapped block exits with the IPA of that block and nothing loaded', () => {
    rig.setX(2, B - 4);
    const before = rig.regs();
    const insn: Insn = [0xf9400040, 'ldr x0, [x2]'];
    const r = rig.run([insn]);
    expect({ exit: r.exit.reason, esr: hex(r.exit.esr), ipa: hex(r.exit.ipa) })
      .toEqual({ exit: 'dabt', esr: hex(esr(EC.DABT_LOWER, dabtISS({ dfsc: T, sas: 3, srt: 0, sf: 1 }))), ipa: hex(B) });
    expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code) });
  });
});
