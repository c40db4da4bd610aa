// The gdb stub's test guest (test/gdbstub.test.ts), built with debug information: a global
// variable to watch, a function to break on, a result that shows a register changed from gdb.
// Runs with the MMU off, like hello.elf; prints through the PL011 and powers off.
#include <stdint.h>

#define UART_BASE 0x09000000ul
#define UARTDR    0x000
#define UARTFR    0x018
#define FR_TXFF   (1u << 5)

volatile uint32_t counter;      // the watched variable
uint64_t results[4];            // square(1..4), unless a debugger changed something

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

static void uart_putdec(uint64_t v)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		uart_putc(buf[--n]);
}

__attribute__((noinline)) uint64_t square(uint64_t x)
{
	return x * x;
}

void report_exception(uint64_t esr, uint64_t elr, uint64_t far)
{
	(void)elr;
	(void)far;
	uart_puts("unexpected exception, ESR_EL1 ");
	uart_putdec(esr);
	uart_puts("\n");
}

int main(void)
{
	uint64_t sum = 0;

	uart_puts("debug guest: start\n");
	for (int i = 0; i < 4; i++) {
		results[i] = square((uint64_t)i + 1);
		counter = counter + 1;
	}
	for (int i = 0; i < 4; i++)
		sum += results[i];
	uart_puts("counter = ");
	uart_putdec(counter);
	uart_puts(", sum of squares = ");
	uart_putdec(sum);
	uart_puts("\n");
	return 0;
}
