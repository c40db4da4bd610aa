// A minimal WebAssembly binary writer for the JIT: function bodies as byte arrays built with the
// opcode constants below, and one module layout (WebAssembly Core Specification 2.0, section 5,
// "Binary Format"): the CPU's memory and its jitExec import, N functions of one type, exported.

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const VOID = 0x40;

/** Opcodes the JIT emits (5.4, "Instructions"). */
export const Op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  call: 0x10, drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29, i32Load8U: 0x2d, i32Store8: 0x3a, i64Load8S: 0x30, i64Load8U: 0x31, i64Load16S: 0x32,
  i64Load16U: 0x33, i64Load32S: 0x34, i64Load32U: 0x35, i32Store: 0x36, i64Store: 0x37,
  i64Store8: 0x3c, i64Store16: 0x3d, i64Store32: 0x3e,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtU: 0x49, i32LeU: 0x4d,
  i64Eqz: 0x50, i64Eq: 0x51, i64Ne: 0x52, i64LtS: 0x53, i64LtU: 0x54, i64GeS: 0x59, i64GtU: 0x56, i64LeU: 0x58, i64GeU: 0x5a,
  i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76, i32Mul: 0x6c,
  i32Clz: 0x67, i32DivS: 0x6d, i32DivU: 0x6e, i32Rotr: 0x78,
  i64Clz: 0x79, i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64DivS: 0x7f, i64DivU: 0x80,
  i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64ShrS: 0x87, i64ShrU: 0x88,
  i64Rotr: 0x8a,
  i32WrapI64: 0xa7, i64ExtendI32S: 0xac, i64ExtendI32U: 0xad,
  f32Eq: 0x5b, f32Lt: 0x5d, f64Eq: 0x61, f64Lt: 0x63,
  f32Add: 0x92, f32Sub: 0x93, f32Mul: 0x94, f32Div: 0x95, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3,
  i32ReinterpretF32: 0xbc, i64ReinterpretF64: 0xbd, f32ReinterpretI32: 0xbe, f64ReinterpretI64: 0xbf,
  i64Extend8S: 0xc2, i64Extend16S: 0xc3, i64Extend32S: 0xc4,
} as const;

/** Unsigned LEB128. */
export function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** Signed LEB128 of a value in the i32 range (no BigInt: the emitter writes thousands). */
export function sleb32(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

/** Signed LEB128 of a 64-bit value. */
export function sleb(out: number[], v: bigint): void {
  v = BigInt.asIntN(64, v);
  for (;;) {
    const b = Number(v & 0x7fn) | 0; // a small integer, so that out stays an array of them
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

/** A section: its id, its size and its body (appended with one copy, not byte by byte). */
function section(out: number[][], id: number, body: number[]): void {
  const head = [id];
  uleb(head, body.length);
  out.push(head, body);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

export interface FunctionBody {
  /** Local declarations beyond the parameters, in order: [count, type]. */
  locals: [number, number][];
  /** The code, without the final `end`. */
  code: number[];
}

/**
 * A module that imports env.memory and env.exec (i32 rec, i64 icount) -> i32, and defines and
 * exports (as "f0", "f1", ...) functions of type (i32, i64, i64) -> i64.
 */
export function buildModule(fns: FunctionBody[]): Uint8Array<ArrayBuffer> {
  const out: number[][] = [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]];
  const types: number[] = [];
  uleb(types, 2);
  types.push(0x60, 3, I32, I64, I64, 1, I64); // type 0: a page function (JitBlock)
  types.push(0x60, 2, I32, I64, 1, I32); // type 1: jitExec
  section(out, 1, types);
  const imports: number[] = [];
  uleb(imports, 2);
  name(imports, 'env'); name(imports, 'memory'); imports.push(0x02, 0x00, 0x00); // memory, min 0, no max
  name(imports, 'env'); name(imports, 'exec'); imports.push(0x00, 1); // func of type 1
  section(out, 2, imports);
  const funcs: number[] = [];
  uleb(funcs, fns.length);
  for (let i = 0; i < fns.length; i++) funcs.push(0);
  section(out, 3, funcs);
  const exports: number[] = [];
  uleb(exports, fns.length);
  fns.forEach((_, i) => { name(exports, `f${i}`); exports.push(0x00); uleb(exports, i + 1); }); // index 0 is the import
  section(out, 7, exports);
  // The code section: the count, then each body's size, locals, code and end.
  const code: number[][] = [[]];
  uleb(code[0], fns.length);
  let size = code[0].length;
  for (const f of fns) {
    const locals: number[] = [];
    uleb(locals, f.locals.length);
    for (const [n, t] of f.locals) { uleb(locals, n); locals.push(t); }
    const head: number[] = [];
    uleb(head, locals.length + f.code.length + 1);
    code.push(head, locals, f.code, [Op.end]);
    size += head.length + locals.length + f.code.length + 1;
  }
  const codeHead = [10];
  uleb(codeHead, size);
  out.push(codeHead, ...code);
  const bytes = new Uint8Array(out.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of out) { bytes.set(p, at); at += p.length; }
  return bytes;
}
