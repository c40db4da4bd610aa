// semihosting.elf: Arm semihosting calls (HLT #0xF000; run with QEMU's -semihosting and
// a64vm's --semihosting): SYS_WRITE0, SYS_WRITEC, SYS_OPEN(":tt") + SYS_WRITE, SYS_CLOCK, and
// SYS_EXIT_EXTENDED with status 42, which both report as their exit status. Semihosting console
// output goes to stderr on both; what the guest learns goes to the UART (stdout). SYS_CLOCK
// readings depend on the host, so only their relations are printed.
#include "rt.h"

#define SYS_OPEN          0x01
#define SYS_WRITEC        0x03
#define SYS_WRITE0        0x04
#define SYS_WRITE         0x05
#define SYS_CLOCK         0x10
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

void on_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	uart_puts("unexpected synchronous exception: ESR_EL1 ");
	put_hex(esr);
	uart_puts(" ELR_EL1 ");
	put_hex(f->elr);
	uart_puts(" FAR_EL1 ");
	put_hex(far);
	uart_puts("\n");
	psci_system_off();
}

static const char tt[] = ":tt";
static const char written[] = "SYS_WRITE: to the :tt handle\n";

int main(void)
{
	uart_puts("semihosting test\n");

	semihost(SYS_WRITE0, (uintptr_t)"SYS_WRITE0: a string\n");
	uart_puts("SYS_WRITE0 done\n");

	for (const char *p = "SYS_WRITEC: one byte at a time\n"; *p; p++)
		semihost(SYS_WRITEC, (uintptr_t)p);
	uart_puts("SYS_WRITEC done\n");

	uint64_t open[3] = { (uintptr_t)tt, 4 /* "w" */, sizeof(tt) - 1 };
	int64_t h = (int64_t)semihost(SYS_OPEN, (uintptr_t)open);
	uart_puts("SYS_OPEN(\":tt\", \"w\") -> ");
	put_x((uint64_t)h);
	uart_puts("\n");
	uint64_t write[3] = { (uint64_t)h, (uintptr_t)written, sizeof(written) - 1 };
	uart_puts("SYS_WRITE -> ");
	put_x(semihost(SYS_WRITE, (uintptr_t)write));
	uart_puts(" bytes not written\n");

	int64_t c1 = (int64_t)semihost(SYS_CLOCK, 0);
	for (volatile int i = 0; i < 100000; i++)
		;
	int64_t c2 = (int64_t)semihost(SYS_CLOCK, 0);
	uart_puts("SYS_CLOCK: first >= 0: ");
	uart_puts(c1 >= 0 ? "yes" : "no");
	uart_puts(", second >= first: ");
	uart_puts(c2 >= c1 ? "yes" : "no");
	uart_puts("\n");

	uart_puts("SYS_EXIT_EXTENDED(ApplicationExit, 42)\n");
	uint64_t exit[2] = { ADP_Stopped_ApplicationExit, 42 };
	semihost(SYS_EXIT_EXTENDED, (uintptr_t)exit);
	uart_puts("still running after SYS_EXIT_EXTENDED\n");
	return 0;
}
