// Per-encoding coverage of a set of differential-test cases: for every entry of the encoding
// table, how many cases were generated and compared, in which memory modes, and which entries
// have none (with the reason, when the generator excludes them on purpose).
import { PARSED, matchEncoding } from '../../isa/encodings.ts';
import { type Case, F_MMU_OFF, F_ALIGN_CHECK, F_FP } from './format.ts';
import { exclusion, FP_EXCLUDED, PARTIAL_EXCLUSIONS } from './generate.ts';
import type { CompareSummary } from './compare.ts';

export interface CoverageRow {
  name: string;
  group: string;
  generated: number;
  mmuOff: number;
  alignCheck: number;
  compared: number;
  mismatched: number;
  excluded?: string;
  partial?: string;
  /** A SIMD&FP encoding (the table's fp flag). */
  fp: boolean;
}

export function coverage(cases: readonly Case[], summary?: CompareSummary): CoverageRow[] {
  const rows = new Map<string, CoverageRow>();
  // SIMD&FP encodings count as excluded only when the set has no SIMD&FP case at all.
  const fpDrawn = cases.some((c) => c.flags & F_FP);
  for (const p of PARSED) {
    rows.set(p.name, {
      name: p.name, group: p.group, generated: 0, mmuOff: 0, alignCheck: 0, compared: 0, mismatched: 0,
      excluded: p.fp && !fpDrawn ? FP_EXCLUDED : exclusion(p), partial: PARTIAL_EXCLUSIONS[p.name], fp: !!p.fp,
    });
  }
  const missing = new Set(summary?.missing.map((m) => m.index));
  const bad = new Set(summary?.mismatches.map((m) => m.index));
  cases.forEach((c, i) => {
    const enc = matchEncoding(c.insn);
    const row = enc && rows.get(enc.name);
    if (!row) return;
    row.generated++;
    if (c.flags & F_MMU_OFF) row.mmuOff++;
    if (c.flags & F_ALIGN_CHECK) row.alignCheck++;
    if (summary && !missing.has(i)) row.compared++;
    if (bad.has(i)) row.mismatched++;
  });
  return [...rows.values()];
}

/** A plain-text table, then the entries without cases and those below `min` cases. */
export function formatCoverage(rows: readonly CoverageRow[], min = 50): string {
  const lines: string[] = [];
  const fp = rows.filter((r) => r.fp);
  const fpDrawn = fp.some((r) => r.generated > 0);
  rows = rows.filter((r) => !r.fp || fpDrawn);
  lines.push(`${'encoding'.padEnd(18)} ${'group'.padEnd(7)} ${'cases'.padStart(6)} ${'mmuoff'.padStart(6)} ${'A=1'.padStart(5)} ${'compared'.padStart(8)} ${'mismatch'.padStart(8)}`);
  for (const r of rows) {
    lines.push(`${r.name.padEnd(18)} ${r.group.padEnd(7)} ${String(r.generated).padStart(6)} ${String(r.mmuOff).padStart(6)} ${String(r.alignCheck).padStart(5)} ${String(r.compared).padStart(8)} ${String(r.mismatched).padStart(8)}${r.partial ? '  (partial: ' + r.partial + ')' : ''}`);
  }
  const none = rows.filter((r) => r.generated === 0);
  const few = rows.filter((r) => r.generated > 0 && r.generated < min);
  const total = rows.reduce((a, r) => a + r.generated, 0);
  lines.push('');
  lines.push(`${total} cases over ${rows.length - none.length} of ${rows.length} encodings${fpDrawn ? '' : ' (integer)'}.`);
  if (fpDrawn) {
    const fpCases = fp.reduce((a, r) => a + r.generated, 0);
    lines.push(`SIMD&FP: ${fpCases} of them over ${fp.filter((r) => r.generated > 0).length} of ${fp.length} SIMD&FP encodings.`);
    const out = fp.filter((r) => r.excluded);
    lines.push(`SIMD&FP encodings excluded (${out.length}): ${[...new Set(out.map((r) => r.excluded))].map((why) => `${why}: ${out.filter((r) => r.excluded === why).map((r) => r.name).join(', ')}`).join('; ') || 'none'}.`);
  } else {
    lines.push(`SIMD&FP encodings (${fp.length}): none generated; ${FP_EXCLUDED.replace(/^SIMD&FP: /, '')}${fp.length ? ': ' + fp.map((r) => r.name).join(', ') : ''}.`);
  }
  lines.push(`No cases (${none.length}): ${none.map((r) => `${r.name}${r.excluded ? ' [' + r.excluded + ']' : ''}`).join('; ') || 'none'}`);
  lines.push(`Fewer than ${min} cases (${few.length}): ${few.map((r) => `${r.name} (${r.generated})`).join(', ') || 'none'}`);
  return lines.join('\n');
}
