// The guest side of the MMIO guard (shared/spec/mmio-guard.md), the way a Linux guest does it:
// discover the KVM vendor services (UID, then the features bitmap), find which guest ABI the
// hypervisor speaks from the bitmap, check the granule (INFO / HYP_MEMINFO), ENROLL, and map
// device memory with an ioremap()/iounmap() pair that keeps a reference count per granule and
// issues MAP on 0 -> 1 and UNMAP on 1 -> 0 (ranges through RGUARD_MAP/RGUARD_UNMAP where the
// ABI has them, continuing after partial progress).
#ifndef GUARD_H
#define GUARD_H
#include "lib.h"

#define GUARD_PAGE 4096ul

enum guard_profile { GUARD_NONE = 0, GUARD_RFC_V1 = 1, GUARD_ANDROID = 2, GUARD_MAINLINE = 3 };

struct guard_abi {
	enum guard_profile profile;
	const char *name;
	// Function numbers (0xC6000000 | n); -1 where the ABI has no such call.
	int info, meminfo, enroll, map, unmap, rmap, runmap;
	// The bitmap VENDOR_HYP_KVM_FEATURES reports for this ABI (x0; x1..x3 are 0).
	u64 features;
	// What every failing call returns: NOT_SUPPORTED (-1) or INVALID_PARAMETER (-3).
	i64 error;
	// Enrolled by the VM's creator: there is no ENROLL call.
	int enrolled_at_creation;
};

extern const struct guard_abi guard_abis[4];

struct guard {
	const struct guard_abi *abi; // 0 when the hypervisor offers no MMIO guard
	u64 features[4];
	u64 granule;
	int enrolled;
};
extern struct guard guard;

// Discovery: returns 0 and fills `guard` when the hypervisor is KVM and offers one of the three
// guard ABIs with a 4 KiB granule; else a negative value (and guard.abi = 0). Makes no MMIO access.
int guard_init(void);
// ENROLL (a no-op for an ABI whose VM is enrolled at creation). Returns the call's x0.
i64 guard_enroll(void);

// One call of the ABI's function `fn` (a field of guard_abi); x0 as a signed value.
struct smccc_res guard_call(int fn, u64 a1, u64 a2, u64 a3);

// Maps [phys, phys + size) for device access; returns phys (MMU off: VA = PA), or 0 when a MAP
// failed (nothing stays mapped then). Without the guard it just returns phys.
u64 ioremap(u64 phys, u64 size);
void iounmap(u64 addr, u64 size);
// The reference count of the granule holding phys.
u32 guard_refcount(u64 phys);

#endif
