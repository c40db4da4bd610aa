// hypercall.elf: the hypercall-interface fuzzing target (issue 9; hypercall.json, and the host
// side in src/tools/fuzz/guard-check.ts). It reads its input as a sequence of operations and
// performs each one:
//   - an MMIO guard (KVM vendor hypervisor) call with arbitrary function number and arguments,
//   - a PSCI call that leaves the machine running (VERSION, FEATURES, AFFINITY_INFO, CPU_ON,
//     MIGRATE_INFO_TYPE, unassigned IDs), rarely SYSTEM_OFF or SYSTEM_RESET (they end the run),
//   - an SMCCC discovery call (VERSION, ARCH_FEATURES, the KVM UID and features bitmap),
//   - a load or store of 1/2/4/8 bytes (ISV = 1) or a pair of 8 (LDP/STP: ISV = 0) to a device
//     window, a hole, the edges of RAM or the top of the IPA space,
//   - masking or unmasking SErrors (PSTATE.A).
// After each operation it fills hc_step (what it did, what came back, the exceptions its vectors
// recorded: hypercall-start.S) and executes BRK #0x57E9, the step marker: under `a64vm fuzz`
// the host traps it, checks the hypervisor against its reference model and resumes after it.
// Elsewhere (QEMU, a plain `a64vm run`) the vectors skip it.
//
// Without input (QEMU, a plain run) it performs a built-in demonstration sequence and prints
// each step (before its marker), then powers off. On QEMU (no EL2, PSCI by HVC) QEMU answers PSCI
// itself and every other HVC function ID with NOT_SUPPORTED (-1), SMCCC_VERSION included (7.2):
// there is no guard, and the device window is unassigned (a synchronous external abort).
// hypercall.qemu.txt is its output (make record); test/fuzz-hypercall.test.ts compares.
#include <stdint.h>

#define UART_BASE 0x09000000ul
#define INPUT_MAX 4096
#define MAX_STEPS 256
#define RAM_BASE  0x40000000ul
#define RAM_END   0x41000000ul /* hypercall.json runs with 16 MiB of RAM */

/* Operations as hc_step.op records them. */
enum { OP_CALL = 1, OP_ACCESS = 2, OP_DAIF = 3, OP_RESET = 4 };

/* One step, read by the host at each marker (src/tools/fuzz/guard-check.ts has the same layout;
 * the vectors update the exception fields). */
struct step {
	uint64_t op;
	uint64_t x[4];   /* call: x0..x3 passed; access: IPA, size, write, pair; daif: 1 mask, 0 unmask */
	uint64_t r[4];   /* call: x0..x3 returned; access: the value(s) loaded or stored */
	uint64_t pc;     /* the HVC / load / store / MSR instruction */
	uint64_t sync_count, sync_esr, sync_far, sync_elr;
	uint64_t serror_count, serror_esr;
	uint64_t other_count;
	uint64_t daif;   /* PSTATE.DAIF after the operation */
	uint64_t n;      /* steps so far */
};
volatile struct step hc_step;

/* The harness writes the input here and its length into fuzz_input_len. */
volatile uint32_t fuzz_input_len;
uint8_t fuzz_input[INPUT_MAX];

static const uint8_t *in;
static uint32_t in_len, in_pos;
static int verbose;

static void uart_puts(const char *s)
{
	for (; *s; s++) {
		while (*(volatile uint32_t *)(UART_BASE + 0x18) & (1u << 5))
			;
		*(volatile uint32_t *)UART_BASE = (uint8_t)*s;
	}
}

static void uart_puthex(uint64_t v)
{
	char b[19] = "0x";
	for (int i = 0; i < 16; i++)
		b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	b[18] = 0;
	uart_puts(b);
}

static uint8_t byte(void) { return in_pos < in_len ? in[in_pos++] : 0; }

static uint64_t raw64(void)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)byte() << (8 * i);
	return v;
}

/* Where addresses come from: 16 granules from each base (granule index from the input). */
static const uint64_t regions[7] = {
	0x0c000000ul,          /* device window: the host's MMIO callback answers here */
	0x0c010000ul,          /* the window's next 16 granules */
	0x0e000000ul,          /* a hole: nothing answers */
	0x3ffe0000ul,          /* a hole below RAM */
	RAM_END - 0x8000ul,    /* the last 8 granules of RAM, then 8 of hole */
	RAM_BASE - 0x8000ul,   /* 8 granules of hole, then the first 8 of RAM */
	(1ul << 40) - 0x10000, /* the top of the 40-bit IPA space */
};

/* An IPA: region and granule from one byte, an offset in the granule (two more) when its top
 * bit is set. Region 7 is 8 raw bytes for a call and the device window for an access. */
static uint64_t ipa_arg(int access, int *region)
{
	uint8_t s = byte();
	int r = s & 7;
	if (r == 7 && !access) {
		*region = 7;
		return raw64();
	}
	if (r == 7)
		r = 0;
	*region = r;
	uint64_t a = regions[r] + ((s >> 3) & 15) * 4096ul;
	if (s & 0x80) {
		uint64_t hi = byte();
		a += (hi << 4) | (byte() & 0xf);
	}
	return a;
}

/* A value: 0 (half the time), small, a power of two, or 8 raw bytes. */
static uint64_t val_arg(void)
{
	uint8_t t = byte();
	switch (t >> 6) {
	case 1: return t & 0x3f;
	case 2: return 1ul << (t & 63);
	case 3: return raw64();
	default: return 0;
	}
}

/* A function ID for PSCI_FEATURES / SMCCC_ARCH_FEATURES. */
static uint64_t fid_arg(void)
{
	static const uint32_t known[8] = { 0x80000000, 0x80000001, 0x8600ff01, 0x86000000,
					   0x80008000, 0x86000001, 0x8400000a, 0xc4000003 };
	uint8_t t = byte();
	switch (t >> 6) {
	case 0: return 0xc6000000u | (t & 0x3f);
	case 1: return 0x84000000u | (t & 0x1f) | ((t & 0x20) ? 0x40000000u : 0);
	case 2: return known[t & 7];
	default: return raw64();
	}
}

static void step_done(void)
{
	uint64_t daif;
	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	hc_step.daif = daif;
	hc_step.n++;
	if (verbose) {
		uart_puts(hc_step.op == OP_CALL ? "call " : hc_step.op == OP_ACCESS ? "access " : "daif ");
		for (int i = 0; i < 4; i++) {
			uart_puthex(hc_step.x[i]);
			uart_puts(" ");
		}
		uart_puts("-> ");
		for (int i = 0; i < 2; i++) {
			uart_puthex(hc_step.r[i]);
			uart_puts(" ");
		}
		uart_puts("sync ");
		uart_puthex(hc_step.sync_count);
		uart_puts(" ESR ");
		uart_puthex(hc_step.sync_esr);
		uart_puts(" serror ");
		uart_puthex(hc_step.serror_count);
		uart_puts(" ESR ");
		uart_puthex(hc_step.serror_esr);
		uart_puts("\n");
	}
	__asm__ volatile("brk #0x57e9" ::: "memory");
}

static void call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	uint64_t pc;
	hc_step.op = OP_CALL;
	hc_step.x[0] = fid; hc_step.x[1] = a1; hc_step.x[2] = a2; hc_step.x[3] = a3;
	__asm__ volatile("adr %4, 1f\n1:\thvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "=&r"(pc) : : "memory");
	hc_step.pc = pc;
	hc_step.r[0] = x0; hc_step.r[1] = x1; hc_step.r[2] = x2; hc_step.r[3] = x3;
	step_done();
}

#define SENTINEL 0x5a5a5a5a5a5a5a5aul

/* One load: a single register of 1 << size bytes (ISV = 1), or LDP of two (ISV = 0). */
static void load(uint64_t a, int size, int pair)
{
	uint64_t v = SENTINEL, w = SENTINEL, pc;
	switch (pair ? 4 : size) {
	case 0: __asm__ volatile("adr %1, 1f\n1:\tldrb %w0, [%2]" : "+r"(v), "=&r"(pc) : "r"(a) : "memory"); break;
	case 1: __asm__ volatile("adr %1, 1f\n1:\tldrh %w0, [%2]" : "+r"(v), "=&r"(pc) : "r"(a) : "memory"); break;
	case 2: __asm__ volatile("adr %1, 1f\n1:\tldr %w0, [%2]" : "+r"(v), "=&r"(pc) : "r"(a) : "memory"); break;
	case 3: __asm__ volatile("adr %1, 1f\n1:\tldr %0, [%2]" : "+r"(v), "=&r"(pc) : "r"(a) : "memory"); break;
	default: __asm__ volatile("adr %2, 1f\n1:\tldp %0, %1, [%3]" : "+r"(v), "+r"(w), "=&r"(pc) : "r"(a) : "memory"); break;
	}
	hc_step.pc = pc;
	hc_step.r[0] = v;
	hc_step.r[1] = w;
}

static void store(uint64_t a, int size, int pair, uint64_t v, uint64_t w)
{
	uint64_t pc;
	switch (pair ? 4 : size) {
	case 0: __asm__ volatile("adr %0, 1f\n1:\tstrb %w1, [%2]" : "=&r"(pc) : "r"(v), "r"(a) : "memory"); break;
	case 1: __asm__ volatile("adr %0, 1f\n1:\tstrh %w1, [%2]" : "=&r"(pc) : "r"(v), "r"(a) : "memory"); break;
	case 2: __asm__ volatile("adr %0, 1f\n1:\tstr %w1, [%2]" : "=&r"(pc) : "r"(v), "r"(a) : "memory"); break;
	case 3: __asm__ volatile("adr %0, 1f\n1:\tstr %1, [%2]" : "=&r"(pc) : "r"(v), "r"(a) : "memory"); break;
	default: __asm__ volatile("adr %0, 1f\n1:\tstp %1, %2, [%3]" : "=&r"(pc) : "r"(v), "r"(w), "r"(a) : "memory"); break;
	}
	hc_step.pc = pc;
	hc_step.r[0] = v;
	hc_step.r[1] = w;
}

static void access(int write)
{
	uint8_t b = byte();
	int size = b & 3, pair = (b >> 2) & 1, region;
	uint64_t a = ipa_arg(1, &region);
	if (region == 4 || region == 5 || region == 6)
		pair = 0; /* a pair there could straddle RAM and a hole, or leave the IPA space */
	a &= pair ? ~7ul : ~((1ul << size) - 1); /* aligned: MMU off, Device memory */
	hc_step.op = OP_ACCESS;
	hc_step.x[0] = a; hc_step.x[1] = pair ? 16 : 1u << size; hc_step.x[2] = write; hc_step.x[3] = pair;
	if (write) {
		uint64_t v = val_arg();
		store(a, size, pair, v, ~v);
	} else {
		load(a, size, pair);
	}
	step_done();
}

static void daif(int mask)
{
	uint64_t pc;
	hc_step.op = OP_DAIF;
	hc_step.x[0] = mask; hc_step.x[1] = hc_step.x[2] = hc_step.x[3] = 0;
	if (mask)
		__asm__ volatile("adr %0, 1f\n1:\tmsr daifset, #4" : "=r"(pc) : : "memory");
	else
		__asm__ volatile("adr %0, 1f\n1:\tmsr daifclr, #4" : "=r"(pc) : : "memory");
	hc_step.pc = pc;
	step_done();
}

/* PSCI function numbers that would stop or suspend the vCPU: CPU_SUSPEND, CPU_OFF, SYSTEM_OFF,
 * SYSTEM_RESET, SYSTEM_RESET2. They come only from their own rare operations. */
static int stops(uint32_t n) { return n == 1 || n == 2 || n == 8 || n == 9 || n == 0x12; }

static void psci(void)
{
	uint8_t b = byte();
	uint64_t conv = (b & 8) ? 0xc4000000u : 0x84000000u;
	switch (b & 7) {
	case 0: call(0x84000000u, 0, 0, 0); break;                              /* PSCI_VERSION */
	case 1: call(0x8400000au, fid_arg(), 0, 0); break;                      /* PSCI_FEATURES */
	case 2: { uint64_t t = val_arg(); call(conv | 4, t, byte() & 7, 0); break; } /* AFFINITY_INFO */
	case 3: { uint64_t t = val_arg(), e = val_arg(); call(conv | 3, t, e, val_arg()); break; } /* CPU_ON */
	case 4: call(0x84000006u, 0, 0, 0); break;                              /* MIGRATE_INFO_TYPE */
	case 5: {                                                                /* any other ID */
		uint32_t n = byte() & 0x1f;
		uint64_t t = val_arg(), u = val_arg();
		call(conv | (stops(n) ? 0x1f : n), t, u, val_arg());
		break;
	}
	case 6:
		if (b == 0xf6) { /* SYSTEM_OFF: the run ends */
			register uint64_t x0 __asm__("x0") = 0x84000008u;
			__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
		}
		break;
	default:
		if (b == 0xf7) { /* SYSTEM_RESET: tell the host first, it resets its model */
			hc_step.op = OP_RESET;
			step_done();
			register uint64_t x0 __asm__("x0") = 0x84000009u;
			__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
		}
		break;
	}
}

static void smccc(void)
{
	uint8_t b = byte();
	switch (b & 3) {
	case 0: call(0x80000000u, 0, 0, 0); break; /* SMCCC_VERSION */
	case 1: call(0x80000001u, fid_arg(), 0, 0); break; /* SMCCC_ARCH_FEATURES */
	case 2: call(0x8600ff01u, 0, 0, 0); break; /* VENDOR_HYP_CALL_UID */
	default: call(0x86000000u, 0, 0, 0); break; /* VENDOR_HYP_KVM_FEATURES */
	}
}

/* An MMIO guard call: function number n of the vendor hypervisor service, SMC64 (0xC6000000 | n)
 * mostly, n + 48 (unassigned) or SMC32 (0x86000000 | n) for a high nibble of 0xE / 0xF. */
static void guard(void)
{
	uint8_t b = byte();
	uint32_t n = b & 0xf;
	uint64_t fid = (b >> 4) == 0xf ? 0x86000000u | n : (b >> 4) == 0xe ? 0xc6000030u | n : 0xc6000000u | n;
	int region;
	uint64_t a1 = ipa_arg(0, &region), a2 = val_arg();
	call(fid, a1, a2, val_arg());
}

static void op(void)
{
	switch (byte() & 7) {
	case 0: case 1: case 2: guard(); break;
	case 3: psci(); break;
	case 4: smccc(); break;
	case 5: access(0); break;
	case 6: access(1); break;
	default: daif(byte() & 1); break;
	}
}

static int run(const uint8_t *p, uint32_t n)
{
	in = p;
	in_len = n > INPUT_MAX ? INPUT_MAX : n;
	in_pos = 0;
	int steps = 0;
	while (in_pos < in_len && steps < MAX_STEPS) {
		op();
		steps++;
	}
	return steps;
}

/* The harness's start: its snapshot is taken on entry, before the input is read. */
__attribute__((noinline)) int fuzz_one(void)
{
	return run(fuzz_input, fuzz_input_len);
}

/* The harness's end: reaching it finishes an execution. */
__attribute__((noinline)) void fuzz_done(int result)
{
	__asm__ volatile("" ::"r"(result) : "memory");
}

/* The demonstration (rfc-v1 numbering): ENROLL, MAP the UART's granule (it prints each step),
 * INFO, MAP the window's granule 0, load from it,
 * load from granule 1 (not mapped: a guard violation), unmask SErrors, UNMAP granule 0, PSCI and
 * SMCCC versions. */
static const uint8_t demo[] = {
	0x00, 0x03, 0x00, 0x00, 0x00,      /* guard fn 3 (ENROLL) */
	0x00, 0x04, 0x07, 0x00, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0x00, 0x00, /* MAP 0x09000000 (raw) */
	0x00, 0x02, 0x00, 0x00, 0x00,      /* guard fn 2 (INFO) */
	0x00, 0x04, 0x00, 0x00, 0x00,      /* guard fn 4 (MAP) window granule 0 */
	0x05, 0x02, 0x00,                  /* load 4 bytes from it */
	0x05, 0x02, 0x08,                  /* load 4 bytes from granule 1 */
	0x07, 0x00,                        /* unmask SErrors */
	0x00, 0x05, 0x00, 0x00, 0x00,      /* guard fn 5 (UNMAP) granule 0 */
	0x03, 0x00,                        /* PSCI_VERSION */
	0x04, 0x00,                        /* SMCCC_VERSION */
};

int main(void)
{
	uart_puts("hypercall: ready\n");
	int r = fuzz_one();
	fuzz_done(r);
	if (fuzz_input_len == 0) {
		uart_puts("hypercall: no input, the demonstration sequence:\n");
		verbose = 1;
		run(demo, sizeof demo);
	}
	uart_puts("hypercall: done\n");
	return 0;
}
