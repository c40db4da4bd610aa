// parser.elf: the example fuzzing target (issue 9; src/tools/fuzz, parser.json). A record parser
// with a memory-safety bug behind a 4-byte magic and a length check:
//
//   "A64F"  u16 total length (7..input length; the rest is ignored)  u8 record count  then records:
//   u8 type, u8 len, len bytes.  Type 1: name (<= 16 bytes)  2: add a u32 to the sum  3: label
//
// The bug: a type-3 label is checked against 48 bytes, but the label buffer holds 16 and is
// followed by the pointer the sum is stored through, so a long label redirects that store: the
// guest takes a data abort (outside RAM) and ends in `unexpected` (start.S), the harness's crash
// symbol. The fuzzer starts at fuzz_one() (after boot) and ends when fuzz_done() is reached.
// Without input (the buffer is empty, as on QEMU) it prints a line and powers off.
#include <stdint.h>

#define UART_BASE 0x09000000ul
#define INPUT_MAX 4096

static inline void mmio_write32(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }

static void uart_puts(const char *s)
{
	for (; *s; s++) {
		while (mmio_read32(UART_BASE + 0x18) & (1u << 5))
			;
		mmio_write32(UART_BASE, (uint8_t)*s);
	}
}

static void uart_puthex(uint64_t v)
{
	uart_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4) {
		char c[2] = { "0123456789abcdef"[(v >> shift) & 0xf], 0 };
		uart_puts(c);
	}
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

/* The harness writes the input here and its length into fuzz_input_len. */
volatile uint32_t fuzz_input_len;
uint8_t fuzz_input[INPUT_MAX];

static uint32_t sum_value;
static struct {
	char label[16];
	uint32_t *sum_out; /* where the sum goes: the label overflow reaches it */
	char name[16];
} state;

static uint32_t rd16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

static int parse(const uint8_t *p, uint32_t n)
{
	if (n < 7 || rd32(p) != 0x46343641) /* "A64F" */
		return -1;
	uint32_t total = rd16(p + 4);
	if (total < 7 || total > n) /* the records end where the header says */
		return -2;
	n = total;
	uint32_t count = p[6], i = 7, sum = 0;
	state.sum_out = &sum_value;
	for (uint32_t r = 0; r < count; r++) {
		if (i + 2 > n)
			return -3;
		uint32_t type = p[i], len = p[i + 1];
		i += 2;
		if (i + len > n)
			return -4;
		switch (type) {
		case 1:
			if (len > sizeof state.name)
				return -5;
			for (uint32_t k = 0; k < len; k++)
				state.name[k] = (char)p[i + k];
			break;
		case 2:
			if (len != 4)
				return -6;
			sum += rd32(p + i);
			break;
		case 3:
			if (len > 48) /* BUG: the label holds 16 bytes */
				return -7;
			for (uint32_t k = 0; k < len; k++)
				state.label[k] = (char)p[i + k];
			break;
		default:
			return -8;
		}
		i += len;
	}
	*state.sum_out = sum;
	return (int)count;
}

/* The harness's start: its snapshot is taken on entry, before the input is read. */
__attribute__((noinline)) int fuzz_one(void)
{
	return parse(fuzz_input, fuzz_input_len);
}

/* The harness's end: reaching it finishes an execution. */
__attribute__((noinline)) void fuzz_done(int result)
{
	__asm__ volatile("" ::"r"(result) : "memory");
}

int main(void)
{
	uart_puts("parser: ready\n");
	int r = fuzz_one();
	fuzz_done(r);
	uart_puts(r < 0 ? "parser: rejected\n" : "parser: parsed\n");
	return 0;
}
