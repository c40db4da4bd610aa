// Comparing one case's results: QEMU (the oracle) against a64vm, field by field, with the
// architecture's UNKNOWNs masked and QEMU's known deviations from the Arm ARM applied by name.
import { matchEncoding } from '../../isa/encodings.ts';
import {
  type Case, type Result, type State, type FinalState, finalState, initialState, F_MMU_OFF, SYS_NAMES, NSYS_REPORTED,
} from './format.ts';
import { memInfo, effectiveAddress } from './generate.ts';

/** Exception classes whose FAR_EL1 is defined (otherwise FAR is UNKNOWN and not compared). */
export const FAR_VALID_EC = new Set([0x20, 0x21, 0x22, 0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35]);
/** SPSR_EL1 bits compared on exception entry: NZCV, IL, DAIF, M[4:0]. PSTATE bits of extensions
 * a64vm does not implement (SSBS, PAN, UAO, DIT: Cortex-A76 has some) are not compared. */
export const SPSR_COMPARE_MASK = 0xf01003dfn;

export const ec = (esr: bigint): number => Number((esr >> 26n) & 0x3fn);

/**
 * A named, documented difference between QEMU and the architecture. When it applies to a case,
 * a64vm is held to what the Arm ARM requires: apply() returns the corrected expectation (from
 * QEMU's result, or from the result of the deviations before it), or undefined when it does not
 * apply. Each one is checked against the case's own facts (encoding, address, QEMU's output),
 * so a QEMU that stops deviating is compared as usual.
 */
export interface Deviation {
  id: string;
  description: string;
  /** init() gives the case's initial state (computed on first use: most cases never need it). */
  apply(c: Case, init: () => State, expected: Result): Result | undefined;
}

function alignmentFault(index: number, c: Case, address: bigint, write: boolean): Result {
  return {
    index, vec: 0x200, esr: (0x25n << 26n) | (1n << 25n) | (write ? 1n << 6n : 0n) | 0x21n, elr: 0n, far: address,
    spsr: (BigInt(c.nzcv & 15) << 28n) | (BigInt(c.daif & 15) << 6n) | 5n, x: new Map(), win: new Map(), sys: new Map(), v: new Map(),
  };
}

/**
 * With SCTLR_EL1.M = 0 every data access is Device-nGnRnE, and an access to Device memory that is
 * not aligned to its size is an Alignment fault (Arm ARM B2.5.2, D8.14 "Alignment faults"; the
 * pseudocode AArch64.CheckAlignment). QEMU 7.2 (Debian) performs such accesses instead. For plain
 * loads and stores with the MMU off at an unaligned address, a64vm must take the fault: a data
 * abort at the current EL (EC 0x25), DFSC 0x21, WnR for stores, FAR = the address, nothing written.
 * The same holds for the SIMD&FP forms: LDR/STR/LDP/STP of B..Q are checked at their access size
 * (16 for Q: Mem[address, 16, AccType_VEC] calls CheckAlignment with size 16), the structures
 * (vstruct) at their element size, the first element being the one at the address (FAR).
 */
export const DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF: Deviation = {
  id: 'DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF',
  description: 'QEMU 7.2 does not raise alignment faults for unaligned accesses with the MMU off (Device memory); the Arm ARM requires them',
  apply(c, init, expected) {
    if (!(c.flags & F_MMU_OFF)) return undefined;
    const enc = matchEncoding(c.insn);
    const mi = enc && memInfo(enc.name, c.insn);
    if (!mi || !(mi.kind === 'single' || mi.kind === 'pair' || mi.kind === 'lit' || mi.kind === 'vstruct')) return undefined;
    const ea = effectiveAddress(c, init());
    if (ea === undefined || ea % BigInt(mi.size) === 0n) return undefined;
    // Only where QEMU performed the access: when it faults (a newer QEMU) or finds the encoding
    // UNDEFINED, there is nothing to correct.
    if (expected.vec !== undefined) return undefined;
    return alignmentFault(expected.index, c, ea, mi.store);
  },
};

/**
 * A store-exclusive to an address not aligned to its total size is an Alignment fault whatever
 * the monitor's state: AArch64.ExclusiveMonitorsPass checks alignment before it looks at the
 * monitor. QEMU 7.2 compares the address with the monitor's first and, when they differ (they
 * always do for an unaligned address), reports failure (status 1) without any access or fault.
 */
export const DEVIATION_QEMU_STXR_UNALIGNED_NO_FAULT: Deviation = {
  id: 'DEVIATION_QEMU_STXR_UNALIGNED_NO_FAULT',
  description: 'QEMU 7.2 fails an unaligned store-exclusive (status 1) instead of raising the Alignment fault the Arm ARM requires',
  apply(c, init, expected) {
    const enc = matchEncoding(c.insn);
    const mi = enc && memInfo(enc.name, c.insn);
    if (!mi || !(mi.kind === 'excl' || mi.kind === 'exclpair') || !mi.store) return undefined;
    const ea = effectiveAddress(c, init());
    if (ea === undefined || ea % BigInt(mi.size * mi.count) === 0n) return undefined;
    if (expected.vec !== undefined) return undefined; // QEMU faulted (or found it UNDEFINED)
    return alignmentFault(expected.index, c, ea, true);
  },
};

/**
 * Taking an exception leaves PSTATE.{N,Z,C,V} unchanged (the pseudocode AArch64.TakeException
 * sets EL, SP, DAIF, IL, SS and the extension bits, not the flags; KVM's enter_exception64 copies
 * them over for the same reason). QEMU 7.2's arm_cpu_do_interrupt_aarch64 writes PSTATE with
 * pstate_write(env, PSTATE_DAIF | new_mode), which clears them. The runner reads NZCV in its
 * vector, so a64vm is expected to show the flags the case had (SPSR_EL1.NZCV) rather than 0000.
 */
export const DEVIATION_QEMU_CLEARS_NZCV_ON_EXCEPTION: Deviation = {
  id: 'DEVIATION_QEMU_CLEARS_NZCV_ON_EXCEPTION',
  description: 'QEMU 7.2 clears NZCV when it takes an exception to AArch64; the Arm ARM leaves the flags unchanged',
  apply(c, _init, expected) {
    if (expected.vec === undefined || expected.spsr === undefined) return undefined;
    const flags = Number((expected.spsr >> 28n) & 15n);
    const shown = expected.nzcv ?? c.nzcv & 15;
    if (shown === flags) return undefined;
    return { ...expected, nzcv: flags === (c.nzcv & 15) ? undefined : flags };
  },
};

export const DEVIATIONS: readonly Deviation[] = [
  DEVIATION_QEMU_NO_ALIGN_FAULT_MMU_OFF, DEVIATION_QEMU_STXR_UNALIGNED_NO_FAULT, DEVIATION_QEMU_CLEARS_NZCV_ON_EXCEPTION,
];

export interface FieldDiff { field: string; expected: string; actual: string }
export interface Comparison {
  index: number;
  ok: boolean;
  diffs: FieldDiff[];
  /** The deviations that corrected QEMU's result into the expectation (empty: QEMU's result as is). */
  deviations: string[];
  expected: Result;
}

const h = (v: bigint | undefined) => (v === undefined ? '-' : '0x' + v.toString(16).padStart(16, '0'));
function exitText(f: FinalState): string {
  if (f.vec !== undefined) return `exception v=0x${f.vec.toString(16)} EC=0x${ec(f.esr ?? 0n).toString(16)}`;
  return `pad ${f.pad! >= 0 ? '+' : ''}${f.pad}`;
}

/** Field-by-field differences between two final states of the same case. */
export function diffStates(e: FinalState, a: FinalState): FieldDiff[] {
  const d: FieldDiff[] = [];
  const add = (field: string, x: string, y: string) => { if (x !== y) d.push({ field, expected: x, actual: y }); };
  add('exit', exitText(e), exitText(a));
  const exc = e.vec !== undefined && a.vec !== undefined;
  if (exc) {
    add('ESR_EL1', h(e.esr), h(a.esr));
    add('ELR_EL1 (from slot)', String(e.elr), String(a.elr));
    if (FAR_VALID_EC.has(ec(e.esr!)) && ec(e.esr!) === ec(a.esr!)) add('FAR_EL1', h(e.far), h(a.far));
    add('SPSR_EL1 (masked)', h(e.spsr! & SPSR_COMPARE_MASK), h(a.spsr! & SPSR_COMPARE_MASK));
  }
  for (let i = 0; i < 31; i++) add(`x${i}`, h(e.x[i]), h(a.x[i]));
  add('sp', h(e.sp), h(a.sp));
  add('nzcv', e.nzcv.toString(2).padStart(4, '0'), a.nzcv.toString(2).padStart(4, '0'));
  add('daif', e.daif.toString(2).padStart(4, '0'), a.daif.toString(2).padStart(4, '0'));
  add('SPSel', String(e.sel), String(a.sel));
  for (let i = 0; i < e.win.length; i++) add(`window[0x${(i * 8).toString(16)}]`, h(e.win[i]), h(a.win[i]));
  for (let i = 0; i < NSYS_REPORTED; i++) {
    if ((e.vec !== undefined || a.vec !== undefined) && i >= 4 && i <= 7) continue; // in the exception record
    add(SYS_NAMES[i], h(e.sys[i]), h(a.sys[i]));
  }
  // SIMD&FP state (F_FP cases; both arrays are empty otherwise)
  const q = (v: bigint | undefined) => (v === undefined ? '-' : '0x' + v.toString(16).padStart(32, '0'));
  for (let i = 0; i < Math.max(e.v.length, a.v.length); i++) add(`v${i}`, q(e.v[i]), q(a.v[i]));
  add('FPSR', '0x' + e.fpsr.toString(16), '0x' + a.fpsr.toString(16));
  add('FPCR', '0x' + e.fpcr.toString(16), '0x' + a.fpcr.toString(16));
  return d;
}

/** What a64vm must produce for case c, given QEMU's result: QEMU's, corrected by the deviations that apply. */
export function expectedResult(c: Case, init: State | (() => State), qemu: Result, devs: readonly Deviation[] = DEVIATIONS): { expected: Result; deviations: string[] } {
  const getInit = typeof init === 'function' ? init : () => init;
  let expected = qemu;
  const deviations: string[] = [];
  for (const dev of devs) {
    const e = dev.apply(c, getInit, expected);
    if (e) { expected = e; deviations.push(dev.id); }
  }
  return { expected, deviations };
}

function sameMap(a: Map<number, bigint>, b: Map<number, bigint>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Two results that report exactly the same changes (then their final states are equal). */
export function sameResult(a: Result, b: Result): boolean {
  return a.pad === b.pad && a.vec === b.vec && a.esr === b.esr && a.elr === b.elr && a.far === b.far && a.spsr === b.spsr
    && a.sp === b.sp && a.nzcv === b.nzcv && a.daif === b.daif && a.sel === b.sel
    && sameMap(a.x, b.x) && sameMap(a.win, b.win) && sameMap(a.sys, b.sys)
    && sameMap(a.v, b.v) && a.fpsr === b.fpsr && a.fpcr === b.fpcr;
}

export function compareCase(c: Case, qemu: Result, a64: Result, init?: State, devs: readonly Deviation[] = DEVIATIONS): Comparison {
  let st = init;
  const getInit = () => (st ??= initialState(c));
  const { expected, deviations } = expectedResult(c, getInit, qemu, devs);
  // Identical reports need no field-by-field look (most cases: the comparison of 200,000 of them
  // is then a fraction of the run's time); any other pair goes through the masks below.
  if (sameResult(expected, a64)) return { index: qemu.index, ok: true, diffs: [], deviations, expected };
  const diffs = diffStates(finalState(getInit(), expected), finalState(getInit(), a64));
  return { index: qemu.index, ok: diffs.length === 0, diffs, deviations, expected };
}

export interface CompareSummary {
  compared: number;
  mismatches: Comparison[];
  /** Cases with a result from one side only. */
  missing: { index: number; side: 'qemu' | 'a64vm' }[];
  deviations: Map<string, number>;
}

/** devs: the deviations to apply ([] when the side under test is QEMU itself, with another CPU model). */
export function compareRuns(cases: readonly Case[], qemu: readonly Result[], a64: readonly Result[], devs: readonly Deviation[] = DEVIATIONS): CompareSummary {
  const q = new Map(qemu.map((r) => [r.index, r]));
  const a = new Map(a64.map((r) => [r.index, r]));
  const s: CompareSummary = { compared: 0, mismatches: [], missing: [], deviations: new Map() };
  cases.forEach((c, i) => {
    const qr = q.get(i);
    const ar = a.get(i);
    if (!qr || !ar) { s.missing.push({ index: i, side: !qr ? 'qemu' : 'a64vm' }); return; }
    const cmp = compareCase(c, qr, ar, undefined, devs);
    s.compared++;
    for (const d of cmp.deviations) s.deviations.set(d, (s.deviations.get(d) ?? 0) + 1);
    if (!cmp.ok) s.mismatches.push(cmp);
  });
  return s;
}
