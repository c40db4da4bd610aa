// Byte-wise memset and memcpy: each pass fills a 256 KiB buffer byte by byte, copies it to a
// second one at a shifting offset (so source and destination alignments differ), and samples
// the result into the checksum.
#include "bench.h"

#ifndef REPS
#define REPS 160
#endif
#define SIZE (256 * 1024)

static u8 src[SIZE + 64] __attribute__((aligned(64)));
static u8 dst[SIZE + 64] __attribute__((aligned(64)));

// Plain byte loops; -ffreestanding keeps clang from turning them into library calls.
static __attribute__((noinline)) void bytes_set(u8 *d, u8 v, size_t n) {
  for (size_t i = 0; i < n; i++) d[i] = v;
}
static __attribute__((noinline)) void bytes_copy(u8 *d, const u8 *s, size_t n) {
  for (size_t i = 0; i < n; i++) d[i] = s[i];
}

int main(void) {
  mmu_setup();
  u64 check = 0;
  for (u32 r = 0; r < OPAQUE((u32)REPS); r++) {
    u32 off = r & 31;
    bytes_set(src + off, (u8)(r * 37 + 11), SIZE);
    src[(r * 4099) % SIZE] = (u8)r;
    bytes_copy(dst + (31 - off), src + off, SIZE);
    for (u32 i = r % 61; i < SIZE; i += 4093) check = check * 131 + dst[i + (31 - off)];
  }
  bench_result("memops", "bytes", (u64)REPS * SIZE * 2, check);
  return 0;
}
