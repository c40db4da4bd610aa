// One shard of the committed differential cases (src/tools/difftest/golden.ts): a64vm runs them
// and every result is compared with the one QEMU recorded, the named QEMU deviations applied. No
// QEMU needed. test/difftest-golden-<i>.test.ts each run one shard, so vitest spreads the shards
// over the CPU cores. Regenerate the fixtures with `tsx src/tools/difftest/cli.ts --golden`.
import { describe, it, expect, beforeAll } from 'vitest';
import { loadShard, type GoldenShard } from '../../src/tools/difftest/golden.ts';
import { runA64vm, a64vmUnavailable } from '../../src/tools/difftest/a64vm.ts';
import { runResilient, type BatchOutcome } from '../../src/tools/difftest/batch.ts';
import { matchEncoding } from '../../src/isa/encodings.ts';
import { disassemble, loadDisassembler } from '../../src/tools/disasm.ts';
import { compareRuns, type CompareSummary } from '../../src/tools/difftest/compare.ts';
import { coverage } from '../../src/tools/difftest/coverage.ts';
import { formatMismatch } from '../../src/tools/difftest/report.ts';

export function goldenShardSuite(index: number): void {
  describe(`a64vm executes like QEMU (committed differential cases, shard ${index})`, () => {
    let golden: GoldenShard;
    let run: BatchOutcome | undefined;
    let summary: CompareSummary | undefined;
    let why: string | undefined;

    beforeAll(async () => {
      golden = loadShard(index);
      why = a64vmUnavailable();
      if (why) return;
      // Results through the runner's RAM sink; a case that stops a64vm costs only itself: the
      // run resumes after it (at most 10 times).
      run = await runResilient((b) => runA64vm(b, { timeoutMs: 100_000 }), golden.cases, 10);
      summary = compareRuns(golden.cases, golden.results, run.results);
      await loadDisassembler();
    }, 120_000);

    it('runs every case to the end', () => {
      expect(why, `a64vm cannot run the case runner: ${why}`).toBeUndefined();
      const stops = run!.stops.map((st) => {
        const c = golden.cases[st.index];
        return `case #${st.index} ${matchEncoding(c?.insn ?? 0)?.name ?? '?'} \`${disassemble(c?.insn ?? 0)}\`: ${st.message}`;
      });
      expect(stops, `a64vm stopped ${stops.length} time(s)`).toEqual([]);
      expect(run!.results.length).toBe(golden.cases.length);
      expect(golden.results.length).toBe(golden.cases.length);
    });

    it('matches QEMU on every case', () => {
      expect(why, `a64vm cannot run the case runner: ${why}`).toBeUndefined();
      const s = summary!;
      expect(s.compared).toBe(golden.cases.length);
      const q = new Map(golden.results.map((r) => [r.index, r]));
      const a = new Map(run!.results.map((r) => [r.index, r]));
      const rows = coverage(golden.cases, s).filter((r) => r.mismatched > 0);
      const report = [
        `${s.mismatches.length} of ${s.compared} cases differ; by encoding: ${rows.map((r) => `${r.name} ${r.mismatched}/${r.compared}`).join(', ')}`,
        ...s.mismatches.slice(0, 15).map((m) => formatMismatch(golden.cases[m.index], m, q.get(m.index)!, a.get(m.index)!)),
      ].join('\n\n');
      expect(s.mismatches.length, report).toBe(0);
    });
  });
}
