// Stage-1 translation for the EL1&0 regime (Arm ARM D8, VMSAv8-64): granules, levels, blocks,
// TTBR0/TTBR1 selection, EPDx, TBI, fault status codes and their levels, permissions (AP,
// APTable, UXN/PXN, WXN), memory types and alignment, TLB maintenance, AT, and stage-2 faults
// on stage-1 table walks (exit to the host with S1PTW = 1). Words assembled with llvm-mc;
// expected values (descriptor indices, PAs, ESR/PAR values) worked out by hand.
import { describe, it, expect, beforeEach } from 'vitest';
import {
  SysRig, S1Tables, CODE, VBAR, DATA, UNMAPPED_IPA, MAIR, SCTLR_MMU, TCR, CODE_ATTRS, RW_EL1,
  AF, SH_IS, NG, NORMAL, NORMAL_NC, DEVICE, DEVICE_NGNRE, AP_EL1_RW, AP_ALL_RW, AP_EL1_RO, AP_ALL_RO,
  PXN, UXN, PXN_TABLE, UXN_TABLE, AP_TABLE, D_TABLE, D_BLOCK, esr, hex, syncVector, type RunResult,
} from './helpers/sysrig.ts';

// Sequences end with WFI: SCTLR_EL1.nTWI = 1 below, so it exits 'wfi' at EL0 and EL1 alike.
const STOP = 0xd503207f; // wfi
const HVC0 = 0xd4000002; // hvc #0
const HVC1 = 0xd4000022; // hvc #1
const NTWI = 1n << 16n;
const LDR = 0xf9400020; // ldr x0, [x1]
const LDR_W = 0xb9400020; // ldr w0, [x1]
const LDRB = 0x39400020; // ldrb w0, [x1]
const STR = 0xf9000022; // str x2, [x1]
const BR_X1 = 0xd61f0020; // br x1
const MOV_X0_77 = 0xd2800ee0; // mov x0, #0x77
const ISB = 0xd5033fdf;
const DSB_ISH = 0xd5033b9f;
const MRS_PAR = 0xd5387400; // mrs x0, par_el1

const TG0 = { 12: TCR.TG0_4K, 14: TCR.TG0_16K, 16: TCR.TG0_64K } as Record<number, bigint>;
const TG1 = { 12: TCR.TG1_4K, 14: TCR.TG1_16K, 16: TCR.TG1_64K } as Record<number, bigint>;
const GRANULE_PAGE = { 12: 0x1000n, 14: 0x4000n, 16: 0x10000n } as Record<number, bigint>;

/** The lowest VA of the TTBR1 range when T1SZ = 25 (bits 63:39 all ones). */
const HI = 0xffffff8000000000n;

interface Cfg { gbits?: number; t0sz?: number; start?: number; tcr?: bigint; sctlr?: bigint }

/** TTBR0 tables with the code identity-mapped; MMU on. Returns the tree to add mappings to. */
function mmu(rig: SysRig, cfg: Cfg = {}): S1Tables {
  const gbits = cfg.gbits ?? 12, t0sz = cfg.t0sz ?? 25;
  const t = new S1Tables(rig, gbits, 64 - t0sz, cfg.start ?? 1);
  t.identity(0x10000n, 0x40000n, CODE_ATTRS);
  rig.setSys('MAIR_EL1', MAIR);
  rig.setSys('TCR_EL1', cfg.tcr ?? (TCR.T0SZ(t0sz) | TG0[gbits] | TCR.WALK0 | TCR.EPD1 | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40));
  rig.setSys('TTBR0_EL1', t.root);
  rig.setSys('SCTLR_EL1', (cfg.sctlr ?? SCTLR_MMU) | NTWI);
  return t;
}

/** Code and vectors in the TTBR1 half instead (4K granule, T1SZ = 25): VA HI + x -> IPA x. */
function highCode(rig: SysRig): S1Tables {
  const t1 = new S1Tables(rig, 12, 39, 1);
  for (let off = 0x10000n; off < 0x40000n; off += 0x1000n) t1.map(HI + off, off, CODE_ATTRS);
  rig.setSys('TTBR1_EL1', t1.root);
  rig.setSys('VBAR_EL1', HI + VBAR);
  return t1;
}

interface ExecResult extends RunResult { stopPc: bigint }

/** Runs `insns ; wfi` at `el` (from pc) with x1 = va, x2 = x2. */
function exec(rig: SysRig, insns: number[], va: bigint, el = 1, x2 = 0n, pc = CODE): ExecResult {
  rig.code([...insns, STOP]);
  rig.cpu.setX(1, va);
  rig.cpu.setX(2, x2);
  rig.enter(el, el ? 1 : 0, pc);
  return { ...rig.run(20), stopPc: pc + 4n * BigInt(insns.length + 1) };
}

/** The sequence ran to its final WFI without an exception. */
function expectDone(r: ExecResult): void {
  expect(r.vector, `unexpected exception, ESR_EL1 of the run`).toBeUndefined();
  expect(r.reason).toBe('wfi');
  expect(hex(r.pc)).toBe(hex(r.stopPc));
}

/** A synchronous exception to EL1: vector, ESR_EL1, FAR_EL1, ELR_EL1. */
function expectAbort(rig: SysRig, r: RunResult, el: number, esrValue: bigint, far: bigint, elr = CODE): void {
  expect(r.vector, 'vector').toBe(syncVector(el, el ? 1 : 0));
  expect(hex(rig.sys('ESR_EL1')), 'ESR_EL1').toBe(hex(esrValue));
  expect(hex(rig.sys('FAR_EL1')), 'FAR_EL1').toBe(hex(far));
  expect(hex(rig.sys('ELR_EL1')), 'ELR_EL1').toBe(hex(elr));
}
const dabt = (el: number, iss: number) => esr(el ? 0x25 : 0x24, BigInt(iss));
const iabt = (el: number, iss: number) => esr(el ? 0x21 : 0x20, BigInt(iss));

describe('the table builder agrees with hand-computed indices', () => {
  it('4K, T0SZ 25: VA 0x40_1234_5008 -> L1 0x100, L2 0x91, L3 0x145', () => {
    const rig = new SysRig();
    const t = new S1Tables(rig, 12, 39, 1);
    expect([1, 2, 3].map((l) => hex(t.index(0x4012345008n, l)))).toEqual(['0x100', '0x91', '0x145']);
  });
  it('64K, T0SZ 16: VA 0xabcd_1234_0000 -> L1 [47:42] 0x2a, L2 [41:29] 0x1e68, L3 [28:16] 0x1234', () => {
    const rig = new SysRig();
    const t = new S1Tables(rig, 16, 48, 1);
    expect([1, 2, 3].map((l) => hex(t.index(0xabcd12340000n, l)))).toEqual(['0x2a', '0x1e68', '0x1234']);
  });
  it('the start level rule rejects a wrong level', () => {
    const rig = new SysRig();
    expect(() => new S1Tables(rig, 12, 39, 0)).toThrow();
  });
});

describe('stage-1 translation, MMU on', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());

  it('4 KiB granule, T0SZ 25 (3 levels from L1), tables written by hand', () => {
    // VA 0x40_1234_5008: L1 index VA[38:30] = 0x100, L2 index VA[29:21] = 0x91, L3 VA[20:12] = 0x145.
    const t = mmu(rig);
    const l2 = rig.allocTable(0x1000), l3 = rig.allocTable(0x1000);
    rig.w64(t.root + 8n * 0x100n, l2 | 3n);
    rig.w64(l2 + 8n * 0x91n, l3 | 3n);
    rig.w64(l3 + 8n * 0x145n, 0x203000n | AF | SH_IS | NORMAL | AP_EL1_RW | 3n);
    rig.w64(0x203008n, 0x1122334455667788n);
    const r = exec(rig, [LDR, 0xf9000422], 0x4012345008n, 1, 0xcafen); // ldr x0, [x1] ; str x2, [x1, #8]
    expectDone(r);
    expect(hex(rig.cpu.x(0))).toBe('0x1122334455667788');
    expect(hex(rig.r64(0x203010n))).toBe('0xcafe');
  });

  const cases: [string, Cfg, bigint, bigint, number, bigint][] = [
    // name, config, VA of the mapping, OA, level of the leaf, offset accessed
    ['4K, T0SZ 16: 4 levels from L0', { gbits: 12, t0sz: 16, start: 0 }, 0x812345678000n, 0x201000n, 3, 0xff8n],
    ['4K, T0SZ 34: 2 levels from L2', { gbits: 12, t0sz: 34, start: 2 }, 0x3fe00000n, 0x202000n, 3, 0x10n],
    ['4K 2 MiB block at L2', { gbits: 12 }, 0x2000400000n, 0x400000n, 2, 0x12348n],
    ['4K 1 GiB block at L1', { gbits: 12 }, 0x4000000000n, 0n, 1, 0x200010n],
    ['16K, T0SZ 25: 3 levels from L1', { gbits: 14, t0sz: 25, start: 1 }, 0x1234568000n, 0x208000n, 3, 0x3ff8n],
    ['16K, T0SZ 16: 4 levels from L0', { gbits: 14, t0sz: 16, start: 0 }, 0x800012344000n, 0x20c000n, 3, 0x2000n],
    ['16K 32 MiB block at L2', { gbits: 14 }, 0x1000000000n, 0n, 2, 0x200010n],
    ['64K, T0SZ 25: 2 levels from L2', { gbits: 16, t0sz: 25, start: 2 }, 0x1234560000n, 0x210000n, 3, 0xfff8n],
    ['64K, T0SZ 16: 3 levels from L1', { gbits: 16, t0sz: 16, start: 1 }, 0xabcd12340000n, 0x220000n, 3, 0x8000n],
    ['64K 512 MiB block at L2', { gbits: 16, t0sz: 25, start: 2 }, 0x2000000000n, 0n, 2, 0x200010n],
  ];
  for (const [name, cfg, va, oa, level, off] of cases) {
    it(`${name}: VA ${hex(va + off)} -> PA ${hex(oa + off)}`, () => {
      const t = mmu(rig, cfg);
      t.map(va, oa, RW_EL1, level);
      rig.w64(oa + off - 8n, 0x0123456789abcdefn);
      const r = exec(rig, [LDR, 0xf9000422], va + off - 8n, 1, 0x5a5an); // ldr x0, [x1] ; str x2, [x1, #8]
      expectDone(r);
      expect(hex(rig.cpu.x(0))).toBe('0x123456789abcdef');
      expect(hex(rig.r64(oa + off))).toBe('0x5a5a');
    });
  }
  it('4K page: only the page is mapped (VA + 0x1000 faults at level 3)', () => {
    const t = mmu(rig);
    t.map(0x4012345000n, 0x203000n, RW_EL1);
    const r = exec(rig, [LDR], 0x4012346000n);
    expectAbort(rig, r, 1, dabt(1, 0x07), 0x4012346000n);
  });

  for (const gbits of [12, 14, 16]) {
    it(`TTBR1 for high addresses: T1SZ 25, TG1 = ${{ 12: '4K (0b10)', 14: '16K (0b01)', 16: '64K (0b11)' }[gbits]}`, () => {
      const t0 = mmu(rig);
      const t1 = new S1Tables(rig, gbits, 39, gbits === 16 ? 2 : 1);
      const va = 0xffffffc012340000n, oa = 0x230000n;
      t1.map(va, oa, RW_EL1);
      rig.setSys('TTBR1_EL1', t1.root);
      rig.setSys('TCR_EL1', TCR.T0SZ(25) | TCR.TG0_4K | TCR.T1SZ(25) | TG1[gbits] | TCR.IPS_40);
      const off = GRANULE_PAGE[gbits] - 8n;
      rig.w64(oa + off, 0xfeedfacecafebeefn);
      expect(t0.root).not.toBe(t1.root);
      const r = exec(rig, [LDR], va + off);
      expectDone(r);
      expect(hex(rig.cpu.x(0))).toBe('0xfeedfacecafebeef');
    });
  }
  it('TTBR1 range check: with T1SZ 25, VA 0xffffff00_00000000 (bit 39 clear) -> translation fault level 0', () => {
    mmu(rig, { tcr: TCR.T0SZ(25) | TCR.TG0_4K | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40 });
    const r = exec(rig, [LDR], 0xffffff0000000000n);
    expectAbort(rig, r, 1, dabt(1, 0x04), 0xffffff0000000000n);
  });
  it('TTBR0 range check: with T0SZ 25, VA 0x80_0000_0000 (bit 39 set) -> translation fault level 0', () => {
    mmu(rig);
    const r = exec(rig, [LDR], 0x8000000000n);
    expectAbort(rig, r, 1, dabt(1, 0x04), 0x8000000000n);
  });
  it('EPD1 = 1: a TTBR1 address -> translation fault level 0', () => {
    const t0 = mmu(rig);
    const t1 = new S1Tables(rig, 12, 39, 1);
    t1.map(0xffffffc012345000n, 0x230000n, RW_EL1);
    rig.setSys('TTBR1_EL1', t1.root);
    rig.setSys('TCR_EL1', TCR.T0SZ(25) | TCR.TG0_4K | TCR.T1SZ(25) | TCR.TG1_4K | TCR.EPD1 | TCR.IPS_40);
    expect(t0.root).toBeTruthy();
    const r = exec(rig, [LDR], 0xffffffc012345000n);
    expectAbort(rig, r, 1, dabt(1, 0x04), 0xffffffc012345000n);
  });
  for (const epd0 of [false, true]) {
    it(`EPD0 = ${epd0 ? 1 : 0}: code in the TTBR1 half, data through TTBR0 ${epd0 ? '-> translation fault level 0' : 'translates'}`, () => {
      const t0 = mmu(rig);
      t0.map(0x4012345000n, 0x230000n, RW_EL1);
      rig.w64(0x230000n, 0x77n);
      highCode(rig);
      rig.setSys('TCR_EL1', TCR.T0SZ(25) | TCR.TG0_4K | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40 | (epd0 ? TCR.EPD0 : 0n));
      const r = exec(rig, [LDR], 0x4012345000n, 1, 0n, HI + CODE);
      if (epd0) {
        expectAbort(rig, r, 1, dabt(1, 0x04), 0x4012345000n, HI + CODE);
      } else {
        expectDone(r);
        expect(rig.cpu.x(0)).toBe(0x77n);
      }
    });
  }
  for (const tbi of [false, true]) {
    it(`TBI0 = ${tbi ? 1 : 0}: a load from 0xab00_0040_1234_5008 ${tbi ? 'ignores the top byte' : '-> translation fault level 0'}`, () => {
      const t = mmu(rig, { tcr: TCR.T0SZ(25) | TCR.TG0_4K | TCR.EPD1 | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40 | (tbi ? TCR.TBI0 : 0n) });
      t.map(0x4012345000n, 0x230000n, RW_EL1);
      rig.w64(0x230008n, 0x99n);
      const r = exec(rig, [LDR], 0xab00004012345008n);
      if (tbi) {
        expectDone(r);
        expect(rig.cpu.x(0)).toBe(0x99n);
      } else {
        expectAbort(rig, r, 1, dabt(1, 0x04), 0xab00004012345008n);
      }
    });
  }
  it('TBI1 = 1: a load from 0x12ff_ffc0_1234_5008 goes through TTBR1 ignoring the top byte', () => {
    mmu(rig);
    const t1 = new S1Tables(rig, 12, 39, 1);
    t1.map(0xffffffc012345000n, 0x230000n, RW_EL1);
    rig.w64(0x230008n, 0x42n);
    rig.setSys('TTBR1_EL1', t1.root);
    rig.setSys('TCR_EL1', TCR.T0SZ(25) | TCR.TG0_4K | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40 | TCR.TBI1);
    const r = exec(rig, [LDR], 0x12ffffc012345008n);
    expectDone(r);
    expect(rig.cpu.x(0)).toBe(0x42n);
  });
});

describe('translation faults: DFSC / IFSC and level', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;

  it('level 1 entry invalid -> 0x05', () => {
    mmu(rig);
    expectAbort(rig, exec(rig, [LDR], 0x5000000000n), 1, dabt(1, 0x05), 0x5000000000n);
  });
  it('level 2 entry invalid -> 0x06', () => {
    const t = mmu(rig);
    t.map(D, 0x230000n, RW_EL1);
    expectAbort(rig, exec(rig, [LDR], D + 0x200000n), 1, dabt(1, 0x06), D + 0x200000n);
  });
  it('level 3 entry invalid -> 0x07; a store sets WnR (0x47)', () => {
    const t = mmu(rig);
    t.map(D, 0x230000n, RW_EL1);
    expectAbort(rig, exec(rig, [LDR], D + 0x1008n), 1, dabt(1, 0x07), D + 0x1008n);
    rig.reset();
    const t2 = mmu(rig);
    t2.map(D, 0x230000n, RW_EL1);
    expectAbort(rig, exec(rig, [STR], D + 0x1008n), 1, dabt(1, 0x47), D + 0x1008n);
  });
  it('level 0 entry invalid (4K, T0SZ 16) -> 0x04', () => {
    mmu(rig, { t0sz: 16, start: 0 });
    expectAbort(rig, exec(rig, [LDR], 0x800000000000n), 1, dabt(1, 0x04), 0x800000000000n);
  });
  it('level 3 descriptor with bits[1:0] = 01 (reserved) -> 0x07', () => {
    const t = mmu(rig);
    const ea = t.map(D, 0x230000n, RW_EL1);
    rig.w64(ea, 0x230000n | RW_EL1 | 1n);
    expectAbort(rig, exec(rig, [LDR], D), 1, dabt(1, 0x07), D);
  });
  it('block descriptor at level 0 (4K) -> translation fault level 0', () => {
    const t = mmu(rig, { t0sz: 16, start: 0 });
    const ea = t.entry(0x800000000000n, 0);
    rig.w64(ea, 0n | RW_EL1 | D_BLOCK);
    expectAbort(rig, exec(rig, [LDR], 0x800000200000n), 1, dabt(1, 0x04), 0x800000200000n);
  });
  it('block descriptor at level 1 with the 64K granule -> translation fault level 1', () => {
    const t = mmu(rig, { gbits: 16, t0sz: 16, start: 1 });
    const ea = t.entry(0x400000000000n, 1);
    rig.w64(ea, 0n | RW_EL1 | D_BLOCK);
    expectAbort(rig, exec(rig, [LDR], 0x400000200000n), 1, dabt(1, 0x05), 0x400000200000n);
  });
  it('block descriptor at level 1 with the 16K granule -> translation fault level 1', () => {
    const t = mmu(rig, { gbits: 14, t0sz: 16, start: 0 });
    const ea = t.entry(0x400000000000n, 1);
    rig.w64(ea, 0n | RW_EL1 | D_BLOCK);
    expectAbort(rig, exec(rig, [LDR], 0x400000200000n), 1, dabt(1, 0x05), 0x400000200000n);
  });
  it('from EL0: EC 0x24', () => {
    const t = mmu(rig);
    t.map(D, 0x230000n, AF | SH_IS | NORMAL | AP_ALL_RW);
    expectAbort(rig, exec(rig, [LDR], D + 0x1000n, 0), 0, dabt(0, 0x07), D + 0x1000n);
  });
  it('instruction abort at EL1: EC 0x21, FAR = ELR = the target (level-1 entry invalid: 0x05)', () => {
    mmu(rig);
    const target = 0x4012346000n;
    const r = exec(rig, [BR_X1], target);
    expectAbort(rig, r, 1, iabt(1, 0x05), target, target);
  });
  it('instruction abort at EL0: EC 0x20', () => {
    const t = mmu(rig);
    t.map(D, 0x230000n, AF | SH_IS | NORMAL | AP_ALL_RO);
    const target = D + 0x1000n;
    const r = exec(rig, [BR_X1], target, 0);
    expectAbort(rig, r, 0, iabt(0, 0x07), target, target);
  });
});

describe('access flag, permission and address size faults', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;

  it('page with AF = 0 -> access flag fault level 3 (0x0B)', () => {
    const t = mmu(rig);
    t.map(D, 0x230000n, RW_EL1 & ~AF);
    expectAbort(rig, exec(rig, [LDR], D), 1, dabt(1, 0x0b), D);
  });
  it('2 MiB block with AF = 0 -> access flag fault level 2 (0x0A)', () => {
    const t = mmu(rig);
    t.map(0x2000400000n, 0x400000n, RW_EL1 & ~AF, 2);
    expectAbort(rig, exec(rig, [STR], 0x2000400010n), 1, dabt(1, 0x4a), 0x2000400010n);
  });
  it('1 GiB block with AF = 0 -> access flag fault level 1 (0x09)', () => {
    const t = mmu(rig);
    t.map(0x4000000000n, 0n, RW_EL1 & ~AF, 1);
    expectAbort(rig, exec(rig, [LDR], 0x4000200000n), 1, dabt(1, 0x09), 0x4000200000n);
  });
  it('store to a read-only page -> permission fault level 3, WnR (0x4F)', () => {
    const t = mmu(rig);
    t.map(D, 0x230000n, AF | NORMAL | AP_EL1_RO);
    rig.w64(0x230000n, 5n);
    expectAbort(rig, exec(rig, [STR], D, 1, 9n), 1, dabt(1, 0x4f), D);
    expect(rig.r64(0x230000n)).toBe(5n);
  });
  it('store to a read-only 2 MiB block -> permission fault level 2 (0x4E)', () => {
    const t = mmu(rig);
    t.map(0x2000400000n, 0x400000n, AF | NORMAL | AP_ALL_RO, 2);
    expectAbort(rig, exec(rig, [STR], 0x2000400010n), 1, dabt(1, 0x4e), 0x2000400010n);
  });
  it('page output address above the 40-bit PA range -> address size fault level 3 (0x03)', () => {
    const t = mmu(rig);
    t.map(D, (1n << 40n) | 0x230000n, RW_EL1);
    expectAbort(rig, exec(rig, [LDR], D), 1, dabt(1, 0x03), D);
  });
  it('2 MiB block output address above the PA range -> address size fault level 2 (0x02)', () => {
    const t = mmu(rig);
    t.map(0x2000400000n, (1n << 41n) | 0x400000n, RW_EL1, 2);
    expectAbort(rig, exec(rig, [LDR], 0x2000400000n), 1, dabt(1, 0x02), 0x2000400000n);
  });
  it('level-1 table descriptor whose next-level address is above the PA range -> address size fault level 1', () => {
    // AArch64.TranslationTableWalk: the check is made on the table descriptor read at level 1,
    // and the fault is reported with that level (DFSC 0b000001).
    const t = mmu(rig);
    rig.w64(t.root + 8n * t.index(D, 1), (1n << 40n) | 0x240000n | D_TABLE);
    expectAbort(rig, exec(rig, [LDR], D), 1, dabt(1, 0x01), D);
  });
  it('TTBR0_EL1 base address above the PA range -> address size fault level 0 (code runs from TTBR1)', () => {
    const t0 = mmu(rig);
    t0.map(D, 0x230000n, RW_EL1);
    highCode(rig);
    rig.setSys('TCR_EL1', TCR.T0SZ(25) | TCR.TG0_4K | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_40);
    rig.setSys('TTBR0_EL1', (1n << 40n) | t0.root);
    const r = exec(rig, [LDR], D, 1, 0n, HI + CODE);
    expectAbort(rig, r, 1, dabt(1, 0x00), D, HI + CODE);
  });
  it('TCR_EL1.IPS = 0b000 (32 bits): output address 0x1_0000_0000 -> address size fault level 3', () => {
    const t = mmu(rig, { tcr: TCR.T0SZ(25) | TCR.TG0_4K | TCR.EPD1 | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_32 });
    t.map(D, 0x100000000n, RW_EL1);
    expectAbort(rig, exec(rig, [LDR], D), 1, dabt(1, 0x03), D);
  });
  it('TCR_EL1.IPS = 0b000: output addresses below 4 GiB translate', () => {
    const t = mmu(rig, { tcr: TCR.T0SZ(25) | TCR.TG0_4K | TCR.EPD1 | TCR.T1SZ(25) | TCR.TG1_4K | TCR.IPS_32 });
    t.map(D, 0x230000n, RW_EL1);
    rig.w64(0x230000n, 0x31n);
    expectDone(exec(rig, [LDR], D));
    expect(rig.cpu.x(0)).toBe(0x31n);
  });
});

describe('data access permissions: AP[2:1] x EL x read/write', () => {
  const rig = new SysRig();
  const D = 0x4012345000n;
  // AP: [EL1 read, EL1 write, EL0 read, EL0 write] allowed? (D8.4.1, Table "Data access permissions")
  const TABLE: [string, bigint, boolean[]][] = [
    ['00 (EL1 RW, EL0 none)', AP_EL1_RW, [true, true, false, false]],
    ['01 (EL1 RW, EL0 RW)', AP_ALL_RW, [true, true, true, true]],
    ['10 (EL1 RO, EL0 none)', AP_EL1_RO, [true, false, false, false]],
    ['11 (EL1 RO, EL0 RO)', AP_ALL_RO, [true, false, true, false]],
  ];
  for (const [name, ap, allowed] of TABLE) {
    for (const [k, el, write] of [[0, 1, false], [1, 1, true], [2, 0, false], [3, 0, true]] as [number, number, boolean][]) {
      it(`AP ${name}: EL${el} ${write ? 'write' : 'read'} ${allowed[k] ? 'allowed' : '-> permission fault 0x0F'}`, () => {
        rig.reset();
        const t = mmu(rig);
        t.map(D, 0x230000n, AF | SH_IS | NORMAL | ap | PXN);
        rig.w64(0x230010n, 0x1234n);
        const r = exec(rig, [write ? STR : LDR], D + 0x10n, el, 0x5678n);
        if (allowed[k]) {
          expectDone(r);
          if (write) expect(rig.r64(0x230010n)).toBe(0x5678n);
          else expect(rig.cpu.x(0)).toBe(0x1234n);
        } else {
          expectAbort(rig, r, el, dabt(el, write ? 0x4f : 0x0f), D + 0x10n);
          expect(rig.r64(0x230010n)).toBe(0x1234n);
        }
      });
    }
  }
});

describe('instruction permissions: UXN, PXN, implicit PXN, WXN', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const T = 0x4020000000n; // the target page, mapped to 0x230000 holding `mov x0, #0x77 ; hvc #0`
  // name, EL, page attributes, SCTLR.WXN, allowed
  const CASES: [string, number, bigint, boolean, boolean][] = [
    ['EL1, AP 01 (EL0-writable): implicit PXN', 1, AP_ALL_RW, false, false],
    ['EL1, AP 00, PXN', 1, AP_EL1_RW | PXN, false, false],
    ['EL1, AP 00, UXN only', 1, AP_EL1_RW | UXN, false, true],
    ['EL1, AP 10', 1, AP_EL1_RO, false, true],
    ['EL1, AP 11, UXN', 1, AP_ALL_RO | UXN, false, true],
    ['EL0, AP 11, UXN', 0, AP_ALL_RO | UXN, false, false],
    ['EL0, AP 11, PXN only', 0, AP_ALL_RO | PXN, false, true],
    ['EL0, AP 00 (execute-only at EL0)', 0, AP_EL1_RW | PXN, false, true],
    ['EL0, AP 01', 0, AP_ALL_RW, false, true],
    ['WXN: EL1, AP 00 (EL1-writable)', 1, AP_EL1_RW, true, false],
    ['WXN: EL1, AP 10 (read-only)', 1, AP_EL1_RO, true, true],
    ['WXN: EL0, AP 01 (EL0-writable)', 0, AP_ALL_RW, true, false],
    ['WXN: EL0, AP 11', 0, AP_ALL_RO, true, true],
  ];
  for (const [name, el, attrs, wxn, allowed] of CASES) {
    it(`${name}: ${allowed ? 'executes' : `instruction abort, permission level 3 (EC ${el ? '0x21' : '0x20'})`}`, () => {
      const t = mmu(rig, { sctlr: SCTLR_MMU | (wxn ? 1n << 19n : 0n) });
      t.map(T, 0x230000n, AF | SH_IS | NORMAL | attrs);
      rig.code([MOV_X0_77, STOP], 0x230000n);
      const r = exec(rig, [BR_X1], T, el);
      if (allowed) {
        expect(r.vector).toBeUndefined();
        expect(r.reason).toBe('wfi');
        expect(hex(r.pc)).toBe(hex(T + 8n));
        expect(rig.cpu.x(0)).toBe(0x77n);
      } else {
        expectAbort(rig, r, el, iabt(el, 0x0f), T, T);
        expect(rig.cpu.x(0)).toBe(0n);
      }
    });
  }
});

describe('hierarchical attributes: APTable, UXNTable, PXNTable', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;
  // name, table level the bits go in, bits, page AP, EL, write, allowed
  const CASES: [string, number, bigint, bigint, number, boolean, boolean][] = [
    ['APTable 01 (no EL0) at L2: EL0 read of an AP 01 page', 2, AP_TABLE(1), AP_ALL_RW, 0, false, false],
    ['APTable 01 at L1: EL0 read of an AP 01 page', 1, AP_TABLE(1), AP_ALL_RW, 0, false, false],
    ['APTable 01 at L2: EL1 write of an AP 01 page', 2, AP_TABLE(1), AP_ALL_RW, 1, true, true],
    ['APTable 10 (read-only) at L2: EL1 write of an AP 00 page', 2, AP_TABLE(2), AP_EL1_RW, 1, true, false],
    ['APTable 10 at L2: EL1 read of an AP 00 page', 2, AP_TABLE(2), AP_EL1_RW, 1, false, true],
    ['APTable 10 at L2: EL0 write of an AP 01 page', 2, AP_TABLE(2), AP_ALL_RW, 0, true, false],
    ['APTable 10 at L2: EL0 read of an AP 01 page', 2, AP_TABLE(2), AP_ALL_RW, 0, false, true],
    ['APTable 11 at L2: EL0 read of an AP 01 page', 2, AP_TABLE(3), AP_ALL_RW, 0, false, false],
    ['APTable 11 at L2: EL1 write of an AP 01 page', 2, AP_TABLE(3), AP_ALL_RW, 1, true, false],
  ];
  for (const [name, level, bits, ap, el, write, allowed] of CASES) {
    it(`${name}: ${allowed ? 'allowed' : 'permission fault level 3'}`, () => {
      const t = mmu(rig);
      t.map(D, 0x230000n, AF | NORMAL | ap);
      t.tableBits(D, level, bits);
      const r = exec(rig, [write ? STR : LDR], D, el, 0x66n);
      if (allowed) expectDone(r);
      else expectAbort(rig, r, el, dabt(el, write ? 0x4f : 0x0f), D);
    });
  }
  const XN: [string, number, bigint, number, boolean][] = [
    ['UXNTable at L1: EL0 fetch', 1, UXN_TABLE, 0, false],
    ['UXNTable at L2: EL1 fetch', 2, UXN_TABLE, 1, true],
    ['PXNTable at L2: EL1 fetch', 2, PXN_TABLE, 1, false],
    ['PXNTable at L1: EL0 fetch', 1, PXN_TABLE, 0, true],
  ];
  for (const [name, level, bits, el, allowed] of XN) {
    it(`${name}: ${allowed ? 'executes' : 'instruction abort, permission level 3'}`, () => {
      const t = mmu(rig);
      t.map(D, 0x230000n, AF | NORMAL | AP_ALL_RO);
      t.tableBits(D, level, bits);
      rig.code([MOV_X0_77, STOP], 0x230000n);
      const r = exec(rig, [BR_X1], D, el);
      if (allowed) {
        expect(r.vector).toBeUndefined();
        expect(r.reason).toBe('wfi');
        expect(hex(r.pc)).toBe(hex(D + 8n));
        expect(rig.cpu.x(0)).toBe(0x77n);
      } else {
        expectAbort(rig, r, el, iabt(el, 0x0f), D, D);
      }
    });
  }
});

describe('memory types and alignment', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;
  const pattern = (ipa: bigint, base: number) => {
    const b = rig.cpu.bytes(rig.addr(ipa), 0x1000);
    for (let i = 0; i < 0x1000; i++) b[i] = (base + i) & 0xff;
  };

  it('Normal memory: an unaligned 8-byte load is allowed', () => {
    const t = mmu(rig);
    t.map(D, 0x240000n, RW_EL1);
    pattern(0x240000n, 0);
    expectDone(exec(rig, [LDR], D + 3n));
    expect(hex(rig.cpu.x(0))).toBe('0xa09080706050403');
  });
  it('Normal memory: an unaligned load crossing into a page mapped elsewhere reads both pages', () => {
    const t = mmu(rig);
    t.map(D, 0x240000n, RW_EL1);
    t.map(D + 0x1000n, 0x260000n, RW_EL1); // not the next physical page
    pattern(0x240000n, 0);
    pattern(0x260000n, 0x80);
    pattern(0x241000n, 0x40); // what a contiguous (wrong) access would read
    expectDone(exec(rig, [LDR], D + 0xffcn));
    expect(hex(rig.cpu.x(0))).toBe('0x83828180fffefdfc');
  });
  it('Normal memory: an unaligned store crossing a page boundary writes both pages', () => {
    const t = mmu(rig);
    t.map(D, 0x240000n, RW_EL1);
    t.map(D + 0x1000n, 0x260000n, RW_EL1);
    expectDone(exec(rig, [STR], D + 0xffdn, 1, 0x1122334455667788n));
    expect([0xffd, 0xffe, 0xfff].map((o) => rig.r8(0x240000n + BigInt(o)))).toEqual([0x88, 0x77, 0x66]);
    expect([0, 1, 2, 3, 4, 5].map((o) => rig.r8(0x260000n + BigInt(o)))).toEqual([0x55, 0x44, 0x33, 0x22, 0x11, 0]);
    expect(rig.r8(0x241000n)).toBe(0);
  });
  it('Normal memory: an unaligned load crossing into an unmapped page -> translation fault level 3', () => {
    const t = mmu(rig);
    t.map(D, 0x240000n, RW_EL1);
    const r = exec(rig, [LDR], D + 0xffcn);
    expect(r.vector).toBe(0x200);
    expect(hex(rig.sys('ESR_EL1'))).toBe(hex(dabt(1, 0x07)));
  });
  for (const [name, attr] of [['Device-nGnRnE', DEVICE], ['Device-nGnRE', DEVICE_NGNRE]] as [string, bigint][]) {
    it(`${name}: unaligned load -> alignment fault (DFSC 0x21), FAR = the address`, () => {
      const t = mmu(rig);
      t.map(D, 0x240000n, AF | attr | AP_EL1_RW);
      expectAbort(rig, exec(rig, [LDR], D + 4n), 1, dabt(1, 0x21), D + 4n);
    });
    it(`${name}: unaligned store -> alignment fault with WnR (0x61)`, () => {
      const t = mmu(rig);
      t.map(D, 0x240000n, AF | attr | AP_EL1_RW);
      expectAbort(rig, exec(rig, [STR], D + 2n, 1, 0xffn), 1, dabt(1, 0x61), D + 2n);
      expect(rig.r64(0x240000n)).toBe(0n);
    });
    it(`${name}: aligned loads and byte loads at any address are fine`, () => {
      const t = mmu(rig);
      t.map(D, 0x240000n, AF | attr | AP_EL1_RW);
      pattern(0x240000n, 0);
      expectDone(exec(rig, [LDR], D + 8n));
      expect(hex(rig.cpu.x(0))).toBe('0xf0e0d0c0b0a0908');
      expectDone(exec(rig, [LDRB], D + 5n));
      expect(rig.cpu.x(0)).toBe(5n);
    });
  }
  it('MMU off (data is Device-nGnRnE): unaligned load -> alignment fault', () => {
    expectAbort(rig, exec(rig, [LDR], DATA + 4n), 1, dabt(1, 0x21), DATA + 4n);
  });
  it('MMU off: a 4-byte load at a 4-aligned address is fine', () => {
    rig.w32(DATA + 4n, 0xdeadbeef);
    expectDone(exec(rig, [LDR_W], DATA + 4n));
    expect(hex(rig.cpu.x(0))).toBe('0xdeadbeef');
  });
  it('SCTLR_EL1.A = 1: an unaligned access to Normal memory -> alignment fault', () => {
    const t = mmu(rig, { sctlr: SCTLR_MMU | 2n });
    t.map(D, 0x240000n, RW_EL1);
    expectAbort(rig, exec(rig, [LDR], D + 4n), 1, dabt(1, 0x21), D + 4n);
  });
  it('SCTLR_EL1.A = 1: naturally aligned accesses are fine (ldr w at 4, ldrb at 1)', () => {
    const t = mmu(rig, { sctlr: SCTLR_MMU | 2n });
    t.map(D, 0x240000n, RW_EL1);
    pattern(0x240000n, 0);
    expectDone(exec(rig, [LDR_W], D + 4n));
    expect(hex(rig.cpu.x(0))).toBe('0x7060504');
    expectDone(exec(rig, [LDRB], D + 1n));
    expect(rig.cpu.x(0)).toBe(1n);
  });
  it('SCTLR_EL1.A = 1 at EL0 as well', () => {
    const t = mmu(rig, { sctlr: SCTLR_MMU | 2n });
    t.map(D, 0x240000n, AF | NORMAL | AP_ALL_RW | PXN);
    expectAbort(rig, exec(rig, [LDR], D + 1n, 0), 0, dabt(0, 0x21), D + 1n);
  });
});

describe('TLB maintenance', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;
  const A = 0x260000n, B = 0x270000n;

  const TLBI: [string, number, bigint][] = [
    ['tlbi vmalle1', 0xd508871f, 0n],
    ['tlbi vmalle1is', 0xd508831f, 0n],
    ['tlbi vae1, x3', 0xd5088723, D >> 12n],
    ['tlbi vae1is, x3', 0xd5088323, D >> 12n],
    ['tlbi vale1, x3', 0xd50887a3, D >> 12n],
    ['tlbi vaae1, x3', 0xd5088763, D >> 12n],
    ['tlbi vaale1, x3', 0xd50887e3, D >> 12n],
    ['tlbi aside1, x3 (ASID 0)', 0xd5088743, 0n],
  ];
  for (const [asm, w, x3] of TLBI) {
    it(`changing a descriptor: the old translation may stay until ${asm}; after it the new one is used`, () => {
      const t = mmu(rig);
      const ea = t.map(D, A, RW_EL1 | NG);
      rig.w64(A, 0xaaaan);
      rig.w64(B, 0xbbbbn);
      // ldr x0, [x1] ; hvc #0 | ldr x4, [x1] ; tlbi ; dsb ish ; isb ; ldr x5, [x1] ; hvc #1
      rig.code([LDR, HVC0, 0xf9400024, w, DSB_ISH, ISB, 0xf9400025, HVC1]);
      rig.cpu.setX(1, D);
      rig.cpu.setX(3, x3);
      const r1 = rig.run(10);
      expect(hex(r1.esr)).toBe('0x5a000000');
      expect(hex(rig.cpu.x(0))).toBe('0xaaaa');
      rig.w64(ea, B | RW_EL1 | NG | D_TABLE); // no TLBI yet
      const r2 = rig.run(10);
      expect(hex(r2.esr)).toBe('0x5a000001');
      expect(['0xaaaa', '0xbbbb']).toContain(hex(rig.cpu.x(4)));
      expect(hex(rig.cpu.x(5))).toBe('0xbbbb');
    });
  }
  it('a write to TTBR0_EL1 with a new ASID: non-global entries of the old ASID are not used', () => {
    const t1 = mmu(rig);
    t1.map(D, A, RW_EL1 | NG);
    const t2 = new S1Tables(rig, 12, 39, 1);
    t2.identity(0x10000n, 0x40000n, CODE_ATTRS);
    t2.map(D, B, RW_EL1 | NG);
    rig.w64(A, 0xaaaan);
    rig.w64(B, 0xbbbbn);
    rig.setSys('TTBR0_EL1', (1n << 48n) | t1.root); // ASID 1
    // ldr x0, [x1] ; msr ttbr0_el1, x2 ; isb ; ldr x4, [x1] ; hvc #0
    rig.code([LDR, 0xd5182002, ISB, 0xf9400024, HVC0]);
    rig.cpu.setX(1, D);
    rig.cpu.setX(2, (2n << 48n) | t2.root); // ASID 2
    const r = rig.run(10);
    expect(hex(r.esr)).toBe('0x5a000000');
    expect(hex(rig.cpu.x(0))).toBe('0xaaaa');
    expect(hex(rig.cpu.x(4))).toBe('0xbbbb');
  });
  it('a write to TTBR0_EL1 makes a newly mapped page reachable (no stale fault)', () => {
    const t1 = mmu(rig);
    const t2 = new S1Tables(rig, 12, 39, 1);
    t2.identity(0x10000n, 0x40000n, CODE_ATTRS);
    t2.map(D, B, RW_EL1 | NG);
    rig.w64(B, 0xbbbbn);
    rig.setSys('TTBR0_EL1', (1n << 48n) | t1.root);
    // msr ttbr0_el1, x2 ; isb ; ldr x4, [x1] ; hvc #0
    rig.code([0xd5182002, ISB, 0xf9400024, HVC0]);
    rig.cpu.setX(1, D);
    rig.cpu.setX(2, (2n << 48n) | t2.root);
    const r = rig.run(10);
    expect(r.vector).toBeUndefined();
    expect(hex(rig.cpu.x(4))).toBe('0xbbbb');
  });
});

describe('AT S1E1R / S1E1W / S1E0R / S1E0W -> PAR_EL1', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;
  const AT = { S1E1R: 0xd5087801, S1E1W: 0xd5087821, S1E0R: 0xd5087841, S1E0W: 0xd5087861 } as const;
  const PAR_OK_MASK = 0xff00fffffffff001n; // ATTR [63:56], PA [47:12], F [0]
  const PAR_FAULT_MASK = 0x3ffn; // S [9], PTW [8], FST [6:1], F [0]

  function at(op: keyof typeof AT, va: bigint, mmuOn = true): bigint {
    if (mmuOn) {
      const t = mmu(rig);
      t.map(D, 0x280000n, AF | SH_IS | NORMAL | AP_EL1_RW);
      t.map(D + 0x1000n, 0x281000n, AF | DEVICE | AP_EL1_RW);
      t.map(D + 0x2000n, 0x282000n, AF | NORMAL_NC | AP_EL1_RW);
      t.map(D + 0x3000n, 0x283000n, AF | NORMAL | AP_EL1_RO);
      t.map(D + 0x4000n, 0x284000n, AF | NORMAL | AP_ALL_RO);
      t.map(D + 0x5000n, 0x285000n, AF | NORMAL | AP_ALL_RW);
      t.map(D + 0x6000n, 0x286000n, NORMAL | AP_EL1_RW); // AF = 0
    }
    rig.setSys('ESR_EL1', 0x1234n);
    // at <op>, x1 ; isb ; mrs x0, par_el1 ; hvc #0
    const r = exec(rig, [AT[op], ISB, MRS_PAR], va);
    expectDone(r); // AT never takes a stage-1 fault as an exception
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x1234');
    expect(rig.cpu.x(0)).toBe(rig.sys('PAR_EL1'));
    return rig.cpu.x(0);
  }

  it('S1E1R, Normal write-back page: F 0, PA, ATTR 0xff', () => {
    expect(hex(at('S1E1R', D + 0x123n) & PAR_OK_MASK)).toBe('0xff00000000280000');
  });
  it('S1E1R, Device-nGnRnE page: ATTR 0x00', () => {
    expect(hex(at('S1E1R', D + 0x1008n) & PAR_OK_MASK)).toBe('0x281000');
  });
  it('S1E1R, Normal non-cacheable page: ATTR 0x44', () => {
    expect(hex(at('S1E1R', D + 0x2000n) & PAR_OK_MASK)).toBe('0x4400000000282000');
  });
  it('S1E1R, read-only page: success', () => {
    expect(hex(at('S1E1R', D + 0x3000n) & PAR_OK_MASK)).toBe('0xff00000000283000');
  });
  it('S1E1W, read-only page: F 1, FST permission level 3', () => {
    expect(hex(at('S1E1W', D + 0x3000n) & PAR_FAULT_MASK)).toBe('0x1f');
  });
  it('S1E0R, EL1-only page: permission fault', () => {
    expect(hex(at('S1E0R', D) & PAR_FAULT_MASK)).toBe('0x1f');
  });
  it('S1E0R, AP 11 page: success', () => {
    expect(hex(at('S1E0R', D + 0x4000n) & PAR_OK_MASK)).toBe('0xff00000000284000');
  });
  it('S1E0W, AP 11 page: permission fault', () => {
    expect(hex(at('S1E0W', D + 0x4000n) & PAR_FAULT_MASK)).toBe('0x1f');
  });
  it('S1E0W, AP 01 page: success', () => {
    expect(hex(at('S1E0W', D + 0x5ff8n) & PAR_OK_MASK)).toBe('0xff00000000285000');
  });
  it('S1E1R, AF = 0: access flag fault level 3 (FST 0x0B)', () => {
    expect(hex(at('S1E1R', D + 0x6000n) & PAR_FAULT_MASK)).toBe('0x17');
  });
  it('S1E1R, unmapped at level 3: FST 0x07', () => {
    expect(hex(at('S1E1R', D + 0x7000n) & PAR_FAULT_MASK)).toBe('0xf');
  });
  it('S1E1R, unmapped at level 2: FST 0x06', () => {
    expect(hex(at('S1E1R', D + 0x200000n) & PAR_FAULT_MASK)).toBe('0xd');
  });
  it('S1E1R with the MMU off: PA = VA, Device-nGnRnE', () => {
    expect(hex(at('S1E1R', 0x212345n, false) & PAR_OK_MASK)).toBe('0x212000');
  });
  it('S1E1R whose stage-1 walk faults at stage 2: a Data Abort to EL2 (exit "dabt", S1PTW 1, CM 1)', () => {
    // A stage-2 fault on a stage-1 walk for AT S1E1R/S1E0R from EL1 is not reported in PAR_EL1:
    // it is taken to EL2 as a Data Abort (EC 0x24) with S1PTW = 1 and CM = 1 (D8 "Address
    // translation instructions"; QEMU do_ats_write does the same).
    const t = mmu(rig);
    rig.w64(t.root + 8n * t.index(D, 1), UNMAPPED_IPA | D_TABLE);
    rig.code([AT.S1E1R, ISB, MRS_PAR, HVC0]);
    rig.cpu.setX(1, D);
    const r = rig.run(10);
    expect(r.reason).toBe('dabt');
    expect(hex(r.esr >> 26n)).toBe('0x24');
    expect((r.esr >> 7n) & 1n).toBe(1n); // S1PTW
    expect((r.esr >> 8n) & 1n).toBe(1n); // CM
    expect(hex(r.esr & 0x3fn)).toBe('0x6');
    expect(hex(r.pc)).toBe(hex(CODE));
  });
});

describe('stage-2 faults on stage-1 table walks: exit to the host with S1PTW = 1', () => {
  const rig = new SysRig();
  beforeEach(() => rig.reset());
  const D = 0x4012345000n;

  it('a load whose level-2 table is in an unmapped IPA: exit "dabt", EC 0x24, S1PTW, DFSC stage-2 level 2', () => {
    const t = mmu(rig);
    rig.w64(t.root + 8n * t.index(D, 1), UNMAPPED_IPA | D_TABLE);
    rig.setSys('ESR_EL1', 0x4321n);
    const r = exec(rig, [LDR], D + 0x18n);
    expect(r.reason).toBe('dabt');
    // EC 0x24, IL 1, ISV 0 (no syndrome for a walk), S1PTW [7] = 1, DFSC = 0b000110
    expect(hex(r.esr & ~(1n << 6n))).toBe(hex(esr(0x24, 0x86n)));
    expect(hex(r.far)).toBe(hex(D + 0x18n));
    expect(hex(r.ipa & ~0xfffn)).toBe(hex(UNMAPPED_IPA));
    expect(hex(r.pc)).toBe(hex(CODE));
    expect(rig.cpu.el).toBe(1);
    expect(hex(rig.sys('ESR_EL1'))).toBe('0x4321'); // nothing was taken inside the guest
  });
  it('a level-1 table in an IPA beyond the stage-2 level-1 entries: DFSC stage-2 level 1', () => {
    const t = mmu(rig);
    rig.w64(t.root + 8n * t.index(D, 1), 0x40000000n | D_TABLE);
    const r = exec(rig, [STR], D);
    expect(r.reason).toBe('dabt');
    expect(hex(r.esr & ~(1n << 6n))).toBe(hex(esr(0x24, 0x85n)));
    expect(hex(r.ipa & ~0xfffn)).toBe('0x40000000');
  });
  it('an instruction fetch whose walk faults at stage 2: exit "iabt", EC 0x20, S1PTW 1', () => {
    // AArch64.Abort: the fault keeps the fetch's access type, so it is an Instruction Abort
    // (EC 0x20) whose ISS has S1PTW = 1 (KVM's kvm_vcpu_trap_is_exec_fault relies on this).
    const t = mmu(rig);
    rig.w64(t.root + 8n * t.index(D, 1), UNMAPPED_IPA | D_TABLE);
    const r = exec(rig, [BR_X1], D);
    expect(r.reason).toBe('iabt');
    expect(hex(r.esr)).toBe(hex(esr(0x20, 0x86n)));
    expect(hex(r.far)).toBe(hex(D));
    expect(hex(r.pc)).toBe(hex(D));
  });
  it('control: a data access whose output IPA is unmapped has S1PTW = 0', () => {
    const t = mmu(rig);
    t.map(D, UNMAPPED_IPA, RW_EL1);
    const r = exec(rig, [LDR], D + 0x20n);
    expect(r.reason).toBe('dabt');
    expect(hex(r.esr >> 26n)).toBe('0x24');
    expect((r.esr >> 7n) & 1n).toBe(0n);
    expect(hex(r.esr & 0x3fn)).toBe('0x6');
    expect(hex(r.ipa)).toBe(hex(UNMAPPED_IPA + 0x20n));
  });
});
