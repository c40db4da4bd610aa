// Floating-point formats (Arm ARM A1.4.3): N = 16 (half), 32 (single) or 64 (double) bits, with
// E exponent bits and F fraction bits, and the constant values the pseudocode builds from them
// (FPZero, FPInfinity, FPMaxNormal, FPDefaultNaN, FPTwo...).

// @ts-ignore: decorator
@inline export function fracBits(N: u32): u32 { return N == 64 ? 52 : N == 32 ? 23 : 10; }
// @ts-ignore: decorator
@inline export function expBits(N: u32): u32 { return N == 64 ? 11 : N == 32 ? 8 : 5; }
/** The exponent bias, 2^(E-1) - 1. */
// @ts-ignore: decorator
@inline export function expBias(N: u32): i32 { return (1 << (expBits(N) - 1)) - 1; }
/** All N bits set. */
// @ts-ignore: decorator
@inline export function widthMask(N: u32): u64 { return N == 64 ? 0xffffffffffffffff : (<u64>1 << N) - 1; }
// @ts-ignore: decorator
@inline export function signBit(N: u32): u64 { return <u64>1 << (N - 1); }

// @ts-ignore: decorator
@inline export function fpZero(sign: u32, N: u32): u64 { return <u64>sign << (N - 1); }
// @ts-ignore: decorator
@inline export function fpInfinity(sign: u32, N: u32): u64 {
  return (<u64>sign << (N - 1)) | (<u64>((1 << expBits(N)) - 1) << fracBits(N));
}
// @ts-ignore: decorator
@inline export function fpMaxNormal(sign: u32, N: u32): u64 {
  return (<u64>sign << (N - 1)) | ((<u64>((1 << expBits(N)) - 2) << fracBits(N)) | ((<u64>1 << fracBits(N)) - 1));
}
/** FPDefaultNaN: positive, quiet, zero payload. */
// @ts-ignore: decorator
@inline export function fpDefaultNaN(N: u32): u64 {
  return fpInfinity(0, N) | (<u64>1 << (fracBits(N) - 1));
}
/** The value 2^k (k within the normal range) with the given sign. */
// @ts-ignore: decorator
@inline export function fpPow2(sign: u32, k: i32, N: u32): u64 {
  return (<u64>sign << (N - 1)) | (<u64>(k + expBias(N)) << fracBits(N));
}
