// Advanced SIMD shift by immediate, vector and scalar (C4.1.91; C7.2 SSHR, USHR, SSRA, USRA,
// SRSHR, URSHR, SRSRA, URSRA, SHL, SLI, SRI, SQSHL, UQSHL, SQSHLU (immediate), SHRN, RSHRN,
// SQSHRN, UQSHRN, SQRSHRN, UQRSHRN, SQSHRUN, SQRSHRUN, SSHLL, USHLL). The fixed-point
// conversions of the group (SCVTF, UCVTF, FCVTZS, FCVTZU) are floating point and not decoded here.
//
// immh:immb encodes both the element size (the highest set bit of immh) and the shift: right
// shifts are 2 * esize - immh:immb (1..esize), left shifts immh:immb - esize (0..esize - 1).
// The decode step stores imm2 = op | size << 8 | Q << 10 | scalar << 11 | shift << 16, op = U:opcode.
import { recWord, recD, recN, recImm2, setImm2, nextPC } from '../cpu';
import { VRES } from '../layout';
import { eget, eset, emask, sxe, satS, satU, satUfromS, roundShiftRight, shiftRight, writeRes } from '../fp/velem';
import { vWriteScalar } from '../fp/vreg';
import { satShiftLeft } from './simd_int';
import { fastShift, fastShiftLong, shrWide, truncNarrow } from '../fp/vfast';

const SSHR: u32 = 0; const SSRA: u32 = 2; const SRSHR: u32 = 4; const SRSRA: u32 = 6; const SHL: u32 = 10;
const SQSHL: u32 = 14; const SHRN: u32 = 16; const RSHRN: u32 = 17; const SQSHRN: u32 = 18; const SQRSHRN: u32 = 19;
const SSHLL: u32 = 20;
const USHR: u32 = 32; const USRA: u32 = 34; const URSHR: u32 = 36; const URSRA: u32 = 38; const SRI: u32 = 40;
const SLI: u32 = 42; const SQSHLU: u32 = 44; const UQSHL: u32 = 46; const SQSHRUN: u32 = 48; const SQRSHRUN: u32 = 49;
const UQSHRN: u32 = 50; const UQRSHRN: u32 = 51; const USHLL: u32 = 52;

// @ts-ignore: decorator
@inline function isNarrow(op: u32): bool { return (op & 0x1f) >= 16 && (op & 0x1f) <= 19; }
// @ts-ignore: decorator
@inline function isLong(op: u32): bool { return op == SSHLL || op == USHLL; }
// @ts-ignore: decorator
@inline function isLeft(op: u32): bool { return op == SHL || op == SLI || op == SQSHL || op == UQSHL || op == SQSHLU; }

export function pre_vshift(w: u32, rec: usize): bool {
  const q = (w >> 30) & 1;
  const op = (((w >> 29) & 1) << 5) | ((w >> 11) & 31);
  const scalar = (w >> 28) & 1;
  const immh = (w >> 19) & 15;
  const immhb = (w >> 16) & 127;
  if (immh == 0) return false; // the modified-immediate space
  const size: u32 = immh & 8 ? 3 : immh & 4 ? 2 : immh & 2 ? 1 : 0;
  switch (op) {
    case SSHR: case SSRA: case SRSHR: case SRSRA: case SHL: case USHR: case USRA: case URSHR: case URSRA: case SRI: case SLI:
      if (scalar ? size != 3 : size == 3 && q == 0) return false;
      break;
    case SQSHL: case UQSHL: case SQSHLU:
      if (!scalar && size == 3 && q == 0) return false;
      break;
    case SQSHRN: case SQRSHRN: case SQSHRUN: case SQRSHRUN: case UQSHRN: case UQRSHRN:
      if (size == 3) return false;
      break;
    case SHRN: case RSHRN: case SSHLL: case USHLL:
      if (scalar || size == 3) return false;
      break;
    default: return false;
  }
  const esize: u32 = 8 << size;
  const shift: u32 = isLeft(op) || isLong(op) ? immhb - esize : 2 * esize - immhb;
  setImm2(rec, <u64>(op | (size << 8) | (q << 10) | (scalar << 11) | (shift << 16)));
  return true;
}

/** One element of a same-size shift; d is the destination element (accumulate and insert forms). */
function shiftElem(op: u32, a: u64, d: u64, size: u32, s: u32): u64 {
  const m = emask(size);
  switch (op) {
    case SSHR: return shiftRight(<u64>sxe(a, size), s, true) & m;
    case USHR: return shiftRight(a, s, false);
    case SRSHR: return roundShiftRight(<u64>sxe(a, size), s, true) & m;
    case URSHR: return roundShiftRight(a, s, false) & m;
    case SSRA: return (d + shiftRight(<u64>sxe(a, size), s, true)) & m;
    case USRA: return (d + shiftRight(a, s, false)) & m;
    case SRSRA: return (d + roundShiftRight(<u64>sxe(a, size), s, true)) & m;
    case URSRA: return (d + roundShiftRight(a, s, false)) & m;
    case SHL: return (a << s) & m;
    case SLI: { const mask = (m << s) & m; return (d & ~mask) | ((a << s) & mask); }
    case SRI: { const mask = s >= (8 << size) ? 0 : m >> s; return (d & ~mask) | ((a >> s) & mask); }
    case SQSHL: return satShiftLeft(a, s, size, false, false);
    case UQSHL: return satShiftLeft(a, s, size, true, true);
    default: return satShiftLeft(a, s, size, false, true); // SQSHLU
  }
}

/** Narrowing shift: the source element a of 2 * esize bits, to esize bits. */
function narrowElem(op: u32, a: u64, size: u32, s: u32): u64 {
  const ws = size + 1;
  const round = (op & 1) != 0; // RSHRN, SQRSHRN, SQRSHRUN, UQRSHRN
  const signedSrc = op == SQSHRN || op == SQRSHRN || op == SQSHRUN || op == SQRSHRUN;
  const x: u64 = signedSrc ? <u64>sxe(a, ws) : a;
  const r = round ? roundShiftRight(x, s, signedSrc) : shiftRight(x, s, signedSrc);
  switch (op) {
    case SHRN: case RSHRN: return r & emask(size);
    case SQSHRN: case SQRSHRN: return satS(<i64>r, size);
    case SQSHRUN: case SQRSHRUN: return satUfromS(<i64>r, size);
    default: return satU(r, size); // UQSHRN, UQRSHRN
  }
}

export function exec_VSHIFT(rec: usize): void {
  const p = <u32>recImm2(rec);
  const op = p & 0xff;
  const size = (p >> 8) & 3;
  const q = (p >> 10) & 1;
  const scalar = (p >> 11) & 1;
  const s = p >> 16;
  const n = recN(rec);
  const vd = recD(rec);
  if (op == SHRN && !scalar) {
    // SHRN{2}: shift the wide elements right, keep their low halves, into the lower (upper) half.
    const low = i64x2.extract_lane(truncNarrow(shrWide(n, size, s), size), 0);
    if (q == 0) { store<u64>(vd, low); store<u64>(vd, 0, 8); } else store<u64>(vd, low, 8);
    nextPC();
    return;
  }
  if (isNarrow(op)) {
    // Vd.<part> = narrow(Vn >> s); Q = 1 writes the upper half and keeps the lower (SHRN2...).
    const count: u32 = scalar ? 1 : 8 >> size;
    if (scalar || q == 0) { store<u64>(<usize>VRES, 0); store<u64>(<usize>VRES, 0, 8); }
    else store<u64>(<usize>VRES, load<u64>(vd));
    const base: u32 = scalar ? 0 : q * count;
    for (let e: u32 = 0; e < count; e++) eset(<usize>VRES, base + e, size, narrowElem(op, eget(n, e, size + 1), size, s));
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, q != 0 && !scalar ? load<u64>(<usize>VRES, 8) : 0, 8);
    nextPC();
    return;
  }
  if (isLong(op)) {
    // SSHLL/USHLL{2}: the lower (upper) half's elements, extended to 2 * esize, shifted left.
    fastShiftLong(op == SSHLL, size, q, n, s);
    store<u64>(vd, load<u64>(<usize>VRES));
    store<u64>(vd, load<u64>(<usize>VRES, 8), 8);
    nextPC();
    return;
  }
  if (scalar) {
    const r = shiftElem(op, eget(n, 0, size), eget(vd, 0, size), size, s);
    vWriteScalar(vd, r, 1 << size); // the element, the rest of the register cleared
    nextPC();
    return;
  }
  const elements: u32 = (8 << q) >> size;
  if (!fastShift(op, size, n, s)) {
    for (let e: u32 = 0; e < elements; e++) eset(<usize>VRES, e, size, shiftElem(op, eget(n, e, size), eget(vd, e, size), size, s));
  }
  writeRes(vd, q);
  nextPC();
}
