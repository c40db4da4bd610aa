// What the hypervisor must answer to an SMCCC call from a one-vCPU VM, written from
// shared/spec/mmio-guard.md ("Discovery", "PSCI") with the MMIO guard's calls delegated to the
// guard model (guard-model.ts). Independent of src/hyp (smccc.ts, psci.ts): the hypercall
// fuzzing target (guard-check.ts) compares the two after every call.
import { GUARD_NUMBERS, type GuardModel } from './guard-model.ts';

const NOT_SUPPORTED = -1n;
const INVALID_PARAMS = -2n;
const ALREADY_ON = -4n;

/** The PSCI function IDs the spec lists (what PSCI_FEATURES reports as present). */
export const PSCI_IDS: readonly number[] = [
  0x84000000, 0x84000001, 0xc4000001, 0x84000002, 0x84000003, 0xc4000003, 0x84000004, 0xc4000004,
  0x84000006, 0x84000008, 0x84000009, 0x8400000a, 0x84000012, 0xc4000012,
];
const SMCCC_VERSION = 0x80000000;
const SMCCC_ARCH_FEATURES = 0x80000001;
const KVM_UID_FID = 0x8600ff01;
const KVM_FEATURES_FID = 0x86000000;
const KVM_UID = [0xb66fb428n, 0xe911c52en, 0x564bcaa9n, 0x743a004dn];

/** MPIDR_EL1 Aff3 [39:32] and Aff2..Aff0 [23:0]; the single vCPU's affinity is 0. */
const HWID = 0xff_00ff_ffffn;
const LEVEL_MASK = [HWID, 0xff_00ff_ff00n, 0xff_00ff_0000n, 0xff_0000_0000n];

/** The function IDs the VM implements: SMCCC_ARCH_FEATURES answers 0 for exactly these. */
function implemented(guard: GuardModel, fid: number): boolean {
  if ([SMCCC_VERSION, SMCCC_ARCH_FEATURES, KVM_UID_FID, KVM_FEATURES_FID].includes(fid)) return true;
  if (PSCI_IDS.includes(fid)) return true;
  return Object.values(GUARD_NUMBERS[guard.profile]).some((n) => (0xc6000000 | n) >>> 0 === fid);
}

/** x0..x3 the call (W0 = fid, x1..x3 = args) must return, as unsigned 64-bit values. */
export function expectedCall(guard: GuardModel, fid: number, args: readonly [bigint, bigint, bigint]): bigint[] {
  fid >>>= 0;
  // SMC32 IDs (bit 30 clear) pass only the low 32 bits of their arguments (SMCCC 2.5).
  const a = ((fid >>> 30) & 1) === 0 ? args.map((v) => v & 0xffff_ffffn) : [...args];
  const out = (...v: bigint[]) => [0, 1, 2, 3].map((i) => BigInt.asUintN(64, v[i] ?? 0n));
  if (fid === SMCCC_VERSION) return out(0x10001n);
  if (fid === SMCCC_ARCH_FEATURES) return out(implemented(guard, Number(a[0] & 0xffff_ffffn)) ? 0n : NOT_SUPPORTED);
  if (fid === KVM_UID_FID) return out(...KVM_UID);
  if (fid === KVM_FEATURES_FID) {
    const r = [1n, 0n, 0n, 0n]; // bit 0: the features call itself
    for (const n of Object.values(GUARD_NUMBERS[guard.profile])) r[n >> 5] |= 1n << BigInt(n & 31);
    return out(...r);
  }
  if ((fid & 0xbfffffe0) >>> 0 === 0x84000000) return out(psci(fid, a));
  const call = guard.callOf(fid);
  if (call) return out(...guard.call(call, a[0], a[1], a[2]));
  return out(NOT_SUPPORTED);
}

/** PSCI 1.1 with one vCPU (MPIDR affinity 0), for the calls that leave the machine running. */
function psci(fid: number, [a1, a2]: bigint[]): bigint {
  switch (fid) {
    case 0x84000000: return 0x10001n; // PSCI_VERSION 1.1
    case 0x8400000a: { // PSCI_FEATURES
      const f = Number(a1 & 0xffff_ffffn);
      return PSCI_IDS.includes(f) || f === SMCCC_VERSION ? 0n : NOT_SUPPORTED;
    }
    case 0x84000006: return 2n; // MIGRATE_INFO_TYPE: no Trusted OS to migrate
    case 0x84000004: case 0xc4000004: { // AFFINITY_INFO(target, lowest level)
      if ((a1 & ~HWID) !== 0n || a2 > 3n) return INVALID_PARAMS;
      return (a1 & LEVEL_MASK[Number(a2)]) === 0n ? 0n /* ON */ : INVALID_PARAMS;
    }
    case 0x84000003: case 0xc4000003: // CPU_ON(target, entry, context): the only vCPU is on
      if ((a1 & ~HWID) !== 0n) return INVALID_PARAMS;
      return a1 === 0n ? ALREADY_ON : INVALID_PARAMS;
    default: return NOT_SUPPORTED;
  }
}
