// The state of one page function while its wasm is written: guest registers live in wasm
// locals for the whole call (loaded once at entry, stored back at exits), the flags in four
// locals (Flags below), and a way out to the interpreter (the CPU's jitExec) for every
// instruction or case the JIT does not do itself: a TLB miss, an unaligned or faulting access,
// an instruction with no emitter.
import * as L from '../../../assembly/layout.ts';
import { I32, I64, Op, sleb, sleb32, uleb, type FunctionBody } from './wasm.ts';

/** Function parameters (the CPU's JitBlock type, assembly/index.ts). */
export const P_H = 0;
export const P_ICOUNT = 1;
export const P_LIMIT = 2;
const PARAMS = 3;

/** Register numbers: 0..30 X0-X30, 31 the zero register, 32 the current SP. */
export const ZR = 31;
export const SP = 32;

/** A decode record of a block (assembly/gen/decode.ts layout), with its VA. */
export interface Rec {
  /** The record's address in the CPU's memory (the block arena), for jitExec. */
  addr: number;
  /** Its place in its block. */
  index: number;
  pc: bigint;
  word: number;
  op: string;
  /** The encoding's index in the table (PARSED), 0xffff for none. */
  enc: number;
  /** Register fields as register numbers (see ZR, SP); meaningless for fields a handler does not use. */
  d: number; n: number; m: number; a: number;
  imm: bigint;
  imm2: bigint;
}

/**
 * The flags as four locals, as cheap to write as the values an instruction already has (QEMU's
 * representation): N is the sign of n (i64), Z is set when z (i64) is zero, C is c (i32, 0 or
 * 1), V is the sign of v (i64). A 32-bit result is sign-extended into n and z. The NZCV register
 * format is packed only where the state block needs it (exits and the interpreter).
 */
export interface Flags { n: number; z: number; c: number; v: number }

/** The register number of a record's pre-scaled register byte address. */
export function regOf(addr: number): number { return (addr - L.X0) >> 3; }
/** The state-block address of register r (its inverse). */
function regAddr(r: number): number { return r === SP ? L.XSP : L.X0 + 8 * r; }

export class Emitter {
  private code: number[] = [];
  private readonly localTypes: number[] = [];
  private readonly regLocal = new Map<number, number>();
  /** Registers some emitted instruction writes (stored back at every exit). */
  private readonly written = new Set<number>();
  private flagLocals: Flags | null = null;
  private flagsWritten = false;
  private tlbLocal = -1;
  /** Blocks with a verify() check (their bits in JIT_VERIFIED). */
  private verifiedBlocks = 0;
  private readonly free64: number[] = [];
  private readonly free32: number[] = [];
  /**
   * Code written at finish(), when the function's registers are all known: every exit stores
   * back every register the function writes, and every return from the interpreter reloads
   * every register it caches, wherever in the function they are (in one pass).
   */
  private readonly patches: { at: number; write: () => void }[] = [];

  /** The guest PC (i64) between blocks, and the host address of the page's first byte (i32). */
  readonly pc: number;
  readonly pageHost: number;
  /** The count an exception or exit returns, set before branching to the fault exit. */
  readonly ret: number;
  /** The depths of the blocks whose ends are the fault exit and the normal exit (compile.ts). */
  faultLevel = 1;
  exitLevel = 3;
  /**
   * The block being emitted: its records and the page offset of its first word. An instruction
   * that may store to the code page checks the words after it (the interpreter compares each
   * word before it runs it, so a block may rewrite its own later instructions).
   */
  block: { recs: Rec[]; off: number } | null = null;

  constructor() {
    this.pc = this.newLocal(I64);
    this.pageHost = this.newLocal(I32);
    this.ret = this.newLocal(I64);
  }

  /** Marks the place of code that write() (called by finish) emits. */
  private later(write: () => void): this { this.patches.push({ at: this.code.length, write }); return this; }

  /** Open blocks, loops and ifs (op() counts them: every byte it gets is an opcode or a block type). */
  depth = 0;

  // ---- raw code ----
  op(...bytes: number[]): this {
    for (const b of bytes) {
      this.code.push(b);
      if (b === Op.block || b === Op.loop || b === Op.if) this.depth++;
      else if (b === Op.end) this.depth--;
    }
    return this;
  }
  i64(v: bigint | number): this {
    this.code.push(Op.i64Const);
    if (typeof v === 'number' ? v >= -0x8000_0000 && v <= 0x7fff_ffff : v >= -0x8000_0000n && v <= 0x7fff_ffffn) sleb32(this.code, Number(v));
    else sleb(this.code, BigInt(v));
    return this;
  }
  i32(v: number): this { this.code.push(Op.i32Const); sleb32(this.code, v); return this; }
  get(l: number): this { this.code.push(Op.localGet); uleb(this.code, l); return this; }
  set(l: number): this { this.code.push(Op.localSet); uleb(this.code, l); return this; }
  tee(l: number): this { this.code.push(Op.localTee); uleb(this.code, l); return this; }
  /** A load or store with memarg (alignment hint 0, constant offset). */
  mem(opcode: number, offset = 0): this { this.code.push(opcode, 0); uleb(this.code, offset); return this; }
  br(depth: number): this { this.code.push(Op.br); uleb(this.code, depth); return this; }
  brIf(depth: number): this { this.code.push(Op.brIf); uleb(this.code, depth); return this; }
  brTable(targets: number[], dflt: number): this {
    this.code.push(0x0e);
    uleb(this.code, targets.length);
    for (const t of targets) uleb(this.code, t);
    uleb(this.code, dflt);
    return this;
  }
  /** br / br_if to the label opened at depth `level` (a depth op() counted just after opening it). */
  brTo(level: number): this { return this.br(this.depth - level); }
  brIfTo(level: number): this { return this.brIf(this.depth - level); }
  call(fn: number): this { this.code.push(Op.call); uleb(this.code, fn); return this; }

  // ---- locals ----
  private newLocal(t: number): number { this.localTypes.push(t); return PARAMS + this.localTypes.length - 1; }
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
  /**
   * The flag locals, for reading them (see Flags for their meaning). ConditionHolds and the
   * carry-in of ADC/SBC read them; they are loaded at entry and after the interpreter ran.
   */
  flags(): Flags {
    if (!this.flagLocals) {
      this.flagLocals = { n: this.newLocal(I64), z: this.newLocal(I64), c: this.newLocal(I32), v: this.newLocal(I64) };
    }
    return this.flagLocals;
  }
  /** The flag locals, for writing them (they are stored back at exits). */
  setFlags(): Flags { this.flagsWritten = true; return this.flags(); }

  /** Pushes NZCV (i32, N Z C V in bits 31:28) packed from the flag locals. */
  private packFlags(): this {
    const f = this.flags();
    this.get(f.n).i64(63).op(Op.i64ShrU, Op.i32WrapI64).i32(31).op(Op.i32Shl);
    this.get(f.z).op(Op.i64Eqz).i32(30).op(Op.i32Shl, Op.i32Or);
    this.get(f.c).i32(29).op(Op.i32Shl, Op.i32Or);
    this.get(f.v).i64(63).op(Op.i64ShrU, Op.i32WrapI64).i32(28).op(Op.i32Shl, Op.i32Or);
    return this;
  }
  /** Loads the flag locals from the state block's NZCV. */
  private unpackFlags(): this {
    const f = this.flags();
    const t = this.tmp32();
    this.i32(L.NZCV).mem(Op.i32Load).tee(t).op(Op.i64ExtendI32S).set(f.n); // N: bit 31 is the sign
    this.get(t).i32(30).op(Op.i32ShrU).i32(1).op(Op.i32And).i32(1).op(Op.i32Xor, Op.i64ExtendI32U).set(f.z);
    this.get(t).i32(29).op(Op.i32ShrU).i32(1).op(Op.i32And).set(f.c);
    this.get(t).i32(3).op(Op.i32Shl, Op.i64ExtendI32S).set(f.v); // V: bit 28 moved to the sign
    this.release32(t);
    return this;
  }
  private storeFlags(): this { return this.flagsWritten ? this.i32(L.NZCV).packFlags().mem(Op.i32Store) : this; }

  /** Pushes the current regime's TLB base (i32). */
  tlb(): this { if (this.tlbLocal < 0) this.tlbLocal = this.newLocal(I32); return this.get(this.tlbLocal); }

  private storeReg(r: number): this { return this.i32(regAddr(r)).get(this.reg(r)).mem(Op.i64Store); }
  private loadReg(r: number): this { return this.i32(regAddr(r)).mem(Op.i64Load).set(this.reg(r)); }

  /** Stores every register the code writes (and NZCV) back to the state block. */
  flush(): this {
    return this.later(() => {
      for (const r of this.written) this.storeReg(r);
      this.storeFlags();
    });
  }

  /**
   * The fault exit's store: X0-X30 only. SP and NZCV went to the state block before the
   * interpreter ran, and the exception it took may have changed them (SP is banked by EL).
   */
  flushForFault(): this {
    return this.later(() => { for (const r of this.written) if (r !== SP) this.storeReg(r); });
  }

  /** Loads every cached register (and NZCV) from the state block. */
  reload(): this {
    return this.later(() => {
      for (const r of this.regLocal.keys()) this.loadReg(r);
      if (this.flagLocals) this.unpackFlags();
    });
  }

  /** After jitExec (its result on the stack): on an exception or exit, leave with count k. */
  private leaveOnFault(k: number): this {
    this.op(Op.if, 0x40).count(k).set(this.ret).brTo(this.faultLevel).op(Op.end);
    return this;
  }

  /**
   * The slow path of a load or store the JIT emits (a TLB miss, an unaligned address...): the
   * interpreter runs the whole instruction. It reads the registers in `reads` and may write those
   * in `writes`; SP and NZCV are stored too, as an exception it takes reads them. After a store,
   * the block's later words are checked again.
   */
  slowAccess(rec: Rec, reads: number[], writes: number[], store: boolean): this {
    this.later(() => {
      for (const r of new Set([...reads, SP])) if (r !== ZR && this.written.has(r)) this.storeReg(r);
      this.storeFlags();
    });
    this.storePC(rec.pc);
    this.i32(rec.addr).count(rec.index + 1).call(0);
    this.leaveOnFault(rec.index + 1);
    this.later(() => { for (const r of new Set(writes)) if (r !== ZR && this.regLocal.has(r)) this.loadReg(r); });
    if (store) {
      this.forgetVerified();
      if (this.laterWordsChanged(rec)) this.leaveAfter(rec);
    }
    return this;
  }

  /**
   * A SIMD&FP instruction run by the interpreter: it uses the general-purpose registers gprs (its
   * register fields), the V registers and FPCR/FPSR (in the state block, never in locals) and,
   * with nzcv, the flags. Only those registers (and SP and the flags, which an exception would
   * read) are stored before and reloaded after, instead of all of them; mem: it may store to
   * memory (a SIMD&FP store).
   */
  interpretFp(rec: Rec, gprs: number[], mem: boolean, nzcv: boolean): this {
    this.slowAccess(rec, gprs, gprs, mem);
    if (nzcv) this.later(() => { if (this.flagLocals) this.unpackFlags(); });
    return this;
  }

  /**
   * Pushes an i32, non-zero when a word of the current block after rec differs from guest
   * memory; returns false (pushing nothing) when rec is the block's last instruction.
   */
  laterWordsChanged(rec: Rec): boolean {
    const b = this.block;
    if (!b || rec.index + 1 >= b.recs.length) return false;
    this.wordCheck(b.recs.slice(rec.index + 1).map((r) => r.word), b.off + 4 * (rec.index + 1));
    return true;
  }

  /**
   * After the condition on the stack: leave through the normal exit (registers stored) with the
   * PC at the instruction after rec and the count including rec.
   */
  leaveAfter(rec: Rec): this {
    this.op(Op.if, 0x40).count(rec.index + 1).set(P_ICOUNT).i64(rec.pc + 4n).set(this.pc);
    return this.brTo(this.exitLevel).op(Op.end);
  }

  /** After the condition on the stack: leave through the normal exit with the PC at pc. */
  exitAt(pc: bigint): this {
    return this.op(Op.if, 0x40).i64(pc).set(this.pc).brTo(this.exitLevel).op(Op.end);
  }

  /** Stores the PC (a constant). */
  storePC(pc: bigint): this { return this.i32(L.PC).i64(pc).mem(Op.i64Store); }

  /** Pushes icount + k: the count after k more instructions of this pass through the block. */
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
    this.i32(rec.addr).count(rec.index + 1).call(0);
    // The state block is right (the registers were stored before the first of a run, and the
    // interpreter wrote what it changed): an exception or exit returns at once.
    this.op(Op.if, 0x40).count(rec.index + 1).op(Op.return, Op.end);
    if (this.laterWordsChanged(rec)) {
      this.op(Op.if, 0x40).i32(L.PC).i64(rec.pc + 4n).mem(Op.i64Store).count(rec.index + 1).op(Op.return, Op.end);
    }
    this.forgetVerified();
    if (reload) this.reload();
    return this;
  }

  /**
   * The function: the prologue (the PC to dispatch on, the page's host address, the register,
   * flag and TLB-base loads), then the body emitted so far.
   */
  finish(): FunctionBody {
    // The deferred code, in place.
    const body = this.code;
    const parts: number[][] = [];
    let at = 0;
    for (const p of this.patches) {
      parts.push(body.slice(at, p.at));
      this.code = [];
      p.write();
      parts.push(this.code);
      at = p.at;
    }
    parts.push(body.slice(at));
    // The prologue.
    this.code = [];
    this.i32(L.PC).mem(Op.i64Load).set(this.pc);
    this.get(P_H).get(this.pc).op(Op.i32WrapI64).i32(0xfff).op(Op.i32And, Op.i32Sub).set(this.pageHost);
    for (const [r, l] of this.regLocal) this.i32(regAddr(r)).mem(Op.i64Load).set(l);
    if (this.flagLocals) this.unpackFlags();
    if (this.tlbLocal >= 0) {
      this.i32(L.CURRENT_EL).mem(Op.i32Load).i32(L.TLB_REGIME_BYTES).op(Op.i32Mul).i32(L.TLB).op(Op.i32Add).set(this.tlbLocal);
    }
    this.clearVerified(); // no block checked yet in this call
    const locals: [number, number][] = this.localTypes.map((t) => [1, t]);
    return { locals, code: this.code.concat(...parts) };
  }

  /**
   * Block i (of the page's function) checks its words against guest memory once per call of the
   * function, and again after anything that may have stored into the code page since: a store
   * the JIT emits that hit it, or the interpreter (forgetVerified). Other writes (the host, the
   * other vCPUs) happen between calls. Leaves through the normal exit, the PC at pc, when a word
   * changed.
   */
  verify(i: number, words: number[], off: number, pc: bigint): this {
    // The bits are in memory, not in a local: a local changed in the `if` would be a value the
    // compiled code moves around at every block.
    if (i >= L.JIT_VERIFIED_BYTES * 8) throw new Error(`a64vm JIT: block ${i} of a page function (jit.ts keeps at most ${L.JIT_VERIFIED_BYTES * 8})`);
    this.verifiedBlocks = Math.max(this.verifiedBlocks, i + 1);
    const at = L.JIT_VERIFIED + (i >> 3);
    const bit = 1 << (i & 7);
    this.i32(0).mem(Op.i32Load8U, at).i32(bit).op(Op.i32And, Op.i32Eqz, Op.if, 0x40);
    this.wordCheck(words, off).exitAt(pc);
    this.i32(0).i32(0).mem(Op.i32Load8U, at).i32(bit).op(Op.i32Or).mem(Op.i32Store8, at);
    return this.op(Op.end);
  }

  /** Every block checks its words again when next entered (something may have written them). */
  forgetVerified(): this { return this.later(() => this.clearVerified()); }
  private clearVerified(): void {
    for (let w = 0; w < this.verifiedBlocks; w += 64) this.i32(0).i64(0).mem(Op.i64Store, L.JIT_VERIFIED + w / 8);
  }

  /**
   * Pushes an i32 that is non-zero when any of words differs from guest memory at byte offset
   * off of the page.
   */
  wordCheck(words: number[], off: number): this {
    let first = true;
    for (let i = 0; i < words.length; i += 2) {
      if (i + 1 < words.length) {
        const v = (BigInt(words[i + 1] >>> 0) << 32n) | BigInt(words[i] >>> 0);
        this.get(this.pageHost).mem(Op.i64Load, off + 4 * i).i64(v).op(Op.i64Ne);
      } else {
        this.get(this.pageHost).mem(Op.i32Load, off + 4 * i).i32(words[i]).op(Op.i32Ne);
      }
      if (!first) this.op(Op.i32Or);
      first = false;
    }
    return this;
  }
}
