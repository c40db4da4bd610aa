// Compiles the hot basic blocks of one 4 KiB page (the CPU's block cache, assembly/blocks.ts) to
// one wasm function of the JitBlock type (assembly/index.ts): each block's records are read from
// the CPU's memory, each instruction becomes inline wasm (ops-dp.ts, ops-mem.ts, the branches
// below) or a call to the interpreter, and control goes from block to block through a br_table
// on the PC without leaving the function.
import * as L from '../../../assembly/layout.ts';
import { handlerIds, PARSED, REGISTER_SLOTS, type Parsed } from '../../isa/encodings.ts';
import { Op, type FunctionBody } from './wasm.ts';
import { Emitter, P_ICOUNT, P_LIMIT, regOf, type Rec } from './emitter.ts';
import { DP_EMITTERS, condition, type Emit } from './ops-dp.ts';
import { MEM_EMITTERS } from './ops-mem.ts';
import { FP_EMITTERS } from './ops-fp.ts';

const HANDLERS = handlerIds();
const X30 = 30;
const M32 = 0xffffffffn;
const u64 = (v: bigint) => BigInt.asUintN(64, v);

/** Branches: push the next PC (i64). */
type BranchEmit = (e: Emitter, r: Rec) => void;
/** The test of a conditional branch: pushes an i32, non-zero when it is taken. */
type Test = (e: Emitter, r: Rec) => void;

const cbOperand = (e: Emitter, r: Rec) => { e.x(r.d); if ((r.word >>> 31) === 0) e.i64(M32).op(Op.i64And); };
const bitOf = (e: Emitter, r: Rec) => { e.x(r.d).i64(r.imm2).op(Op.i64ShrU).i64(1).op(Op.i64And); };

const TESTS: Record<string, Test> = {
  B_cond: (e, r) => condition(e, r.word & 15),
  CBZ: (e, r) => { cbOperand(e, r); e.op(Op.i64Eqz); },
  CBNZ: (e, r) => { cbOperand(e, r); e.op(Op.i64Eqz, Op.i32Eqz); },
  TBZ: (e, r) => { bitOf(e, r); e.op(Op.i64Eqz); },
  TBNZ: (e, r) => { bitOf(e, r); e.op(Op.i64Eqz, Op.i32Eqz); },
};

function conditional(test: Test): BranchEmit {
  return (e, r) => {
    e.i64(u64(r.pc + r.imm)).i64(u64(r.pc + 4n));
    test(e, r);
    e.op(Op.select);
  };
}

const BRANCHES: Record<string, BranchEmit> = {
  B: (e, r) => { e.i64(u64(r.pc + r.imm)); },
  BL: (e, r) => { e.i64(u64(r.pc + 4n)).setX(X30).i64(u64(r.pc + r.imm)); },
  ...Object.fromEntries(Object.entries(TESTS).map(([op, t]) => [op, conditional(t)])),
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

const EMITTERS: Record<string, Emit> = { ...DP_EMITTERS, ...MEM_EMITTERS, ...FP_EMITTERS };
/** Return sites a RET compares its target with before it takes the dispatch. */
const MAX_RETURN_SITES = 8;

/**
 * How a SIMD&FP encoding is run from compiled code (Emitter.interpretFp): the record slots of its
 * general-purpose register fields, whether it may store (the SIMD&FP loads and stores), whether
 * it reads or writes NZCV (FCMP, FCCMP, FCSEL). Null for the other encodings.
 */
interface FpUse { slots: ('d' | 'n' | 'm' | 'a')[]; mem: boolean; nzcv: boolean }
function fpUse(p: Parsed): FpUse | null {
  if (!p.fp) return null;
  const slots = p.fields.filter((f) => f.fixed === undefined && /^R/.test(f.name)).map((f) => REGISTER_SLOTS[f.name.replace(/_SP$/, '')]);
  return { slots, mem: p.group === 'simd_ldst', nzcv: p.group === 'fp_cmp' };
}
const FP_USE = PARSED.map(fpUse);
const fpUseOf = (r: Rec): FpUse | null => (r.op === 'UNDEFINED' ? null : FP_USE[r.enc] ?? null);

/** True when the JIT emits op itself (the rest runs in the interpreter). */
export function jitEmits(op: string): boolean { return op in EMITTERS || op in BRANCHES; }
/** True when compiled code runs r itself or as a SIMD&FP instruction (no full store and reload). */
function compiledWell(r: Rec): boolean { return jitEmits(r.op) || fpUseOf(r) !== null; }

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
      enc: dv.getUint16(a + 6, true),
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
 * True when compiling the block pays: at least half its instructions are ones the JIT emits or
 * SIMD&FP ones. Each other instruction left to the interpreter costs a store and a reload of
 * the function's registers around it (code size and time), which a block of mostly system
 * instructions would pay without gaining anything over the interpreter.
 */
export function worthCompiling(b: Block): boolean {
  return 2 * b.recs.filter(compiledWell).length >= b.recs.length;
}

/**
 * The wasm function for blocks of one 4 KiB page, or null when the JIT would emit none of their
 * instructions itself. The function starts at the block the PC names and goes from block to
 * block inside the page, registers kept in locals, until the PC leaves the page or names no
 * block of the function, the budget cannot take the next block whole, an interrupt is pending,
 * a block's words changed, or an instruction raised an exception or an exit.
 */
export function compilePage(blocks: Block[]): FunctionBody | null {
  if (!blocks.some((b) => b.recs.some(compiledWell))) return null;
  const page = blocks[0].pc & ~0xfffn;
  if (blocks.some((b) => (b.pc & ~0xfffn) !== page || b.recs.length === 0)) throw new Error('a64vm JIT: blocks of one page expected');
  // In address order, a block's fall-through successor comes after it: reached by a forward br.
  const sorted = [...blocks].sort((x, y) => (x.pc < y.pc ? -1 : x.pc > y.pc ? 1 : 0));
  const e = new Emitter();
  emitPage(e, sorted, page);
  return e.finish();
}

/** Where a block's code can branch: the labels of the function's structure (as depths). */
interface Labels {
  /** The depth of each block's label: a br to it lands at the start of that block's code. */
  blocks: number[];
  dispatch: number;
  /** The index of the block starting at a VA, and the VA of each block. */
  index: Map<bigint, number>;
  pcs: bigint[];
  /** The blocks that start after a BL of the function (where its RETs most likely go), by index. */
  returnSites: number[];
}

// The function's shape (k blocks): the br_table picks the block for the PC; each block's code
// follows the end of its label. A block goes on to a later block of the function with a br to its
// label, to an earlier one through the dispatch loop (PC set), to itself through its own loop.
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
  e.op(Op.loop, 0x40);
  const index = new Map(blocks.map((b, i) => [b.pc, i]));
  const returnSites = blocks.map((b) => b.recs[b.recs.length - 1])
    .filter((r) => r.op === 'BL').map((r) => index.get(u64(r.pc + 4n))).filter((j) => j !== undefined);
  const labels: Labels = { blocks: [], dispatch: e.depth, index, pcs: blocks.map((b) => b.pc), returnSites: [...new Set(returnSites)].sort((a, b) => a - b) };
  e.op(Op.block, 0x40);
  e.exitLevel = e.depth;
  for (let i = k - 1; i >= 0; i--) { e.op(Op.block, 0x40); labels.blocks[i] = e.depth; }
  // Dispatch: an aligned PC inside the page that starts one of the blocks.
  e.get(e.pc).i64(u64(~0xfffn | 3n)).op(Op.i64And).i64(page).op(Op.i64Ne).brIfTo(e.exitLevel);
  const targets = new Array<number>(1024).fill(k);
  blocks.forEach((b, i) => { targets[Number(b.pc & 0xfffn) >> 2] = i; });
  e.get(e.pc).op(Op.i32WrapI64).i32(0xfff).op(Op.i32And).i32(2).op(Op.i32ShrU);
  e.brTable(targets, k);
  for (let i = 0; i < k; i++) {
    e.op(Op.end); // $b(i): block i's code
    emitBlock(e, blocks[i], i, labels);
  }
  e.op(Op.end); // $exit
  e.flush();
  e.i32(L.PC).get(e.pc).mem(Op.i64Store);
  e.get(P_ICOUNT).op(Op.return);
  e.op(Op.end, Op.end); // $dispatch, $fault
  e.flushForFault();
  e.get(e.ret);
}

/** Block i's code. */
function emitBlock(e: Emitter, b: Block, i: number, labels: Labels): void {
  const recs = b.recs;
  const n = recs.length;
  const last = recs[n - 1];
  // A block that may branch to its own start gets its own loop: the hot loops of most programs
  // then go round without the dispatch.
  // (A RET is not expected to: it goes to a return site, or through the dispatch.)
  const selfLoop = BRANCHES[last.op] !== undefined && (isDirect(last) ? directTargets(last).includes(b.pc) : last.op !== 'RET');
  let loop = -1;
  if (selfLoop) { e.op(Op.loop, 0x40); loop = e.depth; }
  // The budget must take the whole block (the interpreter runs what is left), and its words
  // must still be those in guest memory (else the run loop drops and rebuilds it): checked on
  // the first entry of each call, and after stores that may have written them. Either way out
  // leaves with the PC at the block (a block reached by a br has no PC set).
  e.count(n).get(P_LIMIT).op(Op.i64GtU).exitAt(b.pc);
  e.verify(i, recs.map((r) => r.word), Number(b.pc & 0xfffn), b.pc);
  e.block = { recs, off: Number(b.pc & 0xfffn) };
  let interpreted = false;
  // Runs of instructions the JIT does not emit (other than SIMD&FP) share one store and one reload.
  const full = (r: Rec) => !EMITTERS[r.op] && !BRANCHES[r.op] && fpUseOf(r) === null;
  for (let j = 0; j < n - 1; j++) {
    const r = recs[j];
    const emit = EMITTERS[r.op];
    if (emit) { emit(e, r); continue; }
    const fp = fpUseOf(r);
    if (fp) { e.interpretFp(r, fp.slots.map((k) => r[k]), fp.mem, fp.nzcv); continue; }
    e.interpret(r, !(j > 0 && full(recs[j - 1])), !full(recs[j + 1]));
    interpreted = true;
  }
  const branch: BranchEmit | undefined = BRANCHES[last.op];
  const emit: Emit | undefined = EMITTERS[last.op];
  if (!branch && !emit) {
    // The interpreter runs the last instruction and leaves the PC where it goes (an exception
    // return, a system register write, a hypercall...): back to the run loop.
    e.interpret(last, !(n > 1 && full(recs[n - 2])), false);
    e.count(n).op(Op.return);
    return;
  }
  if (emit) emit(e, last);
  else if (last.op === 'BL') e.i64(u64(last.pc + 4n)).setX(X30);
  e.count(n).set(P_ICOUNT);
  // The next block: by the PC, when an instruction the interpreter ran may have made an interrupt
  // pending (taken between blocks, as the run loop does) or the branch is indirect.
  const test: Test | undefined = TESTS[last.op];
  if (last.op === 'RET' && !interpreted) {
    // A return to a later block of the function that follows a BL goes there with a br (the usual
    // case: a function returning to its caller, compiled after it); elsewhere, by the dispatch.
    e.x(last.n).set(e.pc);
    for (const j of labels.returnSites.filter((j) => j > i).slice(0, MAX_RETURN_SITES)) {
      e.get(e.pc).i64(labels.pcs[j]).op(Op.i64Eq).brIfTo(labels.blocks[j]);
    }
    e.brTo(labels.dispatch);
    return;
  }
  if (interpreted || !(emit || test || last.op === 'B' || last.op === 'BL')) {
    if (emit !== undefined) e.i64(u64(last.pc + 4n));
    else if (last.op === 'BL') e.i64(u64(last.pc + last.imm));
    else branch(e, last);
    e.set(e.pc);
    if (interpreted) e.i32(L.ATTENTION).mem(Op.i32Load).brIfTo(e.exitLevel);
    if (selfLoop) e.get(e.pc).i64(b.pc).op(Op.i64Eq).brIfTo(loop);
    e.brTo(labels.dispatch);
    if (selfLoop) e.op(Op.end);
    return;
  }
  const goTo = (to: bigint) => {
    const j = labels.index.get(to);
    if (to === b.pc && selfLoop) e.brTo(loop);
    else if (j !== undefined && j > i) e.brTo(labels.blocks[j]);
    else e.i64(to).set(e.pc).brTo(j === undefined ? e.exitLevel : labels.dispatch);
  };
  if (test) {
    test(e, last);
    e.op(Op.if, 0x40);
    goTo(u64(last.pc + last.imm));
    e.op(Op.else);
    goTo(u64(last.pc + 4n));
    e.op(Op.end);
  } else goTo(emit !== undefined ? u64(last.pc + 4n) : u64(last.pc + last.imm));
  if (selfLoop) e.op(Op.end);
}

/** Branches whose targets are constants. */
function isDirect(r: Rec): boolean { return !['BR', 'BLR', 'RET'].includes(r.op); }
function directTargets(r: Rec): bigint[] {
  if (r.op === 'B' || r.op === 'BL') return [u64(r.pc + r.imm)];
  return [u64(r.pc + r.imm), u64(r.pc + 4n)];
}
