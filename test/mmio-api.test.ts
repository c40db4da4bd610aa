// MMIO through the embedder API (VMOptions.mmio, KVM_EXIT_MMIO's counterpart): a region whose
// read and write callbacks see every access the guest makes to it, with the size of the
// instruction; loads are completed with the syndrome's sign extension (SSE) and register width
// (SF); an access without a valid syndrome (ISV = 0, here LDP/STP and writeback forms) stops the
// run with an error naming the PC, the instruction and the address, unless emulateNisv is set,
// when a64vm decodes and performs it through the same callbacks. Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import type { MmioCallback } from '../src/index.ts';
import { CODE, M64, SYSTEM_OFF, guest, taken } from './helpers/guest.ts';

const BASE = 0x0a00_0000;
const SIZE = 0x1000;
const REG = BASE + 0x100; // x8 points here

/** Values the region returns: every width negative at offset 0x100, positive at 0x140. */
const NEGATIVE = 0xf0e1_d2c3_b4a5_9687n;
const POSITIVE = 0x0f1e_2d3c_4b5a_6978n;

interface Access { kind: 'r' | 'w'; offset: number; size: number; value: bigint }

/** A callback region at [base, base + size), like Unicorn's uc_mmio_map: declines anything outside. */
function region(base: number, size: number, log: Access[]): MmioCallback {
  return ({ ipa, size: n, write, value }) => {
    if (ipa < base || ipa + n > base + size) return undefined;
    const offset = ipa - base;
    if (write) { log.push({ kind: 'w', offset, size: n, value }); return true; }
    const v = offset >= 0x140 ? POSITIVE : NEGATIVE;
    log.push({ kind: 'r', offset, size: n, value: v });
    return v; // the VM masks it to the access size
  };
}

describe('an MMIO region mapped with callbacks', () => {
  it('sees loads and stores of 1, 2, 4 and 8 bytes, and loads are zero- or sign-extended as the instruction says', async () => {
    const log: Access[] = [];
    const dirty: Record<number, bigint> = {};
    for (let r = 10; r <= 23; r++) dirty[r] = M64; // W-register loads must clear the top half
    const vm = await guest([
      0x3940010a, // ldrb  w10, [x8]
      0x7940010b, // ldrh  w11, [x8]
      0xb940010c, // ldr   w12, [x8]
      0xf940010d, // ldr   x13, [x8]
      0x39c0010e, // ldrsb w14, [x8]
      0x3980010f, // ldrsb x15, [x8]
      0x79c00110, // ldrsh w16, [x8]
      0x79800111, // ldrsh x17, [x8]
      0xb9800112, // ldrsw x18, [x8]
      0x39810113, // ldrsb x19, [x8, #0x40]
      0x79c08114, // ldrsh w20, [x8, #0x40]
      0xb9804115, // ldrsw x21, [x8, #0x40]
      0x39c10116, // ldrsb w22, [x8, #0x40]
      0x79808117, // ldrsh x23, [x8, #0x40]
      0x39000501, // strb  w1, [x8, #1]
      0x79000501, // strh  w1, [x8, #2]
      0xb9000501, // str   w1, [x8, #4]
      0xf9000501, // str   x1, [x8, #8]
      0xf900091f, // str   xzr, [x8, #16]
      ...SYSTEM_OFF,
    ], { x: { 8: BigInt(REG), 1: 0x1122_3344_5566_7788n, ...dirty }, mmio: region(BASE, SIZE, log) });
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    const x = (n: number) => vm.cpu.x(n);
    // Zero-extending loads of each size.
    expect([x(10), x(11), x(12), x(13)]).toEqual([0x87n, 0x9687n, 0xb4a5_9687n, NEGATIVE]);
    // Sign-extending loads of negative values: to 32 bits for W (top half zero), to 64 for X.
    expect(x(14)).toBe(0x0000_0000_ffff_ff87n); // ldrsb w
    expect(x(15)).toBe(0xffff_ffff_ffff_ff87n); // ldrsb x
    expect(x(16)).toBe(0x0000_0000_ffff_9687n); // ldrsh w
    expect(x(17)).toBe(0xffff_ffff_ffff_9687n); // ldrsh x
    expect(x(18)).toBe(0xffff_ffff_b4a5_9687n); // ldrsw x
    // ... and of positive ones: nothing to extend.
    expect([x(19), x(20), x(21), x(22), x(23)]).toEqual([0x78n, 0x6978n, 0x4b5a_6978n, 0x78n, 0x6978n]);
    expect(log).toEqual([
      ...[1, 2, 4, 8, 1, 1, 2, 2, 4].map((size) => ({ kind: 'r', offset: 0x100, size, value: NEGATIVE })),
      ...[1, 2, 4, 1, 2].map((size) => ({ kind: 'r', offset: 0x140, size, value: POSITIVE })),
      // Stores send the low bytes of Rt; Rt = 31 is XZR.
      { kind: 'w', offset: 0x101, size: 1, value: 0x88n },
      { kind: 'w', offset: 0x102, size: 2, value: 0x7788n },
      { kind: 'w', offset: 0x104, size: 4, value: 0x5566_7788n },
      { kind: 'w', offset: 0x108, size: 8, value: 0x1122_3344_5566_7788n },
      { kind: 'w', offset: 0x110, size: 8, value: 0n },
    ]);
  });

  it('an address the callback declines gets a synchronous external abort, as unassigned space on QEMU', async () => {
    const log: Access[] = [];
    const vm = await guest([0xb9400120], { x: { 9: BigInt(BASE + SIZE) }, mmio: region(BASE, SIZE, log) }); // ldr w0, [x9]
    vm.run({ budget: 100 });
    expect(taken(vm)).toMatchObject({ vector: 0x200, esr: 0x9600_0010n, far: BigInt(BASE + SIZE), elr: BigInt(CODE) });
    expect(log).toEqual([]);
  });
});

describe('accesses without a valid syndrome (ISV = 0)', () => {
  it('by default: the run stops with an error naming the PC, the instruction and the address; the region sees nothing', async () => {
    const log: Access[] = [];
    const vm = await guest([0xd503201f, 0xa9400d02], { x: { 8: BigInt(REG) }, mmio: region(BASE, SIZE, log) }); // nop; ldp x2, x3, [x8]
    const r = vm.run({ budget: 100 });
    expect(r).toMatchObject({ reason: 'error', status: 4 });
    expect(r.message).toBe(
      'data abort without a valid syndrome (ISV = 0) at PC 0x40100004: `ldp x2, x3, [x8]` accessing 0xa000100 (VA 0xa000100), ' +
        'outside RAM; an access to MMIO must be a single general-purpose register load or store without writeback (or run with --emulate-nisv)',
    );
    expect(vm.cpu.pc).toBe(BigInt(CODE + 4)); // stopped at the instruction, nothing performed
    expect(log).toEqual([]);
  });

  it('with emulateNisv: LDP, STP, LDPSW and a post-indexed load are performed through the callbacks', async () => {
    const log: Access[] = [];
    const vm = await guest([
      0xa9402d0a, // ldp   x10, x11, [x8]   (x0..x3 are results of the PSCI call at the end)
      0xa9021101, // stp   x1, x4, [x8, #32]
      0xf8408505, // ldr   x5, [x8], #8     (x8 += 8)
      0x69401d06, // ldpsw x6, x7, [x8]
      ...SYSTEM_OFF,
    ], { emulateNisv: true, x: { 8: BigInt(REG), 1: 0x1111n, 4: 0x4444n }, mmio: region(BASE, SIZE, log) });
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    const x = (n: number) => vm.cpu.x(n);
    expect([x(10), x(11), x(5)]).toEqual([NEGATIVE, NEGATIVE, NEGATIVE]);
    expect(x(8)).toBe(BigInt(REG + 8));
    expect([x(6), x(7)]).toEqual([0xffff_ffff_b4a5_9687n, 0xffff_ffff_b4a5_9687n]); // LDPSW sign-extends each word
    expect(log).toEqual([
      { kind: 'r', offset: 0x100, size: 8, value: NEGATIVE },
      { kind: 'r', offset: 0x108, size: 8, value: NEGATIVE },
      { kind: 'w', offset: 0x120, size: 8, value: 0x1111n },
      { kind: 'w', offset: 0x128, size: 8, value: 0x4444n },
      { kind: 'r', offset: 0x100, size: 8, value: NEGATIVE },
      { kind: 'r', offset: 0x108, size: 4, value: NEGATIVE },
      { kind: 'r', offset: 0x10c, size: 4, value: NEGATIVE },
    ]);
  });

  it('with emulateNisv: a pair whose second element lies past the IPA space aborts in the guest (no VM error), nothing written', async () => {
    const log: Access[] = [];
    const top = 2 ** 40 - 0x1000; // the last page of the 40-bit IPA space, claimed by the callback
    const vm = await guest([0xa9001101], { emulateNisv: true, x: { 8: BigInt(2 ** 40 - 8), 1: 1n, 4: 4n }, mmio: region(top, 0x1000, log) }); // stp x1, x4, [x8]
    const r = vm.run({ budget: 100 });
    expect(r.reason).not.toBe('error');
    expect(taken(vm)).toMatchObject({ vector: 0x200, esr: 0x9600_0010n, far: BigInt(2 ** 40), elr: BigInt(CODE) });
    expect(log).toEqual([]);
  });
});
