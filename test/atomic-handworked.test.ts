// Hand-worked cases for the exclusives, load-acquire/store-release and LSE atomics
// (assembly/exec/atomic.ts): the local exclusive monitor rules documented in atomic.ts, the
// alignment and permission faults (with WnR as the Arm ARM defines it for atomics), CAS/CASP,
// every LD<op>/SWP operation and size, the CONSTRAINED UNPREDICTABLE register overlaps, and the
// stage-2 data aborts the host sees (no instruction syndrome except for LDAR/STLR, with AR = 1).
//
// The instruction words were assembled with llvm-mc (-triple=aarch64 -mattr=+lse) and pasted with
// their text; words llvm-mc refuses to assemble were built by hand and checked with llvm-mc
// --disassemble. Expected values were worked out from the Arm ARM pseudocode; the LD<op>/SWP/CAS
// results and the overlap cases were cross-checked with qemu-aarch64 user mode (QEMU 7.2, -cpu max).
import { describe, it, expect, beforeEach } from 'vitest';
import {
  Rig, MiB, EC, DFSC, esr, dabtISS, hex, expectX, expectMem, expectDone, expectTaken, expectStage2Abort, type Insn,
} from './helpers/rig.ts';

const NOP = 0xd503201f;

let rig: Rig;
/** Block 1: Normal memory, EL1 read/write. */
let D: number;
beforeEach(() => {
  rig = new Rig();
  D = rig.block(1);
});

/** A data abort taken to EL1 from EL1 by the instruction at index i of the run. */
function expectEL1Abort(r: ReturnType<Rig['run']>, iss: number, far: number, i = 0): void {
  expectTaken(r, { vector: 0x200, esr: esr(EC.DABT_CUR, iss), elr: rig.code + 4 * i, far });
}
function expectUndefined(r: ReturnType<Rig['run']>): void {
  expectTaken(r, { vector: 0x200, esr: esr(EC.UNKNOWN), elr: rig.code });
}
/**
 * EC, DFSC, ELR and FAR of the exception taken (not WnR: the WnR of an atomic's alignment fault
 * is checked once, in its own test below).
 */
function alignmentSummary(r: ReturnType<Rig['run']>) {
  const e = r.exc;
  return { ec: hex(e ? e.esr >> 26n : -1), dfsc: hex(e ? e.esr & 0x3fn : -1), elr: hex(e?.elr ?? -1), far: hex(e?.far ?? -1) };
}
function bytesAt(a: number, n: number): string {
  return Buffer.from(rig.cpu.bytes(a, n)).toString('hex');
}

describe('LDXR/STXR and the local exclusive monitor', () => {
  let X: number; // the marked location; its 64-byte granule is X .. X+0x3f
  beforeEach(() => {
    X = D + 0x40;
    rig.setU64(X, 7n);
    rig.setU64(X + 8, 0x88n);
    rig.setX(2, X);
    rig.setX(5, 0x99n);
    rig.setX(6, 0xaan);
  });
  /** Runs LDXR x0, [x2] on its own and checks that it marked X for 8 bytes. */
  function mark(): void {
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]']]));
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(X), size: 8 });
  }
  it('LDXR loads and marks the physical address and size', () => {
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]']]));
    expectX(rig, { 0: 7n });
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(X), size: 8 });
  });
  it('LDAXR Wt marks the exact address and 4 bytes', () => {
    rig.setU64(X + 0x10, 0xfedcba9876543210n);
    rig.setX(2, X + 0x10);
    expectDone(rig.run([[0x885ffc40, 'ldaxr w0, [x2]']]));
    expectX(rig, { 0: 0x76543210n });
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(X + 0x10), size: 4 });
  });
  it('STXR after LDXR to the same address stores, returns status 0 and clears the monitor', () => {
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]'], [0xc8017c45, 'stxr w1, x5, [x2]']]));
    expectX(rig, { 1: 0n });
    expectMem(rig, [[X, 0x99n]]);
    expect(rig.monitor().valid).toBe(0);
  });
  it('a second STXR fails with status 1 and stores nothing', () => {
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]'], [0xc8017c45, 'stxr w1, x5, [x2]'], [0xc8037c46, 'stxr w3, x6, [x2]']]));
    expectX(rig, { 1: 0n, 3: 1n });
    expectMem(rig, [[X, 0x99n]]);
  });
  it('LDAXRB/STLXRB work on a byte', () => {
    rig.setU64(X, 0x1122334455667788n);
    expectDone(rig.run([[0x085ffc40, 'ldaxrb w0, [x2]'], [0x0801fc45, 'stlxrb w1, w5, [x2]']]));
    expectX(rig, { 0: 0x88n, 1: 0n });
    expectMem(rig, [[X, 0x1122334455667799n]]);
  });
  it('LDXRH/STXRH work on a halfword', () => {
    rig.setU64(X, 0x1122334455667788n);
    expectDone(rig.run([[0x485f7c40, 'ldxrh w0, [x2]'], [0x48017c45, 'stxrh w1, w5, [x2]']]));
    expectX(rig, { 0: 0x7788n, 1: 0n });
    expectMem(rig, [[X, 0x1122334455660099n]]);
  });
  it('LDXR/STXR Wt work on a word, zero-extended', () => {
    rig.setU64(X, 0x1122334455667788n);
    expectDone(rig.run([[0x885f7c40, 'ldxr w0, [x2]'], [0x88017c45, 'stxr w1, w5, [x2]']]));
    expectX(rig, { 0: 0x55667788n, 1: 0n });
    expectMem(rig, [[X, 0x1122334400000099n]]);
  });
  it('STXR of another size than the LDXR fails (the choice the Arm ARM leaves open)', () => {
    mark();
    expectDone(rig.run([[0x88017c45, 'stxr w1, w5, [x2]']]));
    expectX(rig, { 1: 1n });
    expectMem(rig, [[X, 7n]]);
  });
  it('STXR to another address in the same granule fails', () => {
    rig.setX(6, X + 8);
    mark();
    expectDone(rig.run([[0xc8017cc5, 'stxr w1, x5, [x6]']]));
    expectX(rig, { 1: 1n });
    expectMem(rig, [[X + 8, 0x88n]]);
  });
  it('a plain STR to the marked address does not clear the monitor', () => {
    mark();
    expectDone(rig.run([[0xf9000045, 'str x5, [x2]']]));
    expectMem(rig, [[X, 0x99n]]);
    expect(rig.monitor().valid).toBe(1);
    expectDone(rig.run([[0xc8017c46, 'stxr w1, x6, [x2]']]));
    expectX(rig, { 1: 0n });
    expectMem(rig, [[X, 0xaan]]);
  });
  it('an LSE atomic in the marked 64-byte granule clears the monitor', () => {
    rig.setX(7, X + 0x38);
    rig.setU64(X + 0x38, 0x10n);
    mark();
    expectDone(rig.run([[0xf82500e8, 'ldadd x5, x8, [x7]'], [0xc8017c46, 'stxr w1, x6, [x2]']]));
    expectX(rig, { 1: 1n, 8: 0x10n });
    expectMem(rig, [[X, 7n], [X + 0x38, 0xa9n]]);
  });
  it('an LSE atomic outside the granule leaves the monitor set', () => {
    rig.setX(7, X + 0x40);
    rig.setU64(X + 0x40, 0x10n);
    mark();
    expectDone(rig.run([[0xf82500e8, 'ldadd x5, x8, [x7]'], [0xc8017c46, 'stxr w1, x6, [x2]']]));
    expectX(rig, { 1: 0n, 8: 0x10n });
    expectMem(rig, [[X, 0xaan], [X + 0x40, 0xa9n]]);
  });
  it('an LSE atomic just below the granule leaves the monitor set (the granule is 64 bytes, aligned)', () => {
    rig.setX(7, X - 8);
    rig.setU64(X - 8, 0x10n);
    mark();
    expectDone(rig.run([[0xf82500e8, 'ldadd x5, x8, [x7]'], [0xc8017c46, 'stxr w1, x6, [x2]']]));
    expectX(rig, { 1: 0n, 8: 0x10n });
    expectMem(rig, [[X, 0xaan], [X - 8, 0xa9n]]);
  });
  it('a CAS in the granule clears the monitor even when its comparison fails', () => {
    rig.setX(7, X + 8);
    rig.setX(9, 0x1234n);
    mark();
    expectDone(rig.run([[0xc8a97ce5, 'cas x9, x5, [x7]'], [0xc8017c46, 'stxr w1, x6, [x2]']]));
    expectX(rig, { 1: 1n, 9: 0x88n });
    expectMem(rig, [[X, 7n], [X + 8, 0x88n]]);
  });
  it('CLREX clears the monitor', () => {
    mark();
    expectDone(rig.run([[0xd5033f5f, 'clrex'], [0xc8017c46, 'stxr w1, x6, [x2]']]));
    expectX(rig, { 1: 1n });
    expectMem(rig, [[X, 7n]]);
  });
  it('taking an exception (SVC) clears the monitor', () => {
    mark();
    const r = rig.run([[0xd4000001, 'svc #0']]);
    expectTaken(r, { vector: 0x200, esr: esr(EC.SVC64, 0), elr: rig.code + 4 });
    expect(rig.monitor().valid).toBe(0);
  });
  it('ERET clears the monitor', () => {
    mark();
    rig.cpu.setSysreg('ELR_EL1', BigInt(rig.code + 8));
    rig.cpu.setSysreg('SPSR_EL1', 0x3c5n); // EL1h, DAIF masked
    const r = rig.run([[0xd69f03e0, 'eret'], 0, NOP], { steps: 2 });
    expect({ pc: hex(r.pc), exception: r.exc }).toEqual({ pc: hex(rig.code + 12), exception: null });
    expect(rig.monitor().valid).toBe(0);
  });
  it('the monitor tracks the physical address: STXR through another VA of the same memory passes', () => {
    const AV = rig.ram + 16 * MiB;
    rig.s1Alias(AV, D);
    rig.setX(2, AV + 0x40);
    rig.setX(6, X);
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]']]));
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(X), size: 8 });
    expectDone(rig.run([[0xc8017cc5, 'stxr w1, x5, [x6]']]));
    expectX(rig, { 0: 7n, 1: 0n });
    expectMem(rig, [[X, 0x99n]]);
  });
  it('LDXR at a misaligned address: alignment fault, even on Normal memory', () => {
    rig.setX(6, X + 4);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xc85f7cc0, 'ldxr x0, [x6]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), X + 4);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('STXR at a misaligned address: alignment fault, WnR = 1, the status register not written', () => {
    rig.setX(6, X + 4);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xc8017cc0, 'stxr w1, x0, [x6]']]), dabtISS({ dfsc: DFSC.ALIGNMENT, wnr: 1 }), X + 4);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('STXR with the monitor open fails without translating: no fault on an unmapped address', () => {
    rig.s1Unmap(rig.block(3));
    rig.setX(6, rig.block(3));
    rig.setX(1, 5n);
    expectDone(rig.run([[0xc8017cc0, 'stxr w1, x0, [x6]']]));
    expectX(rig, { 1: 1n });
  });
  it('STXR with the monitor set translates its address: a fault on an unmapped one, WnR = 1', () => {
    rig.s1Unmap(rig.block(3));
    rig.setX(6, rig.block(3));
    rig.setX(1, 5n);
    const r = rig.run([[0xc85f7c40, 'ldxr x0, [x2]'], [0xc8017cc0, 'stxr w1, x0, [x6]']]);
    expectEL1Abort(r, dabtISS({ dfsc: DFSC.TRANSLATION_L2, wnr: 1 }), rig.block(3), 1);
    expectX(rig, { 1: 5n });
  });
  it('EL0: LDXR/STXR on an EL0-accessible block pass', () => {
    const U = rig.block(2);
    rig.s1Block(U, 1);
    rig.setU64(U + 0x10, 0x4444n);
    rig.setX(2, U + 0x10);
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]'], [0xc8017c45, 'stxr w1, x5, [x2]']], { el: 0 }));
    expectX(rig, { 0: 0x4444n, 1: 0n });
    expectMem(rig, [[U + 0x10, 0x99n]]);
  });
  it('EL0: LDXR on an EL1-only block is a permission fault to EL1 (EC 0x24)', () => {
    const r = rig.run([[0xc85f7c40, 'ldxr x0, [x2]']], { el: 0 });
    expectTaken(r, { vector: 0x400, esr: esr(EC.DABT_LOWER, dabtISS({ dfsc: DFSC.PERMISSION_L2 })), elr: rig.code, far: X });
  });
});

describe('exclusive pairs: LDXP/STXP', () => {
  let P: number;
  beforeEach(() => {
    P = D + 0x50;
    rig.setU64(P, 0x1n);
    rig.setU64(P + 8, 0x2n);
    rig.setX(2, P);
    rig.setX(5, 0xaan);
    rig.setX(6, 0xbbn);
  });
  it('LDXP Xt loads Rt from the lower address, Rt2 from the higher, and marks 16 bytes', () => {
    expectDone(rig.run([[0xc87f0440, 'ldxp x0, x1, [x2]']]));
    expectX(rig, { 0: 1n, 1: 2n });
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(P), size: 16 });
  });
  it('STXP Xt after LDXP stores Rt at the lower address, Rt2 at the higher; status 0', () => {
    expectDone(rig.run([[0xc87f0440, 'ldxp x0, x1, [x2]'], [0xc8231845, 'stxp w3, x5, x6, [x2]']]));
    expectX(rig, { 3: 0n });
    expectMem(rig, [[P, 0xaan], [P + 8, 0xbbn]]);
  });
  it('LDAXP/STLXP Wt: two words in 8 bytes, Rt in the low half', () => {
    rig.setU64(P, 0x2222222211111111n);
    expectDone(rig.run([[0x887f8440, 'ldaxp w0, w1, [x2]'], [0x88239446, 'stlxp w3, w6, w5, [x2]']]));
    expectX(rig, { 0: 0x11111111n, 1: 0x22222222n, 3: 0n });
    expectMem(rig, [[P, 0x000000aa000000bbn]]);
  });
  it('LDXP of 16 bytes at an 8-aligned address: alignment fault', () => {
    rig.setX(2, P + 8);
    expectEL1Abort(rig.run([[0xc87f0440, 'ldxp x0, x1, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), P + 8);
  });
  it('STXP of another size than the LDXP fails', () => {
    expectDone(rig.run([[0xc87f0440, 'ldxp x0, x1, [x2]']]));
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(P), size: 16 });
    expectDone(rig.run([[0x88231845, 'stxp w3, w5, w6, [x2]']]));
    expectX(rig, { 3: 1n });
    expectMem(rig, [[P, 1n], [P + 8, 2n]]);
  });
});

describe('CONSTRAINED UNPREDICTABLE exclusive overlaps (the choices documented in atomic.ts, as QEMU)', () => {
  let X: number;
  beforeEach(() => {
    X = D + 0x40;
    rig.setU64(X, 0x1111n);
    rig.setU64(X + 8, 0x2222n);
    rig.setX(2, X);
  });
  it('STXR with Rs == Rt stores the original Rt, then writes the status', () => {
    rig.setX(3, 0x5555n);
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]'], [0xc8037c43, 'stxr w3, x3, [x2]']]));
    expectX(rig, { 3: 0n });
    expectMem(rig, [[X, 0x5555n]]);
  });
  it('STXR with Rs == Rn uses the original address, then writes the status', () => {
    rig.setX(3, 0x6666n);
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]'], [0xc8027c43, 'stxr w2, x3, [x2]']]));
    expectX(rig, { 2: 0n });
    expectMem(rig, [[X, 0x6666n]]);
  });
  it('LDXP with Rt == Rt2: the value from the higher address wins', () => {
    expectDone(rig.run([[0xc87f0441, 'ldxp x1, x1, [x2]']]));
    expectX(rig, { 1: 0x2222n });
  });
});

describe('LDAR/STLR: load-acquire, store-release', () => {
  let X: number;
  beforeEach(() => {
    X = D + 0x60;
    rig.setU64(X, 0xffeeddccbbaa9988n);
    rig.setX(2, X);
    rig.setX(5, 0x12345678000000aan);
  });
  const loads: [Insn, bigint][] = [
    [[0x08dffc40, 'ldarb w0, [x2]'], 0x88n],
    [[0x48dffc40, 'ldarh w0, [x2]'], 0x9988n],
    [[0x88dffc40, 'ldar w0, [x2]'], 0xbbaa9988n],
    [[0xc8dffc40, 'ldar x0, [x2]'], 0xffeeddccbbaa9988n],
  ];
  for (const [insn, want] of loads) {
    it(`${insn[1]} loads and zero-extends`, () => {
      expectDone(rig.run([insn]));
      expectX(rig, { 0: want });
    });
  }
  const stores: [Insn, bigint][] = [
    [[0x089ffc45, 'stlrb w5, [x2]'], 0xffeeddccbbaa99aan],
    [[0x489ffc45, 'stlrh w5, [x2]'], 0xffeeddccbbaa00aan],
    [[0x889ffc45, 'stlr w5, [x2]'], 0xffeeddcc000000aan],
    [[0xc89ffc45, 'stlr x5, [x2]'], 0x12345678000000aan],
  ];
  for (const [insn, want] of stores) {
    it(`${insn[1]} stores the low bytes of the register`, () => {
      expectDone(rig.run([insn]));
      expectMem(rig, [[X, want]]);
    });
  }
  it('LDARH at an odd address: alignment fault, even on Normal memory', () => {
    rig.setX(2, X + 1);
    expectEL1Abort(rig.run([[0x48dffc40, 'ldarh w0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT }), X + 1);
  });
  it('STLR Xt at a 4-aligned address: alignment fault, WnR = 1, nothing written', () => {
    rig.setX(2, X + 4);
    expectEL1Abort(rig.run([[0xc89ffc45, 'stlr x5, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT, wnr: 1 }), X + 4);
    expectMem(rig, [[X, 0xffeeddccbbaa9988n], [X + 8, 0n]]);
  });
  it('STLR to a read-only block: permission fault, WnR = 1', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setX(2, RO);
    expectEL1Abort(rig.run([[0xc89ffc45, 'stlr x5, [x2]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), RO);
  });
  it('LDAR from a read-only block works', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setU64(RO + 8, 0x0badn);
    rig.setX(2, RO + 8);
    expectDone(rig.run([[0xc8dffc40, 'ldar x0, [x2]']]));
    expectX(rig, { 0: 0x0badn });
  });
});

describe('CAS: compare and swap', () => {
  let X: number;
  beforeEach(() => {
    X = D + 0x60;
    rig.setX(2, X);
  });
  it('CAS Xs equal to memory: stores Xt; Xs gets the old value', () => {
    rig.setU64(X, 5n);
    rig.setX(0, 5n);
    rig.setX(1, 9n);
    expectDone(rig.run([[0xc8a07c41, 'cas x0, x1, [x2]']]));
    expectMem(rig, [[X, 9n]]);
    expectX(rig, { 0: 5n });
  });
  it('CASAL not equal: no store; Xs gets the memory value', () => {
    rig.setU64(X, 9n);
    rig.setX(0, 5n);
    rig.setX(1, 0x77n);
    expectDone(rig.run([[0xc8e0fc41, 'casal x0, x1, [x2]']]));
    expectMem(rig, [[X, 9n]]);
    expectX(rig, { 0: 9n });
  });
  it('CASB compares only the low byte of Ws; Xs gets the old byte zero-extended', () => {
    rig.setU64(X, 0x123456789abcdeffn);
    rig.setX(0, 0x1ffn);
    rig.setX(1, 0x101n);
    expectDone(rig.run([[0x08a07c41, 'casb w0, w1, [x2]']]));
    expectMem(rig, [[X, 0x123456789abcde01n]]);
    expectX(rig, { 0: 0xffn });
  });
  it('CASH not equal: no store; Xs gets the old halfword zero-extended', () => {
    rig.setU64(X, 0x123456789abcdeffn);
    rig.setX(0, 0xffffffffffff1234n);
    rig.setX(1, 0x4321n);
    expectDone(rig.run([[0x48a07c41, 'cash w0, w1, [x2]']]));
    expectMem(rig, [[X, 0x123456789abcdeffn]]);
    expectX(rig, { 0: 0xdeffn });
  });
  it('CAS Ws compares the low 32 bits; bits 63:32 of Xs are cleared', () => {
    rig.setU64(X, 0xaaaaaaaa00000005n);
    rig.setX(0, 0xffffffff00000005n);
    rig.setX(1, 0x100000009n);
    expectDone(rig.run([[0x88a07c41, 'cas w0, w1, [x2]']]));
    expectMem(rig, [[X, 0xaaaaaaaa00000009n]]);
    expectX(rig, { 0: 5n });
  });
  it('CAS with Rs == Rt, not equal: Rs gets the memory value', () => {
    rig.setU64(X, 20n);
    rig.setX(1, 13n);
    expectDone(rig.run([[0xc8a17c41, 'cas x1, x1, [x2]']]));
    expectMem(rig, [[X, 20n]]);
    expectX(rig, { 1: 20n });
  });
  it('CAS Ws with Rs == Rt, equal: stores the same word; Rs gets the old word zero-extended', () => {
    rig.setU64(X, 0x123456780000000dn);
    rig.setX(1, 0xffffffff0000000dn);
    expectDone(rig.run([[0x88a17c41, 'cas w1, w1, [x2]']]));
    expectMem(rig, [[X, 0x123456780000000dn]]);
    expectX(rig, { 1: 0xdn });
  });
  it('CAS on a read-only block faults even though the comparison fails (WnR = 1); Xs unchanged', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setU64(RO, 0x5678n);
    rig.setX(3, RO);
    rig.setX(0, 0x1234n);
    expectEL1Abort(rig.run([[0xc8a07c61, 'cas x0, x1, [x3]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), RO);
    expectX(rig, { 0: 0x1234n });
  });
  it('CAS at a misaligned address: alignment fault at that address', () => {
    rig.setX(2, X + 4);
    const r = rig.run([[0xc8a07c41, 'cas x0, x1, [x2]']]);
    expect(alignmentSummary(r)).toEqual({ ec: hex(EC.DABT_CUR), dfsc: hex(DFSC.ALIGNMENT), elr: hex(rig.code), far: hex(X + 4) });
  });
});

describe('CASP: compare and swap a register pair', () => {
  let P: number;
  beforeEach(() => {
    P = D + 0x70;
    rig.setX(2, P);
  });
  it('CASP Xs pair equal: stores the Xt pair; the Xs pair gets the old values', () => {
    rig.setU64(P, 1n);
    rig.setU64(P + 8, 2n);
    rig.setX(4, 1n);
    rig.setX(5, 2n);
    rig.setX(6, 0x10n);
    rig.setX(7, 0x20n);
    expectDone(rig.run([[0x48247c46, 'casp x4, x5, x6, x7, [x2]']]));
    expectMem(rig, [[P, 0x10n], [P + 8, 0x20n]]);
    expectX(rig, { 4: 1n, 5: 2n });
  });
  it('CASPAL not equal: no store; the Xs pair gets the memory values', () => {
    rig.setU64(P, 0x10n);
    rig.setU64(P + 8, 0x20n);
    rig.setX(4, 1n);
    rig.setX(5, 2n);
    rig.setX(6, 0x30n);
    rig.setX(7, 0x40n);
    expectDone(rig.run([[0x4864fc46, 'caspal x4, x5, x6, x7, [x2]']]));
    expectMem(rig, [[P, 0x10n], [P + 8, 0x20n]]);
    expectX(rig, { 4: 0x10n, 5: 0x20n });
  });
  it('CASP with only the high halves differing: no store', () => {
    rig.setU64(P, 1n);
    rig.setU64(P + 8, 2n);
    rig.setX(4, 1n);
    rig.setX(5, 3n);
    rig.setX(6, 0x30n);
    rig.setX(7, 0x40n);
    expectDone(rig.run([[0x48247c46, 'casp x4, x5, x6, x7, [x2]']]));
    expectMem(rig, [[P, 1n], [P + 8, 2n]]);
    expectX(rig, { 4: 1n, 5: 2n });
  });
  it('CASP Ws pair: 8 bytes, Rs in the low word; the Ws pair gets the old words zero-extended', () => {
    rig.setU64(P, 0x10n);
    rig.setX(4, 0xffffffff00000010n);
    rig.setX(5, 0n);
    rig.setX(6, 0xf00000003n);
    rig.setX(7, 0xf00000004n);
    expectDone(rig.run([[0x08247c46, 'casp w4, w5, w6, w7, [x2]']]));
    expectMem(rig, [[P, 0x400000003n]]);
    expectX(rig, { 4: 0x10n, 5: 0n });
  });
  it('CASP with an odd Rs is UNDEFINED', () => {
    expectUndefined(rig.run([[0x48257c46, 'casp x5, x6, x6, x7, [x2] (odd Rs)']]));
  });
  it('CASP with an odd Rt is UNDEFINED', () => {
    expectUndefined(rig.run([[0x48247c47, 'casp x4, x5, x7, x8, [x2] (odd Rt)']]));
  });
  it('CASP Xs pair at an 8-aligned address: alignment fault (16 bytes need 16-byte alignment)', () => {
    rig.setX(2, P + 8);
    const r = rig.run([[0x48247c46, 'casp x4, x5, x6, x7, [x2]']]);
    expect(alignmentSummary(r)).toEqual({ ec: hex(EC.DABT_CUR), dfsc: hex(DFSC.ALIGNMENT), elr: hex(rig.code), far: hex(P + 8) });
  });
});

describe('atomic memory operations: LD<op> and SWP', () => {
  // [instruction, memory before, Rs, memory after, old value into Rt]
  const ops: [Insn, bigint, bigint, bigint, bigint][] = [
    [[0xf8210040, 'ldadd x1, x0, [x2]'], 5n, 7n, 12n, 5n],
    [[0xb8210040, 'ldadd w1, w0, [x2]'], 0x1ffffffffn, 1n, 0x100000000n, 0xffffffffn],
    [[0x38210040, 'ldaddb w1, w0, [x2]'], 0x11ffn, 2n, 0x1101n, 0xffn],
    [[0x78a10040, 'ldaddah w1, w0, [x2]'], 0x1ffffn, 1n, 0x10000n, 0xffffn],
    [[0xf8211040, 'ldclr x1, x0, [x2]'], 0xffn, 0x0fn, 0xf0n, 0xffn],
    [[0xb8e11040, 'ldclral w1, w0, [x2]'], 0x12345678ffffffffn, 0xf0f0f0f0n, 0x123456780f0f0f0fn, 0xffffffffn],
    [[0x78212040, 'ldeorh w1, w0, [x2]'], 0xffff00ffn, 0xffffn, 0xffffff00n, 0xffn],
    [[0xf8612040, 'ldeorl x1, x0, [x2]'], 0xff00ff00ff00ff00n, 0xffffffffffffffffn, 0x00ff00ff00ff00ffn, 0xff00ff00ff00ff00n],
    [[0xb8213040, 'ldset w1, w0, [x2]'], 0xaaaaaaaa00000001n, 0x10n, 0xaaaaaaaa00000011n, 1n],
    [[0xf8a13040, 'ldseta x1, x0, [x2]'], 1n, 0x8000000000000000n, 0x8000000000000001n, 1n],
    [[0x38214040, 'ldsmaxb w1, w0, [x2]'], 0x80n, 0x7fn, 0x7fn, 0x80n],
    [[0x78214040, 'ldsmaxh w1, w0, [x2]'], 0x8000n, 0xffffn, 0xffffn, 0x8000n],
    [[0xb8e14040, 'ldsmaxal w1, w0, [x2]'], 0xffffffff7fffffffn, 0x80000000n, 0xffffffff7fffffffn, 0x7fffffffn],
    [[0xf8214040, 'ldsmax x1, x0, [x2]'], 0xffffffffffffffffn, 1n, 1n, 0xffffffffffffffffn],
    [[0x38215040, 'ldsminb w1, w0, [x2]'], 0x80n, 0x7fn, 0x80n, 0x80n],
    [[0x78215040, 'ldsminh w1, w0, [x2]'], 0x7fffn, 0x18000n, 0x8000n, 0x7fffn],
    [[0xb8215040, 'ldsmin w1, w0, [x2]'], 0x80000000n, 1n, 0x80000000n, 0x80000000n],
    [[0xf8215040, 'ldsmin x1, x0, [x2]'], 1n, 0x8000000000000000n, 0x8000000000000000n, 1n],
    [[0x38216040, 'ldumaxb w1, w0, [x2]'], 0x80n, 0x7fn, 0x80n, 0x80n],
    [[0x78216040, 'ldumaxh w1, w0, [x2]'], 0x7fffn, 0x18000n, 0x8000n, 0x7fffn],
    [[0xb8216040, 'ldumax w1, w0, [x2]'], 0x80000000n, 1n, 0x80000000n, 0x80000000n],
    [[0x38217040, 'lduminb w1, w0, [x2]'], 0x80n, 0x17fn, 0x7fn, 0x80n],
    [[0x78217040, 'lduminh w1, w0, [x2]'], 0x7fffn, 0x18000n, 0x7fffn, 0x7fffn],
    [[0xf8217040, 'ldumin x1, x0, [x2]'], 0x8000000000000000n, 0x7fffffffffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n],
    [[0x38218040, 'swpb w1, w0, [x2]'], 0xaaaaaaaaaaaaaaaan, 0x1234n, 0xaaaaaaaaaaaaaa34n, 0xaan],
    [[0x78218040, 'swph w1, w0, [x2]'], 0x123456789abcn, 0xffff1111n, 0x123456781111n, 0x9abcn],
    [[0xb8218040, 'swp w1, w0, [x2]'], 0xaaaaaaaaaaaaaaaan, 0x12345678abcdn, 0xaaaaaaaa5678abcdn, 0xaaaaaaaan],
    [[0xf8e18040, 'swpal x1, x0, [x2]'], 3n, 4n, 4n, 3n],
  ];
  for (const [insn, init, rs, mem, old] of ops) {
    it(`${insn[1]}: [${hex(init)}] with ${hex(rs)} -> [${hex(mem)}], Rt = ${hex(old)}`, () => {
      const X = D + 0x80;
      rig.setU64(X, init);
      rig.setX(2, X);
      rig.setX(1, rs);
      expectDone(rig.run([insn]));
      expectMem(rig, [[X, mem]]);
      expectX(rig, { 0: old, 1: rs, 2: X });
    });
  }
  it('STADD (LDADD with Rt = XZR) updates memory and writes no register', () => {
    rig.setU64(D, 5n);
    rig.setX(2, D);
    rig.setX(1, 1n);
    const before = rig.regs();
    expectDone(rig.run([[0xf821005f, 'stadd x1, [x2]']]));
    expectMem(rig, [[D, 6n]]);
    expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code + 4) });
  });
  it('LDADD with Rs == Rt: the operand is read before Rt is written', () => {
    rig.setU64(D, 10n);
    rig.setX(2, D);
    rig.setX(1, 3n);
    expectDone(rig.run([[0xf8210041, 'ldadd x1, x1, [x2]']]));
    expectMem(rig, [[D, 13n]]);
    expectX(rig, { 1: 10n });
  });
  it('an LSE atomic\'s alignment fault has WnR = 0, since a read of the address would fault too', () => {
    // Arm ARM ESR_ELx.WnR: "For faults from an atomic instruction that both reads and writes
    // from a memory location, this bit is set to 0 if a read of the address specified by the
    // instruction would have generated the fault which is being reported"; in the pseudocode,
    // AlignmentFault(accdesc) sets fault.write = !accdesc.read && accdesc.write, and
    // CreateAccDescAtomicOp sets both read and write.
    rig.setX(2, D + 1);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xf8210040, 'ldadd x1, x0, [x2]']]), dabtISS({ dfsc: DFSC.ALIGNMENT, wnr: 0 }), D + 1);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('SWP at a misaligned address: alignment fault at that address', () => {
    rig.setX(2, D + 2);
    const r = rig.run([[0xb8218040, 'swp w1, w0, [x2]']]);
    expect(alignmentSummary(r)).toEqual({ ec: hex(EC.DABT_CUR), dfsc: hex(DFSC.ALIGNMENT), elr: hex(rig.code), far: hex(D + 2) });
  });
  it('LDADD on a read-only block: permission fault with WnR = 1 (the read is allowed); nothing changed', () => {
    const RO = rig.block(2);
    rig.s1Block(RO, 2);
    rig.setU64(RO, 0x40n);
    rig.setX(3, RO);
    const before = rig.regs();
    expectEL1Abort(rig.run([[0xf8210060, 'ldadd x1, x0, [x3]']]), dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }), RO);
    expectMem(rig, [[RO, 0x40n]]);
    expect(rig.regs().x).toEqual(before.x);
  });
  it('LDADD on an unmapped block: translation fault with WnR = 0 (the read faults)', () => {
    rig.s1Unmap(rig.block(3));
    rig.setX(3, rig.block(3) + 8);
    expectEL1Abort(rig.run([[0xf8210060, 'ldadd x1, x0, [x3]']]), dabtISS({ dfsc: DFSC.TRANSLATION_L2, wnr: 0 }), rig.block(3) + 8);
  });
});

describe('stage-2 data aborts: exclusives and atomics carry no instruction syndrome, LDAR/STLR do', () => {
  // VA block AV maps (stage 1) the IPA block B = block 3, which stage 2 leaves unmapped, so FAR
  // (the VA) and the IPA differ. x2 = AV + 0x40 (16-byte aligned).
  let AV: number;
  let B: number;
  beforeEach(() => {
    AV = rig.ram + 16 * MiB;
    B = rig.block(3);
    rig.s1Alias(AV, B);
    rig.s2Block(B, 'none');
    rig.fill(B, 0x100, (i) => 0xc0 ^ i);
    rig.setX(2, AV + 0x40);
  });
  function check(insn: Insn, iss: number): void {
    const before = rig.regs();
    const mem = bytesAt(B, 0x100);
    const r = rig.run([insn]);
    expectStage2Abort(r, { esr: esr(EC.DABT_LOWER, iss), far: AV + 0x40, ipa: B + 0x40, insn: insn[0] });
    expect(rig.regs()).toEqual({ ...before, pc: hex(rig.code) });
    expect(bytesAt(B, 0x100)).toBe(mem);
  }
  const T = DFSC.TRANSLATION_L2;

  const acqRel: [Insn, Parameters<typeof dabtISS>[0]][] = [
    [[0xc8dffc40, 'ldar x0, [x2]'], { dfsc: T, sas: 3, srt: 0, sf: 1, ar: 1 }],
    [[0x88dffc41, 'ldar w1, [x2]'], { dfsc: T, sas: 2, srt: 1, sf: 0, ar: 1 }],
    [[0x08dffc43, 'ldarb w3, [x2]'], { dfsc: T, sas: 0, srt: 3, sf: 0, ar: 1 }],
    [[0x48dffc44, 'ldarh w4, [x2]'], { dfsc: T, sas: 1, srt: 4, sf: 0, ar: 1 }],
    [[0xc89ffc45, 'stlr x5, [x2]'], { dfsc: T, wnr: 1, sas: 3, srt: 5, sf: 1, ar: 1 }],
    [[0x889ffc46, 'stlr w6, [x2]'], { dfsc: T, wnr: 1, sas: 2, srt: 6, sf: 0, ar: 1 }],
    [[0x089ffc47, 'stlrb w7, [x2]'], { dfsc: T, wnr: 1, sas: 0, srt: 7, sf: 0, ar: 1 }],
    [[0x489ffc48, 'stlrh w8, [x2]'], { dfsc: T, wnr: 1, sas: 1, srt: 8, sf: 0, ar: 1 }],
  ];
  for (const [insn, f] of acqRel) {
    it(`${insn[1]}: ISV = 1, AR = 1, SAS ${f.sas}, SRT ${f.srt}, SF ${f.sf}, WnR ${f.wnr ?? 0}`, () => {
      check(insn, dabtISS(f));
    });
  }

  // WnR for the atomics: 0, since a read of the address would have faulted too (Arm ARM ESR_ELx.WnR).
  const noSyndrome: [Insn, 0 | 1][] = [
    [[0xc85f7c40, 'ldxr x0, [x2]'], 0],
    [[0x085ffc40, 'ldaxrb w0, [x2]'], 0],
    [[0xc87f0440, 'ldxp x0, x1, [x2]'], 0],
    [[0xf8210040, 'ldadd x1, x0, [x2]'], 0],
    [[0x38211040, 'ldclrb w1, w0, [x2]'], 0],
    [[0xf821005f, 'stadd x1, [x2]'], 0],
    [[0xf8218040, 'swp x1, x0, [x2]'], 0],
    [[0xc8a07c41, 'cas x0, x1, [x2]'], 0],
    [[0x48247c46, 'casp x4, x5, x6, x7, [x2]'], 0],
  ];
  for (const [insn, wnr] of noSyndrome) {
    it(`${insn[1]}: ISV = 0, WnR ${wnr}`, () => {
      check(insn, dabtISS({ dfsc: T, wnr }));
    });
  }

  it('STXR (monitor set while the block was mapped): ISV = 0, WnR = 1, status register not written', () => {
    rig.s2Block(B, 'rw');
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]']]));
    rig.s2Block(B, 'none');
    check([0xc8017c45, 'stxr w1, x5, [x2]'], dabtISS({ dfsc: T, wnr: 1 }));
  });
  it('STXP (monitor set while the block was mapped): ISV = 0, WnR = 1', () => {
    rig.s2Block(B, 'rw');
    expectDone(rig.run([[0xc87f0440, 'ldxp x0, x1, [x2]']]));
    rig.s2Block(B, 'none');
    check([0xc8231845, 'stxp w3, x5, x6, [x2]'], dabtISS({ dfsc: T, wnr: 1 }));
  });
  it('LDADD to a stage-2 read-only block: permission fault (DFSC 0x0e), WnR = 1, ISV = 0', () => {
    rig.s2Block(B, 'ro');
    check([0xf8210040, 'ldadd x1, x0, [x2]'], dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }));
  });
  it('CAS to a stage-2 read-only block: permission fault, WnR = 1, even though the comparison fails', () => {
    rig.s2Block(B, 'ro');
    check([0xc8a07c41, 'cas x0, x1, [x2]'], dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1 }));
  });
  it('STLR to a stage-2 read-only block: permission fault, WnR = 1, ISV = 1 with AR = 1', () => {
    rig.s2Block(B, 'ro');
    check([0xc89ffc45, 'stlr x5, [x2]'], dabtISS({ dfsc: DFSC.PERMISSION_L2, wnr: 1, sas: 3, srt: 5, sf: 1, ar: 1 }));
  });
  it('LDXR from a stage-2 read-only block completes and marks the monitor', () => {
    rig.s2Block(B, 'ro');
    expectDone(rig.run([[0xc85f7c40, 'ldxr x0, [x2]']]));
    expectX(rig, { 0: 0x8786858483828180n });
    expect(rig.monitor()).toEqual({ valid: 1, addr: hex(B + 0x40), size: 8 });
  });
});
