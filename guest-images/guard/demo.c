// guard-demo.elf: the MMIO guard from a guest's point of view. It discovers the guard, enrols,
// maps the UART and prints through it, touches the PL031 RTC without mapping it first (the
// hypervisor refuses to forward that access and injects an abort, reported by the handler),
// then maps the RTC properly, reads it, unmaps everything and powers off. On a hypervisor without
// the guard (QEMU's TCG) it says so and powers off.
#include "guard.h"

#define RTCDR 0x000

int main(void)
{
	int err = guard_init(); // hypercalls only: nothing is mapped yet
	if (err) {
		puts("guard-demo: the hypervisor does not offer the MMIO guard (");
		puts(err == -1 ? "no KVM vendor hypervisor services" : err == -2 ? "no known guard ABI in the KVM features" : "granule is not 4 KiB");
		puts("); nothing to show, powering off\n");
		return 0;
	}
	i64 e = guard_enroll();
	u64 uart = ioremap(UART_BASE, 0x1000);
	if (e != 0 || uart != UART_BASE)
		return 1; // cannot print: the UART is not ours
	puts("guard-demo: MMIO guard found, ABI ");
	puts(guard.abi->name);
	puts(", granule ");
	putdec(guard.granule);
	puts(" bytes; enrolled, UART mapped (refcount ");
	putdec(guard_refcount(UART_BASE));
	puts(")\n");

	exc_verbose = 1;
	serror_unmask(); // take the SError as soon as it is pending
	puts("guard-demo: reading the PL031 RTC at ");
	puthex(RTC_BASE);
	puts(" without mapping it...\n");
	exc_clear();
	u32 v = read32(RTC_BASE + RTCDR);
	if (exc.count == 0) {
		puts("guard-demo: the access was forwarded: the guard did not stop it\n");
		return 1;
	}
	puts("guard-demo: the hypervisor injected ");
	puts((exc.esr >> 26) == 0x2f ? "an SError" : "a synchronous data abort");
	puts("; the load returned ");
	puthex(v);
	puts(" and never reached the RTC\n");

	u64 rtc = ioremap(RTC_BASE, 0x1000);
	exc_clear();
	v = read32(rtc + RTCDR);
	puts("guard-demo: after ioremap the RTC reads ");
	putdec(v);
	puts(exc.count ? " (but an exception was taken!)\n" : " seconds since the epoch\n");
	iounmap(rtc, 0x1000);

	puts("guard-demo: unmapping the UART and powering off\n");
	iounmap(uart, 0x1000);
	return 0;
}
