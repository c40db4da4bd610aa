// The JIT of one vCPU: when the CPU's run loop reports a hot block (EXIT_JIT), compile it, with
// the other hot blocks of its 4 KiB page, to one wasm function (compile.ts), instantiate it over
// the CPU's memory, and point each of those blocks at it through the CPU's function table.
// What is compiled depends only on the guest's words, VAs and execution counts, so a run is as
// deterministic with the JIT as without it.
import * as L from '../../../assembly/layout.ts';
import { buildModule } from './wasm.ts';
import { compilePage, readBlock, worthCompiling, type Block } from './compile.ts';

export interface JitExports {
  memory: WebAssembly.Memory;
  table: WebAssembly.Table;
  jitExec(rec: number, icount: bigint): number;
  jitLookup(pc: bigint): number;
  blockFlushes(): number;
  setJitThreshold(n: number): void;
  resetBlocks(): void;
}

/** Times a block is entered before it is compiled (the default; `--jit N`). */
export const DEFAULT_THRESHOLD = 64;
/** Table slots for compiled functions; when all are used, every block is dropped and they are reused. */
const MAX_FUNCTIONS = 1 << 14;
/**
 * Compilations of one page before the JIT gives up on it: code that keeps changing (a loader, a
 * test harness writing a new instruction into a slot each time) would otherwise cost more to
 * compile than it runs. Its blocks already compiled keep their function; new ones are interpreted.
 */
const MAX_PAGE_COMPILES = 8;
/**
 * Blocks in one page's function (the most recently hot ones are kept): one bit each in the
 * state block's JIT_VERIFIED (Emitter.verify).
 */
const MAX_PAGE_BLOCKS = L.JIT_VERIFIED_BYTES * 8;

export interface JitStats {
  /** Blocks compiled (each time a page is compiled again its blocks count again). */
  compiled: number;
  /** Page functions built. */
  functions: number;
  /** Blocks left to the interpreter (not one instruction the JIT emits). */
  declined: number;
  resets: number;
}

export class Jit {
  private readonly base: number;
  private next: number;
  /** Per page VA: the start VAs of its hot blocks, in the order they became hot. */
  private readonly pages = new Map<bigint, bigint[]>();
  private readonly compilesOf = new Map<bigint, number>();
  private flushes = -1;
  readonly stats: JitStats = { compiled: 0, functions: 0, declined: 0, resets: 0 };

  constructor(private readonly cpu: JitExports, private readonly threshold: number) {
    this.base = cpu.table.length;
    this.next = this.base;
    cpu.setJitThreshold(threshold);
  }

  /** Start VAs of the cached blocks of page that have run at least a quarter of the threshold times. */
  private warmBlocks(page: bigint): bigint[] {
    const out: bigint[] = [];
    const hi = Number(page >> 32n) >>> 0;
    const lo = Number(page & 0xffff_ffffn) >>> 0;
    // The block table as words: VA low, VA high, block address (a scan of all of it per compile).
    const bt = new Uint32Array(this.cpu.memory.buffer, L.BT, (L.BT_ENTRIES * L.BT_ENTRY) >> 2);
    const words = new Uint32Array(this.cpu.memory.buffer);
    for (let at = 0; at < bt.length; at += L.BT_ENTRY >> 2) {
      if (bt[at + 1] !== hi || ((bt[at] & ~0xfff) >>> 0) !== lo) continue;
      if (words[(bt[at + 2] + L.BLOCK_HEAT) >> 2] * 4 >= this.threshold) out.push(page | BigInt(bt[at] & 0xfff));
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Compiles the page of the block the CPU asked for (JIT_PC). */
  compileRequested(): void {
    const dv = new DataView(this.cpu.memory.buffer);
    const pc = dv.getBigUint64(L.JIT_PC, true);
    const page = pc & ~0xfffn;
    // Everything was dropped since (the CPU was reset, the arena filled): start afresh.
    const flushes = this.cpu.blockFlushes();
    if (flushes !== this.flushes) { this.pages.clear(); this.compilesOf.clear(); this.flushes = flushes; }
    const compiles = this.compilesOf.get(page) ?? 0;
    if (compiles >= MAX_PAGE_COMPILES) { this.stats.declined++; return; }
    this.compilesOf.set(page, compiles + 1);
    let hot = this.pages.get(page);
    if (!hot) { hot = []; this.pages.set(page, hot); }
    if (!hot.includes(pc)) hot.push(pc);
    // Blocks of the page on their way to the threshold come along: each page is then compiled a
    // few times rather than once per block.
    for (const at of this.warmBlocks(page)) if (!hot.includes(at)) hot.push(at);
    while (hot.length > MAX_PAGE_BLOCKS) hot.shift();
    // The cache may have dropped blocks since (their words changed, or the arena was emptied).
    const blocks: (Block & { blk: number })[] = [];
    for (const at of hot) {
      const blk = this.cpu.jitLookup(at) >>> 0;
      if (blk === 0) continue;
      const b = { pc: at, blk, recs: readBlock(dv, blk, at) };
      if (worthCompiling(b)) blocks.push(b);
    }
    this.pages.set(page, blocks.map((b) => b.pc));
    const body = blocks.length ? compilePage(blocks) : null;
    // Declined: the blocks stay interpreted (their heat counters have passed the threshold).
    if (!body) { this.stats.declined++; return; }
    if (this.next - this.base >= MAX_FUNCTIONS) {
      this.cpu.resetBlocks(); // no block refers to a slot any more
      this.pages.clear();
      this.compilesOf.clear();
      this.next = this.base;
      this.stats.resets++;
      return;
    }
    const module = new WebAssembly.Module(buildModule([body]));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.cpu.memory, exec: this.cpu.jitExec } });
    const table = this.cpu.table;
    if (this.next >= table.length) table.grow(Math.max(64, table.length));
    table.set(this.next, instance.exports.f0 as () => void);
    for (const b of blocks) dv.setUint32(b.blk + L.BLOCK_FN, this.next, true);
    this.next++;
    this.stats.compiled += blocks.length;
    this.stats.functions++;
  }
}
