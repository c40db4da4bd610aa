// Timer test: the EL1 virtual timer interrupts every millisecond (CVAL advanced by one period in
// the handler, so there is no drift); the CPU waits in WFI between ticks. After 10 ticks, one
// shot of the EL1 physical timer. Prints what it counted; the output is the same on QEMU.
#include "lib.h"

#define TICKS 10

static volatile uint32_t vticks, pticks, spurious, other;
static uint64_t period;

void irq_handler(void)
{
	uint32_t iar = gic_ack();
	uint32_t id = INTID(iar);
	if (id == SPURIOUS) {
		spurious++;
		return;
	}
	if (id == PPI_VIRT_TIMER) {
		vticks++;
		uart_puts("tick ");
		uart_putdec(vticks);
		uart_puts("\n");
		if (vticks < TICKS)
			WRITE_SYSREG(cntv_cval_el0, READ_SYSREG(cntv_cval_el0) + period);
		else
			WRITE_SYSREG(cntv_ctl_el0, 0); // off: its level drops
	} else if (id == PPI_PHYS_TIMER) {
		pticks++;
		WRITE_SYSREG(cntp_ctl_el0, 3); // keep it enabled but mask its output
	} else {
		other++;
	}
	gic_eoi(iar);
}

int main(void)
{
	uart_puts("timer test, GICv");
	uart_putdec(GIC_VERSION);
	uart_puts(": GICD_PIDR2.ArchRev ");
	uart_putdec(gic_arch_rev());
	uart_puts("\n");

	gic_init_dist();
	gic_init_cpu();
	gic_enable_private(PPI_VIRT_TIMER, 0xa0);
	gic_enable_private(PPI_PHYS_TIMER, 0xa0);

	period = cntfrq() / 1000;
	uint64_t start = cntvct();
	WRITE_SYSREG(cntv_cval_el0, start + period);
	WRITE_SYSREG(cntv_ctl_el0, 1); // ENABLE, not masked
	irq_enable();
	while (vticks < TICKS)
		wfi();
	uint64_t elapsed = cntvct() - start;

	// One shot of the physical timer, through TVAL: 2 ms from now.
	WRITE_SYSREG(cntp_tval_el0, 2 * period);
	WRITE_SYSREG(cntp_ctl_el0, 1);
	while (pticks == 0)
		wfi();
	irq_disable();
	uint64_t ctl = READ_SYSREG(cntp_ctl_el0);
	WRITE_SYSREG(cntp_ctl_el0, 0);

	uart_puts("virtual timer: ");
	uart_putdec(vticks);
	uart_puts(" ticks, ");
	uart_puts(elapsed >= TICKS * period ? "at least " : "LESS THAN ");
	uart_putdec(TICKS);
	uart_puts(" ms\n");
	uart_puts("physical timer: ");
	uart_putdec(pticks);
	uart_puts(" interrupt, CNTP_CTL_EL0 then ");
	uart_puthex(ctl);
	uart_puts(" (ISTATUS, IMASK, ENABLE)\n");
	uart_puts("spurious ");
	uart_putdec(spurious);
	uart_puts(", other ");
	uart_putdec(other);
	uart_puts("\n");
	return 0;
}
