// JIT emitters for scalar FADD, FSUB, FMUL, FNMUL, FDIV and FCMP/FCMPE in single and double
// precision, with wasm's own f32/f64 arithmetic where it gives the interpreter's result and
// flags exactly, by the rules of assembly/fp/hw.ts: SIMD&FP enabled at both ELs (CPACR_EL1.FPEN
// = 0b11; anything else may trap), FPCR.RMode = RN and FZ = 0, FPSR.IXC already set, operands
// finite, and a result that is finite and above the smallest normal in magnitude, or an exact
// zero. A compare needs only FPEN = 0b11, FZ = 0 and operands that are not NaNs (it raises no
// flag then). Any other case runs the instruction in the interpreter (Emitter.interpretFp), which
// has every rule. V registers stay in the state block (V0 + 16n).
import * as L from '../../../assembly/layout.ts';
import { Op } from './wasm.ts';
import type { Emitter, Rec } from './emitter.ts';
import type { Emit } from './ops-dp.ts';

const FPCR_FZ = 1 << 24;
const FPCR_RMODE = 3 << 22;
const FPSR_IXC = 1 << 4;

/** The state-block address of the V register a record field names (fields hold byte addresses). */
const vAddr = (field: number) => L.X0 + 8 * field;

/** The encodings of one format: an element's integer type, its magnitude mask, infinity and smallest normal. */
interface Format {
  double: boolean;
  load: number; store: number; and: number; ltU: number; eqz: number; sub: number; const: (e: Emitter, v: bigint) => void;
  mag: bigint; inf: bigint; minNormal: bigint;
  toFloat: number; toInt: number; lt: number; eq: number;
  ops: Record<string, number>;
}
const F64: Format = {
  double: true, load: Op.i64Load, store: Op.i64Store, and: Op.i64And, ltU: Op.i64LtU, eqz: Op.i64Eqz, sub: Op.i64Sub,
  const: (e, v) => { e.i64(BigInt.asIntN(64, v)); },
  mag: 0x7fff_ffff_ffff_ffffn, inf: 0x7ff0_0000_0000_0000n, minNormal: 0x0010_0000_0000_0000n,
  toFloat: Op.f64ReinterpretI64, toInt: Op.i64ReinterpretF64, lt: Op.f64Lt, eq: Op.f64Eq,
  ops: { FADD: Op.f64Add, FSUB: Op.f64Sub, FMUL: Op.f64Mul, FNMUL: Op.f64Mul, FDIV: Op.f64Div },
};
const F32: Format = {
  double: false, load: Op.i32Load, store: Op.i32Store, and: Op.i32And, ltU: Op.i32LtU, eqz: Op.i32Eqz, sub: Op.i32Sub,
  const: (e, v) => { e.i32(Number(BigInt.asIntN(32, v))); },
  mag: 0x7fff_ffffn, inf: 0x7f80_0000n, minNormal: 0x0080_0000n,
  toFloat: Op.f32ReinterpretI32, toInt: Op.i32ReinterpretF32, lt: Op.f32Lt, eq: Op.f32Eq,
  ops: { FADD: Op.f32Add, FSUB: Op.f32Sub, FMUL: Op.f32Mul, FNMUL: Op.f32Mul, FDIV: Op.f32Div },
};
const formatOf = (r: Rec) => (((r.word >>> 22) & 1) !== 0 ? F64 : F32);

/** Pushes an i32, non-zero when FPEN = 0b11, FPCR has none of the bits in fpcrMask and FPSR has all of fpsrBits. */
function gate(e: Emitter, fpcrMask: number, fpsrBits: number): void {
  e.i32(L.CPACR_EL1).mem(Op.i32Load).i32(3 << 20).op(Op.i32And).i32(3 << 20).op(Op.i32Eq);
  e.i32(L.FPCR).mem(Op.i32Load).i32(fpcrMask).op(Op.i32And, Op.i32Eqz, Op.i32And);
  if (fpsrBits) e.i32(L.FPSR).mem(Op.i32Load).i32(fpsrBits).op(Op.i32And).i32(fpsrBits).op(Op.i32Eq, Op.i32And);
}

/** Pushes an i32: the magnitude of the encoding in local x is below f's bound (x AND mag < bound). */
function magBelow(e: Emitter, f: Format, x: number, bound: bigint): void {
  e.get(x); f.const(e, f.mag); e.op(f.and); f.const(e, bound); e.op(f.ltU);
}
/** Pushes an i32: the encoding in local x is a zero. */
function isZero(e: Emitter, f: Format, x: number): void { e.get(x); f.const(e, f.mag); e.op(f.and, f.eqz); }

/** Writes the element in local x to Vd, the rest of the register zero. */
function writeVd(e: Emitter, f: Format, d: number, x: number): void {
  const at = vAddr(d);
  e.i32(at).get(x).mem(f.store);
  if (!f.double) e.i32(at).i32(0).mem(Op.i32Store, 4);
  e.i32(at).i64(0).mem(Op.i64Store, 8);
}

/** FADD, FSUB, FMUL, FNMUL, FDIV (scalar): Vd = Vn <op> Vm. */
function arith(op: 'FADD' | 'FSUB' | 'FMUL' | 'FNMUL' | 'FDIV'): Emit {
  return (e, r) => {
    const f = formatOf(r);
    const tmp = () => (f.double ? e.tmp64() : e.tmp32());
    const a = tmp(), b = tmp(), res = tmp();
    e.i32(vAddr(r.n)).mem(f.load).set(a);
    e.i32(vAddr(r.m)).mem(f.load).set(b);
    e.get(a).op(f.toFloat).get(b).op(f.toFloat, f.ops[op], f.toInt).set(res);
    gate(e, FPCR_FZ | FPCR_RMODE, FPSR_IXC);
    magBelow(e, f, a, f.inf); e.op(Op.i32And);
    magBelow(e, f, b, f.inf); e.op(Op.i32And);
    // The result: finite and above the smallest normal (mag - (minNormal + 1) < inf - minNormal - 1,
    // unsigned), or a zero that is exact: a sum or difference, or a product or quotient with a
    // zero dividend or factor.
    e.get(res); f.const(e, f.mag); e.op(f.and); f.const(e, f.minNormal + 1n); e.op(f.sub);
    f.const(e, f.inf - f.minNormal - 1n); e.op(f.ltU);
    if (op === 'FADD' || op === 'FSUB') { isZero(e, f, res); e.op(Op.i32Or); }
    else {
      isZero(e, f, res); isZero(e, f, a);
      if (op !== 'FDIV') { isZero(e, f, b); e.op(Op.i32Or); }
      e.op(Op.i32And, Op.i32Or);
    }
    e.op(Op.i32And, Op.if, 0x40);
    if (op === 'FNMUL') { e.get(res); f.const(e, f.double ? 1n << 63n : 1n << 31n); e.op(f.double ? Op.i64Xor : Op.i32Xor).set(res); }
    writeVd(e, f, r.d, res);
    e.op(Op.else);
    e.interpretFp(r, [], false, false);
    e.op(Op.end);
    if (f.double) e.release64(a, b, res); else e.release32(a, b, res);
  };
}

/** FCMP, FCMPE (register or #0.0): NZCV from the comparison of two numbers that are not NaNs. */
const compare: Emit = (e, r) => {
  const f = formatOf(r);
  const withZero = ((r.word >>> 3) & 1) !== 0;
  const tmp = () => (f.double ? e.tmp64() : e.tmp32());
  const a = tmp(), b = tmp(), lt = e.tmp32(), eq = e.tmp32();
  e.i32(vAddr(r.n)).mem(f.load).set(a);
  if (withZero) f.const(e, 0n); else e.i32(vAddr(r.m)).mem(f.load);
  e.set(b);
  gate(e, FPCR_FZ, 0);
  magBelow(e, f, a, f.inf + 1n); e.op(Op.i32And); // not a NaN (infinities compare)
  magBelow(e, f, b, f.inf + 1n); e.op(Op.i32And);
  e.op(Op.if, 0x40);
  e.get(a).op(f.toFloat).get(b).op(f.toFloat, f.lt).set(lt);
  e.get(a).op(f.toFloat).get(b).op(f.toFloat, f.eq).set(eq);
  // Less 1000, equal 0110, greater 0010 (FPCompare): N = lt, Z = eq, C = !lt, V = 0.
  const flags = e.setFlags();
  e.i64(-1).i64(0).get(lt).op(Op.select).set(flags.n);
  e.get(eq).op(Op.i32Eqz, Op.i64ExtendI32U).set(flags.z);
  e.get(lt).op(Op.i32Eqz).set(flags.c);
  e.i64(0).set(flags.v);
  e.op(Op.else);
  e.interpretFp(r, [], false, true);
  e.op(Op.end);
  if (f.double) e.release64(a, b); else e.release32(a, b);
  e.release32(lt, eq);
};

export const FP_EMITTERS: Record<string, Emit> = {
  FADD: arith('FADD'), FSUB: arith('FSUB'), FMUL: arith('FMUL'), FNMUL: arith('FNMUL'), FDIV: arith('FDIV'),
  FCMP: compare,
};
