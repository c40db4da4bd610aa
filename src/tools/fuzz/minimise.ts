// Input and corpus minimisation, in the manner of afl-tmin and afl-cmin.
//
// minimise(): shrinks an input while it keeps doing the same thing: for a crash, the same
// de-duplication key (kind, PC); otherwise the same coverage (every edge in the same hit-count
// bucket). Passes, repeated until one changes nothing: delete blocks (half the input, then a
// quarter, ... down to single bytes), then set bytes to zero one at a time. Deterministic.
//
// minimiseCorpus(): the smallest inputs that keep the corpus's coverage: for every (edge, bucket)
// pair seen, the smallest input that has it (ties: the first in name order) is kept.
import { crashKey } from './corpus.ts';
import { bucketOf } from './coverage.ts';
import type { Harness } from './harness.ts';

export interface MinimiseResult {
  data: Uint8Array;
  /** What was kept: the crash key, or 'coverage'. */
  kept: string;
  execs: number;
}

/** The run's behaviour as minimisation compares it. */
function behaviour(h: Harness, input: Uint8Array): string {
  const r = h.exec(input);
  if (r.crash) return crashKey(r.crash);
  const cov = h.cov;
  let s = '';
  for (let i = 0; i < cov.length; i++) if (cov[i]) s += `${i}:${bucketOf(cov[i])},`;
  return `coverage:${s}`;
}

/** Shrinks input keeping its behaviour; at most maxExecs executions (default 5000). */
export function minimise(h: Harness, input: Uint8Array, maxExecs = 5000): MinimiseResult {
  const saved = { cmplog: h.cmplog, coverage: h.coverage };
  h.cmplog = false;
  h.coverage = true;
  let execs = 1;
  const want = behaviour(h, input);
  let cur = input.slice(0, h.maxLen);
  const same = (cand: Uint8Array) => { execs++; return behaviour(h, cand) === want; };
  try {
    for (let changed = true; changed && execs < maxExecs;) {
      changed = false;
      // Block deletion, halving the block size down to one byte.
      for (let block = Math.max(1, cur.length >> 1); block >= 1 && execs < maxExecs; block >>= 1) {
        for (let at = 0; at < cur.length && execs < maxExecs;) {
          const cand = new Uint8Array(cur.length - Math.min(block, cur.length - at));
          cand.set(cur.subarray(0, at));
          cand.set(cur.subarray(at + block), at);
          if (same(cand)) { cur = cand; changed = true; } else at += block;
        }
        if (block === 1) break;
      }
      // Byte normalisation: zero where it makes no difference.
      for (let i = 0; i < cur.length && execs < maxExecs; i++) {
        if (cur[i] === 0) continue;
        const cand = cur.slice();
        cand[i] = 0;
        if (same(cand)) { cur = cand; changed = true; }
      }
    }
  } finally {
    h.cmplog = saved.cmplog;
    h.coverage = saved.coverage;
  }
  return { data: cur, kept: want.startsWith('coverage:') ? 'coverage' : want, execs };
}

/** The indices of the inputs to keep (in the order given) so that their coverage is the whole's. */
export function minimiseCorpus(h: Harness, inputs: readonly Uint8Array[]): number[] {
  const saved = h.coverage;
  h.coverage = true;
  const best = new Map<number, number>(); // (edge << 8 | bucket) -> index of the smallest input
  try {
    inputs.forEach((input, idx) => {
      h.exec(input);
      const cov = h.cov;
      for (let i = 0; i < cov.length; i++) {
        if (!cov[i]) continue;
        const t = (i << 8) | bucketOf(cov[i]);
        const b = best.get(t);
        if (b === undefined || inputs[b].length > input.length) best.set(t, idx);
      }
    });
  } finally {
    h.coverage = saved;
  }
  return [...new Set(best.values())].sort((a, b) => a - b);
}
