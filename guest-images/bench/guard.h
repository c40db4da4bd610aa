// The MMIO guard calls the guard bench guests make (rfc-v1 ABI, a64vm's default: ENROLL 3,
// MAP 4, UNMAP 5), and whether the hypervisor is KVM at all. On QEMU's TCG there is no guard:
// the calls are made all the same and return NOT_SUPPORTED, so both emulators run the same
// instructions and print the same line.
#ifndef BENCH_GUARD_H
#define BENCH_GUARD_H
#include "bench.h"

#define GUARD_ENROLL 0xc6000003UL
#define GUARD_MAP    0xc6000004UL
#define GUARD_UNMAP  0xc6000005UL

static inline u64 hvc3(u64 fid, u64 a1, u64 a2) {
  register u64 x0 __asm__("x0") = fid;
  register u64 x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = 0;
  __asm__ volatile("hvc #0"
                   : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                   :
                   : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                     "x16", "x17", "memory");
  return x0;
}

// Enrols and maps the UART's granule (where there is a guard), so the result line can be printed.
static inline void guard_enrol_console(void) {
  hvc3(GUARD_ENROLL, 0, 0);
  hvc3(GUARD_MAP, 0x09000000UL, 0);
}
#endif
