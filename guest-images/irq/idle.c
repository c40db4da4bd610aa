// Idle test: a 1 ms virtual-timer tick for 10 s of guest time, WFI between ticks. A64vm skips
// the idle time to each deadline, so the run costs a few instructions per tick.
#include "lib.h"

#define TICKS 10000

static volatile uint32_t ticks;
static uint64_t period;

void irq_handler(void)
{
	uint32_t iar = gic_ack();
	if (INTID(iar) == PPI_VIRT_TIMER) {
		ticks++;
		WRITE_SYSREG(cntv_cval_el0, READ_SYSREG(cntv_cval_el0) + period);
	}
	gic_eoi(iar);
}

int main(void)
{
	gic_init_dist();
	gic_init_cpu();
	gic_enable_private(PPI_VIRT_TIMER, 0xa0);
	period = cntfrq() / 1000;
	uint64_t start = cntvct();
	WRITE_SYSREG(cntv_cval_el0, start + period);
	WRITE_SYSREG(cntv_ctl_el0, 1);
	irq_enable();
	while (ticks < TICKS)
		wfi();
	irq_disable();
	WRITE_SYSREG(cntv_ctl_el0, 0);
	uint64_t elapsed = cntvct() - start;
	uart_puts("idle: ");
	uart_putdec(ticks);
	uart_puts(" ticks of 1 ms, ");
	uart_puts(elapsed >= TICKS * period ? "at least 10 s" : "LESS THAN 10 s");
	uart_puts(" of counter time\n");
	return 0;
}
