// Helpers every instruction handler uses: decode-record fields, register access by pre-scaled
// byte address, condition codes, and AddWithCarry (Arm ARM J1 shared pseudocode).
import { NZCV, PC, FAULT } from './layout';

// Decode record accessors (see gen/decode.ts for the layout).
// @ts-ignore: decorator
@inline export function recWord(rec: usize): u32 { return load<u32>(rec, 0); }
// @ts-ignore: decorator
@inline export function recD(rec: usize): usize { return <usize>load<u16>(rec, 8); }
// @ts-ignore: decorator
@inline export function recN(rec: usize): usize { return <usize>load<u16>(rec, 10); }
// @ts-ignore: decorator
@inline export function recM(rec: usize): usize { return <usize>load<u16>(rec, 12); }
// @ts-ignore: decorator
@inline export function recA(rec: usize): usize { return <usize>load<u16>(rec, 14); }
// @ts-ignore: decorator
@inline export function recImm(rec: usize): u64 { return load<u64>(rec, 16); }
// @ts-ignore: decorator
@inline export function recImm2(rec: usize): u64 { return load<u64>(rec, 24); }
// @ts-ignore: decorator
@inline export function setImm(rec: usize, v: u64): void { store<u64>(rec, v, 16); }
// @ts-ignore: decorator
@inline export function setImm2(rec: usize, v: u64): void { store<u64>(rec, v, 24); }
/** sf (bit 31): 64-bit operation. */
// @ts-ignore: decorator
@inline export function sf(rec: usize): bool { return (load<u32>(rec, 0) >> 31) != 0; }

// Registers by byte address (X0 + 8n, XZR, XSP).
// @ts-ignore: decorator
@inline export function rd64(r: usize): u64 { return load<u64>(r); }
// @ts-ignore: decorator
@inline export function wr64(r: usize, v: u64): void { store<u64>(r, v); }
// @ts-ignore: decorator
@inline export function wr32(r: usize, v: u64): void { store<u64>(r, v & 0xffffffff); }

// PC
// @ts-ignore: decorator
@inline export function getPC(): u64 { return load<u64>(PC); }
// @ts-ignore: decorator
@inline export function setPC(v: u64): void { store<u64>(PC, v); }
// @ts-ignore: decorator
@inline export function nextPC(): void { store<u64>(PC, load<u64>(PC) + 4); }
/** True when the current instruction already raised an exception or an exit. */
// @ts-ignore: decorator
@inline export function faulted(): bool { return load<u32>(FAULT) != 0; }

// Flags: NZCV register format, N = bit 31.
// @ts-ignore: decorator
@inline export function getNZCV(): u32 { return load<u32>(NZCV); }
// @ts-ignore: decorator
@inline export function setNZCV(v: u32): void { store<u32>(NZCV, v); }

/** ConditionHolds (J1.2): cond is the 4-bit condition field. */
// @ts-ignore: decorator
@inline export function conditionHolds(cond: u32): bool {
  const f = load<u32>(NZCV);
  const n = (f >> 31) & 1;
  const z = (f >> 30) & 1;
  const c = (f >> 29) & 1;
  const v = (f >> 28) & 1;
  let r: bool;
  switch (cond >> 1) {
    case 0: r = z == 1; break; // EQ
    case 1: r = c == 1; break; // CS
    case 2: r = n == 1; break; // MI
    case 3: r = v == 1; break; // VS
    case 4: r = c == 1 && z == 0; break; // HI
    case 5: r = n == v; break; // GE
    case 6: r = n == v && z == 0; break; // GT
    default: r = true; // AL
  }
  // cond<0> inverts, except for 1111, which is "always" too.
  if ((cond & 1) != 0 && cond != 15) r = !r;
  return r;
}

/** AddWithCarry for 64 bits; stores NZCV when setFlags. */
export function addWithCarry64(x: u64, y: u64, carry: u64, setFlags: bool): u64 {
  const r = x + y + carry;
  if (setFlags) {
    const n: u32 = <u32>(r >> 63);
    const z: u32 = r == 0 ? 1 : 0;
    // Carry out: unsigned overflow of x + y + carry.
    const c: u32 = (r < x || (carry != 0 && r == x)) ? 1 : 0;
    const v: u32 = <u32>((~(x ^ y) & (x ^ r)) >> 63);
    store<u32>(NZCV, (n << 31) | (z << 30) | (c << 29) | (v << 28));
  }
  return r;
}

/** AddWithCarry for 32 bits; x and y use their low 32 bits; the result is zero-extended. */
export function addWithCarry32(x: u64, y: u64, carry: u64, setFlags: bool): u64 {
  const xs = x & 0xffffffff;
  const ys = y & 0xffffffff;
  const wide = xs + ys + carry;
  const r = wide & 0xffffffff;
  if (setFlags) {
    const n: u32 = <u32>(r >> 31);
    const z: u32 = r == 0 ? 1 : 0;
    const c: u32 = <u32>(wide >> 32) & 1;
    const v: u32 = <u32>(((~(xs ^ ys) & (xs ^ r)) >> 31) & 1);
    store<u32>(NZCV, (n << 31) | (z << 30) | (c << 29) | (v << 28));
  }
  return r;
}

/** Sets N and Z from a result, C and V cleared (logical operations with S = 1). */
export function setNZ(r: u64, is64: bool): void {
  const n: u32 = is64 ? <u32>(r >> 63) : <u32>(r >> 31) & 1;
  const z: u32 = (is64 ? r : r & 0xffffffff) == 0 ? 1 : 0;
  store<u32>(NZCV, (n << 31) | (z << 30));
}

/** Sign-extends the low `bits` bits of v. */
// @ts-ignore: decorator
@inline export function sext(v: u64, bits: u32): u64 {
  const s: u64 = 64 - bits;
  return <u64>((<i64>(v << s)) >> s);
}
