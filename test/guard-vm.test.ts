// The MMIO guard on a whole VM, beyond the conformance guests: the embedder's SError, resets of
// a mainline VM, and a guard state carried into a new VM. Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import { CODE, RTC, UART, guest, taken } from './helpers/guest.ts';

const MSR_DAIFCLR_A = 0xd50344ff; // msr daifclr, #4
const NOP = 0xd503201f;
const LDR_W1_X2 = 0xb9400041; // ldr w1, [x2]

describe('the MMIO guard on a VM', () => {
  it('vm.raiseSError(): taken when PSTATE.A is cleared, ESR_EL1 = EC 0x2F | IL | the syndrome', async () => {
    const vm = await guest([NOP, MSR_DAIFCLR_A, NOP, NOP]);
    vm.raiseSError();
    vm.run({ budget: 3 });
    expect(taken(vm)).toMatchObject({ vector: 0x380, esr: 0xbf00_0000n, elr: BigInt(CODE + 8) });
    const vm2 = await guest([MSR_DAIFCLR_A, NOP]);
    vm2.raiseSError(0x1234n);
    vm2.run({ budget: 2 });
    expect(taken(vm2)).toMatchObject({ vector: 0x380, esr: 0xbe00_1234n });
  });

  it('mainline: enrolled at creation and again after a reset, with every mapping gone', async () => {
    const vm = await guest([NOP], { mmioGuard: 'mainline' });
    expect(vm.guard.enrolled).toBe(true);
    expect(vm.smccc.call([0xc600_0007n, BigInt(UART), 0n, 0n]).regs[0]).toBe(0n);
    expect(vm.guard.mappings()).toEqual([{ ipa: UART, attr: 0n }]);
    vm.reset();
    expect(vm.guard.enrolled).toBe(true);
    expect(vm.guard.mappings()).toEqual([]);
  });

  it('a guard state saved from one VM is enforced by another', async () => {
    const a = await guest([NOP], { mmioGuard: 'android', guardViolation: 'dabt' });
    a.smccc.call([0xc600_0006n, 0n, 0n, 0n]); // ENROLL
    a.smccc.call([0xc600_0007n, BigInt(RTC), 0n, 0n]); // MAP the RTC
    const state = JSON.parse(JSON.stringify(a.guard.getState()));
    const b = await guest([LDR_W1_X2, LDR_W1_X2], { mmioGuard: 'android', guardViolation: 'dabt' });
    b.guard.setState(state);
    b.cpu.setX(2, BigInt(RTC));
    b.run({ budget: 1 });
    expect(b.cpu.pc).toBe(BigInt(CODE + 4)); // the mapped RTC answered
    b.cpu.setX(2, BigInt(UART));
    b.run({ budget: 1 });
    expect(taken(b)).toMatchObject({ vector: 0x200, esr: 0x9600_0010n, far: BigInt(UART), elr: BigInt(CODE + 4) });
  });
});
