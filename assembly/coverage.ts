// Fuzzing feedback collected by the CPU itself (issue 9): an AFL-style edge map and a log of
// comparison operands. Both are off unless the host gives them an address, so the cost when off
// is one load and a branch per branch instruction and per compare.
import { COV_MAP, COV_PREV, CMPLOG, CMPLOG_COUNT, CMPLOG_CAPACITY, PC } from './layout';

/**
 * Records the edge into the block starting at target: map[hash(target) ^ prev]++ over 64 KiB,
 * prev = hash(target) >> 1 (AFL's scheme, so A->B and B->A differ).
 */
// @ts-ignore: decorator
@inline export function edgeTo(target: u64): void {
  const map = load<u32>(COV_MAP);
  if (map != 0) recordEdge(map, target);
}

function recordEdge(map: u32, target: u64): void {
  const cur = <u32>((target >> 2) ^ (target >> 18)) * 0x9e3779b1 >> 16;
  const prev = load<u32>(COV_PREV);
  const slot = <usize>map + <usize>((cur ^ prev) & 0xffff);
  store<u8>(slot, load<u8>(slot) + 1);
  store<u32>(COV_PREV, cur >> 1);
}

/** Logs the operands of a compare (SUBS/CMP, CCMP) of size bytes, while the log has room. */
// @ts-ignore: decorator
@inline export function logCompare(a: u64, b: u64, size: u32): void {
  const log = load<u32>(CMPLOG);
  if (log != 0) appendCompare(log, a, b, size);
}

function appendCompare(log: u32, a: u64, b: u64, size: u32): void {
  const n = load<u32>(CMPLOG_COUNT);
  if (n >= <u32>CMPLOG_CAPACITY) return;
  const e = <usize>log + (<usize>n << 5); // pc u64, a u64, b u64, size u32, pad
  store<u64>(e, load<u64>(PC), 0);
  store<u64>(e, a, 8);
  store<u64>(e, b, 16);
  store<u32>(e, size, 24);
  store<u32>(CMPLOG_COUNT, n + 1);
}
