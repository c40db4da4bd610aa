// Floating-point mix: a Mandelbrot escape count in double precision (FMUL, FMADD, FMSUB, FADD,
// FCMP), a 4-lane single-precision polynomial and Newton-Raphson reciprocal (FMLA, FRECPE,
// FRECPS, FMUL), and a conversion chain (SCVTF, FDIV, FSQRT, FRINTN, FCVTZS), REPS times. Values
// move between general and SIMD&FP registers with FMOV only, and the C code is compiled with
// -mgeneral-regs-only: every FP instruction is in the inline assembly below.
#include "bench.h"

#ifndef REPS
#define REPS 20
#endif
#define W 64
#define H 48
/* -mgeneral-regs-only also turns FP off in the assembler: enable it for the asm blocks. */
#define FPASM ".arch_extension fp\n.arch_extension simd\n"

/** Escape iteration count (at most 64) of z -> z^2 + c for c = px/32 + i py/16 (px, py integers). */
static u64 mandel(i64 px, i64 py)
{
	u64 n;
	__asm__ volatile(FPASM
		"scvtf d0, %1, #5\n"       // cr
		"scvtf d1, %2, #4\n"       // ci
		"fmov d2, xzr\n"           // zr
		"fmov d3, xzr\n"           // zi
		"fmov d7, #4.0\n"
		"mov %0, #0\n"
		"1: fmul d4, d2, d2\n"     // zr^2
		"fmul d5, d3, d3\n"        // zi^2
		"fadd d6, d4, d5\n"
		"fcmp d6, d7\n"
		"b.gt 2f\n"
		"fadd d6, d2, d2\n"        // 2 zr
		"fmadd d3, d6, d3, d1\n"   // zi = 2 zr zi + ci, fused
		"fsub d4, d4, d5\n"
		"fadd d2, d4, d0\n"        // zr = zr^2 - zi^2 + cr
		"add %0, %0, #1\n"
		"cmp %0, #64\n"
		"b.lo 1b\n"
		"2:\n"
		: "=&r"(n) : "r"(px), "r"(py) : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "cc");
	return n;
}

/**
 * Four single-precision lanes x (lo:hi): p(x) = ((0.5x + 0.25)x - 1)x + 2 with FMLA by element
 * (the constants in lane 0 of v1..v4, a vector of ones in v7), then 1/p(x) from FRECPE and two
 * FRECPS Newton-Raphson steps. Returns the four results in *lo:*hi.
 */
static void poly_recip(u64 *lo, u64 *hi)
{
	u64 ones = 0x3f8000003f800000ul;
	__asm__ volatile(FPASM
		"fmov d0, %0\n"
		"fmov v0.d[1], %1\n"
		"fmov d7, %2\n"
		"fmov v7.d[1], %2\n"
		"fmov s1, #0.5\n"
		"fmov s2, #0.25\n"
		"fmov s3, #-1.0\n"
		"fmov s4, #2.0\n"
		"fmov d6, xzr\n"
		"fmla v6.4s, v0.4s, v1.s[0]\n"
		"fmla v6.4s, v7.4s, v2.s[0]\n"
		"fmul v6.4s, v6.4s, v0.4s\n"
		"fmla v6.4s, v7.4s, v3.s[0]\n"
		"fmul v6.4s, v6.4s, v0.4s\n"
		"fmla v6.4s, v7.4s, v4.s[0]\n"
		"frecpe v5.4s, v6.4s\n"
		"frecps v1.4s, v6.4s, v5.4s\n"
		"fmul v5.4s, v5.4s, v1.4s\n"
		"frecps v1.4s, v6.4s, v5.4s\n"
		"fmul v5.4s, v5.4s, v1.4s\n"
		"fmov %0, d5\n"
		"fmov %1, v5.d[1]\n"
		: "+r"(*lo), "+r"(*hi) : "r"(ones) : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7");
}

/** sqrt(i / 7) rounded to nearest even, in single and double: FCVTZS of both, summed. */
static u64 convert(u64 i)
{
	u64 a, b;
	__asm__ volatile(FPASM
		"ucvtf d0, %2\n"
		"fmov d1, #7.0\n"
		"fdiv d0, d0, d1\n"
		"fsqrt d0, d0\n"
		"fcvt s2, d0\n"
		"frintn d0, d0\n"
		"fcvtzs %0, d0\n"
		"fcvtas %w1, s2\n"
		: "=r"(a), "=r"(b) : "r"(i) : "v0", "v1", "v2");
	return a + b;
}

int main(void)
{
	mmu_setup();
	WRITE_SYSREG(cpacr_el1, 3ul << 20); // FPEN: SIMD&FP without traps
	__asm__ volatile("isb");
	u64 check = 0, iters = 0;
	for (u32 r = 0; r < OPAQUE((u32)REPS); r++) {
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				u64 n = mandel(x - 44, y - 24);
				iters += n;
				check = check * 1000003u + n;
				u64 lo = ((u64)(x + 1) << 55) ^ ((u64)y << 20) ^ 0x3e0000003f000000ul, hi = lo ^ 0x0100000001000000ul;
				poly_recip(&lo, &hi);
				check = (check ^ lo) * 31 + hi + convert((u64)(x * H + y + r));
			}
	}
	bench_result("fpmix", "iterations", iters, check);
	return 0;
}
