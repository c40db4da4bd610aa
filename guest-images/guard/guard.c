// The guest's MMIO guard library (guard.h).
#include "guard.h"

// KVM's UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as VENDOR_HYP_CALL_UID returns it.
static const u32 kvm_uid[4] = { 0xb66fb428u, 0xe911c52eu, 0x564bcaa9u, 0x743a004du };

#define BIT(n) (1ul << (n))
const struct guard_abi guard_abis[4] = {
	{ GUARD_NONE, "none", -1, -1, -1, -1, -1, -1, -1, 0, -1, 0 },
	// The 2021 series: FEATURES 0, PTP 1, INFO 2, ENROLL 3, MAP 4, UNMAP 5.
	{ GUARD_RFC_V1, "rfc-v1", 2, -1, 3, 4, 5, -1, -1,
	  BIT(0) | BIT(2) | BIT(3) | BIT(4) | BIT(5), -1, 0 },
	// pKVM in the Android common kernel: HYP_MEMINFO 2, INFO 5, ENROLL 6, MAP 7, UNMAP 8,
	// RGUARD_MAP 10, RGUARD_UNMAP 11.
	{ GUARD_ANDROID, "android", 5, 2, 6, 7, 8, 10, 11,
	  BIT(0) | BIT(2) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(10) | BIT(11), -3, 0 },
	// Linux 6.12+: HYP_MEMINFO 2, MMIO_GUARD 7; the VM is enrolled by its creator.
	{ GUARD_MAINLINE, "mainline", -1, 2, -1, 7, -1, -1, -1, BIT(0) | BIT(2) | BIT(7), -3, 1 },
};

struct guard guard;

struct smccc_res guard_call(int fn, u64 a1, u64 a2, u64 a3)
{
	if (fn < 0)
		return (struct smccc_res){ (u64)-1, 0, 0, 0 };
	return smccc(VENDOR_HYP_FN64((u64)fn), a1, a2, a3);
}

static int has(int fn) { return fn >= 0 && ((guard.features[fn / 64] >> (fn % 64)) & 1); }

int guard_init(void)
{
	struct smccc_res r = smccc(VENDOR_HYP_CALL_UID, 0, 0, 0);
	guard.abi = 0;
	if (r.a0 != kvm_uid[0] || r.a1 != kvm_uid[1] || r.a2 != kvm_uid[2] || r.a3 != kvm_uid[3])
		return -1; // not KVM (QEMU's TCG answers -1)
	r = smccc(VENDOR_HYP_KVM_FEATURES, 0, 0, 0);
	guard.features[0] = r.a0;
	guard.features[1] = r.a1;
	guard.features[2] = r.a2;
	guard.features[3] = r.a3;
	// The numbers collide between ABIs; ENROLL (3 or 6) or its absence with MAP 7 tells them apart.
	const struct guard_abi *abi = 0;
	if (has(3) && has(4) && has(5) && has(2))
		abi = &guard_abis[GUARD_RFC_V1];
	else if (has(6) && has(7) && has(8) && has(5))
		abi = &guard_abis[GUARD_ANDROID];
	else if (has(7) && has(2) && !has(6) && !has(3))
		abi = &guard_abis[GUARD_MAINLINE];
	if (!abi)
		return -2;
	// The granule must be the guest's page size (4 KiB here), as Linux's guest checks.
	r = guard_call(abi->info >= 0 ? abi->info : abi->meminfo, 0, 0, 0);
	if (r.a0 != GUARD_PAGE)
		return -3;
	guard.granule = r.a0;
	guard.abi = abi;
	guard.enrolled = abi->enrolled_at_creation;
	return 0;
}

i64 guard_enroll(void)
{
	if (!guard.abi)
		return -1;
	if (guard.abi->enroll < 0)
		return 0;
	i64 r = (i64)guard_call(guard.abi->enroll, 0, 0, 0).a0;
	if (r == 0)
		guard.enrolled = 1;
	return r;
}

// ---- per-granule reference counts ----
#define MAX_GRANULES 64
static struct { u64 granule; u32 count; } refs[MAX_GRANULES];

static u32 *refcount_slot(u64 granule, int create)
{
	int free_slot = -1;
	for (int i = 0; i < MAX_GRANULES; i++) {
		if (refs[i].count && refs[i].granule == granule)
			return &refs[i].count;
		if (!refs[i].count && free_slot < 0)
			free_slot = i;
	}
	if (!create || free_slot < 0)
		return 0;
	refs[free_slot].granule = granule;
	return &refs[free_slot].count;
}

u32 guard_refcount(u64 phys)
{
	u32 *c = refcount_slot(phys & ~(GUARD_PAGE - 1), 0);
	return c ? *c : 0;
}

// MAP (map = 1) or UNMAP (map = 0) of n granules from ipa: one range call after another where
// the ABI has them (each may do only part of the work), else one call per granule.
static int guard_range(u64 ipa, u64 n, int map)
{
	const struct guard_abi *abi = guard.abi;
	int range_fn = map ? abi->rmap : abi->runmap;
	int one_fn = map ? abi->map : abi->unmap;
	if (!map && one_fn < 0)
		return 0; // mainline has no UNMAP: the granule stays known as MMIO, as Linux leaves it
	while (n) {
		if (range_fn >= 0 && n > 1) {
			struct smccc_res r = guard_call(range_fn, ipa, n, 0);
			if ((i64)r.a0 != 0 || r.a1 == 0 || r.a1 > n)
				return -1;
			ipa += r.a1 * GUARD_PAGE;
			n -= r.a1;
		} else {
			if ((i64)guard_call(one_fn, ipa, 0, 0).a0 != 0)
				return -1;
			ipa += GUARD_PAGE;
			n--;
		}
	}
	return 0;
}

u64 ioremap(u64 phys, u64 size)
{
	if (!guard.abi || !guard.enrolled)
		return phys;
	u64 first = phys & ~(GUARD_PAGE - 1), end = (phys + size + GUARD_PAGE - 1) & ~(GUARD_PAGE - 1);
	u64 g = first;
	// Take a reference on every granule; map each run of granules that go 0 -> 1 at once.
	while (g < end) {
		u32 *c = refcount_slot(g, 1);
		if (!c)
			goto fail; // out of reference-count slots
		if (*c) {
			(*c)++;
			g += GUARD_PAGE;
			continue;
		}
		u64 run = g, n = 0;
		while (g < end && (c = refcount_slot(g, 1)) && *c == 0) {
			*c = 1;
			n++;
			g += GUARD_PAGE;
		}
		if (guard_range(run, n, 1) != 0)
			goto fail;
	}
	return phys;
fail:
	iounmap(first, g - first); // drop what this call took (and mapped)
	return 0;
}

void iounmap(u64 addr, u64 size)
{
	if (!guard.abi || !guard.enrolled)
		return;
	u64 first = addr & ~(GUARD_PAGE - 1), end = (addr + size + GUARD_PAGE - 1) & ~(GUARD_PAGE - 1);
	u64 run = 0, run_n = 0;
	for (u64 g = first; g <= end; g += GUARD_PAGE) {
		u32 *c = g < end ? refcount_slot(g, 0) : 0;
		if (c && --*c == 0) {
			if (!run_n)
				run = g;
			run_n++;
			continue;
		}
		if (run_n)
			guard_range(run, run_n, 0);
		run_n = 0;
	}
}
