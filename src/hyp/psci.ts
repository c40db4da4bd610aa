// PSCI 1.1 (Arm DEN0022), answered the way KVM's arch/arm64/kvm/psci.c answers it for a VM with
// PSCI v1.1: function IDs, return codes, argument checks. The calls that change the machine
// (CPU_OFF, CPU_SUSPEND, SYSTEM_OFF, SYSTEM_RESET, SYSTEM_RESET2) come back as events for the VM.

export const PSCI_VERSION = 0x84000000;
export const PSCI_CPU_SUSPEND = 0x84000001;
export const PSCI_CPU_SUSPEND64 = 0xc4000001;
export const PSCI_CPU_OFF = 0x84000002;
export const PSCI_CPU_ON = 0x84000003;
export const PSCI_CPU_ON64 = 0xc4000003;
export const PSCI_AFFINITY_INFO = 0x84000004;
export const PSCI_AFFINITY_INFO64 = 0xc4000004;
export const PSCI_MIGRATE = 0x84000005;
export const PSCI_MIGRATE64 = 0xc4000005;
export const PSCI_MIGRATE_INFO_TYPE = 0x84000006;
export const PSCI_MIGRATE_INFO_UP_CPU = 0x84000007;
export const PSCI_MIGRATE_INFO_UP_CPU64 = 0xc4000007;
export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;
export const PSCI_FEATURES = 0x8400000a;
export const PSCI_SYSTEM_SUSPEND = 0x8400000e;
export const PSCI_SYSTEM_SUSPEND64 = 0xc400000e;
export const PSCI_SYSTEM_RESET2 = 0x84000012;
export const PSCI_SYSTEM_RESET2_64 = 0xc4000012;

/** PSCI 1.1: major 1 in [31:16], minor 1 in [15:0]. */
export const PSCI_VERSION_1_1 = 0x10001n;

export const PSCI_RET_SUCCESS = 0n;
export const PSCI_RET_NOT_SUPPORTED = -1n;
export const PSCI_RET_INVALID_PARAMS = -2n;
export const PSCI_RET_DENIED = -3n;
export const PSCI_RET_ALREADY_ON = -4n;
export const PSCI_RET_ON_PENDING = -5n;
export const PSCI_RET_INTERNAL_FAILURE = -6n;
export const PSCI_RET_NOT_PRESENT = -7n;
export const PSCI_RET_DISABLED = -8n;
export const PSCI_RET_INVALID_ADDRESS = -9n;

/** AFFINITY_INFO results. */
export const PSCI_AFFINITY_ON = 0n;
export const PSCI_AFFINITY_OFF = 1n;
/** MIGRATE_INFO_TYPE: "Trusted OS is not present or does not require migration". */
export const PSCI_TOS_NOT_PRESENT_MP = 2n;

/** SYSTEM_RESET2 reset types: architectural warm reset 0; vendor-specific ones have bit 31 set. */
const RESET_TYPE_WARM = 0n;
const RESET_TYPE_VENDOR_START = 0x80000000n;

/** MPIDR_EL1 affinity fields Aff3 [39:32], Aff2..Aff0 [23:0] (MPIDR_HWID_BITMASK). */
export const MPIDR_HWID_MASK = 0xff_00ff_ffffn;

export type PsciEvent =
  | { kind: 'cpu-off' }
  /** CPU_ON accepted: the vCPU with this MPIDR starts at entry with x0 = context, EL1h, DAIF masked, MMU off. */
  | { kind: 'cpu-on'; mpidr: bigint; entry: bigint; context: bigint }
  | { kind: 'cpu-suspend'; powerState: bigint }
  | { kind: 'system-off' }
  | { kind: 'system-reset' }
  | { kind: 'system-reset2'; resetType: bigint; cookie: bigint };

export interface PsciResult { x0: bigint; event?: PsciEvent }

export interface VcpuInfo { mpidr: bigint; on: boolean }

/** The PSCI function IDs this implementation answers (also what PSCI_FEATURES reports as 0). */
export const PSCI_FUNCTIONS: readonly number[] = [
  PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_CPU_SUSPEND64, PSCI_CPU_OFF, PSCI_CPU_ON, PSCI_CPU_ON64,
  PSCI_AFFINITY_INFO, PSCI_AFFINITY_INFO64, PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,
  PSCI_SYSTEM_RESET, PSCI_FEATURES, PSCI_SYSTEM_RESET2, PSCI_SYSTEM_RESET2_64,
];

/** True when fid is in the PSCI range (SMC32 0x84000000-0x8400001F or SMC64 0xC4000000-...). */
export function isPsciFunction(fid: number): boolean {
  const f = fid >>> 0;
  return (f & 0xbfffffe0) >>> 0 === 0x84000000;
}

/** psci_affinity_mask(): the affinity fields compared at and above a level (0..3). */
function affinityMask(level: bigint): bigint {
  switch (level) {
    case 0n: return MPIDR_HWID_MASK;
    case 1n: return 0xff_00ff_ff00n;
    case 2n: return 0xff_00ff_0000n;
    case 3n: return 0xff_0000_0000n;
    default: return 0n;
  }
}

/** SMCCC_VERSION: PSCI_FEATURES reports it (SMCCC v1.1 discovery goes through PSCI_FEATURES). */
const SMCCC_VERSION_FID = 0x80000000;

/** Answers one PSCI call. args are x1..x3, already narrowed to 32 bits for SMC32 function IDs. */
export function psciCall(fid: number, args: readonly [bigint, bigint, bigint], vcpus: readonly VcpuInfo[]): PsciResult {
  const [a1, a2, a3] = args;
  switch (fid >>> 0) {
    case PSCI_VERSION:
      return { x0: PSCI_VERSION_1_1 };
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND64:
      // KVM treats CPU_SUSPEND as WFI (every power state is a standby state) and returns SUCCESS.
      return { x0: PSCI_RET_SUCCESS, event: { kind: 'cpu-suspend', powerState: a1 } };
    case PSCI_CPU_OFF:
      return { x0: PSCI_RET_SUCCESS, event: { kind: 'cpu-off' } };
    case PSCI_CPU_ON:
    case PSCI_CPU_ON64: {
      if ((a1 & ~MPIDR_HWID_MASK) !== 0n) return { x0: PSCI_RET_INVALID_PARAMS };
      const target = vcpus.find((v) => (v.mpidr & MPIDR_HWID_MASK) === a1);
      if (!target) return { x0: PSCI_RET_INVALID_PARAMS };
      if (target.on) return { x0: PSCI_RET_ALREADY_ON };
      // As KVM's kvm_psci_vcpu_on: the target is reset and runnable at once (no ON_PENDING).
      return { x0: PSCI_RET_SUCCESS, event: { kind: 'cpu-on', mpidr: target.mpidr, entry: a2, context: a3 } };
    }
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO64: {
      if ((a1 & ~MPIDR_HWID_MASK) !== 0n) return { x0: PSCI_RET_INVALID_PARAMS };
      const mask = affinityMask(a2);
      if (mask === 0n) return { x0: PSCI_RET_INVALID_PARAMS };
      const matching = vcpus.filter((v) => (v.mpidr & mask) === (a1 & mask));
      if (matching.length === 0) return { x0: PSCI_RET_INVALID_PARAMS };
      return { x0: matching.some((v) => v.on) ? PSCI_AFFINITY_ON : PSCI_AFFINITY_OFF };
    }
    case PSCI_MIGRATE_INFO_TYPE:
      return { x0: PSCI_TOS_NOT_PRESENT_MP };
    case PSCI_SYSTEM_OFF:
      // Should the VM ever resume, the call failed (KVM leaves INTERNAL_FAILURE in x0).
      return { x0: PSCI_RET_INTERNAL_FAILURE, event: { kind: 'system-off' } };
    case PSCI_SYSTEM_RESET:
      return { x0: PSCI_RET_INTERNAL_FAILURE, event: { kind: 'system-reset' } };
    case PSCI_SYSTEM_RESET2:
    case PSCI_SYSTEM_RESET2_64:
      if (a1 <= RESET_TYPE_WARM || a1 >= RESET_TYPE_VENDOR_START) {
        return { x0: PSCI_RET_INTERNAL_FAILURE, event: { kind: 'system-reset2', resetType: a1, cookie: a2 } };
      }
      return { x0: PSCI_RET_INVALID_PARAMS };
    case PSCI_FEATURES: {
      const f = Number(a1 & 0xffff_ffffn);
      if (PSCI_FUNCTIONS.includes(f) || f === SMCCC_VERSION_FID) return { x0: PSCI_RET_SUCCESS };
      return { x0: PSCI_RET_NOT_SUPPORTED };
    }
    default:
      // MIGRATE, MIGRATE_INFO_UP_CPU, SYSTEM_SUSPEND (not enabled, as in KVM by default), and
      // everything else.
      return { x0: PSCI_RET_NOT_SUPPORTED };
  }
}
