// The GIC models at register level (src/devices/gic-core.ts, gic-v2.ts, gic-v3.ts), with the
// values the architecture specifications give: Arm IHI 0048B (GICv2) and IHI 0069 (GICv3).
import { describe, it, expect } from 'vitest';
import { GicCore, SPURIOUS } from '../src/devices/gic-core.ts';
import { GicV2CpuInterface, GicV2Distributor } from '../src/devices/gic-v2.ts';
import {
  GicV3CpuInterface, GicV3Distributor, GicV3Redistributors, ICC_AP1R0_EL1, ICC_BPR0_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1,
  ICC_DIR_EL1, ICC_EOIR0_EL1, ICC_EOIR1_EL1, ICC_HPPIR1_EL1, ICC_IAR0_EL1, ICC_IAR1_EL1, ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1,
  ICC_PMR_EL1, ICC_RPR_EL1, ICC_SGI1R_EL1, ICC_SRE_EL1,
} from '../src/devices/gic-v3.ts';

function v2(ncpu = 2) {
  const core = new GicCore(ncpu, false);
  let cpu = 0;
  const dist = new GicV2Distributor(core, () => cpu);
  const cif = new GicV2CpuInterface(core, () => cpu);
  return {
    core, dist, cif,
    on(c: number) { cpu = c; return this; },
    /** Distributor and CPU interfaces of every CPU enabled, PMR open. */
    enableAll() {
      dist.write(0x000, 4, 1);
      for (let c = 0; c < ncpu; c++) { cpu = c; cif.write(0x00, 4, 1); cif.write(0x04, 4, 0xff); }
      cpu = 0;
      return this;
    },
  };
}

describe('GICv2 distributor (IHI 0048B 4.3)', () => {
  it('identification: GICD_TYPER, GICD_IIDR, PIDR2, GICC_IIDR', () => {
    const g = v2(2);
    expect(g.dist.read(0x004, 4)).toBe(0x28); // ITLinesNumber 8 (288 INTIDs), CPUNumber 1, SecurityExtn 0
    expect(g.dist.read(0x008, 4)).toBe(0x4b00_343b); // KVM's vgic: ProductID 0x4B, implementer Arm
    expect(g.dist.read(0xfe8, 4)).toBe(0x2b); // ArchRev 2
    expect(g.dist.read(0xff0, 4)).toBe(0x0d); // CIDR0
    expect(g.cif.read(0xfc, 4)).toBe(0x0202_043b); // GICC_IIDR: architecture version 2, Arm
  });

  it('reset state: SGIs enabled and edge, PPIs level, priorities 0, GICD_CTLR 0', () => {
    const g = v2(2);
    expect(g.dist.read(0x000, 4)).toBe(0);
    expect(g.dist.read(0x100, 4)).toBe(0xffff); // GICD_ISENABLER0: SGIs
    expect(g.dist.read(0xc00, 4)).toBe(0xaaaa_aaaa); // GICD_ICFGR0: SGIs edge
    expect(g.dist.read(0xc04, 4)).toBe(0); // GICD_ICFGR1: PPIs level
    expect(g.dist.read(0x400, 4)).toBe(0);
    expect(g.dist.read(0x080, 4)).toBe(0); // group 0
  });

  it('priority fields keep 5 bits; byte and word access', () => {
    const g = v2();
    g.dist.write(0x400 + 40, 1, 0xff);
    expect(g.dist.read(0x400 + 40, 1)).toBe(0xf8);
    g.dist.write(0x428, 4, 0x1234_5678);
    expect(g.dist.read(0x428, 4)).toBe(0x1030_5078);
  });

  it('ITARGETSR: SGIs/PPIs read as the reading CPU (RAZ on one CPU); SPIs keep implemented CPUs', () => {
    const g = v2(2);
    expect(g.on(1).dist.read(0x800, 4)).toBe(0x0202_0202);
    expect(g.on(0).dist.read(0x81c, 4)).toBe(0x0101_0101);
    g.dist.write(0x820, 4, 0xff03_0201);
    expect(g.dist.read(0x820, 4)).toBe(0x0303_0201);
    expect(v2(1).dist.read(0x800, 4)).toBe(0);
  });

  it('set/clear-enable, -pending and -active registers; SGI/PPI bits are banked', () => {
    const g = v2(2);
    g.on(1).dist.write(0x100, 4, 0x0800_0000); // PPI 27 on CPU 1
    expect(g.dist.read(0x100, 4)).toBe(0x0800_ffff);
    expect(g.on(0).dist.read(0x100, 4)).toBe(0xffff);
    g.dist.write(0x104, 4, 0x0000_0101); // SPIs 32, 40
    g.dist.write(0x184, 4, 0x0000_0001);
    expect(g.dist.read(0x104, 4)).toBe(0x100);
    g.dist.write(0x204, 4, 0x4); // ISPENDR1: SPI 34
    expect(g.dist.read(0x284, 4)).toBe(0x4);
    g.dist.write(0x284, 4, 0x4);
    expect(g.dist.read(0x204, 4)).toBe(0);
    g.dist.write(0x304, 4, 0x8);
    expect(g.dist.read(0x384, 4)).toBe(0x8);
    g.dist.write(0x384, 4, 0x8);
    expect(g.dist.read(0x304, 4)).toBe(0);
    g.dist.write(0x200, 4, 0xffff); // ISPENDR0 SGI bits are read-only on GICv2
    expect(g.dist.read(0x200, 4)).toBe(0);
  });

  it('acknowledge, running priority, priority drop and deactivation of a level SPI', () => {
    const g = v2(1).enableAll();
    const { core, dist, cif } = g;
    dist.write(0x400 + 40, 1, 0x80);
    dist.write(0x800 + 40, 1, 1); // ITARGETSR: RAZ/WI on a uniprocessor (every SPI goes to CPU 0)
    expect(dist.read(0x800 + 40, 1)).toBe(0);
    dist.write(0x104, 4, 1 << 8);
    expect(cif.read(0x0c, 4)).toBe(SPURIOUS); // nothing pending
    core.setLevel(0, 40, true);
    expect(core.lines(0)).toEqual({ irq: true, fiq: false });
    expect(cif.read(0x18, 4)).toBe(40); // GICC_HPPIR
    expect(cif.read(0x0c, 4)).toBe(40); // GICC_IAR
    expect(cif.read(0x14, 4)).toBe(0x80); // GICC_RPR
    expect(core.lines(0).irq).toBe(false); // active: not signalled again
    expect(dist.read(0x204, 4)).toBe(1 << 8); // still pending (level high): active and pending
    expect(dist.read(0x304, 4)).toBe(1 << 8);
    expect(cif.read(0xd0, 4)).toBe(1 << 16); // GICC_APR0: group priority 0x80 >> 3
    cif.write(0x10, 4, 40); // GICC_EOIR
    expect(cif.read(0x14, 4)).toBe(0xff);
    expect(dist.read(0x304, 4)).toBe(0);
    expect(core.lines(0).irq).toBe(true); // the line is still high
    core.setLevel(0, 40, false);
    expect(core.lines(0).irq).toBe(false);
    expect(dist.read(0x204, 4)).toBe(0);
  });

  it('edge-triggered SPIs latch on a rising edge; acknowledge clears the latch', () => {
    const g = v2(1).enableAll();
    const { core, dist, cif } = g;
    dist.write(0xc08, 4, 2 << 2); // GICD_ICFGR2: SPI 33 edge
    expect(dist.read(0xc08, 4)).toBe(8);
    dist.write(0x104, 4, 2);
    core.setLevel(0, 33, true);
    core.setLevel(0, 33, false);
    expect(dist.read(0x204, 4)).toBe(2); // pending after the edge, the line low
    expect(cif.read(0x0c, 4)).toBe(33);
    expect(dist.read(0x204, 4)).toBe(0);
    cif.write(0x10, 4, 33);
    expect(cif.read(0x0c, 4)).toBe(SPURIOUS);
  });

  it('priority mask and preemption by group priority (binary point)', () => {
    const g = v2(1).enableAll();
    const { core, dist, cif } = g;
    for (const [id, prio] of [[40, 0x80], [41, 0x60], [42, 0x90]] as const) {
      dist.write(0x400 + id, 1, prio);
      dist.write(0x800 + id, 1, 1);
    }
    dist.write(0x104, 4, 0x700);
    cif.write(0x04, 4, 0x80); // PMR: only priorities below 0x80 pass
    core.setLevel(0, 40, true);
    expect(core.lines(0).irq).toBe(false);
    expect(cif.read(0x18, 4)).toBe(40); // HPPIR ignores the mask
    cif.write(0x04, 4, 0xf0);
    expect(cif.read(0x0c, 4)).toBe(40); // running priority 0x80
    cif.write(0x08, 4, 4); // GICC_BPR 4: group priority bits [7:5]
    core.setLevel(0, 42, true);
    expect(core.lines(0).irq).toBe(false); // 0x90 -> group 0x80: no preemption
    core.setLevel(0, 41, true);
    expect(core.lines(0).irq).toBe(true); // 0x60 -> group 0x60 < 0x80
    expect(cif.read(0x0c, 4)).toBe(41);
    expect(cif.read(0x14, 4)).toBe(0x60);
    cif.write(0x10, 4, 41);
    expect(cif.read(0x14, 4)).toBe(0x80); // back to the preempted one's priority
    cif.write(0x08, 4, 0);
    expect(cif.read(0x08, 4)).toBe(2); // the minimum binary point with 5 priority bits
  });

  it('EOImode 1: EOIR drops the priority, DIR deactivates', () => {
    const g = v2(1).enableAll();
    const { core, dist, cif } = g;
    cif.write(0x00, 4, 1 | (1 << 9));
    expect(cif.read(0x00, 4)).toBe(0x201);
    dist.write(0x400 + 50, 1, 0x40);
    dist.write(0x800 + 50, 1, 1);
    dist.write(0x104, 4, 1 << 18);
    dist.write(0x204, 4, 1 << 18); // software-pended
    expect(cif.read(0x0c, 4)).toBe(50);
    cif.write(0x10, 4, 50);
    expect(cif.read(0x14, 4)).toBe(0xff);
    expect(dist.read(0x304, 4)).toBe(1 << 18);
    cif.write(0x1000, 4, 50); // GICC_DIR
    expect(dist.read(0x304, 4)).toBe(0);
    expect(core.lines(0).irq).toBe(false);
  });

  it('GICD_SGIR: target list, all-but-self, self; the IAR names the source CPU', () => {
    const g = v2(3).enableAll();
    const { dist, cif } = g;
    g.on(0).dist.write(0xf00, 4, (0b110 << 16) | 5); // SGI 5 to CPUs 1 and 2
    expect(g.on(1).cif.read(0x0c, 4)).toBe(5);
    g.cif.write(0x10, 4, 5);
    expect(g.on(2).cif.read(0x0c, 4)).toBe(5);
    g.on(2).dist.write(0xf00, 4, (1 << 24) | 7); // SGI 7 to all but CPU 2
    g.on(1).dist.write(0xf00, 4, (1 << 24) | 7); // and to all but CPU 1
    expect(g.on(0).dist.read(0xf24, 4)).toBe(0x06 << 24); // GICD_SPENDSGIR1: SGI 7 from CPUs 1, 2
    expect(cif.read(0x0c, 4)).toBe(7 | (1 << 10)); // lowest source first
    cif.write(0x10, 4, 7 | (1 << 10));
    expect(cif.read(0x0c, 4)).toBe(7 | (2 << 10));
    cif.write(0x10, 4, 7 | (2 << 10));
    expect(cif.read(0x0c, 4)).toBe(SPURIOUS);
    g.on(1).dist.write(0xf00, 4, (2 << 24) | 9); // to itself
    expect(g.cif.read(0x0c, 4)).toBe(7 | (2 << 10)); // SGI 7 from CPU 2 was waiting: lower INTID first
    expect(dist.read(0xf10 + 8, 4) & 0xff00).toBe(0x0200); // SGI 9 pending from CPU 1
  });

  it('group 0 signals FIQ with FIQEn; a disabled group or distributor signals nothing', () => {
    const g = v2(1).enableAll();
    const { core, dist, cif } = g;
    dist.write(0x800 + 60, 1, 1);
    dist.write(0x104, 4, 1 << 28);
    core.setLevel(0, 60, true);
    cif.write(0x00, 4, 1 | 8); // EnableGrp0, FIQEn
    expect(core.lines(0)).toEqual({ irq: false, fiq: true });
    dist.write(0x084, 4, 1 << 28); // group 1: an IRQ, but group 1 is disabled at the interface
    expect(core.lines(0).irq).toBe(false);
    cif.write(0x00, 4, 3);
    expect(core.lines(0).irq).toBe(false); // group 1 disabled in the distributor
    dist.write(0x000, 4, 3);
    expect(core.lines(0)).toEqual({ irq: true, fiq: false });
    dist.write(0x000, 4, 1); // distributor: group 0 only
    expect(core.lines(0).irq).toBe(false);
  });
});

function v3(ncpu = 2) {
  const core = new GicCore(ncpu, true);
  let cpu = 0;
  const dist = new GicV3Distributor(core, () => cpu);
  const rd = new GicV3Redistributors(core);
  const icc = new GicV3CpuInterface(core);
  return {
    core, dist, rd, icc,
    on(c: number) { cpu = c; return this; },
    get cpu() { return cpu; },
    r: (c: number, reg: number) => Number(icc.read(c, reg)),
    w: (c: number, reg: number, v: number | bigint) => icc.write(c, reg, BigInt(v)),
  };
}

describe('GICv3 distributor and redistributors (IHI 0069 12.9, 12.10, 12.11)', () => {
  it('GICD_CTLR: ARE and DS read as one; the group enables are writable', () => {
    const g = v3();
    expect(g.dist.read(0x0, 4)).toBe(0x50);
    g.dist.write(0x0, 4, 0xffff_ffff);
    expect(g.dist.read(0x0, 4)).toBe(0x53);
  });

  it('identification: GICD_TYPER, IIDR, PIDR2; GICR_TYPER, GICR_PIDR2', () => {
    const g = v3(2);
    expect(g.dist.read(0x4, 4)).toBe(8 | (9 << 19)); // ITLinesNumber 8, IDbits 9 (10 bits), no LPIs
    expect(g.dist.read(0x8, 4)).toBe(0x4b00_343b);
    expect(g.dist.read(0xffe8, 4)).toBe(0x3b); // ArchRev 3
    expect(g.rd.read(0x0008, 4)).toBe(0); // CPU 0: Processor_Number 0, not Last
    expect(g.rd.read(0x000c, 4)).toBe(0); // affinity 0.0.0.0
    expect(g.rd.read(0x20000 + 0x0008, 4)).toBe(0x110); // CPU 1: Processor_Number 1, Last
    expect(g.rd.read(0x20000 + 0x000c, 4)).toBe(1);
    expect(g.rd.read(0x20000 + 0xffe8, 4)).toBe(0x3b);
    expect(g.rd.read(0x40000 + 0x0008, 4)).toBe(0); // beyond the last redistributor: RAZ
  });

  it('GICR_WAKER: ProcessorSleep and ChildrenAsleep', () => {
    const g = v3();
    expect(g.rd.read(0x14, 4)).toBe(6);
    g.rd.write(0x14, 4, 0);
    expect(g.rd.read(0x14, 4)).toBe(0);
    expect(g.rd.read(0x20014, 4)).toBe(6); // each redistributor has its own
  });

  it('with affinity routing, INTIDs 0-31 are RAZ/WI in the distributor and live in SGI_base', () => {
    const g = v3();
    g.dist.write(0x100, 4, 0xffff_ffff);
    expect(g.dist.read(0x100, 4)).toBe(0);
    expect(g.dist.read(0x400, 4)).toBe(0);
    expect(g.rd.read(0x10000 + 0x100, 4)).toBe(0xffff); // SGIs enabled at reset
    g.rd.write(0x10000 + 0x100, 4, 1 << 27);
    expect(g.rd.read(0x10000 + 0x100, 4)).toBe(0x0800_ffff);
    expect(g.rd.read(0x30000 + 0x100, 4)).toBe(0xffff); // CPU 1's bank untouched
    g.rd.write(0x10000 + 0x41b, 1, 0xff);
    expect(g.rd.read(0x10000 + 0x418, 4)).toBe(0xf800_0000);
    expect(g.rd.read(0x10000 + 0xc00, 4)).toBe(0xaaaa_aaaa);
    expect(g.rd.read(0x10000 + 0x080, 4)).toBe(0xffff_ffff); // group 1 at reset (KVM's vgic-v3)
  });

  it('GICD_IROUTER routes an SPI to one PE or, with IRM, to any', () => {
    const g = v3(2);
    const { core, dist } = g;
    dist.write(0x0, 4, 2);
    for (const c of [0, 1]) { g.w(c, ICC_IGRPEN1_EL1, 1); g.w(c, ICC_PMR_EL1, 0xff); }
    dist.write(0x6000 + 8 * 45, 4, 1);
    expect(dist.read(0x6000 + 8 * 45, 4)).toBe(1);
    dist.write(0x6000 + 8 * 45 + 4, 4, 0x1ff);
    expect(dist.read(0x6000 + 8 * 45 + 4, 4)).toBe(0xff); // Aff3 [39:32]
    dist.write(0x6000 + 8 * 45 + 4, 4, 0);
    dist.write(0x104, 4, 1 << 13);
    core.setLevel(0, 45, true);
    expect(core.lines(0).irq).toBe(false);
    expect(core.lines(1).irq).toBe(true);
    dist.write(0x6000 + 8 * 45, 4, 0x8000_0000); // IRM = 1
    expect(core.lines(0).irq && core.lines(1).irq).toBe(true);
    expect(g.r(0, ICC_IAR1_EL1)).toBe(45); // the first to acknowledge takes it
    expect(core.lines(1).irq).toBe(false);
  });
});

describe('GICv3 CPU interface: the ICC_* registers (IHI 0069 12.2)', () => {
  it('reset values: SRE, CTLR, BPR0/1, PMR, RPR, IGRPEN', () => {
    const g = v3();
    expect(g.r(0, ICC_SRE_EL1)).toBe(7); // SRE, DFB, DIB
    expect(g.r(0, ICC_CTLR_EL1)).toBe(0x8400); // A3V, PRIbits 4 (5 bits), IDbits 0 (16 bits)
    expect(g.r(0, ICC_BPR0_EL1)).toBe(2);
    expect(g.r(0, ICC_BPR1_EL1)).toBe(3);
    expect(g.r(0, ICC_PMR_EL1)).toBe(0);
    expect(g.r(0, ICC_RPR_EL1)).toBe(0xff);
    expect(g.r(0, ICC_IGRPEN1_EL1)).toBe(0);
    g.w(0, ICC_PMR_EL1, 0xff);
    expect(g.r(0, ICC_PMR_EL1)).toBe(0xf8);
    g.w(0, ICC_CTLR_EL1, 0xffff_ffff);
    expect(g.r(0, ICC_CTLR_EL1)).toBe(0x8403); // CBPR, EOImode
    expect(g.r(0, ICC_BPR1_EL1)).toBe(3); // CBPR: BPR0 + 1
    g.w(0, ICC_BPR1_EL1, 6); // ignored while CBPR
    g.w(0, ICC_CTLR_EL1, 0);
    expect(g.r(0, ICC_BPR1_EL1)).toBe(3);
  });

  it('access classes: IAR/HPPIR/RPR read-only, EOIR/DIR/SGI1R write-only', () => {
    const { icc } = v3();
    expect(icc.undefinedAccess(ICC_IAR1_EL1, true)).toBe(false);
    expect(icc.undefinedAccess(ICC_IAR1_EL1, false)).toBe(true);
    expect(icc.undefinedAccess(ICC_EOIR1_EL1, true)).toBe(true);
    expect(icc.undefinedAccess(ICC_SGI1R_EL1, false)).toBe(false);
    expect(icc.undefinedAccess(ICC_SGI1R_EL1, true)).toBe(true);
    expect(icc.undefinedAccess(ICC_PMR_EL1, true)).toBe(false);
    expect(icc.undefinedAccess((12 << 7) | (9 << 3) | 1, true)).toBe(true); // ICC_AP1R1: 5 priority bits need AP1R0 only
  });

  it('IAR1, RPR, AP1R0, EOIR1 with EOImode 0 and 1, DIR', () => {
    const g = v3(1);
    const { core } = g;
    g.dist.write(0, 4, 2);
    g.w(0, ICC_IGRPEN1_EL1, 1);
    g.w(0, ICC_PMR_EL1, 0xf0);
    g.rd.write(0x10000 + 0x400 + 27, 1, 0xa0);
    g.rd.write(0x10000 + 0x100, 4, 1 << 27);
    core.setLevel(0, 27, true);
    expect(core.lines(0)).toEqual({ irq: true, fiq: false });
    expect(g.r(0, ICC_HPPIR1_EL1)).toBe(27);
    expect(g.r(0, ICC_IAR1_EL1)).toBe(27);
    expect(g.r(0, ICC_RPR_EL1)).toBe(0xa0);
    expect(g.r(0, ICC_AP1R0_EL1)).toBe(1 << (0xa0 >> 3));
    expect(g.r(0, ICC_IAR1_EL1)).toBe(SPURIOUS);
    core.setLevel(0, 27, false);
    g.w(0, ICC_EOIR1_EL1, 27);
    expect(g.r(0, ICC_RPR_EL1)).toBe(0xff);
    expect(g.rd.read(0x10000 + 0x300, 4)).toBe(0); // deactivated
    g.w(0, ICC_CTLR_EL1, 2); // EOImode 1
    core.setLevel(0, 27, true);
    expect(g.r(0, ICC_IAR1_EL1)).toBe(27);
    g.w(0, ICC_EOIR1_EL1, 27);
    expect(g.r(0, ICC_RPR_EL1)).toBe(0xff);
    expect(g.rd.read(0x10000 + 0x300, 4)).toBe(1 << 27); // still active
    expect(core.lines(0).irq).toBe(false);
    g.w(0, ICC_DIR_EL1, 27);
    expect(g.rd.read(0x10000 + 0x300, 4)).toBe(0);
    expect(core.lines(0).irq).toBe(true); // the level is still high
  });

  it('group 0 interrupts are FIQs, acknowledged through IAR0 only', () => {
    const g = v3(1);
    const { core } = g;
    g.dist.write(0, 4, 3);
    g.w(0, ICC_IGRPEN0_EL1, 1);
    g.w(0, ICC_IGRPEN1_EL1, 1);
    g.w(0, ICC_PMR_EL1, 0xff);
    g.dist.write(0x084, 4, 0); // SPIs 32-63: group 0
    g.dist.write(0x104, 4, 1);
    core.setLevel(0, 32, true);
    expect(core.lines(0)).toEqual({ irq: false, fiq: true });
    expect(g.r(0, ICC_IAR1_EL1)).toBe(SPURIOUS);
    expect(g.r(0, ICC_IAR0_EL1)).toBe(32);
    g.w(0, ICC_EOIR0_EL1, 32);
    expect(g.r(0, ICC_RPR_EL1)).toBe(0xff);
  });

  it('ICC_SGI1R_EL1: target list, RS, affinity, IRM', () => {
    const g = v3(4);
    const pending = (c: number) => g.rd.read(c * 0x20000 + 0x10000 + 0x200, 4);
    g.w(0, ICC_SGI1R_EL1, (3n << 24n) | 0b1010n); // SGI 3 to CPUs 1 and 3
    expect([0, 1, 2, 3].map(pending)).toEqual([0, 8, 0, 8]);
    g.w(2, ICC_SGI1R_EL1, (4n << 24n) | (1n << 40n)); // SGI 4 to all but CPU 2
    expect([0, 1, 2, 3].map(pending)).toEqual([0x10, 0x18, 0, 0x18]);
    g.w(0, ICC_SGI1R_EL1, (5n << 24n) | (1n << 16n) | 1n); // Aff1 = 1: no such PE
    g.w(0, ICC_SGI1R_EL1, (5n << 24n) | (1n << 44n) | 1n); // RS = 1: Aff0 16, none
    expect([0, 1, 2, 3].map(pending)).toEqual([0x10, 0x18, 0, 0x18]);
  });
});
