// The console: the PL011 UART of the virt board, polled. With the MMIO guard enrolled the
// guest must have mapped the UART's granule before printing (guard_console_map in guard.c).
#include "lib.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define FR_TXFF (1u << 5)

void putc(char c)
{
	while (read32(UART_BASE + UARTFR) & FR_TXFF)
		;
	write32(UART_BASE + UARTDR, (u8)c);
}

void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

void puthex(u64 v)
{
	int shift = 60;
	puts("0x");
	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void putdec(u64 v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		putc(buf[--i]);
}

struct smccc_res smccc(u64 fid, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fid;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;
	// SMCCC v1.1: x4..x17 may be clobbered by the call.
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "x17", "memory");
	return (struct smccc_res){ x0, x1, x2, x3 };
}
