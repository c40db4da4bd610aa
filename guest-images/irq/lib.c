// UART output, PSCI and the GIC driver of the irq guests (see lib.h).
#include "lib.h"

#define UART_BASE 0x09000000ul
#define UARTDR    0x000
#define UARTFR    0x018
#define FR_TXFF   (1u << 5)

void uart_putc(char c)
{
	while (mmio_read32(UART_BASE + UARTFR) & FR_TXFF)
		;
	mmio_write32(UART_BASE + UARTDR, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_putdec(uint64_t v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	uart_puts(&buf[i]);
}

void uart_puthex(uint64_t v)
{
	uart_puts("0x");
	int shift = 60;
	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void report_exception(uint64_t esr, uint64_t elr, uint64_t far);
void report_exception(uint64_t esr, uint64_t elr, uint64_t far)
{
	uart_puts("unexpected exception: ESR ");
	uart_puthex(esr);
	uart_puts(" ELR ");
	uart_puthex(elr);
	uart_puts(" FAR ");
	uart_puthex(far);
	uart_puts("\n");
}

int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

int64_t cpu_on(unsigned n)
{
	return psci_call(PSCI_CPU_ON64, n, (uint64_t)(uintptr_t)secondary_entry, n);
}

unsigned cpu_id(void) { return (unsigned)(READ_SYSREG(mpidr_el1) & 0xff); }

#define GICD_BASE 0x08000000ul
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400

uint32_t gic_it_lines(void) { return mmio_read32(GICD_BASE + GICD_TYPER) & 0x1f; }

static void set_priority(uintptr_t base, unsigned intid, uint8_t prio)
{
	// Byte accesses to IPRIORITYR are allowed, but a word access keeps to the rules of MMU off.
	uintptr_t reg = base + GICD_IPRIORITYR + (intid & ~3u);
	unsigned sh = 8 * (intid & 3);
	mmio_write32(reg, (mmio_read32(reg) & ~(0xffu << sh)) | ((uint32_t)prio << sh));
}

#if GIC_VERSION == 3
// GICv3: affinity routing, group 1 non-secure interrupts through the ICC_* registers (written by
// encoding, so any assembler takes them).
#define GICR_BASE 0x080a0000ul
#define GICR_STRIDE 0x20000ul
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define SGI_BASE 0x10000ul
#define GICD_PIDR2 0xffe8
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5

uint32_t gic_arch_rev(void) { return (mmio_read32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf; }

static void wait_rwp(void)
{
	while (mmio_read32(GICD_BASE + GICD_CTLR) & (1u << 31))
		;
}

void gic_init_dist(void)
{
	mmio_write32(GICD_BASE + GICD_CTLR, 0);
	wait_rwp();
	unsigned lines = gic_it_lines() + 1;
	for (unsigned i = 1; i < lines; i++)
		mmio_write32(GICD_BASE + GICD_IGROUPR + 4 * i, 0xffffffff); // SPIs: group 1
	mmio_write32(GICD_BASE + GICD_CTLR, (1u << 4) | (1u << 1)); // ARE, EnableGrp1 (DS = 1 layout)
	wait_rwp();
}

static uintptr_t my_redist(void)
{
	uint64_t aff = READ_SYSREG(mpidr_el1) & 0xff;
	for (uintptr_t r = GICR_BASE;; r += GICR_STRIDE) {
		uint32_t typer_lo = mmio_read32(r + GICR_TYPER);
		uint32_t typer_hi = mmio_read32(r + GICR_TYPER + 4);
		if ((typer_hi & 0xff) == aff || (typer_lo & (1u << 4)))
			return r;
	}
}

void gic_init_cpu(void)
{
	uintptr_t rd = my_redist();
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~(1u << 1)); // ProcessorSleep = 0
	while (mmio_read32(rd + GICR_WAKER) & (1u << 2))                         // ChildrenAsleep
		;
	mmio_write32(rd + SGI_BASE + GICD_IGROUPR, 0xffffffff); // SGIs and PPIs: group 1
	WRITE_SYSREG(ICC_SRE_EL1, READ_SYSREG(ICC_SRE_EL1) | 1);
	isb();
	WRITE_SYSREG(ICC_PMR_EL1, 0xf0);
	WRITE_SYSREG(ICC_BPR1_EL1, 0);
	WRITE_SYSREG(ICC_CTLR_EL1, 0); // EOImode 0: EOIR drops the priority and deactivates
	WRITE_SYSREG(ICC_IGRPEN1_EL1, 1);
	isb();
}

void gic_enable_private(unsigned intid, uint8_t prio)
{
	uintptr_t rd = my_redist() + SGI_BASE;
	set_priority(rd, intid, prio);
	mmio_write32(rd + GICD_ISENABLER, 1u << intid);
}

uint32_t gic_ack(void)
{
	uint32_t iar = (uint32_t)READ_SYSREG(ICC_IAR1_EL1);
	__asm__ volatile("dsb sy" ::: "memory");
	return iar;
}

void gic_eoi(uint32_t iar) { WRITE_SYSREG(ICC_EOIR1_EL1, iar); isb(); }

void gic_send_sgi(unsigned intid, unsigned cpu)
{
	dsb_sy(); // make earlier stores visible to the target first
	WRITE_SYSREG(ICC_SGI1R_EL1, ((uint64_t)intid << 24) | (1u << cpu)); // Aff3.Aff2.Aff1 = 0
	isb();
}

void gic_send_sgi_others(unsigned intid)
{
	dsb_sy();
	WRITE_SYSREG(ICC_SGI1R_EL1, ((uint64_t)intid << 24) | (1ull << 40)); // IRM: all but self
	isb();
}

#elif GIC_VERSION == 2
// GICv2 without the Security Extensions: group 0 interrupts, signalled as IRQ (FIQEn = 0).
#define GICC_BASE 0x08010000ul
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICD_SGIR 0xf00
#define GICD_PIDR2 0xfe8

uint32_t gic_arch_rev(void) { return (mmio_read32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf; }

void gic_init_dist(void)
{
	mmio_write32(GICD_BASE + GICD_CTLR, 1); // EnableGrp0
}

void gic_init_cpu(void)
{
	mmio_write32(GICC_BASE + GICC_PMR, 0xf0);
	mmio_write32(GICC_BASE + GICC_BPR, 0);
	mmio_write32(GICC_BASE + GICC_CTLR, 1); // EnableGrp0, EOImode 0
}

void gic_enable_private(unsigned intid, uint8_t prio)
{
	set_priority(GICD_BASE, intid, prio);
	mmio_write32(GICD_BASE + GICD_ISENABLER, 1u << intid); // banked: this CPU's SGIs and PPIs
}

uint32_t gic_ack(void) { return mmio_read32(GICC_BASE + GICC_IAR); }
void gic_eoi(uint32_t iar) { mmio_write32(GICC_BASE + GICC_EOIR, iar); }

void gic_send_sgi(unsigned intid, unsigned cpu)
{
	dsb_sy();
	mmio_write32(GICD_BASE + GICD_SGIR, ((1u << cpu) << 16) | intid);
}

void gic_send_sgi_others(unsigned intid)
{
	dsb_sy();
	mmio_write32(GICD_BASE + GICD_SGIR, (1u << 24) | intid); // TargetListFilter 1: all but self
}
#else
#error "GIC_VERSION must be 2 or 3"
#endif

// Images that start no other CPU need no secondary_main of their own.
void secondary_main(unsigned me);
__attribute__((weak)) void secondary_main(unsigned me) { (void)me; }
