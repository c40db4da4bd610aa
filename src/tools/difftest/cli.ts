// The differential-testing command: QEMU (the oracle) against a64vm, one instruction per case.
//
//   tsx src/tools/difftest/cli.ts --fresh [--seed N] [--per N]   fresh random cases, both sides
//   tsx src/tools/difftest/cli.ts --golden                        rewrite test/fixtures/diff from QEMU
//   tsx src/tools/difftest/cli.ts --check-golden [--shard N]      rerun the committed cases on QEMU
//   tsx src/tools/difftest/cli.ts --golden-a64vm [--shard N] [--uart]   a64vm against the committed results
//   tsx src/tools/difftest/cli.ts --coverage                      coverage of the committed cases
//   --fp / --no-fp: draw the SIMD&FP encodings or not (default generate.ts FP_CASES_DEFAULT)
// `npm run test:qemu` is `--fresh`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Case, type Result, encodeCases, formatResult, SLOT_ADDR } from './format.ts';

const disasm = (w: number) => disassemble(w, BigInt(SLOT_ADDR));
import { generate, type GenerateOptions } from './generate.ts';
import { runQemu, qemuAvailable, qemuVersion, QEMU_CPU, RUNNER_ELF } from './qemu.ts';
import { runA64vm, a64vmUnavailable } from './a64vm.ts';
import { compareRuns, DEVIATIONS, type CompareSummary } from './compare.ts';
import { coverage, formatCoverage } from './coverage.ts';
import { minimise } from './minimise.ts';
import { runResilient, type BatchOutcome } from './batch.ts';
import { formatMismatch } from './report.ts';
import { loadGolden, loadMeta, loadShard, shardOptions, sha256, writeMeta, writeShard, SHARDS, type ShardMeta } from './golden.ts';
import { loadDisassembler as initDisasm, disassemble } from '../disasm.ts';
import { matchEncoding } from '../../isa/encodings.ts';

function fail(msg: string, code = 2): never {
  console.error(`difftest: ${msg}`);
  process.exit(code);
}

/**
 * The side under test: a64vm, or (--against-qemu CPU, to check the harness itself) QEMU with
 * another CPU model, whose differences from the oracle are known (e.g. cortex-a57 lacks LSE).
 */
let otherCpu: string | undefined;
let oracleCpu = QEMU_CPU;
async function runOther(bin: Uint8Array) {
  return otherCpu ? { ...(await runQemu(bin, { cpu: otherCpu })), command: `qemu -cpu ${otherCpu}` } : runA64vm(bin);
}

async function runBothChecked(cases: Case[]): Promise<{ qemu: Result[]; a64: Result[] }> {
  const [q, a] = await Promise.all([runResilient((b) => runQemu(b, { cpu: oracleCpu }), cases), runResilient(runOther, cases)]);
  return { qemu: q.results, a64: a.results };
}

function printStops(side: string, o: BatchOutcome, cases: readonly Case[]): void {
  for (const s of o.stops.slice(0, 10)) {
    const enc = matchEncoding(cases[s.index]?.insn ?? 0);
    console.log(`${side} stopped at case #${s.index} (${enc?.name ?? '?'} ${disasm(cases[s.index]?.insn ?? 0)}): ${s.message}`);
  }
  if (o.stops.length > 10) console.log(`${side}: ${o.stops.length - 10} more stops`);
}

async function report(cases: Case[], qemu: Result[], a64: Result[], s: CompareSummary, maxReport: number, doMin: boolean): Promise<void> {
  await initDisasm();
  const q = new Map(qemu.map((r) => [r.index, r]));
  const a = new Map(a64.map((r) => [r.index, r]));
  const shown = s.mismatches.slice(0, maxReport);
  let mins: Case[] | undefined;
  let minOut: { qemu: Map<number, Result>; a64: Map<number, Result> } | undefined;
  if (doMin && shown.length > 0) {
    try {
      mins = await minimise(shown.map((m) => cases[m.index]), runBothChecked, 3, otherCpu ? [] : DEVIATIONS);
      const r = await runBothChecked(mins);
      minOut = { qemu: new Map(r.qemu.map((x) => [x.index, x])), a64: new Map(r.a64.map((x) => [x.index, x])) };
    } catch (e) {
      console.log(`(minimisation failed: ${(e as Error).message})`);
    }
  }
  shown.forEach((m, i) => {
    const min = mins && { case: mins[i], qemu: minOut?.qemu.get(i), a64: minOut?.a64.get(i) };
    console.log(formatMismatch(cases[m.index], m, q.get(m.index)!, a.get(m.index)!, min, otherCpu ? `qemu-${otherCpu}` : 'a64vm'));
    console.log('');
  });
  if (s.mismatches.length > shown.length) console.log(`... and ${s.mismatches.length - shown.length} more mismatches`);
}

function printSummary(label: string, s: CompareSummary, casesTotal: number): void {
  console.log(`${label}: ${s.compared} of ${casesTotal} cases compared, ${s.mismatches.length} mismatches, ${s.missing.length} without a result`);
  for (const [d, n] of s.deviations) console.log(`  deviation ${d}: applied to ${n} cases`);
}

async function main(): Promise<void> {
  const { values: o } = parseArgs({
    options: {
      fresh: { type: 'boolean' }, golden: { type: 'boolean' }, 'check-golden': { type: 'boolean' },
      'golden-a64vm': { type: 'boolean' }, coverage: { type: 'boolean' },
      seed: { type: 'string' }, per: { type: 'string' }, 'mmu-off': { type: 'string' }, align: { type: 'string' },
      only: { type: 'string' }, cpu: { type: 'string' }, 'qemu-only': { type: 'boolean' },
      fp: { type: 'boolean' }, 'no-fp': { type: 'boolean' },
      shard: { type: 'string' }, uart: { type: 'boolean' },
      'max-report': { type: 'string' }, 'against-qemu': { type: 'string' }, 'no-minimise': { type: 'boolean' }, save: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 9).join('\n'));
    return;
  }
  const maxReport = Number(o['max-report'] ?? 20);
  otherCpu = o['against-qemu'];
  const cpu = o.cpu ?? QEMU_CPU;
  oracleCpu = cpu;

  if (o.coverage) {
    const g = loadGolden();
    console.log(formatCoverage(coverage(g.shards.flatMap((sh) => sh.cases))));
    return;
  }

  if (o.golden) {
    if (!qemuAvailable()) fail('qemu-system-aarch64 is not installed');
    // Shards two at a time (QEMU runs one vCPU thread per process); each twice: the oracle
    // must be deterministic, a second run gives the same bytes.
    const shards: ShardMeta[] = [];
    const all: Case[] = [];
    const one = async (i: number): Promise<ShardMeta> => {
      const opts = shardOptions(i);
      const g = generate(opts);
      const bin = encodeCases(g.cases);
      const q = await runQemu(bin, { cpu });
      if (!q.ended || q.errors.length || q.results.length !== g.cases.length) {
        fail(`shard ${i}: QEMU run incomplete: ${q.results.length}/${g.cases.length} results, ended=${q.ended}, errors=${q.errors.join('; ')} ${q.stderr}`);
      }
      const q2 = await runQemu(bin, { cpu });
      if (q2.raw !== q.raw) fail(`shard ${i}: two QEMU runs of the same cases differ`);
      const text = q.results.map(formatResult).join('\n') + '\n';
      console.log(`shard ${i}: ${g.cases.length} cases (${bin.length} bytes), QEMU ${q.seconds.toFixed(2)} s (${Math.round(g.cases.length / q.seconds)} cases/s)`);
      all.push(...g.cases);
      return writeShard(i, opts, bin, text, g.cases.length, q.seconds);
    };
    for (let i = 0; i < SHARDS; i += 2) shards.push(...(await Promise.all([one(i), ...(i + 1 < SHARDS ? [one(i + 1)] : [])])));
    writeMeta({ qemu: qemuVersion(), cpu, runnerSha256: sha256(readFileSync(RUNNER_ELF)), shards });
    const n = shards.reduce((a, m) => a + m.cases, 0);
    const bytes = shards.reduce((a, m) => a + m.casesBytes + m.resultsBytes, 0);
    console.log(`golden: ${n} cases in ${SHARDS} shards, ${(bytes / 1e6).toFixed(2)} MB compressed`);
    console.log(formatCoverage(coverage(all)));
    return;
  }

  if (o['check-golden']) {
    if (!qemuAvailable()) fail('qemu-system-aarch64 is not installed');
    const meta = loadMeta();
    let bad = 0;
    let total = 0;
    const only = o.shard !== undefined ? [Number(o.shard)] : meta.shards.map((_, i) => i);
    for (const i of only) {
      const g = loadShard(i, undefined, meta);
      const q = await runQemu(g.bin, { cpu: meta.cpu });
      const want = g.results.map(formatResult);
      const got = q.results.map(formatResult);
      for (let k = 0; k < Math.max(want.length, got.length); k++) {
        if (want[k] !== got[k]) { if (bad++ < 10) console.log(`shard ${i} case ${k}:\n  committed ${want[k]}\n  now       ${got[k]}`); }
      }
      total += got.length;
      console.log(`shard ${i}: ${got.length} results (QEMU ${q.seconds.toFixed(2)} s, ${Math.round(got.length / q.seconds)} cases/s)`);
    }
    console.log(`check-golden: ${total} results, ${bad} differ from the committed ones`);
    process.exit(bad ? 1 : 0);
  }

  if (o['golden-a64vm']) {
    const why = a64vmUnavailable();
    if (why) fail(`a64vm cannot run: ${why}`);
    const meta = loadMeta();
    const only = o.shard !== undefined ? [Number(o.shard)] : meta.shards.map((_, i) => i);
    let failed = false;
    for (const i of only) {
      const g = loadShard(i, undefined, meta);
      const a = await runResilient((b) => runA64vm(b, { sink: o.uart ? 'uart' : 'ram' }), g.cases);
      const s = compareRuns(g.cases, g.results, a.results);
      printSummary(`shard ${i}: a64vm vs committed QEMU results`, s, g.cases.length);
      console.log(`a64vm: ${a.seconds.toFixed(2)} s (${Math.round(g.cases.length / a.seconds)} cases/s) in ${a.runs} run(s)`);
      await initDisasm();
      printStops('a64vm', a, g.cases);
      await report(g.cases, g.results, a.results, s, maxReport, false);
      failed ||= s.mismatches.length > 0 || s.missing.length > 0;
    }
    process.exit(failed ? 1 : 0);
  }

  // --fresh (the default)
  if (!qemuAvailable()) fail('qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)');
  const seed = o.seed !== undefined ? Number(o.seed) : (Math.random() * 2 ** 32) >>> 0;
  const opts: GenerateOptions = {
    seed, perEncoding: Number(o.per ?? 10), perMmuOff: Number(o['mmu-off'] ?? 3), perAlignCheck: Number(o.align ?? 2),
    only: o.only ? new RegExp(o.only) : undefined,
    fp: o.fp ? true : o['no-fp'] ? false : undefined,
  };
  const g = generate(opts);
  const bin = encodeCases(g.cases);
  console.log(`fresh: seed ${seed} (rerun with --seed ${seed}), ${g.cases.length} cases, ${bin.length} bytes`);
  if (o.save) {
    mkdirSync(o.save, { recursive: true });
    writeFileSync(join(o.save, 'cases.bin'), bin);
  }
  const why = o['qemu-only'] || otherCpu ? undefined : a64vmUnavailable();
  if (why) fail(`a64vm cannot run: ${why}`);
  const other = otherCpu ? 'QEMU -cpu ' + otherCpu : 'a64vm';
  const [q, a] = await Promise.all([
    runQemu(bin, { cpu }),
    o['qemu-only'] ? Promise.resolve(undefined) : runResilient(runOther, g.cases),
  ]);
  console.log(`QEMU (${cpu}): ${q.results.length} results in ${q.seconds.toFixed(2)} s (${Math.round(g.cases.length / q.seconds)} cases/s)${q.ended ? '' : ', did not finish'}${q.errors.length ? ', runner errors: ' + q.errors.join('; ') : ''}`);
  if (o.save) writeFileSync(join(o.save, 'qemu-results.txt'), q.results.map(formatResult).join('\n') + '\n');
  if (!q.ended || q.results.length !== g.cases.length) fail(`the QEMU run is incomplete; the runner is broken: ${q.stderr}`, 1);
  if (!a) {
    console.log(formatCoverage(coverage(g.cases), opts.perEncoding));
    return;
  }
  if (o.save) writeFileSync(join(o.save, 'a64vm-results.txt'), a.results.map(formatResult).join('\n') + '\n');
  console.log(`${other}: ${a.results.length} results in ${a.seconds.toFixed(2)} s (${Math.round(g.cases.length / a.seconds)} cases/s) in ${a.runs} run(s)`);
  await initDisasm();
  printStops(other, a, g.cases);
  // QEMU against QEMU: both sides deviate alike, so no deviation is applied.
  const s = compareRuns(g.cases, q.results, a.results, otherCpu ? [] : DEVIATIONS);
  printSummary(`QEMU vs ${other}`, s, g.cases.length);
  await report(g.cases, q.results, a.results, s, maxReport, !o['no-minimise']);
  const rows = coverage(g.cases, s);
  const bad = rows.filter((r) => r.mismatched > 0);
  if (bad.length) console.log(`Encodings with mismatches: ${bad.map((r) => `${r.name} (${r.mismatched}/${r.compared})`).join(', ')}`);
  process.exit(s.mismatches.length || s.missing.length ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => { console.error(e); process.exit(2); });
}
