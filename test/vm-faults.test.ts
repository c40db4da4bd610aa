// The stage-2 fault path (hyp/abort.ts, mmio.ts, nisv.ts, inject.ts) on a whole VM, case by
// case, in kvm_handle_guest_abort's order. Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import { CODE, M64, RTC, SYSTEM_OFF, UART, VBAR, guest, taken, words } from './helpers/guest.ts';

const EL1H_MASKED = 0x3c5n; // SPSR: DAIF masked, EL1h

describe('instruction fetch outside RAM', () => {
  const jump = [0xd2a20000, 0xd61f0000]; // movz x0, #0x1000, lsl #16; br x0  (to 0x10000000)

  it('from EL1h: prefetch abort, EC 0x21, IFSC 0x10, vector +0x200', async () => {
    const vm = await guest(jump);
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('budget');
    expect(taken(vm)).toEqual({
      vector: 0x200, esr: 0x8600_0010n, far: 0x1000_0000n, elr: 0x1000_0000n, spsr: EL1H_MASKED, el: 1, spsel: 1, daif: 0x3c0,
    });
  });

  it('from EL1t: vector +0x000, and the stack pointers are banked as the CPU banks them', async () => {
    const vm = await guest([0xd50040bf, ...jump]); // msr spsel, #0
    vm.cpu.sp = 0x4030_0000n; // SP_EL1
    vm.cpu.setSysreg('SP_EL0', 0x4031_0000n);
    vm.run({ budget: 100 });
    expect(taken(vm)).toMatchObject({ vector: 0x000, esr: 0x8600_0010n, spsr: 0x3c4n, el: 1, spsel: 1 });
    expect(vm.cpu.sp).toBe(0x4030_0000n);
    expect(vm.cpu.sysreg('SP_EL0')).toBe(0x4031_0000n);
  });

  it('from EL0: EC 0x20, vector +0x400', async () => {
    const vm = await guest([0xd69f03e0]); // eret
    vm.cpu.setSysreg('SPSR_EL1', 0n); // EL0t, interrupts unmasked
    vm.cpu.setSysreg('ELR_EL1', 0x1000_0000n);
    vm.run({ budget: 100 });
    expect(taken(vm)).toEqual({
      vector: 0x400, esr: 0x8200_0010n, far: 0x1000_0000n, elr: 0x1000_0000n, spsr: 0n, el: 1, spsel: 1, daif: 0x3c0,
    });
  });

  it('a vector table outside RAM is reported as a guest that makes no progress', async () => {
    const vm = await guest(jump, { vbar: 0x1000_0000n });
    const r = vm.run({ budget: 1000 });
    expect(r.reason).toBe('error');
    expect(r.message).toMatch(/makes no progress: \d+ exits in a row \(last: iabt\) at PC 0x10000200/);
  });
});

describe('data aborts outside RAM', () => {
  it('a stage-1 table walk outside RAM (S1PTW): data abort, EC 0x25, DFSC 0x10', async () => {
    const vm = await guest([0xf9400020]); // ldr x0, [x1]
    const c = vm.cpu;
    // TTBR0: one 1 GiB identity block for 0x40000000 (code and vectors); TTBR1 points at 0x20000000.
    const l1 = 0x4040_0000;
    vm.memslots.write(l1 + 8, words([0x4000_0401, 0])); // block, AF, AttrIndx 0
    c.setSysreg('MAIR_EL1', 0xffn);
    c.setSysreg('TTBR0_EL1', BigInt(l1));
    c.setSysreg('TTBR1_EL1', 0x2000_0000n);
    c.setSysreg('TCR_EL1', 25n | (25n << 16n) | (2n << 30n)); // T0SZ = T1SZ = 25, TG1 = 4 KiB
    c.setSysreg('SCTLR_EL1', c.sysreg('SCTLR_EL1') | 1n);
    c.setX(1, 0xffff_ff80_0000_0000n);
    vm.run({ budget: 100 });
    expect(taken(vm)).toMatchObject({ vector: 0x200, esr: 0x9600_0010n, far: 0xffff_ff80_0000_0000n, elr: BigInt(CODE) });
  });

  it('an instruction fetch whose stage-1 walk is outside RAM: prefetch abort (KVM checks is_iabt first)', async () => {
    const vm = await guest([0xd503201f]); // nop
    vm.cpu.setSysreg('TTBR0_EL1', 0x2000_0000n);
    vm.cpu.setSysreg('TCR_EL1', 25n | (1n << 23n)); // T0SZ = 25, EPD1
    vm.cpu.setSysreg('SCTLR_EL1', vm.cpu.sysreg('SCTLR_EL1') | 1n);
    const r = vm.run({ budget: 100 });
    // The vector fetch walks the same tables, so the guest can never make progress.
    expect(r.reason).toBe('error');
    expect(r.message).toMatch(/makes no progress/);
    expect(taken(vm)).toMatchObject({ esr: 0x8600_0010n, far: BigInt(VBAR + 0x200), elr: BigInt(VBAR + 0x200) });
  });

  it('cache maintenance (CM = 1) is skipped', async () => {
    const vm = await guest([0xd50b7e21, 0xd50b7e22, ...SYSTEM_OFF], { x: { 1: 0x2000_0000n, 2: BigInt(UART) } }); // dc civac, x1; dc civac, x2
    const r = vm.run({ budget: 100 });
    expect(r).toMatchObject({ reason: 'system-off', status: 0, instructions: 5n });
  });

  it('ISV = 1: loads are extended as SSE and SF say, stores send the low bytes of Rt', async () => {
    const vm = await guest([
      0xb940016c, // ldr w12, [x11]    RTC DR
      0x3980008d, // ldrsb x13, [x4]   UART PCellID3 = 0xb1
      0x39c00085, // ldrsb w5, [x4]
      0x79800086, // ldrsh x6, [x4]
      0x39000107, // strb w7, [x8]     UART DR
      0xb900011f, // str wzr, [x8]
      0xf9400169, // ldr x9, [x11]     RTC DR and MR
      ...SYSTEM_OFF, // (x0..x3 are results of the PSCI call afterwards)
    ], { x: { 11: BigInt(RTC), 4: BigInt(UART + 0xffc), 7: 0x141n, 8: BigInt(UART), 12: M64, 5: M64, 9: M64 } });
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    expect(vm.cpu.x(12)).toBe(1000n); // epoch 1000, no virtual second has passed yet
    expect(vm.cpu.x(13)).toBe(0xffff_ffff_ffff_ffb1n);
    expect(vm.cpu.x(5)).toBe(0xffff_ffb1n);
    expect(vm.cpu.x(6)).toBe(0xb1n);
    expect(vm.cpu.x(9)).toBe(1000n);
    expect([...r.outputBytes]).toEqual([0x41, 0x00]);
  });

  it('ISV = 0 stops the run with the PC, the instruction and the address', async () => {
    const vm = await guest([0x29000500], { x: { 8: BigInt(UART) } }); // stp w0, w1, [x8]
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('error');
    expect(r.status).toBe(4);
    expect(r.message).toBe(
      'data abort without a valid syndrome (ISV = 0) at PC 0x40100000: `stp w0, w1, [x8]` accessing 0x9000000 (VA 0x9000000), ' +
        'outside RAM; an access to MMIO must be a single general-purpose register load or store without writeback (or run with --emulate-nisv)',
    );
  });

  it('with emulateNisv: pairs and pre/post-indexed accesses are performed, with writeback', async () => {
    const vm = await guest([
      0x29000500, // stp w0, w1, [x8]          'H' to DR, 0 to RSR/ECR
      0xb8004500, // str w0, [x8], #4          'H' to DR, x8 += 4
      0x2940342c, // ldp w12, w13, [x1]        RTC DR, MR
      0xb8404dee, // ldr w14, [x15, #4]!       UART PeriphID0
      0xb8804630, // ldrsw x16, [x17], #4      UART PCellID3
      0xa9bf4e92, // stp x18, x19, [x20, #-16]!  'Z' to DR (and RSR), x19 to 0x008 (reserved)
      0x52800100, 0x72b08000, 0xd4000002,
    ], {
      emulateNisv: true,
      x: { 0: 0x48n, 1: BigInt(RTC), 8: BigInt(UART), 15: BigInt(UART + 0xfdc), 17: BigInt(UART + 0xffc), 18: 0x5an, 19: 7n, 20: BigInt(UART + 16) },
    });
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    expect(r.output).toBe('HHZ');
    const c = vm.cpu;
    expect(c.x(8)).toBe(BigInt(UART + 4));
    expect([c.x(12), c.x(13)]).toEqual([1000n, 0n]);
    expect([c.x(14), c.x(15)]).toEqual([0x11n, BigInt(UART + 0xfe0)]);
    expect([c.x(16), c.x(17)]).toEqual([0xb1n, BigInt(UART + 0x1000)]);
    expect(c.x(20)).toBe(BigInt(UART));
  });

  it('with emulateNisv: other instructions (an exclusive) still stop the run, clearly', async () => {
    const vm = await guest([0x885f7d00], { emulateNisv: true, x: { 8: BigInt(UART) } }); // ldxr w0, [x8]
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('error');
    expect(r.message).toMatch(/^cannot emulate `ldxr w0, \[x8\]` at PC 0x40100000 accessing 0x9000000: not a load\/store pair/);
  });

  it('nothing at the address: a synchronous external abort is injected (as QEMU for unassigned space)', async () => {
    const vm = await guest([0xb9400020], { x: { 1: 0x0a00_0000n } }); // ldr w0, [x1]
    vm.run({ budget: 100 });
    expect(taken(vm)).toMatchObject({ vector: 0x200, esr: 0x9600_0010n, far: 0x0a00_0000n, elr: BigInt(CODE), spsr: EL1H_MASKED });
  });

  it('the embedder\'s MMIO callback answers what no device claims', async () => {
    const seen: string[] = [];
    const vm = await guest([0xb940016c, 0xb900016a, ...SYSTEM_OFF], { // ldr w12, [x11]; str w10, [x11]
      x: { 11: 0x0a00_0010n, 10: 0x55n },
      mmio: (a) => { seen.push(`${a.write ? 'w' : 'r'}${a.size}@${a.ipa.toString(16)}=${a.value.toString(16)}`); return a.write ? true : 0x1234_5678_9n; },
    });
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    expect(vm.cpu.x(12)).toBe(0x2345_6789n); // masked to the access size
    expect(seen).toEqual(['r4@a000010=0', 'w4@a000010=55']);
  });

  it('writes to flash are ignored and the instruction is stepped over', async () => {
    const fw = words([0xb900016a, 0xb940016c, ...SYSTEM_OFF]); // str w10, [x11]; ldr w12, [x11]
    const image = new Uint8Array(0x200);
    image.set(fw);
    image.set(words([0xdeadbeef]), 0x100);
    const vm = await guest([], { bios: { data: image, name: 'fw.bin' }, entry: undefined, x: { 10: 5n, 11: 0x100n } });
    expect(vm.cpu.pc).toBe(0n);
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    expect(vm.cpu.x(12)).toBe(0xdead_beefn);
  });

  it('a RAM page missing from stage 2 is mapped on the fault (user_mem_abort)', async () => {
    const vm = await guest([0xf940016d, ...SYSTEM_OFF], { x: { 11: 0x4030_0008n } }); // ldr x13, [x11]
    vm.memslots.write(0x4030_0008, words([0x89abcdef, 0x01234567]));
    vm.stage2.unmap(0x4030_0000, 4096);
    expect(vm.stage2.walk(0x4030_0000).pa).toBeUndefined();
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    expect(vm.cpu.x(13)).toBe(0x0123_4567_89ab_cdefn);
    expect(vm.stage2.walk(0x4030_0000).pa).toBeDefined();
  });
});
