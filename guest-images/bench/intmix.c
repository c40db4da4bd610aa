// An integer mix in the spirit of Dhrystone: record copies through pointers, short string copies
// and compares, enumerations and switches, small non-inlined procedures, array indexing and
// integer multiply/divide. Not Dhrystone itself (no DMIPS claim); a fixed amount of work with a
// checksum over every global it touches.
#include "bench.h"

#ifndef RUNS
#define RUNS 500000
#endif

typedef enum { IDENT_1, IDENT_2, IDENT_3, IDENT_4, IDENT_5 } enumeration;

typedef struct record {
  struct record *ptr_comp;
  enumeration discr;
  enumeration enum_comp;
  int int_comp;
  char str_comp[32];
} record;

static record rec_a, rec_b;
static record *ptr_glob, *next_ptr_glob;
static int int_glob;
static int bool_glob;
static char ch_1_glob, ch_2_glob;
static int arr_1_glob[50];
static int arr_2_glob[50][50];
static char str_1[32], str_2[32];

#define NOINLINE __attribute__((noinline))

static NOINLINE void str_copy(char *d, const char *s) {
  while ((*d++ = *s++) != 0) {}
}

static NOINLINE int str_cmp(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return (u8)*a - (u8)*b;
}

static NOINLINE enumeration func_1(char c1, char c2) {
  char l1 = c1, l2 = l1;
  if (l2 != c2) return IDENT_1;
  ch_1_glob = l1;
  return IDENT_2;
}

static NOINLINE int func_2(const char *s1, const char *s2) {
  int i = 2;
  char c = 0;
  while (i <= 2)
    if (func_1(s1[i], s2[i + 1]) == IDENT_1) { c = 'A'; i += 1; }
  if (c >= 'W' && c < 'Z') i = 7;
  if (c == 'R') return 1;
  if (str_cmp(s1, s2) > 0) { i += 7; int_glob = i; return 1; }
  return 0;
}

static NOINLINE int func_3(enumeration e) { return e == IDENT_3; }

static NOINLINE void proc_6(enumeration e, enumeration *out) {
  *out = e;
  if (!func_3(e)) *out = IDENT_4;
  switch (e) {
    case IDENT_1: *out = IDENT_1; break;
    case IDENT_2: *out = int_glob > 100 ? IDENT_1 : IDENT_4; break;
    case IDENT_3: *out = IDENT_2; break;
    case IDENT_4: break;
    case IDENT_5: *out = IDENT_3; break;
  }
}

static NOINLINE void proc_7(int a, int b, int *out) { *out = b + a + 2; }

static NOINLINE void proc_8(int *a1, int (*a2)[50], int i1, int i2) {
  int loc = i1 + 5;
  a1[loc] = i2;
  a1[loc + 1] = a1[loc];
  a1[loc + 30] = loc;
  for (int i = loc; i <= loc + 1; i++) a2[loc][i] = loc;
  a2[loc][loc - 1] += 1;
  a2[loc + 20][loc] = a1[loc];
  int_glob = 5;
}

static NOINLINE void proc_3(record **out) {
  if (ptr_glob) *out = ptr_glob->ptr_comp;
  proc_7(10, int_glob, &ptr_glob->int_comp);
}

static NOINLINE void proc_1(record *p) {
  record *next = p->ptr_comp;
  *p->ptr_comp = *ptr_glob;           // whole-record copy
  p->int_comp = 5;
  next->int_comp = p->int_comp;
  next->ptr_comp = p->ptr_comp;
  proc_3(&next->ptr_comp);
  if (next->discr == IDENT_1) {
    next->int_comp = 6;
    proc_6(p->enum_comp, &next->enum_comp);
    next->ptr_comp = ptr_glob->ptr_comp;
    proc_7(next->int_comp, 10, &next->int_comp);
  } else {
    *p = *p->ptr_comp;
  }
}

static NOINLINE void proc_2(int *x) {
  int loc = *x + 10;
  enumeration e = IDENT_2;
  do {
    if (ch_1_glob == 'A') { loc -= 1; *x = loc - int_glob; e = IDENT_1; }
  } while (e != IDENT_1);
}

static NOINLINE void proc_4(void) {
  int b = ch_1_glob == 'A';
  bool_glob = b | bool_glob;
  ch_2_glob = 'B';
}

static NOINLINE void proc_5(void) {
  ch_1_glob = 'A';
  bool_glob = 0;
}

int main(void) {
  mmu_setup();
  next_ptr_glob = &rec_b;
  ptr_glob = &rec_a;
  ptr_glob->ptr_comp = next_ptr_glob;
  ptr_glob->discr = IDENT_1;
  ptr_glob->enum_comp = IDENT_3;
  ptr_glob->int_comp = 40;
  str_copy(ptr_glob->str_comp, "DHRYSTONE PROGRAM, SOME STRING");
  str_copy(str_1, "DHRYSTONE PROGRAM, 1'ST STRING");
  arr_2_glob[8][7] = 10;

  u64 check = 0;
  int int_1 = 0, int_2 = 0, int_3 = 0;
  enumeration enum_loc = IDENT_1;
  for (u32 run = 1; run <= OPAQUE((u32)RUNS); run++) {
    proc_5();
    proc_4();
    int_1 = 2;
    int_2 = 3;
    str_copy(str_2, "DHRYSTONE PROGRAM, 2'ND STRING");
    enum_loc = IDENT_2;
    bool_glob = !func_2(str_1, str_2);
    while (int_1 < int_2) {
      int_3 = 5 * int_1 - int_2;
      proc_7(int_1, int_2, &int_3);
      int_1 += 1;
    }
    proc_8(arr_1_glob, arr_2_glob, int_1, int_3);
    proc_1(ptr_glob);
    for (char c = 'A'; c <= ch_2_glob; c++)
      if (enum_loc == func_1(c, 'C')) {
        proc_6(IDENT_1, &enum_loc);
        str_copy(str_2, "DHRYSTONE PROGRAM, 3'RD STRING");
        int_2 = run;
        int_glob = run;
      }
    int_2 = int_2 * int_1;
    int_1 = int_2 / int_3;
    int_2 = 7 * (int_2 - int_3) - int_1;
    proc_2(&int_1);
    // Fold this run's state in, so each run's result matters (and varies with run).
    check = check * 33 + (u32)(int_1 + int_2 * 3 + int_3 * 7 + int_glob + (int)(run % 97)
                               + arr_2_glob[8][7] + ptr_glob->int_comp + next_ptr_glob->enum_comp);
  }
  for (int i = 0; i < 32; i++) check = check * 7 + (u8)str_2[i] + (u8)ptr_glob->str_comp[i];
  check ^= (u64)(u32)int_1 << 32 ^ (u32)int_2 ^ ((u64)bool_glob << 60) ^ ((u64)(u8)ch_1_glob << 48)
         ^ ((u64)(u8)ch_2_glob << 52) ^ (u32)arr_1_glob[8] ^ ((u64)enum_loc << 56);
  bench_result("intmix", "runs", RUNS, check);
  return 0;
}
