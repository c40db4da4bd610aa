// simd.elf: SIMD&FP from the guest's side, compared with QEMU (test/simd-guest.test.ts).
//
//   1. CPACR_EL1.FPEN: with access disabled at EL1, MRS/MSR of FPCR/FPSR and SIMD&FP loads trap
//      to EL1 with EC 0x07; the handler prints ESR_EL1 and skips the instruction.
//   2. FPCR and FPSR: which bits are writable.
//   3. With the MMU on (identity map, RAM Normal write-back): every instruction of the table in
//      simd-cases.inc (assembled into simd-harness.S) runs over several pseudo-random states of
//      V0..V31, X0..X3 and a 512-byte buffer X0 points into; the guest prints, per instruction,
//      a 64-bit FNV-1a hash (over words) of the registers, FPSR and the buffer after each run. The register
//      patterns (pattern()) include small values and values at the signed/unsigned limits.
//   4. The loads and stores again with SCTLR_EL1.A = 1 and X0 misaligned by one byte: alignment faults,
//      printed with their ESR_EL1 and FAR_EL1 (as offsets from the buffer).
//
// Built with -mgeneral-regs-only like the other guests: the C code itself never touches a SIMD&FP
// register; only simd-harness.S does.
#include "rt.h"

struct state {
	uint8_t v[32][16];
	uint64_t x[4];
	uint64_t fpsr;
	uint64_t pad[3];
	uint8_t mem[512];
};
_Static_assert(__builtin_offsetof(struct state, mem) == 576, "layout shared with simd-harness.S");

struct simd_case {
	const char *name;
	void (*fn)(void);
};

extern const struct simd_case simd_cases[], simd_ldst_cases_end[], simd_cases_end[];
void run_case(void (*fn)(void), struct state *st);
uint64_t probe_mrs_fpcr(void), probe_mrs_fpsr(void);
void probe_msr_fpcr(uint64_t v), probe_msr_fpsr(uint64_t v), probe_ldr_q(const void *p), probe_ld1(const void *p);
uint64_t fpcr_rw(uint64_t v), fpsr_rw(uint64_t v);

static struct state st __attribute__((aligned(64)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uintptr_t fault_base; // FAR_EL1 is printed relative to this
static int faults;

void on_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	uint64_t ec = esr >> 26;
	faults++;
	uart_puts("  taken: EC ");
	put_x(ec);
	uart_puts(" ESR_EL1 ");
	put_hex(esr);
	if (ec == 0x25) {
		uart_puts(" FAR_EL1 - buffer ");
		put_hex(far - fault_base);
	}
	uart_puts("\n");
	f->elr += 4;
}

static void set_fpen(uint64_t fpen)
{
	uint64_t cpacr = sysreg_read(cpacr_el1);
	sysreg_write(cpacr_el1, (cpacr & ~(3ul << 20)) | (fpen << 20));
	isb();
}

static void access_checks(void)
{
	static uint8_t buf[16] __attribute__((aligned(16)));
	for (uint64_t fpen = 0; fpen < 4; fpen++) {
		set_fpen(fpen);
		uart_puts("CPACR_EL1.FPEN = ");
		put_dec(fpen);
		uart_puts(" at EL1\n");
		uart_puts(" mrs x0, fpcr\n");
		probe_mrs_fpcr();
		uart_puts(" mrs x0, fpsr\n");
		probe_mrs_fpsr();
		uart_puts(" msr fpcr, x0\n");
		probe_msr_fpcr(0);
		uart_puts(" msr fpsr, x0\n");
		probe_msr_fpsr(0);
		uart_puts(" ldr q0, [x0]\n");
		probe_ldr_q(buf);
		uart_puts(" ld1 {v0.16b}, [x0]\n");
		probe_ld1(buf);
	}
}

static void fpcr_fpsr(void)
{
	static const uint64_t values[] = { 0xfffffffful, 0xfffffffffffffffful, 0x07c00000ul, 0x00400000ul,
					   0x0800009ful, 0x00009f00ul, 0x00370000ul, 0xf0000000ul };
	for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
		uart_puts("FPCR <- ");
		put_hex(values[i]);
		uart_puts(" reads ");
		put_hex(fpcr_rw(values[i]));
		uart_puts("\nFPSR <- ");
		put_hex(values[i]);
		uart_puts(" reads ");
		put_hex(fpsr_rw(values[i]));
		uart_puts("\n");
	}
}

// Identity map with 1 GiB level-1 blocks: the first GiB (UART) Device-nGnRnE, RAM Normal WB.
static void mmu_on(void)
{
	l1[0] = 0x0ul | (1ul << 10) | (0ul << 2) | 1;
	l1[1] = 0x40000000ul | (1ul << 10) | (3ul << 8) | (1ul << 2) | 1;
	sysreg_write(mair_el1, 0xfful << 8);
	// T0SZ = 25, IRGN0 = ORGN0 = WB, SH0 = inner, TG0 = 4 KiB, EPD1, IPS = 40 bits.
	sysreg_write(tcr_el1, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (2ul << 32));
	sysreg_write(ttbr0_el1, (uint64_t)l1);
	isb();
	__asm__ volatile("tlbi vmalle1" : : : "memory");
	dsb(nsh);
	sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | 1 | (1ul << 2) | (1ul << 12));
	isb();
}

static uint64_t rng;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

// FNV-1a over 64-bit words (cheaper than bytes, and as sensitive to any changed bit).
static uint64_t fnv(uint64_t h, const uint64_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ul;
	return h;
}

#define RUNS 8

// Register contents by run: random bits, then bytes in small ranges (shift counts, table
// indices), bytes at the signed/unsigned limits, and doublewords at the limits.
static uint64_t pattern(unsigned run)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x81, 0x40 };
	static const uint64_t words[] = { 0, ~0ul, 1ul << 63, ~0ul >> 1, 0x0000000100000001ul, 0x8000000080000000ul,
					  0x7fff80007fff8000ul, 0x00ff00ff00ff00fful };
	uint64_t r = next();
	switch (run) {
	case 2: return r & 0x3f3f3f3f3f3f3f3ful;
	case 3: return r & 0x8787878787878787ul;
	case 4: {
		uint64_t x = 0;
		for (int i = 0; i < 8; i++)
			x |= (uint64_t)bytes[(r >> (3 * i)) & 7] << (8 * i);
		return x;
	}
	case 5: return words[r & 7];
	case 6: return r & 0x1f1f1f1f1f1f1f1ful;
	default: return r;
	}
}

static void run_table(const struct simd_case *end, unsigned misalign)
{
	unsigned index = 0;
	for (const struct simd_case *c = simd_cases; c < end; c++, index++) {
		uint64_t h = 0xcbf29ce484222325ul;
		uart_puts(c->name);
		uart_puts("\n");
		for (unsigned run = 0; run < RUNS; run++) {
			rng = 0x9e3779b97f4a7c15ul ^ ((uint64_t)index << 32) ^ run;
			uint64_t *v = (uint64_t *)st.v;
			for (unsigned i = 0; i < 64; i++)
				v[i] = pattern(run);
			uint64_t *m = (uint64_t *)st.mem;
			for (unsigned i = 0; i < 64; i++)
				m[i] = next();
			st.x[0] = (uint64_t)&st.mem[192 + misalign];
			st.x[1] = run + (run > 3 ? 2 : 0);
			st.x[2] = (uint32_t)-(int32_t)(run + 1);
			st.x[3] = (next() << 32) | run;
			st.fpsr = 0;
			run_case(c->fn, &st);
			st.x[0] -= (uint64_t)st.mem; // the writeback, as an offset
			h = fnv(h, (const uint64_t *)&st, sizeof st / 8);
		}
		uart_puts("  ");
		put_hex(h);
		uart_puts("\n");
	}
}

int main(void)
{
	uart_puts("simd test\n");
	access_checks();
	set_fpen(3);
	fpcr_fpsr();
	mmu_on();
	fault_base = (uint64_t)st.mem;
	uart_puts("MMU on, SCTLR_EL1.A = 0\n");
	run_table(simd_cases_end, 0);
	uart_puts("SCTLR_EL1.A = 1, X0 misaligned by 1\n");
	sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | 2);
	isb();
	run_table(simd_ldst_cases_end, 1);
	uart_puts("faults: ");
	put_dec(faults);
	uart_puts("\nsimd test done\n");
	return 0;
}
