// Advanced SIMD integer work, the kind of code compilers vectorise: each pass streams a 64 KiB
// buffer 64 bytes at a time through LD1 (four registers), byte and halfword arithmetic
// (ADD, UQADD, CMHI, BSL, UMAX), widening multiply-accumulate (UMULL/UMLAL), a table lookup
// (TBL), a narrowing shift (SHRN) and ST1, and folds every block into a 32-bit lane checksum.
// Built without -mgeneral-regs-only (the Makefile filters it out for this file only); written
// with the ACLE intrinsics of <arm_neon.h>, which clang maps one-to-one onto instructions.
#include "bench.h"
#include <arm_neon.h>

#ifndef REPS
#define REPS 12000
#endif
#define SIZE (64 * 1024)

static u8 buf[SIZE] __attribute__((aligned(64)));
static const u8 perm[16] __attribute__((aligned(16))) = { 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12 };

static __attribute__((noinline)) uint32x4_t pass(u8 *p, uint8x16_t k, uint32x4_t acc) {
  const uint8x16_t tbl = vld1q_u8(perm);
  for (u32 i = 0; i < SIZE; i += 64) {
    uint8x16x4_t v = vld1q_u8_x4(p + i);
    uint8x16_t a = vaddq_u8(v.val[0], k);
    uint8x16_t b = vqaddq_u8(v.val[1], a);
    uint8x16_t c = vbslq_u8(vcgtq_u8(a, b), v.val[2], v.val[3]);
    uint8x16_t d = vmaxq_u8(c, vqtbl1q_u8(b, tbl));
    uint16x8_t w = vmull_u8(vget_low_u8(a), vget_low_u8(d));
    w = vmlal_high_u8(w, b, c);
    uint8x8_t n = vshrn_n_u16(w, 5);
    acc = vpadalq_u16(acc, w);
    v.val[0] = a;
    v.val[1] = b;
    v.val[2] = vcombine_u8(n, vget_high_u8(c));
    v.val[3] = d;
    vst1q_u8_x4(p + i, v);
  }
  return acc;
}

static __attribute__((noinline)) u64 run(void) {
  for (u32 i = 0; i < SIZE; i++) buf[i] = (u8)(i * 2654435761u >> 13);
  uint32x4_t acc = vdupq_n_u32(0);
  for (u32 r = 0; r < OPAQUE((u32)REPS); r++) acc = pass(buf, vdupq_n_u8((u8)(r * 29 + 1)), acc);
  u64 check = vgetq_lane_u32(acc, 0) ^ ((u64)vgetq_lane_u32(acc, 1) << 8) ^ ((u64)vgetq_lane_u32(acc, 2) << 16) ^
              ((u64)vgetq_lane_u32(acc, 3) << 32);
  for (u32 i = 0; i < SIZE; i += 509) check = check * 131 + buf[i];
  return check;
}

int main(void) {
  // SIMD&FP on (CPACR_EL1.FPEN = 0b11) before any SIMD instruction: main itself has none, the
  // work is in run().
  WRITE_SYSREG(cpacr_el1, READ_SYSREG(cpacr_el1) | (3ul << 20));
  __asm__ volatile("isb" : : : "memory");
  mmu_setup();
  bench_result("simd", "bytes", (u64)REPS * SIZE, run());
  return 0;
}
