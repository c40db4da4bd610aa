// Hypercall loop: N x HVC #0 with SMCCC_VERSION (0x80000000), each answered by the
// hypervisor (a64vm's TypeScript SMCCC dispatcher; QEMU's PSCI/SMCCC emulation). The value
// returned is not part of the checksum: QEMU 7.2 answers NOT_SUPPORTED (-1) where a64vm may
// answer a version, and the result line must be the same on both. The checksum instead proves
// that every call returned and that every call returned the same thing as the first.
#include "bench.h"

#ifndef N
#define N 1000000
#endif

static inline u64 smccc_version(void) {
  register u64 x0 __asm__("x0") = 0x80000000UL;
  register u64 x1 __asm__("x1") = 0, x2 __asm__("x2") = 0, x3 __asm__("x3") = 0;
  // SMCCC: x0..x17 may be clobbered by the call (x4..x17 listed below).
  __asm__ volatile("hvc #0"
                   : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                   :
                   : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                     "x16", "x17", "memory");
  return x0;
}

int main(void) {
  u64 first = smccc_version();
  u64 check = 0;
  for (u32 i = 1; i < OPAQUE((u32)N); i++) check = check * 31 + (smccc_version() == first ? i : 0xbad);
  bench_result("hvc", "calls", N, check);
  return 0;
}
