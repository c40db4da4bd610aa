// The tools' view of the vCPUs: registers of any vCPU (loaded in the CPU or saved by the
// scheduler), and guest virtual memory as that vCPU sees it (a host-side stage-1 walk, the way
// the CPU's own walker reads the tables, without touching the TLB, the access flag or faults).
// Reading never perturbs the guest: no vCPU is switched in, no cache is touched.
import { layout as L } from '../cpu/cpu.ts';
import type { VM } from '../vm.ts';

export const MASK64 = (1n << 64n) - 1n;

export function vcpuCount(vm: VM): number { return vm.scheduler.vcpus.length; }

/** The vCPU whose state is in the CPU right now (the one that ran the last exit). */
export function currentVcpu(vm: VM): number { return vm.scheduler.current; }

export function reg64(vm: VM, i: number, addr: number): bigint {
  return vm.scheduler.reg64(vm.scheduler.vcpus[i], addr);
}

export function reg32(vm: VM, i: number, addr: number): number {
  return Number(reg64(vm, i, addr) & 0xffff_ffffn);
}

/** Writes a state-block field of vCPU i; the CPU's caches are dropped when it is the loaded one. */
export function setReg64(vm: VM, i: number, addr: number, v: bigint): void {
  vm.scheduler.setReg64(vm.scheduler.vcpus[i], addr, BigInt.asUintN(64, v));
  if (i === vm.scheduler.current) { vm.cpu.exports.flushTLB(); vm.cpu.exports.refreshInterrupts(); }
}

export function setReg32(vm: VM, i: number, addr: number, v: number): void {
  const old = reg64(vm, i, addr);
  setReg64(vm, i, addr, (old & ~0xffff_ffffn) | BigInt(v >>> 0));
}

/** PSTATE in SPSR/CPSR format: NZCV [31:28], IL [20], DAIF [9:6], M [3:0] = EL << 2 | SPSel. */
export function pstate(vm: VM, i: number): number {
  const il = reg32(vm, i, L.PSTATE_IL) ? 1 << 20 : 0;
  return (reg32(vm, i, L.NZCV) | il | reg32(vm, i, L.DAIF) | (reg32(vm, i, L.CURRENT_EL) << 2) | reg32(vm, i, L.SPSEL)) >>> 0;
}

/** Sets PSTATE from the CPSR format; the SP is banked as the architecture does. */
export function setPstate(vm: VM, i: number, v: number): void {
  setReg32(vm, i, L.NZCV, v & 0xf000_0000);
  setReg32(vm, i, L.DAIF, v & 0x3c0);
  setReg32(vm, i, L.PSTATE_IL, (v >>> 20) & 1);
  const el = (v >>> 2) & 3;
  const spsel = v & 1;
  if (el > 1) return; // EL2/EL3 do not exist for the guest
  const bank = (e: number, s: number) => (e !== 0 && s !== 0 ? L.SP_EL1 : L.SP_EL0);
  const oldEl = reg32(vm, i, L.CURRENT_EL);
  const oldSel = reg32(vm, i, L.SPSEL);
  if (oldEl === el && oldSel === spsel) return;
  setReg64(vm, i, bank(oldEl, oldSel), reg64(vm, i, L.XSP));
  setReg32(vm, i, L.CURRENT_EL, el);
  setReg32(vm, i, L.SPSEL, spsel);
  setReg64(vm, i, L.XSP, reg64(vm, i, bank(el, spsel)));
}

/** A64 general registers of vCPU i: x0..x30, sp, pc, and NZCV (bits 31:28). */
export interface GpRegs { x: bigint[]; sp: bigint; pc: bigint; nzcv: number }

export function gpRegs(vm: VM, i: number): GpRegs {
  const x: bigint[] = new Array(31);
  for (let r = 0; r < 31; r++) x[r] = reg64(vm, i, L.X0 + 8 * r);
  return { x, sp: reg64(vm, i, L.XSP), pc: reg64(vm, i, L.PC), nzcv: reg32(vm, i, L.NZCV) };
}

/**
 * The state block up to the exit record and CPU bookkeeping (registers, system registers, EL2),
 * and through the SIMD&FP registers V0..V31.
 */
const STATE_COPY_BYTES = Math.max(L.EVENT + 8, L.V0 + 32 * 16) - L.STATE;

/** A copy of vCPU i's state block (registers, system registers, EL2 controls, exit record); fields at `addr - STATE`. */
export function stateCopy(vm: VM, i: number): Uint8Array {
  const s = vm.scheduler;
  return i === s.current ? vm.cpu.bytes(L.STATE, STATE_COPY_BYTES).slice() : s.vcpus[i].saved.slice(0, STATE_COPY_BYTES);
}

// ---- guest virtual memory ----

/**
 * The IPA of va for vCPU i (EL1&0 regime as its PSTATE and TTBRs say), or undefined when the
 * walk fails. Mirrors the CPU's stage1() (assembly/memory.ts) without permission checks.
 */
export function vaToIpa(vm: VM, i: number, va: bigint): number | undefined {
  va = BigInt.asUintN(64, va);
  const sctlr = reg64(vm, i, L.SCTLR_EL1);
  if ((sctlr & 1n) === 0n) return va < 1n << 40n ? Number(va) : undefined;
  const tcr = reg64(vm, i, L.TCR_EL1);
  const upper = ((va >> 55n) & 1n) !== 0n;
  const tsz = Number(upper ? (tcr >> 16n) & 63n : tcr & 63n);
  const tbi = upper ? ((tcr >> 38n) & 1n) !== 0n : ((tcr >> 37n) & 1n) !== 0n;
  const epd = upper ? ((tcr >> 23n) & 1n) !== 0n : ((tcr >> 7n) & 1n) !== 0n;
  const tg = Number(upper ? (tcr >> 30n) & 3n : (tcr >> 14n) & 3n);
  let gbits = 12;
  if (upper) { if (tg === 1) gbits = 14; else if (tg === 3) gbits = 16; } else { if (tg === 1) gbits = 16; else if (tg === 2) gbits = 14; }
  const inBits = 64 - Math.min(Math.max(tsz, 16), 39);
  const top = tbi ? 56 : 64;
  const ext = upper ? (1n << BigInt(top - inBits)) - 1n : 0n;
  const high = top === 64 ? va >> BigInt(inBits) : (va >> BigInt(inBits)) & ((1n << BigInt(top - inBits)) - 1n);
  if (high !== ext || epd) return undefined;
  const stride = gbits - 3;
  let level = 4 - Math.floor((inBits - gbits + stride - 1) / stride);
  let table = reg64(vm, i, upper ? L.TTBR1_EL1 : L.TTBR0_EL1) & 0x0000_ffff_ffff_ffc0n;
  for (let guard = 0; guard < 5; guard++) {
    const shift = gbits + stride * (3 - level);
    const idxBits = shift + stride > inBits ? inBits - shift : stride;
    const idx = (va >> BigInt(shift)) & ((1n << BigInt(idxBits)) - 1n);
    const descIpa = Number(table + idx * 8n);
    const desc = readIpa64(vm, descIpa);
    if (desc === undefined || (desc & 1n) === 0n) return undefined;
    if ((desc & 2n) !== 0n && level < 3) {
      table = desc & 0x0000_ffff_ffff_ffffn & ~((1n << BigInt(gbits)) - 1n);
      level++;
      continue;
    }
    if (level === 3 && (desc & 2n) === 0n) return undefined;
    const blockMask = (1n << BigInt(shift)) - 1n;
    const oa = (desc & 0x0000_ffff_ffff_ffffn & ~blockMask) | (va & blockMask);
    return oa < 1n << 40n ? Number(oa) : undefined;
  }
  return undefined;
}

function readIpa64(vm: VM, ipa: number): bigint | undefined {
  const s = vm.memslots.findRange(ipa, 8);
  if (!s) return undefined;
  return vm.cpu.u64(s.host + (ipa - s.ipa));
}

/**
 * Host (wasm) address of the byte at va for vCPU i, when it is RAM or flash; undefined for MMIO
 * or unmapped addresses (tools never touch devices).
 */
export function vaToHost(vm: VM, i: number, va: bigint): number | undefined {
  const ipa = vaToIpa(vm, i, va);
  if (ipa === undefined) return undefined;
  const s = vm.memslots.find(ipa);
  return s ? s.host + (ipa - s.ipa) : undefined;
}

/** Reads len bytes of guest virtual memory; stops at the first byte that is not RAM or flash. */
export function readVirtual(vm: VM, i: number, va: bigint, len: number): Uint8Array {
  const out: number[] = [];
  let page = -1n;
  let base: number | undefined;
  for (let k = 0; k < len; k++) {
    const a = BigInt.asUintN(64, va + BigInt(k));
    if (a >> 12n !== page) { page = a >> 12n; base = vaToHost(vm, i, page << 12n); }
    if (base === undefined) break;
    out.push(vm.cpu.bytes(base + Number(a & 0xfffn), 1)[0]);
  }
  return Uint8Array.from(out);
}

/** Writes guest virtual memory (RAM and flash alike); returns bytes written before a hole. */
export function writeVirtual(vm: VM, i: number, va: bigint, data: Uint8Array): number {
  let page = -1n;
  let base: number | undefined;
  for (let k = 0; k < data.length; k++) {
    const a = BigInt.asUintN(64, va + BigInt(k));
    if (a >> 12n !== page) { page = a >> 12n; base = vaToHost(vm, i, page << 12n); }
    if (base === undefined) return k;
    vm.cpu.bytes(base + Number(a & 0xfffn), 1)[0] = data[k];
  }
  return data.length;
}

/** The instruction word at va, or undefined when it cannot be read. */
export function readInsn(vm: VM, i: number, va: bigint): number | undefined {
  // The CPU's one-entry fetch cache usually covers the page already (no stage-1 walk needed).
  if (i === vm.scheduler.current && (va & 3n) === 0n && (va & ~0xfffn) === reg64(vm, i, L.FETCH_TAG)) {
    const h = Number(BigInt.asUintN(64, va + reg64(vm, i, L.FETCH_ADDEND)));
    if (h + 4 <= vm.cpu.memory.buffer.byteLength) return vm.cpu.u32(h);
  }
  const h = vaToHost(vm, i, va);
  if (h === undefined || (va & 3n) !== 0n) return undefined;
  return vm.cpu.u32(h);
}
