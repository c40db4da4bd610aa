// A guest compiled the ordinary way: clang -O2 without -mgeneral-regs-only or -mstrict-align,
// so the compiler uses the SIMD&FP registers where it likes: vectorised loops, struct copies,
// zeroing, and floating point. Issue 11's check that real C code runs: the output must be the
// same on QEMU and a64vm (test/qemu-compare.test.ts).
//
// Everything here is plain C; only the output goes through the runtime (rt.c, general-purpose
// registers only). The string functions are written the simple way and left to the optimiser.
#include <stdint.h>
#include <stddef.h>
#include "../rt.h"

// ---- string functions (the optimiser vectorises the copying and filling loops) ----
static void *mem_copy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	for (size_t i = 0; i < n; i++) dp[i] = sp[i];
	return d;
}

static void *mem_fill(void *d, int c, size_t n)
{
	unsigned char *dp = d;
	for (size_t i = 0; i < n; i++) dp[i] = (unsigned char)c;
	return d;
}

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n]) n++;
	return n;
}

static int str_cmp(const char *a, const char *b)
{
	while (*a && *a == *b) { a++; b++; }
	return (unsigned char)*a - (unsigned char)*b;
}

static size_t count_byte(const unsigned char *p, size_t n, unsigned char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) k += p[i] == c;
	return k;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

// ---- vectorised arithmetic ----
static int64_t dot16(const int16_t *a, const int16_t *b, size_t n)
{
	int64_t s = 0;
	for (size_t i = 0; i < n; i++) s += (int32_t)a[i] * b[i];
	return s;
}

static void saxpy(float *y, const float *x, float a, size_t n)
{
	for (size_t i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

static uint32_t max_u32(const uint32_t *p, size_t n)
{
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++) m = p[i] > m ? p[i] : m;
	return m;
}

static double mean(const double *p, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++) s += p[i];
	return s / (double)n;
}

// ---- floating-point formatting: a double with `prec` decimals, rounded half away from zero ----
static void put_double(double v, int prec)
{
	char buf[64];
	int i = 0;
	if (v != v) { uart_puts("nan"); return; }
	if (v < 0) { uart_putc('-'); v = -v; }
	if (v > 1e18) { uart_puts("inf-ish"); return; }
	double scale = 1;
	for (int k = 0; k < prec; k++) scale *= 10;
	uint64_t fixed = (uint64_t)(v * scale + 0.5);
	uint64_t ip = fixed / (uint64_t)scale, fp = fixed % (uint64_t)scale;
	do { buf[i++] = (char)('0' + ip % 10); ip /= 10; } while (ip);
	while (i) uart_putc(buf[--i]);
	if (prec) {
		uart_putc('.');
		for (int k = prec - 1; k >= 0; k--) { buf[k] = (char)('0' + fp % 10); fp /= 10; }
		for (int k = 0; k < prec; k++) uart_putc(buf[k]);
	}
}

static double sqrt_newton(double x)
{
	double r = x > 1 ? x / 2 : 1;
	for (int k = 0; k < 60; k++) r = 0.5 * (r + x / r);
	return r;
}

struct record { char name[24]; double value; float weight; int32_t id; uint8_t tag[12]; };

static unsigned char src[4099], dst[4099];
static int16_t va[1000], vb[1000];
static float fx[517], fy[517];
static uint32_t words[777];
static double samples[333];
static struct record table[8];

void ordinary_main(void)
{
	uart_puts("ordinary C at -O2 with SIMD&FP\n");

	for (size_t i = 0; i < sizeof src; i++) src[i] = (unsigned char)(i * 7 + (i >> 3));
	// Copies at every alignment of source and destination, as memcpy sees them in practice.
	uint64_t h = 0;
	for (size_t off = 0; off < 16; off++) {
		mem_fill(dst, 0xa5, sizeof dst);
		mem_copy(dst + off, src + (15 - off), sizeof src - 16);
		h ^= fnv1a(dst, sizeof dst) + off;
	}
	uart_puts("copy/fill hash "); put_hex(h); uart_puts("\n");
	uart_puts("count 0x2a "); put_dec(count_byte(src, sizeof src, 0x2a)); uart_puts("\n");

	static const char *words_s[] = { "", "a", "hypervisor", "MMIO guard", "the quick brown fox jumps over the lazy dog" };
	for (size_t i = 0; i < sizeof words_s / sizeof words_s[0]; i++) {
		uart_puts("strlen "); put_dec(str_len(words_s[i]));
		uart_puts(" cmp "); put_dec((uint64_t)(str_cmp(words_s[i], "hypervisor") + 1000)); uart_puts("\n");
	}

	for (int i = 0; i < 1000; i++) { va[i] = (int16_t)(i * 37 - 18000); vb[i] = (int16_t)(12000 - i * 29); }
	uart_puts("dot16 "); put_dec((uint64_t)(dot16(va, vb, 1000) + (1ll << 40))); uart_puts("\n");

	for (int i = 0; i < 517; i++) { fx[i] = (float)i * 0.25f - 30.0f; fy[i] = 1.0f / (float)(i + 1); }
	saxpy(fy, fx, 1.5f, 517);
	float fs = 0;
	for (int i = 0; i < 517; i++) fs += fy[i];
	uart_puts("saxpy sum "); put_double(fs, 4); uart_puts("\n");

	for (int i = 0; i < 777; i++) words[i] = (uint32_t)(i * 2654435761u);
	uart_puts("max "); put_hex(max_u32(words, 777)); uart_puts("\n");

	for (int i = 0; i < 333; i++) samples[i] = (double)(i % 17) * 1.125 - 3.0 / (i + 1);
	uart_puts("mean "); put_double(mean(samples, 333), 9); uart_puts("\n");

	static const double values[] = { 0.0, 1.0, -2.5, 3.141592653589793, 2.718281828459045, 1e-7, 123456.789, 0.1 + 0.2 };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		uart_puts("value "); put_double(values[i], 6);
		uart_puts(" sqrt "); put_double(sqrt_newton(values[i] < 0 ? -values[i] : values[i]), 9);
		uart_puts(" bits "); union { double d; uint64_t u; } b = { .d = values[i] * 3.0 }; put_hex(b.u);
		uart_puts("\n");
	}

	// Struct copies and zeroing (the compiler uses q registers and LDP/STP of Q for these).
	struct record r = { "first", 1.5, 0.25f, 7, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 } };
	for (int i = 0; i < 8; i++) { table[i] = r; table[i].id += i; table[i].value *= i; r.tag[i] ^= (uint8_t)i; }
	struct record z = { 0 };
	table[3] = z;
	uart_puts("records hash "); put_hex(fnv1a((const unsigned char *)table, sizeof table)); uart_puts("\n");
	uart_puts("done\n");
}
