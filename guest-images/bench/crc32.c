// Software CRC-32 (IEEE 802.3, reflected, table-driven, one byte per step) over a 64 KiB
// buffer, REPS times; each pass continues from the previous CRC.
#include "bench.h"

#ifndef REPS
#define REPS 640
#endif
#define BUF_SIZE (64 * 1024)

static u32 table[256];
static u8 buf[BUF_SIZE] __attribute__((aligned(64)));

static void make_table(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static u32 crc32_update(u32 crc, const u8 *p, size_t n) {
  crc = ~crc;
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

int main(void) {
  mmu_setup();
  make_table();
  u32 x = 0x12345678;
  for (u32 i = 0; i < BUF_SIZE; i++) {
    x = x * 1664525u + 1013904223u;
    buf[i] = (u8)(x >> 24);
  }
  u32 crc = 0;
  for (u32 r = 0; r < OPAQUE((u32)REPS); r++) crc = crc32_update(crc, buf, BUF_SIZE);
  bench_result("crc32", "bytes", (u64)REPS * BUF_SIZE, crc);
  return 0;
}
