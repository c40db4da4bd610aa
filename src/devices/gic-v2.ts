// GICv2 (Arm IHI 0048B): the distributor at 0x0800_0000 and the CPU interface at 0x0801_0000
// of the virt board, without the Security Extensions (as QEMU's virt without EL3, and as a KVM
// guest sees its vgic-v2). Register maps: distributor 4.1.2 (Table 4-1), CPU interface 4.1.3
// (Table 4-2). The CPU interface is banked: an access reaches the interface of the vCPU that
// made it (cpu()).
import type { Device } from './bus.ts';
import { GicCore, IIDR_KVM, NR_IRQS, NR_PRIVATE, NR_SGIS, NR_SPIS, SPURIOUS } from './gic-core.ts';

export const GICD_CTLR = 0x000;
export const GICD_TYPER = 0x004;
export const GICD_IIDR = 0x008;
export const GICD_IGROUPR = 0x080;
export const GICD_ISENABLER = 0x100;
export const GICD_ICENABLER = 0x180;
export const GICD_ISPENDR = 0x200;
export const GICD_ICPENDR = 0x280;
export const GICD_ISACTIVER = 0x300;
export const GICD_ICACTIVER = 0x380;
export const GICD_IPRIORITYR = 0x400;
export const GICD_ITARGETSR = 0x800;
export const GICD_ICFGR = 0xc00;
export const GICD_SGIR = 0xf00;
export const GICD_CPENDSGIR = 0xf10;
export const GICD_SPENDSGIR = 0xf20;
export const GICD_PIDR2_V2 = 0xfe8;

export const GICC_CTLR = 0x00;
export const GICC_PMR = 0x04;
export const GICC_BPR = 0x08;
export const GICC_IAR = 0x0c;
export const GICC_EOIR = 0x10;
export const GICC_RPR = 0x14;
export const GICC_HPPIR = 0x18;
export const GICC_ABPR = 0x1c;
export const GICC_AIAR = 0x20;
export const GICC_AEOIR = 0x24;
export const GICC_AHPPIR = 0x28;
export const GICC_APR0 = 0xd0;
export const GICC_NSAPR0 = 0xe0;
export const GICC_IIDR = 0xfc;
export const GICC_DIR = 0x1000;

/** GICC_CTLR without Security Extensions (4.4.1): EnableGrp0, EnableGrp1, FIQEn, CBPR, EOImode [9] (AckCtl reads 0). */
const GICC_CTLR_MASK = 0x21b;
/** GICC_IIDR: Arm implementer, architecture version 2 (KVM reports ProductID 0x4B too). */
export const GICC_IIDR_VALUE = 0x0202_043b;

/** PeriphID4-7, PeriphID0-3, ComponentID0-3 at 0xFD0-0xFFC, as QEMU's GICv2 (PIDR2 ArchRev = 2). */
const ID_REGS = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

const bytes = (size: number) => (size >= 4 ? 4 : size);

/** The distributor's 64 KiB window. */
export class GicV2Distributor implements Device {
  readonly name = 'gicv2-dist';
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
      for (let i = 0; i < bytes(size); i++) v |= c.readPriority(cpu, offset - GICD_IPRIORITYR + i) << (8 * i);
      return v >>> 0;
    }
    if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + NR_IRQS) {
      let v = 0;
      for (let i = 0; i < bytes(size); i++) v |= this.readTarget(cpu, offset - GICD_ITARGETSR + i) << (8 * i);
      return v >>> 0;
    }
    const r = offset & ~3;
    const n = (r & 0x7f) * 8; // first INTID of a bitmap register
    if (r === GICD_CTLR) return c.distEnable;
    if (r === GICD_TYPER) return ((NR_IRQS / 32 - 1) | ((c.ncpu - 1) << 5)) >>> 0; // ITLinesNumber, CPUNumber
    if (r === GICD_IIDR) return IIDR_KVM;
    if (r >= GICD_IGROUPR && r < GICD_IGROUPR + 0x80) return c.readBits('group', cpu, n);
    if (r >= GICD_ISENABLER && r < GICD_ICENABLER + 0x80) return c.readBits('enabled', cpu, n);
    if (r >= GICD_ISPENDR && r < GICD_ICPENDR + 0x80) return c.readBits('pending', cpu, n);
    if (r >= GICD_ISACTIVER && r < GICD_ICACTIVER + 0x80) return c.readBits('active', cpu, n);
    if (r >= GICD_ICFGR && r < GICD_ICFGR + NR_IRQS / 4) return c.readConfig(cpu, (r - GICD_ICFGR) * 4);
    if (r >= GICD_CPENDSGIR && r < GICD_SPENDSGIR + 0x10) {
      // One byte per SGI: the source CPUs it is pending from.
      const first = r & 0xc;
      let v = 0;
      for (let i = 0; i < 4; i++) v |= c.sgiSources[c.slot(cpu, first + i)] << (8 * i);
      return (size >= 4 ? v : (v >>> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)) >>> 0;
    }
    if (offset >= 0xfd0 && offset < 0x1000) return ID_REGS[(offset - 0xfd0) >> 2];
    return 0; // reserved, GICD_SGIR (write-only): RAZ
  }

  write(offset: number, size: number, value: number): void {
    const c = this.core;
    const cpu = this.cpu();
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + NR_IRQS) {
      for (let i = 0; i < bytes(size); i++) c.writePriority(cpu, offset - GICD_IPRIORITYR + i, (value >>> (8 * i)) & 0xff);
      return;
    }
    if (offset >= GICD_ITARGETSR && offset < GICD_ITARGETSR + NR_IRQS) {
      for (let i = 0; i < bytes(size); i++) {
        const id = offset - GICD_ITARGETSR + i;
        if (id >= NR_PRIVATE) c.spiTargets[id - NR_PRIVATE] = (value >>> (8 * i)) & ((1 << c.ncpu) - 1);
      }
      c.dirty = true;
      return;
    }
    const r = offset & ~3;
    const n = (r & 0x7f) * 8;
    if (r === GICD_CTLR) { c.distEnable = value & 3; c.dirty = true; return; }
    if (r >= GICD_IGROUPR && r < GICD_IGROUPR + 0x80) { c.writeBits('group', 'store', cpu, n, value); return; }
    if (r >= GICD_ISENABLER && r < GICD_ISENABLER + 0x80) { c.writeBits('enabled', 'set', cpu, n, value); return; }
    if (r >= GICD_ICENABLER && r < GICD_ICENABLER + 0x80) { c.writeBits('enabled', 'clear', cpu, n, value); return; }
    if (r >= GICD_ISPENDR && r < GICD_ISPENDR + 0x80) { c.writeBits('pending', 'set', cpu, n, value); return; }
    if (r >= GICD_ICPENDR && r < GICD_ICPENDR + 0x80) { c.writeBits('pending', 'clear', cpu, n, value); return; }
    if (r >= GICD_ISACTIVER && r < GICD_ISACTIVER + 0x80) { c.writeBits('active', 'set', cpu, n, value); return; }
    if (r >= GICD_ICACTIVER && r < GICD_ICACTIVER + 0x80) { c.writeBits('active', 'clear', cpu, n, value); return; }
    if (r >= GICD_ICFGR && r < GICD_ICFGR + NR_IRQS / 4) { c.writeConfig(cpu, (r - GICD_ICFGR) * 4, value); return; }
    if (r === GICD_SGIR) { this.sgir(cpu, value); return; }
    if (r >= GICD_CPENDSGIR && r < GICD_SPENDSGIR + 0x10) {
      const set = r >= GICD_SPENDSGIR;
      const first = r & 0xc;
      const v = size >= 4 ? value : (value & ((1 << (8 * size)) - 1)) << (8 * (offset & 3));
      const lanes = size >= 4 ? 0xf : ((1 << size) - 1) << (offset & 3);
      for (let i = 0; i < 4; i++) {
        if (!(lanes & (1 << i))) continue;
        const s = c.slot(cpu, first + i);
        const b = (v >>> (8 * i)) & 0xff & ((1 << c.ncpu) - 1);
        c.sgiSources[s] = set ? c.sgiSources[s] | b : c.sgiSources[s] & ~b;
        c.pendLatch[s] = c.sgiSources[s] !== 0 ? 1 : 0;
      }
      c.dirty = true;
    }
  }

  /** GICD_ITARGETSR: SGIs and PPIs read as the accessing CPU's own bit (RAZ on a uniprocessor). */
  private readTarget(cpu: number, id: number): number {
    if (id >= NR_IRQS) return 0;
    if (this.core.ncpu === 1) return 0; // RAZ/WI on a uniprocessor
    if (id < NR_PRIVATE) return 1 << cpu;
    return this.core.spiTargets[id - NR_PRIVATE];
  }

  /** GICD_SGIR (4.3.15): TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]. */
  private sgir(cpu: number, value: number): void {
    const filter = (value >>> 24) & 3;
    const list = (value >>> 16) & 0xff;
    const targets: number[] = [];
    for (let t = 0; t < this.core.ncpu; t++) {
      if (filter === 0 ? (list & (1 << t)) !== 0 : filter === 1 ? t !== cpu : filter === 2 ? t === cpu : false) targets.push(t);
    }
    this.core.sendSgi({ intid: value & 0xf, targets, source: cpu });
  }
}

/** The CPU interface's window (banked: each vCPU reaches its own). */
export class GicV2CpuInterface implements Device {
  readonly name = 'gicv2-cpu';
  readonly size = 0x10000;
  constructor(readonly core: GicCore, private readonly cpu: () => number) {}

  reset(): void {} // reset with the distributor (one core)
  snapshot(): unknown { return null; }
  restore(): void {}

  read(offset: number, _size: number): number {
    const c = this.core;
    const cpu = this.cpu();
    switch (offset & ~3) {
      case GICC_CTLR:
        return (c.grpEn[cpu] | (c.fiqEn[cpu] << 3) | (c.cbpr[cpu] << 4) | (c.eoiMode[cpu] << 9)) >>> 0;
      case GICC_PMR: return c.pmr[cpu];
      case GICC_BPR: return c.bpr0[cpu];
      case GICC_ABPR: return c.bpr1[cpu];
      case GICC_IAR: return c.acknowledge(cpu);
      case GICC_RPR: return c.runningPriority(cpu);
      case GICC_HPPIR: return c.highestPendingId(cpu);
      case GICC_AIAR: return c.acknowledge(cpu, 1);
      case GICC_AHPPIR: return c.highestPendingId(cpu, 1);
      case GICC_APR0: return c.apr0[cpu];
      case GICC_NSAPR0: return c.apr1[cpu];
      case GICC_IIDR: return GICC_IIDR_VALUE;
      default: return 0; // EOIR, AEOIR, DIR are write-only; the rest reserved
    }
  }

  write(offset: number, _size: number, value: number): void {
    const c = this.core;
    const cpu = this.cpu();
    switch (offset & ~3) {
      case GICC_CTLR: {
        const v = value & GICC_CTLR_MASK;
        c.grpEn[cpu] = v & 3;
        c.fiqEn[cpu] = (v >> 3) & 1;
        c.cbpr[cpu] = (v >> 4) & 1;
        c.eoiMode[cpu] = (v >> 9) & 1;
        c.dirty = true;
        return;
      }
      case GICC_PMR: c.pmr[cpu] = value & 0xf8; c.dirty = true; return;
      case GICC_BPR: c.writeBpr(cpu, 0, value); return;
      case GICC_ABPR: c.writeBpr(cpu, 1, value); return;
      case GICC_EOIR: case GICC_AEOIR: c.endOfInterrupt(cpu, value & 0x3ff); return;
      case GICC_DIR: c.deactivate(cpu, value & 0x3ff); return;
      case GICC_APR0: c.apr0[cpu] = value >>> 0; c.dirty = true; return;
      case GICC_NSAPR0: c.apr1[cpu] = value >>> 0; c.dirty = true; return;
      default: return;
    }
  }
}

export { SPURIOUS, NR_SGIS, NR_SPIS };
