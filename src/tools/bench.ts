// The benchmark suite (`npm run bench`): runs the guests of guest-images/bench/ on a64vm through
// the library API and, when qemu-system-aarch64 is installed, on QEMU in the same run, and
// reports guest instructions retired, wall time, MIPS and the ratio a64vm/QEMU.
//
//   npm run bench                       every guest, 3 repetitions, medians
//   npm run bench -- --quick            a smoke run: a few small guests, 1 repetition
//   npm run bench -- --json FILE        also write the results as JSON
//   npm run bench -- --help             the other options
//
// A benchmark that computes the wrong answer is a failure, not a fast result: each guest prints
// one line with a checksum, and a64vm's UART output must equal QEMU's from the same run (and the
// line recorded from QEMU in test/fixtures/bench-checksums.json). Any mismatch, any guest that
// does not power off cleanly, and any difference in instruction count between repetitions makes
// the run exit non-zero.
//
// How times are measured:
// - a64vm: the wall time of VM.run() alone (the VM is created, and the image loaded, before the
//   clock starts); instructions are the count the API reports. One short warm-up run comes
//   first, so V8 has optimised the CPU module before anything is timed.
// - QEMU: the wall time of the whole qemu-system-aarch64 process, minus its start-up cost, taken
//   as the median time of guest-images/bench/null.elf (which powers off at once). QEMU's
//   instruction count comes from a separate `-icount shift=0` run (QMP query-replay after the
//   guest's SYSTEM_OFF); without it (--quick, --no-icount, or a failure) a64vm's count is used,
//   since the guests are deterministic and both execute the same instructions.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('../../guest-images/bench/', import.meta.url));
export const CHECKSUMS_FILE = fileURLToPath(new URL('../../test/fixtures/bench-checksums.json', import.meta.url));
export const QEMU_BIN = process.env.QEMU_SYSTEM_AARCH64 ?? 'qemu-system-aarch64';
export const QEMU_ARGS = ['-M', 'virt', '-cpu', 'cortex-a57', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot'];

/** compute: the integer set issue 10's targets are about; fpsimd: the SIMD&FP paths (issue 11). */
export type GuestKind = 'compute' | 'fpsimd' | 'hypervisor';
export interface Guest {
  /** File name without .elf, e.g. crc32-mmuon. */
  name: string;
  kind: GuestKind;
  /** What the guest measures, for the table. */
  what: string;
}

const COMPUTE: [string, string][] = [
  ['crc32', 'table-driven CRC32 over 64 KiB'],
  ['sieve', 'byte sieve of Eratosthenes'],
  ['intmix', 'Dhrystone-like integer mix'],
  ['matmul', '96x96 integer matrix multiply'],
  ['memops', 'byte-wise memset + memcpy'],
  ['ptrchase', 'pointer chase over 8 MiB'],
];
const FPSIMD: [string, string][] = [
  ['fpmix', 'scalar and vector floating point'],
  ['simd', 'Advanced SIMD integer stream (LD1/ST1, TBL, UMLAL, ...)'],
];

export const GUESTS: Guest[] = [
  ...COMPUTE.flatMap(([n, what]) => [
    { name: `${n}-mmuoff`, kind: 'compute' as const, what: `${what}, MMU off` },
    { name: `${n}-mmuon`, kind: 'compute' as const, what: `${what}, MMU on (4 KiB pages)` },
  ]),
  ...FPSIMD.flatMap(([n, what]) => [
    { name: `${n}-mmuoff`, kind: 'fpsimd' as const, what: `${what}, MMU off` },
    { name: `${n}-mmuon`, kind: 'fpsimd' as const, what: `${what}, MMU on (4 KiB pages)` },
  ]),
  { name: 'mmio', kind: 'hypervisor', what: 'PL011 FR reads (trapped MMIO)' },
  { name: 'hvc', kind: 'hypervisor', what: 'HVC SMCCC_VERSION round trips' },
  { name: 'svc', kind: 'hypervisor', what: 'SVC round trips at EL1' },
  // The MMIO guard (rfc-v1, the default ABI). On QEMU there is no guard: the same calls return
  // NOT_SUPPORTED and the same reads go unchecked, so QEMU's figures are plain HVC and MMIO costs.
  { name: 'guardmap', kind: 'hypervisor', what: 'MMIO guard MAP/UNMAP pairs (hypercall round trips)' },
  { name: 'guardmmio', kind: 'hypervisor', what: 'PL011 FR reads, enrolled in the MMIO guard, UART mapped' },
];

/** Guard calls a64vm must have answered for each guard guest, given the amount its line reports. */
const GUARD_CALLS: Record<string, (amount: number) => number> = {
  guardmap: (n) => 2 + 2 * n, // ENROLL and MAP of the UART, then n pairs
  guardmmio: () => 2,
};

/** The --quick subset: small guests, one of each path (memory/TLB, hypercall, exception). */
export const QUICK_GUESTS = ['ptrchase-mmuoff', 'ptrchase-mmuon', 'hvc', 'svc'];

export const guestPath = (name: string) => join(BENCH_DIR, `${name}.elf`);

export interface ResultLine { name: string; mmu: string; unit: string; amount: number; checksum: string }

/** Parses "BENCH <name> mmu=<on|off> <unit>=<n> checksum=0x<hex>". */
export function parseResultLine(output: string): ResultLine | undefined {
  const m = /^BENCH (\S+) mmu=(\S+) (\w+)=(\d+) checksum=(0x[0-9a-f]+)$/m.exec(output);
  return m ? { name: m[1], mmu: m[2], unit: m[3], amount: Number(m[4]), checksum: m[5] } : undefined;
}

// ---------------------------------------------------------------- a64vm

export interface A64vmRun {
  seconds: number; instructions: bigint; output: string; ok: boolean; message?: string;
  /** MMIO guard calls answered and violations injected during the run. */
  guard: { calls: number; violations: number };
}

type VMClass = typeof import('../vm.ts').VM;
let vmClass: VMClass | undefined;
async function loadVM(): Promise<VMClass> {
  vmClass ??= (await import('../vm.ts')).VM; // loads the CPU only when something runs on it
  return vmClass;
}

/** Runs one image on a64vm; times VM.run() only. */
export async function runA64vm(file: string, budget = 20_000_000_000n, jit?: number | false): Promise<A64vmRun> {
  const VM = await loadVM();
  const vm = await VM.create({ kernel: { data: new Uint8Array(readFileSync(file)), name: file }, jit });
  const t0 = performance.now();
  const r = vm.run({ budget });
  const seconds = (performance.now() - t0) / 1000;
  const ok = r.reason === 'system-off' && r.status === 0;
  return {
    seconds, instructions: r.instructions, output: r.output, ok, guard: { ...vm.guard.stats },
    message: ok ? undefined : `stopped with ${r.reason} (status ${r.status})${r.message ? `: ${r.message}` : ''}`,
  };
}

// ---------------------------------------------------------------- QEMU

export function qemuVersion(): string | undefined {
  const r = spawnSync(QEMU_BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout ?? '').split('\n')[0].trim() : undefined;
}

export interface QemuRun { seconds: number; output: string; ok: boolean; message?: string; icount?: bigint }

const QEMU_TIMEOUT_MS = 60_000;

/** Runs one image on QEMU; times the whole process. */
export function runQemu(file: string): Promise<QemuRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(QEMU_BIN, [...QEMU_ARGS, '-kernel', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, QEMU_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => { clearTimeout(timer); resolve({ seconds: 0, output: '', ok: false, message: e.message }); });
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const output = Buffer.concat(out).toString('utf8').replace(/\r/g, '');
      const ok = code === 0 && !timedOut;
      const why = timedOut ? `timed out after ${QEMU_TIMEOUT_MS / 1000} s` : `exit status ${code}`;
      resolve({ seconds, output, ok, message: ok ? undefined : `${why}: ${Buffer.concat(err).toString('utf8').trim()}` });
    });
  });
}

/**
 * QEMU's count of retired instructions: a `-icount shift=0` run, started paused with
 * -no-shutdown, so that after the guest's SYSTEM_OFF the QMP command query-replay still answers
 * with the instruction counter.
 */
export async function qemuInstructionCount(file: string): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'a64bench-'));
  const sock = join(dir, 'qmp.sock');
  const child = spawn(QEMU_BIN, [...QEMU_ARGS, '-icount', 'shift=0', '-S', '-no-shutdown',
    '-qmp', `unix:${sock},server=on,wait=off`, '-kernel', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const exited = new Promise<void>((res) => child.on('close', () => res()));
  const t0 = performance.now();
  let sockConn: Socket | undefined;
  const fail = (message: string): QemuRun =>
    ({ seconds: 0, output: Buffer.concat(out).toString('utf8'), ok: false, message: `${message} ${Buffer.concat(err).toString('utf8').trim()}`.trim() });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${QEMU_TIMEOUT_MS / 1000} s`)), QEMU_TIMEOUT_MS); });
    const work = (async () => {
      for (let i = 0; ; i++) {
        try {
          sockConn = await new Promise<Socket>((res, rej) => { const s = connect(sock, () => res(s)); s.on('error', rej); });
          break;
        } catch (e) {
          if (i > 200 || child.exitCode !== null) throw new Error(`cannot reach QEMU's QMP socket: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      const s = sockConn;
      const waiters: ((m: Record<string, unknown>) => boolean)[] = [];
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        for (let i; (i = buf.indexOf('\n')) >= 0;) {
          const msg = JSON.parse(buf.slice(0, i));
          buf = buf.slice(i + 1);
          const w = waiters.findIndex((f) => f(msg));
          if (w >= 0) waiters.splice(w, 1);
        }
      });
      const next = (pred: (m: Record<string, unknown>) => boolean) =>
        new Promise<Record<string, unknown>>((res) => waiters.push((m) => (pred(m) ? (res(m), true) : false)));
      const command = (execute: string) => { const r = next((m) => 'return' in m || 'error' in m); s.write(JSON.stringify({ execute }) + '\n'); return r; };
      await next((m) => 'QMP' in m);
      await command('qmp_capabilities');
      const off = next((m) => m.event === 'SHUTDOWN');
      await command('cont');
      await off;
      const r = await command('query-replay');
      if (!('return' in r)) throw new Error(`query-replay failed: ${JSON.stringify(r)}`);
      const icount = BigInt((r.return as { icount: number | string }).icount);
      const seconds = (performance.now() - t0) / 1000;
      s.write(JSON.stringify({ execute: 'quit' }) + '\n');
      await exited;
      return { seconds, output: Buffer.concat(out).toString('utf8').replace(/\r/g, ''), ok: true, icount };
    })();
    return await Promise.race([work, timeout]);
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    clearTimeout(timer);
    sockConn?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the suite

export interface GuestResult {
  name: string;
  kind: GuestKind;
  what: string;
  resultLine?: string;
  /** Operations the guest reports (bytes, calls, reads, ...), from its result line. */
  ops?: { unit: string; amount: number };
  a64vm: {
    instructions: string;
    seconds: number[];
    medianSeconds: number;
    mips: number;
    /** Operations per second (hypervisor guests) and the time per operation. */
    opsPerSecond?: number;
    nsPerOp?: number;
  };
  qemu?: {
    seconds: number[];
    medianSeconds: number;
    /** The median minus QEMU's start-up time (null.elf). */
    netSeconds: number;
    instructions: string;
    instructionSource: 'qemu -icount shift=0' | 'a64vm';
    icountSeconds?: number;
    mips: number;
    opsPerSecond?: number;
    nsPerOp?: number;
    /** a64vm's speed over QEMU's on this image: above 1, a64vm is faster. */
    ratio: number;
  };
  checksum: { a64vm?: string; qemu?: string; recorded?: string; ok: boolean };
  failures: string[];
  /** Worth knowing, not a failure (e.g. QEMU counting a different number of instructions). */
  notes: string[];
}

export interface BenchReport {
  date: string;
  /** loadavg: the host's 1-minute load average at the start and at the end of the run. */
  host: { cpus: number; cpuModel: string; node: string; qemu?: string; loadavg: [number, number] };
  options: { quick: boolean; repetitions: number; qemu: boolean; icount: boolean; jit: number | 'off' | 'default' };
  qemuStartupSeconds?: number;
  guests: GuestResult[];
  summary: {
    computeMmuOnMinMips?: number;
    computeGeomeanRatio?: number;
    failures: number;
  };
  totalSeconds: number;
}

interface Options {
  quick: boolean;
  reps: number;
  json?: string;
  qemu: boolean;
  icount: boolean;
  only?: string[];
  record: boolean;
  warmup: boolean;
  jit?: number | false;
}

const USAGE = `usage: npm run bench -- [options]
  --quick              smoke run: ${QUICK_GUESTS.join(', ')}; 1 repetition; no icount run
  --reps N             repetitions per guest and emulator (default 3; the median is reported)
  --json FILE          write the results as JSON
  --only A,B           only the guests whose names contain one of these strings
  --no-qemu            do not run QEMU even if it is installed
  --no-icount          do not ask QEMU for its instruction count (use a64vm's)
  --no-warmup          skip the warm-up run before timing a64vm
  --jit N|off          a64vm's JIT threshold (runs of a block before it is compiled), or off to
                       measure the interpreter alone (default: a64vm's default)
  --record-checksums   write QEMU's result lines (and instruction counts) to
                       test/fixtures/bench-checksums.json (needs QEMU)
Guests: ${GUESTS.map((g) => g.name).join(' ')}`;

function parseOptions(argv: string[]): Options | 'help' {
  const o: Options = { quick: false, reps: 3, qemu: true, icount: true, record: false, warmup: true };
  let reps: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--help': case '-h': return 'help';
      case '--quick': o.quick = true; break;
      case '--reps': reps = Number(value()); if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps: a positive integer'); break;
      case '--json': o.json = value(); break;
      case '--only': o.only = value().split(',').filter(Boolean); break;
      case '--no-qemu': o.qemu = false; break;
      case '--no-icount': o.icount = false; break;
      case '--no-warmup': o.warmup = false; break;
      case '--record-checksums': o.record = true; break;
      case '--jit': {
        const v = value();
        if (v === 'off') o.jit = false;
        else if (/^[1-9][0-9]*$/.test(v)) o.jit = Number(v);
        else throw new Error(`--jit: '${v}' is neither a positive count nor 'off'`);
        break;
      }
      default: throw new Error(`unknown option ${a}; see --help`);
    }
  }
  if (o.quick) { o.reps = 1; o.icount = false; }
  if (reps !== undefined) o.reps = reps;
  if (o.record) o.icount = true;
  return o;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface RecordedChecksums {
  note: string;
  qemu: string;
  guests: Record<string, { line: string; qemuInstructions?: string }>;
}

export function loadRecordedChecksums(): RecordedChecksums | undefined {
  if (!existsSync(CHECKSUMS_FILE)) return undefined;
  return JSON.parse(readFileSync(CHECKSUMS_FILE, 'utf8')) as RecordedChecksums;
}

const log = (s: string) => process.stderr.write(s);

async function benchGuest(g: Guest, o: Options, qemuStartup: number | undefined, recorded: RecordedChecksums | undefined): Promise<GuestResult> {
  const file = guestPath(g.name);
  const failures: string[] = [];
  log(`${g.name}: a64vm`);
  const runs: A64vmRun[] = [];
  for (let i = 0; i < o.reps; i++) {
    const r = await runA64vm(file, undefined, o.jit);
    runs.push(r);
    log(` ${r.seconds.toFixed(2)}s`);
    if (!r.ok) { failures.push(`a64vm ${r.message}`); break; }
  }
  const counts = new Set(runs.map((r) => r.instructions));
  if (counts.size > 1) failures.push(`a64vm is not deterministic: instruction counts ${[...counts].join(', ')} across repetitions`);
  const outputs = new Set(runs.map((r) => r.output));
  if (outputs.size > 1) failures.push('a64vm is not deterministic: the output differs between repetitions');
  const a = runs[0];
  const insns = a.instructions;
  const aMed = median(runs.map((r) => r.seconds));
  const line = parseResultLine(a.output);
  if (!line) failures.push(`a64vm printed no result line: ${JSON.stringify(a.output.slice(0, 200))}`);
  const res: GuestResult = {
    name: g.name, kind: g.kind, what: g.what,
    resultLine: line ? a.output.trim() : undefined,
    ops: line ? { unit: line.unit, amount: line.amount } : undefined,
    a64vm: { instructions: insns.toString(), seconds: runs.map((r) => r.seconds), medianSeconds: aMed, mips: Number(insns) / aMed / 1e6 },
    checksum: { a64vm: a.output, ok: false },
    failures,
    notes: [],
  };
  if (g.kind === 'hypervisor' && line) {
    res.a64vm.opsPerSecond = line.amount / aMed;
    res.a64vm.nsPerOp = (aMed / line.amount) * 1e9;
  }
  const wantCalls = GUARD_CALLS[g.name];
  if (wantCalls && line && (a.guard.calls !== wantCalls(line.amount) || a.guard.violations !== 0)) {
    failures.push(`a64vm answered ${a.guard.calls} guard calls with ${a.guard.violations} violations; expected ${wantCalls(line.amount)} and none: the guard was not exercised as the guest intends`);
  }

  if (qemuStartup !== undefined) {
    log('  qemu');
    const qruns: QemuRun[] = [];
    for (let i = 0; i < o.reps; i++) {
      const q = await runQemu(file);
      qruns.push(q);
      log(` ${q.seconds.toFixed(2)}s`);
      if (!q.ok) { failures.push(`QEMU ${q.message}`); break; }
    }
    let icount: QemuRun | undefined;
    if (o.icount && qruns.every((q) => q.ok)) {
      log('  icount');
      icount = await qemuInstructionCount(file);
      log(icount.ok ? ` ${icount.seconds.toFixed(2)}s` : ' failed');
      if (!icount.ok) log(`\n  (QEMU -icount run failed, using a64vm's count: ${icount.message})`);
    }
    if (qruns.every((q) => q.ok)) {
      const qMed = median(qruns.map((q) => q.seconds));
      const net = qMed - qemuStartup;
      const qInsns = icount?.ok && icount.icount !== undefined ? icount.icount : insns;
      const qMips = net > 0 ? Number(qInsns) / net / 1e6 : NaN;
      res.qemu = {
        seconds: qruns.map((q) => q.seconds), medianSeconds: qMed, netSeconds: net,
        instructions: qInsns.toString(),
        instructionSource: icount?.ok ? 'qemu -icount shift=0' : 'a64vm',
        icountSeconds: icount?.ok ? icount.seconds : undefined,
        mips: qMips,
        ratio: net > 0 ? net / aMed : NaN,
      };
      if (g.kind === 'hypervisor' && line && net > 0) {
        res.qemu.opsPerSecond = line.amount / net;
        res.qemu.nsPerOp = (net / line.amount) * 1e9;
      }
      if (icount?.ok && icount.icount !== insns) {
        res.notes.push(`QEMU retired ${icount.icount} instructions, a64vm ${insns}: the two took different paths or count differently`);
      }
      res.checksum.qemu = qruns[0].output;
      if (new Set(qruns.map((q) => q.output)).size > 1) failures.push('QEMU output differs between repetitions');
      if (icount?.ok && icount.output !== qruns[0].output) failures.push('QEMU output under -icount differs from the plain run');
    }
  }
  log('\n');

  const rec = recorded?.guests[g.name]?.line;
  res.checksum.recorded = rec;
  if (res.checksum.qemu !== undefined) {
    if (res.checksum.qemu !== a.output) {
      failures.push(`CHECKSUM MISMATCH: a64vm printed ${JSON.stringify(a.output)}, QEMU printed ${JSON.stringify(res.checksum.qemu)}`);
    }
    if (rec !== undefined && rec !== res.checksum.qemu && !o.record) {
      failures.push(`QEMU's output ${JSON.stringify(res.checksum.qemu)} differs from the recorded ${JSON.stringify(rec)}: was the image rebuilt without \`npm run bench -- --record-checksums\`?`);
    }
  } else if (rec !== undefined) {
    if (rec !== a.output) failures.push(`CHECKSUM MISMATCH: a64vm printed ${JSON.stringify(a.output)}, QEMU's recorded output is ${JSON.stringify(rec)}`);
  } else {
    failures.push(`no QEMU output to compare with: QEMU is not run and ${g.name} has no entry in test/fixtures/bench-checksums.json`);
  }
  res.checksum.ok = !failures.some((f) => f.startsWith('CHECKSUM'));
  return res;
}

// ---------------------------------------------------------------- output

const fmtS = (s: number | undefined) => (s === undefined || Number.isNaN(s) ? '-' : s.toFixed(3));
const fmtN = (n: number | undefined, d = 0) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
const fmtInsns = (s: string) => { const n = Number(s); return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : s; };

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')).join('\n');
}

export function formatReport(rep: BenchReport): string {
  const lines: string[] = [];
  const haveQemu = rep.qemuStartupSeconds !== undefined;
  const rows = [['guest', 'instructions', 'a64vm s', 'MIPS', ...(haveQemu ? ['QEMU s', 'QEMU MIPS', 'a64vm/QEMU'] : []), 'checksum']];
  for (const g of rep.guests) {
    rows.push([
      g.name, fmtInsns(g.a64vm.instructions), fmtS(g.a64vm.medianSeconds), fmtN(g.a64vm.mips),
      ...(haveQemu ? [fmtS(g.qemu?.netSeconds), fmtN(g.qemu?.mips), fmtN(g.qemu?.ratio, 2)] : []),
      g.checksum.ok ? 'ok' : 'MISMATCH',
    ]);
  }
  lines.push(table(rows));
  const hyp = rep.guests.filter((g) => g.kind === 'hypervisor' && g.ops);
  if (hyp.length) {
    lines.push('');
    const hrows = [['hypervisor path', 'operations', 'a64vm ns/op', 'a64vm ops/s', ...(haveQemu ? ['QEMU ns/op', 'QEMU ops/s'] : [])]];
    for (const g of hyp) {
      hrows.push([g.name, `${g.ops!.amount} ${g.ops!.unit}`, fmtN(g.a64vm.nsPerOp), fmtN(g.a64vm.opsPerSecond),
        ...(haveQemu ? [fmtN(g.qemu?.nsPerOp), fmtN(g.qemu?.opsPerSecond)] : [])]);
    }
    lines.push(table(hrows));
  }
  lines.push('');
  const jit = rep.options.jit === 'off' ? 'JIT off (interpreter only)' : `JIT ${rep.options.jit === 'default' ? 'on' : `threshold ${rep.options.jit}`}`;
  lines.push(`medians of ${rep.options.repetitions} repetition(s); a64vm (${jit}) times VM.run() only (after a warm-up run)`);
  if (haveQemu) {
    lines.push(`${rep.host.qemu!.replace('QEMU emulator version', 'QEMU')}: whole-process time minus its start-up, ${rep.qemuStartupSeconds!.toFixed(3)} s (median of null.elf);`);
    const src = new Set(rep.guests.map((g) => g.qemu?.instructionSource).filter(Boolean));
    lines.push(`  QEMU instruction counts from ${[...src].join(' and ') || '-'}; a64vm/QEMU above 1 means a64vm is faster`);
  }
  const s = rep.summary;
  if (s.computeMmuOnMinMips !== undefined) lines.push(`compute, MMU on: slowest ${s.computeMmuOnMinMips.toFixed(0)} MIPS (issue 10 target: at least 400)`);
  if (s.computeGeomeanRatio !== undefined) lines.push(`compute: geometric mean a64vm/QEMU ${s.computeGeomeanRatio.toFixed(3)} (issue 10 target: at least 0.35)`);
  lines.push(`${rep.guests.length} guests in ${rep.totalSeconds.toFixed(1)} s on ${rep.host.cpus} x ${rep.host.cpuModel}, Node ${rep.host.node}`);
  const busy = Math.max(...rep.host.loadavg);
  if (busy > rep.host.cpus * 0.5) {
    lines.push(`warning: the host was busy (load average ${rep.host.loadavg.map((x) => x.toFixed(1)).join(' at start, ')} at end, ${rep.host.cpus} CPUs): times are not trustworthy`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

export async function main(argv: string[]): Promise<number> {
  let o: Options | 'help';
  try {
    o = parseOptions(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  if (o === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
  const t0 = performance.now();
  const loadAtStart = loadavg()[0];

  let guests = o.quick ? GUESTS.filter((g) => QUICK_GUESTS.includes(g.name)) : GUESTS;
  if (o.only) guests = guests.filter((g) => o.only!.some((s) => g.name.includes(s)));
  if (!guests.length) { process.stderr.write('bench: no guest selected\n'); return 2; }
  for (const g of [...guests, { name: 'null' }]) {
    if (!existsSync(guestPath(g.name))) {
      process.stderr.write(`bench: ${guestPath(g.name)} is missing; build it with \`make -C guest-images/bench\`\n`);
      return 1;
    }
  }

  const qemu = o.qemu ? qemuVersion() : undefined;
  if (o.qemu && !qemu) log(`bench: ${QEMU_BIN} not found; a64vm only, checksums compared with ${CHECKSUMS_FILE}\n`);
  if (o.record && !qemu) { process.stderr.write('bench: --record-checksums needs QEMU\n'); return 2; }
  const recorded = loadRecordedChecksums();

  let qemuStartup: number | undefined;
  if (qemu) {
    const starts: number[] = [];
    for (let i = 0; i < Math.max(3, o.reps); i++) {
      const r = await runQemu(guestPath('null'));
      if (!r.ok) { process.stderr.write(`bench: QEMU cannot run null.elf: ${r.message}\n`); return 1; }
      starts.push(r.seconds);
    }
    qemuStartup = median(starts);
    log(`QEMU start-up (null.elf): ${qemuStartup.toFixed(3)} s\n`);
  }

  if (o.warmup) {
    // V8 runs new wasm code from its baseline compiler first and swaps in optimised code on a
    // later call; a short run first keeps that from being charged to the first guest timed.
    const w = await runA64vm(guestPath('crc32-mmuoff'), 20_000_000n, o.jit);
    log(`a64vm warm-up: ${w.instructions} instructions in ${w.seconds.toFixed(2)} s\n`);
  }

  const results: GuestResult[] = [];
  for (const g of guests) results.push(await benchGuest(g, o, qemuStartup, recorded));

  const computeOn = results.filter((r) => r.kind === 'compute' && r.name.endsWith('-mmuon'));
  const ratios = results.filter((r) => r.kind === 'compute' && r.qemu && r.qemu.ratio > 0).map((r) => r.qemu!.ratio);
  const report: BenchReport = {
    date: new Date().toISOString(),
    host: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, qemu, loadavg: [loadAtStart, loadavg()[0]] },
    options: { quick: o.quick, repetitions: o.reps, qemu: qemuStartup !== undefined, icount: o.icount && qemuStartup !== undefined, jit: o.jit === undefined ? 'default' : o.jit === false ? 'off' : o.jit },
    qemuStartupSeconds: qemuStartup,
    guests: results,
    summary: {
      computeMmuOnMinMips: computeOn.length ? Math.min(...computeOn.map((r) => r.a64vm.mips)) : undefined,
      computeGeomeanRatio: ratios.length ? Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length) : undefined,
      failures: results.reduce((n, r) => n + r.failures.length, 0),
    },
    totalSeconds: (performance.now() - t0) / 1000,
  };

  process.stdout.write('\n' + formatReport(report) + '\n');
  if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');

  if (o.record) {
    const prev = recorded?.guests ?? {};
    const rec: RecordedChecksums = {
      note: 'UART output of each bench guest on QEMU (-M virt -cpu cortex-a57), and QEMU\'s instruction count (-icount shift=0). Written by `npm run bench -- --record-checksums`; the bench and test/bench-smoke.test.ts compare a64vm against it.',
      qemu: qemu!,
      guests: { ...prev },
    };
    for (const r of results) {
      if (r.checksum.qemu === undefined) continue;
      rec.guests[r.name] = { line: r.checksum.qemu, qemuInstructions: r.qemu?.instructionSource === 'a64vm' ? undefined : r.qemu?.instructions };
    }
    writeFileSync(CHECKSUMS_FILE, JSON.stringify(rec, null, 2) + '\n');
    log(`recorded ${CHECKSUMS_FILE}\n`);
  }

  for (const r of results) for (const n of r.notes) process.stdout.write(`note: ${r.name}: ${n}\n`);
  const failed = results.filter((r) => r.failures.length);
  if (failed.length) {
    const bar = '!'.repeat(78);
    process.stdout.write(`\n${bar}\nBENCHMARK FAILED (${report.summary.failures} problem(s)):\n`);
    for (const r of failed) for (const f of r.failures) process.stdout.write(`  ${r.name}: ${f}\n`);
    process.stdout.write(`${bar}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
