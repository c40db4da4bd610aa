// Contiguous runs of element accesses, as the SIMD&FP structure loads and stores make them
// (LD1..LD4 / ST1..ST4 and their single-structure and replicate forms, Arm ARM C6.2 pseudocode:
// one Mem[address + offs, ebytes, AccType_VEC] per element, offs growing by ebytes).
//
// The elements of one instruction are adjacent, cover at most 64 bytes and so touch at most two
// pages. Rather than translate every element, the run is translated once per page, in the order
// the element accesses would fault:
//   * the first element, at its own size: alignment (SCTLR_EL1.A, Device memory), translation
//     and permission of its page (and of the next page when that element straddles it);
//   * the first byte of the second page, if the run reaches it (what a straddling element's
//     second half would fault on: memory.ts reports a split access there too);
//   * the first element that starts in the second page, at its own size, when elements are not
//     aligned (Device memory on that page must still fault).
// When addr is aligned to ebytes every element is, none straddles a page, and the first and
// third checks are the same access. All checks happen before any byte moves, so a fault leaves
// memory and registers as they were.
//
// Loads copy the run into VMEM_BUF; stores copy VMEM_BUF out to memory.
import { VMEM_BUF, SPLIT_BUF } from '../layout';
import { addrR, addrW } from '../memory';

// Host addresses of the run's part in the first and second page, and its length in the first.
let h1: usize = 0;
let h2: usize = 0;
let n1: u32 = 0;

// @ts-ignore: decorator
@inline function addr(va: u64, size: u32, regime: u32, write: bool): usize {
  return write ? addrW(va, size, regime) : addrR(va, size, regime);
}

/** Translates [va, va + n) for elements of ebytes; false after raising the fault. */
function translateRun(va: u64, n: u32, ebytes: u32, regime: u32, write: bool): bool {
  let h = addr(va, ebytes, regime, write);
  if (h == 0) return false;
  // A first element that straddles the page came back through the split buffer: the run needs
  // the first page's own host address (the translation is in the TLB now).
  if (h == SPLIT_BUF) { h = addr(va, 1, regime, write); if (h == 0) return false; }
  h1 = h;
  const inPage = <u32>(4096 - (va & 0xfff));
  if (n <= inPage) { n1 = n; h2 = 0; return true; }
  n1 = inPage;
  const va2 = va + <u64>inPage;
  const aligned = (va & (<u64>ebytes - 1)) == 0;
  if (aligned) {
    h = addr(va2, ebytes, regime, write);
    if (h == 0) return false;
  } else {
    h = addr(va2, 1, regime, write);
    if (h == 0) return false;
    const skip = (inPage + ebytes - 1) / ebytes * ebytes; // offset of the first element in page 2
    if (skip < n && addr(va + <u64>skip, ebytes, regime, write) == 0) return false;
  }
  h2 = h;
  return true;
}

/** Reads n bytes (elements of ebytes) at va into VMEM_BUF; false after a fault. */
export function vmemLoad(va: u64, n: u32, ebytes: u32, regime: u32): bool {
  if (!translateRun(va, n, ebytes, regime, false)) return false;
  memory.copy(VMEM_BUF, h1, n1);
  if (n > n1) memory.copy(<usize>VMEM_BUF + n1, h2, n - n1);
  return true;
}

/** Writes the first n bytes of VMEM_BUF (elements of ebytes) to va; false after a fault. */
export function vmemStore(va: u64, n: u32, ebytes: u32, regime: u32): bool {
  if (!translateRun(va, n, ebytes, regime, true)) return false;
  memory.copy(h1, VMEM_BUF, n1);
  if (n > n1) memory.copy(h2, <usize>VMEM_BUF + n1, n - n1);
  return true;
}
