// Pointer chase over 8 MiB: one node per 64-byte line (131072 nodes), linked in a single random
// cycle (Sattolo's shuffle), followed STEPS times. Nearly every step lands on another page, so
// with the MMU on this measures the TLB (4 KiB pages: 2048 of them).
#include "bench.h"

#ifndef STEPS
#define STEPS (2 * 1024 * 1024)
#endif
#define AREA (8 * 1024 * 1024)
#define LINE 64
#define NODES (AREA / LINE)

struct node { struct node *next; u64 payload; u64 pad[6]; };
static struct node nodes[NODES] __attribute__((aligned(4096)));
static u32 perm[NODES];

int main(void) {
  mmu_setup();
  u64 x = 0x9E3779B97F4A7C15UL;
  for (u32 i = 0; i < NODES; i++) perm[i] = i;
  for (u32 i = NODES - 1; i > 0; i--) {   // Sattolo: one cycle through all nodes
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    u32 j = (u32)(x % i);
    u32 t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  for (u32 i = 0; i < NODES; i++) {
    nodes[perm[i]].next = &nodes[perm[(i + 1) % NODES]];
    nodes[perm[i]].payload = i;
  }
  struct node *p = &nodes[perm[0]];
  u64 check = 0;
  for (u32 s = 0; s < OPAQUE((u32)STEPS); s++) {
    check += p->payload;
    p = p->next;
  }
  check = check * 31 + (u64)(p - nodes);
  bench_result("ptrchase", "steps", STEPS, check);
  return 0;
}
