// MMIO guard hypercall round trips: N MAP/UNMAP pairs of one device granule (the PL031's), each
// call a full exit to the hypervisor, a stage-2 annotation written and removed. As in hvc.c the
// checksum ignores the values returned (a64vm: 0; QEMU: NOT_SUPPORTED) and proves every call
// returned what the first one did.
#include "guard.h"

#ifndef N
#define N 200000
#endif

int main(void) {
  guard_enrol_console();
  const u64 ipa = 0x09010000UL;
  u64 map0 = hvc3(GUARD_MAP, ipa, 0), unmap0 = hvc3(GUARD_UNMAP, ipa, 0);
  u64 check = 0;
  for (u32 i = 1; i < OPAQUE((u32)N); i++) {
    u64 m = hvc3(GUARD_MAP, ipa, 0), u = hvc3(GUARD_UNMAP, ipa, 0);
    check = check * 31 + (m == map0 && u == unmap0 ? i : 0xbad);
  }
  bench_result("guardmap", "pairs", N, check);
  return 0;
}
