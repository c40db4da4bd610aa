// Hand-worked cases for the SIMD&FP loads and stores (assembly/exec/simd_ldst.ts, fp/vmem.ts),
// MRS/MSR of FPCR/FPSR and the CPACR_EL1.FPEN trap: what the QEMU-compared guest (simd.elf) cannot
// reach — EL0, page-crossing accesses, translation and permission faults that must leave
// registers and memory untouched, stage-2 aborts seen by the host (ISV = 0), SP alignment,
// Device memory, and the reserved encodings that must stay UNDEFINED.
//
// Instruction words were assembled with llvm-mc (-triple=aarch64); reserved words were built by
// hand from the encoding diagrams (Arm ARM C4.1.88) and llvm-mc --disassemble rejects them.
// Expected values follow the Arm ARM pseudocode (C6.2 / C7.2, Mem[], AArch64.CheckFPAdvSIMDEnabled).
import { describe, it, expect, beforeEach } from 'vitest';
import { Rig, EC, DFSC, esr, dabtISS, hex, expectX, expectMem, expectDone, expectTaken, expectStage2Abort, layout as L, type Insn } from './helpers/rig.ts';

const SCTLR_A = 1n << 1n;
const SCTLR_SA = 1n << 3n;
const FP_TRAP = esr(0x07, (1 << 24) | (0xe << 20)); // CV = 1, COND = 0b1110, as QEMU reports it

let rig: Rig;
let D: number; // block 1: Normal memory, EL1 read/write
beforeEach(() => {
  rig = new Rig();
  D = rig.block(1);
  setFPEN(3);
});

function setFPEN(fpen: number): void { rig.cpu.setSysreg('CPACR_EL1', BigInt(fpen) << 20n); }
function setV(n: number, lo: bigint, hi: bigint): void {
  rig.cpu.setU64(L.V0 + 16 * n, lo);
  rig.cpu.setU64(L.V0 + 16 * n + 8, hi);
}
function v(n: number): string {
  return hex(rig.cpu.u64(L.V0 + 16 * n + 8)).padEnd(18) + ':' + hex(rig.cpu.u64(L.V0 + 16 * n));
}
function expectV(want: Record<number, [lo: bigint, hi: bigint]>): void {
  const got: Record<string, string> = {};
  const exp: Record<string, string> = {};
  for (const [n, [lo, hi]] of Object.entries(want)) {
    got[`v${n}`] = v(Number(n));
    exp[`v${n}`] = hex(hi).padEnd(18) + ':' + hex(lo);
  }
  expect(got).toEqual(exp);
}
/** Bytes 0x00, 0x01, ... from a. */
function ramp(a: number, n: number, first = 0): void { rig.fill(a, n, (i) => (first + i) & 0xff); }
function markV(): void { for (let n = 0; n < 32; n++) setV(n, 0x1111_0000_0000_0000n | BigInt(n), 0x2222_0000_0000_0000n | BigInt(n)); }
const MARK = (n: number): [bigint, bigint] => [0x1111_0000_0000_0000n | BigInt(n), 0x2222_0000_0000_0000n | BigInt(n)];
function expectEL1Abort(r: ReturnType<Rig['run']>, iss: number, far: number): void {
  expectTaken(r, { vector: 0x200, esr: esr(EC.DABT_CUR, iss), elr: rig.code, far });
}
function expectUndefined(r: ReturnType<Rig['run']>): void {
  expectTaken(r, { vector: 0x200, esr: esr(EC.UNKNOWN), elr: rig.code });
}

describe('CPACR_EL1.FPEN (AArch64.CheckFPAdvSIMDEnabled): EC 0x07 to EL1', () => {
  const LDR_Q: Insn = [0x3dc00040, 'ldr q0, [x2]'];
  const MRS_FPCR: Insn = [0xd53b4400, 'mrs x0, fpcr'];
  for (const [fpen, el, traps] of [[0, 1, true], [1, 1, false], [2, 1, true], [3, 1, false], [0, 0, true], [1, 0, true], [2, 0, true], [3, 0, false]] as const) {
    it(`FPEN = ${fpen} at EL${el}: ${traps ? 'trapped' : 'allowed'}`, () => {
      setFPEN(fpen);
      rig.s1Block(D, 1); // EL0 may read block 1
      rig.setU64(D, 0x1122334455667788n);
      rig.setX(2, D);
      markV();
      for (const insn of [LDR_Q, MRS_FPCR]) {
        const r = rig.run([insn], { el });
        if (traps) {
          expectTaken(r, { vector: el === 0 ? 0x400 : 0x200, esr: FP_TRAP, elr: rig.code });
          expectV({ 0: MARK(0) });
          expectX(rig, { 0: 0x5a5a_0000_0000_0000n });
        } else {
          expectDone(r);
        }
      }
    });
  }
  it('the trap is taken before the access: no data abort for an unmapped address', () => {
    setFPEN(0);
    rig.s1Unmap(rig.block(3));
    rig.setX(2, rig.block(3));
    expectTaken(rig.run([LDR_Q]), { vector: 0x200, esr: FP_TRAP, elr: rig.code });
  });
});

describe('FPCR and FPSR', () => {
  it('FPCR keeps AHP, DN, FZ and RMode only; FPSR keeps QC and the cumulative flags only', () => {
    rig.setX(1, -1n);
    expectDone(rig.run([[0xd51b4401, 'msr fpcr, x1'], [0xd51b4421, 'msr fpsr, x1'], [0xd53b4400, 'mrs x0, fpcr'], [0xd53b4423, 'mrs x3, fpsr']]));
    expectX(rig, { 0: 0x07c00000n, 3: 0x0800009fn });
  });
  it('EL0 reads and writes them when FPEN = 3', () => {
    rig.setX(1, 0x00c00000n);
    expectDone(rig.run([[0xd51b4401, 'msr fpcr, x1'], [0xd53b4400, 'mrs x0, fpcr']], { el: 0 }));
    expectX(rig, { 0: 0x00c00000n });
  });
});

describe('accesses that cross a page', () => {
  it('LDR Q across a page boundary', () => {
    ramp(D + 0xff8, 16, 0x40);
    rig.setX(2, D + 0xff8);
    expectDone(rig.run([[0x3dc00040, 'ldr q0, [x2]']]));
    expectV({ 0: [0x4746454443424140n, 0x4f4e4d4c4b4a4948n] });
  });
  it('STP Q whose first register crosses the boundary', () => {
    setV(0, 0x0706050403020100n, 0x0f0e0d0c0b0a0908n);
    setV(1, 0x1716151413121110n, 0x1f1e1d1c1b1a1918n);
    rig.setX(2, D + 0xff8);
    expectDone(rig.run([[0xac810440, 'stp q0, q1, [x2], #32']]));
    expectMem(rig, [[D + 0xff8, 0x0706050403020100n], [D + 0x1000, 0x0f0e0d0c0b0a0908n], [D + 0x1008, 0x1716151413121110n], [D + 0x1010, 0x1f1e1d1c1b1a1918n]]);
    expectX(rig, { 2: D + 0x1018 });
  });
  it('LD1 {.4s} at a misaligned address whose second element straddles the page', () => {
    ramp(D + 0xffa, 16, 0x80);
    rig.setX(2, D + 0xffa);
    expectDone(rig.run([[0x4c407840, 'ld1 {v0.4s}, [x2]']]));
    expectV({ 0: [0x8786858483828180n, 0x8f8e8d8c8b8a8988n] });
  });
  it('LD3 single structure whose members straddle the page', () => {
    ramp(D + 0xffc, 12, 0x10);
    markV();
    rig.setX(2, D + 0xffc);
    expectDone(rig.run([[0x0d40b040, 'ld3 {v0.s, v1.s, v2.s}[1], [x2]']]));
    expectV({ 0: [0x13121110_00000000n | (MARK(0)[0] & 0xffffffffn), MARK(0)[1]], 1: [0x17161514_00000000n | 1n, MARK(1)[1]], 2: [0x1b1a1918_00000000n | 2n, MARK(2)[1]] });
  });
});

describe('faults leave registers and memory as they were', () => {
  it('LDR Q, post-index, crossing into an unmapped block: translation fault at the first byte of the next page', () => {
    rig.s1Unmap(rig.block(2));
    markV();
    rig.setX(2, rig.block(2) - 8);
    expectEL1Abort(rig.run([[0x3cc10440, 'ldr q0, [x2], #16']]), dabtISS({ dfsc: DFSC.TRANSLATION_L2 }), rig.block(2));
    expectV({ 0: MARK(0) });
    expectX(rig, { 2: rig.block(2) - 8 });
  });
  it('LD4 post-index running into an unmapped block: no register written, no writeback', () => {
    rig.s1Unmap(rig.block(2));
    markV();
    rig.setX(2, rig.block(2) - 32);
    expectEL1Abort(rig.run([[0x4cdf0040, 'ld4 {v0.16b, v1.16b, v2.16b, v3.16b}, [x2], #64']]), dabtISS({ dfsc: DFSC.TRANSLATION_L2 }), rig.block(2));
    expectV({ 0: MARK(0), 1: MARK(1), 2: MARK(2), 3: MARK(3) });
    expectX(rig, { 2: rig.block(2) - 32 });
  });
  it('ST1 of two registers running into a read-only block: permission fault (WnR), nothing stored', () => {
    rig.s1Block(rig.block(2), 2);
    rig.fill(rig.block(2) - 16, 32, () => 0xee);
    markV();
    rig.setX(2, rig.block(2) - 16);
    expectEL1Abort(rig.run([[0x4c00a040, 'st1 {v0.16b, v1.16b}, [x2]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), rig.block(2));
    expectMem(rig, [[rig.block(2) - 16, 0xeeeeeeeeeeeeeeeen], [rig.block(2) - 8, 0xeeeeeeeeeeeeeeeen], [rig.block(2), 0xeeeeeeeeeeeeeeeen]]);
  });
  it('STP Q whose second register faults: the first is not stored', () => {
    rig.s1Block(rig.block(2), 2);
    rig.fill(rig.block(2) - 16, 16, () => 0xee);
    markV();
    rig.setX(2, rig.block(2) - 16);
    expectEL1Abort(rig.run([[0xac810440, 'stp q0, q1, [x2], #32']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), rig.block(2));
    expectMem(rig, [[rig.block(2) - 16, 0xeeeeeeeeeeeeeeeen]]);
    expectX(rig, { 2: rig.block(2) - 16 });
  });
  it('a stage-2 fault exits to the host with ISV = 0 (no instruction syndrome for SIMD&FP)', () => {
    rig.s2Block(rig.block(3), 'none');
    rig.setX(2, rig.block(3) + 0x40);
    markV();
    expectStage2Abort(rig.run([[0x3dc00040, 'ldr q0, [x2]']]), {
      esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: DFSC.TRANSLATION_L2 })), far: rig.block(3) + 0x40, ipa: rig.block(3) + 0x40, insn: 0x3dc00040,
    });
    expectV({ 0: MARK(0) });
  });
  it('a stage-2 fault on a store of a pair: ISV = 0, WnR = 1', () => {
    rig.s2Block(rig.block(3), 'ro');
    rig.setX(2, rig.block(3));
    expectStage2Abort(rig.run([[0xac810440, 'stp q0, q1, [x2], #32']]), {
      esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 })), far: rig.block(3), ipa: rig.block(3), insn: 0xac810440,
    });
    expectX(rig, { 2: rig.block(3) });
  });
});

describe('alignment', () => {
  it('SP alignment (SCTLR_EL1.SA): LDR Q [SP] with SP misaligned', () => {
    rig.mmu(true, SCTLR_SA);
    rig.cpu.sp = BigInt(D + 8);
    expectTaken(rig.run([[0x3dc003e0, 'ldr q0, [sp]']]), { vector: 0x200, esr: esr(EC.SP_ALIGN), elr: rig.code });
  });
  it('SCTLR_EL1.A: LDR Q must be 16-byte aligned, LDR D 8-byte aligned', () => {
    rig.mmu(true, SCTLR_A);
    rig.setX(2, D + 8);
    expectEL1Abort(rig.run([[0x3dc00040, 'ldr q0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 8);
    expectDone(rig.run([[0xfd400440, 'ldr d0, [x2, #8]']]));
  });
  it('SCTLR_EL1.A: structure accesses are checked per element', () => {
    rig.mmu(true, SCTLR_A);
    rig.setX(2, D + 4);
    expectDone(rig.run([[0x4c407840, 'ld1 {v0.4s}, [x2]']]));
    rig.setX(2, D + 1);
    expectDone(rig.run([[0x4c407040, 'ld1 {v0.16b}, [x2]']]));
    rig.setX(2, D + 2);
    expectEL1Abort(rig.run([[0x4c407840, 'ld1 {v0.4s}, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 2);
    rig.setX(2, D + 4);
    expectDone(rig.run([[0x4d40c840, 'ld1r {v0.4s}, [x2]']]));
  });
  it('Device memory: byte elements at any address, a misaligned Q faults', () => {
    rig.s1Block(D, 0, true);
    rig.setX(2, D + 1);
    expectDone(rig.run([[0x4c407040, 'ld1 {v0.16b}, [x2]']]));
    rig.setX(2, D + 16);
    expectEL1Abort(rig.run([[0x3c9f8c40, 'str q0, [x2, #-8]!']]), dabtISS({ dfsc: DFSC.ALIGNMENT, wnr: 1 }), D + 8);
    expectX(rig, { 2: D + 16 });
    rig.setX(2, D + 8);
    expectEL1Abort(rig.run([[0x3dc00040, 'ldr q0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), D + 8);
    expectX(rig, { 2: D + 8 });
  });
});

describe('results', () => {
  it('LD1R replicates, ST2 interleaves and post-indexes by Xm', () => {
    rig.setU32(D, 0xdeadbeef);
    rig.setX(2, D);
    expectDone(rig.run([[0x4d40c840, 'ld1r {v0.4s}, [x2]']]));
    expectV({ 0: [0xdeadbeefdeadbeefn, 0xdeadbeefdeadbeefn] });
    setV(0, 0xa0n, 0xa1n);
    setV(1, 0xb0n, 0xb1n);
    rig.setX(3, 0x100);
    expectDone(rig.run([[0x4c838c40, 'st2 {v0.2d, v1.2d}, [x2], x3']]));
    expectMem(rig, [[D, 0xa0n], [D + 8, 0xb0n], [D + 16, 0xa1n], [D + 24, 0xb1n]]);
    expectX(rig, { 2: D + 0x100 });
  });
  it('scalar loads clear the upper bits', () => {
    rig.setU64(D + 8, 0x8877665544332211n);
    markV();
    rig.setX(2, D);
    expectDone(rig.run([[0xfd400440, 'ldr d0, [x2, #8]']]));
    expectV({ 0: [0x8877665544332211n, 0n] });
  });
});

describe('reserved SIMD&FP load/store encodings are UNDEFINED', () => {
  const words: [number, string][] = [
    [0x0c408c00, 'LD2 multiple, size = 11 with Q = 0 (.1d)'],
    [0x4c401000, 'multiple structures, opcode 0001'],
    [0x4c403000, 'multiple structures, opcode 0011'],
    [0x4c40f000, 'multiple structures, opcode 1111'],
    [0x4d00c000, 'LD1R encoding with L = 0 (no ST1R)'],
    [0x4d40d000, 'LD1R with S = 1'],
    [0x0d404400, 'LD1 single .h with size<0> = 1'],
    [0x0d408800, 'LD1 single .s with size<1> = 1'],
    [0x0d409400, 'LD1 single .d with S = 1'],
    [0x7dc00000, 'LDR (immediate) V = 1, size = 01, opc = 11'],
    [0xfd800000, 'LDR (immediate) V = 1, size = 11, opc = 10'],
    [0x3c400800, 'unprivileged form with V = 1'],
    [0xdc000000, 'LDR (literal) V = 1, opc = 11'],
    [0xed400000, 'LDP V = 1, opc = 11'],
  ];
  for (const [w, what] of words) {
    it(`${hex(w)}: ${what}`, () => {
      rig.setX(0, D);
      expectUndefined(rig.run([w]));
    });
  }
  it('register offset with option<1> = 0 is UNDEFINED', () => {
    rig.setX(0, D);
    expectUndefined(rig.run([0x3c600800])); // ldr b0, [x0, x0, option = 000]
  });
});
