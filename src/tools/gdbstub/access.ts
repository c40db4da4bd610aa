// The data access an A64 instruction is about to make (address, size, direction), computed from
// its encoding and the registers before it executes. The watchpoint code needs this when a
// stage-2 fault carries no syndrome (ISV = 0: pairs, writeback forms, exclusives, atomics, SIMD
// structures): the fault's FAR names only the first byte that faulted, not the access.
// Encodings: Arm ARM C4.1.66 "Loads and Stores".

export interface DataAccess {
  /** Virtual address of the first byte. */
  va: bigint;
  size: number;
  read: boolean;
  write: boolean;
}

const M64 = (1n << 64n) - 1n;
const sext = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

/**
 * regs(n): Xn for n = 0..30, SP for n = 31 (base registers name SP with 31). pc: the
 * instruction's address. Undefined for instructions that are not loads or stores this knows.
 */
export function decodeAccess(w: number, regs: (n: number) => bigint, pc: bigint): DataAccess | undefined {
  w >>>= 0;
  const rn = (w >>> 5) & 31;
  const base = () => regs(rn);
  const xm = (m: number) => (m === 31 ? 0n : regs(m)); // index registers: 31 is XZR
  const at = (b: bigint, off: bigint) => (b + off) & M64;

  // Load/store pair (no-allocate, post-index, offset, pre-index).
  if ((w & 0x3a000000) >>> 0 === 0x28000000) {
    const opc = w >>> 30;
    const v = (w >>> 26) & 1;
    const load = ((w >>> 22) & 1) === 1;
    const type = (w >>> 23) & 3;
    let elem: number;
    if (v) elem = 4 << opc;
    else if (opc === 1 && !load) elem = 8; // STGP
    else elem = opc === 2 ? 8 : 4;
    const imm = BigInt(sext((w >>> 15) & 0x7f, 7) * elem);
    return { va: type === 1 ? base() : at(base(), imm), size: 2 * elem, read: load, write: !load };
  }
  // Load/store register, unsigned immediate.
  if ((w & 0x3b000000) >>> 0 === 0x39000000) {
    const { log2, load, prefetch } = regForm(w);
    if (prefetch) return undefined;
    return { va: at(base(), BigInt(((w >>> 10) & 0xfff) << log2)), size: 1 << log2, read: load, write: !load };
  }
  // Load/store register: unscaled, post-index, unprivileged, pre-index (imm9).
  if ((w & 0x3b200000) >>> 0 === 0x38000000) {
    const { log2, load, prefetch } = regForm(w);
    if (prefetch) return undefined;
    const post = ((w >>> 10) & 3) === 1;
    const imm = BigInt(sext((w >>> 12) & 0x1ff, 9));
    return { va: post ? base() : at(base(), imm), size: 1 << log2, read: load, write: !load };
  }
  // Load/store register, register offset.
  if ((w & 0x3b200c00) >>> 0 === 0x38200800) {
    const { log2, load, prefetch } = regForm(w);
    if (prefetch) return undefined;
    const option = (w >>> 13) & 7;
    let off = xm((w >>> 16) & 31);
    if (option === 2) off &= 0xffff_ffffn; // UXTW
    else if (option === 6) off = BigInt.asUintN(64, BigInt.asIntN(32, off)); // SXTW
    if ((w >>> 12) & 1) off <<= BigInt(log2);
    return { va: at(base(), off), size: 1 << log2, read: load, write: !load };
  }
  // Atomic memory operations (LDADD, SWP, ...): read and write at [Xn].
  if ((w & 0x3b200c00) >>> 0 === 0x38200000) {
    return { va: base(), size: 1 << (w >>> 30), read: true, write: true };
  }
  // Load/store exclusive, acquire/release, compare and swap.
  if ((w & 0x3f000000) >>> 0 === 0x08000000) {
    const size = 1 << (w >>> 30);
    const o2 = (w >>> 23) & 1;
    const load = ((w >>> 22) & 1) === 1;
    const o1 = (w >>> 21) & 1;
    if (o2 === 1 && o1 === 1) return { va: base(), size, read: true, write: true }; // CAS
    if (o2 === 0 && o1 === 1) return { va: base(), size: size * 2, read: load, write: !load }; // LDXP/STXP
    return { va: base(), size, read: load, write: !load };
  }
  // Load register (literal).
  if ((w & 0x3b000000) >>> 0 === 0x18000000) {
    const opc = w >>> 30;
    if (opc === 3 && ((w >>> 26) & 1) === 0) return undefined; // PRFM
    const size = (w >>> 26) & 1 ? 4 << opc : opc === 1 ? 8 : 4;
    return { va: at(pc, BigInt(sext((w >>> 5) & 0x7ffff, 19) * 4)), size, read: true, write: false };
  }
  // SIMD load/store multiple structures (LD1..LD4, ST1..ST4), with or without post-index.
  if ((w & 0xbfbf0000) >>> 0 === 0x0c000000 || (w & 0xbfa00000) >>> 0 === 0x0c800000) {
    const regsCount: Record<number, number> = { 0: 4, 2: 4, 4: 3, 6: 3, 7: 1, 8: 2, 10: 2 };
    const n = regsCount[(w >>> 12) & 15];
    if (n === undefined) return undefined;
    const load = ((w >>> 22) & 1) === 1;
    return { va: base(), size: n * ((w >>> 30) & 1 ? 16 : 8), read: load, write: !load };
  }
  // SIMD load/store single structure: at most 4 elements of at most 8 bytes.
  if ((w & 0xbf9f0000) >>> 0 === 0x0d000000 || (w & 0xbf800000) >>> 0 === 0x0d800000) {
    const load = ((w >>> 22) & 1) === 1;
    return { va: base(), size: 32, read: load, write: !load };
  }
  // DC ZVA: zeroes a 64-byte block (DCZID_EL0.BS = 4) at Xt rounded down.
  if ((w & 0xffffffe0) >>> 0 === 0xd50b7420) {
    const t = w & 31;
    return { va: (t === 31 ? 0n : regs(t)) & ~63n, size: 64, read: false, write: true };
  }
  return undefined;
}

/** Size and direction of the single-register load/store forms (size [31:30], V [26], opc [23:22]). */
function regForm(w: number): { log2: number; load: boolean; prefetch: boolean } {
  const size = w >>> 30;
  const v = (w >>> 26) & 1;
  const opc = (w >>> 22) & 3;
  if (v) return { log2: opc & 2 ? 4 : size, load: (opc & 1) === 1, prefetch: false };
  return { log2: size, load: opc !== 0, prefetch: size === 3 && opc === 2 };
}
