// The SMC Calling Convention dispatcher (Arm DEN0028, v1.1), like KVM's
// arch/arm64/kvm/hypercalls.c: function ID in W0, arguments in x1..x3, results in x0..x3.
// Owners answered: Arm Architecture calls (SMCCC_VERSION, SMCCC_ARCH_FEATURES), Standard Secure
// Service calls (PSCI, see psci.ts), and the KVM vendor hypervisor service (UID, the features
// bitmap, and whatever vendor functions are registered: the MMIO guard adds its calls here).
// Every call writes all of x0..x3 (unused results are 0), as KVM's smccc_set_retval does.
import type { Cpu } from '../cpu/cpu.ts';
import { psciCall, isPsciFunction, PSCI_FUNCTIONS, type PsciEvent, type VcpuInfo } from './psci.ts';

export const SMCCC_VERSION = 0x80000000;
export const SMCCC_ARCH_FEATURES = 0x80000001;
export const VENDOR_HYP_KVM_FEATURES = 0x86000000;
export const VENDOR_HYP_CALL_UID = 0x8600ff01;

export const SMCCC_VERSION_1_1 = 0x10001n;
export const SMCCC_RET_SUCCESS = 0n;
export const SMCCC_RET_NOT_SUPPORTED = -1n;

/** KVM's vendor hypervisor UID, 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as four W registers. */
export const KVM_UID: readonly [bigint, bigint, bigint, bigint] = [0xb66fb428n, 0xe911c52en, 0x564bcaa9n, 0x743a004dn];

/** Function number n of the vendor hypervisor service, SMC64 convention: 0xC6000000 | n. */
export const vendorHyp64 = (n: number) => (0xc6000000 | n) >>> 0;

/** SMC32 function IDs (bit 30 clear) pass only the low 32 bits of their arguments. */
export const isSmc32 = (fid: number) => ((fid >>> 30) & 1) === 0;

export type Regs4 = [bigint, bigint, bigint, bigint];

/** A vendor function: gets x1..x3 (narrowed for SMC32), returns x0 and optionally x1..x3. */
export type VendorHandler = (args: readonly [bigint, bigint, bigint], fid: number) => readonly bigint[];

export interface SmcccOutcome {
  /** The values written to x0..x3 (as unsigned 64-bit). */
  regs: Regs4;
  /** A PSCI call that changes the machine (power off, reset, vCPU off or suspend). */
  event?: PsciEvent;
}

const MASK64 = (1n << 64n) - 1n;
const MASK32 = 0xffff_ffffn;

/** SMCCC_VERSION's answer, made once: the call every guest makes first and benchmarks make most. */
const VERSION_OUTCOME: SmcccOutcome = Object.freeze({ regs: Object.freeze([SMCCC_VERSION_1_1, 0n, 0n, 0n]) as unknown as Regs4 });

/** x0..x3 of each call that reads none of its arguments (made once; the upper half of X0 is ignored). */
const NO_ARGS = new Map<number, readonly bigint[]>(
  [SMCCC_VERSION, VENDOR_HYP_CALL_UID, VENDOR_HYP_KVM_FEATURES].map((f) => [f, Object.freeze([BigInt(f), 0n, 0n, 0n])]),
);

/** x0..x3 as written back: the given values as unsigned 64-bit, the rest 0. */
function out(a: bigint, b = 0n, c = 0n, d = 0n): Regs4 {
  return [BigInt.asUintN(64, a), BigInt.asUintN(64, b), BigInt.asUintN(64, c), BigInt.asUintN(64, d)];
}

export class Smccc {
  private readonly vendor = new Map<number, { fn: number; handler: VendorHandler }>();

  /** vcpus: the VM's vCPUs (MPIDR and power state), consulted by CPU_ON and AFFINITY_INFO. */
  constructor(private readonly vcpus: () => readonly VcpuInfo[]) {}

  /** Adds vendor hypervisor function number fn (1..127) with ID fid (default 0xC6000000 | fn). */
  registerVendor(fn: number, handler: VendorHandler, fid = vendorHyp64(fn)): void {
    if (fn < 1 || fn > 127) throw new Error(`a64vm: vendor hypervisor function number ${fn} is outside 1..127`);
    this.vendor.set(fid >>> 0, { fn, handler });
  }

  unregisterVendor(fid: number): void { this.vendor.delete(fid >>> 0); }

  /** The VENDOR_HYP_KVM_FEATURES bitmap: bit n set for each implemented function number n. */
  vendorFeatures(): Regs4 {
    const r: Regs4 = [1n, 0n, 0n, 0n]; // bit 0: VENDOR_HYP_KVM_FEATURES itself
    for (const { fn } of this.vendor.values()) r[fn >> 5] |= 1n << BigInt(fn & 31);
    return r;
  }

  /** True when fid is answered with something other than NOT_SUPPORTED. */
  implemented(fid: number): boolean {
    const f = fid >>> 0;
    if (f === SMCCC_VERSION || f === SMCCC_ARCH_FEATURES) return true;
    if (f === VENDOR_HYP_CALL_UID || f === VENDOR_HYP_KVM_FEATURES) return true;
    if (isPsciFunction(f)) return PSCI_FUNCTIONS.includes(f);
    return this.vendor.has(f);
  }

  /** Answers one call given x0..x3 (and W0, the function ID, if known); returns the registers to write back. */
  call(x: readonly bigint[], fid = Number(x[0] & MASK32)): SmcccOutcome {
    // (No closures here, and the calls without arguments first: this runs on every hypercall.)
    if (fid === SMCCC_VERSION) return VERSION_OUTCOME;
    if (fid === VENDOR_HYP_CALL_UID) return { regs: out(...KVM_UID) };
    if (fid === VENDOR_HYP_KVM_FEATURES) return { regs: out(...this.vendorFeatures()) };
    const m = isSmc32(fid) ? MASK32 : MASK64;
    const args = [x[1] & m, x[2] & m, x[3] & m] as const;
    if (fid === SMCCC_ARCH_FEATURES) {
      // 0 when the queried function is implemented (KVM answers only for the workaround
      // calls it knows; a64vm answers for every function ID it implements).
      return { regs: out(this.implemented(Number(args[0] & 0xffff_ffffn)) ? SMCCC_RET_SUCCESS : SMCCC_RET_NOT_SUPPORTED) };
    }
    if (isPsciFunction(fid)) {
      const r = psciCall(fid, args, this.vcpus());
      return { regs: out(r.x0), event: r.event };
    }
    const v = this.vendor.get(fid);
    if (v) {
      const r = v.handler(args, fid);
      return { regs: out(r[0] ?? 0n, r[1] ?? 0n, r[2] ?? 0n, r[3] ?? 0n) };
    }
    return { regs: out(SMCCC_RET_NOT_SUPPORTED) };
  }

  /** Answers the call the vCPU made: reads x0..x3 and writes the results back. */
  handle(cpu: Cpu): SmcccOutcome {
    // W0 is read as a number, and calls without arguments read nothing else (each X read is a
    // BigInt; this runs on every hypercall).
    const w0 = cpu.w(0);
    const r = this.call(NO_ARGS.get(w0) ?? [cpu.x(0), cpu.x(1), cpu.x(2), cpu.x(3)], w0);
    const regs = r.regs;
    for (let i = 0; i < 4; i++) {
      const v = regs[i];
      // Most results are small (0, a version, an error code): two u32 stores, no BigInt made.
      if (v >= 0n && v <= 0xffff_ffffn) cpu.setXw(i, Number(v));
      else cpu.setX(i, v);
    }
    return r;
  }
}
