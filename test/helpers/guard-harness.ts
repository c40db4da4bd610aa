// The "test harness" the guard conformance guests look for (guest-images/guard/conformance.c):
// an embedder MMIO callback over 64 granules at 0x0c000000 (free space on QEMU's virt board, its
// platform bus) that answers any access, and keeps a scratch register across system resets.
//   +0x00 ID (32-bit) 0x48524e53    +0x08 SCRATCH (64-bit, read/write)    +0x10 WRITES (32-bit)
// Any other byte address a reads (a & 0xff) ^ 0xa5; writes are counted.
import type { MmioCallback } from '../../src/vm.ts';

export const HARNESS_BASE = 0x0c00_0000;
export const HARNESS_SIZE = 64 * 4096;
export const HARNESS_ID = 0x4852_4e53n;

export function guardHarness() {
  const state = { scratch: 0n, writes: 0, reads: 0 };
  const mmio: MmioCallback = ({ ipa, size, write, value }) => {
    if (ipa < HARNESS_BASE || ipa + size > HARNESS_BASE + HARNESS_SIZE) return undefined;
    const off = ipa - HARNESS_BASE;
    if (write) {
      state.writes++;
      if (off === 0x8 && size === 8) state.scratch = value;
      return true;
    }
    state.reads++;
    if (off === 0x0 && size === 4) return HARNESS_ID;
    if (off === 0x8 && size === 8) return state.scratch;
    if (off === 0x10 && size === 4) return BigInt(state.writes);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(((ipa + i) & 0xff) ^ 0xa5);
    return v;
  };
  return { mmio, state };
}
