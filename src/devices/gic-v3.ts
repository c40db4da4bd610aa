// GICv3 (Arm IHI 0069): the distributor at 0x0800_0000, one redistributor per vCPU from
// 0x080A_0000 (RD_base + SGI_base, 128 KiB each), and the ICC_* system-register CPU interface,
// which the CPU hands to the host as 'sysreg' exits (EC 0x18) when HOST_FLAGS.HF_GICV3 is set.
// As a KVM guest's vgic-v3: one security state (GICD_CTLR.DS = 1), affinity routing always on
// (ARE RAO/WI), no LPIs/ITS, system-register interface only (ICC_SRE_EL1 = 7).
import type { Device } from './bus.ts';
import { GicCore, IIDR_KVM, NR_IRQS, NR_PRIVATE, PRI_BITS, PRI_MASK, SPURIOUS } from './gic-core.ts';

export const GICD_CTLR = 0x0000;
export const GICD_TYPER = 0x0004;
export const GICD_IIDR = 0x0008;
export const GICD_TYPER2 = 0x000c;
export const GICD_IGROUPR = 0x0080;
export const GICD_ISENABLER = 0x0100;
export const GICD_ICENABLER = 0x0180;
export const GICD_ISPENDR = 0x0200;
export const GICD_ICPENDR = 0x0280;
export const GICD_ISACTIVER = 0x0300;
export const GICD_ICACTIVER = 0x0380;
export const GICD_IPRIORITYR = 0x0400;
export const GICD_ICFGR = 0x0c00;
export const GICD_IGRPMODR = 0x0d00;
export const GICD_IROUTER = 0x6000;
export const GICD_PIDR2 = 0xffe8;
export const GICD_CTLR_ARE = 1 << 4;
export const GICD_CTLR_DS = 1 << 6;

export const GICR_CTLR = 0x0000;
export const GICR_IIDR = 0x0004;
export const GICR_TYPER = 0x0008;
export const GICR_STATUSR = 0x0010;
export const GICR_WAKER = 0x0014;
export const GICR_PIDR2 = 0xffe8;
export const GICR_TYPER_LAST = 1 << 4;
export const WAKER_PROCESSOR_SLEEP = 1 << 1;
export const WAKER_CHILDREN_ASLEEP = 1 << 2;
export const SGI_BASE = 0x10000;
export const GICR_STRIDE = 0x20000;
/** The redistributor region of QEMU's virt board (room for 123 redistributors). */
export const GICR_REGION_SIZE = 0xf6_0000;

/** GICD_TYPER: ITLinesNumber = 8 (288 INTIDs), IDbits = 9 (10-bit INTIDs), as KVM. */
export const GICD_TYPER_VALUE = (NR_IRQS / 32 - 1) | (9 << 19);
/** ICC_CTLR_EL1 read-only fields: PRIbits [10:8] = 4 (5 bits), IDbits [13:11] = 0 (16), A3V [15]. */
const ICC_CTLR_RO = ((PRI_BITS - 1) << 8) | (1 << 15);

/** PIDR4-7, PIDR0-3, CIDR0-3 at 0xFFD0-0xFFFC, as QEMU's GICv3 (PIDR2 ArchRev = 3). */
const ID_REGS = [0x44, 0x00, 0x00, 0x00, 0x92, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const idReg = (offset: number) => ID_REGS[(offset - 0xffd0) >> 2];

const TWO32 = 0x1_0000_0000;

export class GicV3Distributor implements Device {
  readonly name = 'gicv3-dist';
  readonly size = 0x10000;
  constructor(readonly core: GicCore, private readonly cpu: () => number) {}

  reset(): void { this.core.reset(); }
  snapshot(): unknown { return this.core.snapshot(); }
  restore(state: unknown): void { this.core.restore(state); }

  read(offset: number, size: number): number {
    const c = this.core;
    const cpu = this.cpu();
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + NR_IRQS) {
      let v = 0;
      for (let i = 0; i < Math.min(size, 4); i++) {
        const id = offset - GICD_IPRIORITYR + i;
        if (id >= NR_PRIVATE) v |= c.readPriority(cpu, id) << (8 * i); // private ones: RAZ with ARE
      }
      return v >>> 0;
    }
    const r = offset & ~3;
    if (r >= GICD_IROUTER + 8 * NR_PRIVATE && r < GICD_IROUTER + 8 * NR_IRQS) {
      const route = c.spiRoute[((r - GICD_IROUTER) >> 3) - NR_PRIVATE];
      return (r & 4 ? Math.floor(route / TWO32) : route % TWO32) >>> 0;
    }
    const n = (r & 0x7f) * 8;
    if (r === GICD_CTLR) return c.distEnable | GICD_CTLR_ARE | GICD_CTLR_DS;
    if (r === GICD_TYPER) return GICD_TYPER_VALUE;
    if (r === GICD_IIDR) return IIDR_KVM;
    if (r === GICD_TYPER2) return 0;
    if (n === 0 && r >= GICD_IGROUPR && r < GICD_IGRPMODR + 0x80) return 0; // INTIDs 0-31 live in the redistributors
    if (r >= GICD_IGROUPR && r < GICD_IGROUPR + 0x80) return c.readBits('group', cpu, n);
    if (r >= GICD_ISENABLER && r < GICD_ICENABLER + 0x80) return c.readBits('enabled', cpu, n);
    if (r >= GICD_ISPENDR && r < GICD_ICPENDR + 0x80) return c.readBits('pending', cpu, n);
    if (r >= GICD_ISACTIVER && r < GICD_ICACTIVER + 0x80) return c.readBits('active', cpu, n);
    if (r >= GICD_ICFGR + 8 && r < GICD_ICFGR + NR_IRQS / 4) return c.readConfig(cpu, (r - GICD_ICFGR) * 4);
    if (r >= GICD_IGRPMODR && r < GICD_IGRPMODR + 0x80) return c.readBits('grpmod', cpu, n);
    if (offset >= 0xffd0) return idReg(offset);
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    const c = this.core;
    const cpu = this.cpu();
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + NR_IRQS) {
      for (let i = 0; i < Math.min(size, 4); i++) {
        const id = offset - GICD_IPRIORITYR + i;
        if (id >= NR_PRIVATE) c.writePriority(cpu, id, (value >>> (8 * i)) & 0xff);
      }
      return;
    }
    const r = offset & ~3;
    if (r >= GICD_IROUTER + 8 * NR_PRIVATE && r < GICD_IROUTER + 8 * NR_IRQS) {
      const i = ((r - GICD_IROUTER) >> 3) - NR_PRIVATE;
      const old = c.spiRoute[i];
      const lo = r & 4 ? old % TWO32 : (value & 0x80ff_ffff) >>> 0;
      const hi = r & 4 ? value & 0xff : Math.floor(old / TWO32);
      c.spiRoute[i] = hi * TWO32 + lo;
      c.dirty = true;
      return;
    }
    const n = (r & 0x7f) * 8;
    if (r === GICD_CTLR) { c.distEnable = value & 3; c.dirty = true; return; }
    if (n === 0 && r >= GICD_IGROUPR && r < GICD_IGRPMODR + 0x80) return;
    if (r >= GICD_IGROUPR && r < GICD_IGROUPR + 0x80) { c.writeBits('group', 'store', cpu, n, value); return; }
    if (r >= GICD_ISENABLER && r < GICD_ISENABLER + 0x80) { c.writeBits('enabled', 'set', cpu, n, value); return; }
    if (r >= GICD_ICENABLER && r < GICD_ICENABLER + 0x80) { c.writeBits('enabled', 'clear', cpu, n, value); return; }
    if (r >= GICD_ISPENDR && r < GICD_ISPENDR + 0x80) { c.writeBits('pending', 'set', cpu, n, value); return; }
    if (r >= GICD_ICPENDR && r < GICD_ICPENDR + 0x80) { c.writeBits('pending', 'clear', cpu, n, value); return; }
    if (r >= GICD_ISACTIVER && r < GICD_ISACTIVER + 0x80) { c.writeBits('active', 'set', cpu, n, value); return; }
    if (r >= GICD_ICACTIVER && r < GICD_ICACTIVER + 0x80) { c.writeBits('active', 'clear', cpu, n, value); return; }
    if (r >= GICD_ICFGR + 8 && r < GICD_ICFGR + NR_IRQS / 4) { c.writeConfig(cpu, (r - GICD_ICFGR) * 4, value); return; }
    if (r >= GICD_IGRPMODR && r < GICD_IGRPMODR + 0x80) { c.writeBits('grpmod', 'store', cpu, n, value); return; }
  }
}

/** All redistributors, one 128 KiB frame per vCPU in QEMU's redistributor region. */
export class GicV3Redistributors implements Device {
  readonly name = 'gicv3-redist';
  readonly size = GICR_REGION_SIZE;
  /** GICR_WAKER.ProcessorSleep per CPU (ChildrenAsleep follows it at once). */
  private readonly sleep: Uint8Array;
  constructor(readonly core: GicCore) {
    this.sleep = new Uint8Array(core.ncpu);
    this.reset();
  }

  reset(): void { this.sleep.fill(1); }
  snapshot(): unknown { return Array.from(this.sleep); }
  restore(state: unknown): void { this.sleep.set(state as number[]); }

  read(offset: number, size: number): number {
    const cpu = Math.floor(offset / GICR_STRIDE);
    if (cpu >= this.core.ncpu) return 0; // no redistributor there
    const o = offset % GICR_STRIDE;
    const c = this.core;
    if (o >= SGI_BASE + GICD_IPRIORITYR && o < SGI_BASE + GICD_IPRIORITYR + NR_PRIVATE) {
      let v = 0;
      for (let i = 0; i < Math.min(size, 4); i++) v |= c.readPriority(cpu, o - SGI_BASE - GICD_IPRIORITYR + i) << (8 * i);
      return v >>> 0;
    }
    switch (o & ~3) {
      case GICR_CTLR: return 0;
      case GICR_IIDR: return IIDR_KVM;
      case GICR_TYPER: return ((cpu << 8) | (cpu === c.ncpu - 1 ? GICR_TYPER_LAST : 0)) >>> 0; // Processor_Number, Last
      case GICR_TYPER + 4: return cpu; // Affinity_Value: Aff3.Aff2.Aff1.Aff0 = 0.0.0.cpu
      case GICR_STATUSR: return 0;
      case GICR_WAKER: return this.sleep[cpu] ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
      case SGI_BASE + GICD_IGROUPR: return c.readBits('group', cpu, 0);
      case SGI_BASE + GICD_ISENABLER: case SGI_BASE + GICD_ICENABLER: return c.readBits('enabled', cpu, 0);
      case SGI_BASE + GICD_ISPENDR: case SGI_BASE + GICD_ICPENDR: return c.readBits('pending', cpu, 0);
      case SGI_BASE + GICD_ISACTIVER: case SGI_BASE + GICD_ICACTIVER: return c.readBits('active', cpu, 0);
      case SGI_BASE + GICD_ICFGR: return c.readConfig(cpu, 0);
      case SGI_BASE + GICD_ICFGR + 4: return c.readConfig(cpu, 16);
      case SGI_BASE + GICD_IGRPMODR: return c.readBits('grpmod', cpu, 0);
    }
    if (o >= 0xffd0 && o < 0x10000) return idReg(o);
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    const cpu = Math.floor(offset / GICR_STRIDE);
    if (cpu >= this.core.ncpu) return;
    const o = offset % GICR_STRIDE;
    const c = this.core;
    if (o >= SGI_BASE + GICD_IPRIORITYR && o < SGI_BASE + GICD_IPRIORITYR + NR_PRIVATE) {
      for (let i = 0; i < Math.min(size, 4); i++) c.writePriority(cpu, o - SGI_BASE - GICD_IPRIORITYR + i, (value >>> (8 * i)) & 0xff);
      return;
    }
    switch (o & ~3) {
      case GICR_WAKER: this.sleep[cpu] = (value & WAKER_PROCESSOR_SLEEP) !== 0 ? 1 : 0; return;
      case SGI_BASE + GICD_IGROUPR: c.writeBits('group', 'store', cpu, 0, value); return;
      case SGI_BASE + GICD_ISENABLER: c.writeBits('enabled', 'set', cpu, 0, value); return;
      case SGI_BASE + GICD_ICENABLER: c.writeBits('enabled', 'clear', cpu, 0, value); return;
      case SGI_BASE + GICD_ISPENDR: c.writeBits('pending', 'set', cpu, 0, value); return;
      case SGI_BASE + GICD_ICPENDR: c.writeBits('pending', 'clear', cpu, 0, value); return;
      case SGI_BASE + GICD_ISACTIVER: c.writeBits('active', 'set', cpu, 0, value); return;
      case SGI_BASE + GICD_ICACTIVER: c.writeBits('active', 'clear', cpu, 0, value); return;
      case SGI_BASE + GICD_ICFGR + 4: c.writeConfig(cpu, 16, value); return; // PPIs: fixed level (ignored)
      case SGI_BASE + GICD_IGRPMODR: c.writeBits('grpmod', 'store', cpu, 0, value); return;
    }
  }
}

/** An ICC_* register by its encoding (op0 = 3, op1 = 0): CRn, CRm, op2. */
export const icc = (crn: number, crm: number, op2: number) => (crn << 7) | (crm << 3) | op2;
export const ICC_PMR_EL1 = icc(4, 6, 0);
export const ICC_IAR0_EL1 = icc(12, 8, 0);
export const ICC_EOIR0_EL1 = icc(12, 8, 1);
export const ICC_HPPIR0_EL1 = icc(12, 8, 2);
export const ICC_BPR0_EL1 = icc(12, 8, 3);
export const ICC_AP0R0_EL1 = icc(12, 8, 4);
export const ICC_AP1R0_EL1 = icc(12, 9, 0);
export const ICC_DIR_EL1 = icc(12, 11, 1);
export const ICC_RPR_EL1 = icc(12, 11, 3);
export const ICC_SGI1R_EL1 = icc(12, 11, 5);
export const ICC_ASGI1R_EL1 = icc(12, 11, 6);
export const ICC_SGI0R_EL1 = icc(12, 11, 7);
export const ICC_IAR1_EL1 = icc(12, 12, 0);
export const ICC_EOIR1_EL1 = icc(12, 12, 1);
export const ICC_HPPIR1_EL1 = icc(12, 12, 2);
export const ICC_BPR1_EL1 = icc(12, 12, 3);
export const ICC_CTLR_EL1 = icc(12, 12, 4);
export const ICC_SRE_EL1 = icc(12, 12, 5);
export const ICC_IGRPEN0_EL1 = icc(12, 12, 6);
export const ICC_IGRPEN1_EL1 = icc(12, 12, 7);

const READ_ONLY = new Set([ICC_IAR0_EL1, ICC_HPPIR0_EL1, ICC_RPR_EL1, ICC_IAR1_EL1, ICC_HPPIR1_EL1]);
const WRITE_ONLY = new Set([ICC_EOIR0_EL1, ICC_DIR_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1, ICC_EOIR1_EL1]);
const READ_WRITE = new Set([ICC_PMR_EL1, ICC_BPR0_EL1, ICC_AP0R0_EL1, ICC_AP1R0_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_SRE_EL1, ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1]);

/** The GICv3 CPU interface of every vCPU: the ICC_* system registers. */
export class GicV3CpuInterface {
  constructor(readonly core: GicCore) {}

  /** Whether an MRS (read) or MSR (write) of the register is UNDEFINED. */
  undefinedAccess(reg: number, read: boolean): boolean {
    if (READ_WRITE.has(reg)) return false;
    return read ? !READ_ONLY.has(reg) : !WRITE_ONLY.has(reg);
  }

  /** MRS: the value read (the access must not be UNDEFINED). */
  read(cpu: number, reg: number): bigint {
    const c = this.core;
    switch (reg) {
      case ICC_PMR_EL1: return BigInt(c.pmr[cpu]);
      case ICC_IAR0_EL1: return BigInt(c.acknowledge(cpu, 0));
      case ICC_IAR1_EL1: return BigInt(c.acknowledge(cpu, 1));
      case ICC_HPPIR0_EL1: return BigInt(c.highestPendingId(cpu, 0));
      case ICC_HPPIR1_EL1: return BigInt(c.highestPendingId(cpu, 1));
      case ICC_BPR0_EL1: return BigInt(c.bpr0[cpu]);
      case ICC_BPR1_EL1: return BigInt(c.cbpr[cpu] ? Math.min(c.bpr0[cpu] + 1, 7) : c.bpr1[cpu]);
      case ICC_AP0R0_EL1: return BigInt(c.apr0[cpu]);
      case ICC_AP1R0_EL1: return BigInt(c.apr1[cpu]);
      case ICC_RPR_EL1: return BigInt(c.runningPriority(cpu));
      case ICC_CTLR_EL1: return BigInt(ICC_CTLR_RO | c.cbpr[cpu] | (c.eoiMode[cpu] << 1));
      case ICC_SRE_EL1: return 7n; // SRE, DFB, DIB: RAO/WI
      case ICC_IGRPEN0_EL1: return BigInt(c.grpEn[cpu] & 1);
      case ICC_IGRPEN1_EL1: return BigInt((c.grpEn[cpu] >> 1) & 1);
      default: return 0n;
    }
  }

  /** MSR (the access must not be UNDEFINED). */
  write(cpu: number, reg: number, value: bigint): void {
    const c = this.core;
    const lo = Number(value & 0xffff_ffffn);
    switch (reg) {
      case ICC_PMR_EL1: c.pmr[cpu] = lo & PRI_MASK; break;
      case ICC_EOIR0_EL1: case ICC_EOIR1_EL1: c.endOfInterrupt(cpu, lo & 0xffffff); break;
      case ICC_DIR_EL1: c.deactivate(cpu, lo & 0xffffff); break;
      case ICC_BPR0_EL1: c.writeBpr(cpu, 0, lo); break;
      case ICC_BPR1_EL1: if (!c.cbpr[cpu]) c.writeBpr(cpu, 1, lo); break;
      case ICC_AP0R0_EL1: c.apr0[cpu] = lo >>> 0; break;
      case ICC_AP1R0_EL1: c.apr1[cpu] = lo >>> 0; break;
      case ICC_CTLR_EL1: c.cbpr[cpu] = lo & 1; c.eoiMode[cpu] = (lo >> 1) & 1; break;
      case ICC_IGRPEN0_EL1: c.grpEn[cpu] = (c.grpEn[cpu] & 2) | (lo & 1); break;
      case ICC_IGRPEN1_EL1: c.grpEn[cpu] = (c.grpEn[cpu] & 1) | ((lo & 1) << 1); break;
      case ICC_SGI1R_EL1: case ICC_ASGI1R_EL1: case ICC_SGI0R_EL1: this.sgi(cpu, value); break;
      default: break; // ICC_SRE_EL1: WI
    }
    c.dirty = true;
  }

  /**
   * ICC_SGI0R/SGI1R/ASGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32],
   * IRM [40], RS [47:44], Aff3 [55:48]. vCPU n has affinity 0.0.0.n.
   */
  private sgi(cpu: number, v: bigint): void {
    const intid = Number((v >> 24n) & 0xfn);
    const irm = ((v >> 40n) & 1n) === 1n;
    const targets: number[] = [];
    if (irm) {
      for (let t = 0; t < this.core.ncpu; t++) if (t !== cpu) targets.push(t);
    } else {
      const upper = (v >> 16n) & 0xffn | ((v >> 32n) & 0xffn) | ((v >> 48n) & 0xffn);
      const rs = Number((v >> 44n) & 0xfn);
      const list = Number(v & 0xffffn);
      if (upper === 0n) {
        for (let b = 0; b < 16; b++) {
          const t = rs * 16 + b;
          if ((list >> b) & 1 && t < this.core.ncpu) targets.push(t);
        }
      }
    }
    this.core.sendSgi({ intid, targets, source: cpu });
  }
}

export { SPURIOUS };
