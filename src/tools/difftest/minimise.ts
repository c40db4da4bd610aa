// Shrinking a mismatching case: every input (X0..X30, SP, the reported system registers, the
// window words) is made explicit, then the ones whose zeroing keeps the mismatch are zeroed. All
// candidates of all cases run as one batch per round on both sides, so a round costs two runs.
import { type Case, type Result, initialState, SLOT_SYS, NSYS, WINDOW_WORDS, sysIndex } from './format.ts';
import { compareCase, DEVIATIONS, type Deviation } from './compare.ts';
import { matchEncoding } from '../../isa/encodings.ts';
import { memInfo } from './generate.ts';

/**
 * Inputs that keep the case inside the runner's view and are never zeroed: the base and offset
 * registers of a memory access (the address must stay in the window), branch targets (they must
 * land on pads), ELR_EL1 for ERET, and the address operand of SYS.
 */
export function protectedSlots(c: Case): Set<number> {
  const p = new Set<number>();
  const enc = matchEncoding(c.insn);
  if (!enc) return p;
  const w = c.insn >>> 0;
  const rn = (w >>> 5) & 31, rm = (w >>> 16) & 31, rt = w & 31;
  const mi = memInfo(enc.name, w);
  if (mi && mi.mode !== 'lit') {
    p.add(rn); // 31 is SP for every base register
    if (mi.mode === 'reg' && rm !== 31) p.add(rm);
  }
  if (enc.name === 'BR' || enc.name === 'BLR' || enc.name === 'RET') p.add(rn);
  if (enc.name === 'ERET') p.add(SLOT_SYS + sysIndex('ELR_EL1'));
  if (enc.name === 'SYS' && rt !== 31) p.add(rt);
  return p;
}

/** A case whose every input is explicit (so that the PRNG no longer matters). */
export function materialise(c: Case): Case {
  const st = initialState(c);
  const regs = new Map<number, bigint>();
  st.x.forEach((v, i) => regs.set(i, v));
  regs.set(31, st.sp);
  st.sys.forEach((v, i) => regs.set(SLOT_SYS + i, v));
  const win = new Map<number, bigint>();
  st.win.forEach((v, i) => win.set(i, v));
  const vregs = new Map<number, bigint>();
  st.v.forEach((v, i) => vregs.set(i, v)); // F_FP cases only (empty otherwise)
  return { ...c, regs, win, vregs };
}

type Slot = { kind: 'reg' | 'win' | 'v'; n: number };
const SLOTS: Slot[] = [
  ...Array.from({ length: 32 + NSYS }, (_, n) => ({ kind: 'reg' as const, n })),
  ...Array.from({ length: WINDOW_WORDS }, (_, n) => ({ kind: 'win' as const, n })),
  ...Array.from({ length: 32 }, (_, n) => ({ kind: 'v' as const, n })),
];

const slotMap = (c: Case, k: Slot['kind']) => (k === 'reg' ? c.regs : k === 'win' ? c.win : c.vregs);

function withZeroed(c: Case, slots: readonly Slot[]): Case {
  const z: Case = { ...c, regs: new Map(c.regs), win: new Map(c.win), vregs: new Map(c.vregs) };
  for (const s of slots) slotMap(z, s.kind).set(s.n, 0n);
  return z;
}

/** Zero already, or (a V register of a case without SIMD&FP state) not an input at all. */
const isZero = (c: Case, s: Slot) => (s.kind === 'v' && !c.vregs.has(s.n)) || slotMap(c, s.kind).get(s.n) === 0n;

export type BatchRunner = (cases: Case[]) => Promise<{ qemu: Result[]; a64: Result[] }>;

/** Minimises each case (all must mismatch as given); returns the shrunk cases, in order. */
export async function minimise(cases: readonly Case[], run: BatchRunner, rounds = 3, devs: readonly Deviation[] = DEVIATIONS): Promise<Case[]> {
  let cur = cases.map(materialise);
  const stillBad = (c: Case, q?: Result, a?: Result) => !!q && !!a && !compareCase(c, q, a, undefined, devs).ok;
  for (let round = 0; round < rounds; round++) {
    // Singles: which inputs can be zeroed on their own?
    const batch: Case[] = [];
    const owner: { ci: number; slot: Slot }[] = [];
    cur.forEach((c, ci) => {
      const keep = protectedSlots(c);
      for (const s of SLOTS) {
        if (isZero(c, s) || (s.kind === 'reg' && keep.has(s.n))) continue;
        batch.push(withZeroed(c, [s]));
        owner.push({ ci, slot: s });
      }
    });
    if (batch.length === 0) break;
    const r1 = await run(batch);
    const q1 = new Map(r1.qemu.map((r) => [r.index, r]));
    const a1 = new Map(r1.a64.map((r) => [r.index, r]));
    const free: Slot[][] = cur.map(() => []);
    batch.forEach((c, i) => { if (stillBad(c, q1.get(i), a1.get(i))) free[owner[i].ci].push(owner[i].slot); });
    if (free.every((f) => f.length === 0)) break;
    // All of them together, then halves of them, until the mismatch survives.
    const tries: Case[] = [];
    const tryOwner: number[] = [];
    const trySlots: Slot[][] = [];
    cur.forEach((c, ci) => {
      let f = free[ci];
      while (f.length > 0) {
        tries.push(withZeroed(c, f)); tryOwner.push(ci); trySlots.push(f);
        if (f.length === 1) break;
        f = f.slice(0, Math.ceil(f.length / 2));
      }
    });
    const r2 = await run(tries);
    const q2 = new Map(r2.qemu.map((r) => [r.index, r]));
    const a2 = new Map(r2.a64.map((r) => [r.index, r]));
    const chosen = new Map<number, Case>();
    tries.forEach((c, i) => {
      if (!chosen.has(tryOwner[i]) && stillBad(c, q2.get(i), a2.get(i))) chosen.set(tryOwner[i], c);
    });
    let progress = false;
    cur = cur.map((c, ci) => { const n = chosen.get(ci); if (n) progress = true; return n ?? c; });
    if (!progress) break;
  }
  return cur;
}
