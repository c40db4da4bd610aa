// The JIT of one vCPU: when the CPU's run loop reports a hot block (EXIT_JIT), compile it
// (compile.ts), instantiate it over the CPU's memory, and put it in the CPU's function table
// where the loop will call it. Compilation depends only on the block's words and VA, so a run
// is as deterministic with the JIT as without it.
import * as L from '../../../assembly/layout.ts';
import { buildModule } from './wasm.ts';
import { compileBlock, readBlock } from './compile.ts';

export interface JitExports {
  memory: WebAssembly.Memory;
  table: WebAssembly.Table;
  jitExec(rec: number, icount: bigint): number;
  setJitThreshold(n: number): void;
  resetBlocks(): void;
}

/** Times a block is entered before it is compiled (the default; `--jit-threshold`). */
export const DEFAULT_THRESHOLD = 64;
/** Table slots for compiled blocks; when all are used, every block is dropped and they are reused. */
const MAX_FUNCTIONS = 1 << 14;

export interface JitStats { compiled: number; declined: number; resets: number }

export class Jit {
  private readonly base: number;
  private next: number;
  readonly stats: JitStats = { compiled: 0, declined: 0, resets: 0 };

  constructor(private readonly cpu: JitExports, threshold: number) {
    this.base = cpu.table.length;
    this.next = this.base;
    cpu.setJitThreshold(threshold);
  }

  /** Compiles the block the CPU asked for (JIT_BLOCK, JIT_PC). */
  compileRequested(): void {
    const dv = new DataView(this.cpu.memory.buffer);
    const blk = dv.getUint32(L.JIT_BLOCK, true);
    const pc = dv.getBigUint64(L.JIT_PC, true);
    const body = compileBlock(readBlock(dv, blk, pc), pc);
    // Declined: the block stays interpreted (its heat counter has passed the threshold).
    if (!body) { this.stats.declined++; return; }
    const module = new WebAssembly.Module(buildModule([body]));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.cpu.memory, exec: this.cpu.jitExec } });
    if (this.next - this.base >= MAX_FUNCTIONS) {
      this.cpu.resetBlocks(); // no block refers to a slot any more
      this.next = this.base;
      this.stats.resets++;
      return;
    }
    const table = this.cpu.table;
    if (this.next >= table.length) table.grow(Math.max(64, table.length));
    table.set(this.next, instance.exports.f0 as () => void);
    dv.setUint32(blk + L.BLOCK_FN, this.next, true);
    this.next++;
    this.stats.compiled++;
  }
}
