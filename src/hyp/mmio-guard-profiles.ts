// The three guest ABIs of the MMIO guard (shared/spec/mmio-guard.md, "Profiles and function
// numbers"): which KVM vendor hypervisor function numbers a profile answers, which error code it
// returns, and the per-call rules where the three disagree. A VM speaks exactly one profile,
// chosen when it is created; the numbers collide between profiles (2 is INFO in rfc-v1 but
// HYP_MEMINFO elsewhere, 5 is UNMAP in rfc-v1 but INFO in android).
//
// Sources: rfc-v1 = Documentation/virt/kvm/arm/mmio-guard.rst of the 2021 series; android = the
// pKVM hypervisor of the Android common kernel (nvhe/pkvm.c: pkvm_meminfo_call,
// pkvm_install_ioguard_page, pkvm_remove_ioguard_page); mainline = the Linux 6.12+ guest side
// (drivers/virt/coco/pkvm-guest), whose only guard call is MMIO_GUARD (7).

export type GuardProfileName = 'rfc-v1' | 'android' | 'mainline' | 'off';
export const GUARD_PROFILES: readonly GuardProfileName[] = ['rfc-v1', 'android', 'mainline', 'off'];

/** The calls of the guard, by what they do (names as the spec's table). */
export type GuardCall = 'INFO' | 'HYP_MEMINFO' | 'ENROLL' | 'MAP' | 'UNMAP' | 'RGUARD_MAP' | 'RGUARD_UNMAP';

/** SMCCC return codes the guard uses. */
export const RET_SUCCESS = 0n;
export const RET_NOT_SUPPORTED = -1n;
export const RET_INVALID_PARAMETER = -3n;

/** The protection granule: INFO and HYP_MEMINFO return it; every IPA argument is one. */
export const GUARD_GRANULE = 4096;

/**
 * Granules one RGUARD_MAP / RGUARD_UNMAP call processes at most. The spec lets the hypervisor
 * stop early; a fixed, small batch makes the partial-progress path deterministic (and exercised
 * by every guest that maps more than this).
 */
export const RGUARD_MAX_BATCH = 16;

export interface GuardProfile {
  name: GuardProfileName;
  /** Function number (0xC6000000 | n) of each call the profile has. */
  functions: Partial<Record<GuardCall, number>>;
  /** The code every failing call returns. */
  error: bigint;
  /** The VM is enrolled by its creator (and again after each reset): there is no ENROLL call. */
  enrolledAtCreation: boolean;
  /** INFO / HYP_MEMINFO reject non-zero x1..x3 (else they are ignored). */
  infoArgsMustBeZero: boolean;
  /** INFO / HYP_MEMINFO also return x1 = 1: the range calls exist (pKVM's KVM_FUNC_HAS_RANGE). */
  infoHasRange: boolean;
  /** MAP: x2 = x3 = 0 is required (mainline); else x2 is the attribute and x3 is ignored. */
  mapArgsMustBeZero: boolean;
  /** MAP records x2 as the granule's attribute (rfc-v1); the others record 0 (ignored, or must be 0). */
  mapRecordsAttribute: boolean;
  /** MAP returns x1 = granules processed (1 or 0), as pKVM's shared MAP/RGUARD_MAP handler. */
  mapReturnsCount: boolean;
  /** UNMAP of a granule that is not mapped: success (android) or the error (rfc-v1). */
  unmapUnmappedSucceeds: boolean;
  /** UNMAP aligns a misaligned IPA down (rfc-v1) instead of rejecting it. */
  unmapAlignsDown: boolean;
}

const common = { mapRecordsAttribute: false, infoArgsMustBeZero: false, infoHasRange: false, mapArgsMustBeZero: false, mapReturnsCount: false, unmapUnmappedSucceeds: false, unmapAlignsDown: false };

export const PROFILES: Record<GuardProfileName, GuardProfile> = {
  'rfc-v1': {
    ...common,
    name: 'rfc-v1',
    // FEATURES is 0 and PTP is 1 in this numbering; a64vm implements neither PTP nor anything
    // else there, so only the guard's own bits (and FEATURES) are set in the bitmap.
    functions: { INFO: 2, ENROLL: 3, MAP: 4, UNMAP: 5 },
    error: RET_NOT_SUPPORTED,
    enrolledAtCreation: false,
    mapRecordsAttribute: true,
    unmapAlignsDown: true,
  },
  android: {
    ...common,
    name: 'android',
    functions: { HYP_MEMINFO: 2, INFO: 5, ENROLL: 6, MAP: 7, UNMAP: 8, RGUARD_MAP: 10, RGUARD_UNMAP: 11 },
    error: RET_INVALID_PARAMETER,
    enrolledAtCreation: false,
    infoArgsMustBeZero: true,
    infoHasRange: true,
    mapReturnsCount: true,
    unmapUnmappedSucceeds: true,
  },
  mainline: {
    ...common,
    name: 'mainline',
    functions: { HYP_MEMINFO: 2, MAP: 7 },
    error: RET_INVALID_PARAMETER,
    enrolledAtCreation: true,
    infoArgsMustBeZero: true,
    mapArgsMustBeZero: true,
  },
  off: {
    ...common,
    name: 'off',
    functions: {},
    error: RET_NOT_SUPPORTED,
    enrolledAtCreation: false,
  },
};

export function isGuardProfileName(s: string): s is GuardProfileName {
  return (GUARD_PROFILES as readonly string[]).includes(s);
}

/** How a guard violation is injected: a virtual SError (default) or KVM's synchronous kvm_inject_dabt. */
export type GuardViolationMode = 'serror' | 'dabt';
export const GUARD_VIOLATION_MODES: readonly GuardViolationMode[] = ['serror', 'dabt'];
export function isGuardViolationMode(s: string): s is GuardViolationMode {
  return (GUARD_VIOLATION_MODES as readonly string[]).includes(s);
}
