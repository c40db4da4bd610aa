// JIT emitters for loads and stores of general-purpose registers (assembly/exec/ldst.ts): the
// soft-TLB hit is done inline; everything else (a miss, an unaligned or page-crossing access,
// Device memory, a fault, an exit for MMIO, an unaligned SP base, the unprivileged forms) runs
// the whole instruction in the interpreter, which has every rule.
import * as L from '../../../assembly/layout.ts';
import { Op } from './wasm.ts';
import { SP, type Emitter, type Rec } from './emitter.ts';
import type { Emit } from './ops-dp.ts';

const M32 = 0xffffffffn;
const MODE_POST = 1n;
const MODE_UNPRIV = 2n;
const MODE_PRE = 3n;
const PAIR_POST = 1n;
const PAIR_PRE = 3n;

type Ext = 'zero' | 'sx' | 'sw';

const LOADS: Record<number, [number, number]> = { 1: [Op.i64Load8U, Op.i64Load8S], 2: [Op.i64Load16U, Op.i64Load16S], 4: [Op.i64Load32U, Op.i64Load32S], 8: [Op.i64Load, Op.i64Load] };
const STORES: Record<number, number> = { 1: Op.i64Store8, 2: Op.i64Store16, 4: Op.i64Store32, 8: Op.i64Store };

/**
 * Pushes an i32: 1 when the access of size bytes at the VA in local va hits the soft TLB (tag
 * R or W), leaving the entry's address in local te. An unaligned VA never hits.
 */
function tlbHit(e: Emitter, va: number, te: number, size: number, write: boolean): void {
  e.tlb().get(va).i64(12).op(Op.i64ShrU, Op.i32WrapI64).i32(L.TLB_ENTRIES - 1).op(Op.i32And).i32(5).op(Op.i32Shl, Op.i32Add).tee(te);
  e.mem(Op.i64Load, write ? 8 : 0);
  e.get(va).i64(BigInt.asUintN(64, ~0xfffn | BigInt(size - 1))).op(Op.i64And, Op.i64Eq);
}

/** Pushes the host address (i32) of the VA in local va through TLB entry te. */
function hostAddr(e: Emitter, va: number, te: number): void {
  e.get(va).get(te).mem(Op.i64Load, 24).op(Op.i64Add, Op.i32WrapI64);
}

/**
 * After a store of size bytes at host address h: returns an i32 local set to 1 when the store
 * wrote into the code page. leaveIf then makes every block check its words again, and leaves the
 * function after this instruction if it changed a later one of its own block.
 */
function codePageStore(e: Emitter, h: number, size: number): number {
  const l = e.tmp32();
  e.get(h).get(e.pageHost).op(Op.i32Sub).i32(size - 1).op(Op.i32Add).i32(0x1000 + size - 1).op(Op.i32LtU).set(l);
  return l;
}
function leaveIf(e: Emitter, r: Rec, l: number): void {
  if (l < 0) return;
  e.get(l).op(Op.if, 0x40).forgetVerified();
  if (e.laterWordsChanged(r)) e.leaveAfter(r);
  e.op(Op.end);
  e.release32(l);
}

/** ANDs the i32 on the stack with "SP is 16-byte aligned" when the base is SP (CheckSPAlignment). */
function spAligned(e: Emitter, r: Rec): void {
  if (r.n === SP) e.x(SP).i64(15).op(Op.i64And, Op.i64Eqz, Op.i32And);
}

function loadValue(e: Emitter, size: number, ext: Ext): void {
  e.mem(LOADS[size][ext === 'zero' ? 0 : 1]);
  if (ext === 'sw') e.i64(M32).op(Op.i64And);
}

/**
 * One load or store of size bytes at the VA `address` pushes; writeback(e) (optional) runs after
 * the register write, as the interpreter orders it.
 */
function single(e: Emitter, r: Rec, size: number, ext: Ext | null, address: () => void, writeback?: () => void): void {
  const va = e.tmp64();
  const te = e.tmp32();
  address();
  e.set(va);
  tlbHit(e, va, te, size, ext === null);
  spAligned(e, r);
  e.op(Op.if, 0x40);
  hostAddr(e, va, te);
  if (ext === null) {
    const h = e.tmp32();
    e.tee(h).x(r.d).mem(STORES[size]);
    const code = codePageStore(e, h, size);
    e.release32(h);
    writeback?.();
    leaveIf(e, r, code);
  } else {
    loadValue(e, size, ext);
    e.setX(r.d);
    writeback?.();
  }
  e.op(Op.else);
  e.slowAccess(r, ext === null ? [r.n, r.m, r.d] : [r.n, r.m], ext === null ? [r.n] : [r.d, r.n], ext === null);
  e.op(Op.end);
  e.release64(va);
  e.release32(te);
}

/** LDR/STR (immediate): unsigned offset, unscaled, pre- and post-index; imm2 = mode. */
function immForm(size: number, ext: Ext | null): Emit {
  return (e, r) => {
    if (r.imm2 === MODE_UNPRIV) { e.slowAccess(r, [r.n, r.d], ext === null ? [] : [r.d], ext === null); return; }
    const wb = r.imm2 === MODE_POST || r.imm2 === MODE_PRE;
    const base = e.tmp64();
    e.x(r.n).set(base);
    single(e, r, size, ext,
      () => { e.get(base); if (r.imm2 !== MODE_POST && r.imm) e.i64(r.imm).op(Op.i64Add); },
      wb ? () => { e.get(base).i64(r.imm).op(Op.i64Add).setX(r.n); } : undefined);
    e.release64(base);
  };
}

/** LDR/STR (register): Xn + ExtendReg(Rm, option, shift); imm = shift, imm2 = option. */
function regForm(size: number, ext: Ext | null): Emit {
  return (e, r) => {
    single(e, r, size, ext, () => {
      e.x(r.n).x(r.m);
      const option = Number(r.imm2);
      if (option === 2) e.i64(M32).op(Op.i64And);
      else if (option === 6) e.op(Op.i64Extend32S);
      if (r.imm) e.i64(r.imm).op(Op.i64Shl);
      e.op(Op.i64Add);
    });
  };
}

/** LDR (literal). */
function literal(size: number, ext: Ext): Emit {
  return (e, r) => { single(e, r, size, ext, () => { e.i64(BigInt.asUintN(64, r.pc + r.imm)); }); };
}

/**
 * LDP/STP/LDPSW: two elements of esize bytes at va and va + esize; imm2 = pair mode. The fast
 * path takes pairs whose first element hits the TLB (so it is aligned) and whose second is in
 * the same page (so it hits the same entry); the rest go to the interpreter.
 */
function pair(esize: number, ext: Ext | null): Emit {
  return (e, r) => {
    const wb = r.imm2 === PAIR_POST || r.imm2 === PAIR_PRE;
    const base = e.tmp64(), va = e.tmp64(), v1 = e.tmp64();
    const te = e.tmp32(), h = e.tmp32();
    e.x(r.n).set(base);
    e.get(base);
    if (r.imm2 !== PAIR_POST && r.imm) e.i64(r.imm).op(Op.i64Add);
    e.set(va);
    tlbHit(e, va, te, esize, ext === null);
    e.get(va).i64(0xfff).op(Op.i64And).i64(0x1000 - 2 * esize).op(Op.i64LeU, Op.i32And);
    spAligned(e, r);
    e.op(Op.if, 0x40);
    hostAddr(e, va, te);
    e.set(h);
    let code = -1;
    if (ext === null) {
      e.get(h).x(r.d).mem(STORES[esize]);
      e.get(h).x(r.a).mem(STORES[esize], esize);
      code = codePageStore(e, h, 2 * esize);
    } else {
      e.get(h); loadValue(e, esize, ext); e.set(v1);
      e.get(h).mem(LOADS[esize][ext === 'zero' ? 0 : 1], esize);
      if (ext === 'sw') e.i64(M32).op(Op.i64And);
      e.get(v1).setX(r.d);
      e.setX(r.a); // Rt2 wins when Rt == Rt2
    }
    if (wb) e.get(base).i64(r.imm).op(Op.i64Add).setX(r.n); // the address wins over a loaded Rn
    leaveIf(e, r, code);
    e.op(Op.else);
    e.slowAccess(r, ext === null ? [r.n, r.d, r.a] : [r.n], ext === null ? [r.n] : [r.d, r.a, r.n], ext === null);
    e.op(Op.end);
    e.release64(base, va, v1);
    e.release32(te, h);
  };
}

export const MEM_EMITTERS: Record<string, Emit> = {
  STRB_imm: immForm(1, null), STRH_imm: immForm(2, null), STR_w_imm: immForm(4, null), STR_x_imm: immForm(8, null),
  LDRB_imm: immForm(1, 'zero'), LDRH_imm: immForm(2, 'zero'), LDR_w_imm: immForm(4, 'zero'), LDR_x_imm: immForm(8, 'zero'),
  LDRSB_x_imm: immForm(1, 'sx'), LDRSB_w_imm: immForm(1, 'sw'), LDRSH_x_imm: immForm(2, 'sx'), LDRSH_w_imm: immForm(2, 'sw'),
  LDRSW_imm: immForm(4, 'sx'),
  STRB_reg: regForm(1, null), STRH_reg: regForm(2, null), STR_w_reg: regForm(4, null), STR_x_reg: regForm(8, null),
  LDRB_reg: regForm(1, 'zero'), LDRH_reg: regForm(2, 'zero'), LDR_w_reg: regForm(4, 'zero'), LDR_x_reg: regForm(8, 'zero'),
  LDRSB_x_reg: regForm(1, 'sx'), LDRSB_w_reg: regForm(1, 'sw'), LDRSH_x_reg: regForm(2, 'sx'), LDRSH_w_reg: regForm(2, 'sw'),
  LDRSW_reg: regForm(4, 'sx'),
  LDR_lit_w: literal(4, 'zero'), LDR_lit_x: literal(8, 'zero'), LDRSW_lit: literal(4, 'sx'),
  PRFM: () => {}, // a hint: no access, no fault
  STP_w: pair(4, null), STP_x: pair(8, null), LDP_w: pair(4, 'zero'), LDP_x: pair(8, 'zero'), LDPSW: pair(4, 'sx'),
};
