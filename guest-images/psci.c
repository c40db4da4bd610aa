// psci.elf: SMCCC and PSCI calls over HVC (the conduit of the virt board's /psci node), each
// printed with the x0 it returned: PSCI_VERSION, PSCI_FEATURES of several function IDs,
// MIGRATE_INFO_TYPE, AFFINITY_INFO, CPU_ON of the running CPU, unknown function IDs (-1),
// SMCCC_VERSION and the KVM vendor hypervisor UID; then SYSTEM_OFF. Where QEMU 7.2 and a64vm
// answer differently by design (a64vm is KVM-like: SMCCC 1.1, PSCI 1.1 with SYSTEM_RESET2, the
// KVM vendor service), test/qemu-compare.test.ts names the difference.
#include "rt.h"

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

static void show(const char *what, uint64_t fid, uint64_t a1, uint64_t a2)
{
	uart_puts(what);
	uart_puts(" -> ");
	put_hex(hvc_call(fid, a1, a2, 0));
	uart_puts("\n");
}

static const struct { const char *name; uint32_t fid; } features[] = {
	{ "PSCI_VERSION", 0x84000000 },
	{ "CPU_SUSPEND (SMC64)", 0xc4000001 },
	{ "CPU_OFF", 0x84000002 },
	{ "CPU_ON (SMC64)", 0xc4000003 },
	{ "AFFINITY_INFO (SMC64)", 0xc4000004 },
	{ "MIGRATE (SMC64)", 0xc4000005 },
	{ "MIGRATE_INFO_TYPE", 0x84000006 },
	{ "SYSTEM_OFF", 0x84000008 },
	{ "SYSTEM_RESET", 0x84000009 },
	{ "PSCI_FEATURES", 0x8400000a },
	{ "CPU_FREEZE", 0x8400000b },
	{ "SYSTEM_SUSPEND (SMC64)", 0xc400000e },
	{ "SYSTEM_RESET2 (SMC64)", 0xc4000012 },
	{ "SMCCC_VERSION", 0x80000000 },
	{ "0x8400001f (unassigned PSCI ID)", 0x8400001f },
};

int main(void)
{
	uart_puts("psci test\n");
	show("PSCI_VERSION", 0x84000000, 0, 0);
	for (unsigned i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		uart_puts("PSCI_FEATURES(");
		uart_puts(features[i].name);
		uart_puts(")");
		show("", 0x8400000a, features[i].fid, 0);
	}
	show("MIGRATE_INFO_TYPE", 0x84000006, 0, 0);
	show("AFFINITY_INFO(MPIDR 0, level 0)", 0xc4000004, 0, 0);
	show("AFFINITY_INFO(MPIDR 0x100, level 0)", 0xc4000004, 0x100, 0);
	show("CPU_ON(MPIDR 0: the running CPU)", 0xc4000003, 0, 0x40080000);
	show("unknown ID 0x8400001f", 0x8400001f, 0, 0);
	show("unknown ID 0xc2000000 (SiP service)", 0xc2000000, 0, 0);
	show("unknown ID 0xbf000000 (trusted OS)", 0xbf000000, 0, 0);
	show("SMCCC_VERSION", 0x80000000, 0, 0);
	show("VENDOR_HYP_CALL_UID", 0x8600ff01, 0, 0);
	uart_puts("SYSTEM_OFF\n");
	return 0;
}
