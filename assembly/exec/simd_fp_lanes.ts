// Lane access shared by the Advanced SIMD floating-point handlers (simd_fp3.ts, simd_fp2.ts):
// element e of a register, and the 128-bit result assembled element by element before Vd is
// written (so any register may alias any other).

/** Q (bit 30): a 128-bit rather than a 64-bit vector. */
// @ts-ignore: decorator
@inline export function isQ(w: u32): bool { return ((w >> 30) & 1) != 0; }
/** The element size from sz (bit 22): 32 or 64. */
// @ts-ignore: decorator
@inline export function esz(w: u32): u32 { return ((w >> 22) & 1) != 0 ? 64 : 32; }
/** Element e (of N bits) of the register at v. */
// @ts-ignore: decorator
@inline export function elemAt(v: usize, e: u32, N: u32): u64 {
  return N == 64 ? load<u64>(v + (<usize>e << 3)) : <u64>load<u32>(v + (<usize>e << 2));
}

// The result under construction.
let rLo: u64 = 0, rHi: u64 = 0;
// @ts-ignore: decorator
@inline export function resultClear(): void { rLo = 0; rHi = 0; }
/** Element e (of N bits) of the result. */
// @ts-ignore: decorator
@inline export function resultPut(e: u32, N: u32, x: u64): void {
  const bit = e * N;
  if (bit < 64) rLo |= x << bit; else rHi |= x << (bit - 64);
}
// @ts-ignore: decorator
@inline export function resultLo(): u64 { return rLo; }
// @ts-ignore: decorator
@inline export function resultHi(): u64 { return rHi; }

/** The key U:bit23:opcode of a three-same (opLsb 11) or two-register misc (opLsb 12) encoding. */
// @ts-ignore: decorator
@inline export function opKey(w: u32, opLsb: u32): u32 { return ((w >> 23) & 0x40) | ((w >> 18) & 0x20) | ((w >> opLsb) & 0x1f); }
