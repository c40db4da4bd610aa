// Exception loop: N x SVC round trips at EL1 (SVC -> VBAR_EL1 + 0x200 -> ERET), handled by the
// minimal handler in start.S, which returns x0 + x8. The checksum is the running sum.
#include "bench.h"

#ifndef N
#define N 1000000
#endif

static inline u64 svc_call(u64 arg, u64 nr) {
  register u64 x0 __asm__("x0") = arg;
  register u64 x8 __asm__("x8") = nr;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "x9", "x10", "memory");
  return x0;
}

int main(void) {
  u64 acc = 0;
  for (u32 i = 0; i < OPAQUE((u32)N); i++) acc = svc_call(acc, i) * 3 + 1;
  bench_result("svc", "calls", N, acc);
  return 0;
}
