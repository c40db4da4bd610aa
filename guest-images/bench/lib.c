// Shared runtime of the bench guests. The UART is accessed with aligned 32-bit loads and stores
// only: with the MMU off every data access is Device memory, where an unaligned access faults.
#include "bench.h"

#define UART_BASE 0x09000000UL
#define UART_DR   (*(volatile u32 *)(UART_BASE + 0x000))
#define UART_FR   (*(volatile u32 *)(UART_BASE + 0x018))
#define FR_TXFF   (1u << 5)

void uart_putc(char c) {
  while (UART_FR & FR_TXFF) {}
  UART_DR = (u8)c;
}

void uart_puts(const char *s) {
  while (*s) uart_putc(*s++);
}

void uart_putdec(u64 v) {
  char buf[24];
  int i = 0;
  do { buf[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) uart_putc(buf[--i]);
}

void uart_puthex(u64 v) {
  // Fixed width (16 digits when the value needs more than 8, else 8) so lines compare easily.
  int digits = (v >> 32) ? 16 : 8;
  for (int i = digits - 1; i >= 0; i--) uart_putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

void bench_result(const char *name, const char *what, u64 amount, u64 checksum) {
  uart_puts("BENCH ");
  uart_puts(name);
  uart_puts(MMU ? " mmu=on " : " mmu=off ");
  uart_puts(what);
  uart_putc('=');
  uart_putdec(amount);
  uart_puts(" checksum=0x");
  uart_puthex(checksum);
  uart_putc('\n');
}

void report_unexpected_exception(u64 esr, u64 elr, u64 far) {
  uart_puts("BENCH FAIL unexpected exception esr=0x");
  uart_puthex(esr);
  uart_puts(" elr=0x");
  uart_puthex(elr);
  uart_puts(" far=0x");
  uart_puthex(far);
  uart_putc('\n');
}

// The compiler may emit calls to these even in freestanding code (struct copies, zeroing).
// -ffreestanding (implying -fno-builtin) stops it from turning these loops back into calls.
void *memset(void *d, int c, size_t n) {
  u8 *p = d;
  while (n--) *p++ = (u8)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  u8 *p = d;
  const u8 *q = s;
  while (n--) *p++ = *q++;
  return d;
}

#if MMU
// Stage-1 identity map, 4 KiB granule, 39-bit VA (T0SZ = 25, walks start at level 1):
//   L1[0]  1 GiB block at 0x0000_0000: Device-nGnRE, never executable (UART at 0x0900_0000)
//   L1[1]  -> L2 for 0x4000_0000..0x7FFF_FFFF
//   L2[0..RAM_PAGED_2M-1] -> L3 tables: 4 KiB pages, Normal write-back, inner shareable
// Pages rather than 2 MiB blocks so the pointer chase puts real pressure on the TLB.
#define RAM_BASE      0x40000000UL
#define RAM_PAGED_2M  16                     /* 32 MiB mapped: the image, its .bss and the DTB */

#define DESC_TABLE    0x3UL
#define DESC_BLOCK    0x1UL
#define DESC_PAGE     0x3UL
#define ATTR_IDX(n)   ((u64)(n) << 2)
#define SH_INNER      (3UL << 8)
#define AF            (1UL << 10)
#define PXN           (1UL << 53)
#define UXN           (1UL << 54)

#define MAIR_DEVICE_nGnRE 0x04UL             /* attr index 0 */
#define MAIR_NORMAL_WB    0xffUL             /* attr index 1: inner/outer WB, RW-allocate */

static u64 l1[512] __attribute__((aligned(4096)));
static u64 l2[512] __attribute__((aligned(4096)));
static u64 l3[RAM_PAGED_2M][512] __attribute__((aligned(4096)));

void mmu_setup(void) {
  l1[0] = 0x00000000UL | DESC_BLOCK | ATTR_IDX(0) | AF | PXN | UXN;
  l1[1] = (u64)l2 | DESC_TABLE;
  for (u64 i = 0; i < RAM_PAGED_2M; i++) {
    l2[i] = (u64)l3[i] | DESC_TABLE;
    for (u64 j = 0; j < 512; j++) {
      u64 pa = RAM_BASE + (i << 21) + (j << 12);
      l3[i][j] = pa | DESC_PAGE | ATTR_IDX(1) | SH_INNER | AF;
    }
  }
  // Table writes must be visible to the walker before the MMU uses them.
  __asm__ volatile("dsb ishst" ::: "memory");

  WRITE_SYSREG(mair_el1, MAIR_DEVICE_nGnRE | (MAIR_NORMAL_WB << 8));
  u64 tcr = 25UL                 /* T0SZ: 39-bit VA */
          | (1UL << 8)           /* IRGN0: WB RA WA */
          | (1UL << 10)          /* ORGN0: WB RA WA */
          | (3UL << 12)          /* SH0: inner shareable */
          | (0UL << 14)          /* TG0: 4 KiB */
          | (1UL << 23)          /* EPD1: no TTBR1 walks */
          | (2UL << 32);         /* IPS: 40-bit PA */
  WRITE_SYSREG(tcr_el1, tcr);
  WRITE_SYSREG(ttbr0_el1, (u64)l1);
  __asm__ volatile("isb" ::: "memory");
  __asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");

  u64 sctlr = READ_SYSREG(sctlr_el1);
  sctlr |= (1UL << 0) | (1UL << 2) | (1UL << 12);   /* M, C, I */
  WRITE_SYSREG(sctlr_el1, sctlr);
  __asm__ volatile("isb" ::: "memory");
}
#else
void mmu_setup(void) {}
#endif
