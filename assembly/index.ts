// The CPU module's exports: the run loop and the few entry points the host needs.
// The hot loop: at each block start, check the fetch through a one-entry fetch cache, find the
// decoded basic block for the PC (assembly/blocks.ts), then run its records back to back, each
// dispatched through one br_table. Interrupts and the budget are checked between blocks.
import {
  PC, ICOUNT, EXIT_REASON, EXIT_BUDGET, FAULT, ATTENTION, FETCH_TAG, FETCH_ADDEND,
  PSTATE_IL, SCRATCH_REC, DCACHE, DC_ENTRIES, MEM_LIMIT, STATE, STATE_END, CNT_SHIFT, CNTFRQ_EL0,
  BLOCK_HDR, BLOCK_HEAT, BLOCK_FN, HEAP_BASE, EXIT_JIT, JIT_PC, COV_MAP, CMPLOG,
} from './layout';
import { fetchSlow, tlbFlushAll, tlbFlushPage } from './memory';
import { takePending, takeIllegalState, updateAttention } from './exceptions';
import { decodeInto } from './gen/decode';
import { dispatch } from './gen/dispatch';
import { blockAt, dropBlock, flushBlocks, lookupBlock, flushes } from './blocks';

// The JIT (src/cpu/jit/): a block entered jitThreshold times is handed to the host (EXIT_JIT),
// which compiles it to a wasm function of type JitBlock and puts it in the function table; the
// loop then calls it instead of interpreting the block. 0 = off. Not in the state block: a
// snapshot restore must not switch it.
let jitThreshold: u32 = 0;
export function setJitThreshold(n: u32): void { jitThreshold = n; }

/**
 * Compiled code for the hot blocks of one page: runs from the block at PC (h: the host address
 * of its first word) through the function's other blocks as long as
 * control stays among them, the budget takes each whole and no interrupt is pending. Returns
 * the new instruction count; the unchanged count when the first block's words are no longer
 * those in guest memory (nothing was executed).
 */
type JitBlock = (h: u32, icount: u64, limit: u64) => u64;

/**
 * Runs until an exit or until budget instructions have executed. Returns the exit reason. (A u32
 * budget: the host runs in slices, and an i64 parameter would cost a BigInt per call.)
 */
export function run(budget: u32): u32 {
  store<u32>(EXIT_REASON, 0);
  store<u32>(FAULT, 0);
  updateAttention();
  let icount = load<u64>(ICOUNT);
  const limit = icount + <u64>budget;
  // Fuzzing feedback is collected by the interpreter's handlers only.
  const jit = jitThreshold != 0 && load<u32>(COV_MAP) == 0 && load<u32>(CMPLOG) == 0;
  while (true) {
    const attention = load<u32>(ATTENTION);
    if (attention != 0) {
      takePending();
      store<u32>(FAULT, 0);
    }
    if (icount >= limit) { store<u32>(EXIT_REASON, EXIT_BUDGET); break; }
    // (ICOUNT in the state block is stored at exits and before clock-reading handlers only.)
    const pc = load<u64>(PC);
    let h: usize;
    if ((pc & 0xfffffffffffff003) == load<u64>(FETCH_TAG)) {
      h = <usize>(pc + load<u64>(FETCH_ADDEND));
    } else {
      h = fetchSlow(pc);
      if (h == 0) {
        store<u32>(FAULT, 0);
        if (load<u32>(EXIT_REASON) != 0) break;
        continue;
      }
    }
    if (attention != 0 && load<u32>(PSTATE_IL) != 0) {
      takeIllegalState();
      store<u32>(FAULT, 0);
      continue;
    }
    const blk = blockAt(pc, h);
    // Run at most what the budget leaves, so a run stops at exactly the instruction it asked for.
    const left = limit - icount;
    if (jit) {
      const fn = load<u32>(blk + BLOCK_FN);
      if (fn != 0) {
        if (<u64>load<u32>(blk) <= left) {
          const r = call_indirect<u64>(fn, <u32>h, icount, limit);
          if (r == icount) { dropBlock(pc); continue; } // its words changed
          icount = r;
          if (load<u32>(FAULT) != 0) {
            store<u32>(FAULT, 0);
            if (load<u32>(EXIT_REASON) != 0) break;
          }
          continue;
        }
      } else {
        const heat = load<u32>(blk + BLOCK_HEAT) + 1;
        store<u32>(blk + BLOCK_HEAT, heat);
        if (heat == jitThreshold) {
          store<u64>(JIT_PC, pc);
          store<u32>(EXIT_REASON, EXIT_JIT);
          break;
        }
      }
    }
    const n: usize = <u64>load<u32>(blk) < left ? <usize>load<u32>(blk) : <usize>left;
    let rec = blk + BLOCK_HDR;
    const end = rec + (n << 5);
    while (true) {
      if (load<u32>(rec) != load<u32>(h)) { // the word changed since the block was built
        dropBlock(pc);
        break;
      }
      icount++;
      if (dispatch(<u32>load<u16>(rec, 4), rec, icount) != 0) break; // an exception or an exit
      rec += 32;
      h += 4;
      if (rec == end) break;
    }
    if (load<u32>(FAULT) != 0) {
      store<u32>(FAULT, 0);
      if (load<u32>(EXIT_REASON) != 0) break;
    }
  }
  store<u64>(ICOUNT, icount);
  return load<u32>(EXIT_REASON);
}

/** Grows linear memory by n 64 KiB pages; returns the address of the new region. */
export function growPages(n: i32): usize {
  const old = memory.grow(n);
  if (old < 0) return 0;
  store<u64>(MEM_LIMIT, <u64>memory.size() << 16);
  return <usize>old << 16;
}

/** One-time setup: state block cleared, caches invalidated, decode cache primed. */
export function init(): void {
  memory.fill(STATE, 0, STATE_END - STATE);
  store<u64>(MEM_LIMIT, <u64>memory.size() << 16);
  // Virtual time: one instruction is one nanosecond, so the 62.5 MHz counter ticks every 16.
  store<u32>(CNT_SHIFT, 4);
  store<u64>(CNTFRQ_EL0, 62500000);
  for (let i: u32 = 0; i < <u32>DC_ENTRIES; i++) decodeInto(0, DCACHE + (<usize>i << 5));
  flushBlocks();
  tlbFlushAll();
}

export function flushTLB(): void { tlbFlushAll(); }
/** Forgets every decoded block (and so every compiled one: the host may reuse their table slots). */
export function resetBlocks(): void { flushBlocks(); }
/** The decoded block starting at pc, or 0 when the cache has none. */
export function jitLookup(pc: u64): usize { return lookupBlock(pc); }
/** Times the block cache was emptied (init, a full arena, resetBlocks). */
export function blockFlushes(): u32 { return flushes; }

/** Runs the one instruction of decode record rec: a compiled block's way out to the interpreter. */
export function jitExec(rec: usize, icount: u64): u32 {
  return dispatch(<u32>load<u16>(rec, 4), rec, icount);
}
export function flushTLBPage(va: u64): void { tlbFlushPage(va); }
export function refreshInterrupts(): void { updateAttention(); }

/** Decodes w into a scratch record; returns op | (encoding index << 16). For tests and tools. */
export function decodeWord(w: u32): u32 {
  const rec: usize = SCRATCH_REC;
  decodeInto(w, rec);
  return <u32>load<u16>(rec, 4) | (<u32>load<u16>(rec, 6) << 16);
}

export const heapBase: usize = HEAP_BASE;
