// a64vm fuzz CONFIG [options]: coverage-guided fuzzing of a guest (harness.ts for the config).
//   -i DIR          starting corpus (default: one empty input)
//   -o DIR          output: DIR/queue (corpus, shared by --jobs workers), DIR/crashes (reproducers)
//   --seed N        PRNG seed (default 1)           --execs N   stop after N executions
//   --time S        stop after S seconds            --dict FILE tokens, one per line (AFL syntax: "..." with \xNN)
//   --no-cmplog     no comparison feedback          --no-coverage run without the edge map (blind)
//   --jobs N        N worker threads sharing DIR/queue (needs -o)
//   --replay FILE   run FILE once and report how it ends (exit status 1 for a crash)
//   --minimise FILE shrink FILE keeping its crash (kind, PC) or, if it does not crash, its
//                   coverage; writes -o FILE (default FILE.min)
//   --cmin DIR      corpus minimisation: copy to -o DIR the smallest inputs of DIR that keep its coverage
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Harness, loadHarnessConfig } from './harness.ts';
import { Fuzzer, type FuzzStats } from './fuzzer.ts';
import { minimise, minimiseCorpus } from './minimise.ts';
import { readInputs } from './corpus.ts';

export interface FuzzIO { stdout(t: string): void; stderr(t: string): void; isTTY?: boolean }

export interface FuzzArgs {
  config: string; inDir?: string; outDir?: string; seed: number; execs?: number; time?: number;
  dict?: string; cmplog: boolean; coverage: boolean; jobs: number; replay?: string; quiet: boolean;
  minimise?: string; cmin?: string;
}

export function parseFuzzArgs(argv: string[]): FuzzArgs {
  const a: Partial<FuzzArgs> = { seed: 1, cmplog: true, coverage: true, jobs: 1, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${f} needs a value`); return argv[++i]; };
    switch (f) {
      case '-i': case '--in': a.inDir = val(); break;
      case '-o': case '--out': a.outDir = val(); break;
      case '--seed': a.seed = Number(val()); break;
      case '--execs': a.execs = Number(val()); break;
      case '--time': a.time = Number(val()); break;
      case '--dict': a.dict = val(); break;
      case '--no-cmplog': a.cmplog = false; break;
      case '--no-coverage': a.coverage = false; break;
      case '--jobs': a.jobs = Number(val()); break;
      case '--replay': a.replay = val(); break;
      case '--minimise': case '--minimize': a.minimise = val(); break;
      case '--cmin': a.cmin = val(); break;
      case '--quiet': a.quiet = true; break;
      default:
        if (f.startsWith('-') || a.config) throw new Error(`fuzz: unexpected argument '${f}'`);
        a.config = f;
    }
  }
  if (!a.config) throw new Error('usage: a64vm fuzz CONFIG.json [-i DIR] [-o DIR] [--seed N] [--execs N] [--time S] [--dict FILE] [--no-cmplog] [--no-coverage] [--jobs N] [--replay FILE] [--minimise FILE [-o OUT]] [--cmin DIR -o DIR]');
  if (a.jobs! > 1 && !a.outDir) throw new Error('fuzz: --jobs needs -o DIR (the workers share DIR/queue)');
  if (a.cmin && !a.outDir) throw new Error('fuzz: --cmin needs -o DIR (where the kept inputs go)');
  for (const [k, v] of [['--seed', a.seed], ['--execs', a.execs], ['--time', a.time], ['--jobs', a.jobs]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`fuzz: ${k} needs a non-negative number`);
  }
  return a as FuzzArgs;
}

/** AFL dictionary lines: name="value" or "value", with \xNN, \\ and \" escapes. */
export function parseDict(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const line of text.split('\n')) {
    const m = /"((?:[^"\\]|\\.)*)"\s*$/.exec(line.trim());
    if (!m || line.trim().startsWith('#')) continue;
    const bytes: number[] = [];
    const s = m[1];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '\\' && s[i + 1] === 'x') { bytes.push(parseInt(s.slice(i + 2, i + 4), 16)); i += 3; }
      else if (s[i] === '\\') { bytes.push(s.charCodeAt(++i)); }
      else bytes.push(s.charCodeAt(i));
    }
    if (bytes.length) out.push(Uint8Array.from(bytes));
  }
  return out;
}

const fmt = (s: FuzzStats, jobs = 1) =>
  `execs ${s.execs}  ${Math.round(s.execs / Math.max(s.elapsedMs, 1) * 1000)}/s${jobs > 1 ? ` (${jobs} jobs)` : ''}  corpus ${s.corpus}  edges ${s.edges}  crashes ${s.crashes}  hangs ${s.hangs}  ${(s.elapsedMs / 1000).toFixed(1)}s`;

export async function fuzzMain(argv: string[], io: FuzzIO): Promise<number> {
  let a: FuzzArgs;
  try { a = parseFuzzArgs(argv); } catch (e) { io.stderr(`a64vm: ${(e as Error).message}\n`); return 2; }
  const harness = await Harness.create(loadHarnessConfig(a.config));
  harness.coverage = a.coverage;
  if (a.replay) {
    const data = new Uint8Array(readFileSync(a.replay));
    const r = harness.exec(data);
    if (!r.crash) { io.stdout(`replay: no crash (${r.instructions} instructions)\n`); return 0; }
    io.stdout(`replay: crash ${r.crash.kind} at PC 0x${r.crash.pc.toString(16)} after ${r.instructions} instructions${r.crash.message ? `: ${r.crash.message}` : ''}\n`);
    return 1;
  }
  if (a.minimise) {
    const data = new Uint8Array(readFileSync(a.minimise));
    const m = minimise(harness, data);
    const out = a.outDir ?? `${a.minimise}.min`;
    writeFileSync(out, m.data);
    io.stdout(`minimise: ${data.length} -> ${m.data.length} bytes keeping ${m.kept === 'coverage' ? 'the same coverage (no crash)' : `crash ${m.kept}`} (${m.execs} executions) -> ${out}\n`);
    return 0;
  }
  if (a.cmin) {
    const inputs = readInputs(a.cmin, harness.maxLen);
    const keep = minimiseCorpus(harness, inputs.map((e) => e.data));
    mkdirSync(a.outDir!, { recursive: true });
    for (const i of keep) writeFileSync(join(a.outDir!, inputs[i].name), inputs[i].data);
    io.stdout(`cmin: kept ${keep.length} of ${inputs.length} inputs -> ${a.outDir}\n`);
    return 0;
  }
  const dict = a.dict ? parseDict(readFileSync(a.dict, 'utf8')) : [];
  const deadline = a.time !== undefined ? Date.now() + a.time * 1000 : undefined;
  const show = (line: string, final = false) => { if (!a.quiet) io.stderr(io.isTTY ? `\r\x1b[K${line}${final ? '\n' : ''}` : `${line}\n`); };
  if (a.jobs > 1) return runJobs(a, show);
  const f = new Fuzzer(harness, { seed: a.seed, inDir: a.inDir, outDir: a.outDir, dict, cmplog: a.cmplog });
  f.onFinding = (x) => show(`new crash: ${x.crash.kind} at PC 0x${x.crash.pc.toString(16)} after ${x.execs} execs${x.file ? ` -> ${x.file}` : ''}`, true);
  f.fuzz({ maxExecs: a.execs, stop: () => deadline !== undefined && Date.now() > deadline, progress: (s) => show(fmt(s)) });
  show(fmt(f.stats()), true);
  return 0;
}

/** --jobs N: N worker threads (seeds seed..seed+N-1), each pulling the others' queue entries. */
async function runJobs(a: FuzzArgs, show: (l: string, final?: boolean) => void): Promise<number> {
  const stats: FuzzStats[] = [];
  const t0 = Date.now();
  const workers = Array.from({ length: a.jobs }, (_, j) => {
    const out = join(a.outDir!, `w${j}`);
    const syncDirs = Array.from({ length: a.jobs }, (_, k) => join(a.outDir!, `w${k}`, 'queue')).filter((_, k) => k !== j);
    const w = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { config: a.config, inDir: a.inDir, outDir: out, seed: a.seed + j, execs: a.execs, time: a.time, dict: a.dict, cmplog: a.cmplog, coverage: a.coverage, syncDirs },
    });
    w.on('message', (m: { stats?: FuzzStats; finding?: string }) => {
      if (m.stats) stats[j] = m.stats;
      if (m.finding) show(`worker ${j}: ${m.finding}`, true);
      const tot = stats.filter(Boolean);
      show(fmt({ execs: tot.reduce((s, x) => s + x.execs, 0), corpus: Math.max(...tot.map((x) => x.corpus)), edges: Math.max(...tot.map((x) => x.edges)), crashes: Math.max(...tot.map((x) => x.crashes)), hangs: Math.max(...tot.map((x) => x.hangs)), elapsedMs: Date.now() - t0 }, a.jobs));
    });
    return new Promise<void>((res, rej) => { w.on('exit', () => res()); w.on('error', rej); });
  });
  await Promise.all(workers);
  show('', true);
  return 0;
}
