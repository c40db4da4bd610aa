// Sieve of Eratosthenes with one byte per number over [0, LIMIT), REPS times; the checksum
// folds the prime count and a weighted sum of the primes found.
#include "bench.h"

#ifndef REPS
#define REPS 8
#endif
#define LIMIT (2 * 1024 * 1024)

static u8 composite[LIMIT];

int main(void) {
  mmu_setup();
  u64 sum = 0;
  u32 count = 0;
  for (u32 r = 0; r < OPAQUE((u32)REPS); r++) {
    for (u32 i = 0; i < LIMIT; i++) composite[i] = 0;
    for (u32 i = 2; (u64)i * i < LIMIT; i++)
      if (!composite[i])
        for (u32 j = i * i; j < LIMIT; j += i) composite[j] = 1;
    count = 0;
    sum = 0;
    for (u32 i = 2; i < LIMIT; i++)
      if (!composite[i]) { count++; sum = sum * 31 + i; }
  }
  bench_result("sieve", "numbers", (u64)REPS * LIMIT, sum ^ ((u64)count << 40));
  return 0;
}
