// Exception generation and entry (Arm ARM D1.10 "Exception entry", C6.2 SVC/HVC/SMC/BRK/HLT,
// D1.16 WFI/WFE, the ESR_ELx encodings of D17.2.37) and the virtual interrupts the host drives
// through HCR_EL2.VI/VF/VSE. Words assembled with llvm-mc; expected values worked out by hand.
import { describe, it, expect, beforeEach } from 'vitest';
import { layout as L } from '../src/cpu/cpu.ts';
import { SysRig, CODE, VBAR, SP_EL0_INIT, SP_EL1_INIT, esr, hex } from './helpers/sysrig.ts';

const N = 0x80000000, Z = 0x40000000, C = 0x20000000, V = 0x10000000;
const NOP = 0xd503201f;
const HCR_IMO = 1n << 4n, HCR_FMO = 1n << 3n, HCR_AMO = 1n << 5n;
const HCR_VF = 1n << 6n, HCR_VI = 1n << 7n, HCR_VSE = 1n << 8n;

describe('SVC', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());

  it('svc #0x1234 (0xd4024681) from EL0: vector +0x400, EC 0x15, ELR = next, SPSR, DAIF, SP_EL1', () => {
    rig.code([0xd4024681]);
    rig.cpu.daif = 0;
    rig.cpu.nzcv = N | C;
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(r.pc)).toBe(hex(VBAR + 0x404n)); // past the vector's HVC
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x56001234');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE + 4n));
    expect(hex(rig.sys('SPSR_EL1'))).toBe(hex(N | C)); // DAIF 0, M = EL0t
    expect(rig.cpu.el).toBe(1);
    expect(rig.cpu.spsel).toBe(1);
    expect(hex(rig.cpu.daif)).toBe('0x3c0');
    expect(hex(rig.cpu.nzcv)).toBe(hex(N | C)); // flags are unchanged by the entry
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
    expect(hex(rig.sys('SP_EL0'))).toBe(hex(SP_EL0_INIT));
  });

  it('svc #0xffff (0xd41fffe1) from EL1h: vector +0x200, SPSR.M = EL1h with DAIF as it was', () => {
    rig.code([0xd41fffe1]);
    rig.cpu.daif = 0x140;
    rig.cpu.nzcv = Z | V;
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x5600ffff');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE + 4n));
    expect(hex(rig.sys('SPSR_EL1'))).toBe(hex((Z | V) + 0x140 + 0b0101));
    expect(hex(rig.cpu.daif)).toBe('0x3c0');
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
  });

  it('svc #0 (0xd4000001) from EL1t: vector +0x000, SP switched to SP_EL1', () => {
    rig.code([0xd4000001]);
    rig.cpu.daif = 0x200;
    rig.enter(1, 0);
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL0_INIT));
    const r = rig.run(10);
    expect(r.vector).toBe(0x000);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x56000000');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE + 4n));
    expect(hex(rig.sys('SPSR_EL1'))).toBe(hex(0x200 + 0b0100));
    expect(rig.cpu.spsel).toBe(1);
    expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
    expect(hex(rig.sys('SP_EL0'))).toBe(hex(SP_EL0_INIT));
  });

  it('general-purpose registers survive the entry', () => {
    rig.code([0xd4000001]);
    for (let i = 0; i < 31; i++) rig.cpu.setX(i, 0x1111111111111111n * BigInt(i % 15 + 1));
    rig.enter(0, 0);
    rig.run(10);
    for (let i = 0; i < 31; i++) expect(rig.cpu.x(i)).toBe(0x1111111111111111n * BigInt(i % 15 + 1));
  });
});

describe('BRK', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  it('brk #0xbeef (0xd437dde0) at EL1h: EC 0x3C, ISS = imm16, ELR = the BRK', () => {
    rig.code([0xd437dde0]);
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0xf200beef');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
    expect(hex(rig.sys('SPSR_EL1'))).toBe('0x3c5');
  });
  it('brk #0 (0xd4200000) at EL0', () => {
    rig.code([0xd4200000]);
    rig.cpu.daif = 0;
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0xf2000000');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
  });
});

describe('HLT (semihosting), HVC, SMC', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());

  it('hlt #0xf000 (0xd45e0000) without semihosting is UNDEFINED', () => {
    rig.code([0xd45e0000]);
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0)));
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
  });
  it('hlt #0xf000 with HOST_FLAGS semihosting: exit "semihost", PC at the HLT, no guest exception', () => {
    rig.code([0xd45e0000]);
    rig.cpu.hostFlags = L.HF_SEMIHOSTING;
    rig.setSys('ESR_EL1', 0x1234n);
    const r = rig.run(10);
    expect(r.reason).toBe('semihost');
    expect(hex(r.pc)).toBe(hex(CODE));
    expect(rig.cpu.el).toBe(1);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x1234');
  });
  it('hlt #0x1234 (0xd4424680) with semihosting on is still UNDEFINED', () => {
    rig.code([0xd4424680]);
    rig.cpu.hostFlags = L.HF_SEMIHOSTING;
    const r = rig.run(10);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0)));
  });

  it('hvc #0x4321 (0xd4086422) at EL1: exit "hvc", ESR_EL2 = EC 0x16 | IL | imm16, PC past it', () => {
    rig.code([0xd4086422]);
    const r = rig.run(10);
    expect(r.reason).toBe('hvc');
    expect(hex(r.esr)).toBe('0x5a004321');
    expect(hex(r.pc)).toBe(hex(CODE + 4n));
    expect(rig.cpu.el).toBe(1);
  });
  it('hvc #0 (0xd4000002) at EL0 is UNDEFINED', () => {
    rig.code([0xd4000002]);
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0)));
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
  });

  it('smc #0x77 (0xd4000ee3) at EL1: exit "smc", ESR_EL2 = EC 0x17 | IL | imm16, PC at the SMC', () => {
    rig.code([0xd4000ee3]);
    const r = rig.run(10);
    expect(r.reason).toBe('smc');
    expect(hex(r.esr)).toBe('0x5e000077');
    expect(hex(r.pc)).toBe(hex(CODE));
  });
  it('smc #0 (0xd4000003) at EL0 is UNDEFINED', () => {
    rig.code([0xd4000003]);
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(esr(0)));
  });
});

describe('UNDEFINED encodings: EC 0, IL 1, ELR = the instruction, nothing else changed', () => {
  const rig = new SysRig();
  const WORDS: [string, number][] = [
    ['udf #0', 0x00000000],
    ['udf #0xffff', 0x0000ffff],
    ['unallocated op0 = 0001', 0x02000000],
    ['unallocated op0 = 0011', 0x07ffffff],
    ['unallocated op0 = 0011 (top bits set)', 0xe6000000],
    ['SVE add z0.s, z1.s, z2.s (no SVE)', 0x04a20020],
    ['fadd with ftype = 10 (reserved)', 0x1ea22820],
    ['fadd h0, h1, h2 (no FEAT_FP16)', 0x1ee22820],
    ['fcvt to its own precision (opc = ftype)', 0x1e224020],
    ['scvtf s0, w1 with fixed-point scale 0 (32-bit forms need scale >= 32)', 0x1e020020],
    ['fcvtxn with sz = 0 (reserved)', 0x7e216820],
    ['fadd v0.2d with Q = 0 (reserved)', 0x0e62d420],
    ['fmov h0, w1 (FEAT_FP16: not implemented)', 0x1ee70020],
    ['sqrdmlah v0.4s, v1.4s, v2.4s (Armv8.1 RDM: not implemented)', 0x6e828420],
    ['sha512h q0, q1, v2.2d (FEAT_SHA512: not implemented)', 0xce628020],
    ['SIMD&FP LDR (immediate), size = 01, opc = 11 (unallocated)', 0x7dc00020],
    ['exception generation, opc 000 LL 00', 0xd4000000],
    ['exception generation, op2 != 000', 0xd4000004],
    ['dcps1 (not in Debug state)', 0xd4a00001],
    ['drps (not in Debug state)', 0xd6bf03e0],
    ['br with op4 = 00001', 0xd61f0001],
    ['eret with Rn = 0', 0xd69f0000],
    ['sysl x0, #0, c0, c0, #0', 0xd5280000],
    ['msr pan, #1 (no FEAT_PAN)', 0xd500419f],
    ['msr uao, #1 (no FEAT_UAO)', 0xd500417f],
  ];
  for (const el of [1, 0]) {
    for (const [name, w] of WORDS) {
      it(`EL${el}: ${name} (0x${w.toString(16).padStart(8, '0')})`, () => {
        rig.reset();
        rig.cpu.setSysreg('CPACR_EL1', 3n << 20n); // FPEN = 0b11: FP would not trap if it existed
        rig.code([w]);
        for (let i = 0; i < 31; i++) rig.cpu.setX(i, 0x100n + BigInt(i));
        rig.cpu.setX(1, 0x200000n); // a valid address for the load forms
        rig.cpu.nzcv = N | V;
        rig.cpu.daif = 0;
        rig.enter(el, el);
        const r = rig.run(10);
        expect(r.vector).toBe(el ? 0x200 : 0x400);
        expect(hex(rig.sys('ESR_EL1'))).toBe('0x2000000');
        expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
        expect(hex(rig.sys('SPSR_EL1'))).toBe(hex((N | V) + (el ? 0b0101 : 0)));
        for (let i = 0; i < 31; i++) expect(rig.cpu.x(i), `x${i}`).toBe(i === 1 ? 0x200000n : 0x100n + BigInt(i));
        expect(hex(rig.cpu.nzcv)).toBe(hex(N | V));
      });
    }
  }
});

describe('virtual interrupts (HCR_EL2.VI / VF / VSE)', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());

  const kinds: [string, bigint, number, number][] = [
    // name, HCR bits, DAIF mask bit, vector offset within the group
    ['IRQ', HCR_VI | HCR_IMO, 0x080, 0x080],
    ['FIQ', HCR_VF | HCR_FMO, 0x040, 0x100],
    ['SError', HCR_VSE | HCR_AMO, 0x100, 0x180],
  ];
  for (const [name, hcr, mask, off] of kinds) {
    it(`virtual ${name} is not taken while masked`, () => {
      rig.code([NOP, NOP, NOP]);
      rig.cpu.daif = mask;
      rig.setSys('HCR_EL2', hcr);
      const r = rig.run(3);
      expect(r.reason).toBe('budget');
      expect(hex(r.pc)).toBe(hex(CODE + 12n));
      expect(rig.sys('HCR_EL2')).toBe(hcr);
    });
    it(`virtual ${name} is taken at EL1h when unmasked: vector +0x200+${hex(off)}, ELR = the next instruction`, () => {
      rig.code([NOP]);
      rig.cpu.daif = 0x3c0 & ~mask;
      rig.cpu.nzcv = C;
      rig.setSys('VSESR_EL2', 0x01abcdefn);
      rig.setSys('HCR_EL2', hcr);
      const r = rig.run(10);
      expect(r.vector).toBe(0x200 + off);
      expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
      expect(hex(rig.sys('SPSR_EL1'))).toBe(hex(C + (0x3c0 & ~mask) + 0b0101));
      expect(hex(rig.cpu.daif)).toBe('0x3c0');
      if (name === 'SError') {
        // ESR_EL1 = EC 0x2F, IL 1, and VSESR_EL2.{IDS, ISS}; HCR_EL2.VSE is cleared when taken.
        expect(hex(rig.sys('ESR_EL1'))).toBe('0xbfabcdef');
        expect(hex(rig.sys('HCR_EL2'))).toBe(hex(hcr & ~HCR_VSE));
      } else {
        expect(hex(rig.sys('HCR_EL2'))).toBe(hex(hcr)); // VI/VF are levels the host drops
      }
    });
    it(`virtual ${name} from EL0: vector +0x400+${hex(off)}`, () => {
      rig.code([NOP]);
      rig.cpu.daif = 0;
      rig.enter(0, 0);
      rig.setSys('HCR_EL2', hcr);
      const r = rig.run(10);
      expect(r.vector).toBe(0x400 + off);
      expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
      expect(hex(rig.sys('SPSR_EL1'))).toBe('0x0');
      expect(hex(rig.cpu.sp)).toBe(hex(SP_EL1_INIT));
    });
    it(`virtual ${name} from EL1t: vector +0x000+${hex(off)}`, () => {
      rig.code([NOP]);
      rig.cpu.daif = 0;
      rig.enter(1, 0);
      rig.setSys('HCR_EL2', hcr);
      const r = rig.run(10);
      expect(r.vector).toBe(off);
      expect(hex(rig.sys('SPSR_EL1'))).toBe('0x4');
    });
  }

  it('virtual SError with IDS = 0: ESR_EL1 = 0xBE000000 | ISS', () => {
    rig.code([NOP]);
    rig.cpu.daif = 0;
    rig.setSys('VSESR_EL2', 0x123456n);
    rig.setSys('HCR_EL2', HCR_VSE | HCR_AMO);
    expect(rig.run(10).vector).toBe(0x380);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0xbe123456');
  });

  it('PSTATE.D does not mask IRQ', () => {
    rig.code([NOP]);
    rig.cpu.daif = 0x200;
    rig.setSys('HCR_EL2', HCR_VI | HCR_IMO);
    expect(rig.run(10).vector).toBe(0x280);
  });

  const unmask: [string, number, bigint, number, number][] = [
    ['msr daifclr, #2 (0xd50342ff) unmasks IRQ', 0xd50342ff, HCR_VI | HCR_IMO, 0x280, 0x340],
    ['msr daifclr, #1 (0xd50341ff) unmasks FIQ', 0xd50341ff, HCR_VF | HCR_FMO, 0x300, 0x380],
    ['msr daifclr, #4 (0xd50344ff) unmasks SError', 0xd50344ff, HCR_VSE | HCR_AMO, 0x380, 0x2c0],
  ];
  for (const [name, w, hcr, vec, daifAfter] of unmask) {
    it(`${name}: taken right after the MSR (ELR = the instruction after it)`, () => {
      rig.code([NOP, w, NOP, NOP]);
      rig.cpu.daif = 0x3c0;
      rig.setSys('HCR_EL2', hcr);
      const r = rig.run(10);
      expect(r.vector).toBe(vec);
      expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE + 8n));
      expect(hex(rig.sys('SPSR_EL1'))).toBe(hex(daifAfter + 0b0101));
    });
  }

  it('msr daif, x0 (0xd51b4220) with x0 = 0 unmasks: taken after it', () => {
    rig.code([0xd51b4220, NOP]);
    rig.cpu.setX(0, 0n);
    rig.setSys('HCR_EL2', HCR_VI | HCR_IMO);
    const r = rig.run(10);
    expect(r.vector).toBe(0x280);
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE + 4n));
  });

  it('ERET to EL0 with SPSR.I = 0 while an IRQ is pending: taken at the target from EL0', () => {
    rig.code([0xd69f03e0]); // eret
    rig.setSys('SPSR_EL1', 0n);
    rig.setSys('ELR_EL1', 0x30000n);
    rig.setSys('HCR_EL2', HCR_VI | HCR_IMO);
    const r = rig.run(10);
    expect(r.vector).toBe(0x480);
    expect(hex(rig.sys('ELR_EL1'))).toBe('0x30000');
    expect(hex(rig.sys('SPSR_EL1'))).toBe('0x0');
  });

  it('a pending IRQ set by the host between runs is taken before the next instruction', () => {
    rig.code([NOP, NOP, NOP]);
    rig.cpu.daif = 0;
    expect(rig.run(1).reason).toBe('budget');
    rig.setSys('HCR_EL2', HCR_VI | HCR_IMO);
    const r = rig.run(10);
    expect(r.vector).toBe(0x280);
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE + 4n));
  });
});

describe('WFI / WFE', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const WFI = 0xd503207f, WFE = 0xd503205f, SEVL = 0xd50320bf;

  it('wfi with nothing pending: exit "wfi", PC past the WFI', () => {
    rig.code([WFI, NOP]);
    const r = rig.run(10);
    expect(r.reason).toBe('wfi');
    expect(hex(r.pc)).toBe(hex(CODE + 4n));
  });
  for (const [name, hcr] of [['IRQ', HCR_VI | HCR_IMO], ['FIQ', HCR_VF | HCR_FMO], ['SError', HCR_VSE | HCR_AMO]] as [string, bigint][]) {
    it(`wfi with a masked pending virtual ${name} does not exit (the WFI completes)`, () => {
      rig.code([WFI, NOP]);
      rig.cpu.daif = 0x3c0;
      rig.setSys('HCR_EL2', hcr);
      const r = rig.run(2);
      expect(r.reason).toBe('budget');
      expect(hex(r.pc)).toBe(hex(CODE + 8n));
    });
  }
  it('wfi at EL0 with SCTLR_EL1.nTWI = 0 traps: EC 0x01, CV 1, COND 0xE, TI 0, ELR = the WFI', () => {
    rig.code([WFI]);
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x7e00000');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
  });
  it('wfi at EL0 with SCTLR_EL1.nTWI = 1: exit "wfi" at EL0', () => {
    rig.code([WFI]);
    rig.setSys('SCTLR_EL1', 0x30d00800n | (1n << 16n));
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.reason).toBe('wfi');
    expect(hex(r.pc)).toBe(hex(CODE + 4n));
    expect(rig.cpu.el).toBe(0);
  });
  it('wfi at EL1 is not trapped by nTWI = 0', () => {
    rig.code([WFI]);
    rig.setSys('SCTLR_EL1', 0x30d00800n);
    expect(rig.run(10).reason).toBe('wfi');
  });
  it('wfe at EL0 with SCTLR_EL1.nTWE = 0 traps: TI = 1', () => {
    rig.code([WFE]);
    rig.enter(0, 0);
    const r = rig.run(10);
    expect(r.vector).toBe(0x400);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x7e00001');
    expect(hex(rig.sys('ELR_EL1'))).toBe(hex(CODE));
  });
  it('sevl; wfe: the event register is set, so the WFE completes at once', () => {
    rig.code([SEVL, WFE, NOP]);
    const r = rig.run(3);
    expect(r.reason).toBe('budget');
    expect(hex(r.pc)).toBe(hex(CODE + 12n));
  });
});
