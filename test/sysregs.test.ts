// System registers and PSTATE access through MRS/MSR (Arm ARM C5.2, C5.3, D17), the generic
// timer's counter and timer registers (D11), DC ZVA (C5.3.16) and the EL0 traps to EL1 with
// EC 0x18 (ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1],
// Direction [0], 1 = read). Words assembled with llvm-mc; expected values worked out by hand.
import { describe, it, expect, beforeEach } from 'vitest';
import { type SysReg } from '../src/cpu/cpu.ts';
import {
  SysRig, S1Tables, CODE, SP_EL0_INIT, SP_EL1_INIT, DATA, MAIR, SCTLR_MMU, SCTLR_RES1, TCR, CODE_ATTRS,
  RW_EL1, AF, SH_IS, DEVICE, NORMAL, AP_ALL_RW, AP_ALL_RO, esr, hex, syncVector,
} from './helpers/sysrig.ts';

const NOP = 0xd503201f;
const N = 0x80000000, Z = 0x40000000, C = 0x20000000, V = 0x10000000;

/** Runs and checks that the first instruction was UNDEFINED (EC 0, IL 1, ELR = it). */
function expectUndefined(rig: SysRig, el: number, spsel: number): void {
  const r = rig.run(10);
  expect(r.vector, 'vector').toBe(syncVector(el, spsel));
  expect(hex(rig.sys('ESR_EL1')), 'ESR_EL1').toBe(hex(esr(0)));
  expect(hex(rig.sys('ELR_EL1')), 'ELR_EL1').toBe(hex(CODE));
}

/** Runs at EL0 and checks the EC 0x18 trap of the first instruction with the given ISS. */
function expectTrap(rig: SysRig, iss: bigint): void {
  const r = rig.run(10);
  expect(r.vector, 'vector').toBe(0x400);
  expect(hex(rig.sys('ESR_EL1')), 'ESR_EL1').toBe(hex(esr(0x18, iss)));
  expect(hex(rig.sys('ELR_EL1')), 'ELR_EL1').toBe(hex(CODE));
}

const sysISS = (op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: boolean): bigint =>
  BigInt((op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0));

describe('MRS/MSR round trips of the EL1 (and EL0) registers at EL1', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  // name, msr <reg>, x1 ; mrs x0, <reg> ; value (only bits the register implements in Armv8.0)
  const REGS: [SysReg, number, number, bigint][] = [
    ['SCTLR_EL1', 0xd5181001, 0xd5381000, 0x34d5d81cn], // RES1 bits, UCI nTWE nTWI UCT DZE I SA0 SA C; M = 0
    ['TCR_EL1', 0xd5182041, 0xd5382040, 0x00000032b5193519n],
    ['TTBR0_EL1', 0xd5182001, 0xd5382000, 0x0001000012345000n],
    ['TTBR1_EL1', 0xd5182021, 0xd5382020, 0x00ab0000abcde000n],
    ['MAIR_EL1', 0xd518a201, 0xd538a200, 0xbbff440c0400ff44n],
    ['VBAR_EL1', 0xd518c001, 0xd538c000, 0xffff000000012800n],
    ['ESR_EL1', 0xd5185201, 0xd5385200, 0x96000045n],
    ['FAR_EL1', 0xd5186001, 0xd5386000, 0xdeadbeefcafef00dn],
    ['ELR_EL1', 0xd5184021, 0xd5384020, 0xffff800012345678n],
    ['SPSR_EL1', 0xd5184001, 0xd5384000, 0x600001c4n],
    ['CONTEXTIDR_EL1', 0xd518d021, 0xd538d020, 0x12345678n],
    ['TPIDR_EL1', 0xd518d081, 0xd538d080, 0x0123456789abcdefn],
    ['TPIDR_EL0', 0xd51bd041, 0xd53bd040, 0xfedcba9876543210n],
    ['TPIDRRO_EL0', 0xd51bd061, 0xd53bd060, 0x1111222233334444n],
    ['PAR_EL1', 0xd5187401, 0xd5387400, 0xff00000012345800n],
    ['CNTKCTL_EL1', 0xd518e101, 0xd538e100, 0x303n],
    ['CPACR_EL1', 0xd5181041, 0xd5381040, 0x300000n],
    ['SP_EL0', 0xd5184101, 0xd5384100, 0x123456789abcdef0n],
    ['CNTV_CVAL_EL0', 0xd51be341, 0xd53be340, 0xfedcba9876543210n],
    ['CNTP_CVAL_EL0', 0xd51be241, 0xd53be240, 0x0123456789abcdefn],
  ];
  for (const [name, msr, mrs, v] of REGS) {
    it(`${name} = ${hex(v)} (msr 0x${msr.toString(16)}, mrs 0x${mrs.toString(16)})`, () => {
      rig.code([msr, mrs]);
      rig.cpu.setX(1, v);
      const r = rig.run(2);
      expect(r.reason).toBe('budget');
      expect(hex(r.pc)).toBe(hex(CODE + 8n));
      expect(hex(rig.cpu.x(0))).toBe(hex(v));
      expect(hex(rig.sys(name))).toBe(hex(v)); // the host sees what the guest wrote
    });
  }
  it('CSSELR_EL1 = 2 (L2) round trips and selects the L2 CCSIDR', () => {
    rig.code([0xd51a0001, 0xd53a0000]); // msr csselr_el1, x1 ; mrs x0, csselr_el1
    rig.cpu.setX(1, 2n);
    rig.run(2);
    expect(rig.cpu.x(0)).toBe(2n);
  });
  it('CNTV_CTL_EL0 / CNTP_CTL_EL0: ENABLE and IMASK round trip; ISTATUS is read-only', () => {
    // CVAL = all ones: the timer condition (count >= CVAL) is not met, ISTATUS = 0.
    // msr cntv_ctl_el0, x1 ; mrs x0, cntv_ctl_el0, then the same for CNTP_CTL_EL0.
    rig.setSys('CNTV_CVAL_EL0', (1n << 64n) - 1n);
    rig.setSys('CNTP_CVAL_EL0', (1n << 64n) - 1n);
    rig.code([0xd51be321, 0xd53be320]);
    rig.cpu.setX(1, 7n); // ENABLE, IMASK, and an attempt to set ISTATUS
    rig.run(2);
    expect(hex(rig.cpu.x(0))).toBe('0x3');
    rig.reset();
    rig.setSys('CNTP_CVAL_EL0', (1n << 64n) - 1n);
    rig.code([0xd51be221, 0xd53be220]);
    rig.cpu.setX(1, 0xffffffffffffffffn);
    rig.run(2);
    expect(hex(rig.cpu.x(0))).toBe('0x3');
  });
});

describe('ID registers (values documented in assembly/sysregs.ts)', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const IDS: [string, number, bigint][] = [
    // FP = AdvSIMD = 0xF (not implemented), EL1 = EL0 = 0b0001 (AArch64 only), EL2 = EL3 = 0
    ['ID_AA64PFR0_EL1', 0xd5380400, 0x00000011n],
    ['ID_AA64PFR1_EL1', 0xd5380420, 0n],
    // Atomic = 0b0010 (LSE), CRC32 = 0b0001
    ['ID_AA64ISAR0_EL1', 0xd5380600, 0x00211120n],
    ['ID_AA64ISAR1_EL1', 0xd5380620, 0n],
    // TGran4 = 0, TGran64 = 0, TGran16 = 1 (all three granules), ASIDBits = 0b0010 (16), PARange = 0b0010 (40 bits)
    ['ID_AA64MMFR0_EL1', 0xd5380700, 0x00100022n],
    ['ID_AA64MMFR1_EL1', 0xd5380720, 0n],
    // WRPs = 1 (2), BRPs = 1 (2), PMUVer = 0, TraceVer = 0, DebugVer = 6 (Armv8)
    ['ID_AA64DFR0_EL1', 0xd5380500, 0x00101006n],
    ['ID_AA64DFR1_EL1', 0xd5380520, 0n],
    ['ID_AA64AFR0_EL1', 0xd5380580, 0n],
    // reserved encodings in the ID space read as zero
    ['S3_0_C0_C4_2', 0xd5380440, 0n],
    ['S3_0_C0_C3_7', 0xd53803e0, 0n],
    ['S3_0_C0_C5_3', 0xd5380560, 0n],
    ['S3_0_C0_C6_5', 0xd53806a0, 0n],
    ['S3_0_C0_C7_7', 0xd53807e0, 0n],
  ];
  for (const [name, w, v] of IDS) {
    it(`mrs x0, ${name} (0x${w.toString(16)}) = ${hex(v)}`, () => {
      rig.code([w]);
      rig.cpu.setX(0, 0x5555n);
      const r = rig.run(1);
      expect(r.reason).toBe('budget');
      expect(hex(rig.cpu.x(0))).toBe(hex(v));
    });
  }
  it('mrs x0, midr_el1 returns the value the host configured', () => {
    rig.setSys('MIDR_EL1', 0x410fd034n);
    rig.code([0xd5380000]);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x410fd034');
  });
  it('mrs x0, id_aa64pfr0_el1 at EL0 is UNDEFINED', () => {
    rig.code([0xd5380400]);
    rig.enter(0, 0);
    expectUndefined(rig, 0, 0);
  });
  const RO: [string, number][] = [
    ['msr s3_0_c0_c4_0 (ID_AA64PFR0_EL1), x0', 0xd5180400],
    ['msr s3_0_c0_c0_0 (MIDR_EL1), x0', 0xd5180000],
    ['msr s3_0_c4_c2_2 (CurrentEL), x0', 0xd5184240],
    ['msr s3_3_c14_c0_2 (CNTVCT_EL0), x0', 0xd51be040],
  ];
  for (const [name, w] of RO) {
    it(`${name} (0x${w.toString(16)}) is UNDEFINED: read-only register`, () => {
      rig.code([w]);
      expectUndefined(rig, 1, 1);
    });
  }
});

describe('PSTATE: CurrentEL, SPSel, DAIF, NZCV', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());

  it('mrs x0, CurrentEL (0xd5384240) at EL1h and EL1t = 0b0100', () => {
    rig.code([0xd5384240]);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x4');
    rig.cpu.setX(0, 9n);
    rig.enter(1, 0);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x4');
  });
  it('mrs x0, CurrentEL at EL0 is UNDEFINED', () => {
    rig.code([0xd5384240]);
    rig.enter(0, 0);
    expectUndefined(rig, 0, 0);
  });
  it('mrs x0, SPSel (0xd5384200): 1 at EL1h, 0 at EL1t', () => {
    rig.code([0xd5384200]);
    rig.run(1);
    expect(rig.cpu.x(0)).toBe(1n);
    rig.enter(1, 0);
    rig.run(1);
    expect(rig.cpu.x(0)).toBe(0n);
  });
  it('msr SPSel, #0 / #1 switch the stack pointer (0xd50040bf, 0xd50041bf)', () => {
    // msr spsel, #0 ; mov x0, sp ; msr spsel, #1 ; mov x1, sp
    rig.code([0xd50040bf, 0x910003e0, 0xd50041bf, 0x910003e1]);
    rig.run(4);
    expect(hex(rig.cpu.x(0))).toBe(hex(SP_EL0_INIT));
    expect(hex(rig.cpu.x(1))).toBe(hex(SP_EL1_INIT));
    expect(rig.cpu.spsel).toBe(1);
  });
  it('msr SPSel, x0 (0xd5184200) with x0 = 0: EL1t, SP = SP_EL0', () => {
    rig.code([0xd5184200]);
    rig.cpu.setX(0, 0xfffffffffffffffen); // only bit 0 counts
    rig.run(1);
    expect(rig.cpu.spsel).toBe(0);
    expect(rig.cpu.el).toBe(1);
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL0_INIT));
    expect(hex(rig.sys('SP_EL1'))).toBe(hex(SP_EL1_INIT));
  });
  it('msr SPSel, #1 at EL0 is UNDEFINED', () => {
    rig.code([0xd50041bf]);
    rig.enter(0, 0);
    expectUndefined(rig, 0, 0);
    expect(rig.cpu.el).toBe(1);
  });
  it('mrs x0, SPSel at EL0 is UNDEFINED', () => {
    rig.code([0xd5384200]);
    rig.enter(0, 0);
    expectUndefined(rig, 0, 0);
  });

  it('mrs x0, DAIF (0xd53b4220) returns PSTATE.DAIF in bits 9:6', () => {
    rig.code([0xd53b4220]);
    rig.cpu.daif = 0x140;
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x140');
  });
  it('msr DAIF, x0 (0xd51b4220) takes bits 9:6 only', () => {
    rig.code([0xd51b4220]);
    rig.cpu.daif = 0;
    rig.cpu.setX(0, 0xffffffffffffffffn);
    rig.run(1);
    expect(hex(rig.cpu.daif)).toBe('0x3c0');
    rig.cpu.setX(0, 0x280n);
    rig.enter(1, 1);
    rig.run(1);
    expect(hex(rig.cpu.daif)).toBe('0x280');
  });
  const daifImm: [string, number, number, number][] = [
    ['msr daifset, #0xf', 0xd5034fdf, 0x000, 0x3c0],
    ['msr daifset, #2', 0xd50342df, 0x000, 0x080],
    ['msr daifset, #8', 0xd50348df, 0x040, 0x240],
    ['msr daifclr, #0xf', 0xd5034fff, 0x3c0, 0x000],
    ['msr daifclr, #1', 0xd50341ff, 0x3c0, 0x380],
    ['msr daifclr, #4', 0xd50344ff, 0x3c0, 0x2c0],
  ];
  for (const [asm, w, before, after] of daifImm) {
    it(`${asm} (0x${w.toString(16)}): DAIF ${hex(before)} -> ${hex(after)}`, () => {
      rig.code([w]);
      rig.cpu.daif = before;
      rig.run(1);
      expect(hex(rig.cpu.daif)).toBe(hex(after));
    });
  }

  it('mrs x0, NZCV (0xd53b4200)', () => {
    rig.code([0xd53b4200]);
    rig.cpu.nzcv = N | Z;
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0xc0000000');
  });
  it('msr NZCV, x0 (0xd51b4200) takes bits 31:28 only', () => {
    rig.code([0xd51b4200]);
    rig.cpu.setX(0, 0xffffffff5fffffffn);
    rig.run(1);
    expect(hex(rig.cpu.nzcv)).toBe(hex(Z | V));
  });
  it('NZCV is accessible at EL0', () => {
    rig.code([0xd51b4200, 0xd53b4209]); // msr nzcv, x0 ; mrs x9, nzcv
    rig.cpu.setX(0, BigInt(N | C));
    rig.enter(0, 0);
    const r = rig.run(2);
    expect(r.reason).toBe('budget');
    expect(hex(rig.cpu.x(9))).toBe(hex(N | C));
  });
  it('mrs x9, DAIF at EL0 with SCTLR_EL1.UMA = 0 traps (EC 0x18)', () => {
    rig.code([0xd53b4229]);
    rig.enter(0, 0);
    expectTrap(rig, sysISS(3, 3, 4, 2, 1, 9, true)); // 0x32d125
    expect(hex(sysISS(3, 3, 4, 2, 1, 9, true))).toBe('0x32d125');
  });
  it('msr daifset, #8 at EL0 with SCTLR_EL1.UMA = 0 traps: Op0 0, Rt 31, CRm = the immediate', () => {
    rig.code([0xd50348df]);
    rig.enter(0, 0);
    expectTrap(rig, sysISS(0, 3, 4, 8, 6, 31, false)); // 0xcd3f0
    expect(hex(sysISS(0, 3, 4, 8, 6, 31, false))).toBe('0xcd3f0');
  });
  it('with SCTLR_EL1.UMA = 1, EL0 reads and writes DAIF', () => {
    rig.code([0xd50348df, 0xd53b4229]); // msr daifset, #8 ; mrs x9, daif
    rig.setSys('SCTLR_EL1', SCTLR_RES1 | (1n << 9n));
    rig.cpu.daif = 0x80;
    rig.enter(0, 0);
    const r = rig.run(2);
    expect(r.reason).toBe('budget');
    expect(hex(rig.cpu.x(9))).toBe('0x280');
  });
});

describe('EL0 access to EL1 and controlled registers', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const UNDEF_EL0: [string, number][] = [
    ['mrs x0, sctlr_el1', 0xd5381000],
    ['msr sctlr_el1, x1', 0xd5181001],
    ['msr ttbr0_el1, x1', 0xd5182001],
    ['mrs x0, vbar_el1', 0xd538c000],
    ['mrs x0, tpidr_el1', 0xd538d080],
    ['msr tpidrro_el0, x1', 0xd51bd061],
    ['mrs x0, sp_el0', 0xd5384100],
    ['mrs x0, midr_el1', 0xd5380000],
    ['tlbi vmalle1', 0xd508871f],
    ['at s1e1r, x1', 0xd5087801],
  ];
  for (const [asm, w] of UNDEF_EL0) {
    it(`${asm} (0x${w.toString(16)}) at EL0 is UNDEFINED`, () => {
      rig.code([w]);
      rig.cpu.setX(0, 0x77n);
      rig.cpu.setX(1, 0x12345000n);
      rig.enter(0, 0);
      expectUndefined(rig, 0, 0);
      expect(rig.cpu.x(0)).toBe(0x77n);
      expect(rig.sys('SCTLR_EL1')).toBe(0n);
      expect(rig.sys('TTBR0_EL1')).toBe(0n);
      expect(rig.sys('TPIDRRO_EL0')).toBe(0n);
    });
  }
  it('EL0 reads TPIDR_EL0 and TPIDRRO_EL0', () => {
    rig.setSys('TPIDR_EL0', 0x1234n);
    rig.setSys('TPIDRRO_EL0', 0x5678n);
    rig.code([0xd53bd040]); // mrs x0, tpidr_el0
    rig.enter(0, 0);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x1234');
    rig.code([0xd53bd060]); // mrs x0, tpidrro_el0
    rig.enter(0, 0);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x5678');
  });
  it('mrs x5, ctr_el0 (0xd53b0025) at EL0 with SCTLR_EL1.UCT = 0 traps with the exact ISS', () => {
    rig.code([0xd53b0025]);
    rig.enter(0, 0);
    // Op0 3, Op2 1, Op1 3, CRn 0, Rt 5, CRm 0, read
    expectTrap(rig, 0x32c0a1n);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x6232c0a1');
    expect(rig.cpu.x(5)).toBe(0n);
  });
  it('mrs x5, ctr_el0 at EL0 with UCT = 1, and at EL1: CTR_EL0 = 0x84448004', () => {
    // RES1 bit 31, CWG = ERG = 4 (64 bytes), DminLine = 4, L1Ip = 0b10 (PIPT), IminLine = 4
    rig.code([0xd53b0025]);
    rig.setSys('SCTLR_EL1', SCTLR_RES1 | (1n << 15n));
    rig.enter(0, 0);
    expect(rig.run(1).reason).toBe('budget');
    expect(hex(rig.cpu.x(5))).toBe('0x84448004');
    rig.reset();
    rig.code([0xd53b0025]);
    rig.run(1);
    expect(hex(rig.cpu.x(5))).toBe('0x84448004');
  });
  it('mrs x3, cntvct_el0 (0xd53be043) at EL0 with CNTKCTL_EL1.EL0VCTEN = 0 traps', () => {
    rig.code([0xd53be043]);
    rig.enter(0, 0);
    expectTrap(rig, sysISS(3, 3, 14, 0, 2, 3, true)); // 0x34f861
    expect(hex(sysISS(3, 3, 14, 0, 2, 3, true))).toBe('0x34f861');
  });
  it('mrs x3, cntpct_el0 (0xd53be023) at EL0 with CNTKCTL_EL1.EL0PCTEN = 0 traps', () => {
    rig.code([0xd53be023]);
    rig.enter(0, 0);
    expectTrap(rig, 0x32f861n);
  });
  it('with EL0VCTEN = 1 EL0 reads CNTVCT_EL0', () => {
    rig.code([0xd53be043]);
    rig.setSys('CNTKCTL_EL1', 2n);
    rig.cpu.icount = 0x5000n;
    rig.enter(0, 0);
    expect(rig.run(1).reason).toBe('budget');
    expect(hex(rig.cpu.x(3))).toBe('0x500');
  });
  it('dc zva, x7 (0xd50b7427) at EL0 with SCTLR_EL1.DZE = 0 traps: Op0 1, Op1 3, CRn 7, CRm 4, Op2 1, write', () => {
    rig.code([0xd50b7427]);
    rig.cpu.setX(7, DATA);
    rig.enter(0, 0);
    expectTrap(rig, 0x12dce8n);
    expect(hex(sysISS(1, 3, 7, 4, 1, 7, false))).toBe('0x12dce8');
  });
  it('DCZID_EL0 (0xd53b00e0): BS = 4 (64 bytes); DZP = 1 at EL0 when DZE = 0', () => {
    rig.code([0xd53b00e0]);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x4');
    rig.enter(0, 0);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x14');
    rig.setSys('SCTLR_EL1', SCTLR_RES1 | (1n << 14n));
    rig.enter(0, 0);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x4');
  });
});

describe('SP_EL0 through MRS/MSR', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  it('at EL1h: mrs x0, sp_el0 reads the banked SP_EL0; msr writes it', () => {
    rig.code([0xd5384100, 0xd5184101]); // mrs x0, sp_el0 ; msr sp_el0, x1
    rig.cpu.setX(1, 0x4440n);
    rig.run(2);
    expect(hex(rig.cpu.x(0))).toBe(hex(SP_EL0_INIT));
    expect(hex(rig.sys('SP_EL0'))).toBe('0x4440');
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
    rig.enter(1, 0);
    expect(hex(rig.cpu.sp)).toBe('0x4440');
  });
  it('mrs x0, sp_el0 at EL1 with SPSel = 0 is UNDEFINED', () => {
    rig.code([0xd5384100]);
    rig.cpu.setX(0, 0x99n);
    rig.enter(1, 0);
    expectUndefined(rig, 1, 0);
    expect(rig.cpu.x(0)).toBe(0x99n);
  });
  it('msr sp_el0, x1 at EL1 with SPSel = 0 is UNDEFINED', () => {
    rig.code([0xd5184101]);
    rig.cpu.setX(1, 0x4440n);
    rig.enter(1, 0);
    expectUndefined(rig, 1, 0);
    expect(hex(rig.sys('SP_EL0'))).toBe(hex(SP_EL0_INIT));
  });
});

describe('generic timer: counters and TVAL/CVAL', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  // The counter is ICOUNT >> 4. ICOUNT starts at 0x1000 here, so the first few instructions
  // read 0x100 whether ICOUNT is sampled before or after the instruction is counted.
  const at = (words: number[]) => { rig.code(words); rig.cpu.icount = 0x1000n; };

  it('CNTVCT_EL0 and CNTPCT_EL0 advance with executed instructions', () => {
    // mrs x0, cntvct_el0 ; 32 x nop ; mrs x1, cntvct_el0 ; mrs x2, cntpct_el0
    at([0xd53be040, ...new Array(32).fill(NOP), 0xd53be041, 0xd53be022]);
    const r = rig.run(35);
    expect(r.reason).toBe('budget');
    expect(hex(rig.cpu.x(0))).toBe('0x100');
    expect(hex(rig.cpu.x(1))).toBe('0x102'); // instruction 34: ICOUNT 0x1021/0x1022
    expect(hex(rig.cpu.x(2))).toBe('0x102');
  });
  it('CNTVOFF_EL2 offsets the virtual count only', () => {
    at([0xd53be040, 0xd53be022]); // mrs x0, cntvct_el0 ; mrs x2, cntpct_el0
    rig.setSys('CNTVOFF_EL2', 0x30n);
    rig.run(2);
    expect(hex(rig.cpu.x(0))).toBe('0xd0');
    expect(hex(rig.cpu.x(2))).toBe('0x100');
  });
  it('CNTFRQ_EL0 (0xd53be003) reads 62.5 MHz', () => {
    at([0xd53be003]);
    rig.run(1);
    expect(rig.cpu.x(3)).toBe(62500000n);
  });
  it('CNTV_TVAL_EL0 read = CVAL - CNTVCT (positive)', () => {
    at([0xd53be300]); // mrs x0, cntv_tval_el0
    rig.setSys('CNTV_CTL_EL0', 1n); // TVAL reads are UNKNOWN while ENABLE = 0
    rig.setSys('CNTV_CVAL_EL0', 0x150n);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x50');
  });
  it('CNTV_TVAL_EL0 read is the low 32 bits of CVAL - CNTVCT', () => {
    at([0xd53be300]);
    rig.setSys('CNTV_CTL_EL0', 1n);
    rig.setSys('CNTV_CVAL_EL0', 0x100n + 0x100000005n);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x5');
  });
  it('CNTV_TVAL_EL0 read of a negative TimerValue: bits 63:32 are RES0 (zero-extended)', () => {
    // D13 CNTV_TVAL_EL0: bits [63:32] RES0, TimerValue [31:0] = (CVAL - CNTVCT)<31:0>.
    at([0xd53be300]);
    rig.setSys('CNTV_CTL_EL0', 1n);
    rig.setSys('CNTV_CVAL_EL0', 0xf0n);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0xfffffff0');
  });
  it('CNTV_TVAL_EL0 read with CNTVOFF_EL2', () => {
    at([0xd53be300]);
    rig.setSys('CNTV_CTL_EL0', 1n);
    rig.setSys('CNTVOFF_EL2', 0x40n);
    rig.setSys('CNTV_CVAL_EL0', 0xd0n); // virtual count 0xc0
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x10');
  });
  const tvalWrites: [bigint, bigint][] = [
    [0x20n, 0x120n],
    [0xfffffff0n, 0xf0n], // -16
    [0xabcd000000000010n, 0x110n], // bits 63:32 ignored
    [0x80000000n, 0x100n - 0x80000000n + (1n << 64n)], // most negative
  ];
  for (const [x1, cval] of tvalWrites) {
    it(`msr cntv_tval_el0, x1 = ${hex(x1)}: CVAL = CNTVCT + SignExtend(x1<31:0>) = ${hex(cval)}`, () => {
      at([0xd51be301, 0xd53be340]); // msr cntv_tval_el0, x1 ; mrs x0, cntv_cval_el0
      rig.cpu.setX(1, x1);
      rig.run(2);
      expect(hex(rig.cpu.x(0))).toBe(hex(cval));
    });
  }
  it('msr cntv_tval_el0 with CNTVOFF_EL2 = 0x40: CVAL is relative to the virtual count', () => {
    at([0xd51be301, 0xd53be340]);
    rig.setSys('CNTVOFF_EL2', 0x40n);
    rig.cpu.setX(1, 0x20n);
    rig.run(2);
    expect(hex(rig.cpu.x(0))).toBe('0xe0');
  });
  it('msr cntp_tval_el0 (0xd51be201): CVAL relative to the physical count (CNTVOFF ignored)', () => {
    at([0xd51be201, 0xd53be240]); // msr cntp_tval_el0, x1 ; mrs x0, cntp_cval_el0
    rig.setSys('CNTVOFF_EL2', 0x40n);
    rig.cpu.setX(1, 0x20n);
    rig.run(2);
    expect(hex(rig.cpu.x(0))).toBe('0x120');
  });
  it('CNTP_TVAL_EL0 read (0xd53be200)', () => {
    at([0xd53be200]);
    rig.setSys('CNTP_CTL_EL0', 1n);
    rig.setSys('CNTP_CVAL_EL0', 0x1234n);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x1134');
  });
  it('CNTV_CTL_EL0.ISTATUS = 1 when enabled and CNTVCT >= CVAL', () => {
    at([0xd53be320, 0xd53be320]); // mrs x0, cntv_ctl_el0
    rig.setSys('CNTV_CTL_EL0', 1n);
    rig.setSys('CNTV_CVAL_EL0', 0x100n);
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x5');
    rig.setSys('CNTV_CTL_EL0', 3n);
    rig.cpu.pc = CODE;
    rig.cpu.icount = 0x1000n;
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x7');
    rig.setSys('CNTV_CTL_EL0', 1n);
    rig.setSys('CNTV_CVAL_EL0', 0x101n);
    rig.cpu.pc = CODE;
    rig.cpu.icount = 0x1000n;
    rig.run(1);
    expect(hex(rig.cpu.x(0))).toBe('0x1');
  });
});

describe('DC ZVA', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const DCZVA_X1 = 0xd50b7421;
  const VA = 0x1000000000n; // mapped to DATA below

  /** 4 KiB granule, T0SZ = 25 (start level 1), code identity-mapped, VA -> DATA with attrs. */
  function mmuOn(attrs: bigint): void {
    const t = new S1Tables(rig, 12, 39, 1);
    t.identity(0x10000n, 0x40000n, CODE_ATTRS);
    t.map(VA, DATA, attrs);
    rig.setSys('MAIR_EL1', MAIR);
    rig.setSys('TCR_EL1', TCR.T0SZ(25) | TCR.WALK0 | TCR.TG0_4K | TCR.EPD1 | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40);
    rig.setSys('TTBR0_EL1', t.root);
    rig.setSys('SCTLR_EL1', SCTLR_MMU);
  }
  const fill = () => rig.cpu.bytes(rig.addr(DATA), 0x1000).fill(0xaa);

  it('MMU on, Normal memory: zeroes exactly the aligned 64-byte block holding Xt', () => {
    mmuOn(RW_EL1);
    fill();
    rig.code([DCZVA_X1]);
    rig.cpu.setX(1, VA + 0x48n);
    const r = rig.run(1);
    expect(r.reason).toBe('budget');
    const bytes = Array.from(rig.cpu.bytes(rig.addr(DATA), 0x100));
    const want = Array.from({ length: 0x100 }, (_, i) => (i >= 0x40 && i < 0x80 ? 0 : 0xaa));
    expect(bytes).toEqual(want);
    expect(rig.cpu.x(1)).toBe(VA + 0x48n);
  });
  it('MMU on, EL0 with SCTLR_EL1.DZE = 1 on an EL0-writable page', () => {
    mmuOn(AF | SH_IS | NORMAL | AP_ALL_RW);
    rig.setSys('SCTLR_EL1', SCTLR_MMU | (1n << 14n));
    fill();
    rig.code([DCZVA_X1]);
    rig.cpu.setX(1, VA + 0xfffn);
    rig.enter(0, 0);
    expect(rig.run(1).reason).toBe('budget');
    expect(rig.r64(DATA + 0xfc0n)).toBe(0n);
    expect(rig.r64(DATA + 0xff8n)).toBe(0n);
    expect(rig.r8(DATA + 0xfbfn)).toBe(0xaa);
  });
  it('MMU off (Device-nGnRnE): alignment fault, DFSC 0x21, WnR 1, FAR = Xt', () => {
    // DC ZVA to any type of Device memory generates an Alignment fault (C5.3.16); the abort
    // reports the address in the register (AArch64.DataMemZero: AArch64.Abort(regval, ...)).
    fill();
    rig.code([DCZVA_X1]);
    rig.cpu.setX(1, DATA + 0x40n);
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x96000061');
    expect(hex(rig.sys('FAR_EL1'))).toBe(hex(DATA + 0x40n));
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
    expect(rig.r8(DATA + 0x40n)).toBe(0xaa);
  });
  it('MMU off with an unaligned Xt: FAR holds Xt itself', () => {
    rig.code([DCZVA_X1]);
    rig.cpu.setX(1, DATA + 0x47n);
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x96000061');
    expect(hex(rig.sys('FAR_EL1'))).toBe(hex(DATA + 0x47n));
  });
  it('MMU on, Device memory page: alignment fault', () => {
    mmuOn(AF | SH_IS | DEVICE);
    fill();
    rig.code([DCZVA_X1]);
    rig.cpu.setX(1, VA);
    expect(rig.run(10).vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x96000061');
    expect(rig.r8(DATA)).toBe(0xaa);
  });
  it('MMU on, read-only page: permission fault level 3 as a write (0x4F)', () => {
    mmuOn(AF | SH_IS | NORMAL | AP_ALL_RO);
    fill();
    rig.code([DCZVA_X1]);
    rig.cpu.setX(1, VA + 0x80n);
    expect(rig.run(10).vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x9600004f');
    expect(hex(rig.sys('FAR_EL1'))).toBe(hex(VA + 0x80n));
    expect(rig.r8(DATA + 0x80n)).toBe(0xaa);
  });
});

describe('unknown system registers are UNDEFINED', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const W: [string, number][] = [
    ['mrs x0, s3_0_c15_c0_0 (IMPLEMENTATION DEFINED space)', 0xd538f000],
    ['mrs x0, s3_7_c15_c15_7', 0xd53fffe0],
    ['msr sctlr_el2, x0 (EL2 register from EL1)', 0xd51c1000],
    ['mrs x0, sctlr_el2', 0xd53c1000],
  ];
  for (const [asm, w] of W) {
    for (const el of [1, 0]) {
      it(`EL${el}: ${asm} (0x${w.toString(16)})`, () => {
        rig.code([w]);
        rig.cpu.setX(0, 0x1234n);
        rig.enter(el, el);
        expectUndefined(rig, el, el);
        expect(rig.cpu.x(0)).toBe(0x1234n);
      });
    }
  }
});
