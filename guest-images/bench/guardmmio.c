// Guarded MMIO: the mmio.c loop (N reads of the PL011 flag register) with the VM enrolled in the
// MMIO guard and the UART's granule mapped, so every access is checked against the stage-2
// annotation before it reaches the device model. Compare with mmio.elf (no guard).
#include "guard.h"

#ifndef N
#define N 2000000
#endif

int main(void) {
  guard_enrol_console();
  volatile u32 *fr = (volatile u32 *)(0x09000000UL + 0x018);
  u64 seen = 0;
  for (u32 i = 0; i < OPAQUE((u32)N); i++) seen += (*fr >> 7) & 1;
  bench_result("guardmmio", "reads", N, seen);
  return 0;
}
