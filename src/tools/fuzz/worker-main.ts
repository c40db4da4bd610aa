// One --jobs worker: fuzzes with its own seed and output directory, pulling the other workers'
// queue directories every few thousand executions; reports statistics to the main thread.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Harness, loadHarnessConfig } from './harness.ts';
import { Fuzzer } from './fuzzer.ts';
import { parseDict } from './cli.ts';

const d = workerData as { config: string; inDir?: string; outDir: string; seed: number; execs?: number; time?: number; dict?: string; cmplog: boolean; coverage: boolean; syncDirs: string[] };
const harness = await Harness.create(loadHarnessConfig(d.config));
harness.coverage = d.coverage;
const f = new Fuzzer(harness, { seed: d.seed, inDir: d.inDir, outDir: d.outDir, cmplog: d.cmplog, syncDirs: d.syncDirs, dict: d.dict ? parseDict(readFileSync(d.dict, 'utf8')) : [] });
f.onFinding = (x) => parentPort!.postMessage({ finding: `new crash: ${x.crash.kind} at PC 0x${x.crash.pc.toString(16)} -> ${x.file}` });
const deadline = d.time !== undefined ? Date.now() + d.time * 1000 : undefined;
f.fuzz({ maxExecs: d.execs, stop: () => deadline !== undefined && Date.now() > deadline, progress: (s) => parentPort!.postMessage({ stats: s }) });
