// Branches (C6.2: B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET).
import { recWord, recD, recN, recImm, recImm2, setImm, setImm2, getPC, setPC, nextPC, conditionHolds, sext } from '../cpu';
import { CURRENT_EL, X0 } from '../layout';
import { edgeTo } from '../coverage';
import { undefinedInsn, exceptionReturn } from '../exceptions';

const X30: usize = X0 + 30 * 8;

export function pre_imm26(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>(w & 0x3ffffff) << 2, 28));
  return true;
}
export function pre_imm19(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>((w >> 5) & 0x7ffff) << 2, 21));
  return true;
}
export function pre_testbit(w: u32, rec: usize): bool {
  setImm(rec, sext(<u64>((w >> 5) & 0x3fff) << 2, 16));
  setImm2(rec, <u64>(((w >> 26) & 0x20) | ((w >> 19) & 0x1f)));
  return true;
}

// Every branch outcome, taken or not, starts a block: each reports its edge to the coverage map.
// @ts-ignore: decorator
@inline function jump(target: u64): void { edgeTo(target); setPC(target); }
// @ts-ignore: decorator
@inline function fallThrough(): void { const t = getPC() + 4; edgeTo(t); setPC(t); }

export function exec_B(rec: usize): void { jump(getPC() + recImm(rec)); }
export function exec_BL(rec: usize): void {
  const pc = getPC();
  store<u64>(X30, pc + 4);
  jump(pc + recImm(rec));
}
export function exec_B_cond(rec: usize): void {
  if (conditionHolds(recWord(rec) & 15)) jump(getPC() + recImm(rec)); else fallThrough();
}
// @ts-ignore: decorator
@inline function operand(rec: usize): u64 {
  const v = load<u64>(recD(rec));
  return (recWord(rec) >> 31) != 0 ? v : v & 0xffffffff;
}
export function exec_CBZ(rec: usize): void {
  if (operand(rec) == 0) jump(getPC() + recImm(rec)); else fallThrough();
}
export function exec_CBNZ(rec: usize): void {
  if (operand(rec) != 0) jump(getPC() + recImm(rec)); else fallThrough();
}
export function exec_TBZ(rec: usize): void {
  if (((load<u64>(recD(rec)) >> recImm2(rec)) & 1) == 0) jump(getPC() + recImm(rec)); else fallThrough();
}
export function exec_TBNZ(rec: usize): void {
  if (((load<u64>(recD(rec)) >> recImm2(rec)) & 1) != 0) jump(getPC() + recImm(rec)); else fallThrough();
}
export function exec_BR(rec: usize): void { jump(load<u64>(recN(rec))); }
export function exec_BLR(rec: usize): void {
  const target = load<u64>(recN(rec)); // read before X30 is written (BLR X30 is valid)
  store<u64>(X30, getPC() + 4);
  jump(target);
}
export function exec_RET(rec: usize): void { jump(load<u64>(recN(rec))); }
export function exec_ERET(rec: usize): void {
  if (load<u32>(CURRENT_EL) == 0) { undefinedInsn(); return; }
  exceptionReturn();
}
