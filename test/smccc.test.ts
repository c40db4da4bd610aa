// SMCCC, PSCI and KVM vendor hypercall results (hyp/smccc.ts, hyp/psci.ts), checked against the
// values KVM returns (arch/arm64/kvm/hypercalls.c, psci.c) for a one-vCPU VM with PSCI 1.1.
import { describe, it, expect } from 'vitest';
import { Smccc, KVM_UID, vendorHyp64 } from '../src/hyp/smccc.ts';

const u64 = (v: bigint) => BigInt.asUintN(64, v);
const NOT_SUPPORTED = u64(-1n);
const INVALID_PARAMS = u64(-2n);
const ALREADY_ON = u64(-4n);
const INTERNAL_FAILURE = u64(-6n);

const vm = () => new Smccc(() => [{ mpidr: 0x8000_0000n, on: true }]);
const call = (s: Smccc, x0: number | bigint, x1 = 0n, x2 = 0n, x3 = 0n) => s.call([BigInt(x0), x1, x2, x3]);

describe('Arm architecture calls', () => {
  it('SMCCC_VERSION is 1.1 and clears x1..x3', () => {
    expect(call(vm(), 0x80000000, 5n, 6n, 7n).regs).toEqual([0x10001n, 0n, 0n, 0n]);
  });

  it('only W0 is the function ID', () => {
    expect(call(vm(), 0xffff_ffff_8000_0000n).regs[0]).toBe(0x10001n);
  });

  it('SMCCC_ARCH_FEATURES: 0 for implemented IDs, -1 (64-bit) otherwise', () => {
    const s = vm();
    for (const f of [0x80000000, 0x80000001, 0x84000000, 0x8400000a, 0xc4000003, 0x86000000, 0x8600ff01]) {
      expect(call(s, 0x80000001, BigInt(f)).regs[0], f.toString(16)).toBe(0n);
    }
    for (const f of [0x8400000e, 0x84000005, 0x80008000, 0x12345678, 0xc6000003]) {
      expect(call(s, 0x80000001, BigInt(f)).regs[0], f.toString(16)).toBe(NOT_SUPPORTED);
    }
  });

  it('SMC32 calls see only the low 32 bits of x1..x3', () => {
    expect(call(vm(), 0x80000001, 0xdead_beef_8400_0000n).regs[0]).toBe(0n);
  });

  it('unknown function IDs return -1 in x0', () => {
    for (const f of [0x82000000, 0xc6000010, 0x00000000, 0x8600ff00, 0xbf00ff01]) {
      expect(call(vm(), f, 1n, 2n, 3n).regs, f.toString(16)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
    }
  });
});

describe('PSCI 1.1', () => {
  it('PSCI_VERSION is 1.1', () => { expect(call(vm(), 0x84000000).regs[0]).toBe(0x10001n); });

  it('PSCI_FEATURES: 0 for every implemented function and SMCCC_VERSION, -1 otherwise', () => {
    const s = vm();
    const yes = [0x84000000, 0x84000001, 0xc4000001, 0x84000002, 0x84000003, 0xc4000003, 0x84000004, 0xc4000004,
      0x84000006, 0x84000008, 0x84000009, 0x8400000a, 0x84000012, 0xc4000012, 0x80000000];
    for (const f of yes) expect(call(s, 0x8400000a, BigInt(f)).regs[0], f.toString(16)).toBe(0n);
    const no = [0x84000005, 0xc4000005, 0x84000007, 0x8400000e, 0xc400000e, 0x80000001, 0x86000000, 0x1234];
    for (const f of no) expect(call(s, 0x8400000a, BigInt(f)).regs[0], f.toString(16)).toBe(NOT_SUPPORTED);
  });

  it('CPU_ON: the running vCPU 0 is ALREADY_ON, any other MPIDR is INVALID_PARAMS', () => {
    const s = vm();
    expect(call(s, 0x84000003, 0n, 0x40080000n).regs).toEqual([ALREADY_ON, 0n, 0n, 0n]);
    expect(call(s, 0xc4000003, 0n, 0x40080000n).regs[0]).toBe(ALREADY_ON);
    expect(call(s, 0xc4000003, 1n).regs[0]).toBe(INVALID_PARAMS);
    expect(call(s, 0xc4000003, 0x100n).regs[0]).toBe(INVALID_PARAMS);
    expect(call(s, 0xc4000003, 0x1_0000_0000n).regs[0]).toBe(INVALID_PARAMS); // Aff3 = 1
    expect(call(s, 0xc4000003, 0x100_0000n).regs[0]).toBe(INVALID_PARAMS); // bits outside the affinity fields
    // SMC32 CPU_ON drops the upper half of the target MPIDR.
    expect(call(s, 0x84000003, 0xffff_ffff_0000_0000n).regs[0]).toBe(ALREADY_ON);
  });

  it('AFFINITY_INFO', () => {
    const s = vm();
    expect(call(s, 0xc4000004, 0n, 0n).regs[0]).toBe(0n); // ON
    expect(call(s, 0x84000004, 0n, 0n).regs[0]).toBe(0n);
    expect(call(s, 0xc4000004, 1n, 0n).regs[0]).toBe(INVALID_PARAMS); // no such vCPU
    expect(call(s, 0xc4000004, 1n, 1n).regs[0]).toBe(0n); // level 1 ignores Aff0
    expect(call(s, 0xc4000004, 0x100n, 1n).regs[0]).toBe(INVALID_PARAMS);
    expect(call(s, 0xc4000004, 0n, 4n).regs[0]).toBe(INVALID_PARAMS); // no level 4
    expect(call(s, 0xc4000004, 0x100_0000n, 0n).regs[0]).toBe(INVALID_PARAMS);
  });

  it('MIGRATE_INFO_TYPE is 2 (no Trusted OS to migrate); MIGRATE is not supported', () => {
    expect(call(vm(), 0x84000006).regs[0]).toBe(2n);
    expect(call(vm(), 0xc4000005).regs[0]).toBe(NOT_SUPPORTED);
    expect(call(vm(), 0x84000007).regs[0]).toBe(NOT_SUPPORTED);
  });

  it('SYSTEM_OFF and SYSTEM_RESET are events (x0 = INTERNAL_FAILURE should the guest resume)', () => {
    expect(call(vm(), 0x84000008)).toEqual({ regs: [INTERNAL_FAILURE, 0n, 0n, 0n], event: { kind: 'system-off' } });
    expect(call(vm(), 0x84000009).event).toEqual({ kind: 'system-reset' });
  });

  it('SYSTEM_RESET2: warm reset (0) and vendor types reset, architectural types > 0 are INVALID_PARAMS', () => {
    expect(call(vm(), 0x84000012, 0n, 5n).event).toEqual({ kind: 'system-reset2', resetType: 0n, cookie: 5n });
    expect(call(vm(), 0xc4000012, 0x8000_0001n).event?.kind).toBe('system-reset2');
    const r = call(vm(), 0x84000012, 1n);
    expect(r.regs[0]).toBe(INVALID_PARAMS);
    expect(r.event).toBeUndefined();
  });

  it('CPU_OFF and CPU_SUSPEND', () => {
    expect(call(vm(), 0x84000002)).toEqual({ regs: [0n, 0n, 0n, 0n], event: { kind: 'cpu-off' } });
    expect(call(vm(), 0xc4000001, 7n)).toEqual({ regs: [0n, 0n, 0n, 0n], event: { kind: 'cpu-suspend', powerState: 7n } });
  });
});

describe('KVM vendor hypervisor service', () => {
  it('VENDOR_HYP_CALL_UID is KVM\'s UID', () => {
    expect(call(vm(), 0x8600ff01).regs).toEqual([...KVM_UID]);
    expect(KVM_UID).toEqual([0xb66fb428n, 0xe911c52en, 0x564bcaa9n, 0x743a004dn]);
  });

  it('VENDOR_HYP_KVM_FEATURES lists FEATURES itself, then registered functions', () => {
    const s = vm();
    expect(call(s, 0x86000000).regs).toEqual([1n, 0n, 0n, 0n]);
    s.registerVendor(3, () => [0n]);
    s.registerVendor(33, () => [0n]);
    s.registerVendor(127, () => [0n]);
    expect(call(s, 0x86000000).regs).toEqual([0b1001n, 2n, 0n, 1n << 31n]);
  });

  it('a registered 64-bit vendor function gets full 64-bit arguments and sets x0..x3', () => {
    const s = vm();
    s.registerVendor(4, (args, fid) => [args[0] + 1n, args[1], BigInt(fid), -3n]);
    expect(vendorHyp64(4)).toBe(0xc6000004);
    expect(call(s, 0xc6000004, 0x1_0000_0000n, 9n).regs).toEqual([0x1_0000_0001n, 9n, 0xc6000004n, u64(-3n)]);
    expect(call(s, 0x80000001, 0xc6000004n).regs[0]).toBe(0n);
    s.unregisterVendor(0xc6000004);
    expect(call(s, 0xc6000004).regs[0]).toBe(NOT_SUPPORTED);
  });

  it('rejects vendor function numbers outside 1..127', () => {
    expect(() => vm().registerVendor(0, () => [0n])).toThrow(/outside 1..127/);
    expect(() => vm().registerVendor(128, () => [0n])).toThrow(/outside 1..127/);
  });
});
