// Shared helpers of the bench guests: PL011 output, the result line, the stage-1 identity map.
#ifndef BENCH_H
#define BENCH_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;
typedef int i32;
typedef unsigned long size_t;

#ifndef MMU
#define MMU 0
#endif

void uart_putc(char c);
void uart_puts(const char *s);
void uart_putdec(u64 v);
void uart_puthex(u64 v);

// Turns on the stage-1 MMU with an identity map when built with MMU=1 (no-op for MMU=0).
void mmu_setup(void);

// "BENCH <name> mmu=<on|off|-> <what>=<n> checksum=0x<hex>\n": the line compared with QEMU.
void bench_result(const char *name, const char *what, u64 amount, u64 checksum);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#define READ_SYSREG(r) ({ u64 __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((u64)(v)))

// Keeps the optimiser from folding the work away or from proving it constant.
#define OPAQUE(x) ({ __typeof__(x) __x = (x); __asm__ volatile("" : "+r"(__x)); __x; })

#endif
