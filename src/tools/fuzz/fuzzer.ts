// The fuzzing loop: a queue of inputs that found new coverage; for each, once, an input-to-state
// stage from its comparison log (cmplog), then havoc rounds (stacked mutations, dictionary
// tokens, splicing). Crashes are de-duplicated by (kind, PC) and written as reproducers.
// Deterministic for a given seed and starting corpus (without sync from other workers).
import type { Crash, Harness } from './harness.ts';
import { CoverageMap } from './coverage.ts';
import { crashKey, OutDir, readInputs } from './corpus.ts';
import { havoc, inputToState, Rng, tokensFrom, type MutateContext } from './mutate.ts';
import { minimise } from './minimise.ts';

export interface FuzzOptions {
  seed?: number;
  /** Starting inputs (besides inDir); a single empty input when none are given. */
  seeds?: Uint8Array[];
  inDir?: string;
  outDir?: string;
  dict?: Uint8Array[];
  /** Comparison feedback (input-to-state and automatic dictionary), default on. */
  cmplog?: boolean;
  /** Havoc mutants per queue entry per cycle (default 256). */
  havocPerEntry?: number;
  /** Directories to pull other workers' new inputs from (--jobs). */
  syncDirs?: string[];
  /** Minimise each new crash's input (minimise.ts; not hangs), default on. */
  minimise?: boolean;
}

export interface Finding {
  key: string; crash: Crash; input: Uint8Array; execs: number;
  /** The smallest input found with the same key (minimise.ts). */
  minimised?: Uint8Array;
  /** The reproducer to replay (-o): the minimised one when there is one. */
  file?: string;
}

export interface FuzzStats { execs: number; corpus: number; edges: number; crashes: number; hangs: number; elapsedMs: number }

export class Fuzzer {
  readonly coverage = new CoverageMap();
  readonly queue: Uint8Array[] = [];
  readonly findings = new Map<string, Finding>();
  execs = 0;
  private readonly rng: Rng;
  private readonly ctx: MutateContext;
  private readonly out?: OutDir;
  private readonly cmplog: boolean;
  private readonly i2sDone = new Set<number>();
  private readonly dictKeys = new Set<string>();
  private next = 0;
  private readonly started = Date.now();
  private readonly synced = new Set<string>();
  /** Called on every new finding. */
  onFinding?: (f: Finding) => void;

  constructor(readonly harness: Harness, readonly opts: FuzzOptions = {}) {
    this.rng = new Rng(opts.seed ?? 1);
    this.cmplog = opts.cmplog ?? true;
    this.ctx = { rng: this.rng, maxLen: harness.maxLen, dict: [], corpus: this.queue };
    for (const t of opts.dict ?? []) this.addToken(t);
    if (opts.outDir) this.out = new OutDir(opts.outDir);
    const seeds = [...(opts.seeds ?? []), ...readInputs(opts.inDir, harness.maxLen).map((e) => e.data)];
    if (seeds.length === 0) seeds.push(new Uint8Array(0));
    for (const s of seeds) this.runOne(s, true);
  }

  stats(): FuzzStats {
    let hangs = 0;
    for (const f of this.findings.values()) if (f.crash.kind === 'hang') hangs++;
    return { execs: this.execs, corpus: this.queue.length, edges: this.coverage.edges, crashes: this.findings.size - hangs, hangs, elapsedMs: Date.now() - this.started };
  }

  private addToken(t: Uint8Array): void {
    const k = t.join(',');
    if (this.dictKeys.has(k) || this.ctx.dict.length >= 256) return;
    this.dictKeys.add(k);
    this.ctx.dict.push(t);
  }

  /** Executes one input; keeps it when it has new coverage (or force); records crashes. */
  runOne(input: Uint8Array, force = false): boolean {
    const h = this.harness;
    h.cmplog = false;
    const r = h.exec(input);
    this.execs++;
    const fresh = this.coverage.merge(h.cov);
    if (r.crash) {
      const key = crashKey(r.crash);
      if (!this.findings.has(key)) {
        const f: Finding = { key, crash: r.crash, input: input.slice(), execs: this.execs };
        // Minimising runs the harness but leaves the fuzzer's state (queue, coverage, PRNG) alone.
        if (r.crash.kind !== 'hang' && (this.opts.minimise ?? true)) {
          const m = minimise(h, f.input, 2000);
          if (m.kept === key) f.minimised = m.data;
        }
        if (this.out) f.file = this.out.saveCrash(r.crash, input, r.instructions, f.minimised);
        this.findings.set(key, f);
        this.onFinding?.(f);
      }
      return false;
    }
    if (fresh || force) {
      this.queue.push(input.slice());
      this.out?.saveInput(input);
      return true;
    }
    return false;
  }

  /** One unit of work: the next queue entry's input-to-state stage (first time) and a havoc round. */
  step(): void {
    if (this.opts.syncDirs) this.sync();
    const idx = this.next++ % this.queue.length;
    const entry = this.queue[idx];
    if (this.cmplog && !this.i2sDone.has(idx)) {
      this.i2sDone.add(idx);
      const h = this.harness;
      h.cmplog = true;
      h.exec(entry);
      this.execs++;
      const cmps = h.comparisons();
      h.cmplog = false;
      for (const t of tokensFrom(cmps)) this.addToken(t);
      for (const m of inputToState(entry, cmps)) this.runOne(m);
    }
    const n = this.opts.havocPerEntry ?? 256;
    for (let i = 0; i < n; i++) this.runOne(havoc(entry, this.ctx));
  }

  /** Runs until execs reach maxExecs, a crash is found (stopOnCrash) or stop() says so. */
  fuzz(limits: { maxExecs?: number; stopOnCrash?: boolean; stop?: () => boolean; progress?: (s: FuzzStats) => void }): void {
    let lastProgress = 0;
    while ((limits.maxExecs === undefined || this.execs < limits.maxExecs) && !(limits.stopOnCrash && this.crashCount() > 0) && !limits.stop?.()) {
      this.step();
      if (limits.progress && Date.now() - lastProgress > 250) { lastProgress = Date.now(); limits.progress(this.stats()); }
    }
    limits.progress?.(this.stats());
  }

  private crashCount(): number { let n = 0; for (const f of this.findings.values()) if (f.crash.kind !== 'hang') n++; return n; }

  /** Pulls inputs other workers wrote to their queues. */
  private sync(): void {
    if (this.execs - this.lastSync < 5000) return;
    this.lastSync = this.execs;
    for (const d of this.opts.syncDirs ?? []) {
      for (const e of readInputs(d, this.harness.maxLen)) {
        if (this.synced.has(e.name)) continue;
        this.synced.add(e.name);
        this.runOne(e.data);
      }
    }
  }
  private lastSync = 0;
}
