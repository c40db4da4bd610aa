// Integer matrix multiply C = A x B (N x N, 32-bit wrapping arithmetic), REPS times; A changes
// between passes so no pass can be skipped.
#include "bench.h"

#ifndef REPS
#define REPS 56
#endif
#define N 96

static u32 A[N][N], B[N][N], C[N][N];

int main(void) {
  mmu_setup();
  u32 x = 1;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      x = x * 1103515245u + 12345u;
      A[i][j] = x >> 16;
      x = x * 1103515245u + 12345u;
      B[i][j] = x >> 16;
    }
  u64 check = 0;
  for (u32 r = 0; r < OPAQUE((u32)REPS); r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        u32 s = 0;
        for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
        C[i][j] = s;
      }
    for (int i = 0; i < N; i++) {
      check = check * 1000003u + C[i][(i + r) % N];
      A[i][(i * 7 + r) % N] ^= C[(i + 1) % N][i];
    }
  }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) check += (u64)C[i][j] * (u64)(i * N + j + 1);
  bench_result("matmul", "macs", (u64)REPS * N * N * N, check);
  return 0;
}
