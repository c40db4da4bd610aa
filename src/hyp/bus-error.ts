// Completing a data access as a failed bus transaction, for the MMIO guard's asynchronous
// (SError) violation mode (shared/spec/mmio-guard.md, "The abort that is injected"): the access
// does not reach any device, a load writes zero to its register(s), a store is dropped, the
// instruction's other effects happen (base writeback; an exclusive store reports failure), and
// the PC moves past it. Later the virtual SError tells the guest the transaction failed.
//
// With a valid syndrome (ISV = 1) the syndrome says everything: SRT and WnR. Without one the
// instruction word is decoded: load/store pair and pre/post-indexed forms (nisv.ts), the
// exclusives and compare-and-swap (Arm ARM C4.1.66 "Load/store exclusive"), and the atomic
// memory operations (LDADD and friends, SWP, LDAPR). Anything else returns undefined and the
// caller falls back to a synchronous abort.
import type { Cpu } from '../cpu/cpu.ts';
import type { AbortSyndrome } from './esr.ts';
import { decodeNisv } from './nisv.ts';

export interface BusErrorAccess {
  /** Bytes the access would have transferred (all registers). */
  size: number;
  load: boolean;
}

/** What a failed access leaves: registers set to zero, an optional writeback, then PC += 4. */
interface Effect extends BusErrorAccess {
  zero: number[];
  /** Exclusive stores: Ws = 1, "the store did not happen". */
  status?: number;
  writeback?: { rn: number; offset: bigint };
}

export function decodeFailedAccess(syn: AbortSyndrome, w: number): Effect | undefined {
  if (syn.isv) return { size: syn.size, load: !syn.wnr, zero: syn.wnr ? [] : [syn.srt] };
  w >>>= 0;
  const d = decodeNisv(w);
  if (d) {
    return {
      size: d.size * d.rt.length, load: d.load, zero: d.load ? d.rt : [],
      writeback: d.mode === 'offset' ? undefined : { rn: d.rn, offset: d.offset },
    };
  }
  const rt = w & 31;
  const rs = (w >>> 16) & 31;
  const rt2 = (w >>> 10) & 31;
  const sizeLog = w >>> 30;
  // Load/store exclusive, load-acquire/store-release, compare and swap: [29:24] = 001000.
  if (((w >>> 24) & 0x3f) === 0x08) {
    const o2 = (w >>> 23) & 1;
    const load = ((w >>> 22) & 1) === 1;
    const o1 = (w >>> 21) & 1;
    const size = 1 << sizeLog;
    if (o2 === 0 && o1 === 0) return load ? { size, load, zero: [rt] } : { size, load, zero: [], status: rs };
    if (o2 === 0 && o1 === 1) {
      if (sizeLog >= 2) { // LDXP/LDAXP, STXP/STLXP: 32- or 64-bit registers
        const n = 1 << (sizeLog & 1 ? 3 : 2);
        return load ? { size: 2 * n, load, zero: [rt, rt2] } : { size: 2 * n, load, zero: [], status: rs };
      }
      if (rt2 !== 31) return undefined; // CASP needs Rt2 = 11111
      const n = sizeLog === 1 ? 8 : 4; // CASP (size 01: 64-bit pair) / CASP W (size 00)
      return { size: 2 * n, load: true, zero: [rs, rs + 1] };
    }
    if (o2 === 1 && o1 === 0) return { size, load, zero: load ? [rt] : [] }; // LDAR/LDLAR, STLR/STLLR
    if (rt2 !== 31) return undefined;
    return { size, load: true, zero: [rs] }; // CAS: Rs receives the old value
  }
  // Atomic memory operations: [29:27] = 111, V = 0, [25:24] = 00, [21] = 1, [11:10] = 00.
  if (((w >>> 27) & 7) === 7 && ((w >>> 26) & 1) === 0 && ((w >>> 24) & 3) === 0 && ((w >>> 21) & 1) === 1 && ((w >>> 10) & 3) === 0) {
    return { size: 1 << sizeLog, load: true, zero: [rt] }; // Rt receives the old value (XZR: ST<op>)
  }
  return undefined;
}

/**
 * Completes the faulting access as a failed bus transaction and steps past it; returns what the
 * access was, or undefined (nothing changed) when the instruction is not one decoded here.
 */
export function completeAsBusError(cpu: Cpu, syn: AbortSyndrome, insn: number): BusErrorAccess | undefined {
  const e = decodeFailedAccess(syn, insn);
  if (!e) return undefined;
  for (const r of e.zero) cpu.setX(r, 0n); // setX ignores 31 (XZR)
  if (e.status !== undefined) cpu.setX(e.status, 1n);
  if (e.writeback) {
    const { rn, offset } = e.writeback;
    const base = rn === 31 ? cpu.sp : cpu.x(rn);
    const v = BigInt.asUintN(64, base + offset);
    if (rn === 31) cpu.sp = v;
    else cpu.setX(rn, v);
  }
  cpu.pc += 4n;
  return { size: e.size, load: e.load };
}
