// Data processing (register), C4.1.89 / C6.2: logical and add/subtract (shifted register),
// add/subtract (extended register), ADC/SBC, CCMN/CCMP, conditional select, the one-source
// (RBIT, REV*, CLZ, CLS) and two-source (UDIV, SDIV, shifts by register, CRC32*) operations,
// and the three-source multiplies (MADD, MSUB, SMADDL, SMSUBL, UMADDL, UMSUBL, SMULH, UMULH).
import { logCompare } from '../coverage';
import {
  recWord, recD, recN, recM, recA, recImm, recImm2, setImm, setImm2, nextPC,
  addWithCarry64, addWithCarry32, setNZ, conditionHolds, getNZCV, setNZCV,
} from '../cpu';

const ONES: u64 = 0xffffffffffffffff;
const W32: u64 = 0xffffffff;

/** A reserved encoding: the decoder makes the word UNDEFINED when a pre_ hook returns false. */
// @ts-ignore: decorator
@inline function reserved(rec: usize): bool { return false; }

// @ts-ignore: decorator
@inline function is64(w: u32): bool { return (w >> 31) != 0; }
// @ts-ignore: decorator
@inline function dmask(w: u32): u64 { return is64(w) ? ONES : W32; }

/** AddWithCarry at the instruction's datasize; sets NZCV when setFlags. */
// @ts-ignore: decorator
@inline function awc(w: u32, x: u64, y: u64, c: u64, setFlags: bool): u64 {
  return is64(w) ? addWithCarry64(x, y, c, setFlags) : addWithCarry32(x, y, c, setFlags);
}

// ---- Shifted register operand ----
// imm = shift amount (imm6); imm2 = shift type | sf << 2 (kind 0..7).

/** ShiftReg(m, shift, amount) at the datasize; for sf = 0 the bits above 31 are junk. */
// @ts-ignore: decorator
@inline function shiftedOperand(rec: usize): u64 {
  const m = load<u64>(recM(rec));
  const amt = recImm(rec);
  switch (<u32>recImm2(rec)) {
    case 0: return m << amt; // LSL 32
    case 1: return (m & W32) >> amt; // LSR 32
    case 2: return <u64>(<i64>(<i32><u32>m) >> amt); // ASR 32
    case 3: return <u64>rotr<u32>(<u32>m, <u32>amt); // ROR 32
    case 4: return m << amt; // LSL 64
    case 5: return m >> amt; // LSR 64
    case 6: return <u64>(<i64>m >> amt); // ASR 64
    default: return rotr<u64>(m, amt); // ROR 64
  }
}

export function pre_shifted(w: u32, rec: usize): bool {
  const imm6 = (w >> 10) & 0x3f;
  if (!is64(w) && imm6 >= 32) return reserved(rec);
  setImm(rec, <u64>imm6);
  setImm2(rec, <u64>(((w >> 22) & 3) | ((w >> 29) & 4)));
  return true;
}

export function pre_shifted_arith(w: u32, rec: usize): bool {
  if (((w >> 22) & 3) == 3) return reserved(rec); // shift = 11 is reserved for add/subtract
  return pre_shifted(w, rec);
}

// ---- Logical (shifted register) ----

export function exec_AND_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) & shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_BIC_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) & ~shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_ORR_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) | shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_ORN_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) | ~shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_EOR_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) ^ shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_EON_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) ^ ~shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_ANDS_shift(rec: usize): void {
  const w = recWord(rec);
  const r = (load<u64>(recN(rec)) & shiftedOperand(rec)) & dmask(w);
  setNZ(r, is64(w));
  store<u64>(recD(rec), r);
  nextPC();
}
export function exec_BICS_shift(rec: usize): void {
  const w = recWord(rec);
  const r = (load<u64>(recN(rec)) & ~shiftedOperand(rec)) & dmask(w);
  setNZ(r, is64(w));
  store<u64>(recD(rec), r);
  nextPC();
}

// ---- Add/subtract (shifted register) ----

export function exec_ADD_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) + shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_SUB_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) - shiftedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_ADDS_shift(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), awc(w, load<u64>(recN(rec)), shiftedOperand(rec), 0, true));
  nextPC();
}
export function exec_SUBS_shift(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = shiftedOperand(rec);
  logCompare(n, m, (w >> 31) != 0 ? 8 : 4);
  store<u64>(recD(rec), awc(w, n, ~m, 1, true));
  nextPC();
}

// ---- Add/subtract (extended register) ----
// imm = the left shift (imm3, 0..4); imm2 = the extend option (UXTB..SXTX).

export function pre_extended(w: u32, rec: usize): bool {
  const imm3 = (w >> 10) & 7;
  if (imm3 > 4) return reserved(rec);
  setImm(rec, <u64>imm3);
  setImm2(rec, <u64>((w >> 13) & 7));
  return true;
}

/** ExtendReg(m, option, shift); for sf = 0 the bits above 31 are junk. */
// @ts-ignore: decorator
@inline function extendedOperand(rec: usize): u64 {
  const m = load<u64>(recM(rec));
  let v: u64;
  switch (<u32>recImm2(rec)) {
    case 0: v = m & 0xff; break; // UXTB
    case 1: v = m & 0xffff; break; // UXTH
    case 2: v = m & W32; break; // UXTW
    case 3: v = m; break; // UXTX
    case 4: v = <u64><i64><i8>m; break; // SXTB
    case 5: v = <u64><i64><i16>m; break; // SXTH
    case 6: v = <u64><i64><i32>m; break; // SXTW
    default: v = m; // SXTX
  }
  return v << recImm(rec);
}

export function exec_ADD_ext(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) + extendedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_SUB_ext(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), (load<u64>(recN(rec)) - extendedOperand(rec)) & dmask(w));
  nextPC();
}
export function exec_ADDS_ext(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), awc(w, load<u64>(recN(rec)), extendedOperand(rec), 0, true));
  nextPC();
}
export function exec_SUBS_ext(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = extendedOperand(rec);
  logCompare(n, m, (w >> 31) != 0 ? 8 : 4);
  store<u64>(recD(rec), awc(w, n, ~m, 1, true));
  nextPC();
}

// ---- Add/subtract with carry ----

// @ts-ignore: decorator
@inline function carryIn(): u64 { return <u64>((getNZCV() >> 29) & 1); }

export function exec_ADC(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), awc(w, load<u64>(recN(rec)), load<u64>(recM(rec)), carryIn(), false));
  nextPC();
}
export function exec_ADCS(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), awc(w, load<u64>(recN(rec)), load<u64>(recM(rec)), carryIn(), true));
  nextPC();
}
export function exec_SBC(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), awc(w, load<u64>(recN(rec)), ~load<u64>(recM(rec)), carryIn(), false));
  nextPC();
}
export function exec_SBCS(rec: usize): void {
  const w = recWord(rec);
  store<u64>(recD(rec), awc(w, load<u64>(recN(rec)), ~load<u64>(recM(rec)), carryIn(), true));
  nextPC();
}

// ---- Conditional compare ----
// cond in bits 15:12, nzcv in bits 3:0, imm5 in bits 20:16 (the immediate forms).

// @ts-ignore: decorator
@inline function condCompare(w: u32, x: u64, y: u64, c: u64): void {
  if (conditionHolds((w >> 12) & 15)) awc(w, x, y, c, true);
  else setNZCV((w & 15) << 28);
}

export function exec_CCMN_reg(rec: usize): void {
  const w = recWord(rec);
  condCompare(w, load<u64>(recN(rec)), load<u64>(recM(rec)), 0);
  nextPC();
}
export function exec_CCMP_reg(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  logCompare(n, m, (w >> 31) != 0 ? 8 : 4);
  condCompare(w, n, ~m, 1);
  nextPC();
}
export function exec_CCMN_imm(rec: usize): void {
  const w = recWord(rec);
  condCompare(w, load<u64>(recN(rec)), <u64>((w >> 16) & 31), 0);
  nextPC();
}
export function exec_CCMP_imm(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  logCompare(n, <u64>((w >> 16) & 31), (w >> 31) != 0 ? 8 : 4);
  condCompare(w, n, ~<u64>((w >> 16) & 31), 1);
  nextPC();
}

// ---- Conditional select ----

export function exec_CSEL(rec: usize): void {
  const w = recWord(rec);
  const r = conditionHolds((w >> 12) & 15) ? load<u64>(recN(rec)) : load<u64>(recM(rec));
  store<u64>(recD(rec), r & dmask(w));
  nextPC();
}
export function exec_CSINC(rec: usize): void {
  const w = recWord(rec);
  const r = conditionHolds((w >> 12) & 15) ? load<u64>(recN(rec)) : load<u64>(recM(rec)) + 1;
  store<u64>(recD(rec), r & dmask(w));
  nextPC();
}
export function exec_CSINV(rec: usize): void {
  const w = recWord(rec);
  const r = conditionHolds((w >> 12) & 15) ? load<u64>(recN(rec)) : ~load<u64>(recM(rec));
  store<u64>(recD(rec), r & dmask(w));
  nextPC();
}
export function exec_CSNEG(rec: usize): void {
  const w = recWord(rec);
  const r = conditionHolds((w >> 12) & 15) ? load<u64>(recN(rec)) : 0 - load<u64>(recM(rec));
  store<u64>(recD(rec), r & dmask(w));
  nextPC();
}

// ---- Data processing (1 source) ----

/** Reverses the 64 bits of x. */
function bitReverse64(x: u64): u64 {
  x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  x = ((x >> 4) & 0x0f0f0f0f0f0f0f0f) | ((x & 0x0f0f0f0f0f0f0f0f) << 4);
  return bswap<u64>(x);
}

export function exec_RBIT(rec: usize): void {
  const w = recWord(rec);
  const r = bitReverse64(load<u64>(recN(rec)));
  store<u64>(recD(rec), is64(w) ? r : r >> 32);
  nextPC();
}
export function exec_REV16(rec: usize): void {
  const w = recWord(rec);
  const x = load<u64>(recN(rec)) & dmask(w);
  store<u64>(recD(rec), ((x >> 8) & 0x00ff00ff00ff00ff) | ((x & 0x00ff00ff00ff00ff) << 8));
  nextPC();
}
export function exec_REV32(rec: usize): void {
  store<u64>(recD(rec), rotr<u64>(bswap<u64>(load<u64>(recN(rec))), 32));
  nextPC();
}
export function exec_REV_w(rec: usize): void {
  store<u64>(recD(rec), <u64>bswap<u32>(<u32>load<u64>(recN(rec))));
  nextPC();
}
export function exec_REV_x(rec: usize): void {
  store<u64>(recD(rec), bswap<u64>(load<u64>(recN(rec))));
  nextPC();
}
export function exec_CLZ(rec: usize): void {
  const w = recWord(rec);
  const x = load<u64>(recN(rec));
  store<u64>(recD(rec), is64(w) ? <u64>clz<u64>(x) : <u64>clz<u32>(<u32>x));
  nextPC();
}
export function exec_CLS(rec: usize): void {
  // CountLeadingSignBits(x) = CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>)
  const w = recWord(rec);
  const x = load<u64>(recN(rec));
  let r: u64;
  if (is64(w)) {
    r = clz<u64>((x ^ (x << 1)) >> 1) - 1;
  } else {
    const x32 = <u32>x;
    r = <u64>(clz<u32>((x32 ^ (x32 << 1)) >> 1) - 1);
  }
  store<u64>(recD(rec), r);
  nextPC();
}

// ---- Data processing (2 source) ----

export function exec_UDIV(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  let r: u64;
  if (is64(w)) {
    r = m == 0 ? 0 : n / m;
  } else {
    const m32 = <u32>m;
    r = m32 == 0 ? 0 : <u64>(<u32>n / m32);
  }
  store<u64>(recD(rec), r);
  nextPC();
}

export function exec_SDIV(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  let r: u64;
  if (is64(w)) {
    if (m == 0) r = 0;
    else if (m == ONES) r = 0 - n; // covers INT64_MIN / -1 = INT64_MIN (wasm would trap)
    else r = <u64>(<i64>n / <i64>m);
  } else {
    const n32 = <i32>n;
    const m32 = <i32>m;
    let q: i32;
    if (m32 == 0) q = 0;
    else if (m32 == -1) q = 0 - n32; // INT32_MIN / -1 = INT32_MIN
    else q = n32 / m32;
    r = <u64><u32>q;
  }
  store<u64>(recD(rec), r);
  nextPC();
}

export function exec_LSLV(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  const r = is64(w) ? n << (m & 63) : <u64>(<u32>n << <u32>(m & 31));
  store<u64>(recD(rec), r);
  nextPC();
}
export function exec_LSRV(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  const r = is64(w) ? n >> (m & 63) : <u64>(<u32>n >> <u32>(m & 31));
  store<u64>(recD(rec), r);
  nextPC();
}
export function exec_ASRV(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  const r = is64(w) ? <u64>(<i64>n >> <i64>(m & 63)) : <u64><u32>(<i32>n >> <i32>(m & 31));
  store<u64>(recD(rec), r);
  nextPC();
}
export function exec_RORV(rec: usize): void {
  const w = recWord(rec);
  const n = load<u64>(recN(rec));
  const m = load<u64>(recM(rec));
  const r = is64(w) ? rotr<u64>(n, m & 63) : <u64>rotr<u32>(<u32>n, <u32>(m & 31));
  store<u64>(recD(rec), r);
  nextPC();
}

// ---- CRC32 / CRC32C ----
// Reflected, no pre/post inversion (the instruction is one update step). Byte tables for both
// polynomials are built on first use; imm = the operand size in bytes (1, 2, 4, 8).

const CRC_POLY: u32 = 0xedb88320; // 0x04C11DB7 bit-reversed
const CRC_POLY_C: u32 = 0x82f63b78; // 0x1EDC6F41 bit-reversed
const crcTable: usize = memory.data(2 * 256 * 4); // [CRC32][CRC32C], u32 each
let crcReady: bool = false;

function crcInit(): void {
  for (let t: u32 = 0; t < 2; t++) {
    const poly = t == 0 ? CRC_POLY : CRC_POLY_C;
    for (let i: u32 = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ poly : c >> 1;
      store<u32>(crcTable + ((<usize>t << 10) | (<usize>i << 2)), c);
    }
  }
  crcReady = true;
}

export function pre_crc(w: u32, rec: usize): bool {
  const sz = (w >> 10) & 3;
  if (is64(w) != (sz == 3)) return reserved(rec); // sz = 11 needs sf = 1, and sz < 11 needs sf = 0
  setImm(rec, <u64>(1 << sz));
  return true;
}

// @ts-ignore: decorator
@inline function crcUpdate(rec: usize, table: usize): void {
  if (!crcReady) crcInit();
  let acc = <u32>load<u64>(recN(rec));
  let val = load<u64>(recM(rec));
  const bytes = <u32>recImm(rec);
  for (let i: u32 = 0; i < bytes; i++) {
    acc = (acc >> 8) ^ load<u32>(table + (<usize>((acc ^ <u32>val) & 0xff) << 2));
    val >>= 8;
  }
  store<u64>(recD(rec), <u64>acc);
  nextPC();
}

export function exec_CRC32(rec: usize): void { crcUpdate(rec, crcTable); }
export function exec_CRC32C(rec: usize): void { crcUpdate(rec, crcTable + 1024); }

// ---- Data processing (3 source) ----

export function exec_MADD(rec: usize): void {
  const w = recWord(rec);
  const r = load<u64>(recA(rec)) + load<u64>(recN(rec)) * load<u64>(recM(rec));
  store<u64>(recD(rec), r & dmask(w));
  nextPC();
}
export function exec_MSUB(rec: usize): void {
  const w = recWord(rec);
  const r = load<u64>(recA(rec)) - load<u64>(recN(rec)) * load<u64>(recM(rec));
  store<u64>(recD(rec), r & dmask(w));
  nextPC();
}

// @ts-ignore: decorator
@inline function sx32(v: u64): u64 { return <u64><i64><i32>v; }

export function exec_SMADDL(rec: usize): void {
  store<u64>(recD(rec), load<u64>(recA(rec)) + sx32(load<u64>(recN(rec))) * sx32(load<u64>(recM(rec))));
  nextPC();
}
export function exec_SMSUBL(rec: usize): void {
  store<u64>(recD(rec), load<u64>(recA(rec)) - sx32(load<u64>(recN(rec))) * sx32(load<u64>(recM(rec))));
  nextPC();
}
export function exec_UMADDL(rec: usize): void {
  store<u64>(recD(rec), load<u64>(recA(rec)) + (load<u64>(recN(rec)) & W32) * (load<u64>(recM(rec)) & W32));
  nextPC();
}
export function exec_UMSUBL(rec: usize): void {
  store<u64>(recD(rec), load<u64>(recA(rec)) - (load<u64>(recN(rec)) & W32) * (load<u64>(recM(rec)) & W32));
  nextPC();
}

/** The high 64 bits of the unsigned 128-bit product a * b, from 32-bit halves. */
function umulh(a: u64, b: u64): u64 {
  const al = a & W32;
  const ah = a >> 32;
  const bl = b & W32;
  const bh = b >> 32;
  const p0 = al * bl;
  const p1 = al * bh;
  const p2 = ah * bl;
  const p3 = ah * bh;
  const mid = (p0 >> 32) + (p1 & W32) + (p2 & W32);
  return p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

export function exec_UMULH(rec: usize): void {
  store<u64>(recD(rec), umulh(load<u64>(recN(rec)), load<u64>(recM(rec))));
  nextPC();
}
export function exec_SMULH(rec: usize): void {
  const a = load<u64>(recN(rec));
  const b = load<u64>(recM(rec));
  // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0)  (mod 2^64).
  let h = umulh(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  store<u64>(recD(rec), h);
  nextPC();
}
