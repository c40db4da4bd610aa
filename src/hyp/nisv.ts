// Emulation of data aborts without a valid syndrome (ISV = 0), which KVM cannot do (it reports
// KVM_EXIT_ARM_NISV to the VMM) but an emulator can: the host decodes the instruction itself.
// Handled: load/store pair of general-purpose registers (STP, LDP, LDPSW, STNP, LDNP: offset,
// pre- and post-index), and single-register loads/stores with pre- or post-index writeback.
// Encodings from the Arm ARM C4.1.66 "Loads and Stores". SIMD&FP registers, exclusives and
// atomics are not emulated.
import type { Cpu } from '../cpu/cpu.ts';
import type { PhysSpace } from './mmio.ts';

export interface DecodedAccess {
  /** Mnemonic, for messages. */
  op: string;
  load: boolean;
  /** Bytes per register. */
  size: number;
  /** Registers transferred in address order (1 or 2). */
  rt: number[];
  rn: number;
  /** Byte offset added to the base. */
  offset: bigint;
  /** 'offset' (no writeback), 'pre' (address = base + offset, written back), 'post' (address = base). */
  mode: 'offset' | 'pre' | 'post';
  /** Load extension: 'zero' (W or X), 'sx64' (sign-extend to 64), 'sx32' (sign-extend to 32). */
  ext: 'zero' | 'sx64' | 'sx32';
}

const sext = (v: number, bits: number) => BigInt.asIntN(bits, BigInt(v));

/** Decodes the forms above; undefined for any other instruction word. */
export function decodeNisv(w: number): DecodedAccess | undefined {
  w >>>= 0;
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  // Load/store pair, general-purpose: opc [31:30], 101 [29:27], V [26] = 0, mode [24:23], L [22].
  if (((w >>> 27) & 7) === 0b101 && ((w >>> 26) & 1) === 0 && ((w >>> 25) & 1) === 0) {
    const opc = w >>> 30;
    const load = ((w >>> 22) & 1) === 1;
    const mode = (w >>> 23) & 3; // 00 no-allocate offset, 01 post, 10 offset, 11 pre
    if (opc === 3) return undefined;
    if (opc === 1 && (!load || mode === 0)) return undefined; // STGP (MTE) / unallocated
    const size = opc === 2 ? 8 : 4;
    const rt2 = (w >>> 10) & 31;
    const imm = sext((w >>> 15) & 0x7f, 7) * BigInt(size);
    const name = (load ? 'ld' : 'st') + (mode === 0 ? 'np' : opc === 1 ? 'psw' : 'p');
    return {
      op: name, load, size, rt: [rt, rt2], rn, offset: imm,
      mode: mode === 1 ? 'post' : mode === 3 ? 'pre' : 'offset',
      ext: opc === 1 ? 'sx64' : 'zero',
    };
  }
  // Load/store register (immediate post-indexed / pre-indexed): size [31:30], 111 [29:27],
  // V [26] = 0, 00 [25:24], opc [23:22], 0 [21], imm9 [20:12], 01 (post) or 11 (pre) [11:10].
  if (((w >>> 27) & 7) === 0b111 && ((w >>> 24) & 3) === 0 && ((w >>> 26) & 1) === 0 && ((w >>> 21) & 1) === 0 && ((w >>> 10) & 1) === 1) {
    const sizeLog = w >>> 30;
    const opc = (w >>> 22) & 3;
    const size = 1 << sizeLog;
    if (sizeLog === 3 && opc >= 2) return undefined;
    if (sizeLog === 2 && opc === 3) return undefined;
    const load = opc !== 0;
    const ext = opc === 2 ? 'sx64' : opc === 3 ? 'sx32' : 'zero';
    const suffix = ['b', 'h', '', ''][sizeLog];
    const name = (load ? 'ldr' : 'str') + (opc >= 2 ? 's' : '') + suffix;
    return {
      op: name, load, size, rt: [rt], rn, offset: sext((w >>> 12) & 0x1ff, 9),
      mode: ((w >>> 11) & 1) === 1 ? 'pre' : 'post', ext,
    };
  }
  return undefined;
}

export type NisvResult =
  | { kind: 'done' }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'bus-error'; va: bigint };

/**
 * Performs the access of the instruction word w as the CPU would have (all reads or all writes
 * first, registers and writeback after), then steps past it. toIpa translates a data VA of the
 * access to an IPA, to null when the address is outside the IPA space (the access aborts, as
 * any access nothing answers), or to undefined when it cannot tell (the VM stops with an error).
 */
export function emulateNisv(cpu: Cpu, w: number, phys: PhysSpace, toIpa: (va: bigint) => number | null | undefined): NisvResult {
  const d = decodeNisv(w);
  if (!d) return { kind: 'unsupported', reason: 'not a load/store pair or a pre/post-indexed load/store of general-purpose registers' };
  const base = d.rn === 31 ? cpu.sp : cpu.x(d.rn);
  const addr = BigInt.asUintN(64, d.mode === 'post' ? base : base + d.offset);
  const elems = d.rt.map((rt, i) => ({ rt, va: BigInt.asUintN(64, addr + BigInt(i * d.size)) }));
  const ipas: number[] = [];
  for (const e of elems) {
    const ipa = toIpa(e.va);
    if (ipa === undefined) return { kind: 'unsupported', reason: `cannot translate the address 0x${e.va.toString(16)} of the access` };
    if (ipa === null || !phys.claims(ipa, d.size)) return { kind: 'bus-error', va: e.va };
    ipas.push(ipa);
  }
  if (d.load) {
    const vals: bigint[] = [];
    for (let i = 0; i < elems.length; i++) {
      const v = phys.read(ipas[i], d.size);
      if (v === undefined) return { kind: 'bus-error', va: elems[i].va };
      vals.push(v);
    }
    elems.forEach((e, i) => {
      let v = vals[i];
      if (d.ext === 'sx64') v = BigInt.asUintN(64, BigInt.asIntN(8 * d.size, v));
      else if (d.ext === 'sx32') v = BigInt.asUintN(32, BigInt.asIntN(8 * d.size, v));
      cpu.setX(e.rt, v);
    });
  } else {
    // Registers are read before anything changes, so a store with Rt == Rn stores the old base
    // (the CPU's choice for this CONSTRAINED UNPREDICTABLE case). Rt = 31 is XZR.
    const vals = elems.map((e) => (e.rt === 31 ? 0n : cpu.x(e.rt)));
    for (let i = 0; i < elems.length; i++) {
      if (!phys.write(ipas[i], d.size, vals[i])) return { kind: 'bus-error', va: elems[i].va };
    }
  }
  if (d.mode !== 'offset') {
    const wb = BigInt.asUintN(64, base + d.offset);
    if (d.rn === 31) cpu.sp = wb;
    else cpu.setX(d.rn, wb);
  }
  cpu.pc += 4n;
  return { kind: 'done' };
}
