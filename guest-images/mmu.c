// mmu.elf: stage-1 translation from the guest's side. Builds 4 KiB-granule tables (39-bit VAs,
// walks starting at level 1): an identity map through TTBR0 (Device memory for the UART's
// gigabyte, Normal memory for RAM in 2 MiB blocks, one 2 MiB range in 4 KiB pages with special
// permissions) and a high alias of RAM through TTBR1, turns the MMU on, uses the alias for data
// and code, takes a permission fault, an access-flag fault (fixed up by setting AF and
// retrying), a translation fault and an execute-never fault from its own vector table, checks
// AT S1E1R/W and a TLBI after remapping a page, and powers off with the MMU on.
#include "rt.h"

#define PAGE 4096ul

// Descriptor bits (VMSAv8-64, 4 KiB granule).
#define D_BLOCK   1ul
#define D_TABLE   3ul
#define D_PAGE    3ul
#define ATTR(n)   ((uint64_t)(n) << 2) // AttrIndx into MAIR_EL1
#define AP_RO     (2ul << 6)           // AP[2:1] = 10: read-only at EL1, no EL0 access
#define SH_INNER  (3ul << 8)
#define AF        (1ul << 10)
#define PXN       (1ul << 53)
#define UXN       (1ul << 54)

#define MAIR_DEVICE 0 // Device-nGnRnE
#define MAIR_NORMAL 1 // Normal, write-back

#define HIGH_BASE 0xffffff8000000000ul // the TTBR1 region with T1SZ = 25
#define RAM_BASE  0x40000000ul
#define TEST_VA   0x40400000ul // 512 4 KiB pages with special permissions (level 3 table)

enum { P_RW, P_RO, P_NOAF, P_INVALID, P_XN, P_OTHER };

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));
static uint64_t l1_high[512] __attribute__((aligned(4096)));
static volatile uint64_t shared;

static inline uint64_t pa_page(unsigned n) { return TEST_VA + n * PAGE; }
static inline volatile uint64_t *page(unsigned n) { return (volatile uint64_t *)pa_page(n); }
static inline uint64_t high(uint64_t va) { return va - RAM_BASE + HIGH_BASE + RAM_BASE; }

static void tlbi_va(uint64_t va)
{
	dsb(ishst);
	__asm__ volatile("tlbi vaae1is, %0" : : "r"(va >> 12) : "memory");
	dsb(ish);
	isb();
}

void on_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	uint64_t ec = esr >> 26, fsc = esr & 0x3f;
	uart_puts("  taken: EC ");
	put_x(ec);
	uart_puts(" ESR_EL1 ");
	put_hex(esr);
	uart_puts(" FAR_EL1 ");
	put_hex(far);
	uart_puts(" ELR_EL1 ");
	put_hex(f->elr);
	uart_puts("\n");
	if (ec == 0x25 && fsc >= 0x09 && fsc <= 0x0b) {
		// Access flag fault: set AF in the level 3 descriptor and retry the access.
		unsigned n = (unsigned)((far - TEST_VA) / PAGE);
		l3[n] |= AF;
		tlbi_va(far);
		uart_puts("  set AF, retrying\n");
	} else if (ec == 0x21) {
		f->elr = f->x[30]; // an instruction abort on a call: back to the caller
	} else if (ec == 0x25) {
		f->elr += 4; // skip the faulting load or store
	} else {
		uart_puts("  unexpected; powering off\n");
		psci_system_off();
	}
}

/** Returns the address it runs at: called through the alias, a TTBR1 address. */
static uint64_t __attribute__((noinline)) where(void)
{
	uint64_t pc;
	__asm__ volatile("adr %0, ." : "=r"(pc));
	return pc;
}

static uint64_t at_s1e1r(uint64_t va)
{
	__asm__ volatile("at s1e1r, %0" : : "r"(va));
	isb();
	return sysreg_read(par_el1);
}

static uint64_t at_s1e1w(uint64_t va)
{
	__asm__ volatile("at s1e1w, %0" : : "r"(va));
	isb();
	return sysreg_read(par_el1);
}

static void show(const char *what, uint64_t v)
{
	uart_puts(what);
	put_hex(v);
	uart_puts("\n");
}

static void build_tables(void)
{
	const uint64_t normal = ATTR(MAIR_NORMAL) | SH_INNER | AF;
	// TTBR0, level 1: 0-1 GiB Device (the UART), 1-2 GiB through a level 2 table.
	l1[0] = 0x00000000ul | D_BLOCK | ATTR(MAIR_DEVICE) | AF | PXN | UXN;
	l1[1] = (uintptr_t)l2 | D_TABLE;
	// Level 2: RAM (128 MiB) in 2 MiB blocks, except TEST_VA's 2 MiB, mapped by a level 3 table.
	for (unsigned i = 0; i < 64; i++)
		l2[i] = (RAM_BASE + (uint64_t)i * 0x200000) | D_BLOCK | normal;
	l2[(TEST_VA - RAM_BASE) >> 21] = (uintptr_t)l3 | D_TABLE;
	for (unsigned i = 0; i < 512; i++)
		l3[i] = pa_page(i) | D_PAGE | normal;
	l3[P_RO] |= AP_RO;
	l3[P_NOAF] &= ~AF;
	l3[P_INVALID] = 0;
	l3[P_XN] |= PXN | UXN;
	// TTBR1, level 1: the second gigabyte of the high region aliases RAM.
	l1_high[1] = RAM_BASE | D_BLOCK | normal;
}

int main(void)
{
	uart_puts("mmu test\n");
	// Page contents, written with the MMU off (identity: VA = PA).
	*page(P_RW) = 0x1111;
	*page(P_RO) = 0x2222;
	*page(P_NOAF) = 0x3333;
	*page(P_OTHER) = 0x6666;
	*(volatile uint32_t *)pa_page(P_XN) = 0xd65f03c0; // ret
	build_tables();

	sysreg_write(mair_el1, (0xfful << (8 * MAIR_NORMAL)) | (0x00ul << (8 * MAIR_DEVICE)));
	// T0SZ = T1SZ = 25, 4 KiB granules (TG0 = 0, TG1 = 2), inner-shareable write-back walks,
	// IPS = 40 bits.
	uint64_t tcr = 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (0ul << 14) |
		       (25ul << 16) | (1ul << 24) | (1ul << 26) | (3ul << 28) | (2ul << 30) | (2ul << 32);
	sysreg_write(tcr_el1, tcr);
	sysreg_write(ttbr0_el1, (uintptr_t)l1);
	sysreg_write(ttbr1_el1, (uintptr_t)l1_high);
	dsb(ish);
	isb();
	__asm__ volatile("tlbi vmalle1\n\tic iallu" : : : "memory");
	dsb(ish);
	isb();
	sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | 1 | (1 << 2) | (1 << 12)); // M, C, I
	isb();
	show("MMU on: SCTLR_EL1 ", sysreg_read(sctlr_el1));

	show("read page 0 (read-write): ", *page(P_RW));
	*page(P_RW) = 0x1112;
	show("after a store: ", *page(P_RW));

	shared = 0xabcd;
	volatile uint64_t *alias = (volatile uint64_t *)high((uintptr_t)&shared);
	show("a variable through the TTBR1 alias at ", (uintptr_t)alias);
	show("  reads ", *alias);
	*alias = 0xdcba;
	show("  a store through the alias, read through the identity map: ", shared);
	uint64_t (*where_high)(void) = (uint64_t (*)(void))high((uintptr_t)where);
	show("code through the alias runs at ", where_high());

	uart_puts("store to the read-only page 1\n");
	*page(P_RO) = 0xbad;
	show("  page 1 still holds ", *page(P_RO));

	uart_puts("load from page 2 (access flag clear)\n");
	show("  read ", *page(P_NOAF));

	uart_puts("load from page 3 (invalid descriptor)\n");
	show("  read (skipped: x0 unchanged) ", *page(P_INVALID));

	uart_puts("call into page 4 (PXN)\n");
	((void (*)(void))pa_page(P_XN))();
	uart_puts("  back\n");

	show("AT S1E1R page 0: PAR_EL1 ", at_s1e1r(pa_page(P_RW)));
	show("AT S1E1R page 3: PAR_EL1 ", at_s1e1r(pa_page(P_INVALID)));
	show("AT S1E1W page 1: PAR_EL1 ", at_s1e1w(pa_page(P_RO)));
	show("AT S1E1R alias of page 1: PAR_EL1 ", at_s1e1r(high(pa_page(P_RO))));

	uart_puts("remap page 0 to page 5's frame, TLBI VAAE1IS\n");
	l3[P_RW] = pa_page(P_OTHER) | D_PAGE | ATTR(MAIR_NORMAL) | SH_INNER | AF;
	tlbi_va(pa_page(P_RW));
	show("  page 0 now reads ", *page(P_RW));

	uart_puts("powering off with the MMU on\n");
	return 0;
}
