// autovec.elf: ordinary C built at -O2 WITHOUT -mgeneral-regs-only, so that clang vectorises the
// loops and copies with Advanced SIMD (loads/stores of Q registers, MOVI, DUP, ADD, UADDL,
// UMLAL, UMAXV, CMEQ, UZP1, XTN, FMOV (general), ...). String functions, reductions, a
// saturating add, a widening loop and a struct copy print their results; compared with QEMU
// (test/simd-guest.test.ts). -mstrict-align stays: with the MMU off every access is to Device
// memory, where an unaligned access faults (a64vm checks it, as the Arm ARM requires).
#include "rt.h"
#include <stddef.h>

// SIMD&FP must be enabled before any compiler-generated SIMD runs (CPACR_EL1.FPEN = 0b11).
static void fp_on(void)
{
	sysreg_write(cpacr_el1, sysreg_read(cpacr_el1) | (3ul << 20));
	isb();
}

__attribute__((noinline)) void *my_memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dd = d;
	const unsigned char *ss = s;
	for (size_t i = 0; i < n; i++)
		dd[i] = ss[i];
	return d;
}
__attribute__((noinline)) void *my_memset(void *d, int c, size_t n)
{
	unsigned char *dd = d;
	for (size_t i = 0; i < n; i++)
		dd[i] = (unsigned char)c;
	return d;
}
__attribute__((noinline)) size_t my_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
__attribute__((noinline)) uint32_t sum32(const uint32_t *a, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i];
	return s;
}
__attribute__((noinline)) int64_t dot16(const int16_t *a, const int16_t *b, size_t n)
{
	int64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += (int32_t)a[i] * b[i];
	return s;
}
__attribute__((noinline)) uint8_t maxu8(const uint8_t *a, size_t n)
{
	uint8_t m = 0;
	for (size_t i = 0; i < n; i++)
		m = a[i] > m ? a[i] : m;
	return m;
}
__attribute__((noinline)) void add_sat(uint8_t *d, const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = a[i] + b[i];
		d[i] = v > 255 ? 255 : v;
	}
}
__attribute__((noinline)) void widen(uint32_t *d, const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = a[i] * 3u + 1;
}
__attribute__((noinline)) int my_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}
__attribute__((noinline)) void reverse16(uint16_t *d, const uint16_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = s[n - 1 - i];
}
__attribute__((noinline)) uint32_t min_u32(const uint32_t *a, size_t n)
{
	uint32_t m = ~0u;
	for (size_t i = 0; i < n; i++)
		m = a[i] < m ? a[i] : m;
	return m;
}
__attribute__((noinline)) void narrow(uint8_t *d, const uint32_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(s[i] >> 3);
}
__attribute__((noinline)) unsigned count_eq(const char *s, char c, size_t n)
{
	unsigned k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}
void *memcpy(void *d, const void *s, size_t n) __attribute__((alias("my_memcpy")));
struct big { uint64_t a[9]; uint32_t b; };
__attribute__((noinline)) void copy_struct(struct big *d, const struct big *s) { *d = *s; }

static uint8_t buf1[1000], buf2[1000], buf3[1000];
static uint32_t w32[300];
static int16_t h1[257], h2[257];

__attribute__((noinline)) static void run(void)
{
	for (unsigned i = 0; i < 1000; i++) { buf1[i] = (uint8_t)(i * 37 + 11); buf2[i] = (uint8_t)(i * 91); }
	for (unsigned i = 0; i < 300; i++) w32[i] = i * 2654435761u;
	for (unsigned i = 0; i < 257; i++) { h1[i] = (int16_t)(i * 123 - 9000); h2[i] = (int16_t)(7000 - i * 77); }
	my_memcpy(buf3, buf1, 777);
	put_hex(sum32((const uint32_t *)buf3, 190)); uart_puts("\n");
	my_memset(buf3 + 3, 0x5a, 501);
	put_hex(sum32((const uint32_t *)buf3, 250)); uart_puts("\n");
	put_dec(my_strlen("the quick brown fox jumps over the lazy dog, twice: the quick brown fox")); uart_puts("\n");
	put_hex(sum32(w32, 300)); uart_puts("\n");
	put_hex((uint64_t)dot16(h1, h2, 257)); uart_puts("\n");
	put_hex(maxu8(buf2, 999)); uart_puts("\n");
	add_sat(buf3, buf1, buf2, 1000);
	put_hex(sum32((const uint32_t *)buf3, 250)); uart_puts("\n");
	widen(w32, buf2, 300);
	put_hex(sum32(w32, 300)); uart_puts("\n");
	put_dec(count_eq((const char *)buf1, 0x30, 1000)); uart_puts("\n");
	put_dec((uint64_t)(my_memcmp(buf1, buf3, 600) + 2)); uart_puts("\n");
	reverse16((uint16_t *)buf3, (const uint16_t *)buf1, 333);
	put_hex(sum32((const uint32_t *)buf3, 166)); uart_puts("\n");
	put_hex(min_u32(w32, 300)); uart_puts("\n");
	narrow(buf3, w32, 300);
	put_hex(sum32((const uint32_t *)buf3, 75)); uart_puts("\n");
	static struct big x = { { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 10 }, y;
	copy_struct(&y, &x);
	put_hex(y.a[8] + y.b); uart_puts("\n");
}

void on_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	uart_puts("unexpected: ESR ");
	put_hex(esr);
	uart_puts(" ELR ");
	put_hex(f->elr);
	uart_puts(" FAR ");
	put_hex(far);
	uart_puts("\n");
	psci_system_off();
}

int main(void)
{
	fp_on();
	run();
	uart_puts("done\n");
	return 0;
}
