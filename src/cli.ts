// The a64vm command.
//   a64vm run IMAGE [options]    boot an ELF or Linux Image (or --bios / --load) and run it
//   a64vm dtb [options] -o FILE  write the board's device tree
// Exit status: the guest's (0 after PSCI SYSTEM_OFF, the semihosting exit status), 1 for a
// runtime error, 2 for a usage error, 3 when the instruction budget ran out.
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_RAM_SIZE, virtDeviceTree } from './machine/virt.ts';
import { LoadError } from './machine/regions.ts';
import { GUARD_PROFILES, GUARD_VIOLATION_MODES, isGuardProfileName, isGuardViolationMode, type GuardProfileName, type GuardViolationMode } from './hyp/mmio-guard-profiles.ts';
import { formatGuardEvent } from './hyp/mmio-guard.ts';
import type { VMOptions } from './vm.ts';

const USAGE = `usage: a64vm run [IMAGE] [options]
       a64vm dtb [options] -o FILE

run options:
  --bios FILE            firmware image for flash 0 at 0x0 (execution starts there)
  --load FILE@ADDR       copy a raw file into guest memory at ADDR (repeatable)
  --entry ADDR           start execution at ADDR (needed for --load without an image)
  --memory SIZE          RAM size: 128M (default), 1G, 262144K; a plain number means MiB
  --budget N             stop after N instructions (exit status 3)
  --semihosting          answer Arm semihosting calls (HLT #0xF000)
  --psci-conduit hvc|smc the SMCCC/PSCI conduit (default hvc)
  --emulate-nisv         emulate MMIO accesses without a valid syndrome (LDP/STP, writeback)
  --append STRING        kernel command line (/chosen/bootargs)
  --dtb-out FILE         also write the generated device tree to FILE
  --host-clock           use the host's clock instead of virtual time
  --mmio-guard PROFILE   the MMIO guard's guest ABI: rfc-v1 (default), android, mainline
                         (enrolled at creation) or off
  --guard-violation KIND how a guard violation is injected: serror (default) or dabt
  --trace LIST           trace to stderr (comma-separated): guard = every MMIO guard call
                         and violation
dtb options: --memory SIZE, --psci-conduit hvc|smc, --append STRING, --bios (describe flash 0), -o FILE
IMAGE is an ELF executable (loaded at its physical addresses) or a Linux arm64 Image.`;

class UsageError extends Error {}

export interface CliIO {
  stdout(bytes: Uint8Array): void;
  stderr(text: string): void;
}

const defaultIO: CliIO = {
  stdout: (b) => { writeSync(1, b); },
  stderr: (t) => { writeSync(2, t); },
};

function parseNumber(s: string, what: string): bigint {
  const t = s.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t);
  if (/^\d+(\.\d+)?e\d+$/i.test(t) && Number.isSafeInteger(Number(t))) return BigInt(Number(t));
  throw new UsageError(`${what}: '${s}' is not a number`);
}

/** QEMU's -m syntax: a plain number is MiB; suffixes K, M, G (optionally followed by B or iB). */
export function parseSize(s: string): number {
  const m = /^(\d+)\s*([kmg])?(i?b)?$/i.exec(s.trim());
  if (!m) throw new UsageError(`--memory: '${s}' is not a size (try 128M or 1G)`);
  const unit = (m[2] ?? 'm').toLowerCase();
  return Number(m[1]) * { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit as 'k' | 'm' | 'g'];
}

interface Parsed {
  command: 'run' | 'dtb';
  image?: string;
  bios?: string;
  loads: { file: string; addr: number }[];
  entry?: bigint;
  memory?: number;
  budget?: bigint;
  semihosting: boolean;
  conduit: 'hvc' | 'smc';
  emulateNisv: boolean;
  append?: string;
  dtbOut?: string;
  hostClock: boolean;
  mmioGuard: GuardProfileName;
  guardViolation: GuardViolationMode;
  trace: Set<TraceCategory>;
}

const TRACE_CATEGORIES = ['guard'] as const;
type TraceCategory = (typeof TRACE_CATEGORIES)[number];

function parseArgs(argv: string[]): Parsed | 'help' | 'version' {
  if (argv.length === 0) throw new UsageError('no command given (run or dtb); see a64vm --help');
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return 'help';
  if (argv[0] === '--version') return 'version';
  const command = argv[0];
  if (command !== 'run' && command !== 'dtb') throw new UsageError(`unknown command '${command}' (run or dtb); see a64vm --help`);
  const p: Parsed = {
    command, loads: [], semihosting: false, conduit: 'hvc', emulateNisv: false, hostClock: false,
    mmioGuard: 'rfc-v1', guardViolation: 'serror', trace: new Set(),
  };
  let flashInDtb = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    const runOnly = () => { if (command !== 'run') throw new UsageError(`${a} is a run option`); };
    switch (a) {
      case '--help': case '-h': return 'help';
      case '--bios':
        if (command === 'dtb') flashInDtb = true;
        else p.bios = value();
        break;
      case '--load': {
        runOnly();
        const v = value();
        const at = v.lastIndexOf('@');
        if (at <= 0) throw new UsageError(`--load: '${v}' is not FILE@ADDR`);
        const addr = parseNumber(v.slice(at + 1), '--load address');
        if (addr >= 1n << 48n) throw new UsageError(`--load: address ${v.slice(at + 1)} is too large`);
        p.loads.push({ file: v.slice(0, at), addr: Number(addr) });
        break;
      }
      case '--entry': runOnly(); p.entry = parseNumber(value(), '--entry'); break;
      case '--memory': case '-m': p.memory = parseSize(value()); break;
      case '--budget': runOnly(); p.budget = parseNumber(value(), '--budget'); break;
      case '--semihosting': runOnly(); p.semihosting = true; break;
      case '--psci-conduit': {
        const v = value();
        if (v !== 'hvc' && v !== 'smc') throw new UsageError(`--psci-conduit: '${v}' is not hvc or smc`);
        p.conduit = v;
        break;
      }
      case '--emulate-nisv': runOnly(); p.emulateNisv = true; break;
      case '--append': case '--bootargs': p.append = value(); break;
      case '--dtb-out': runOnly(); p.dtbOut = value(); break;
      case '-o': case '--output':
        if (command !== 'dtb') throw new UsageError(`${a} is a dtb option (use --dtb-out with run)`);
        p.dtbOut = value();
        break;
      case '--host-clock': runOnly(); p.hostClock = true; break;
      case '--mmio-guard': {
        runOnly();
        const v = value();
        if (!isGuardProfileName(v)) throw new UsageError(`--mmio-guard: '${v}' is not a guard profile (${GUARD_PROFILES.join(', ')})`);
        p.mmioGuard = v;
        break;
      }
      case '--guard-violation': {
        runOnly();
        const v = value();
        if (!isGuardViolationMode(v)) throw new UsageError(`--guard-violation: '${v}' is not ${GUARD_VIOLATION_MODES.join(' or ')}`);
        p.guardViolation = v;
        break;
      }
      case '--trace': {
        runOnly();
        for (const t of value().split(',')) {
          if (!(TRACE_CATEGORIES as readonly string[]).includes(t)) throw new UsageError(`--trace: unknown category '${t}' (${TRACE_CATEGORIES.join(', ')})`);
          p.trace.add(t as TraceCategory);
        }
        break;
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}; see a64vm --help`);
        if (command !== 'run' || p.image !== undefined) throw new UsageError(`unexpected argument '${a}'; see a64vm --help`);
        p.image = a;
    }
  }
  if (command === 'run' && p.image === undefined && p.bios === undefined && p.loads.length === 0) {
    throw new UsageError('run: no image given (IMAGE, --bios FILE or --load FILE@ADDR)');
  }
  if (command === 'dtb' && p.dtbOut === undefined) throw new UsageError('dtb: no output file (-o FILE)');
  if (flashInDtb) p.bios = '';
  return p;
}

function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new LoadError(`cannot read ${file}: ${why}`);
  }
}

function writeOutput(file: string, data: Uint8Array): void {
  try {
    writeFileSync(file, data);
  } catch (e) {
    throw new LoadError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  try {
    const p = parseArgs(argv);
    if (p === 'help') { io.stdout(new TextEncoder().encode(USAGE + '\n')); return 0; }
    if (p === 'version') { io.stdout(new TextEncoder().encode('a64vm 0.1.0\n')); return 0; }
    if (p.command === 'dtb') {
      const dtb = virtDeviceTree({ ramSize: p.memory ?? DEFAULT_RAM_SIZE, flash: p.bios !== undefined, conduit: p.conduit, bootargs: p.append });
      writeOutput(p.dtbOut!, dtb);
      return 0;
    }
    const opts: VMOptions = {
      memory: p.memory,
      bootargs: p.append,
      semihosting: p.semihosting,
      psciConduit: p.conduit,
      emulateNisv: p.emulateNisv,
      clock: p.hostClock ? 'host' : 'virtual',
      epoch: p.hostClock ? undefined : 0,
      entry: p.entry,
      mmioGuard: p.mmioGuard,
      guardViolation: p.guardViolation,
    };
    if (p.image !== undefined) opts.kernel = { data: readInput(p.image), name: basename(p.image) };
    if (p.bios !== undefined) opts.bios = { data: readInput(p.bios), name: basename(p.bios) };
    opts.loads = p.loads.map((l) => ({ data: readInput(l.file), name: basename(l.file), addr: l.addr }));

    const { VM } = await import('./vm.ts'); // loads the CPU only when there is something to run
    const vm = await VM.create(opts);
    if (p.dtbOut) writeOutput(p.dtbOut, vm.boot.dtb);

    // UART output goes to stdout, flushed at each newline and when the run ends; semihosting
    // console output goes to stderr, where QEMU's -semihosting writes it.
    let pending: number[] = [];
    const semihostText = new TextDecoder();
    const flush = () => { if (pending.length) { io.stdout(Uint8Array.from(pending)); pending = []; } };
    vm.onOutput((b, source) => {
      if (source === 'semihosting') { flush(); io.stderr(semihostText.decode(b, { stream: true })); return; }
      pending.push(...b);
      if (b.includes(10) || pending.length >= 4096) flush();
    });
    if (p.trace.has('guard')) vm.onGuard((e) => { flush(); io.stderr(formatGuardEvent(e) + '\n'); });
    const r = vm.run({ budget: p.budget });
    flush();
    if (r.message) io.stderr(`a64vm: ${r.message}\n`);
    return r.status;
  } catch (e) {
    if (e instanceof UsageError) { io.stderr(`a64vm: ${e.message}\n`); return 2; }
    if (e instanceof LoadError) { io.stderr(`a64vm: ${e.message}\n`); return 1; }
    const msg = e instanceof Error ? e.message.replace(/^a64vm: /, '') : String(e);
    io.stderr(`a64vm: ${msg}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((status) => { process.exitCode = status & 0xff; });
}
