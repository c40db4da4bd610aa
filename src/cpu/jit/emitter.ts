// The state of one compiled block while its wasm is written: guest registers live in wasm
// locals for the whole block (loaded once at entry, stored back at exits), NZCV in an i32 local
// in the NZCV register's format, and a way out to the interpreter (the CPU's jitExec) for every
// instruction or case the JIT does not do itself: a TLB miss, an unaligned or faulting access,
// an instruction with no emitter.
import * as L from '../../../assembly/layout.ts';
import { I32, I64, Op, sleb, uleb, type FunctionBody } from './wasm.ts';

/** Function parameters (the CPU's JitBlock type, assembly/index.ts). */
export const P_BLK = 0;
export const P_H = 1;
export const P_ICOUNT = 2;
export const P_LIMIT = 3;

/** Register numbers: 0..30 X0-X30, 31 the zero register, 32 the current SP. */
export const ZR = 31;
export const SP = 32;

/** A decode record of the block (assembly/gen/decode.ts layout), with its VA. */
export interface Rec {
  index: number;
  pc: bigint;
  word: number;
  op: string;
  /** Register fields as register numbers (see ZR, SP); meaningless for fields a handler does not use. */
  d: number; n: number; m: number; a: number;
  imm: bigint;
  imm2: bigint;
}

/** The register number of a record's pre-scaled register byte address. */
export function regOf(addr: number): number { return (addr - L.X0) >> 3; }

export class Emitter {
  readonly code: number[] = [];
  private readonly localTypes: number[] = [];
  private readonly regLocal = new Map<number, number>();
  /** Registers some emitted instruction writes (stored back at every exit). */
  private readonly written = new Set<number>();
  private nzcvLocal = -1;
  private nzcvWritten = false;
  private tlbLocal = -1;
  private readonly free64: number[] = [];
  private readonly free32: number[] = [];

  /**
   * A block is emitted twice: the first pass learns which registers the block uses and writes,
   * the second (given the first) emits the real code, whose every exit stores back and every
   * return from the interpreter reloads the whole set, wherever in the block it is.
   */
  constructor(readonly recs: Rec[], first?: Emitter) {
    if (!first) return;
    for (const r of first.regLocal.keys()) this.reg(r);
    for (const r of first.written) this.written.add(r);
    if (first.nzcvLocal >= 0) this.nzcvLocal = this.newLocal(I32);
    this.nzcvWritten = first.nzcvWritten;
    if (first.tlbLocal >= 0) this.tlbLocal = this.newLocal(I32);
  }

  // ---- raw code ----
  op(...bytes: number[]): this { for (const b of bytes) this.code.push(b); return this; }
  i64(v: bigint | number): this { this.code.push(Op.i64Const); sleb(this.code, BigInt(v)); return this; }
  i32(v: number): this { this.code.push(Op.i32Const); sleb(this.code, BigInt(v | 0)); return this; }
  get(l: number): this { this.code.push(Op.localGet); uleb(this.code, l); return this; }
  set(l: number): this { this.code.push(Op.localSet); uleb(this.code, l); return this; }
  tee(l: number): this { this.code.push(Op.localTee); uleb(this.code, l); return this; }
  /** A load or store with memarg (alignment hint 0, constant offset). */
  mem(opcode: number, offset = 0): this { this.code.push(opcode, 0); uleb(this.code, offset); return this; }
  br(depth: number): this { this.code.push(Op.br); uleb(this.code, depth); return this; }
  brIf(depth: number): this { this.code.push(Op.brIf); uleb(this.code, depth); return this; }
  call(fn: number): this { this.code.push(Op.call); uleb(this.code, fn); return this; }

  // ---- locals ----
  private newLocal(t: number): number { this.localTypes.push(t); return 4 + this.localTypes.length - 1; }
  /** A scratch i64 local; give it back with release64 when done. */
  tmp64(): number { return this.free64.pop() ?? this.newLocal(I64); }
  tmp32(): number { return this.free32.pop() ?? this.newLocal(I32); }
  release64(...ls: number[]): void { this.free64.push(...ls); }
  release32(...ls: number[]): void { this.free32.push(...ls); }

  private reg(r: number): number {
    let l = this.regLocal.get(r);
    if (l === undefined) { l = this.newLocal(I64); this.regLocal.set(r, l); }
    return l;
  }

  // ---- guest registers ----
  /** Pushes X<r> (0 for the zero register, SP for 32). */
  x(r: number): this { return r === ZR ? this.i64(0) : this.get(this.reg(r)); }
  /** Pops an i64 into X<r> (discarded for the zero register). */
  setX(r: number): this {
    if (r === ZR) return this.op(Op.drop);
    this.written.add(r);
    return this.set(this.reg(r));
  }
  /** Pushes the NZCV local (i32). */
  nzcv(): this { if (this.nzcvLocal < 0) this.nzcvLocal = this.newLocal(I32); return this.get(this.nzcvLocal); }
  /** Pops an i32 into NZCV. */
  setNzcv(): this {
    if (this.nzcvLocal < 0) this.nzcvLocal = this.newLocal(I32);
    this.nzcvWritten = true;
    return this.set(this.nzcvLocal);
  }
  /** Pushes the current regime's TLB base (i32). */
  tlb(): this { if (this.tlbLocal < 0) this.tlbLocal = this.newLocal(I32); return this.get(this.tlbLocal); }

  /** Stores every register the block writes (and NZCV) back to the state block. */
  flush(): this {
    for (const r of this.written) {
      this.i32(r === SP ? L.XSP : L.X0 + 8 * r).get(this.reg(r)).mem(Op.i64Store);
    }
    if (this.nzcvWritten) this.i32(L.NZCV).get(this.nzcvLocal).mem(Op.i32Store);
    return this;
  }

  /** Loads every cached register (and NZCV) from the state block. */
  reload(): this {
    for (const [r, l] of this.regLocal) this.i32(r === SP ? L.XSP : L.X0 + 8 * r).mem(Op.i64Load).set(l);
    if (this.nzcvLocal >= 0) this.i32(L.NZCV).mem(Op.i32Load).set(this.nzcvLocal);
    return this;
  }

  /** Stores the PC (a constant). */
  storePC(pc: bigint): this { return this.i32(L.PC).i64(pc).mem(Op.i64Store); }

  /** Pushes icount + k: the count after k more instructions of this pass. */
  count(k: number): this { this.get(P_ICOUNT); if (k) this.i64(k).op(Op.i64Add); return this; }

  /**
   * Runs record rec in the interpreter: the registers go back to the state block first and come
   * back after (a run of such instructions skips the store and the reload between them); an
   * exception or exit (jitExec returns non-zero) ends the block with the count including this
   * instruction, as the interpreter counts it.
   */
  interpret(rec: Rec, store = true, reload = true): this {
    if (store) this.flush();
    this.storePC(rec.pc);
    this.get(P_BLK).i32(L.BLOCK_HDR + 32 * rec.index).op(Op.i32Add).count(rec.index + 1).call(0);
    this.op(Op.if, 0x40).count(rec.index + 1).op(Op.return, Op.end);
    if (reload) this.reload();
    return this;
  }

  /** The function: prologue (word check, register and TLB loads), then this body, as a FunctionBody. */
  finish(prologueWords: number[]): FunctionBody {
    const pro = new Emitter(this.recs);
    // The block's words must still be those in guest memory: else return, nothing executed.
    pro.wordCheck(prologueWords).op(Op.if, 0x40).get(P_ICOUNT).op(Op.return, Op.end);
    for (const [r, l] of this.regLocal) pro.i32(r === SP ? L.XSP : L.X0 + 8 * r).mem(Op.i64Load).set(l);
    if (this.nzcvLocal >= 0) pro.i32(L.NZCV).mem(Op.i32Load).set(this.nzcvLocal);
    if (this.tlbLocal >= 0) {
      pro.i32(L.CURRENT_EL).mem(Op.i32Load).i32(L.TLB_REGIME_BYTES).op(Op.i32Mul).i32(L.TLB).op(Op.i32Add).set(this.tlbLocal);
    }
    const locals: [number, number][] = this.localTypes.map((t) => [1, t]);
    return { locals, code: [...pro.code, ...this.code] };
  }

  /** Pushes an i32 that is non-zero when any of words differs from guest memory at h. */
  wordCheck(words: number[]): this {
    let first = true;
    for (let i = 0; i < words.length; i += 2) {
      if (i + 1 < words.length) {
        const v = (BigInt(words[i + 1] >>> 0) << 32n) | BigInt(words[i] >>> 0);
        this.get(P_H).mem(Op.i64Load, 4 * i).i64(v).op(Op.i64Ne);
      } else {
        this.get(P_H).mem(Op.i32Load, 4 * i).i32(words[i]).op(Op.i32Ne);
      }
      if (!first) this.op(Op.i32Or);
      first = false;
    }
    return this;
  }
}
