// guard-conformance-PROFILE.elf: every rule of shared/spec/mmio-guard.md checked from inside the
// guest, for the guest ABI given at build time (-DPROFILE=1 rfc-v1, 2 android, 3 mainline).
// Prints one PASS/FAIL (or SKIP) line per rule, a total, and "CONFORMANCE PASS" or
// "CONFORMANCE FAIL" as its last line; on failure it also tries a semihosting exit with status 1
// (a64vm --semihosting), then powers off.
//
// The violation mode (serror or dabt) is found from the first violation and then checked for
// every violation. Some rules need a device behind a mapped granule that answers any access,
// and state that survives a reset: the "test harness", an embedder MMIO callback at HARNESS
// (test/helpers/guard-harness.ts provides it). Without it those rules print SKIP.
//
// Addresses: the UART (0x09000000) is mapped before anything is printed whenever the VM is
// enrolled; the RTC (0x09010000) stays unmapped until the store rule; FREE is a granule with
// nothing behind it; RAM starts at 0x40000000.
#include "guard.h"

#if !defined(PROFILE) || PROFILE < 1 || PROFILE > 3
#error "build with -DPROFILE=1 (rfc-v1), 2 (android) or 3 (mainline)"
#endif
#define RFC (PROFILE == 1)
#define ANDROID (PROFILE == 2)
#define MAINLINE (PROFILE == 3)

#define HARNESS 0x0c000000ul
#define HARNESS_ID 0x48524e53u // "SNRH"
#define H_SCRATCH 0x8
#define H_WRITES 0x10
#define G(n) (HARNESS + (u64)(n) * GUARD_PAGE)
#define RESET_G G(6)
#define FREE 0x0a800000ul
#define IPA_LIMIT (1ul << 40)
#define RTCDR 0x0
#define RTCLR 0x8
#define ALIAS 0x80000000ul // with the MMU on: a Normal-memory alias of the first GiB

#define ERR ((u64)guard_abis[PROFILE].error)
#define SERROR_ESR(reason) ((0x2ful << 26) | (1ul << 25) | (1ul << 24) | 0x4d4700ul | (reason))
#define DABT_ESR(ec) (((u64)(ec) << 26) | (1ul << 25) | 0x10)
#define RESET_TAG 0x5253ul // "RS" in the scratch register's top 16 bits: boot 2 after a reset

static u32 passed, failed, skipped;
static const char *rule;
static int rule_ok;
static int serror_mode = -1; // found at the first violation
static int harness;

// ---- results ----
static void begin(const char *name) { rule = name; rule_ok = 1; }

static void expect(const char *what, u64 got, u64 want)
{
	if (got == want || !rule_ok)
		return;
	rule_ok = 0;
	puts("FAIL ");
	puts(rule);
	puts(": ");
	puts(what);
	puts(" is ");
	puthex(got);
	puts(", expected ");
	puthex(want);
	putc('\n');
}

static void end(void)
{
	if (rule_ok) {
		passed++;
		puts("PASS ");
		puts(rule);
		putc('\n');
	} else {
		failed++;
	}
}

static void skip(const char *name, const char *why)
{
	skipped++;
	puts("SKIP ");
	puts(name);
	puts(": ");
	puts(why);
	putc('\n');
}

static struct smccc_res call(int fn, u64 a1, u64 a2, u64 a3) { return guard_call(fn, a1, a2, a3); }
#define ABI (&guard_abis[PROFILE])

// ---- accesses with a known next instruction ----
// x0 = address, x1 and x2 preloaded; returns all three and the address of the instruction after
// the access (an SError's ELR_EL1; the access itself is next - 4).
struct acc { u64 x0, x1, x2, next; };
#define ACCESS(insn, a, p1, p2) ({ \
	register u64 _x0 __asm__("x0") = (a); \
	register u64 _x1 __asm__("x1") = (p1); \
	register u64 _x2 __asm__("x2") = (p2); \
	u64 _n; \
	exc_clear(); \
	__asm__ volatile(insn "\n1:	adr %3, 1b" : "+r"(_x0), "+r"(_x1), "+r"(_x2), "=&r"(_n) : : "x3", "memory"); \
	(struct acc){ _x0, _x1, _x2, _n }; })

#define ONES 0xfffffffffffffffful

// Expects exactly the violation the mode says, for an access at EL1 (or EL0) whose next
// instruction is `next`, at virtual address va; reason 1 = unmapped granule, 2 = ISV = 0.
static void expect_violation(u64 next, u64 va, u64 reason, int el0)
{
	expect("exceptions taken", exc.count, 1);
	if (serror_mode) {
		expect("vector offset", exc_offset(), el0 ? VEC_LOWER_SERROR : VEC_CUR_SPX_SERROR);
		expect("ESR_EL1", exc.esr, SERROR_ESR(reason));
		expect("ELR_EL1 (the next instruction)", exc.elr, next);
	} else {
		expect("vector offset", exc_offset(), el0 ? VEC_LOWER_SYNC : VEC_CUR_SPX_SYNC);
		expect("ESR_EL1", exc.esr, DABT_ESR(el0 ? 0x24 : 0x25));
		expect("FAR_EL1 (the faulting VA)", exc.far, va);
		expect("ELR_EL1 (the faulting instruction)", exc.elr, next - 4);
	}
}

static void expect_no_exception(void) { expect("exceptions taken", exc.count, 0); }

// A 4-byte read at a at EL1: 0 = completed, 1 = refused by the guard, 2 = bus error (the guard
// let it through and nothing answered: a synchronous abort in serror mode), 3 = cannot tell
// (dabt mode: the guard's abort and a bus error look alike).
static int probe(u64 a)
{
	struct acc r = ACCESS("ldr w1, [x0]", a, 0, 0);
	(void)r;
	if (!exc.count)
		return 0;
	if ((exc.esr >> 26) == 0x2f)
		return 1;
	return serror_mode ? 2 : 3;
}

// ---- EL0 ----
u64 el0_probe(u64 a);
extern char el0_probe_next[];
__asm__(".text\n.global el0_probe, el0_probe_next\nel0_probe:\n\tldr w0, [x0]\nel0_probe_next:\n\tret\n");

// ---- stage 1 for the crossing and S1PTW rules ----
static u64 l1[512] __attribute__((aligned(4096)));

static void mmu_on(void)
{
	l1[0] = 0x00000000ul | (0 << 2) | (1 << 10) | 1;           // Device-nGnRE: the devices
	l1[1] = 0x40000000ul | (1 << 2) | (3 << 8) | (1 << 10) | 1; // Normal: RAM
	l1[2] = 0x00000000ul | (1 << 2) | (3 << 8) | (1 << 10) | 1; // Normal alias of the devices
	WRITE_SYSREG(mair_el1, 0xff04ul);
	// T0SZ 25 (39-bit VA, start at level 1), WBWA inner/outer, inner shareable, 4 KiB, no TTBR1
	// walks (EPD1), IPS 40 bits.
	WRITE_SYSREG(tcr_el1, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (2ul << 30) | (2ul << 32));
	WRITE_SYSREG(ttbr0_el1, (u64)l1);
	__asm__ volatile("dsb sy\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
	WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1);
	ISB();
}

static void mmu_off(void)
{
	WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1ul);
	ISB();
	__asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
}

// The harness returns, for any byte address a without a register, (a & 0xff) ^ 0xa5.
static u64 pattern(u64 a, int n)
{
	u64 v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | (((a + (u64)i) & 0xff) ^ 0xa5);
	return v;
}

static int harness_present(void)
{
	if (guard.enrolled)
		ioremap(G(0), GUARD_PAGE);
	exc_clear();
	u32 id = read32(G(0));
	return exc.count == 0 && id == HARNESS_ID;
}

// ---- discovery ----
static void discovery(void)
{
	struct smccc_res r;
	begin("discovery: SMCCC_VERSION is 1.1");
	expect("x0", smccc(SMCCC_VERSION, 0, 0, 0).a0, 0x10001);
	end();

	begin("discovery: VENDOR_HYP_CALL_UID is KVM's UID");
	r = smccc(VENDOR_HYP_CALL_UID, 0, 0, 0);
	expect("x0", r.a0, 0xb66fb428);
	expect("x1", r.a1, 0xe911c52e);
	expect("x2", r.a2, 0x564bcaa9);
	expect("x3", r.a3, 0x743a004d);
	end();

	begin("discovery: VENDOR_HYP_KVM_FEATURES has exactly the profile's function bits");
	r = smccc(VENDOR_HYP_KVM_FEATURES, 0, 0, 0);
	expect("x0", r.a0, ABI->features);
	expect("x1", r.a1, 0);
	expect("x2", r.a2, 0);
	expect("x3", r.a3, 0);
	expect("profile found by the library", (u64)(guard.abi ? guard.abi->profile : 0), PROFILE);
	end();

	begin("discovery: SMCCC_ARCH_FEATURES is 0 for each guard call and -1 for absent vendor functions");
	for (int n = 1; n < 16; n++) {
		u64 want = (ABI->features >> n) & 1 ? 0 : (u64)-1;
		expect("SMCCC_ARCH_FEATURES(0xC60000nn)", smccc(SMCCC_ARCH_FEATURES, VENDOR_HYP_FN64((u64)n), 0, 0).a0, want);
	}
	end();

	begin("discovery: unknown vendor function IDs return -1 (numbers outside the profile, SMC32 forms)");
	for (int n = 1; n < 16; n++) {
		if ((ABI->features >> n) & 1) {
			expect("SMC32 form 0x860000nn", smccc(0x86000000ul | (u64)n, 0, 0, 0).a0, (u64)-1);
			continue;
		}
		expect("x0", smccc(VENDOR_HYP_FN64((u64)n), 0, 0, 0).a0, (u64)-1);
	}
	expect("0xC600007F", smccc(VENDOR_HYP_FN64(127), 0, 0, 0).a0, (u64)-1);
	end();
}

static void info(void)
{
	struct smccc_res r;
	if (ABI->info >= 0) {
		begin(ANDROID ? "INFO: returns the granule (4096) and x1 = 1 (range calls exist)" : "INFO: returns the granule (4096)");
		r = call(ABI->info, 0, 0, 0);
		expect("x0", r.a0, GUARD_PAGE);
		expect("x1", r.a1, ANDROID ? 1 : 0);
		end();
	}
	if (ABI->meminfo >= 0) {
		begin("HYP_MEMINFO: returns the granule (4096)");
		r = call(ABI->meminfo, 0, 0, 0);
		expect("x0", r.a0, GUARD_PAGE);
		expect("x1", r.a1, ANDROID ? 1 : 0);
		end();
	}
	if (RFC) {
		begin("INFO: x1..x3 are ignored");
		expect("x0", call(ABI->info, 1, 2, 3).a0, GUARD_PAGE);
		end();
	} else {
		begin("INFO/HYP_MEMINFO: non-zero x1..x3 return INVALID_PARAMETER (-3)");
		if (ABI->info >= 0) {
			expect("INFO(1, 0, 0)", call(ABI->info, 1, 0, 0).a0, (u64)-3);
			expect("INFO(0, 0, 1)", call(ABI->info, 0, 0, 1).a0, (u64)-3);
		}
		expect("HYP_MEMINFO(0, 1, 0)", call(ABI->meminfo, 0, 1, 0).a0, (u64)-3);
		expect("HYP_MEMINFO(0, 0, 1)", call(ABI->meminfo, 0, 0, 1).a0, (u64)-3);
		end();
	}
}

// Before ENROLL (rfc-v1 and android only).
static void before_enrolment(void)
{
	begin("before ENROLL: MAP fails");
	expect("MAP(RTC)", call(ABI->map, RTC_BASE, 0, 0).a0, ERR);
	end();
	begin("before ENROLL: UNMAP fails");
	expect("UNMAP(RTC)", call(ABI->unmap, RTC_BASE, 0, 0).a0, ERR);
	end();
	if (ANDROID) {
		begin("before ENROLL: RGUARD_MAP and RGUARD_UNMAP fail with 0 granules processed");
		struct smccc_res r = call(ABI->rmap, G(8), 2, 0);
		expect("RGUARD_MAP x0", r.a0, (u64)-3);
		expect("RGUARD_MAP x1", r.a1, 0);
		r = call(ABI->runmap, G(8), 2, 0);
		expect("RGUARD_UNMAP x0", r.a0, (u64)-3);
		expect("RGUARD_UNMAP x1", r.a1, 0);
		end();
	}
	begin("before ENROLL: accesses outside RAM are forwarded unchecked (RTC CR reads 1)");
	struct acc a = ACCESS("ldr w1, [x0]", RTC_BASE + 0xc, 0, 0);
	expect_no_exception();
	expect("RTC CR", a.x1, 1);
	end();
}

static void enrol(void)
{
	i64 e1 = guard_enroll(), e2 = guard_enroll();
	u64 uart = ioremap(UART_BASE, GUARD_PAGE); // before anything is printed again
	begin("ENROLL: returns 0, and again 0 (idempotent)");
	expect("first ENROLL", (u64)e1, 0);
	expect("second ENROLL", (u64)e2, 0);
	expect("MAP of the UART afterwards", uart, UART_BASE);
	end();
}

static void map_rules(void)
{
	struct smccc_res r;
	begin("MAP: a device granule returns 0; mapping it again returns 0 (no reference count)");
	r = call(ABI->map, G(2), 0, 0);
	expect("MAP", r.a0, 0);
	if (ANDROID)
		expect("MAP x1 (granules processed)", r.a1, 1);
	expect("MAP again", call(ABI->map, G(2), 0, 0).a0, 0);
	end();

	begin("MAP: a misaligned IPA fails");
	r = call(ABI->map, G(2) + 0x10, 0, 0);
	expect("MAP(granule + 0x10)", r.a0, ERR);
	if (ANDROID)
		expect("x1", r.a1, 0);
	expect("MAP(FREE + 0x800)", call(ABI->map, FREE + 0x800, 0, 0).a0, ERR);
	end();

	begin("MAP: an IPA inside RAM fails");
	expect("MAP(RAM start)", call(ABI->map, RAM_BASE, 0, 0).a0, ERR);
	expect("MAP(this image)", call(ABI->map, 0x40080000ul, 0, 0).a0, ERR);
	end();

	begin("MAP: an IPA beyond the 40-bit IPA space fails");
	expect("MAP(1 << 40)", call(ABI->map, IPA_LIMIT, 0, 0).a0, ERR);
	expect("MAP(-4096)", call(ABI->map, (u64)-4096, 0, 0).a0, ERR);
	end();

	if (MAINLINE) {
		begin("MAP (MMIO_GUARD): x2 and x3 must be 0, else INVALID_PARAMETER (-3)");
		expect("MAP(FREE, 1, 0)", call(ABI->map, FREE, 1, 0).a0, (u64)-3);
		expect("MAP(FREE, 0, 1)", call(ABI->map, FREE, 0, 1).a0, (u64)-3);
		end();
	} else {
		begin(RFC ? "MAP: x2 is the attribute (recorded, not acted on), x3 is ignored" : "MAP: x2 and x3 are ignored");
		expect("MAP(FREE, 5, 7)", call(ABI->map, FREE, 5, 7).a0, 0);
		end();
	}
}

static void unmap_rules(void)
{
	if (MAINLINE)
		return;
	struct smccc_res r;
	begin("UNMAP: a mapped granule returns 0 and accesses to it are refused again");
	call(ABI->map, FREE, 0, 0);
	expect("UNMAP(FREE)", call(ABI->unmap, FREE, 0, 0).a0, 0);
	struct acc a = ACCESS("ldr w1, [x0]", FREE, 0, 0);
	expect_violation(a.next, FREE, 1, 0);
	end();

	begin(RFC ? "UNMAP: a granule that is not mapped fails" : "UNMAP: a granule that is not mapped succeeds");
	r = call(ABI->unmap, FREE, 0, 0);
	expect("UNMAP(FREE) again", r.a0, RFC ? (u64)-1 : 0);
	end();

	begin(RFC ? "UNMAP: a misaligned IPA is aligned down" : "UNMAP: a misaligned IPA fails");
	call(ABI->map, FREE, 0, 0);
	r = call(ABI->unmap, FREE + 0x10, 0, 0);
	expect("UNMAP(FREE + 0x10)", r.a0, RFC ? 0 : (u64)-3);
	if (RFC)
		expect("UNMAP(FREE) afterwards (no longer mapped)", call(ABI->unmap, FREE, 0, 0).a0, (u64)-1);
	else
		expect("UNMAP(FREE)", call(ABI->unmap, FREE, 0, 0).a0, 0);
	end();

	begin(RFC ? "UNMAP: an IPA inside RAM fails (never mapped)" : "UNMAP: an IPA inside RAM succeeds (never mapped)");
	expect("UNMAP(RAM)", call(ABI->unmap, RAM_BASE, 0, 0).a0, RFC ? (u64)-1 : 0);
	end();
}

static void range_rules(void)
{
	if (!ANDROID)
		return;
	struct smccc_res r;
	u64 ipa = G(8), left = 40, calls = 0, first = 0;
	begin("RGUARD_MAP: 40 granules, with partial progress, continuing from IPA + done * granule");
	while (left && calls < 100) {
		r = call(ABI->rmap, ipa, left, 0);
		if (!calls)
			first = r.a1;
		calls++;
		expect("x0", r.a0, 0);
		if (r.a0 || !r.a1 || r.a1 > left)
			break;
		ipa += r.a1 * GUARD_PAGE;
		left -= r.a1;
	}
	expect("granules left", left, 0);
	expect("first call did only part (x1 < 40)", first < 40 && first > 0, 1);
	end();
	if (harness) {
		begin("RGUARD_MAP: every granule of the range is mapped (the harness answers at each)");
		for (int i = 8; i < 48; i++)
			expect("probe", (u64)probe(G(i) + 0x20), 0);
		end();
	} else {
		skip("RGUARD_MAP: every granule of the range is mapped", "no test harness");
	}

	begin("RGUARD_MAP: stops at RAM (partial success), then fails there with 0 processed");
	r = call(ABI->rmap, RAM_BASE - 2 * GUARD_PAGE, 4, 0);
	expect("x0", r.a0, 0);
	expect("x1", r.a1, 2);
	r = call(ABI->rmap, RAM_BASE, 2, 0);
	expect("x0 at RAM", r.a0, (u64)-3);
	expect("x1 at RAM", r.a1, 0);
	end();

	begin("RGUARD_MAP/RGUARD_UNMAP: 0 granules, a misaligned IPA, or x3 != 0 fail with 0 processed");
	r = call(ABI->rmap, G(50), 0, 0);
	expect("RGUARD_MAP(n = 0) x0", r.a0, (u64)-3);
	expect("RGUARD_MAP(n = 0) x1", r.a1, 0);
	r = call(ABI->rmap, G(50) + 8, 1, 0);
	expect("RGUARD_MAP(misaligned) x0", r.a0, (u64)-3);
	expect("RGUARD_MAP(misaligned) x1", r.a1, 0);
	r = call(ABI->rmap, G(50), 1, 1);
	expect("RGUARD_MAP(x3 = 1) x0", r.a0, (u64)-3);
	r = call(ABI->runmap, G(50), 0, 0);
	expect("RGUARD_UNMAP(n = 0) x0", r.a0, (u64)-3);
	r = call(ABI->runmap, G(50) + 8, 1, 0);
	expect("RGUARD_UNMAP(misaligned) x0", r.a0, (u64)-3);
	r = call(ABI->runmap, G(50), 1, 1);
	expect("RGUARD_UNMAP(x3 = 1) x0", r.a0, (u64)-3);
	expect("RGUARD_UNMAP(x3 = 1) x1", r.a1, 0);
	end();

	begin("RGUARD_UNMAP: 40 granules, with partial progress; accesses are refused afterwards");
	ipa = G(8);
	left = 40;
	calls = 0;
	while (left && calls < 100) {
		r = call(ABI->runmap, ipa, left, 0);
		calls++;
		expect("x0", r.a0, 0);
		if (r.a0 || !r.a1 || r.a1 > left)
			break;
		ipa += r.a1 * GUARD_PAGE;
		left -= r.a1;
	}
	expect("granules left", left, 0);
	expect("calls needed (more than one)", calls > 1, 1);
	for (int i = 8; i < 48; i += 13)
		expect("probe after unmap (1 = refused)", (u64)probe(G(i)), 1 + (serror_mode ? 0 : 2));
	end();
}

static void access_rules(void)
{
	struct acc a;
	// The first violation tells the mode.
	a = ACCESS("ldr w1, [x0]", RTC_BASE + RTCDR, ONES, 0);
	serror_mode = exc.count && (exc.esr >> 26) == 0x2f;
	puts("violation mode: ");
	puts(serror_mode ? "serror\n" : "dabt\n");
	begin(MAINLINE ? "enrolled at creation: an unmapped granule is refused (the RTC, never mapped)" : "an access to a granule that is not mapped is refused");
	expect_violation(a.next, RTC_BASE, 1, 0);
	if (serror_mode)
		expect("Rt after the failed load (a W load zeroes the X register)", a.x1, 0);
	else
		expect("Rt (untouched by a synchronous abort)", a.x1, ONES);
	end();

	begin("a mapped granule is forwarded (UART FR)");
	a = ACCESS("ldr w1, [x0]", UART_BASE + 0x18, 0, 0);
	expect_no_exception();
	expect("UART FR (TXFE set, nothing else)", a.x1 & 0xff, 0x90);
	end();

	if (harness) {
		begin("a mapped granule no device model claims goes to the embedder's MMIO callback");
		a = ACCESS("ldr w1, [x0]", G(0), 0, 0);
		expect_no_exception();
		expect("harness ID", a.x1, HARNESS_ID);
		end();
	} else {
		skip("a mapped granule no device model claims goes to the embedder's MMIO callback", "no test harness");
	}

	begin("a refused store is never forwarded (RTC LR written unmapped; DR does not take it)");
	a = ACCESS("str w1, [x0]", RTC_BASE + RTCLR, 0x12345678, 0);
	expect_violation(a.next, RTC_BASE + RTCLR, 1, 0);
	u64 rtc = ioremap(RTC_BASE, GUARD_PAGE);
	a = ACCESS("ldr w1, [x0]", RTC_BASE + RTCDR, 0, 0);
	expect("MAP of the RTC", rtc, RTC_BASE);
	expect_no_exception();
	expect("RTC DR is not near the refused LR value", a.x1 >= 0x12345678, 0);
	end();

	if (serror_mode) {
		begin("SError masked by PSTATE.A stays pending; taken right after MSR DAIFClr");
		a = ACCESS("msr daifset, #4\n ldr w1, [x0]\n add x2, x2, #1\n msr daifclr, #4", FREE, ONES, 5);
		expect_violation(a.next, FREE, 1, 0);
		expect("instructions after the access ran while masked", a.x2, 6);
		expect("SPSR_EL1.A (unmasked when taken)", exc.spsr & DAIF_A, 0);
		end();
		begin("SError masked by PSTATE.A; taken right after MSR DAIF clears A");
		a = ACCESS("msr daifset, #4\n ldr w1, [x0]\n add x2, x2, #1\n mrs x3, daif\n bic x3, x3, #0x100\n msr daif, x3", FREE, ONES, 5);
		expect_violation(a.next, FREE, 1, 0);
		expect("instructions after the access ran while masked", a.x2, 6);
		end();
	} else {
		begin("the data abort is synchronous even with PSTATE.A set");
		a = ACCESS("msr daifset, #4\n ldr w1, [x0]", FREE, ONES, 0);
		expect_violation(a.next, FREE, 1, 0);
		expect("SPSR_EL1.A (masked when taken)", exc.spsr & DAIF_A, DAIF_A);
		serror_unmask();
		end();
	}

	begin("ISV = 0 (LDP) on a mapped granule is refused while enrolled");
	a = ACCESS("ldp w1, w2, [x0]", UART_BASE + 0x18, ONES, ONES);
	expect_violation(a.next, UART_BASE + 0x18, 2, 0);
	expect("Rt", a.x1, serror_mode ? 0 : ONES);
	expect("Rt2", a.x2, serror_mode ? 0 : ONES);
	end();

	begin("ISV = 0 (post-indexed LDR) on a mapped granule is refused; serror: the base is written back");
	a = ACCESS("ldr w1, [x0], #4", RTC_BASE, ONES, 0);
	expect_violation(a.next, RTC_BASE, 2, 0);
	expect("base register", a.x0, serror_mode ? RTC_BASE + 4 : RTC_BASE);
	expect("Rt", a.x1, serror_mode ? 0 : ONES);
	end();

	begin("ISV = 0 (STP) on a mapped granule is refused and not forwarded (RTC LR unchanged)");
	a = ACCESS("stp w1, w2, [x0]", RTC_BASE + RTCLR, 0x12345678, 0x12345678);
	expect_violation(a.next, RTC_BASE + RTCLR, 2, 0);
	expect("RTC DR", read32(RTC_BASE + RTCDR) >= 0x12345678, 0);
	end();

	begin("ISV = 0 (LDXR, exclusive) on a mapped granule is refused");
	a = ACCESS("ldxr w1, [x0]", RTC_BASE, ONES, 0);
	expect_violation(a.next, RTC_BASE, 2, 0);
	expect("Rt", a.x1, serror_mode ? 0 : ONES);
	end();

	begin("ISV = 0 (LDADD, atomic) on a mapped granule is refused");
	a = ACCESS(".arch_extension lse\n ldadd w2, w1, [x0]", RTC_BASE, ONES, 1);
	expect_violation(a.next, RTC_BASE, 2, 0);
	expect("Rt (the old value)", a.x1, serror_mode ? 0 : ONES);
	end();

	begin("instruction fetch from a mapped device granule: prefetch abort (EC 0x21, IFSC 0x10)");
	exc_clear();
	__asm__ volatile("mov x0, %0\n blr x0" : : "r"(RTC_BASE) : "x0", "x30", "memory");
	expect("exceptions taken", exc.count, 1);
	expect("vector offset", exc_offset(), VEC_CUR_SPX_SYNC);
	expect("ESR_EL1", exc.esr, (0x21ul << 26) | (1ul << 25) | 0x10);
	expect("FAR_EL1", exc.far, RTC_BASE);
	end();

	begin("cache maintenance (DC CIVAC) on an unmapped granule is skipped");
	exc_clear();
	__asm__ volatile("dc civac, %0" : : "r"(FREE) : "memory");
	expect_no_exception();
	end();

	begin("an EL0 access to an unmapped granule is refused (lower-EL vector)");
	exc_clear();
	u64 v = el0_call(el0_probe, FREE + 4, 0xc0); // EL0t, A clear, I and F masked
	expect_violation((u64)el0_probe_next, FREE + 4, 1, 1);
	expect("the load's result at EL0", v, serror_mode ? 0 : FREE + 4);
	end();
}

static void crossing_rules(void)
{
	struct acc a;
	// Granules 0 and 1: mapped; 2: mapped, 3: not; 4: not, 5: mapped (no UNMAP needed).
	ioremap(G(0), 2 * GUARD_PAGE);
	call(ABI->map, G(2), 0, 0);
	call(ABI->map, G(5), 0, 0);
	mmu_on();

	begin("crossing access, first granule mapped, second not: refused (FAR_EL1 = the alias VA)");
	a = ACCESS("ldr x1, [x0]", ALIAS + G(2) + 0xffc, ONES, 0);
	expect_violation(a.next, ALIAS + G(2) + 0xffc, 1, 0);
	end();

	begin("crossing access, first granule not mapped, second mapped: refused");
	a = ACCESS("ldr x1, [x0]", ALIAS + G(4) + 0xffc, ONES, 0);
	expect_violation(a.next, ALIAS + G(4) + 0xffc, 1, 0);
	end();

	if (harness) {
		begin("crossing access, both granules mapped: forwarded (the harness answers all 8 bytes)");
		a = ACCESS("ldr x1, [x0]", ALIAS + G(0) + 0xffc, 0, 0);
		expect_no_exception();
		expect("value", a.x1, pattern(G(0) + 0xffc, 8));
		end();
	} else if (serror_mode) {
		begin("crossing access, both granules mapped: passes the guard (a bus error, not an SError)");
		call(ABI->map, UART_BASE + GUARD_PAGE, 0, 0); // nothing there: the access gets a bus error
		a = ACCESS("ldr x1, [x0]", ALIAS + UART_BASE + 0xffc, 0, 0);
		expect("vector offset", exc_offset(), VEC_CUR_SPX_SYNC);
		end();
	} else {
		skip("crossing access, both granules mapped: forwarded", "no test harness, and dabt mode cannot tell");
	}

	begin("a stage-1 table walk outside RAM (S1PTW): synchronous data abort, EC 0x25, DFSC 0x10");
	u64 tcr = READ_SYSREG(tcr_el1);
	WRITE_SYSREG(ttbr1_el1, FREE);
	WRITE_SYSREG(tcr_el1, (tcr & ~(1ul << 23)) | (25ul << 16) | (2ul << 30));
	__asm__ volatile("isb\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
	a = ACCESS("ldr x1, [x0]", 0xffffff8000000000ul, ONES, 0);
	WRITE_SYSREG(tcr_el1, tcr);
	__asm__ volatile("isb\n tlbi vmalle1\n dsb sy\n isb" ::: "memory");
	expect("exceptions taken", exc.count, 1);
	expect("vector offset", exc_offset(), VEC_CUR_SPX_SYNC);
	expect("ESR_EL1", exc.esr, DABT_ESR(0x25));
	expect("FAR_EL1", exc.far, 0xffffff8000000000ul);
	end();
	mmu_off();
}

// ---- the reset ----
static void finish(void)
{
	puts("TOTAL: ");
	putdec(passed);
	puts(" passed, ");
	putdec(failed);
	puts(" failed, ");
	putdec(skipped);
	puts(" skipped\n");
	puts(failed ? "CONFORMANCE FAIL\n" : "CONFORMANCE PASS\n");
	if (failed) {
		// SYS_EXIT_EXTENDED (0x20): ADP_Stopped_ApplicationExit (0x20026) with status 1. Without
		// semihosting HLT is UNDEFINED: the handler skips it and the guest powers off.
		static const u64 block[2] = { 0x20026, 1 };
		__asm__ volatile("mov x0, #0x20\n mov x1, %0\n hlt #0xf000" : : "r"(block) : "x0", "x1", "memory");
	}
	psci_system_off();
}

static void before_reset(void)
{
	call(ABI->map, RESET_G, 0, 0);
	write64(G(0) + H_SCRATCH, (RESET_TAG << 48) | ((u64)serror_mode << 47) | ((u64)passed << 24) | failed);
	puts("SYSTEM_RESET: the guard must come back cleared\n");
	psci_system_reset();
}

static void after_reset(u64 scratch)
{
	serror_mode = (int)((scratch >> 47) & 1);
	passed = (u32)((scratch >> 24) & 0x7fffff);
	failed = (u32)(scratch & 0xffffff);
	write64(G(0) + H_SCRATCH, 0);
	struct acc a;
	if (!MAINLINE) {
		begin("after SYSTEM_RESET the VM is no longer enrolled (MAP fails)");
		expect("MAP", call(ABI->map, RESET_G, 0, 0).a0, ERR);
		end();
		guard_enroll();
		ioremap(UART_BASE, GUARD_PAGE);
		ioremap(G(0), GUARD_PAGE);
	} else {
		begin("after SYSTEM_RESET the VM is enrolled again (enrolment is a VM property)");
		a = ACCESS("ldr w1, [x0]", RTC_BASE, 0, 0);
		expect_violation(a.next, RTC_BASE, 1, 0);
		end();
	}
	begin("after SYSTEM_RESET every mapping is gone");
	a = ACCESS("ldr w1, [x0]", RESET_G, 0, 0);
	expect_violation(a.next, RESET_G, 1, 0);
	end();
	finish();
}

int main(void)
{
	int g = guard_init(); // hypercalls only
	if (g == 0 && guard.enrolled)
		ioremap(UART_BASE, GUARD_PAGE); // mainline: map the console before printing
	if (g != 0 || guard.abi->profile != PROFILE) {
		puts("guard-conformance: the hypervisor does not offer the ");
		puts(guard_abis[PROFILE].name);
		puts(" MMIO guard ABI\n");
		failed++;
		finish();
	}
	serror_unmask();
	harness = harness_present();
	if (harness) {
		u64 s = read64(G(0) + H_SCRATCH);
		if ((s >> 48) == RESET_TAG) {
			puts("guard-conformance: after the reset\n");
			after_reset(s);
		}
	}
	puts("guard-conformance: profile ");
	puts(guard_abis[PROFILE].name);
	puts(harness ? ", test harness present\n" : ", no test harness (some rules are skipped)\n");

	discovery();
	info();
	if (!MAINLINE) {
		before_enrolment();
		enrol();
	}
	if (harness)
		ioremap(G(0), GUARD_PAGE);
	access_rules();
	map_rules();
	unmap_rules();
	range_rules();
	crossing_rules();
	if (harness)
		before_reset();
	else
		skip("SYSTEM_RESET clears the guard", "no test harness to carry state across the reset");
	finish();
	return 0;
}
