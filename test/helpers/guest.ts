// Tiny hand-assembled guests for VM tests: code words loaded into RAM with --load semantics,
// a vector table whose every entry is `b .` (so an injected exception parks the vCPU on the
// vector it took), and a few instruction sequences. Words were assembled with llvm-mc.
import { VM, type VMOptions } from '../../src/vm.ts';

export const CODE = 0x4010_0000;
export const VBAR = 0x4020_0000;
export const UART = 0x0900_0000;
export const RTC = 0x0901_0000;
export const B_SELF = 0x14000000; // b .
export const M64 = (1n << 64n) - 1n;

/** movz w0, #lo; movk w0, #0x8400, lsl #16; hvc #0: PSCI call 0x840000lo. */
export const psci = (lo: number, conduit: 'hvc' | 'smc' = 'hvc') => [
  0x52800000 | (lo << 5), // movz w0, #lo
  0x72b08000, // movk w0, #0x8400, lsl #16
  conduit === 'hvc' ? 0xd4000002 : 0xd4000003, // hvc #0 / smc #0
];
export const SYSTEM_OFF = psci(8);

export function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(4 * ws.length);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  return b;
}

export interface GuestOptions extends Partial<VMOptions> {
  /** Registers to set before the run (after the boot state). */
  x?: Record<number, bigint>;
  vbar?: bigint;
}

/** A VM running `code` at CODE at EL1h with VBAR_EL1 = VBAR. */
export async function guest(code: number[], opts: GuestOptions = {}): Promise<VM> {
  const { x, vbar, loads, ...rest } = opts;
  const vm = await VM.create({
    loads: [
      { data: words(code), name: 'code', addr: CODE },
      { data: words(new Array(512).fill(B_SELF)), name: 'vectors', addr: VBAR },
      ...(loads ?? []),
    ],
    entry: BigInt(CODE),
    epoch: 1000,
    ...rest,
  });
  vm.cpu.setSysreg('VBAR_EL1', vbar ?? BigInt(VBAR));
  for (const [n, v] of Object.entries(x ?? {})) vm.cpu.setX(Number(n), v);
  return vm;
}

/** The exception the vCPU is parked on: its vector offset and the EL1 syndrome registers. */
export function taken(vm: VM) {
  const c = vm.cpu;
  return {
    vector: Number(c.pc - BigInt(VBAR)),
    esr: c.sysreg('ESR_EL1'),
    far: c.sysreg('FAR_EL1'),
    elr: c.sysreg('ELR_EL1'),
    spsr: c.sysreg('SPSR_EL1'),
    el: c.el,
    spsel: c.spsel,
    daif: c.daif,
  };
}
