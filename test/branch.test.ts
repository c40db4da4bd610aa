// Branches (Arm ARM C6.2: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET) and the
// exception return. Instruction words were assembled with llvm-mc (LLVM 14); the expected values
// were worked out by hand from the Arm ARM pseudocode (ConditionHolds J1.3, BranchTo,
// AArch64.ExceptionReturn / SetPSTATEFromPSR / IllegalExceptionReturn, the PC alignment check).
import { describe, it, expect, beforeEach } from 'vitest';
import { SysRig, CODE, VBAR, SP_EL0_INIT, SP_EL1_INIT, esr, hex } from './helpers/sysrig.ts';

const M64 = (1n << 64n) - 1n;
const N = 0x80000000, Z = 0x40000000, C = 0x20000000, V = 0x10000000;

// b.<cond> #8, cond = 0..15 (llvm-mc prints cs/cc as hs/lo)
const BCOND: [string, number][] = [
  ['eq', 0x54000040], ['ne', 0x54000041], ['cs', 0x54000042], ['cc', 0x54000043],
  ['mi', 0x54000044], ['pl', 0x54000045], ['vs', 0x54000046], ['vc', 0x54000047],
  ['hi', 0x54000048], ['ls', 0x54000049], ['ge', 0x5400004a], ['lt', 0x5400004b],
  ['gt', 0x5400004c], ['le', 0x5400004d], ['al', 0x5400004e], ['nv', 0x5400004f],
];

/** The condition table of the Arm ARM (C1.2.4), written out per mnemonic. */
function condHolds(name: string, f: number): boolean {
  const n = (f & N) !== 0, z = (f & Z) !== 0, c = (f & C) !== 0, v = (f & V) !== 0;
  switch (name) {
    case 'eq': return z;
    case 'ne': return !z;
    case 'cs': return c;
    case 'cc': return !c;
    case 'mi': return n;
    case 'pl': return !n;
    case 'vs': return v;
    case 'vc': return !v;
    case 'hi': return c && !z;
    case 'ls': return !c || z;
    case 'ge': return n === v;
    case 'lt': return n !== v;
    case 'gt': return !z && n === v;
    case 'le': return z || n !== v;
    case 'al': return true;
    case 'nv': return true; // 0b1111 behaves as "always" in A64
  }
  throw new Error(name);
}

describe('B.cond: all 16 conditions x all 16 NZCV values', () => {
  const rig = new SysRig();
  for (const [name, w] of BCOND) {
    it(`b.${name} #8 (0x${w.toString(16)})`, () => {
      rig.code([w]);
      const got: string[] = [];
      const want: string[] = [];
      for (let f = 0; f < 16; f++) {
        const nzcv = (f << 28) >>> 0;
        rig.cpu.nzcv = nzcv;
        rig.enter(1, 1);
        const r = rig.run(1);
        expect(r.reason).toBe('budget');
        got.push(`nzcv=${f.toString(2).padStart(4, '0')} pc=${hex(r.pc)}`);
        want.push(`nzcv=${f.toString(2).padStart(4, '0')} pc=${hex(condHolds(name, nzcv) ? CODE + 8n : CODE + 4n)}`);
        expect(rig.cpu.nzcv >>> 0).toBe(nzcv); // flags are not changed
      }
      expect(got).toEqual(want);
    });
  }
  it('b.eq #-0x100000 (0x54800000): the most negative offset', () => {
    rig.code([0x54800000]);
    rig.cpu.nzcv = Z;
    rig.enter(1, 1);
    expect(rig.run(1).pc).toBe(CODE - 0x100000n + M64 + 1n & M64);
  });
});

describe('B, BL', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const cases: [string, number, bigint, boolean][] = [
    ['b #0x100', 0x14000040, CODE + 0x100n, false],
    ['b #-4', 0x17ffffff, CODE - 4n, false],
    ['b #0x7fffffc', 0x15ffffff, CODE + 0x7fffffcn, false],
    ['b #-0x8000000', 0x16000000, (CODE - 0x8000000n) & M64, false],
    ['bl #0x100', 0x94000040, CODE + 0x100n, true],
    ['bl #-0x20000', 0x97ff8000, CODE - 0x20000n, true],
  ];
  for (const [asm, w, target, link] of cases) {
    it(asm, () => {
      rig.code([w]);
      rig.cpu.setX(30, 0x1234n);
      const r = rig.run(1);
      expect(r.reason).toBe('budget');
      expect(hex(r.pc)).toBe(hex(target));
      expect(hex(rig.cpu.x(30))).toBe(hex(link ? CODE + 4n : 0x1234n));
    });
  }
});

describe('CBZ / CBNZ', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const T = CODE + 0x40n, F = CODE + 4n;
  const cases: [string, number, bigint, bigint][] = [
    // A 32-bit CBZ/CBNZ looks at W1 only: the top half is ignored.
    ['cbz w1, #0x40', 0x34000201, 0xffffffff00000000n, T],
    ['cbz w1, #0x40', 0x34000201, 0x0000000100000001n, F],
    ['cbz w1, #0x40', 0x34000201, 0n, T],
    ['cbz x1, #0x40', 0xb4000201, 0xffffffff00000000n, F],
    ['cbz x1, #0x40', 0xb4000201, 0n, T],
    ['cbz x1, #0x40', 0xb4000201, 0x8000000000000000n, F],
    ['cbnz w1, #0x40', 0x35000201, 0x0000000100000000n, F],
    ['cbnz w1, #0x40', 0x35000201, 0x80000000n, T],
    ['cbnz x1, #0x40', 0xb5000201, 0x0000000100000000n, T],
    ['cbnz x1, #0x40', 0xb5000201, 0n, F],
    ['cbz x1, #-8', 0xb4ffffc1, 0n, CODE - 8n],
    ['cbz x1, #-8', 0xb4ffffc1, 1n, F],
  ];
  for (const [asm, w, x1, target] of cases) {
    it(`${asm} with x1 = ${hex(x1)}`, () => {
      rig.code([w]);
      rig.cpu.setX(1, x1);
      const r = rig.run(1);
      expect(hex(r.pc)).toBe(hex(target));
      expect(rig.cpu.x(1)).toBe(x1);
    });
  }
});

describe('TBZ / TBNZ', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const T = CODE + 0x20n, F = CODE + 4n;
  const cases: [string, number, bigint, bigint][] = [
    ['tbz w1, #0, #0x20', 0x36000101, 0xfffffffffffffffen, T],
    ['tbz w1, #0, #0x20', 0x36000101, 1n, F],
    ['tbnz w1, #0, #0x20', 0x37000101, 1n, T],
    ['tbnz w1, #0, #0x20', 0x37000101, 0xfffffffffffffffen, F],
    ['tbz w1, #31, #0x20', 0x36f80101, 0x80000000n, F],
    ['tbz w1, #31, #0x20', 0x36f80101, 0xffffffff7fffffffn, T],
    ['tbnz w1, #31, #0x20', 0x37f80101, 0x80000000n, T],
    ['tbnz w1, #31, #0x20', 0x37f80101, 0x100000000n, F],
    ['tbz x1, #32, #0x20', 0xb6000101, 0x100000000n, F],
    ['tbz x1, #32, #0x20', 0xb6000101, 0xfffffffeffffffffn, T],
    ['tbnz x1, #32, #0x20', 0xb7000101, 0x100000000n, T],
    ['tbnz x1, #32, #0x20', 0xb7000101, 0x80000000n, F],
    ['tbz x1, #63, #0x20', 0xb6f80101, 0x8000000000000000n, F],
    ['tbz x1, #63, #0x20', 0xb6f80101, 0x7fffffffffffffffn, T],
    ['tbnz x1, #63, #0x20', 0xb7f80101, 0x8000000000000000n, T],
    ['tbnz x1, #63, #0x20', 0xb7f80101, 0x4000000000000000n, F],
    ['tbnz x1, #63, #-0x8000', 0xb7fc0001, M64, CODE - 0x8000n],
  ];
  for (const [asm, w, x1, target] of cases) {
    it(`${asm} with x1 = ${hex(x1)}`, () => {
      rig.code([w]);
      rig.cpu.setX(1, x1);
      expect(hex(rig.run(1).pc)).toBe(hex(target));
    });
  }
});

describe('BR, BLR, RET', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  it('br x3 (0xd61f0060)', () => {
    rig.code([0xd61f0060]);
    rig.cpu.setX(3, 0x123456789abcdef0n);
    rig.cpu.setX(30, 7n);
    expect(hex(rig.run(1).pc)).toBe('0x123456789abcdef0');
    expect(rig.cpu.x(30)).toBe(7n);
  });
  it('blr x3 (0xd63f0060)', () => {
    rig.code([0xd63f0060]);
    rig.cpu.setX(3, 0x30000n);
    expect(hex(rig.run(1).pc)).toBe('0x30000');
    expect(hex(rig.cpu.x(30))).toBe(hex(CODE + 4n));
  });
  it('blr x30 (0xd63f03c0): the target is read before X30 is written', () => {
    rig.code([0xd63f03c0]);
    rig.cpu.setX(30, 0x30008n);
    expect(hex(rig.run(1).pc)).toBe('0x30008');
    expect(hex(rig.cpu.x(30))).toBe(hex(CODE + 4n));
  });
  it('ret (0xd65f03c0)', () => {
    rig.code([0xd65f03c0]);
    rig.cpu.setX(30, 0xffff000000001000n);
    expect(hex(rig.run(1).pc)).toBe('0xffff000000001000');
    expect(rig.cpu.x(30)).toBe(0xffff000000001000n);
  });
  it('ret x5 (0xd65f00a0)', () => {
    rig.code([0xd65f00a0]);
    rig.cpu.setX(5, 0x30010n);
    rig.cpu.setX(30, 0x40000n);
    expect(hex(rig.run(1).pc)).toBe('0x30010');
  });
  it('BL then RET come back to the instruction after the BL', () => {
    // 0x20000: bl #0x100 ; 0x20004: nop ; ... 0x20100: ret
    rig.code([0x94000040, 0xd503201f]);
    rig.code([0xd65f03c0], CODE + 0x100n);
    const r = rig.run(2);
    expect(r.reason).toBe('budget');
    expect(hex(r.pc)).toBe(hex(CODE + 4n));
  });
});

describe('branch to a misaligned target: PC alignment fault', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  // The branch itself completes; the fetch from the misaligned PC takes the PC alignment fault
  // (EC 0x22, IL = 1, ISS = 0) with FAR_EL1 = ELR_EL1 = the misaligned address (D1.10.5).
  const cases: [string, number, number, bigint][] = [
    ['br x3', 0xd61f0060, 3, 0x30002n],
    ['blr x3', 0xd63f0060, 3, 0x30001n],
    ['ret x5', 0xd65f00a0, 5, 0x30003n],
  ];
  for (const [asm, w, reg, target] of cases) {
    it(`${asm} to ${hex(target)}`, () => {
      rig.code([w]);
      rig.cpu.setX(reg, target);
      const r = rig.run(10);
      expect(r.vector).toBe(0x200);
      expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0x22)));
      expect(hex(rig.sys('FAR_EL1'))).toBe(hex(target));
      expect(hex(rig.sys('ELR_EL1'))).toBe(hex(target));
      expect(hex(rig.sys('SPSR_EL1'))).toBe('0x3c5'); // DAIF masked (the rig's reset value), EL1h
    });
  }
  it('from EL0: lower-EL vector, SPSR.M = EL0t', () => {
    rig.code([0xd61f0060]);
    rig.cpu.daif = 0;
    rig.enter(0, 0);
    rig.cpu.setX(3, 0x3000cn + 2n);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0x22)));
    expect(hex(rig.sys('FAR_EL1'))).toBe('0x3000e');
    expect(hex(rig.sys('ELR_EL1'))).toBe('0x3000e');
    expect(hex(rig.sys('SPSR_EL1'))).toBe('0x0');
  });
});

describe('ERET', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const ERET = 0xd69f03e0;
  const TARGET = 0x30000n;

  it('EL1h -> EL0t: PC, NZCV, DAIF from SPSR; SP becomes SP_EL0', () => {
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', 0x90000000n | 0x140n | 0b0000n); // N V, A F, M = EL0t
    rig.setSys('ELR_EL1', TARGET);
    rig.cpu.nzcv = Z | C;
    const r = rig.run(1);
    expect(r.reason).toBe('budget');
    expect(hex(r.pc)).toBe(hex(TARGET));
    expect(rig.cpu.el).toBe(0);
    expect(rig.cpu.spsel).toBe(0);
    expect(hex(rig.cpu.nzcv)).toBe('0x90000000');
    expect(hex(rig.cpu.daif)).toBe('0x140');
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL0_INIT));
    expect(hex(rig.sys('SP_EL1'))).toBe(hex(SP_EL1_INIT));
  });

  it('EL1h -> EL1t: SP becomes SP_EL0, EL stays 1', () => {
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', 0x60000000n | 0x3c0n | 0b0100n);
    rig.setSys('ELR_EL1', TARGET);
    rig.cpu.daif = 0;
    const r = rig.run(1);
    expect(hex(r.pc)).toBe(hex(TARGET));
    expect(rig.cpu.el).toBe(1);
    expect(rig.cpu.spsel).toBe(0);
    expect(hex(rig.cpu.nzcv)).toBe('0x60000000');
    expect(hex(rig.cpu.daif)).toBe('0x3c0');
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL0_INIT));
  });

  it('EL1t -> EL1h: SP becomes SP_EL1', () => {
    rig.enter(1, 0);
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', 0x00000000n | 0x80n | 0b0101n);
    rig.setSys('ELR_EL1', TARGET);
    const r = rig.run(1);
    expect(hex(r.pc)).toBe(hex(TARGET));
    expect(rig.cpu.el).toBe(1);
    expect(rig.cpu.spsel).toBe(1);
    expect(hex(rig.cpu.nzcv)).toBe('0x0');
    expect(hex(rig.cpu.daif)).toBe('0x80');
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
  });

  it('round trip: SVC from EL0 then ERET returns to the instruction after the SVC with PSTATE restored', () => {
    // EL0 at 0x20000: svc #0 ; nop. The handler is the vector, replaced here by an ERET.
    rig.code([0xd4000001, 0xd503201f]);
    rig.code([ERET], VBAR + 0x400n);
    rig.cpu.daif = 0x100;
    rig.cpu.nzcv = N | V;
    rig.enter(0, 0);
    const r = rig.run(3); // svc, eret (at the vector), nop
    expect(r.reason).toBe('budget');
    expect(hex(r.pc)).toBe(hex(CODE + 8n));
    expect(rig.cpu.el).toBe(0);
    expect(hex(rig.cpu.daif)).toBe('0x100');
    expect(hex(rig.cpu.nzcv)).toBe(hex(N | V));
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL0_INIT));
  });

  it('ERET at EL0 is UNDEFINED (EC 0, IL 1, lower-EL vector, ELR = the ERET)', () => {
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', 0b0101n);
    rig.setSys('ELR_EL1', TARGET);
    rig.cpu.daif = 0;
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0)));
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
    expect(hex(rig.sys('SPSR_EL1'))).toBe('0x0');
  });

  // Illegal exception returns (D1.11.4/IllegalExceptionReturn): a target EL above the current one
  // (EL2, EL3), AArch32 when EL0/EL1 are AArch64-only (ID_AA64PFR0_EL1.EL0 = EL1 = 1), and the
  // reserved M[3:0] = EL0 with SP_ELx (0b0001) or M[1] = 1. PSTATE.EL/SP stay, PSTATE.IL is set,
  // NZCV and DAIF are restored, PC = ELR; the next instruction then takes an Illegal Execution
  // state exception: EC 0x0E, IL = 1, ELR = that instruction, SPSR_EL1.IL (bit 20) = 1.
  const illegal: [string, bigint][] = [
    ['EL2h (0b01001)', 0b01001n],
    ['EL2t (0b01000)', 0b01000n],
    ['EL3h (0b01101)', 0b01101n],
    ['EL0 with SP_EL1 (0b00001)', 0b00001n],
    ['reserved M[1] = 1 (0b00110)', 0b00110n],
    ['AArch32 User (0b10000)', 0b10000n],
    ['AArch32 SVC (0b10011)', 0b10011n],
  ];
  for (const [name, m] of illegal) {
    it(`ERET to ${name} -> Illegal Execution state exception at the target`, () => {
      rig.code([ERET]);
      const spsr = 0xa0000000n | 0x040n | m; // N C, F masked
      rig.setSys('SPSR_EL1', spsr);
      rig.setSys('ELR_EL1', TARGET);
      rig.cpu.nzcv = Z;
      rig.cpu.daif = 0x3c0;
      const r = rig.run(10);
      expect(r.vector).toBe(0x200); // still EL1 with SP_EL1
      expect(rig.cpu.el).toBe(1);
      expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0x0e)));
      expect(hex(rig.sys('ELR_EL1'))).toBe(hex(TARGET));
      expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
      // PSTATE when the exception was taken: NZCV and DAIF from the SPSR, EL1h (IL: next test).
      expect(hex(rig.sys('SPSR_EL1') & ~(1n << 20n))).toBe(hex(0xa0000000n | 0x040n | 0b0101n));
    });
  }

  it('the Illegal Execution state exception saves PSTATE.IL = 1 in SPSR_EL1.IL (bit 20)', () => {
    // AArch64.TakeException: SPSR_EL1 = GetPSRFromPSTATE(), which includes PSTATE.IL; only after
    // that is PSTATE.IL cleared.
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', 0b01001n);
    rig.setSys('ELR_EL1', TARGET);
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0x0e)));
    expect(hex(rig.sys('SPSR_EL1'))).toBe(hex((1n << 20n) | 0b0101n));
  });

  it('ERET with SPSR.IL = 1 to a legal mode -> Illegal Execution state exception at EL0', () => {
    // SetPSTATEFromPSR: on a legal return PSTATE.IL = SPSR.IL, so the first instruction at the
    // target (EL0) takes the Illegal Execution state exception, to the lower-EL vector.
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', (1n << 20n) | 0b0000n);
    rig.setSys('ELR_EL1', TARGET);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0x0e)));
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(TARGET));
    expect(hex(rig.sys('SPSR_EL1'))).toBe(hex(1n << 20n));
  });

  it('after the illegal return the instruction at the target is not executed', () => {
    rig.code([ERET]);
    rig.code([0xd2800ee0], TARGET); // mov x0, #0x77
    rig.setSys('SPSR_EL1', 0b01001n);
    rig.setSys('ELR_EL1', TARGET);
    rig.run(10);
    expect(rig.cpu.x(0)).toBe(0n);
  });

  it('ERET to a misaligned ELR: PC alignment fault at the target (EL0)', () => {
    rig.code([ERET]);
    rig.setSys('SPSR_EL1', 0n);
    rig.setSys('ELR_EL1', TARGET + 2n);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0x22)));
    expect(hex(rig.sys('FAR_EL1'))).toBe(hex(TARGET + 2n));
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(TARGET + 2n));
  });
});
