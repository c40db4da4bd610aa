// exceptions.elf: synchronous exceptions taken to EL1 through the guest's own vector table
// (rt-start.S), each reported with ESR_EL1, ELR_EL1 and (for aborts, where it is defined) FAR_EL1,
// then resumed. Runs with the MMU off.
//
// Alignment: with the MMU off every data access is to Device-nGnRnE memory, where the Arm ARM
// requires an alignment fault for any unaligned access; QEMU 7.2 does not raise it while a64vm
// does. So the unaligned loads and stores compared with QEMU run with SCTLR_EL1.A = 1, which
// both check the same way; the exclusive and load-acquire cases must fault whatever SCTLR_EL1.A
// says and run with A = 0. The last two cases are where QEMU 7.2 departs from the Arm ARM (no
// SP alignment check, no Device-memory alignment check): the comparison names them.
#include "rt.h"

static uint64_t words[4] __attribute__((aligned(16)));

void on_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	uint64_t ec = esr >> 26;
	uart_puts("  taken: EC ");
	put_x(ec);
	uart_puts(" ESR_EL1 ");
	put_hex(esr);
	uart_puts(" ELR_EL1 ");
	put_hex(f->elr);
	// FAR_EL1 is UNKNOWN for SVC, BRK and UNDEFINED; defined for aborts and PC alignment faults.
	if (ec == 0x25 || ec == 0x22) {
		uart_puts(" FAR_EL1 ");
		put_hex(far);
	}
	uart_puts("\n");
	switch (ec) {
	case 0x15: // SVC: ELR_EL1 is already the next instruction
		break;
	case 0x22: // PC alignment fault at a branch target: return to the caller
		f->elr = f->x[30];
		break;
	default: // BRK, UNDEFINED, data aborts: ELR_EL1 is the instruction; skip it
		f->elr += 4;
	}
}

static void check_a(int on)
{
	uint64_t sctlr = sysreg_read(sctlr_el1);
	sctlr = on ? sctlr | 2 : sctlr & ~(uint64_t)2;
	sysreg_write(sctlr_el1, sctlr);
	isb();
}

int main(void)
{
	uintptr_t w = (uintptr_t)words;
	uint64_t v;

	uart_puts("exceptions test\n");

	uart_puts("svc #0x123\n");
	__asm__ volatile("svc #0x123" : : : "memory");

	uart_puts("brk #0x42\n");
	__asm__ volatile("brk #0x42" : : : "memory");

	uart_puts("udf #0xdead\n");
	__asm__ volatile("udf #0xdead" : : : "memory");

	uart_puts("hlt #0x1 (no semihosting: UNDEFINED)\n");
	__asm__ volatile("hlt #0x1" : : : "memory");

	check_a(1);
	uart_puts("SCTLR_EL1.A = 1: ldr x0, [words + 1]\n");
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(w + 1) : "memory");
	uart_puts("SCTLR_EL1.A = 1: str w2, [words + 2]\n");
	__asm__ volatile("str %w0, [%1]" : : "r"(0x55u), "r"(w + 2) : "memory");
	uart_puts("SCTLR_EL1.A = 1: ldrh w0, [words + 3]\n");
	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(w + 3) : "memory");
	uart_puts("SCTLR_EL1.A = 1: ldr w0, [words + 4] (aligned: no fault)\n");
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(w + 4) : "memory");
	check_a(0);

	uart_puts("ldxr x0, [words + 4]\n");
	__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(w + 4) : "memory");
	uart_puts("ldar w0, [words + 2]\n");
	__asm__ volatile("ldar %w0, [%1]" : "=r"(v) : "r"(w + 2) : "memory");
	uart_puts("stlr x0, [words + 8] (aligned: no fault)\n");
	__asm__ volatile("stlr %0, [%1]" : : "r"(v), "r"(w + 8) : "memory");

	uart_puts("blr to a misaligned address\n");
	__asm__ volatile("adr x9, 1f\n\t"
			 "add x9, x9, #2\n\t"
			 "blr x9\n\t"
			 "b 2f\n"
			 "1:\tnop\n\t"
			 "ret\n"
			 "2:"
			 :
			 :
			 : "x9", "x30", "memory");

	// Two checks QEMU 7.2 does not make, so its output lacks the "taken" line of each; the
	// comparison test names them as deviations (test/qemu-compare.test.ts).
	uart_puts("SCTLR_EL1.SA = 1 (reset value): ldr x0, [sp] at EL1t with SP_EL0 misaligned\n");
	__asm__ volatile("msr spsel, #0\n\t"
			 "mov sp, %1\n\t"
			 "ldr %0, [sp]\n\t"
			 "msr spsel, #1"
			 : "=r"(v)
			 : "r"(w + 4)
			 : "memory");
	uart_puts("MMU off (Device-nGnRnE), SCTLR_EL1.A = 0: ldr x0, [words + 1]\n");
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(w + 1) : "memory");

	(void)v;
	uart_puts("done\n");
	return 0;
}
