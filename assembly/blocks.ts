// The basic-block cache. A block is the run of instructions from a start VA up to and including
// the first branch, exception-generating or system instruction, the end of the 4 KiB page, or
// BLOCK_MAX instructions, with each instruction's decode record copied in. The loop in index.ts
// looks a block up once and then runs its records back to back: no fetch translation, no decode
// cache probe per instruction.
//
// Blocks are keyed by VA alone and never invalidated: as each record runs, the loop compares
// its word with the word now in guest memory at that address (the fetch translation is checked
// at block entry, as for any fetch). A changed word (self-modifying code, a loader, a debugger's
// BRK, a snapshot restore, a remapped page) ends the block there and the next lookup rebuilds it,
// so no writer has to know the cache exists.
import { DCACHE, DC_ENTRIES, BT, BT_ENTRIES, ARENA, ARENA_END, BLOCK_HDR, BLOCK_MAX, BLOCK_HEAT, BLOCK_FN } from './layout';
import { decodeInto } from './gen/decode';
import { endsBlock } from './gen/dispatch';

let arenaNext: usize = ARENA;
/** How many times every block was forgotten (the host's JIT starts its bookkeeping again). */
export let flushes: u32 = 0;

// @ts-ignore: decorator
@inline function dcacheSlot(w: u32): usize {
  return DCACHE + (<usize>((w ^ (w >> 14)) & (DC_ENTRIES - 1)) << 5);
}

// @ts-ignore: decorator
@inline function tableSlot(pc: u64): usize {
  return BT + (<usize>(<u32>(pc >> 2) ^ <u32>(pc >> 15)) & (BT_ENTRIES - 1)) * 16;
}

/** The decode record of w, from the decode cache (decoding on a miss). */
export function recordOf(w: u32): usize {
  const rec = dcacheSlot(w);
  if (load<u32>(rec) != w) decodeInto(w, rec);
  return rec;
}

/**
 * The block starting at pc, whose first word is at host address h (the fetch already checked).
 * Builds it on a miss. The caller checks each word as it runs the block.
 */
// @ts-ignore: decorator
@inline export function blockAt(pc: u64, h: usize): usize {
  const slot = tableSlot(pc);
  if (load<u64>(slot) == pc) return <usize>load<u32>(slot, 8);
  return build(pc, h, slot);
}

function build(pc: u64, h: usize, slot: usize): usize {
  if (arenaNext + <usize>(BLOCK_HDR + BLOCK_MAX * 32) > <usize>ARENA_END) flushBlocks();
  const blk = arenaNext;
  const room = <u32>((0x1000 - (pc & 0xfff)) >> 2); // instructions left in the page
  const max: u32 = room < <u32>BLOCK_MAX ? room : <u32>BLOCK_MAX;
  let n: u32 = 0;
  while (n < max) {
    const rec = recordOf(load<u32>(h + (<usize>n << 2)));
    memory.copy(blk + BLOCK_HDR + (<usize>n << 5), rec, 32);
    n++;
    if (endsBlock(<u32>load<u16>(rec, 4))) break;
  }
  store<u32>(blk, n);
  store<u32>(blk + BLOCK_HEAT, 0);
  store<u32>(blk + BLOCK_FN, 0);
  arenaNext = blk + BLOCK_HDR + (<usize>n << 5);
  store<u64>(slot, pc);
  store<u32>(slot, <u32>blk, 8);
  return blk;
}

/** The block cached for pc, or 0 (the host's JIT asks before it compiles a block again). */
export function lookupBlock(pc: u64): usize {
  const slot = tableSlot(pc);
  return load<u64>(slot) == pc ? <usize>load<u32>(slot, 8) : 0;
}

/** Forgets every block (the arena is full, or the host asks). */
export function flushBlocks(): void {
  memory.fill(BT, 0xff, BT_ENTRIES * 16); // tag ~0: no 4-aligned VA matches it
  arenaNext = ARENA;
  flushes++;
}

/** Forgets the block starting at pc (its words changed). */
export function dropBlock(pc: u64): void {
  const slot = tableSlot(pc);
  if (load<u64>(slot) == pc) store<u64>(slot, 0xffffffffffffffff);
}
