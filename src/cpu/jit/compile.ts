// Compiles the hot basic blocks of one 4 KiB page (the CPU's block cache, assembly/blocks.ts) to
// one wasm function of the JitBlock type (assembly/index.ts): each block's records are read from
// the CPU's memory, each instruction becomes inline wasm (ops-dp.ts, ops-mem.ts, the branches
// below) or a call to the interpreter, and control goes from block to block through a br_table
// on the PC without leaving the function.
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
      addr: a,
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

export interface Block { pc: bigint; recs: Rec[] }

/**
 * True when compiling the block pays: at least half its instructions are ones the JIT emits.
 * Each instruction left to the interpreter costs a store and a reload of the function's
 * registers around it (code size and time), which a block of mostly SIMD&FP or system
 * instructions would pay without gaining anything over the interpreter.
 */
export function worthCompiling(b: Block): boolean {
  return 2 * b.recs.filter((r) => jitEmits(r.op)).length >= b.recs.length;
}

/**
 * The wasm function for blocks of one 4 KiB page, or null when the JIT would emit none of their
 * instructions itself. The function starts at the block the PC names and goes from block to
 * block inside the page, registers kept in locals, until the PC leaves the page or names no
 * block of the function, the budget cannot take the next block whole, an interrupt is pending,
 * a block's words changed, or an instruction raised an exception or an exit.
 */
export function compilePage(blocks: Block[]): FunctionBody | null {
  if (!blocks.some((b) => b.recs.some((r) => jitEmits(r.op)))) return null;
  const page = blocks[0].pc & ~0xfffn;
  if (blocks.some((b) => (b.pc & ~0xfffn) !== page || b.recs.length === 0)) throw new Error('a64vm JIT: blocks of one page expected');
  const first = new Emitter();
  emitPage(first, blocks, page);
  const e = new Emitter(first);
  emitPage(e, blocks, page);
  return e.finish();
}

// The function's shape (k blocks): the br_table picks the block for the PC; each block's code
// follows the end of its label and ends by going back to the dispatch loop.
//   block $fault
//     loop $dispatch
//       block $exit
//         block $b(k-1) ... block $b0
//           br_if $exit (PC outside the page or unaligned); br_table on (PC & 0xfff) >> 2
//         end $b0  code of block 0
//         ...
//         end $b(k-1)  code of block k-1
//       end $exit
//       store the registers and the PC; return the count
//     end
//   end $fault
//   an instruction the interpreter ran raised an exception or an exit: store X0-X30; return
function emitPage(e: Emitter, blocks: Block[], page: bigint): void {
  const k = blocks.length;
  e.op(Op.block, 0x40);
  e.faultLevel = e.depth;
  e.op(Op.loop, 0x40, Op.block, 0x40);
  e.exitLevel = e.depth;
  for (let i = 0; i < k; i++) e.op(Op.block, 0x40);
  // Dispatch: an aligned PC inside the page that starts one of the blocks.
  e.get(e.pc).i64(u64(~0xfffn | 3n)).op(Op.i64And).i64(page).op(Op.i64Ne).brIf(k);
  const targets = new Array<number>(1024).fill(k);
  blocks.forEach((b, i) => { targets[Number(b.pc & 0xfffn) >> 2] = i; });
  e.get(e.pc).op(Op.i32WrapI64).i32(0xfff).op(Op.i32And).i32(2).op(Op.i32ShrU);
  e.brTable(targets, k);
  for (let i = 0; i < k; i++) {
    e.op(Op.end); // $b(i): block i's code
    emitBlock(e, blocks[i], k - i, k - 1 - i);
  }
  e.op(Op.end); // $exit
  e.flush();
  e.i32(L.PC).get(e.pc).mem(Op.i64Store);
  e.get(P_ICOUNT).op(Op.return);
  e.op(Op.end, Op.end); // $dispatch, $fault
  e.flushForFault();
  e.get(e.ret);
}

/** One block's code; toLoop and toExit are the branch depths of $dispatch and $exit. */
function emitBlock(e: Emitter, b: Block, toLoop: number, toExit: number): void {
  const recs = b.recs;
  const n = recs.length;
  const last = recs[n - 1];
  // A block that may branch to its own start gets its own loop: the hot loops of most programs
  // then go round without the dispatch.
  const selfLoop = BRANCHES[last.op] !== undefined && (!isDirect(last) || directTargets(last).includes(b.pc));
  // The budget must take the whole block (the interpreter runs what is left), and its words
  // must still be those in guest memory (else the run loop drops and rebuilds it).
  e.count(n).get(P_LIMIT).op(Op.i64GtU).brIf(toExit);
  if (selfLoop) { e.op(Op.loop, 0x40); toLoop++; toExit++; }
  e.wordCheck(recs.map((r) => r.word), Number(b.pc & 0xfffn)).brIf(toExit);
  e.block = { recs, off: Number(b.pc & 0xfffn) };
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
    // return, a system register write, a hypercall...): back to the run loop.
    const prevInterpreted = n > 1 && !EMITTERS[recs[n - 2].op];
    e.interpret(last, !prevInterpreted, false);
    e.count(n).op(Op.return);
    return;
  }
  if (branch) branch(e, last);
  else { emit(e, last); e.i64(u64(last.pc + 4n)); }
  e.set(e.pc);
  e.count(n).set(P_ICOUNT);
  // An interrupt made pending (only an instruction the interpreter ran can do that) is taken
  // between blocks, as the run loop does.
  e.i32(L.ATTENTION).mem(Op.i32Load).brIf(toExit);
  if (selfLoop) {
    e.get(e.pc).i64(b.pc).op(Op.i64Eq);
    e.count(n).get(P_LIMIT).op(Op.i64LeU, Op.i32And);
    e.brIf(0);
    e.op(Op.end);
    toLoop--;
  }
  e.br(toLoop);
}

/** Branches whose targets are constants. */
function isDirect(r: Rec): boolean { return !['BR', 'BLR', 'RET'].includes(r.op); }
function directTargets(r: Rec): bigint[] {
  if (r.op === 'B' || r.op === 'BL') return [u64(r.pc + r.imm)];
  return [u64(r.pc + r.imm), u64(r.pc + 4n)];
}
