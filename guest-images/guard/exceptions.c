// The exception handlers of the guard guests: every exception is recorded (struct exc_record),
// optionally reported with its syndrome, and recovered from where that makes sense:
//   SError (asynchronous): nothing to fix, ELR_EL1 is already the next instruction;
//   data abort: skip the faulting instruction (ELR_EL1 + 4), as for a failed bus access;
//   instruction abort: return to the caller of the branch-and-link that jumped there (x30);
//   SVC #0x55 from EL0: the end of an el0_call, back to EL1;
//   UNDEFINED (EC 0): skip the instruction (the semihosting probe on hypervisors without it).
// IRQ/FIQ and any other synchronous exception are unexpected: report and power off.
#include "lib.h"

volatile struct exc_record exc;
int exc_verbose;

void exc_clear(void)
{
	exc.count = 0;
	exc.vector = 0;
	exc.esr = exc.elr = exc.far = exc.spsr = exc.x30 = 0;
}

const char *esr_describe(u64 esr)
{
	u32 ec = (u32)(esr >> 26) & 0x3f;
	switch (ec) {
	case 0x2f:
		if ((esr & 0xffffff) == 0x4d4701)
			return "SError: MMIO guard violation, unmapped granule";
		if ((esr & 0xffffff) == 0x4d4702)
			return "SError: MMIO guard violation, access without a valid syndrome";
		return "SError";
	case 0x24: return "data abort from EL0";
	case 0x25: return "data abort from EL1";
	case 0x20: return "instruction abort from EL0";
	case 0x21: return "instruction abort from EL1";
	case 0x15: return "SVC";
	case 0x00: return "unknown reason (UNDEFINED)";
	default: return "exception";
	}
}

static void report(const char *what, struct frame *f, u32 vector)
{
	puts(what);
	puts(" at vector +");
	puthex(vector * 0x80);
	puts(": ESR_EL1 ");
	puthex(f->esr);
	puts(" (");
	puts(esr_describe(f->esr));
	puts(") ELR_EL1 ");
	puthex(f->elr);
	puts(" FAR_EL1 ");
	puthex(f->far);
	puts("\n");
}

extern char el0_return[];
u64 el0_enter(u64 (*fn)(u64), u64 arg, u64 spsr);
static u64 el0_saved_daif;

u64 el0_call(u64 (*fn)(u64), u64 arg, u64 spsr)
{
	el0_saved_daif = READ_SYSREG(daif);
	return el0_enter(fn, arg, spsr);
}

void exception_handler(struct frame *f, u64 vector)
{
	u32 type = vector & 3, lower = vector >= 8;
	u32 ec = (u32)(f->esr >> 26) & 0x3f;

	if (type == 0 && ec == 0x15 && lower && (f->esr & 0xffff) == 0x55) {
		// el0_call's return: resume at el0_return at EL1h with the caller's DAIF.
		f->elr = (u64)el0_return;
		f->spsr = 0x5 | el0_saved_daif; // EL1h
		return;
	}
	exc.count++;
	exc.vector = (u32)vector;
	exc.esr = f->esr;
	exc.elr = f->elr;
	exc.far = f->far;
	exc.spsr = f->spsr;
	exc.x30 = f->x[30];
	if (type == 3) {
		if (exc_verbose)
			report("SError taken", f, (u32)vector);
		return;
	}
	if (type == 0 && (ec == 0x24 || ec == 0x25)) {
		if (exc_verbose)
			report("synchronous external abort taken", f, (u32)vector);
		f->elr += 4;
		return;
	}
	if (type == 0 && (ec == 0x20 || ec == 0x21)) {
		if (exc_verbose)
			report("instruction abort taken", f, (u32)vector);
		f->elr = f->x[30];
		return;
	}
	if (type == 0 && ec == 0x00) {
		f->elr += 4;
		return;
	}
	report("unexpected exception", f, (u32)vector);
	psci_system_off();
}
