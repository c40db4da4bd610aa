// The Armv8 Cryptographic Extension (C7.2 AESE, AESD, AESMC, AESIMC, SHA1C, SHA1P, SHA1M, SHA1H,
// SHA1SU0, SHA1SU1, SHA256H, SHA256H2, SHA256SU0, SHA256SU1; PMULL/PMULL2 of doublewords is in
// exec/simd_int.ts). ID_AA64ISAR0_EL1 advertises AES = 0b0010 (with PMULL), SHA1 and SHA2 = 0b0001.
//
// AES state layout (Arm ARM J1.2 AESShiftRows etc.): byte i of the register is state row i % 4,
// column i / 4. Results go through VRES: Vd may also be a source.
import { recWord, recD, recN, recM, nextPC } from '../cpu';
import { VRES } from '../layout';

// FIPS-197 S-box and inverse S-box (generated from the definition: the multiplicative inverse
// in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, then the affine map with constant 0x63).
const SBOX = memory.data<u8>([
  0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
  0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
  0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
  0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
  0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
  0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
  0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
  0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
  0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
  0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
  0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
  0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
  0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
  0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
  0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
  0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
]);
const INV_SBOX = memory.data<u8>([
  0x52, 0x09, 0x6a, 0xd5, 0x30, 0x36, 0xa5, 0x38, 0xbf, 0x40, 0xa3, 0x9e, 0x81, 0xf3, 0xd7, 0xfb,
  0x7c, 0xe3, 0x39, 0x82, 0x9b, 0x2f, 0xff, 0x87, 0x34, 0x8e, 0x43, 0x44, 0xc4, 0xde, 0xe9, 0xcb,
  0x54, 0x7b, 0x94, 0x32, 0xa6, 0xc2, 0x23, 0x3d, 0xee, 0x4c, 0x95, 0x0b, 0x42, 0xfa, 0xc3, 0x4e,
  0x08, 0x2e, 0xa1, 0x66, 0x28, 0xd9, 0x24, 0xb2, 0x76, 0x5b, 0xa2, 0x49, 0x6d, 0x8b, 0xd1, 0x25,
  0x72, 0xf8, 0xf6, 0x64, 0x86, 0x68, 0x98, 0x16, 0xd4, 0xa4, 0x5c, 0xcc, 0x5d, 0x65, 0xb6, 0x92,
  0x6c, 0x70, 0x48, 0x50, 0xfd, 0xed, 0xb9, 0xda, 0x5e, 0x15, 0x46, 0x57, 0xa7, 0x8d, 0x9d, 0x84,
  0x90, 0xd8, 0xab, 0x00, 0x8c, 0xbc, 0xd3, 0x0a, 0xf7, 0xe4, 0x58, 0x05, 0xb8, 0xb3, 0x45, 0x06,
  0xd0, 0x2c, 0x1e, 0x8f, 0xca, 0x3f, 0x0f, 0x02, 0xc1, 0xaf, 0xbd, 0x03, 0x01, 0x13, 0x8a, 0x6b,
  0x3a, 0x91, 0x11, 0x41, 0x4f, 0x67, 0xdc, 0xea, 0x97, 0xf2, 0xcf, 0xce, 0xf0, 0xb4, 0xe6, 0x73,
  0x96, 0xac, 0x74, 0x22, 0xe7, 0xad, 0x35, 0x85, 0xe2, 0xf9, 0x37, 0xe8, 0x1c, 0x75, 0xdf, 0x6e,
  0x47, 0xf1, 0x1a, 0x71, 0x1d, 0x29, 0xc5, 0x89, 0x6f, 0xb7, 0x62, 0x0e, 0xaa, 0x18, 0xbe, 0x1b,
  0xfc, 0x56, 0x3e, 0x4b, 0xc6, 0xd2, 0x79, 0x20, 0x9a, 0xdb, 0xc0, 0xfe, 0x78, 0xcd, 0x5a, 0xf4,
  0x1f, 0xdd, 0xa8, 0x33, 0x88, 0x07, 0xc7, 0x31, 0xb1, 0x12, 0x10, 0x59, 0x27, 0x80, 0xec, 0x5f,
  0x60, 0x51, 0x7f, 0xa9, 0x19, 0xb5, 0x4a, 0x0d, 0x2d, 0xe5, 0x7a, 0x9f, 0x93, 0xc9, 0x9c, 0xef,
  0xa0, 0xe0, 0x3b, 0x4d, 0xae, 0x2a, 0xf5, 0xb0, 0xc8, 0xeb, 0xbb, 0x3c, 0x83, 0x53, 0x99, 0x61,
  0x17, 0x2b, 0x04, 0x7e, 0xba, 0x77, 0xd6, 0x26, 0xe1, 0x69, 0x14, 0x63, 0x55, 0x21, 0x0c, 0x7d,
]);

/** Multiplication by x (2) in GF(2^8). */
// @ts-ignore: decorator
@inline function xt(a: u32): u32 { return ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff; }
/** a * b in GF(2^8) for the small constants of MixColumns (b < 16). */
function gmul(a: u32, b: u32): u32 {
  let r: u32 = 0;
  for (let i = 0; i < 4; i++) { if ((b >> i) & 1) r ^= a; a = xt(a); }
  return r;
}

// @ts-ignore: decorator
@inline function b(v: usize, i: u32): u32 { return <u32>load<u8>(v + <usize>i); }

export function exec_AESE(rec: usize): void { aesRound(rec, false); }
export function exec_AESD(rec: usize): void { aesRound(rec, true); }

/** AESE: SubBytes(ShiftRows(Vd EOR Vn)); AESD: InvSubBytes(InvShiftRows(Vd EOR Vn)). */
function aesRound(rec: usize, decrypt: bool): void {
  const d = recD(rec);
  const n = recN(rec);
  const box: usize = decrypt ? INV_SBOX : SBOX;
  for (let c: u32 = 0; c < 4; c++) {
    for (let r: u32 = 0; r < 4; r++) {
      // ShiftRows moves row r left by r columns; InvShiftRows right.
      const src = 4 * (decrypt ? (c + 4 - r) & 3 : (c + r) & 3) + r;
      store<u8>(<usize>VRES + <usize>(4 * c + r), load<u8>(box + <usize>(b(d, src) ^ b(n, src))));
    }
  }
  store<u64>(d, load<u64>(<usize>VRES));
  store<u64>(d, load<u64>(<usize>VRES, 8), 8);
  nextPC();
}

export function exec_AESMC(rec: usize): void { mixColumns(rec, false); }
export function exec_AESIMC(rec: usize): void { mixColumns(rec, true); }

function mixColumns(rec: usize, inverse: bool): void {
  const n = recN(rec);
  for (let c: u32 = 0; c < 4; c++) {
    const a0 = b(n, 4 * c); const a1 = b(n, 4 * c + 1); const a2 = b(n, 4 * c + 2); const a3 = b(n, 4 * c + 3);
    let r0: u32, r1: u32, r2: u32, r3: u32;
    if (!inverse) {
      r0 = xt(a0) ^ (xt(a1) ^ a1) ^ a2 ^ a3;
      r1 = a0 ^ xt(a1) ^ (xt(a2) ^ a2) ^ a3;
      r2 = a0 ^ a1 ^ xt(a2) ^ (xt(a3) ^ a3);
      r3 = (xt(a0) ^ a0) ^ a1 ^ a2 ^ xt(a3);
    } else {
      r0 = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
      r1 = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
      r2 = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
      r3 = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
    }
    store<u32>(<usize>VRES + <usize>(4 * c), r0 | (r1 << 8) | (r2 << 16) | (r3 << 24));
  }
  const d = recD(rec);
  store<u64>(d, load<u64>(<usize>VRES));
  store<u64>(d, load<u64>(<usize>VRES, 8), 8);
  nextPC();
}

// ---- SHA-1 and SHA-256 ----

// @ts-ignore: decorator
@inline function rol(x: u32, s: u32): u32 { return rotl<u32>(x, s); }
// @ts-ignore: decorator
@inline function ror(x: u32, s: u32): u32 { return rotr<u32>(x, s); }
// @ts-ignore: decorator
@inline function w(v: usize, e: u32): u32 { return load<u32>(v + <usize>(e * 4)); }

/** SHA1C (choose), SHA1P (parity), SHA1M (majority): four rounds on Qd (X) and Sn (Y) with Vm. */
export function exec_SHA1_hash(rec: usize): void {
  const op = (recWord(rec) >> 12) & 3; // 0 C, 1 P, 2 M
  const d = recD(rec);
  let x0 = w(d, 0); let x1 = w(d, 1); let x2 = w(d, 2); let x3 = w(d, 3);
  let y = w(recN(rec), 0);
  const m = recM(rec);
  for (let e: u32 = 0; e < 4; e++) {
    let t: u32;
    if (op == 0) t = ((x2 ^ x3) & x1) ^ x3; // SHAchoose(X<63:32>, X<95:64>, X<127:96>)
    else if (op == 1) t = x1 ^ x2 ^ x3; // SHAparity
    else t = (x1 & x2) | ((x1 | x2) & x3); // SHAmajority
    y = y + rol(x0, 5) + t + w(m, e);
    x1 = rol(x1, 30);
    // <Y, X> = ROL(Y : X, 32)
    const top = x3;
    x3 = x2; x2 = x1; x1 = x0; x0 = y; y = top;
  }
  store<u64>(d, <u64>x0 | (<u64>x1 << 32));
  store<u64>(d, <u64>x2 | (<u64>x3 << 32), 8);
  nextPC();
}

/** SHA1H: Sd = ROL(Sn, 30). */
export function exec_SHA1H(rec: usize): void {
  const d = recD(rec);
  store<u64>(d, <u64>rol(w(recN(rec), 0), 30));
  store<u64>(d, 0, 8);
  nextPC();
}

/** SHA1SU0: Vd = (Vn<63:0> : Vd<127:64>) EOR Vd EOR Vm. */
export function exec_SHA1SU0(rec: usize): void {
  const d = recD(rec);
  const n = recN(rec);
  const m = recM(rec);
  const lo = load<u64>(d, 8) ^ load<u64>(d) ^ load<u64>(m);
  const hi = load<u64>(n) ^ load<u64>(d, 8) ^ load<u64>(m, 8);
  store<u64>(d, lo);
  store<u64>(d, hi, 8);
  nextPC();
}

/** SHA1SU1: T = Vd EOR (Vn >> 32); W[i] = ROL(T[i], 1), W3 also EOR ROL(T0, 2). */
export function exec_SHA1SU1(rec: usize): void {
  const d = recD(rec);
  const n = recN(rec);
  const t0 = w(d, 0) ^ w(n, 1);
  const t1 = w(d, 1) ^ w(n, 2);
  const t2 = w(d, 2) ^ w(n, 3);
  const t3 = w(d, 3);
  const w0 = rol(t0, 1);
  store<u64>(d, <u64>w0 | (<u64>rol(t1, 1) << 32));
  store<u64>(d, <u64>rol(t2, 1) | (<u64>(rol(t3, 1) ^ rol(t0, 2)) << 32), 8);
  nextPC();
}

// @ts-ignore: decorator
@inline function sigma0(x: u32): u32 { return ror(x, 2) ^ ror(x, 13) ^ ror(x, 22); }
// @ts-ignore: decorator
@inline function sigma1(x: u32): u32 { return ror(x, 6) ^ ror(x, 11) ^ ror(x, 25); }

/** SHA256H (Qd = hash X part) and SHA256H2 (Qd = hash Y part): SHA256hash(X, Y, W, part1). */
export function exec_SHA256H(rec: usize): void {
  const part1 = ((recWord(rec) >> 12) & 1) == 0;
  const d = recD(rec);
  const n = recN(rec);
  const xs: usize = part1 ? d : n;
  const ys: usize = part1 ? n : d;
  let x0 = w(xs, 0); let x1 = w(xs, 1); let x2 = w(xs, 2); let x3 = w(xs, 3);
  let y0 = w(ys, 0); let y1 = w(ys, 1); let y2 = w(ys, 2); let y3 = w(ys, 3);
  const m = recM(rec);
  for (let e: u32 = 0; e < 4; e++) {
    const chs = ((y1 ^ y2) & y0) ^ y2; // SHAchoose(Y<31:0>, Y<63:32>, Y<95:64>)
    const maj = (x0 & x1) | ((x0 | x1) & x2); // SHAmajority(X<31:0>, X<63:32>, X<95:64>)
    const t = y3 + sigma1(y0) + chs + w(m, e);
    x3 = t + x3;
    y3 = t + sigma0(x0) + maj;
    // <Y, X> = ROL(Y : X, 32)
    const yt = y3;
    y3 = y2; y2 = y1; y1 = y0; y0 = x3;
    x3 = x2; x2 = x1; x1 = x0; x0 = yt;
  }
  if (part1) { store<u64>(d, <u64>x0 | (<u64>x1 << 32)); store<u64>(d, <u64>x2 | (<u64>x3 << 32), 8); }
  else { store<u64>(d, <u64>y0 | (<u64>y1 << 32)); store<u64>(d, <u64>y2 | (<u64>y3 << 32), 8); }
  nextPC();
}

/** SHA256SU0: T = Vn<31:0> : Vd<127:32>; Vd[e] += ROR(T[e], 7) EOR ROR(T[e], 18) EOR LSR(T[e], 3). */
export function exec_SHA256SU0(rec: usize): void {
  const d = recD(rec);
  const n = recN(rec);
  const t0 = w(d, 1); const t1 = w(d, 2); const t2 = w(d, 3); const t3 = w(n, 0);
  const r0 = w(d, 0) + (ror(t0, 7) ^ ror(t0, 18) ^ (t0 >> 3));
  const r1 = w(d, 1) + (ror(t1, 7) ^ ror(t1, 18) ^ (t1 >> 3));
  const r2 = w(d, 2) + (ror(t2, 7) ^ ror(t2, 18) ^ (t2 >> 3));
  const r3 = w(d, 3) + (ror(t3, 7) ^ ror(t3, 18) ^ (t3 >> 3));
  store<u64>(d, <u64>r0 | (<u64>r1 << 32));
  store<u64>(d, <u64>r2 | (<u64>r3 << 32), 8);
  nextPC();
}

// @ts-ignore: decorator
@inline function ssig1(x: u32): u32 { return ror(x, 17) ^ ror(x, 19) ^ (x >> 10); }

/** SHA256SU1: the second half of the SHA-256 message schedule update. */
export function exec_SHA256SU1(rec: usize): void {
  const d = recD(rec);
  const n = recN(rec);
  const m = recM(rec);
  // T0 = Vm<31:0> : Vn<127:32>; T1 = Vm<127:64>.
  const t00 = w(n, 1); const t01 = w(n, 2); const t02 = w(n, 3); const t03 = w(m, 0);
  const r0 = ssig1(w(m, 2)) + w(d, 0) + t00;
  const r1 = ssig1(w(m, 3)) + w(d, 1) + t01;
  const r2 = ssig1(r0) + w(d, 2) + t02;
  const r3 = ssig1(r1) + w(d, 3) + t03;
  store<u64>(d, <u64>r0 | (<u64>r1 << 32));
  store<u64>(d, <u64>r2 | (<u64>r3 << 32), 8);
  nextPC();
}
