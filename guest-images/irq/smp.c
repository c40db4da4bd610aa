// SMP test on 4 CPUs: CPU 0 starts the others with PSCI CPU_ON (checking AFFINITY_INFO and
// ALREADY_ON), then every CPU adds to shared counters under three disciplines: a spinlock built
// on LDAXR/STLXR, a spinlock built on the LSE SWPA, and LSE LDADDAL with no lock. Secondaries
// leave with CPU_OFF; CPU 0 waits for AFFINITY_INFO to say OFF and prints the totals, which
// must be exact. (LSE: run on QEMU with -cpu cortex-a76.)
#include "lib.h"

#define NCPU 4
#define ITERS 20000

static volatile uint32_t started[NCPU], finished[NCPU];
static volatile uint32_t go;
static volatile uint32_t excl_lock, lse_lock;
static volatile uint64_t excl_counter, lse_counter, atomic_counter;

static void lock_excl(volatile uint32_t *l)
{
	uint32_t tmp, one = 1;
	__asm__ volatile(
		"1:	ldaxr	%w0, [%1]\n"
		"	cbnz	%w0, 1b\n"
		"	stxr	%w0, %w2, [%1]\n"
		"	cbnz	%w0, 1b\n"
		: "=&r"(tmp) : "r"(l), "r"(one) : "memory");
}

static void unlock_excl(volatile uint32_t *l) { __asm__ volatile("stlr wzr, [%0]" : : "r"(l) : "memory"); }

static void lock_lse(volatile uint32_t *l)
{
	uint32_t old, one = 1;
	do {
		__asm__ volatile(".arch_extension lse\n swpa %w2, %w0, [%1]" : "=&r"(old) : "r"(l), "r"(one) : "memory");
	} while (old != 0);
}

static void unlock_lse(volatile uint32_t *l) { __asm__ volatile("stlr wzr, [%0]" : : "r"(l) : "memory"); }

static void atomic_add(volatile uint64_t *p, uint64_t v)
{
	uint64_t old;
	__asm__ volatile(".arch_extension lse\n ldaddal %1, %0, [%2]" : "=&r"(old) : "r"(v), "r"(p) : "memory");
}

static void work(void)
{
	for (unsigned i = 0; i < ITERS; i++) {
		lock_excl(&excl_lock);
		excl_counter = excl_counter + 1;
		unlock_excl(&excl_lock);
	}
	for (unsigned i = 0; i < ITERS; i++) {
		lock_lse(&lse_lock);
		lse_counter = lse_counter + 1;
		unlock_lse(&lse_lock);
	}
	for (unsigned i = 0; i < ITERS; i++)
		atomic_add(&atomic_counter, 1);
}

void irq_handler(void) {}

void secondary_main(unsigned me);
void secondary_main(unsigned me)
{
	started[me] = 1;
	while (!go)
		;
	work();
	finished[me] = 1;
	// start.S calls CPU_OFF when this returns
}

static int64_t affinity(unsigned n) { return psci_call(PSCI_AFFINITY_INFO64, n, 0, 0); }

static void show(const char *what, uint64_t v)
{
	uart_puts(what);
	uart_putdec(v);
	uart_puts(v == (uint64_t)NCPU * ITERS ? " (exact)\n" : " (WRONG)\n");
}

int main(void)
{
	uart_puts("smp test, ");
	uart_putdec(NCPU);
	uart_puts(" CPUs, ");
	uart_putdec(ITERS);
	uart_puts(" iterations each\n");
	for (unsigned n = 1; n < NCPU; n++) {
		int64_t before = affinity(n);
		int64_t r = cpu_on(n);
		while (!started[n])
			;
		int64_t again = cpu_on(n);
		uart_puts("cpu ");
		uart_putdec(n);
		uart_puts(": AFFINITY_INFO ");
		uart_puts(before == 1 ? "OFF" : "?");
		uart_puts(", CPU_ON ");
		uart_puts(r == 0 ? "SUCCESS" : "FAILED");
		uart_puts(", AFFINITY_INFO ");
		uart_puts(affinity(n) == 0 ? "ON" : "?");
		uart_puts(", CPU_ON again ");
		uart_puts(again == -4 ? "ALREADY_ON" : "?");
		uart_puts("\n");
	}
	go = 1;
	work();
	for (unsigned n = 1; n < NCPU; n++) {
		while (!finished[n])
			;
		while (affinity(n) != 1) // OFF once it has called CPU_OFF
			;
	}
	uart_puts("all CPUs done and off\n");
	show("LDAXR/STXR spinlock counter: ", excl_counter);
	show("LSE SWPA spinlock counter:   ", lse_counter);
	show("LSE LDADDAL counter:         ", atomic_counter);
	return 0;
}
