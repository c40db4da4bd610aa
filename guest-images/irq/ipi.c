// IPI test on 4 CPUs: CPU 0 starts the others with PSCI CPU_ON; then SGIs go CPU 0 -> each CPU
// (CPU n answers with SGI 12 + n: a GICv3 SGI pending from two sources at once is one
// interrupt, so each answer has its own), CPU 0 -> all others at once, and around a ring
// 0 -> 1 -> 2 -> 3 -> 0. Only CPU 0 prints; every line is the same on QEMU whatever the timing.
#include "lib.h"

#define NCPU 4
#define SGI_REPLY 12 // + the CPU number
#define SGI_BROADCAST 10
#define SGI_RING 11

static volatile uint32_t online[NCPU];
static volatile uint32_t got[NCPU];     // bit n: SGI n received, per CPU
static volatile uint32_t count[NCPU];   // SGIs received, per CPU
static volatile uint32_t replies;       // SGI_REPLY seen by CPU 0
static volatile uint32_t ring_done;
static volatile uint32_t source_ok = 1; // GICv2: the IAR's CPUID field names the sender

static void enable_sgis(void)
{
	for (unsigned i = 0; i < 16; i++)
		gic_enable_private(i, 0x80);
}

void irq_handler(void)
{
	unsigned me = cpu_id();
	uint32_t iar = gic_ack();
	uint32_t id = INTID(iar);
	if (id >= 16) {
		gic_eoi(iar);
		return;
	}
	got[me] |= 1u << id;
	count[me]++;
#if GIC_VERSION == 2
	unsigned src = (iar >> 10) & 7;
	unsigned want = id == SGI_RING ? (me + NCPU - 1) % NCPU : (id > SGI_REPLY ? id - SGI_REPLY : 0);
	if (src != want)
		source_ok = 0;
#endif
	if (me == 0) {
		if (id > SGI_REPLY)
			replies++;
		else if (id == SGI_RING)
			ring_done = 1;
	} else if (id == SGI_RING) {
		gic_send_sgi(SGI_RING, (me + 1) % NCPU);
	} else {
		gic_send_sgi(SGI_REPLY + me, 0);
	}
	gic_eoi(iar);
}

void secondary_main(unsigned me);
void secondary_main(unsigned me)
{
	gic_init_cpu();
	enable_sgis();
	online[me] = 1;
	irq_enable();
	for (;;)
		wfi();
}

static void wait_replies(uint32_t n)
{
	while (replies < n)
		wfi();
}

int main(void)
{
	uart_puts("ipi test, GICv");
	uart_putdec(GIC_VERSION);
	uart_puts(", ");
	uart_putdec(NCPU);
	uart_puts(" CPUs\n");
	gic_init_dist();
	gic_init_cpu();
	enable_sgis();
	for (unsigned n = 1; n < NCPU; n++) {
		int64_t r = cpu_on(n);
		uart_puts("CPU_ON ");
		uart_putdec(n);
		uart_puts(r == 0 ? ": ok\n" : ": FAILED\n");
		while (!online[n])
			;
	}
	irq_enable();

	uint32_t expect = 0;
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned n = 1; n < NCPU; n++) {
			gic_send_sgi(n + 3 * round, n); // SGIs 1..9, each to one CPU
			wait_replies(++expect);
		}
	}
	uart_puts("unicast: ");
	uart_putdec(replies);
	uart_puts(" replies\n");

	gic_send_sgi_others(SGI_BROADCAST);
	expect += NCPU - 1;
	wait_replies(expect);
	uart_puts("broadcast: ");
	uart_putdec(replies - 9);
	uart_puts(" replies\n");

	gic_send_sgi(SGI_RING, 1);
	while (!ring_done)
		wfi();
	irq_disable();
	uart_puts("ring: back at CPU 0\n");

	for (unsigned n = 0; n < NCPU; n++) {
		uart_puts("CPU ");
		uart_putdec(n);
		uart_puts(": ");
		uart_putdec(count[n]);
		uart_puts(" SGIs, set ");
		uart_puthex(got[n]);
		uart_puts("\n");
	}
	uart_puts(source_ok ? "sources ok\n" : "sources WRONG\n");
	return 0;
}
