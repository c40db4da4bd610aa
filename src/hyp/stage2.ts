// The stage-2 table builder: VMSAv8-64 stage-2 translation tables (4 KiB granule, 40-bit IPA,
// start at level 1 with two concatenated level-1 tables) written into wasm memory, whose output
// addresses are wasm memory addresses. Like KVM's kvm_pgtable_stage2_map/unmap.
//
// Descriptor format (Arm ARM D8.3, stage 2): bit 0 valid, bit 1 table/page (levels 0-2: 1 =
// table, 0 = block; level 3: must be 1), MemAttr [5:2], S2AP [7:6] (bit 6 read, bit 7 write),
// SH [9:8], AF [10], XN [54]. An invalid entry (bit 0 clear) is ignored by the walker in every
// other bit, so those bits belong to software: the MMIO guard keeps its annotations there, as
// KVM does (KVM_INVALID_PTE_MMIO_NOTE), reached through leafDescriptor()/setLeafDescriptor().
import type { Cpu } from '../cpu/cpu.ts';

export const DESC_VALID = 1n;
export const DESC_TABLE = 2n; // also "page" at level 3
export const S2_MEMATTR_NORMAL_WB = 0xfn << 2n; // Normal, Outer and Inner Write-Back Cacheable
export const S2_MEMATTR_DEVICE_nGnRE = 0x1n << 2n;
export const S2AP_R = 1n << 6n;
export const S2AP_W = 1n << 7n;
export const S2_SH_INNER = 3n << 8n;
export const DESC_AF = 1n << 10n;
export const S2_XN = 1n << 54n;
const OA_MASK = 0x0000_ffff_ffff_f000n;

export const IPA_BITS = 40;
export const PAGE_SIZE = 4096;
export const L2_BLOCK = 1 << 21; // 2 MiB
const L1_SPAN = 2 ** 30;
const ROOT_BYTES = 8192; // two concatenated level-1 tables: 1024 entries for 40 bits
// VTCR_EL2: T0SZ = 24 (40-bit IPA), SL0 = 1 (start at level 1), IRGN0/ORGN0 = WBWA, SH0 = Inner,
// TG0 = 4 KiB, PS = 0b010 (40-bit PA). The CPU reads T0SZ and SL0.
export const VTCR_VALUE = 24n | (1n << 6n) | (1n << 8n) | (1n << 10n) | (3n << 12n) | (2n << 16n);

export interface Perms { r: boolean; w: boolean; x: boolean }

/** Leaf attributes (lower and upper) for a mapping with the given permissions. */
export function leafAttrs(p: Perms, device = false): bigint {
  let a = DESC_AF | S2_SH_INNER | (device ? S2_MEMATTR_DEVICE_nGnRE : S2_MEMATTR_NORMAL_WB);
  if (p.r) a |= S2AP_R;
  if (p.w) a |= S2AP_W;
  if (!p.x) a |= S2_XN;
  return a;
}

/** The result of a software walk. */
export interface Walk {
  /** Level of the entry that ended the walk (1, 2 or 3). */
  level: number;
  /** Its raw value. */
  desc: bigint;
  /** Its wasm address. */
  descAddr: number;
  /** Output (wasm) address when the entry maps ipa, else undefined. */
  pa?: number;
  perms?: Perms;
}

const shiftOf = (level: number) => 12 + 9 * (3 - level);

export class Stage2 {
  /** Wasm address of the level-1 table pair (8 KiB, 8 KiB aligned). */
  readonly root: number;
  private free: number[] = [];
  private tables = 0;

  constructor(private readonly cpu: Cpu) {
    this.root = cpu.alloc(ROOT_BYTES); // 64 KiB aligned, hence 8 KiB aligned
    this.cpu.bytes(this.root, ROOT_BYTES).fill(0);
  }

  /** Points the CPU at these tables. */
  install(): void {
    this.cpu.setSysreg('VTCR_EL2', VTCR_VALUE);
    this.cpu.setSysreg('VTTBR_EL2', BigInt(this.root));
  }

  /** Drops every mapping and annotation and returns all table pages to the pool. */
  reset(): void {
    this.cpu.bytes(this.root, ROOT_BYTES).fill(0);
    this.free.push(...this.allocated);
    this.allocated = [];
    this.tables = 0;
    this.cpu.exports.flushTLB();
  }

  /** Number of table pages in use (below the root), for tests and statistics. */
  get tablePages(): number { return this.tables; }

  /**
   * Maps [ipa, ipa + size) to host memory at host. Uses 2 MiB blocks where both addresses are
   * 2 MiB aligned and the range covers the block, else 4 KiB pages.
   */
  map(ipa: number, host: number, size: number, perms: Perms, opts: { device?: boolean; blocks?: boolean } = {}): void {
    checkRange(ipa, size);
    if (host % PAGE_SIZE !== 0) throw new Error(`a64vm: stage-2 map: host address 0x${host.toString(16)} is not page aligned`);
    const attrs = leafAttrs(perms, opts.device);
    const useBlocks = opts.blocks ?? true;
    let off = 0;
    while (off < size) {
      const a = ipa + off;
      const h = host + off;
      if (useBlocks && a % L2_BLOCK === 0 && h % L2_BLOCK === 0 && size - off >= L2_BLOCK) {
        const slot = this.entryAt(a, 2, true);
        this.freeSubtree(this.cpu.u64(slot), 2);
        this.cpu.setU64(slot, BigInt(h) | attrs | DESC_VALID);
        off += L2_BLOCK;
      } else {
        const slot = this.entryAt(a, 3, true);
        this.cpu.setU64(slot, BigInt(h) | attrs | DESC_VALID | DESC_TABLE);
        off += PAGE_SIZE;
      }
    }
    this.cpu.exports.flushTLB();
  }

  /** Removes the mappings of [ipa, ipa + size); entries become 0 (annotations are dropped too). */
  unmap(ipa: number, size: number): void {
    checkRange(ipa, size);
    let off = 0;
    while (off < size) {
      const a = ipa + off;
      const w = this.walk(a);
      if (w.level < 3 && (w.desc & DESC_VALID) === 0n) {
        // Nothing below this entry: skip to the end of the span it covers.
        const span = 2 ** shiftOf(w.level);
        off = Math.min(size, off + (span - (a % span)));
        continue;
      }
      if (w.level === 2 && a % L2_BLOCK === 0 && size - off >= L2_BLOCK) {
        this.cpu.setU64(w.descAddr, 0n);
        off += L2_BLOCK;
        continue;
      }
      const slot = this.entryAt(a, 3, true);
      this.cpu.setU64(slot, 0n);
      off += PAGE_SIZE;
    }
    this.cpu.exports.flushTLB();
  }

  /**
   * The raw level-3 descriptor for ipa's page: the entry itself when a level-3 table covers ipa,
   * the page descriptor a block would split into when a block maps it, or 0n when the walk ends
   * at an invalid entry above level 3 (nothing mapped, nothing annotated).
   */
  leafDescriptor(ipa: number): bigint {
    checkRange(ipa, 1);
    const w = this.walk(ipa);
    if (w.level === 3) return w.desc;
    if ((w.desc & DESC_VALID) === 0n) return 0n;
    const shift = shiftOf(w.level);
    const within = BigInt(ipa % 2 ** shift) & ~0xfffn;
    return ((w.desc & OA_MASK) + within) | (w.desc & ~OA_MASK) | DESC_TABLE;
  }

  /** Writes ipa's level-3 descriptor, creating tables and splitting blocks on the way. */
  setLeafDescriptor(ipa: number, desc: bigint): void {
    checkRange(ipa, 1);
    this.cpu.setU64(this.entryAt(ipa, 3, true), BigInt.asUintN(64, desc));
    this.cpu.exports.flushTLB();
  }

  /**
   * Every non-zero invalid level-3 entry (a software annotation), in IPA order. Blocks and
   * invalid entries above level 3 carry none.
   */
  annotations(): { ipa: number; desc: bigint }[] {
    const out: { ipa: number; desc: bigint }[] = [];
    // Read as 32-bit halves (no BigInt per entry: the fuzzer's hypercall target calls this once
    // per execution). Tables live in wasm memory, below 4 GiB: a table address is its low word.
    const m = new Uint32Array(this.cpu.memory.buffer);
    const table = (lo: number) => (lo & ~0xfff) >>> 2;
    for (let i1 = 0; i1 < ROOT_BYTES / 8; i1++) {
      const d1 = m[(this.root >>> 2) + 2 * i1];
      if ((d1 & 3) !== 3) continue;
      const t2 = table(d1);
      for (let i2 = 0; i2 < 512; i2++) {
        const d2 = m[t2 + 2 * i2];
        if ((d2 & 3) !== 3) continue;
        const t3 = table(d2);
        for (let i3 = 0; i3 < 512; i3++) {
          const lo = m[t3 + 2 * i3], hi = m[t3 + 2 * i3 + 1];
          if ((lo | hi) !== 0 && (lo & 1) === 0) {
            out.push({ ipa: i1 * L1_SPAN + i2 * L2_BLOCK + i3 * PAGE_SIZE, desc: (BigInt(hi) << 32n) | BigInt(lo >>> 0) });
          }
        }
      }
    }
    return out;
  }

  /**
   * Writes an invalid level-3 descriptor (an annotation, or 0 to drop one) without flushing the
   * TLB when the entry it replaces is invalid too: the CPU caches only valid translations. A
   * level-3 table left all zero is returned to the pool (and its level-2 table, if that empties).
   */
  setInvalidLeaf(ipa: number, desc: bigint, opts: { prune?: boolean } = {}): void {
    checkRange(ipa, 1);
    if ((desc & DESC_VALID) !== 0n) throw new Error('a64vm: setInvalidLeaf: the descriptor is valid');
    const w = this.walk(ipa);
    if (desc === 0n && w.level < 3 && (w.desc & DESC_VALID) === 0n) return; // nothing there
    const wasValid = (w.desc & DESC_VALID) !== 0n;
    const slot = this.entryAt(ipa, 3, true);
    this.cpu.setU64(slot, desc);
    if (wasValid) this.cpu.exports.flushTLB();
    if (desc === 0n && (opts.prune ?? true)) this.pruneEmpty(ipa);
  }

  /** Returns every all-zero level-3 table (and level-2 table left empty) to the pool. */
  pruneEmptyTables(): void {
    for (let i1 = 0; i1 < ROOT_BYTES / 8; i1++) {
      const d1 = this.cpu.u64(this.root + i1 * 8);
      if ((d1 & 3n) !== 3n) continue;
      const t2 = Number(d1 & OA_MASK);
      for (let i2 = 0; i2 < 512; i2++) {
        const d2 = this.cpu.u64(t2 + i2 * 8);
        if ((d2 & 3n) === 3n) this.pruneEmpty(i1 * L1_SPAN + i2 * L2_BLOCK);
      }
    }
  }

  /**
   * The low 32 bits of ipa's level-3 descriptor, walked without BigInt (the MMIO guard asks this
   * on every guarded access): bit 0 set when a valid mapping (page or block) covers ipa, 0 when
   * the walk ends at an invalid entry above level 3. Table addresses are wasm addresses (< 4 GiB).
   */
  leafLow32(ipa: number): number {
    if (!(ipa >= 0 && ipa < 2 ** IPA_BITS)) return 0;
    const dv = this.view();
    // Unrolled, with constant divisors: levels 1, 2, 3 index IPA bits [39:30], [29:21], [20:12].
    let lo = dv.getUint32(this.root + Math.floor(ipa / L1_SPAN) * 8, true);
    if ((lo & 3) !== 3) return (lo & 1) === 0 ? 0 : lo; // invalid, or a block
    lo = dv.getUint32(((lo & 0xfffff000) >>> 0) + (Math.floor(ipa / 0x20_0000) % 512) * 8, true);
    if ((lo & 3) !== 3) return (lo & 1) === 0 ? 0 : lo;
    return dv.getUint32(((lo & 0xfffff000) >>> 0) + (Math.floor(ipa / 0x1000) % 512) * 8, true);
  }

  private buf?: ArrayBuffer;
  private dv?: DataView;
  /** A view of wasm memory, renewed when growth detached the old buffer (byteLength 0). */
  private view(): DataView {
    if (!this.buf || this.buf.byteLength === 0) {
      this.buf = this.cpu.memory.buffer;
      this.dv = new DataView(this.buf);
    }
    return this.dv!;
  }

  /** A software walk of ipa, the way the CPU's stage-2 walker reads the tables. */
  walk(ipa: number): Walk {
    let table = this.root;
    for (let level = 1; ; level++) {
      const shift = shiftOf(level);
      const idx = level === 1 ? Math.floor(ipa / L1_SPAN) : Math.floor(ipa / 2 ** shift) % 512;
      const descAddr = table + idx * 8;
      const desc = this.cpu.u64(descAddr);
      if ((desc & DESC_VALID) === 0n) return { level, desc, descAddr };
      const isTable = (desc & DESC_TABLE) !== 0n;
      if (level < 3 && isTable) { table = Number(desc & OA_MASK); continue; }
      if (level === 3 && !isTable) return { level, desc, descAddr }; // reserved: faults
      const span = 2 ** shift;
      const pa = Number(desc & OA_MASK & ~BigInt(span - 1)) + (ipa % span);
      const perms = { r: (desc & S2AP_R) !== 0n, w: (desc & S2AP_W) !== 0n, x: (desc & S2_XN) === 0n };
      if ((desc & DESC_AF) === 0n) return { level, desc, descAddr, perms };
      return { level, desc, descAddr, pa, perms };
    }
  }

  // ---- internals ----

  private allocated: number[] = [];

  private newTable(): number {
    if (this.free.length === 0) {
      const chunk = this.cpu.alloc(16 * PAGE_SIZE);
      for (let i = 15; i >= 0; i--) this.free.push(chunk + i * PAGE_SIZE);
    }
    const t = this.free.pop()!;
    this.cpu.bytes(t, PAGE_SIZE).fill(0);
    this.allocated.push(t);
    this.tables++;
    return t;
  }

  private releaseTable(t: number): void {
    const i = this.allocated.indexOf(t);
    if (i >= 0) this.allocated.splice(i, 1);
    this.free.push(t);
    this.tables--;
  }

  /** Frees the level-3 (then level-2) table covering ipa when every entry in it is zero. */
  private pruneEmpty(ipa: number): void {
    for (let level = 2; level >= 1; level--) {
      const slot = this.entryAt(ipa, level, false);
      const desc = this.cpu.u64(slot);
      if ((desc & 3n) !== 3n) return;
      const t = Number(desc & OA_MASK);
      for (let i = 0; i < 512; i++) if (this.cpu.u64(t + i * 8) !== 0n) return;
      this.cpu.setU64(slot, 0n);
      this.releaseTable(t);
    }
  }

  /** Returns table pages below a table descriptor at `level` to the pool. */
  private freeSubtree(desc: bigint, level: number): void {
    if ((desc & 3n) !== 3n || level >= 3) return;
    const t = Number(desc & OA_MASK);
    if (level + 1 < 3) for (let i = 0; i < 512; i++) this.freeSubtree(this.cpu.u64(t + i * 8), level + 1);
    this.releaseTable(t);
  }

  /**
   * Wasm address of the entry for ipa at `level`, creating next-level tables (and splitting
   * blocks into equivalent smaller mappings) on the way when create is set.
   */
  private entryAt(ipa: number, level: number, create: boolean): number {
    let table = this.root;
    for (let l = 1; ; l++) {
      const shift = shiftOf(l);
      const idx = l === 1 ? Math.floor(ipa / L1_SPAN) : Math.floor(ipa / 2 ** shift) % 512;
      const slot = table + idx * 8;
      if (l === level) return slot;
      const desc = this.cpu.u64(slot);
      if ((desc & 3n) === 3n) { table = Number(desc & OA_MASK); continue; }
      if (!create) throw new Error('a64vm: stage-2 table missing');
      const next = this.newTable();
      if ((desc & DESC_VALID) !== 0n) {
        // A block: split it into 512 entries of the next level with the same attributes.
        const child = shiftOf(l + 1);
        const bit1 = l + 1 === 3 ? DESC_TABLE : 0n;
        const base = desc & OA_MASK;
        const attrs = desc & ~OA_MASK & ~3n;
        for (let i = 0; i < 512; i++) {
          this.cpu.setU64(next + i * 8, (base + (BigInt(i) << BigInt(child))) | attrs | DESC_VALID | bit1);
        }
      }
      this.cpu.setU64(slot, BigInt(next) | DESC_VALID | DESC_TABLE);
      table = next;
    }
  }
}

function checkRange(ipa: number, size: number): void {
  if (ipa % PAGE_SIZE !== 0 && size !== 1) throw new Error(`a64vm: stage-2: IPA 0x${ipa.toString(16)} is not page aligned`);
  if (size !== 1 && size % PAGE_SIZE !== 0) throw new Error(`a64vm: stage-2: size 0x${size.toString(16)} is not a page multiple`);
  if (ipa < 0 || ipa + size > 2 ** IPA_BITS) throw new Error(`a64vm: stage-2: IPA 0x${ipa.toString(16)} is outside the ${IPA_BITS}-bit IPA space`);
}
