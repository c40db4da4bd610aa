// Data processing (immediate), C4.1.86 / C6.2: ADR, ADRP, ADD/ADDS/SUB/SUBS (immediate),
// AND/ORR/EOR/ANDS (immediate), MOVN/MOVZ/MOVK, SBFM/BFM/UBFM, EXTR.
// The decode-time hooks (pre_*) do the expensive work once per instruction word: the shifted
// add/sub immediate, DecodeBitMasks for logical immediates and bitfields, the move-wide constants.
import { logCompare } from '../coverage';
import {
  recWord, recD, recN, recM, recImm, recImm2, setImm, setImm2, getPC, nextPC,
  addWithCarry64, addWithCarry32, setNZ, sext,
} from '../cpu';

const ONES: u64 = 0xffffffffffffffff;
const W32: u64 = 0xffffffff;

/** A reserved encoding: the decoder makes the word UNDEFINED when a pre_ hook returns false. */
// @ts-ignore: decorator
@inline function reserved(rec: usize): bool { return false; }

/** sf (bit 31) of the instruction word. */
// @ts-ignore: decorator
@inline function is64(w: u32): bool { return (w >> 31) != 0; }

/** The datasize mask: all ones for sf = 1, the low 32 bits for sf = 0. */
// @ts-ignore: decorator
@inline function dmask(w: u32): u64 { return is64(w) ? ONES : W32; }

/** Ones(n) for 0 <= n <= 64. */
// @ts-ignore: decorator
@inline function ones(n: u32): u64 { return n >= 64 ? ONES : (<u64>1 << <u64>n) - 1; }

/** ROR within an esize-bit element (esize = 2..64, the value has no bits above esize). */
// @ts-ignore: decorator
@inline function rorElem(x: u64, r: u32, esize: u32): u64 {
  if (r == 0) return x;
  return ((x >> <u64>r) | (x << <u64>(esize - r))) & ones(esize);
}

/** Replicates an esize-bit element over 64 bits. */
// @ts-ignore: decorator
@inline function replicate(x: u64, esize: u32): u64 {
  let v = x;
  for (let e = esize; e < 64; e <<= 1) v |= v << <u64>e;
  return v;
}

// DecodeBitMasks (J1.1) results, written by decodeBitMasks(); valid when it returns true.
let bmWmask: u64 = 0;
let bmTmask: u64 = 0;

/**
 * DecodeBitMasks(immN, imms, immr, immediate, M). Returns false where the pseudocode is
 * UNDEFINED (len < 1; an all-ones S for a logical immediate). The masks are cut to M bits.
 */
function decodeBitMasks(immN: u32, imms: u32, immr: u32, immediate: bool, m: u32): bool {
  // len = HighestSetBit(immN:NOT(imms))
  const x = (immN << 6) | (~imms & 0x3f);
  if (x == 0) return false;
  const len: u32 = 31 - <u32>clz<u32>(x);
  if (len < 1) return false;
  const esize: u32 = 1 << len;
  if (esize > m) return false; // cannot happen for the encodings that reach here
  const levels: u32 = esize - 1;
  if (immediate && (imms & levels) == levels) return false;
  const s = imms & levels;
  const r = immr & levels;
  const d = (s - r) & levels; // diff<len-1:0>
  const welem = ones(s + 1);
  const telem = ones(d + 1);
  let wm = replicate(rorElem(welem, r, esize), esize);
  let tm = replicate(telem, esize);
  if (m == 32) { wm &= W32; tm &= W32; }
  bmWmask = wm;
  bmTmask = tm;
  return true;
}

// ---- ADR, ADRP ----

/** imm = SignExtend(immhi:immlo, 21) */
// @ts-ignore: decorator
@inline function adrImm(w: u32): u64 {
  return sext(<u64>((((w >> 5) & 0x7ffff) << 2) | ((w >> 29) & 3)), 21);
}

export function exec_ADR(rec: usize): void {
  store<u64>(recD(rec), getPC() + adrImm(recWord(rec)));
  nextPC();
}

export function exec_ADRP(rec: usize): void {
  store<u64>(recD(rec), (getPC() & ~(<u64>0xfff)) + (adrImm(recWord(rec)) << 12));
  nextPC();
}

// ---- Add/subtract (immediate) ----
// imm = ZeroExtend(imm12) << (sh ? 12 : 0); imm2 = the datasize mask.

export function pre_addsub_imm(w: u32, rec: usize): bool {
  const imm12 = <u64>((w >> 10) & 0xfff);
  setImm(rec, ((w >> 22) & 1) != 0 ? imm12 << 12 : imm12);
  setImm2(rec, dmask(w));
  return true;
}

export function exec_ADD_imm(rec: usize): void {
  store<u64>(recD(rec), (load<u64>(recN(rec)) + recImm(rec)) & recImm2(rec));
  nextPC();
}

export function exec_SUB_imm(rec: usize): void {
  store<u64>(recD(rec), (load<u64>(recN(rec)) - recImm(rec)) & recImm2(rec));
  nextPC();
}

export function exec_ADDS_imm(rec: usize): void {
  const n = load<u64>(recN(rec));
  const r = is64(recWord(rec)) ? addWithCarry64(n, recImm(rec), 0, true) : addWithCarry32(n, recImm(rec), 0, true);
  store<u64>(recD(rec), r);
  nextPC();
}

export function exec_SUBS_imm(rec: usize): void {
  const n = load<u64>(recN(rec));
  const x64 = is64(recWord(rec));
  logCompare(n, recImm(rec), x64 ? 8 : 4);
  const r = x64 ? addWithCarry64(n, ~recImm(rec), 1, true) : addWithCarry32(n, ~recImm(rec), 1, true);
  store<u64>(recD(rec), r);
  nextPC();
}

// ---- Logical (immediate) ----
// imm = the decoded bitmask (already cut to the datasize); imm2 = the datasize mask.

export function pre_logical_imm(w: u32, rec: usize): bool {
  const sf64 = is64(w);
  const n = (w >> 22) & 1;
  if (!sf64 && n != 0) return reserved(rec);
  if (!decodeBitMasks(n, (w >> 10) & 0x3f, (w >> 16) & 0x3f, true, sf64 ? 64 : 32)) return reserved(rec);
  setImm(rec, bmWmask);
  setImm2(rec, dmask(w));
  return true;
}

export function exec_AND_imm(rec: usize): void {
  store<u64>(recD(rec), load<u64>(recN(rec)) & recImm(rec)); // the mask has no bits above datasize
  nextPC();
}

export function exec_ORR_imm(rec: usize): void {
  store<u64>(recD(rec), (load<u64>(recN(rec)) | recImm(rec)) & recImm2(rec));
  nextPC();
}

export function exec_EOR_imm(rec: usize): void {
  store<u64>(recD(rec), (load<u64>(recN(rec)) ^ recImm(rec)) & recImm2(rec));
  nextPC();
}

export function exec_ANDS_imm(rec: usize): void {
  const r = load<u64>(recN(rec)) & recImm(rec);
  setNZ(r, is64(recWord(rec)));
  store<u64>(recD(rec), r);
  nextPC();
}

// ---- Move wide (immediate) ----
// MOVN: imm = NOT(imm16 << pos) cut to datasize. MOVZ: imm = imm16 << pos.
// MOVK: imm = imm16 << pos, imm2 = the bits of Rd kept (cut to datasize).

export function pre_movewide(w: u32, rec: usize): bool {
  const hw = (w >> 21) & 3;
  if (!is64(w) && hw >= 2) return reserved(rec);
  const pos = <u64>(hw << 4);
  const v = <u64>((w >> 5) & 0xffff) << pos;
  const opc = (w >> 29) & 3;
  const mask = dmask(w);
  if (opc == 0) {
    setImm(rec, ~v & mask); // MOVN
  } else {
    setImm(rec, v);
    setImm2(rec, ~(<u64>0xffff << pos) & mask); // MOVK
  }
  return true;
}

export function exec_MOVN(rec: usize): void {
  store<u64>(recD(rec), recImm(rec));
  nextPC();
}

export function exec_MOVZ(rec: usize): void {
  store<u64>(recD(rec), recImm(rec));
  nextPC();
}

export function exec_MOVK(rec: usize): void {
  const d = recD(rec);
  store<u64>(d, (load<u64>(d) & recImm2(rec)) | recImm(rec));
  nextPC();
}

// ---- Bitfield ----
// imm = wmask, imm2 = tmask (DecodeBitMasks(N, imms, immr, FALSE, datasize), cut to datasize).
// R = immr and S = imms come from the word.

export function pre_bitfield(w: u32, rec: usize): bool {
  const sf64 = is64(w);
  const n = (w >> 22) & 1;
  const immr = (w >> 16) & 0x3f;
  const imms = (w >> 10) & 0x3f;
  if (sf64) {
    if (n == 0) return reserved(rec);
  } else {
    if (n != 0 || immr >= 32 || imms >= 32) return reserved(rec);
  }
  if (!decodeBitMasks(n, imms, immr, false, sf64 ? 64 : 32)) return reserved(rec);
  setImm(rec, bmWmask);
  setImm2(rec, bmTmask);
  return true;
}

/** ROR(src, R) over the datasize (src already cut to datasize for sf = 0). */
// @ts-ignore: decorator
@inline function rorData(src: u64, r: u32, sf64: bool): u64 {
  return sf64 ? rotr<u64>(src, <u64>r) : <u64>rotr<u32>(<u32>src, r);
}

export function exec_UBFM(rec: usize): void {
  const w = recWord(rec);
  const src = load<u64>(recN(rec));
  const bot = rorData(src, (w >> 16) & 0x3f, is64(w)) & recImm(rec);
  store<u64>(recD(rec), bot & recImm2(rec));
  nextPC();
}

export function exec_SBFM(rec: usize): void {
  const w = recWord(rec);
  const sf64 = is64(w);
  const src = load<u64>(recN(rec));
  const tmask = recImm2(rec);
  const bot = rorData(src, (w >> 16) & 0x3f, sf64) & recImm(rec);
  const s = <u64>((w >> 10) & 0x3f);
  const top: u64 = ((src >> s) & 1) != 0 ? dmask(w) : 0; // Replicate(src<S>)
  store<u64>(recD(rec), (top & ~tmask) | (bot & tmask));
  nextPC();
}

export function exec_BFM(rec: usize): void {
  const w = recWord(rec);
  const sf64 = is64(w);
  const d = recD(rec);
  const dst = load<u64>(d) & dmask(w);
  const src = load<u64>(recN(rec));
  const wmask = recImm(rec);
  const tmask = recImm2(rec);
  const bot = (dst & ~wmask) | (rorData(src, (w >> 16) & 0x3f, sf64) & wmask);
  store<u64>(d, ((dst & ~tmask) | (bot & tmask)) & dmask(w));
  nextPC();
}

// ---- Extract ----
// imm = lsb (imms).

export function pre_extr(w: u32, rec: usize): bool {
  const sf64 = is64(w);
  const n = (w >> 22) & 1;
  const imms = (w >> 10) & 0x3f;
  if ((sf64 ? 1 : 0) != n) return reserved(rec);
  if (!sf64 && imms >= 32) return reserved(rec);
  setImm(rec, <u64>imms);
  return true;
}

export function exec_EXTR(rec: usize): void {
  const lsb = recImm(rec);
  const hi = load<u64>(recN(rec));
  const lo = load<u64>(recM(rec));
  let r: u64;
  if (is64(recWord(rec))) {
    r = lsb == 0 ? lo : (lo >> lsb) | (hi << (64 - lsb));
  } else {
    r = (((hi << 32) | (lo & W32)) >> lsb) & W32;
  }
  store<u64>(recD(rec), r);
  nextPC();
}
