// 128-bit integer helpers for the software floating-point core: mantissa products and
// alignments kept as (hi, lo) u64 pairs. Results are returned in the module globals wHi/wLo so
// nothing is allocated.

export let wHi: u64 = 0;
export let wLo: u64 = 0;

/** wHi:wLo = a * b (unsigned 64 x 64 -> 128). */
export function mul64x64(a: u64, b: u64): void {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  wLo = (mid << 32) | (p00 & 0xffffffff);
  wHi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** x >> n, with every bit shifted out ORed into bit 0 (the "sticky" or jamming shift). */
export function shrJam64(x: u64, n: u32): u64 {
  if (n == 0) return x;
  if (n >= 64) return x != 0 ? 1 : 0;
  return (x >> n) | ((x & ((<u64>1 << n) - 1)) != 0 ? 1 : 0);
}

/** wHi:wLo = (hi:lo) >> n with sticky bit 0. */
export function shrJam128(hi: u64, lo: u64, n: u32): void {
  if (n == 0) { wHi = hi; wLo = lo; return; }
  if (n < 64) {
    wLo = (lo >> n) | (hi << (64 - n)) | ((lo & ((<u64>1 << n) - 1)) != 0 ? 1 : 0);
    wHi = hi >> n;
    return;
  }
  if (n < 128) {
    const m = n - 64;
    const lost = m == 0 ? lo : (lo | (hi & ((<u64>1 << m) - 1)));
    wLo = (m == 0 ? hi : hi >> m) | (m == 0 ? (lo != 0 ? 1 : 0) : (lost != 0 ? 1 : 0));
    wHi = 0;
    return;
  }
  wHi = 0;
  wLo = (hi | lo) != 0 ? 1 : 0;
}

/** wHi:wLo = (hi:lo) << n, n < 128. */
export function shl128(hi: u64, lo: u64, n: u32): void {
  if (n == 0) { wHi = hi; wLo = lo; return; }
  if (n < 64) { wHi = (hi << n) | (lo >> (64 - n)); wLo = lo << n; return; }
  wHi = lo << (n - 64);
  wLo = 0;
}

/** Leading zeros of hi:lo (128 when zero). */
// @ts-ignore: decorator
@inline export function clz128(hi: u64, lo: u64): u32 {
  return hi != 0 ? <u32>clz(hi) : 64 + <u32>clz(lo);
}
