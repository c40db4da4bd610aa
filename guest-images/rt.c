// The runtime of the guests built on rt-start.S (see rt.h).
#include "rt.h"

#define UART_BASE 0x09000000ul
#define UARTDR    0x000
#define UARTFR    0x018
#define FR_TXFF   (1u << 5) // transmit FIFO full

static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }

void uart_putc(char c)
{
	while (mmio_read32(UART_BASE + UARTFR) & FR_TXFF)
		;
	mmio_write32(UART_BASE + UARTDR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void put_hex(uint64_t v)
{
	uart_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void put_x(uint64_t v)
{
	int shift = 60;
	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	uart_puts("0x");
	for (; shift >= 0; shift -= 4)
		uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	uart_puts(&buf[i]);
}

uint64_t hvc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	// SMCCC 1.1: x4..x17 may be clobbered too.
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "x17", "memory");
	return x0;
}

uint64_t semihost(uint64_t op, uint64_t arg)
{
	register uint64_t x0 __asm__("x0") = op;
	register uint64_t x1 __asm__("x1") = arg;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

static int in_unexpected;

/** Called by rt-start.S for every exception. vector: the entry's index (0..15) in the table. */
void exception(uint64_t vector, struct frame *f)
{
	uint64_t esr = sysreg_read(esr_el1), far = sysreg_read(far_el1);
	// 0: current EL with SP_EL0, 4: current EL with SP_ELx; synchronous.
	if ((vector == 0 || vector == 4) && !in_unexpected) {
		on_sync(f, esr, far);
		return;
	}
	if (in_unexpected)
		for (;;)
			__asm__ volatile("wfi");
	in_unexpected = 1;
	uart_puts("unexpected exception: vector ");
	put_dec(vector);
	uart_puts(" ESR_EL1 ");
	put_hex(esr);
	uart_puts(" ELR_EL1 ");
	put_hex(f->elr);
	uart_puts(" FAR_EL1 ");
	put_hex(far);
	uart_puts("\n");
	psci_system_off();
}
