// The first guest: prints a line through the PL011 UART of the virt board and returns to
// start.S, which powers off. Runs with the MMU off, so every data access is Device memory:
// the UART is touched only with aligned 32-bit loads and stores of one register.
#include <stdint.h>

#define UART_BASE 0x09000000ul
#define UARTDR    0x000
#define UARTFR    0x018
#define FR_TXFF   (1u << 5) // transmit FIFO full

static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }

static void uart_putc(char c)
{
	while (mmio_read32(UART_BASE + UARTFR) & FR_TXFF)
		;
	mmio_write32(UART_BASE + UARTDR, (uint8_t)c);
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static void uart_puthex(uint64_t v)
{
	uart_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void report_exception(uint64_t esr, uint64_t elr, uint64_t far)
{
	uart_puts("unexpected exception: ESR_EL1 ");
	uart_puthex(esr);
	uart_puts(" ELR_EL1 ");
	uart_puthex(elr);
	uart_puts(" FAR_EL1 ");
	uart_puthex(far);
	uart_puts("\n");
}

int main(void)
{
	uart_puts("Hello from a64vm\n");
	return 0;
}
