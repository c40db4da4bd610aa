// The fuzzer's figures (issue 9's "must show"), reproducibly:
//   npx tsx src/tools/fuzz/measure.ts [--seeds N] [--execs N]
// - executions to find the parser bug from a trivial seed with comparison feedback, per PRNG
//   seed 1..N, and the median;
// - executions per second on the parser target with the edge map on and off (one job, the same
//   inputs: one fuzzing session replayed), and on the hypercall target from its seed corpus;
// For throughput with --jobs, time `a64vm fuzz CONFIG -o DIR --jobs 2 --time S` (its final line).
// Wall-clock figures depend on the machine and its load; the execution counts do not.
import { join } from 'node:path';
import { Harness, loadHarnessConfig } from './harness.ts';
import { Fuzzer } from './fuzzer.ts';
import { readInputs } from './corpus.ts';

const DIR = join(import.meta.dirname, '../../../guest-images/fuzz');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const parser = await Harness.create(loadHarnessConfig(join(DIR, 'parser.json')));
const seeds = arg('--seeds', 5);
const found: number[] = [];
for (let seed = 1; seed <= seeds; seed++) {
  const f = new Fuzzer(parser, { seed, seeds: [new TextEncoder().encode('AAAAAAAAAAAAAAAA')], minimise: false });
  f.fuzz({ maxExecs: 1_000_000, stopOnCrash: true });
  const x = [...f.findings.values()].find((v) => v.crash.kind !== 'hang');
  found.push(x ? x.execs : Infinity);
  console.log(`parser bug, seed ${seed}: ${x ? `found after ${x.execs} executions (${x.crash.kind} at PC 0x${x.crash.pc.toString(16)})` : 'not found in 1,000,000'}`);
}
console.log(`parser bug: median ${median(found)} executions over ${seeds} seeds`);

// Throughput: one session's inputs, replayed with the edge map on and off.
const n = arg('--execs', 20_000);
const f = new Fuzzer(parser, { seed: 1, seeds: [new TextEncoder().encode('AAAAAAAAAAAAAAAA')], minimise: false });
const inputs: Uint8Array[] = [];
const exec = parser.exec.bind(parser);
parser.exec = (input) => { if (inputs.length < n) inputs.push(input.slice()); return exec(input); };
const t0 = performance.now();
f.fuzz({ maxExecs: n });
console.log(`parser, fuzzing (mutation, coverage merge, cmplog stages): ${f.execs} executions = ${Math.round(f.execs / ((performance.now() - t0) / 1000))}/s`);
parser.exec = exec;
// The same inputs replayed, edge map on and off alternately (medians of 5 rounds each: the
// machine's load varies).
const rate: Record<string, number[]> = { on: [], off: [] };
for (let round = 0; round < 10; round++) {
  const coverage = round % 2 === 0;
  parser.coverage = coverage;
  const t = performance.now();
  for (const input of inputs) parser.exec(input);
  rate[coverage ? 'on' : 'off'].push(inputs.length / ((performance.now() - t) / 1000));
}
parser.coverage = true;
const on = median(rate.on), off = median(rate.off);
console.log(`parser, replaying ${inputs.length} inputs: edge map on ${Math.round(on)}/s, off ${Math.round(off)}/s (coverage costs ${((off / on - 1) * 100).toFixed(0)}%)`);

const hc = await Harness.create(loadHarnessConfig(join(DIR, 'hypercall.json')));
const hf = new Fuzzer(hc, { seed: 1, seeds: readInputs(join(DIR, 'hypercall-seeds')).map((e) => e.data), minimise: false });
const t = performance.now();
hf.fuzz({ maxExecs: n / 4 });
const s = (performance.now() - t) / 1000;
console.log(`hypercall (rfc-v1, checked every step): ${hf.execs} executions in ${s.toFixed(2)} s = ${Math.round(hf.execs / s)}/s, ${hf.findings.size} findings, corpus ${hf.queue.length}`);
