// Compiles one basic block of the CPU's block cache (assembly/blocks.ts) to a wasm function of
// the JitBlock type (assembly/index.ts): the block's records are read from the CPU's memory, each
// becomes inline wasm (ops-dp.ts, ops-mem.ts, the branches below) or a call to the interpreter,
// and a block that branches back to its own start loops inside the function while the budget
// allows a whole pass and no interrupt is pending.
import * as L from '../../../assembly/layout.ts';
import { handlerIds } from '../../isa/encodings.ts';
import { Op, type FunctionBody } from './wasm.ts';
import { Emitter, P_ICOUNT, P_LIMIT, regOf, type Rec } from './emitter.ts';
import { DP_EMITTERS, condition, type Emit } from './ops-dp.ts';
import { MEM_EMITTERS } from './ops-mem.ts';

const HANDLERS = handlerIds();
const X30 = 30;
const M32 = 0xffffffffn;
const u64 = (v: bigint) => BigInt.asUintN(64, v);

/** Branches: push the next PC (i64). */
type BranchEmit = (e: Emitter, r: Rec) => void;

function conditional(test: (e: Emitter, r: Rec) => void): BranchEmit {
  return (e, r) => {
    e.i64(u64(r.pc + r.imm)).i64(u64(r.pc + 4n));
    test(e, r);
    e.op(Op.select);
  };
}
const cbOperand = (e: Emitter, r: Rec) => { e.x(r.d); if ((r.word >>> 31) === 0) e.i64(M32).op(Op.i64And); };

const BRANCHES: Record<string, BranchEmit> = {
  B: (e, r) => { e.i64(u64(r.pc + r.imm)); },
  BL: (e, r) => { e.i64(u64(r.pc + 4n)).setX(X30).i64(u64(r.pc + r.imm)); },
  B_cond: conditional((e, r) => condition(e, r.word & 15)),
  CBZ: conditional((e, r) => { cbOperand(e, r); e.op(Op.i64Eqz); }),
  CBNZ: conditional((e, r) => { cbOperand(e, r); e.op(Op.i64Eqz, Op.i32Eqz); }),
  TBZ: conditional((e, r) => { e.x(r.d).i64(r.imm2).op(Op.i64ShrU).i64(1).op(Op.i64And, Op.i64Eqz); }),
  TBNZ: conditional((e, r) => { e.x(r.d).i64(r.imm2).op(Op.i64ShrU).i64(1).op(Op.i64And, Op.i64Eqz, Op.i32Eqz); }),
  BR: (e, r) => { e.x(r.n); },
  RET: (e, r) => { e.x(r.n); },
  BLR: (e, r) => {
    const t = e.tmp64();
    e.x(r.n).set(t); // read before X30 is written (BLR X30)
    e.i64(u64(r.pc + 4n)).setX(X30);
    e.get(t);
    e.release64(t);
  },
};

const EMITTERS: Record<string, Emit> = { ...DP_EMITTERS, ...MEM_EMITTERS };

/** True when the JIT emits op itself (the rest runs in the interpreter). */
export function jitEmits(op: string): boolean { return op in EMITTERS || op in BRANCHES; }

/** The block's records, read from the CPU's memory. */
export function readBlock(dv: DataView, blk: number, pc: bigint): Rec[] {
  const n = dv.getUint32(blk, true);
  const recs: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const a = blk + L.BLOCK_HDR + 32 * i;
    recs.push({
      index: i,
      pc: u64(pc + 4n * BigInt(i)),
      word: dv.getUint32(a, true),
      op: HANDLERS[dv.getUint16(a + 4, true)] ?? 'UNDEFINED',
      d: regOf(dv.getUint16(a + 8, true)),
      n: regOf(dv.getUint16(a + 10, true)),
      m: regOf(dv.getUint16(a + 12, true)),
      a: regOf(dv.getUint16(a + 14, true)),
      imm: dv.getBigUint64(a + 16, true),
      imm2: dv.getBigUint64(a + 24, true),
    });
  }
  return recs;
}

/** The wasm function for a block, or null when the JIT would emit none of it itself. */
export function compileBlock(recs: Rec[], pc: bigint): FunctionBody | null {
  if (!recs.some((r) => jitEmits(r.op))) return null;
  const first = new Emitter(recs);
  emitBody(first, recs, pc);
  const e = new Emitter(recs, first);
  emitBody(e, recs, pc);
  return e.finish(recs.map((r) => r.word));
}

function emitBody(e: Emitter, recs: Rec[], start: bigint): void {
  const n = recs.length;
  const last = recs[n - 1];
  e.op(Op.loop, 0x7e /* result i64 */);
  for (let i = 0; i < n - 1; i++) {
    const r = recs[i];
    const emit = EMITTERS[r.op];
    if (emit) { emit(e, r); continue; }
    // Runs of instructions the JIT does not emit share one store and one reload.
    const prevInterpreted = i > 0 && !EMITTERS[recs[i - 1].op];
    const nextInterpreted = !EMITTERS[recs[i + 1].op] && !BRANCHES[recs[i + 1].op];
    e.interpret(r, !prevInterpreted, !nextInterpreted);
  }
  const branch = BRANCHES[last.op];
  const emit = EMITTERS[last.op];
  if (!branch && !emit) {
    // The interpreter runs the last instruction and leaves the PC where it goes (an exception
    // return, a system register write, a hypercall...).
    const prevInterpreted = n > 1 && !EMITTERS[recs[n - 2].op];
    e.interpret(last, !prevInterpreted, false);
    e.count(n).op(Op.return);
    e.op(Op.end);
    return;
  }
  const next = e.tmp64();
  const isBranch = branch !== undefined;
  if (branch) branch(e, last);
  else { emit(e, last); e.i64(u64(last.pc + 4n)); }
  e.set(next);
  e.count(n).set(P_ICOUNT);
  // Back to the start: the next pass must fit the budget, no interrupt may be pending, and the
  // block's words must be unchanged (a store in this pass may have rewritten them).
  if (isBranch) {
    e.get(next).i64(start).op(Op.i64Eq);
    e.count(n).get(P_LIMIT).op(Op.i64LeU, Op.i32And);
    e.i32(L.ATTENTION).mem(Op.i32Load).op(Op.i32Eqz, Op.i32And);
    e.wordCheck(recs.map((r) => r.word)).op(Op.i32Eqz, Op.i32And);
    e.brIf(0);
  }
  e.flush();
  e.i32(L.PC).get(next).mem(Op.i64Store);
  e.get(P_ICOUNT);
  e.op(Op.end);
}
