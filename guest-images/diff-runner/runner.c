/*
 * diff-runner: runs differential-test cases one instruction at a time and prints what each
 * changed. Bare metal, EL1, on QEMU's virt board and on a64vm. The case file format and the
 * output lines are described in format.h.
 *
 * Memory: by default the MMU is on with an identity map (1 GiB blocks: 0..1 GiB Device-nGnRnE
 * and execute-never, 1..2 GiB Normal write-back), so that unaligned accesses to RAM are legal and
 * both emulators must perform them. Cases flagged F_MMU_OFF run with SCTLR_EL1.M = 0, where every
 * data access is Device-nGnRnE and an unaligned one is an alignment fault (Arm ARM B2.5.2);
 * Debian's QEMU 7.2 does not raise those faults, which the harness knows as the deviation
 * DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF (src/tools/difftest/compare.ts).
 */
#include <stdint.h>
#include "format.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;

#define UART_BASE 0x09000000UL
#define UART_DR   0x00
#define UART_FR   0x18
#define UART_CR   0x30
#define FR_TXFF   (1u << 5)

struct case_state {
	u64 x[31];
	u64 sp;
	u64 nzcv;
	u64 daif;
	u64 mon_kind;
	u64 mon_addr;
	u64 fp;        /* nonzero: an F_FP case (start.S sets and reads the SIMD&FP state) */
	u64 fpcr;
	u64 fpsr;
	u64 v[32][2];  /* V0..V31: low, high 64 bits */
};

extern void run_case(struct case_state *s);
extern void psci_off(void) __attribute__((noreturn));
extern u64 save_area[102];
extern u32 vectors[];

/* SCTLR_EL1: RES1 bits of Armv8.0 (29 28 23 22 20 11), nTWE, nTWI, I, C, M. SA = SA0 = A = 0. */
#define SCTLR_BASE 0x30D51804UL
#define SCTLR_M    (1UL << 0)
#define SCTLR_A    (1UL << 1)

static const u64 SYS_MASKS[NSYS] = {
	~0UL, ~0UL, 0xffffffffUL, ~0UL, ~0UL, 0xf00003cdUL, 0xffffffffUL, ~0UL, ~0UL,
};

static u64 l1_table[512] __attribute__((aligned(4096)));

/* ---- UART (single-register accesses, so a hypervisor can always emulate them) ---- */
static inline u32 mmio_r32(u64 a) {
	u32 v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void mmio_w32(u64 a, u32 v) {
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static void uart_putc(char c) {
	while (mmio_r32(UART_BASE + UART_FR) & FR_TXFF) {}
	mmio_w32(UART_BASE + UART_DR, (u8)c);
}

static char line[4096];
static u32 llen;

static void out_c(char c) { if (llen < sizeof line - 2) line[llen++] = c; }
static void out_s(const char *s) { while (*s) out_c(*s++); }
static void out_hex(u64 v, int digits) {
	/* digits = 0: as few as needed */
	if (digits == 0) { digits = 1; for (u64 t = v >> 4; t; t >>= 4) digits++; }
	for (int i = digits - 1; i >= 0; i--) out_c("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void out_dec(u64 v) {
	char b[24]; int n = 0;
	do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
	while (n) out_c(b[--n]);
}
static void out_sdec(int64_t v) { if (v < 0) { out_c('-'); out_dec((u64)-v); } else out_dec((u64)v); }
static void out_shex(int64_t v) { if (v < 0) { out_c('-'); out_hex((u64)-v, 0); } else { out_c('+'); out_hex((u64)v, 0); } }
/*
 * The result sink (format.h, header field out_size): the UART, or a RAM buffer the host reads
 * back after the run. Both get the same bytes; only where they go differs. The buffer's first
 * u64 is the number of text bytes written so far, updated after every line, so that a run the
 * host stops early still shows every finished line.
 */
static volatile u8 *out_buf;  /* 0: the UART */
static u64 out_cap, out_len;

static void flush_line(void) {
	line[llen++] = '\n';
	if (out_buf && out_len + llen > out_cap) {
		/* Full: say so on the UART (the host reads both), then stop as for any error. */
		out_buf = 0;
		static const char full[] = "ERR result buffer full\n";
		for (u32 i = 0; full[i]; i++) uart_putc(full[i]);
		llen = 0;
		psci_off();
	}
	if (out_buf) {
		for (u32 i = 0; i < llen; i++) out_buf[8 + out_len + i] = (u8)line[i];
		out_len += llen;
		*(volatile u64 *)out_buf = out_len;
	} else {
		for (u32 i = 0; i < llen; i++) uart_putc(line[i]);
	}
	llen = 0;
}

/* ---- system registers ---- */
#define MRS(name) ({ u64 _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })
#define MSR(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((u64)(v)))

static void sys_write(int i, u64 v) {
	switch (i) {
	case 0: MSR(tpidr_el0, v); break;
	case 1: MSR(tpidr_el1, v); break;
	case 2: MSR(contextidr_el1, v); break;
	case 3: MSR(sp_el0, v); break;
	case 4: MSR(elr_el1, v); break;
	case 5: MSR(spsr_el1, v); break;
	case 6: MSR(esr_el1, v); break;
	case 7: MSR(far_el1, v); break;
	case 8: MSR(tpidrro_el0, v); break;
	}
}
static u64 sys_read(int i) {
	switch (i) {
	case 0: return MRS(tpidr_el0);
	case 1: return MRS(tpidr_el1);
	case 2: return MRS(contextidr_el1);
	case 3: return MRS(sp_el0);
	case 4: return MRS(elr_el1);
	case 5: return MRS(spsr_el1);
	case 6: return MRS(esr_el1);
	case 7: return MRS(far_el1);
	case 8: return MRS(tpidrro_el0);
	}
	return 0;
}

/* ---- the PRNGs shared with src/tools/difftest/format.ts (Rng32, StateRng) ---- */
static u32 rng32(u32 *s) {
	u32 z = (*s += 0x9E3779B9u);
	z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
	z = (z ^ (z >> 13)) * 0xC2B2AE35u;
	return z ^ (z >> 16);
}
/*
 * The initial state's values: xorshift128+ (Vigna; 4 instructions per 64-bit value on AArch64,
 * where splitmix32 pairs took 14: the draws were a third of the runner's instructions per case),
 * its two state words filled from the case's seed by four rng32 draws (hi first).
 */
struct xs128 { u64 s0, s1; };
static void xs_seed(struct xs128 *x, u32 seed) {
	u32 s = seed;
	u64 a = rng32(&s); a = (a << 32) | rng32(&s);
	u64 b = rng32(&s); b = (b << 32) | rng32(&s);
	x->s0 = a | ((a | b) == 0); /* never both zero */
	x->s1 = b;
}
static inline u64 xs_next(struct xs128 *x) {
	u64 a = x->s0;
	const u64 b = x->s1;
	x->s0 = b;
	a ^= a << 23;
	x->s1 = a ^ b ^ (a >> 17) ^ (b >> 26);
	return x->s1 + b;
}

/* ---- memory ---- */
static u64 cur_sctlr;

static void set_sctlr(u64 v) {
	if (v == cur_sctlr) return;
	__asm__ volatile("dsb sy");
	if ((v & SCTLR_M) && !(cur_sctlr & SCTLR_M)) __asm__ volatile("tlbi vmalle1\n dsb ish\n isb");
	MSR(sctlr_el1, v);
	__asm__ volatile("isb");
	cur_sctlr = v;
}

static void mmu_init(void) {
	/* Block descriptors: AF, attribute index, block type. AP = 00: EL1 read/write. */
	l1_table[0] = 0x00000000UL | (1UL << 54) | (1UL << 53) | (1UL << 10) | (0UL << 2) | 1;
	l1_table[1] = 0x40000000UL | (3UL << 8) | (1UL << 10) | (1UL << 2) | 1;
	MSR(mair_el1, 0xff00UL); /* attr0 Device-nGnRnE, attr1 Normal write-back */
	/* T0SZ 25 (39-bit VA, walk starts at level 1), IRGN0/ORGN0 WB, SH0 inner, TG0 4K, EPD1, IPS 32 bits */
	MSR(tcr_el1, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23));
	MSR(ttbr0_el1, (u64)l1_table);
	MSR(ttbr1_el1, 0);
	__asm__ volatile("dsb ish\n isb");
	cur_sctlr = SCTLR_BASE;
	MSR(sctlr_el1, SCTLR_BASE);
	__asm__ volatile("isb");
	set_sctlr(SCTLR_BASE | SCTLR_M);
}

static void write_slot(u32 insn) {
	volatile u32 *slot = (volatile u32 *)SLOT_ADDR;
	if (*slot == insn) return;
	*slot = insn;
	/* Self-modifying code: clean to PoU, invalidate the I-cache line, synchronise (B2.4.4). */
	__asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" : : "r"((u64)SLOT_ADDR) : "memory");
}

static void err(const char *m) {
	out_s("ERR "); out_s(m); flush_line();
	psci_off();
}

void runner_fault(void) {
	out_s("ERR runner exception esr="); out_hex(MRS(esr_el1), 0);
	out_s(" elr="); out_hex(MRS(elr_el1), 0);
	out_s(" far="); out_hex(MRS(far_el1), 0);
	flush_line();
	psci_off();
}

static u64 rd64(const u8 *p) { return *(const u64 *)p; } /* 8-byte aligned by the format */
static u32 rd32(const u8 *p) { return *(const u32 *)p; }

void runner_main(void) {
	mmio_w32(UART_BASE + UART_CR, 0x301); /* UARTEN, TXE, RXE */
	mmu_init();

	const u8 *f = (const u8 *)(uintptr_t)CASES_ADDR;
	if (rd64(f) != 0x3153414344343641UL) err("bad magic (want A64DCAS1)");
	if (rd32(f + 8) != 3) err("unsupported version (want 3)");
	u32 count = rd32(f + 12);
	if (rd64(f + 16) != WINDOW_ADDR || rd32(f + 24) != WINDOW_SIZE) err("window mismatch");
	if (rd64(f + 32) != SLOT_ADDR) err("slot mismatch");
	u64 total = rd64(f + 40);
	if (total < HDR_SIZE || total > 0x3000000UL) err("bad size");
	u32 out_size = rd32(f + 28);
	if (out_size) {
		u64 a = OUT_ADDR(total);
		if (out_size % 8 || out_size < 16 || a + out_size > RAM_END) err("bad result buffer size");
		out_buf = (volatile u8 *)(uintptr_t)a;
		out_cap = out_size - 8;
		*(volatile u64 *)out_buf = 0;
	}

	out_s("A64DIFF 1 count="); out_dec(count);
	out_s(" slot="); out_hex(SLOT_ADDR, 0);
	out_s(" window="); out_hex(WINDOW_ADDR, 0);
	flush_line();

	volatile u64 *win = (volatile u64 *)(uintptr_t)WINDOW_ADDR;
	static struct case_state st;
	static u64 sys0[NSYS];
	static u64 win0[WINDOW_WORDS];
	u64 off = HDR_SIZE;

	for (u32 ci = 0; ci < count; ci++) {
		if (off + CASE_FIXED > total) err("truncated case");
		const u8 *c = f + off;
		u32 insn = rd32(c);
		u8 pstate = c[4], flags = c[5], mon = c[6], mon_off = c[7];
		u32 seed = rd32(c + 8);
		u32 wmask = rd32(c + 12);
		u64 rmask = rd64(c + 16);
		int fp = (flags & F_FP) != 0;
		u32 vmask = fp ? rd32(c + 32) : 0;
		u64 fixed = CASE_FIXED + (fp ? CASE_FP_BLOCK : 0);
		if (off + fixed > total) err("truncated case");
		const u8 *vals = c + fixed;
		u32 nvals = (u32)__builtin_popcountll(rmask) + (u32)__builtin_popcount(wmask) + 2 * (u32)__builtin_popcount(vmask);
		off += fixed + 8UL * nvals;
		if (off > total) err("truncated case values");
		if ((rmask >> (32 + NSYS)) != 0) err("bad rmask");
		if (mon > 6) err("bad monitor");
		if (flags & ~(F_MMU_OFF | F_ALIGN_CHECK | F_FP)) err("bad flags");

		/* initial state */
		struct xs128 r;
		xs_seed(&r, seed);
		for (int i = 0; i < 31; i++) st.x[i] = xs_next(&r);
		st.sp = xs_next(&r);
		for (int i = 0; i < NSYS; i++) sys0[i] = xs_next(&r);
		for (int i = 0; i < WINDOW_WORDS; i++) win0[i] = xs_next(&r);
		if (fp) for (int i = 0; i < 32; i++) st.v[i][0] = xs_next(&r), st.v[i][1] = xs_next(&r);
		for (u64 m = rmask; m; m &= m - 1) { /* set bits, lowest first */
			int n = __builtin_ctzll(m);
			u64 v = rd64(vals); vals += 8;
			if (n < 31) st.x[n] = v;
			else if (n == 31) st.sp = v;
			else sys0[n - 32] = v;
		}
		for (u32 m = wmask; m; m &= m - 1) win0[__builtin_ctz(m)] = rd64(vals), vals += 8;
		for (u32 m = vmask; m; m &= m - 1) {
			int n = __builtin_ctz(m);
			st.v[n][0] = rd64(vals); st.v[n][1] = rd64(vals + 8); vals += 16;
		}
		st.fp = fp;
		st.fpcr = fp ? rd32(c + 24) : 0;
		st.fpsr = fp ? rd32(c + 28) : 0;
		for (int i = 0; i < NSYS; i++) sys0[i] &= SYS_MASKS[i];
		st.nzcv = (u64)(pstate & 15) << 28;
		st.daif = (u64)(pstate >> 4) << 6;
		st.mon_kind = mon;
		st.mon_addr = WINDOW_ADDR + mon_off;

		u64 sctlr = SCTLR_BASE | ((flags & F_MMU_OFF) ? 0 : SCTLR_M) | ((flags & F_ALIGN_CHECK) ? SCTLR_A : 0);
		set_sctlr(sctlr);
		for (int i = 0; i < WINDOW_WORDS; i++) win[i] = win0[i];
		write_slot(insn);
		for (int i = 0; i < NSYS; i++) sys_write(i, sys0[i]);
		__asm__ volatile("isb" ::: "memory");

		run_case(&st);

		/* report */
		u64 marker = save_area[33];
		int exc = marker >= 0x1000;
		out_c('C'); out_hex(ci, 0);
		if (exc) {
			u64 spsr = MRS(spsr_el1);
			out_s(" v="); out_hex(marker - 0x1000, 0);
			out_s(" esr="); out_hex(MRS(esr_el1), 0);
			out_s(" elr="); out_shex((int64_t)(MRS(elr_el1) - SLOT_ADDR));
			out_s(" far="); out_hex(MRS(far_el1), 0);
			out_s(" spsr="); out_hex(spsr, 0);
		} else {
			out_s(" p="); out_sdec((int64_t)marker - PADS);
		}
		for (int i = 0; i < 31; i++) {
			if (save_area[i] == st.x[i]) continue;
			out_s(" x"); out_dec(i); out_c('='); out_hex(save_area[i], 16);
		}
		if (save_area[31] != st.sp) { out_s(" sp="); out_hex(save_area[31], 16); }
		u64 nzcv = save_area[32] >> 28;
		if (nzcv != (u64)(pstate & 15)) { out_s(" f="); out_hex(nzcv, 1); }
		u64 daif, sel;
		if (exc) { u64 spsr = MRS(spsr_el1); daif = (spsr >> 6) & 15; sel = spsr & 1; }
		else { daif = (save_area[35] >> 6) & 15; sel = save_area[34] & 1; }
		if (daif != (u64)(pstate >> 4)) { out_s(" d="); out_hex(daif, 1); }
		if (sel != 1) { out_s(" sel="); out_dec(sel); }
		for (int i = 0; i < WINDOW_WORDS; i++) {
			u64 v = win[i];
			if (v == win0[i]) continue;
			out_s(" w"); out_hex(i, 0); out_c('='); out_hex(v, 16);
		}
		for (int i = 0; i < NSYS_REPORTED; i++) {
			if (exc && i >= 4 && i <= 7) continue; /* ELR SPSR ESR FAR: in the exception record */
			u64 v = sys_read(i);
			if (v == sys0[i]) continue;
			out_s(" s"); out_dec(i); out_c('='); out_hex(v, 16);
		}
		if (fp) {
			for (int i = 0; i < 32; i++) {
				u64 lo = save_area[38 + 2 * i], hi = save_area[39 + 2 * i];
				if (lo == st.v[i][0] && hi == st.v[i][1]) continue;
				out_s(" q"); out_dec(i); out_c('='); out_hex(hi, 16); out_hex(lo, 16);
			}
			if (save_area[37] != st.fpsr) { out_s(" fpsr="); out_hex(save_area[37], 0); }
			if (save_area[36] != st.fpcr) { out_s(" fpcr="); out_hex(save_area[36], 0); }
		}
		flush_line();
	}
	set_sctlr(SCTLR_BASE | SCTLR_M);
	out_s("END "); out_dec(count);
	flush_line();
}

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *d, int c, unsigned long n) { u8 *p = d; while (n--) *p++ = (u8)c; return d; }
void *memcpy(void *d, const void *s, unsigned long n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }
