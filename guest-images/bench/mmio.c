// MMIO loop: N reads of the PL011 flag register (a trapped access to a device model on a64vm,
// an I/O callback in QEMU). The checksum counts how often TXFE (bit 7) was seen set.
#include "bench.h"

#ifndef N
#define N 2000000
#endif

int main(void) {
  volatile u32 *fr = (volatile u32 *)(0x09000000UL + 0x018);
  u64 seen = 0;
  for (u32 i = 0; i < OPAQUE((u32)N); i++) seen += (*fr >> 7) & 1;
  bench_result("mmio", "reads", N, seen);
  return 0;
}
