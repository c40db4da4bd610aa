// The SIMD&FP register file V0..V31 in the state block (layout V0, 16 bytes each, little-endian:
// byte 0 of a register is the least significant byte of element 0). Record fields named
// Vd/Vn/Vm/Va/Vt/Vt2 hold these byte addresses already (scripts/gen-decoder.ts).
//
// Writes of a scalar or 64-bit vector result clear the bits above it (Arm ARM C1.2.5 / the V[]
// accessor: "the upper bits of the register are set to zero").
import { V0 } from '../layout';

/** Byte address of V<n> (n in 0..31). */
// @ts-ignore: decorator
@inline export function vAddr(n: u32): usize { return V0 + <usize>(n & 31) * 16; }

// @ts-ignore: decorator
@inline export function vRead8(v: usize): u64 { return <u64>load<u8>(v); }
// @ts-ignore: decorator
@inline export function vRead16(v: usize): u64 { return <u64>load<u16>(v); }
// @ts-ignore: decorator
@inline export function vRead32(v: usize): u64 { return <u64>load<u32>(v); }
// @ts-ignore: decorator
@inline export function vRead64(v: usize): u64 { return load<u64>(v); }
/** The upper 64 bits of a 128-bit register. */
// @ts-ignore: decorator
@inline export function vReadHi(v: usize): u64 { return load<u64>(v, 8); }

/** Writes the low `bytes` (1, 2, 4 or 8) of x into V and clears bits [127:8*bytes]. */
// @ts-ignore: decorator
@inline export function vWriteScalar(v: usize, x: u64, bytes: u32): void {
  const bits = bytes * 8;
  store<u64>(v, bits == 64 ? x : x & ((<u64>1 << bits) - 1));
  store<u64>(v, 0, 8);
}
/** Writes a full 128-bit value. */
// @ts-ignore: decorator
@inline export function vWrite128(v: usize, lo: u64, hi: u64): void {
  store<u64>(v, lo);
  store<u64>(v, hi, 8);
}
