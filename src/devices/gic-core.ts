// The interrupt state a GICv2 and a GICv3 share (Arm IHI 0048B, the GICv2 architecture
// specification, and Arm IHI 0069, the GICv3/v4 one): per-interrupt enable, pending, active,
// group, priority and trigger state; per-CPU interface state (priority mask, binary points, the
// active priorities, group enables, EOI mode); and the two algorithms that matter, choosing the
// highest-priority pending interrupt a CPU interface may signal, and acknowledge / priority drop
// / deactivation. gic-v2.ts and gic-v3.ts put their register maps on top of it.
//
// The model is the GIC a guest sees under KVM (vgic): one security state (no Security
// Extensions for v2, GICD_CTLR.DS = 1 for v3), 5 bits of priority (KVM's VGIC_PRI_BITS, so
// priority fields read back as value & 0xF8), 256 SPIs as QEMU's virt board has. INTIDs 0-15 are
// SGIs (edge), 16-31 PPIs (level), both banked per CPU; 32-287 SPIs.

export const NR_SGIS = 16;
export const NR_PRIVATE = 32;
export const NR_SPIS = 256;
export const NR_IRQS = NR_PRIVATE + NR_SPIS;
/** INTID returned when no interrupt can be acknowledged. */
export const SPURIOUS = 1023;
/** Implemented priority bits: 5 (priority values are multiples of 8). */
export const PRI_BITS = 5;
export const PRI_MASK = (0xff << (8 - PRI_BITS)) & 0xff;
/** The smallest binary points with 5 priority bits: group 0 (BPR0) and group 1 (BPR1). */
export const BPR0_MIN = 7 - PRI_BITS;
export const BPR1_MIN = BPR0_MIN + 1;
/** Running priority of an idle CPU interface. */
export const IDLE_PRIORITY = 0xff;
/** GICD_IIDR / GICR_IIDR / GICC_IIDR: KVM's vgic (ProductID 0x4B, Revision 3, implementer Arm 0x43B). */
export const IIDR_KVM = 0x4b00_343b;

export interface IrqLines { irq: boolean; fiq: boolean }

/** The fields of an ICC_SGI1R_EL1 / GICD_SGIR request, resolved to target CPU indexes. */
export interface SgiRequest { intid: number; targets: number[]; source: number }

export class GicCore {
  /** GICD_CTLR group enables: bit 0 group 0, bit 1 group 1. */
  distEnable = 0;
  // Per-interrupt state, indexed by slot(cpu, intid): private interrupts are banked per CPU.
  readonly enabled: Uint8Array;
  readonly pendLatch: Uint8Array;
  readonly level: Uint8Array;
  readonly active: Uint8Array;
  readonly priority: Uint8Array;
  readonly group: Uint8Array;
  readonly edge: Uint8Array;
  readonly grpmod: Uint8Array;
  /** v2 SGIs: the source CPUs each pending SGI came from, a bit per CPU (slot(cpu, sgi)). */
  readonly sgiSources: Uint8Array;
  /** v2 GICD_ITARGETSR of each SPI (bit n = CPU n), indexed by INTID - 32. */
  readonly spiTargets: Uint8Array;
  /** v3 GICD_IROUTER of each SPI as a number: Aff3 [39:32], IRM [31], Aff2..Aff0 [23:0]. */
  readonly spiRoute: Float64Array;
  // CPU interface state, indexed by CPU.
  readonly grpEn: Uint8Array; // bit 0 group 0, bit 1 group 1 (GICC_CTLR.EnableGrp0/1, ICC_IGRPEN0/1)
  readonly pmr: Uint8Array;
  readonly bpr0: Uint8Array;
  readonly bpr1: Uint8Array;
  readonly apr0: Uint32Array;
  readonly apr1: Uint32Array;
  readonly eoiMode: Uint8Array;
  readonly cbpr: Uint8Array;
  /** Group 0 interrupts are signalled as FIQ (GICC_CTLR.FIQEn; always on a GICv3 CPU interface). */
  readonly fiqEn: Uint8Array;
  /** Set by every state change; the host re-evaluates the CPU lines when it finds it set. */
  dirty = true;

  constructor(readonly ncpu: number, readonly v3: boolean) {
    const n = ncpu * NR_PRIVATE + NR_SPIS;
    this.enabled = new Uint8Array(n);
    this.pendLatch = new Uint8Array(n);
    this.level = new Uint8Array(n);
    this.active = new Uint8Array(n);
    this.priority = new Uint8Array(n);
    this.group = new Uint8Array(n);
    this.edge = new Uint8Array(n);
    this.grpmod = new Uint8Array(n);
    this.sgiSources = new Uint8Array(n);
    this.spiTargets = new Uint8Array(NR_SPIS);
    this.spiRoute = new Float64Array(NR_SPIS);
    this.grpEn = new Uint8Array(ncpu);
    this.pmr = new Uint8Array(ncpu);
    this.bpr0 = new Uint8Array(ncpu);
    this.bpr1 = new Uint8Array(ncpu);
    this.apr0 = new Uint32Array(ncpu);
    this.apr1 = new Uint32Array(ncpu);
    this.eoiMode = new Uint8Array(ncpu);
    this.cbpr = new Uint8Array(ncpu);
    this.fiqEn = new Uint8Array(ncpu);
    this.reset();
  }

  reset(): void {
    this.distEnable = 0;
    for (const a of [this.enabled, this.pendLatch, this.active, this.priority, this.edge, this.grpmod, this.sgiSources, this.spiTargets]) a.fill(0);
    // Input levels are the devices' business: a reset does not lower a line that is high.
    // KVM's reset groups: 1 for a GICv3 guest, 0 for a GICv2 one (vgic-init.c).
    this.group.fill(this.v3 ? 1 : 0);
    this.spiRoute.fill(0);
    for (let c = 0; c < this.ncpu; c++) {
      for (let i = 0; i < NR_SGIS; i++) {
        this.enabled[c * NR_PRIVATE + i] = 1; // SGIs come out of reset enabled (KVM), edge-triggered
        this.edge[c * NR_PRIVATE + i] = 1;
      }
    }
    this.grpEn.fill(0);
    this.pmr.fill(0);
    this.bpr0.fill(BPR0_MIN);
    this.bpr1.fill(BPR1_MIN);
    this.apr0.fill(0);
    this.apr1.fill(0);
    this.eoiMode.fill(0);
    this.cbpr.fill(0);
    this.fiqEn.fill(this.v3 ? 1 : 0);
    this.dirty = true;
  }

  /** Index of an interrupt's state: private ones in the CPU's bank, SPIs after all banks. */
  slot(cpu: number, intid: number): number {
    return intid < NR_PRIVATE ? cpu * NR_PRIVATE + intid : this.ncpu * NR_PRIVATE + intid - NR_PRIVATE;
  }

  isPending(s: number): boolean { return this.pendLatch[s] !== 0 || (this.edge[s] === 0 && this.level[s] !== 0); }

  // ---- inputs ----

  /** Drives the input line of a PPI (cpu's bank) or an SPI (cpu ignored). */
  setLevel(cpu: number, intid: number, high: boolean): void {
    const s = this.slot(cpu, intid);
    const v = high ? 1 : 0;
    if (this.level[s] === v) return;
    this.level[s] = v;
    if (high && this.edge[s]) this.pendLatch[s] = 1; // a rising edge latches an edge-triggered interrupt
    this.dirty = true;
  }

  /** Makes an SGI pending on each target, from source (a GICD_SGIR or ICC_SGI1R_EL1 write). */
  sendSgi(req: SgiRequest): void {
    for (const t of req.targets) {
      const s = this.slot(t, req.intid);
      if (this.v3) this.pendLatch[s] = 1;
      else { this.sgiSources[s] |= 1 << req.source; this.pendLatch[s] = 1; }
    }
    this.dirty = true;
  }

  // ---- routing and selection ----

  /** Whether the interrupt at slot s (INTID intid) is delivered to cpu's interface. */
  targets(cpu: number, intid: number): boolean {
    if (intid < NR_PRIVATE) return true; // the caller looks in cpu's own bank
    const i = intid - NR_PRIVATE;
    if (this.v3) {
      // IRM = 1: any participating PE (here: every one; the first to acknowledge takes it).
      const r = this.spiRoute[i];
      return Math.floor(r / 0x8000_0000) % 2 === 1 || r === cpu; // vCPU n is affinity 0.0.0.n
    }
    // A uniprocessor GICv2 sends every SPI to its one CPU (ITARGETSR is RAZ/WI, IHI 0048B 4.3.12).
    return this.ncpu === 1 || (this.spiTargets[i] & (1 << cpu)) !== 0;
  }

  /** Group priority of a priority value for cpu's binary point (GICv3 4.8.5, GICv2 3.3.3). */
  groupPriority(cpu: number, grp: number, prio: number): number {
    const bp = grp === 0 || this.cbpr[cpu] ? this.bpr0[cpu] + 1 : this.bpr1[cpu];
    return prio & ((0xff << bp) & 0xff);
  }

  runningPriority(cpu: number): number {
    const a = this.apr0[cpu] | this.apr1[cpu];
    if (a === 0) return IDLE_PRIORITY;
    return (31 - Math.clz32(a & -a)) << (8 - PRI_BITS);
  }

  /**
   * The highest-priority pending interrupt that is enabled, in an enabled group (distributor
   * and CPU interface), not active, and delivered to cpu; ties go to the lowest INTID. -1: none.
   */
  highestPending(cpu: number): number {
    let best = -1;
    let bestPrio = 0x100;
    const en = this.distEnable & this.grpEn[cpu];
    if (en === 0) return -1;
    const base = cpu * NR_PRIVATE;
    for (let id = 0; id < NR_PRIVATE; id++) {
      const s = base + id;
      if (this.enabled[s] && !this.active[s] && this.isPending(s) && (en & (1 << this.group[s])) && this.priority[s] < bestPrio) {
        best = id; bestPrio = this.priority[s];
      }
    }
    const sb = this.ncpu * NR_PRIVATE;
    for (let i = 0; i < NR_SPIS; i++) {
      const s = sb + i;
      if (this.enabled[s] && !this.active[s] && this.isPending(s) && (en & (1 << this.group[s])) && this.priority[s] < bestPrio
        && this.targets(cpu, i + NR_PRIVATE)) {
        best = i + NR_PRIVATE; bestPrio = this.priority[s];
      }
    }
    return best;
  }

  /** Whether interrupt intid, pending for cpu, passes the priority mask and can preempt. */
  canSignal(cpu: number, intid: number): boolean {
    const s = this.slot(cpu, intid);
    const p = this.priority[s];
    return p < this.pmr[cpu] && this.groupPriority(cpu, this.group[s], p) < this.runningPriority(cpu);
  }

  /** The CPU interface's outputs: an IRQ or FIQ is asserted while an interrupt can be signalled. */
  lines(cpu: number): IrqLines {
    const id = this.highestPending(cpu);
    if (id < 0 || !this.canSignal(cpu, id)) return { irq: false, fiq: false };
    const fiq = this.group[this.slot(cpu, id)] === 0 && this.fiqEn[cpu] !== 0;
    return { irq: !fiq, fiq };
  }

  // ---- acknowledge, priority drop, deactivation ----

  /**
   * Acknowledges the interrupt cpu would be signalled (GICC_IAR, ICC_IAR0/1_EL1): it becomes
   * active, its pending state clears (an SGI from several sources stays pending for the others),
   * and its group priority becomes the running priority. grp restricts to one group (v3).
   * Returns the INTID (v2 SGIs: with the source CPU in bits [12:10]), or SPURIOUS.
   */
  acknowledge(cpu: number, grp?: number): number {
    const id = this.highestPending(cpu);
    if (id < 0 || !this.canSignal(cpu, id)) return SPURIOUS;
    const s = this.slot(cpu, id);
    const g = this.group[s];
    if (grp !== undefined && g !== grp) return SPURIOUS;
    let ret = id;
    if (!this.v3 && id < NR_SGIS) {
      const src = this.sgiSources[s];
      const low = 31 - Math.clz32(src & -src);
      this.sgiSources[s] = src & ~(1 << low);
      if (this.sgiSources[s] === 0) this.pendLatch[s] = 0;
      ret = id | ((low & 7) << 10);
    } else {
      this.pendLatch[s] = 0; // a level interrupt stays pending while its line is high
    }
    this.active[s] = 1;
    const bit = 1 << (this.groupPriority(cpu, g, this.priority[s]) >> (8 - PRI_BITS));
    if (g === 0) this.apr0[cpu] |= bit; else this.apr1[cpu] |= bit;
    this.dirty = true;
    return ret;
  }

  /** INTID of the highest-priority pending interrupt (GICC_HPPIR, ICC_HPPIRn_EL1), or SPURIOUS. */
  highestPendingId(cpu: number, grp?: number): number {
    const id = this.highestPending(cpu);
    if (id < 0) return SPURIOUS;
    const s = this.slot(cpu, id);
    if (grp !== undefined && this.group[s] !== grp) return SPURIOUS;
    if (!this.v3 && id < NR_SGIS) {
      const src = this.sgiSources[s];
      return id | (((31 - Math.clz32(src & -src)) & 7) << 10);
    }
    return id;
  }

  /**
   * End of interrupt (GICC_EOIR, ICC_EOIRn_EL1): drops the running priority (clears the
   * highest active priority bit) and, with EOImode 0, deactivates intid.
   */
  endOfInterrupt(cpu: number, intid: number): void {
    const a = this.apr0[cpu] | this.apr1[cpu];
    if (a === 0) return; // nothing active: the write is ignored
    const bit = a & -a;
    if (this.apr0[cpu] & bit) this.apr0[cpu] &= ~bit; else this.apr1[cpu] &= ~bit;
    if (this.eoiMode[cpu] === 0) this.deactivate(cpu, intid);
    this.dirty = true;
  }

  /** Deactivates intid as cpu sees it (GICC_DIR, ICC_DIR_EL1, EOI with EOImode 0). */
  deactivate(cpu: number, intid: number): void {
    if (intid >= NR_IRQS) return; // special INTIDs 1020-1023, and nothing beyond the SPIs
    this.active[this.slot(cpu, intid)] = 0;
    this.dirty = true;
  }

  // ---- register helpers shared by both distributors ----

  /** A 32-bit bitmap register (IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER, IGRPMODR) for INTIDs first..first+31. */
  readBits(arr: 'group' | 'enabled' | 'pending' | 'active' | 'grpmod', cpu: number, first: number): number {
    let v = 0;
    for (let i = 0; i < 32; i++) {
      const id = first + i;
      if (id >= NR_IRQS) break;
      const s = this.slot(cpu, id);
      const bit = arr === 'pending' ? this.isPending(s) : this[arr][s] !== 0;
      if (bit) v |= 1 << i;
    }
    return v >>> 0;
  }

  /** Applies a write to a bitmap register: set (1 bits set), clear (1 bits clear) or store. */
  writeBits(arr: 'group' | 'enabled' | 'pending' | 'active' | 'grpmod', op: 'set' | 'clear' | 'store', cpu: number, first: number, value: number): void {
    for (let i = 0; i < 32; i++) {
      const id = first + i;
      if (id >= NR_IRQS) break;
      const bit = (value >>> i) & 1;
      if (op !== 'store' && !bit) continue;
      const s = this.slot(cpu, id);
      const nv = op === 'set' ? 1 : op === 'clear' ? 0 : bit;
      if (arr === 'pending') {
        if (!this.v3 && id < NR_SGIS) continue; // v2: SGI pending state goes through GICD_S/CPENDSGIR
        this.pendLatch[s] = nv;
        if (nv === 0) this.sgiSources[s] = 0;
      } else {
        this[arr][s] = nv;
      }
    }
    this.dirty = true;
  }

  readPriority(cpu: number, intid: number): number { return intid < NR_IRQS ? this.priority[this.slot(cpu, intid)] : 0; }
  writePriority(cpu: number, intid: number, v: number): void {
    if (intid >= NR_IRQS) return;
    this.priority[this.slot(cpu, intid)] = v & PRI_MASK;
    this.dirty = true;
  }

  /** GICD_ICFGR / GICR_ICFGR: 2 bits per interrupt for INTIDs first..first+15 (bit 1: edge). */
  readConfig(cpu: number, first: number): number {
    let v = 0;
    for (let i = 0; i < 16; i++) {
      const id = first + i;
      if (id >= NR_IRQS) break;
      if (this.edge[this.slot(cpu, id)]) v |= 2 << (2 * i);
    }
    return v >>> 0;
  }

  /** SGI and PPI trigger modes are fixed (edge and level, as KVM); SPIs take bit 1 of each field. */
  writeConfig(cpu: number, first: number, value: number): void {
    for (let i = 0; i < 16; i++) {
      const id = first + i;
      if (id < NR_PRIVATE || id >= NR_IRQS) continue;
      const s = this.slot(cpu, id);
      const e = (value >>> (2 * i + 1)) & 1;
      if (e && !this.edge[s] && this.level[s]) this.pendLatch[s] = 0; // a level no longer counts
      this.edge[s] = e;
    }
    this.dirty = true;
  }

  /** Binary point writes below the minimum read back as the minimum. */
  writeBpr(cpu: number, grp: number, v: number): void {
    const min = grp === 0 ? BPR0_MIN : BPR1_MIN;
    const b = Math.max(v & 7, min);
    if (grp === 0) this.bpr0[cpu] = b; else this.bpr1[cpu] = b;
    this.dirty = true;
  }

  /** The plain-data state, for snapshots. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = { distEnable: this.distEnable };
    for (const k of GicCore.ARRAYS) out[k] = Array.from(this[k]);
    return out;
  }

  restore(state: unknown): void {
    const st = state as Record<string, number[] | number>;
    this.distEnable = st.distEnable as number;
    for (const k of GicCore.ARRAYS) (this[k] as { set(a: ArrayLike<number>): void }).set(st[k] as number[]);
    this.dirty = true;
  }

  private static readonly ARRAYS = [
    'enabled', 'pendLatch', 'level', 'active', 'priority', 'group', 'edge', 'grpmod', 'sgiSources', 'spiTargets',
    'spiRoute', 'grpEn', 'pmr', 'bpr0', 'bpr1', 'apr0', 'apr1', 'eoiMode', 'cbpr', 'fiqEn',
  ] as const;
}

/** A GIC as the board sees it: an interrupt controller with input lines and per-CPU outputs. */
export interface Gic {
  readonly core: GicCore;
  readonly version: 2 | 3;
}
