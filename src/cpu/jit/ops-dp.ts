// JIT emitters for data processing (immediate and register): the wasm each instruction becomes,
// with the same results as its interpreter handler in assembly/exec/dpimm.ts and dpreg.ts (the
// decode record's imm/imm2 carry what the pre_ hooks computed). A handler with no emitter here
// is run by the interpreter (Emitter.interpret).
import { I64, Op } from './wasm.ts';
import type { Emitter, Rec } from './emitter.ts';

export type Emit = (e: Emitter, r: Rec) => void;

const M32 = 0xffffffffn;
const is64 = (r: Rec) => (r.word >>> 31) !== 0;
/** Masks the i64 on the stack to the datasize. */
function mask(e: Emitter, r: Rec): Emitter { if (!is64(r)) e.i64(M32).op(Op.i64And); return e; }

/** ConditionHolds(cond) (J1.2) on the flag locals (Emitter's Flags): pushes an i32 0 or 1. */
export function condition(e: Emitter, cond: number): void {
  const f = e.flags();
  const notZ = () => { e.get(f.z).i64(0).op(Op.i64Ne); };
  const nEqV = () => { e.get(f.n).get(f.v).op(Op.i64Xor).i64(0).op(Op.i64GeS); };
  switch (cond >> 1) {
    case 0: e.get(f.z).op(Op.i64Eqz); break; // EQ
    case 1: e.get(f.c); break; // CS
    case 2: e.get(f.n).i64(0).op(Op.i64LtS); break; // MI
    case 3: e.get(f.v).i64(0).op(Op.i64LtS); break; // VS
    case 4: e.get(f.c); notZ(); e.op(Op.i32And); break; // HI: C && !Z
    case 5: nEqV(); break; // GE: N == V
    case 6: notZ(); nEqV(); e.op(Op.i32And); break; // GT: !Z && N == V
    default: e.i32(1); // AL
  }
  if ((cond & 1) !== 0 && cond !== 15) e.op(Op.i32Eqz);
}

/**
 * AddWithCarry(x, y, carry) (J1.1.3) at the datasize: x and y in i64 locals (y already inverted
 * for a subtraction), carry 0, 1 or 'C' (PSTATE.C). Leaves the result (cut to the datasize) on
 * the stack and, when setFlags, writes the flags: N and Z from the result, C the unsigned carry
 * out (result < x, or result == x with a carry in), V when x and y have one sign and the result
 * the other.
 */
function addWithCarry(e: Emitter, sf64: boolean, x: number, y: number, carry: 0 | 1 | 'C', setFlags: boolean): void {
  const f = e.flags();
  if (sf64) {
    const res = e.tmp64();
    e.get(x).get(y).op(Op.i64Add);
    if (carry === 'C') e.get(f.c).op(Op.i64ExtendI32U, Op.i64Add);
    else if (carry === 1) e.i64(1).op(Op.i64Add);
    e.set(res);
    if (setFlags) {
      carryOut(e, res, x, carry, Op.i64LtU, Op.i64LeU);
      const g = e.setFlags();
      e.get(x).get(res).op(Op.i64Xor).get(y).get(res).op(Op.i64Xor, Op.i64And).set(g.v);
      e.get(res).tee(g.n).set(g.z);
    }
    e.get(res);
    e.release64(res);
  } else {
    const xs = e.tmp32(), ys = e.tmp32(), res = e.tmp32();
    e.get(x).op(Op.i32WrapI64).set(xs);
    e.get(y).op(Op.i32WrapI64).set(ys);
    e.get(xs).get(ys).op(Op.i32Add);
    if (carry === 'C') e.get(f.c).op(Op.i32Add);
    else if (carry === 1) e.i32(1).op(Op.i32Add);
    e.set(res);
    if (setFlags) {
      carryOut(e, res, xs, carry, Op.i32LtU, Op.i32LeU);
      const g = e.setFlags();
      e.get(xs).get(res).op(Op.i32Xor).get(ys).get(res).op(Op.i32Xor, Op.i32And, Op.i64ExtendI32S).set(g.v);
      e.get(res).op(Op.i64ExtendI32S).tee(g.n).set(g.z);
    }
    e.get(res).op(Op.i64ExtendI32U);
    e.release32(xs, ys, res);
  }
}

/** Sets C: the carry out of res = x + y + carry (locals of one type, compared with lt/le). */
function carryOut(e: Emitter, res: number, x: number, carry: 0 | 1 | 'C', lt: number, le: number): void {
  const f = e.setFlags();
  if (carry === 0) e.get(res).get(x).op(lt);
  else if (carry === 1) e.get(res).get(x).op(le);
  else e.get(res).get(x).op(le).get(res).get(x).op(lt).get(f.c).op(Op.select);
  e.set(f.c);
}

/** Sets N and Z from the i64 in local v (already cut to the datasize), C = V = 0. */
function setNZ(e: Emitter, sf64: boolean, v: number): void {
  const f = e.setFlags();
  e.get(v);
  if (!sf64) e.op(Op.i64Extend32S);
  e.tee(f.n).set(f.z);
  e.i32(0).set(f.c).i64(0).set(f.v);
}

/** ShiftReg(Rm, type, amount): imm = amount, imm2 = type | sf << 2 (exec/dpreg.ts). */
function shifted(e: Emitter, r: Rec): void {
  const amt = Number(r.imm);
  const kind = Number(r.imm2);
  e.x(r.m);
  switch (kind) {
    case 0: case 4: if (amt) e.i64(amt).op(Op.i64Shl); break;
    case 1: e.i64(M32).op(Op.i64And); if (amt) e.i64(amt).op(Op.i64ShrU); break;
    case 2: e.op(Op.i64Extend32S); if (amt) e.i64(amt).op(Op.i64ShrS); break;
    case 3: e.op(Op.i32WrapI64).i32(amt).op(Op.i32Rotr, Op.i64ExtendI32U); break;
    case 5: if (amt) e.i64(amt).op(Op.i64ShrU); break;
    case 6: if (amt) e.i64(amt).op(Op.i64ShrS); break;
    default: if (amt) e.i64(amt).op(Op.i64Rotr);
  }
}

/** ExtendReg(Rm, option, shift): imm = shift, imm2 = option (exec/dpreg.ts). */
function extended(e: Emitter, r: Rec): void {
  e.x(r.m);
  switch (Number(r.imm2)) {
    case 0: e.i64(0xff).op(Op.i64And); break;
    case 1: e.i64(0xffff).op(Op.i64And); break;
    case 2: e.i64(M32).op(Op.i64And); break;
    case 4: e.op(Op.i64Extend8S); break;
    case 5: e.op(Op.i64Extend16S); break;
    case 6: e.op(Op.i64Extend32S); break;
    default: break; // UXTX, SXTX
  }
  if (r.imm) e.i64(r.imm).op(Op.i64Shl);
}

/** Rd = (Rn <op> operand) cut to the datasize, operand pushed by `operand`. */
function binary(opcode: number, operand: (e: Emitter, r: Rec) => void, invert = false): Emit {
  return (e, r) => {
    e.x(r.n);
    operand(e, r);
    if (invert) e.i64(-1).op(Op.i64Xor);
    e.op(opcode);
    mask(e, r).setX(r.d);
  };
}

/** ADDS/SUBS family: Rd = AddWithCarry(Rn, operand or NOT operand, carry), flags set. */
function addSub(operand: (e: Emitter, r: Rec) => void, sub: boolean, carry: 0 | 1 | 'C', setFlags: boolean): Emit {
  return (e, r) => {
    const x = e.tmp64(), y = e.tmp64();
    e.x(r.n).set(x);
    operand(e, r);
    if (sub) e.i64(-1).op(Op.i64Xor);
    e.set(y);
    addWithCarry(e, is64(r), x, y, carry, setFlags);
    e.setX(r.d);
    e.release64(x, y);
  };
}

/** ANDS/BICS: Rd = Rn AND operand (or NOT operand), N and Z from the result. */
function andS(operand: (e: Emitter, r: Rec) => void, invert: boolean): Emit {
  return (e, r) => {
    const v = e.tmp64();
    e.x(r.n);
    operand(e, r);
    if (invert) e.i64(-1).op(Op.i64Xor);
    e.op(Op.i64And);
    mask(e, r).set(v);
    setNZ(e, is64(r), v);
    e.get(v).setX(r.d);
    e.release64(v);
  };
}

const imm = (e: Emitter, r: Rec) => { e.i64(r.imm); };
const reg = (e: Emitter, r: Rec) => { e.x(r.m); };
const imm5 = (e: Emitter, r: Rec) => { e.i64((r.word >>> 16) & 31); };

/** CCMN/CCMP: flags of the comparison if cond holds, else the instruction's nzcv. */
function condCompare(operand: (e: Emitter, r: Rec) => void, sub: boolean): Emit {
  return (e, r) => {
    condition(e, (r.word >>> 12) & 15);
    e.op(Op.if, 0x40);
    const x = e.tmp64(), y = e.tmp64();
    e.x(r.n).set(x);
    operand(e, r);
    if (sub) e.i64(-1).op(Op.i64Xor);
    e.set(y);
    addWithCarry(e, is64(r), x, y, sub ? 1 : 0, true);
    e.op(Op.drop);
    e.release64(x, y);
    // The instruction's nzcv: N and V as signs, Z as a zero value.
    const nzcv = r.word & 15;
    const f = e.setFlags();
    e.op(Op.else).i64(nzcv & 8 ? -1 : 0).set(f.n).i64(nzcv & 4 ? 0 : 1).set(f.z);
    e.i32((nzcv >> 1) & 1).set(f.c).i64(nzcv & 1 ? -1 : 0).set(f.v).op(Op.end);
  };
}

/** CSEL family: Rd = cond ? Rn : f(Rm), cut to the datasize. */
function condSelect(f: (e: Emitter) => void): Emit {
  return (e, r) => {
    e.x(r.n);
    e.x(r.m);
    f(e);
    condition(e, (r.word >>> 12) & 15);
    e.op(Op.select);
    mask(e, r).setX(r.d);
  };
}

/** ROR(src, R) over the datasize, src on the stack (exec/dpimm.ts rorData). */
function rorData(e: Emitter, r: Rec): void {
  const rot = (r.word >>> 16) & 0x3f;
  if (is64(r)) { if (rot) e.i64(rot).op(Op.i64Rotr); }
  else e.op(Op.i32WrapI64).i32(rot).op(Op.i32Rotr, Op.i64ExtendI32U);
}

/** Rd = Ra +/- product, the product pushed by `product`. */
function mulAdd(product: (e: Emitter, r: Rec) => void, sub: boolean, cut: boolean): Emit {
  return (e, r) => {
    e.x(r.a);
    product(e, r);
    e.op(sub ? Op.i64Sub : Op.i64Add);
    if (cut) mask(e, r);
    e.setX(r.d);
  };
}
const mulNM = (e: Emitter, r: Rec) => { e.x(r.n).x(r.m).op(Op.i64Mul); };
const mulS32 = (e: Emitter, r: Rec) => { e.x(r.n).op(Op.i64Extend32S).x(r.m).op(Op.i64Extend32S, Op.i64Mul); };
const mulU32 = (e: Emitter, r: Rec) => { e.x(r.n).i64(M32).op(Op.i64And).x(r.m).i64(M32).op(Op.i64And, Op.i64Mul); };

/** A shift by register: 64-bit ops count modulo 64, 32-bit modulo 32, as wasm's do. */
function shiftV(op64: number, op32: number): Emit {
  return (e, r) => {
    if (is64(r)) e.x(r.n).x(r.m).op(op64);
    else e.x(r.n).op(Op.i32WrapI64).x(r.m).op(Op.i32WrapI64, op32, Op.i64ExtendI32U);
    e.setX(r.d);
  };
}

/**
 * Swaps adjacent groups of `bits` bits in the i64 on the stack: ((x >> bits) AND m) OR ((x AND
 * m) << bits), m selecting the low group of each pair.
 */
function swapGroups(e: Emitter, bits: number, m: bigint): void {
  const t = e.tmp64();
  e.tee(t).i64(bits).op(Op.i64ShrU).i64(m).op(Op.i64And);
  e.get(t).i64(m).op(Op.i64And).i64(bits).op(Op.i64Shl, Op.i64Or);
  e.release64(t);
}
/** Reverses the bytes within each 32-bit word of the i64 on the stack. */
function bswapWords(e: Emitter): void {
  swapGroups(e, 8, 0x00ff00ff00ff00ffn);
  swapGroups(e, 16, 0x0000ffff0000ffffn);
}

/** The high 64 bits of the unsigned 128-bit product of locals a and b, from 32-bit halves. */
function umulh(e: Emitter, a: number, b: number): void {
  const p1 = e.tmp64(), p2 = e.tmp64(), mid = e.tmp64();
  const lo = (l: number) => { e.get(l).i64(M32).op(Op.i64And); };
  const hi = (l: number) => { e.get(l).i64(32).op(Op.i64ShrU); };
  lo(a); hi(b); e.op(Op.i64Mul).set(p1);
  hi(a); lo(b); e.op(Op.i64Mul).set(p2);
  // mid = (al*bl >> 32) + (p1 AND M32) + (p2 AND M32)
  lo(a); lo(b); e.op(Op.i64Mul).i64(32).op(Op.i64ShrU);
  e.get(p1).i64(M32).op(Op.i64And, Op.i64Add).get(p2).i64(M32).op(Op.i64And, Op.i64Add).set(mid);
  // ah*bh + (p1 >> 32) + (p2 >> 32) + (mid >> 32)
  hi(a); hi(b); e.op(Op.i64Mul);
  e.get(p1).i64(32).op(Op.i64ShrU, Op.i64Add).get(p2).i64(32).op(Op.i64ShrU, Op.i64Add);
  e.get(mid).i64(32).op(Op.i64ShrU, Op.i64Add);
  e.release64(p1, p2, mid);
}

export const DP_EMITTERS: Record<string, Emit> = {
  ADR: (e, r) => { e.i64(BigInt.asUintN(64, r.pc + adrImm(r.word))).setX(r.d); },
  ADRP: (e, r) => { e.i64(BigInt.asUintN(64, (r.pc & ~0xfffn) + (adrImm(r.word) << 12n))).setX(r.d); },
  ADD_imm: binary(Op.i64Add, imm),
  SUB_imm: binary(Op.i64Sub, imm),
  ADDS_imm: addSub(imm, false, 0, true),
  SUBS_imm: addSub(imm, true, 1, true),
  AND_imm: binary(Op.i64And, imm),
  ORR_imm: binary(Op.i64Or, imm),
  EOR_imm: binary(Op.i64Xor, imm),
  ANDS_imm: andS(imm, false),
  MOVN: (e, r) => { e.i64(r.imm).setX(r.d); },
  MOVZ: (e, r) => { e.i64(r.imm).setX(r.d); },
  MOVK: (e, r) => { e.x(r.d).i64(r.imm2).op(Op.i64And).i64(r.imm).op(Op.i64Or).setX(r.d); },
  UBFM: (e, r) => {
    e.x(r.n);
    rorData(e, r);
    e.i64(r.imm & r.imm2).op(Op.i64And).setX(r.d);
  },
  SBFM: (e, r) => {
    const s = (r.word >>> 10) & 0x3f;
    const dm = is64(r) ? -1n : M32;
    // (Replicate(src<S>) AND NOT tmask) OR (ROR(src, R) AND wmask AND tmask)
    e.i64(BigInt.asUintN(64, dm & ~r.imm2)).i64(0).x(r.n).i64(s).op(Op.i64ShrU).i64(1).op(Op.i64And, Op.i32WrapI64, Op.select);
    e.x(r.n);
    rorData(e, r);
    e.i64(r.imm & r.imm2).op(Op.i64And, Op.i64Or).setX(r.d);
  },
  BFM: (e, r) => {
    const dm = is64(r) ? (1n << 64n) - 1n : M32;
    const dst = e.tmp64();
    e.x(r.d).i64(dm).op(Op.i64And).set(dst);
    // bot = (dst AND NOT wmask) OR (ROR(src, R) AND wmask); Rd = (dst AND NOT tmask) OR (bot AND tmask)
    e.get(dst).i64(BigInt.asUintN(64, ~r.imm)).op(Op.i64And);
    e.x(r.n);
    rorData(e, r);
    e.i64(r.imm).op(Op.i64And, Op.i64Or).i64(r.imm2).op(Op.i64And);
    e.get(dst).i64(BigInt.asUintN(64, ~r.imm2)).op(Op.i64And, Op.i64Or).i64(dm).op(Op.i64And).setX(r.d);
    e.release64(dst);
  },
  EXTR: (e, r) => {
    const lsb = Number(r.imm);
    if (is64(r)) {
      if (lsb === 0) e.x(r.m);
      else e.x(r.m).i64(lsb).op(Op.i64ShrU).x(r.n).i64(64 - lsb).op(Op.i64Shl, Op.i64Or);
    } else {
      e.x(r.n).i64(32).op(Op.i64Shl).x(r.m).i64(M32).op(Op.i64And, Op.i64Or).i64(lsb).op(Op.i64ShrU).i64(M32).op(Op.i64And);
    }
    e.setX(r.d);
  },

  AND_shift: binary(Op.i64And, shifted),
  BIC_shift: binary(Op.i64And, shifted, true),
  ORR_shift: binary(Op.i64Or, shifted),
  ORN_shift: binary(Op.i64Or, shifted, true),
  EOR_shift: binary(Op.i64Xor, shifted),
  EON_shift: binary(Op.i64Xor, shifted, true),
  ANDS_shift: andS(shifted, false),
  BICS_shift: andS(shifted, true),
  ADD_shift: binary(Op.i64Add, shifted),
  SUB_shift: binary(Op.i64Sub, shifted),
  ADDS_shift: addSub(shifted, false, 0, true),
  SUBS_shift: addSub(shifted, true, 1, true),
  ADD_ext: binary(Op.i64Add, extended),
  SUB_ext: binary(Op.i64Sub, extended),
  ADDS_ext: addSub(extended, false, 0, true),
  SUBS_ext: addSub(extended, true, 1, true),
  ADC: addSub(reg, false, 'C', false),
  ADCS: addSub(reg, false, 'C', true),
  SBC: addSub(reg, true, 'C', false),
  SBCS: addSub(reg, true, 'C', true),
  CCMN_reg: condCompare(reg, false),
  CCMP_reg: condCompare(reg, true),
  CCMN_imm: condCompare(imm5, false),
  CCMP_imm: condCompare(imm5, true),
  CSEL: condSelect(() => {}),
  CSINC: condSelect((e) => { e.i64(1).op(Op.i64Add); }),
  CSINV: condSelect((e) => { e.i64(-1).op(Op.i64Xor); }),
  CSNEG: condSelect((e) => { const t = e.tmp64(); e.set(t).i64(0).get(t).op(Op.i64Sub); e.release64(t); }),
  CLZ: (e, r) => {
    if (is64(r)) e.x(r.n).op(Op.i64Clz);
    else e.x(r.n).op(Op.i32WrapI64, Op.i32Clz, Op.i64ExtendI32U);
    e.setX(r.d);
  },
  CLS: (e, r) => {
    // CountLeadingSignBits(x) = CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>)
    const t = e.tmp64();
    if (is64(r)) {
      e.x(r.n).tee(t).get(t).i64(1).op(Op.i64Shl, Op.i64Xor).i64(1).op(Op.i64ShrU, Op.i64Clz).i64(1).op(Op.i64Sub);
    } else {
      const w = e.tmp32();
      e.x(r.n).op(Op.i32WrapI64).tee(w).get(w).i32(1).op(Op.i32Shl, Op.i32Xor).i32(1).op(Op.i32ShrU, Op.i32Clz);
      e.i32(1).op(Op.i32Sub, Op.i64ExtendI32U);
      e.release32(w);
    }
    e.setX(r.d);
    e.release64(t);
  },
  REV16: (e, r) => { e.x(r.n); mask(e, r); swapGroups(e, 8, 0x00ff00ff00ff00ffn); e.setX(r.d); },
  REV32: (e, r) => { e.x(r.n); bswapWords(e); e.setX(r.d); },
  REV_w: (e, r) => { e.x(r.n).i64(M32).op(Op.i64And); bswapWords(e); e.setX(r.d); },
  REV_x: (e, r) => { e.x(r.n); bswapWords(e); e.i64(32).op(Op.i64Rotr).setX(r.d); },
  RBIT: (e, r) => {
    e.x(r.n);
    swapGroups(e, 1, 0x5555555555555555n);
    swapGroups(e, 2, 0x3333333333333333n);
    swapGroups(e, 4, 0x0f0f0f0f0f0f0f0fn);
    bswapWords(e);
    e.i64(32).op(Op.i64Rotr); // the bit reversal of all 64 bits
    if (!is64(r)) e.i64(32).op(Op.i64ShrU);
    e.setX(r.d);
  },
  UMULH: (e, r) => {
    const a = e.tmp64(), b = e.tmp64();
    e.x(r.n).set(a);
    e.x(r.m).set(b);
    umulh(e, a, b);
    e.setX(r.d);
    e.release64(a, b);
  },
  SMULH: (e, r) => {
    // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0) (mod 2^64).
    const a = e.tmp64(), b = e.tmp64();
    e.x(r.n).set(a);
    e.x(r.m).set(b);
    umulh(e, a, b);
    e.get(b).get(a).i64(63).op(Op.i64ShrS, Op.i64And, Op.i64Sub);
    e.get(a).get(b).i64(63).op(Op.i64ShrS, Op.i64And, Op.i64Sub);
    e.setX(r.d);
    e.release64(a, b);
  },
  UDIV: (e, r) => {
    // Division by zero gives 0 (wasm would trap).
    const m = e.tmp64();
    if (is64(r)) {
      e.x(r.m).set(m);
      e.get(m).op(Op.i64Eqz).op(Op.if, I64).i64(0).op(Op.else).x(r.n).get(m).op(Op.i64DivU).op(Op.end);
    } else {
      e.x(r.m).i64(M32).op(Op.i64And).set(m);
      e.get(m).op(Op.i64Eqz).op(Op.if, I64).i64(0).op(Op.else).x(r.n).i64(M32).op(Op.i64And).get(m).op(Op.i64DivU).op(Op.end);
    }
    e.setX(r.d);
    e.release64(m);
  },
  SDIV: (e, r) => {
    // m == 0 gives 0; m == -1 negates (INT_MIN / -1 = INT_MIN, where wasm would trap).
    const m = e.tmp64(), n = e.tmp64();
    if (is64(r)) { e.x(r.m).set(m); e.x(r.n).set(n); }
    else { e.x(r.m).op(Op.i64Extend32S).set(m); e.x(r.n).op(Op.i64Extend32S).set(n); }
    e.get(m).op(Op.i64Eqz).op(Op.if, I64).i64(0).op(Op.else);
    e.get(m).i64(-1).op(Op.i64Eq).op(Op.if, I64).i64(0).get(n).op(Op.i64Sub).op(Op.else).get(n).get(m).op(Op.i64DivS).op(Op.end);
    e.op(Op.end);
    mask(e, r).setX(r.d);
    e.release64(m, n);
  },
  LSLV: shiftV(Op.i64Shl, Op.i32Shl),
  LSRV: shiftV(Op.i64ShrU, Op.i32ShrU),
  ASRV: shiftV(Op.i64ShrS, Op.i32ShrS),
  RORV: shiftV(Op.i64Rotr, Op.i32Rotr),
  MADD: mulAdd(mulNM, false, true),
  MSUB: mulAdd(mulNM, true, true),
  SMADDL: mulAdd(mulS32, false, false),
  SMSUBL: mulAdd(mulS32, true, false),
  UMADDL: mulAdd(mulU32, false, false),
  UMSUBL: mulAdd(mulU32, true, false),
};

/** imm = SignExtend(immhi:immlo, 21) (ADR/ADRP). */
function adrImm(w: number): bigint {
  const v = (((w >>> 5) & 0x7ffff) << 2) | ((w >>> 29) & 3);
  return BigInt.asIntN(21, BigInt(v));
}
