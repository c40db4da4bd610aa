// A small rig for the branch / exception / system-register / MMU / robustness suites: one vCPU,
// 16 MiB of RAM behind an identity stage 2 (IPA x -> RAM + x), a vector table whose 16 entries
// are `hvc #(0xE000 + n)` so that taking an exception stops run() with exit 'hvc' and tells which
// vector was entered, and a stage-1 table builder for the EL1&0 regime.
//
// Guest physical (IPA) map:
//   0x0001_0000  VBAR_EL1: the vector table (16 x 0x80)
//   0x0002_0000  code (tests write their words here)
//   0x0008_0000  initial stacks (SP_EL0 = 0x7_0000, SP_EL1 = 0x8_0000)
//   0x0010_0000  stage-1 translation table pool (1 MiB)
//   0x0020_0000  data pages
//   0x0100_0000  first IPA with no stage-2 mapping (stage-2 level-2 entry 8 is invalid)
import { Cpu, layout as L, type Exit, type SysReg } from '../../src/cpu/cpu.ts';

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const RAM_SIZE = 16 * MiB;
export const VBAR = 0x10000n;
export const CODE = 0x20000n;
export const SP_EL0_INIT = 0x70000n;
export const SP_EL1_INIT = 0x80000n;
export const POOL = 0x100000n;
export const POOL_END = 0x200000n;
export const DATA = 0x200000n;
export const UNMAPPED_IPA = 0x1000000n;

/** The vector table: entry n (offset 0x80 * n) holds `hvc #(0xE000 + n)` (llvm-mc). */
export const VECTOR_WORDS = [
  0xd41c0002, // hvc #0xe000   0x000 current EL, SP_EL0: synchronous
  0xd41c0022, // hvc #0xe001   0x080                     IRQ
  0xd41c0042, // hvc #0xe002   0x100                     FIQ
  0xd41c0062, // hvc #0xe003   0x180                     SError
  0xd41c0082, // hvc #0xe004   0x200 current EL, SP_ELx: synchronous
  0xd41c00a2, // hvc #0xe005   0x280                     IRQ
  0xd41c00c2, // hvc #0xe006   0x300                     FIQ
  0xd41c00e2, // hvc #0xe007   0x380                     SError
  0xd41c0102, // hvc #0xe008   0x400 lower EL, AArch64:  synchronous
  0xd41c0122, // hvc #0xe009   0x480                     IRQ
  0xd41c0142, // hvc #0xe00a   0x500                     FIQ
  0xd41c0162, // hvc #0xe00b   0x580                     SError
  0xd41c0182, // hvc #0xe00c   0x600 lower EL, AArch32
  0xd41c01a2, // hvc #0xe00d
  0xd41c01c2, // hvc #0xe00e
  0xd41c01e2, // hvc #0xe00f
];

/** ESR_ELx fields. */
export const IL = 1n << 25n;
export const esr = (ec: number, iss = 0n): bigint => (BigInt(ec) << 26n) | IL | iss;

export const hex = (v: bigint | number): string =>
  '0x' + (typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v >>> 0)).toString(16);

export interface RunResult extends Exit {
  pc: bigint;
  /** Vector offset (0x000..0x780) when the run stopped at an entry of the vector table. */
  vector?: number;
}

/** Vector offset of a synchronous exception taken to EL1 from (el, spsel). */
export function syncVector(el: number, spsel: number): number {
  return el === 0 ? 0x400 : spsel ? 0x200 : 0x000;
}

export class SysRig {
  readonly cpu = new Cpu();
  /** wasm address of IPA 0. */
  readonly ram: number;
  private readonly s2: number;
  private poolNext = POOL;

  constructor() {
    const c = this.cpu;
    this.s2 = c.alloc(64 * KiB);
    const raw = c.alloc(RAM_SIZE + 2 * MiB);
    this.ram = Math.ceil(raw / (2 * MiB)) * (2 * MiB); // 2 MiB blocks need a 2 MiB aligned base
    this.reset();
  }

  /**
   * Back to a known state: every register zero (init()), stage 2 and the vector table installed,
   * EL1h, DAIF all masked, MMU off, the first 4 MiB of RAM cleared.
   */
  reset(): void {
    const c = this.cpu;
    c.exports.init();
    c.bytes(this.ram, 4 * MiB).fill(0);
    // Stage 2: VTCR_EL2.T0SZ = 32 (4 GiB IPA space), SL0 = 1 (start at level 1, 4 entries).
    // Level-1 entry 0 -> a level-2 table whose entries 0..7 are 2 MiB blocks over the RAM
    // (valid block, S2AP = read/write, AF); everything else is invalid.
    c.bytes(this.s2, 0x2000).fill(0);
    const l1 = this.s2;
    const l2 = this.s2 + 0x1000;
    c.setU64(l1, BigInt(l2) | 3n);
    for (let i = 0; i < RAM_SIZE / (2 * MiB); i++) {
      c.setU64(l2 + 8 * i, BigInt(this.ram + i * 2 * MiB) | 1n | (3n << 6n) | (1n << 10n));
    }
    c.setSysreg('VTCR_EL2', 32n | (1n << 6n));
    c.setSysreg('VTTBR_EL2', BigInt(l1));
    this.code(VECTOR_WORDS.flatMap((w) => [w, ...new Array(31).fill(0)]), VBAR);
    c.setSysreg('VBAR_EL1', VBAR);
    c.setPstateMode(1, 1);
    c.setSysreg('SP_EL0', SP_EL0_INIT);
    c.sp = SP_EL1_INIT;
    c.daif = 0x3c0;
    c.pc = CODE;
    this.poolNext = POOL;
  }

  /** wasm address of an IPA inside RAM. */
  addr(ipa: bigint): number {
    if (ipa < 0n || ipa >= BigInt(RAM_SIZE)) throw new Error(`IPA ${hex(ipa)} outside the RAM`);
    return this.ram + Number(ipa);
  }
  w8(ipa: bigint, v: number): void { this.cpu.bytes(this.addr(ipa), 1)[0] = v; }
  r8(ipa: bigint): number { return this.cpu.bytes(this.addr(ipa), 1)[0]; }
  w32(ipa: bigint, v: number): void { this.cpu.setU32(this.addr(ipa), v); }
  r32(ipa: bigint): number { return this.cpu.u32(this.addr(ipa)); }
  w64(ipa: bigint, v: bigint): void { this.cpu.setU64(this.addr(ipa), v); }
  r64(ipa: bigint): bigint { return this.cpu.u64(this.addr(ipa)); }

  /** Writes instruction words at an IPA (default: CODE). */
  code(words: number[], at: bigint = CODE): void {
    words.forEach((w, i) => this.w32(at + 4n * BigInt(i), w));
  }

  /** Sets EL/SPSel (banking SP as the architecture does) and PC. */
  enter(el: number, spsel: number, pc: bigint = CODE): void {
    this.cpu.setPstateMode(el, spsel);
    this.cpu.pc = pc;
  }

  run(budget = 1000): RunResult {
    // A 'timer' exit only tells the host to re-plan timer deadlines: run on to the budget.
    const start = this.cpu.icount;
    let e = this.cpu.run(BigInt(budget));
    while (e.reason === 'timer' && this.cpu.icount - start < BigInt(budget)) {
      e = this.cpu.run(BigInt(budget) - (this.cpu.icount - start));
    }
    const r: RunResult = { ...e, pc: this.cpu.pc };
    const imm = Number(e.esr & 0xffffn);
    if (e.reason === 'hvc' && imm >= 0xe000 && imm <= 0xe00f && (e.esr >> 26n) === 0x16n) {
      r.vector = (imm - 0xe000) * 0x80;
    }
    return r;
  }

  sys(name: SysReg): bigint { return this.cpu.sysreg(name); }
  setSys(name: SysReg, v: bigint): void { this.cpu.setSysreg(name, v); }

  /** A zeroed, size-aligned block from the translation-table pool; returns its IPA. */
  allocTable(size: number): bigint {
    const sz = BigInt(size);
    const at = (this.poolNext + sz - 1n) & ~(sz - 1n);
    if (at + sz > POOL_END) throw new Error('table pool exhausted');
    this.poolNext = at + sz;
    this.cpu.bytes(this.addr(at), size).fill(0);
    return at;
  }
}

// ---- Stage-1 descriptors (VMSAv8-64, Arm ARM D8.3) ----
export const D_VALID = 1n;
export const D_TABLE = 3n; // table (levels 0-2) or page (level 3)
export const D_BLOCK = 1n;
export const ATTR = (i: number): bigint => BigInt(i) << 2n; // AttrIndx[2:0]
export const AP_EL1_RW = 0n << 6n; // AP[2:1] = 00: EL1 RW, EL0 none
export const AP_ALL_RW = 1n << 6n; // 01: EL1 RW, EL0 RW
export const AP_EL1_RO = 2n << 6n; // 10: EL1 RO, EL0 none
export const AP_ALL_RO = 3n << 6n; // 11: EL1 RO, EL0 RO
export const SH_IS = 3n << 8n;
export const AF = 1n << 10n;
export const NG = 1n << 11n;
export const PXN = 1n << 53n;
export const UXN = 1n << 54n;
export const PXN_TABLE = 1n << 59n;
export const UXN_TABLE = 1n << 60n;
export const AP_TABLE = (v: number): bigint => BigInt(v) << 61n;

/** MAIR_EL1: Attr0 Normal WB (0xff), Attr1 Device-nGnRnE (0x00), Attr2 Device-nGnRE (0x04), Attr3 Normal NC (0x44). */
export const MAIR = 0x440400ffn;
export const NORMAL = ATTR(0);
export const DEVICE = ATTR(1);
export const DEVICE_NGNRE = ATTR(2);
export const NORMAL_NC = ATTR(3);
/** A normal read/write EL1 page: valid, AF, inner shareable, Normal WB. */
export const RW_EL1 = AF | SH_IS | NORMAL | AP_EL1_RW;

/** SCTLR_EL1 with its Armv8.0 RES1 bits (29, 28, 23, 22, 20, 11), M = 1, C = 1, I = 1. */
export const SCTLR_MMU = 0x30d00800n | 1n | (1n << 2n) | (1n << 12n);
export const SCTLR_RES1 = 0x30d00800n;

/** TCR_EL1 fields. */
export const TCR = {
  T0SZ: (n: number) => BigInt(n),
  EPD0: 1n << 7n,
  TG0_4K: 0n << 14n, TG0_64K: 1n << 14n, TG0_16K: 2n << 14n,
  T1SZ: (n: number) => BigInt(n) << 16n,
  EPD1: 1n << 23n,
  TG1_16K: 1n << 30n, TG1_4K: 2n << 30n, TG1_64K: 3n << 30n,
  IPS_32: 0n << 32n, IPS_40: 2n << 32n,
  TBI0: 1n << 37n, TBI1: 1n << 38n,
  /** Cacheable inner shareable walks for TTBR0 (IRGN0 = ORGN0 = WBWA, SH0 = IS). */
  WALK0: (1n << 8n) | (1n << 10n) | (3n << 12n),
};

/**
 * A stage-1 translation table tree for one TTBR. Levels and index fields are given by the
 * granule (gbits = 12, 14, 16) and the input size (64 - TxSZ); the start level is passed in by
 * the test (worked out by hand there) and checked against the Arm ARM's rule.
 */
export class S1Tables {
  readonly root: bigint;
  constructor(readonly rig: SysRig, readonly gbits: number, readonly inBits: number, readonly startLevel: number) {
    const stride = gbits - 3;
    const levels = Math.ceil((inBits - gbits) / stride);
    if (4 - levels !== startLevel) throw new Error(`start level ${startLevel} disagrees with the granule rule (${4 - levels})`);
    this.root = rig.allocTable(1 << gbits);
  }

  /** [lo, hi] bits of the VA that index the table at `level`. */
  private field(level: number): [number, number] {
    const stride = this.gbits - 3;
    const lo = this.gbits + stride * (3 - level);
    const hi = Math.min(lo + stride, this.inBits) - 1;
    return [lo, hi];
  }
  index(va: bigint, level: number): bigint {
    const [lo, hi] = this.field(level);
    return (va >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
  }

  /** IPA of the descriptor for va at `level`, creating tables above it as needed. */
  entry(va: bigint, level: number, create = true): bigint {
    let table = this.root;
    for (let l = this.startLevel; l < level; l++) {
      const ea = table + 8n * this.index(va, l);
      let d = this.rig.r64(ea);
      if ((d & 3n) !== 3n) {
        if (!create) throw new Error(`no table at level ${l} for ${hex(va)}`);
        const t = this.rig.allocTable(1 << this.gbits);
        d = t | D_TABLE;
        this.rig.w64(ea, d);
      }
      table = d & 0x0000fffffffff000n & ~((1n << BigInt(this.gbits)) - 1n);
    }
    return table + 8n * this.index(va, level);
  }

  /** Maps va -> oa with a page (level 3) or block (level < 3) descriptor carrying attrs. */
  map(va: bigint, oa: bigint, attrs: bigint, level = 3): bigint {
    const ea = this.entry(va, level);
    this.rig.w64(ea, oa | attrs | (level === 3 ? D_TABLE : D_BLOCK));
    return ea;
  }

  /** ORs bits into the table descriptor that the walk for va reads at `level`. */
  tableBits(va: bigint, level: number, bits: bigint): void {
    const ea = this.entry(va, level, false);
    this.rig.w64(ea, this.rig.r64(ea) | bits);
  }

  /** Identity-maps [from, to) with pages of this granule. */
  identity(from: bigint, to: bigint, attrs: bigint): void {
    const g = 1n << BigInt(this.gbits);
    for (let va = from; va < to; va += g) this.map(va, va, attrs);
  }
}

/** Code and vectors: identity pages 0x10000..0x40000, read-only at EL1 and EL0, executable at both. */
export const CODE_ATTRS = AF | SH_IS | NORMAL | AP_ALL_RO;
