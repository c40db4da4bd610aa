// Runs the case runner guest on a64vm and parses its UART output, exactly as for QEMU.
// By default in-process through the library API (src/vm.ts: VM.create with the runner ELF as
// kernel and the case file as a raw load at CASES_ADDR); with { via: 'cli' } (or
// A64VM_DIFF_VIA=cli) it drives the `a64vm run` command in a child process instead, as a user
// would: `a64vm run guest-images/diff-runner.elf --load CASES@0x44000000`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES_ADDR, parseResults, ramSinkText, withRamSink, type RunOutput } from './format.ts';
import { RUNNER_ELF } from './qemu.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const A64VM_CLI = join(ROOT, 'src', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface A64vmRun extends RunOutput {
  raw: string;
  stderr: string;
  status: number | null;
  timedOut: boolean;
  seconds: number;
  command: string;
  /** Guest instructions retired (in-process runs). */
  instructions?: bigint;
}

/** Why a64vm cannot run yet (missing CLI or CPU build), or undefined when it can be tried. */
export function a64vmUnavailable(): string | undefined {
  if (!existsSync(A64VM_CLI)) return `${A64VM_CLI} does not exist yet`;
  if (!existsSync(join(ROOT, 'build', 'cpu.wasm'))) return 'build/cpu.wasm is missing (npm run build:wasm)';
  return undefined;
}

export interface A64vmOptions {
  timeoutMs?: number;
  elf?: string;
  via?: 'api' | 'cli';
  /**
   * Where the runner writes its results (in-process runs): 'ram' (default), a buffer read back
   * after the run, or 'uart', as on QEMU. Same text either way; the UART costs two MMIO exits
   * (FR poll, DR write) per character, which is most of a64vm's time per case.
   */
  sink?: 'ram' | 'uart';
}

/** Instructions allowed per case before a run counts as wedged (a case takes about 5,000). */
const BUDGET_PER_CASE = 200_000;
/** RAM sink bytes per case: more than the longest line the runner can print (all state changed). */
const MAX_LINE = 2048;

export async function runA64vm(cases: Uint8Array, opts: A64vmOptions = {}): Promise<A64vmRun> {
  const via = opts.via ?? (process.env.A64VM_DIFF_VIA === 'cli' ? 'cli' : 'api');
  return via === 'cli' ? runCli(cases, opts) : runApi(cases, opts);
}

async function runApi(cases: Uint8Array, opts: A64vmOptions): Promise<A64vmRun> {
  const elf = opts.elf ?? RUNNER_ELF;
  const { VM } = await import('../../vm.ts');
  const t0 = performance.now();
  const count = new DataView(cases.buffer, cases.byteOffset, cases.byteLength).getUint32(12, true);
  const sink = opts.sink === 'uart' ? undefined : withRamSink(cases, MAX_LINE * (count + 2));
  const vm = await VM.create({
    kernel: { data: new Uint8Array(readFileSync(elf)), name: 'diff-runner.elf' },
    loads: [{ data: sink?.bin ?? cases, name: 'cases.bin', addr: CASES_ADDR }],
  });
  const r = vm.run({ budget: BigInt(10_000_000 + BUDGET_PER_CASE * count) });
  // The RAM sink's lines, then whatever reached the UART (an error when the buffer filled up).
  let raw = '';
  if (sink) {
    const len = Number(new DataView(vm.memslots.read(sink.addr, 8).buffer).getBigUint64(0, true));
    raw = ramSinkText(vm.memslots.read(sink.addr, 8 + Math.min(len, sink.size - 8)));
    if (len > sink.size - 8) raw += `\nERR result buffer claims ${len} bytes, holds ${sink.size - 8}\n`;
  }
  raw += Buffer.from(r.outputBytes).toString('latin1');
  return {
    ...parseResults(raw), raw, stderr: r.message ?? '', status: r.status, timedOut: r.reason === 'budget',
    seconds: (performance.now() - t0) / 1000, command: `VM.run (${r.reason})`, instructions: r.instructions,
  };
}

async function runCli(cases: Uint8Array, opts: A64vmOptions): Promise<A64vmRun> {
  const dir = mkdtempSync(join(tmpdir(), 'a64diff-'));
  const path = join(dir, 'cases.bin');
  writeFileSync(path, cases);
  const args = [TSX, A64VM_CLI, 'run', opts.elf ?? RUNNER_ELF, '--load', `${path}@0x${CASES_ADDR.toString(16)}`];
  const t0 = performance.now();
  try {
    return await new Promise<A64vmRun>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 300_000);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (status) => {
        clearTimeout(timer);
        const raw = Buffer.concat(out).toString('latin1');
        resolve({
          ...parseResults(raw), raw, stderr: Buffer.concat(err).toString('utf8'), status, timedOut,
          seconds: (performance.now() - t0) / 1000, command: `a64vm run ${opts.elf ?? 'guest-images/diff-runner.elf'} --load CASES@0x${CASES_ADDR.toString(16)}`,
        });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
