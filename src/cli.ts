// The a64vm command.
//   a64vm run IMAGE [options]    boot an ELF or Linux Image (or --bios / --load) and run it
//   a64vm dtb [options] -o FILE  write the board's device tree
// Exit status: the guest's (0 after PSCI SYSTEM_OFF, the semihosting exit status), 2 for bad
// usage or input (a flag, a file that cannot be read, a malformed image), 3 when the instruction
// budget ran out, 4 when the guest wedged or hit a condition a64vm does not handle (the message
// on stderr says which).
import { layout } from './cpu/cpu.ts';
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_RAM_SIZE, MAX_RAM_SIZE, MIN_RAM_SIZE, virtDeviceTree } from './machine/virt.ts';
import { LoadError } from './machine/regions.ts';
import { GUARD_PROFILES, GUARD_VIOLATION_MODES, isGuardProfileName, isGuardViolationMode, type GuardProfileName, type GuardViolationMode } from './hyp/mmio-guard-profiles.ts';
import type { VMOptions } from './vm.ts';
import { checkToolOptions, runWithTools, type ToolOptions } from './tools/run.ts';
import { parseTraceCategories, type TraceCategory } from './tools/trace.ts';
import { SnapshotError } from './tools/snapshot.ts';

const USAGE = `usage: a64vm run [IMAGE] [options]
       a64vm dtb [options] -o FILE
       a64vm fuzz CONFIG.json [options]   (see src/tools/fuzz/cli.ts; --replay FILE, --minimise FILE, --cmin DIR -o DIR)

run options:
  --bios FILE            firmware image for flash 0 at 0x0 (execution starts there)
  --load FILE@ADDR       copy a raw file into guest memory at ADDR (repeatable)
  --entry ADDR           start execution at ADDR (needed for --load without an image)
  --mem SIZE             RAM size: 128M (default), 1G, 262144K; a plain number means MiB
                         (also --memory, -m)
  --initrd FILE          initial ramdisk for a Linux Image, placed above the kernel and named
                         in /chosen (QEMU's -initrd); ignored for ELF images, as QEMU does
  --max-insns N          stop after N instructions (exit status 3; also --budget)
  --stats                print instructions retired, wall time and MIPS to stderr
  --jit N|off            compile a block to wasm once it has run N times (default 64); off:
                         interpret every instruction (same results, slower)
  --semihosting          answer Arm semihosting calls (HLT #0xF000)
  --psci-conduit hvc|smc the SMCCC/PSCI conduit (default hvc)
  --emulate-nisv         emulate MMIO accesses without a valid syndrome (LDP/STP, writeback)
  --append STRING        kernel command line (/chosen/bootargs)
  --dtb-out FILE         also write the generated device tree to FILE
  --host-clock           use the host's clock instead of virtual time (same as --clock host)
  --clock virtual|host   time follows retired instructions (default, deterministic) or the host
  --smp N                number of vCPUs, 1..8 (default 1); the others start with PSCI CPU_ON
  --gic 2|3              interrupt controller: GICv3 (default) or GICv2
  --mmio-guard PROFILE   the MMIO guard's guest ABI: rfc-v1 (default), android, mainline
                         (enrolled at creation) or off
  --guard-violation KIND how a guard violation is injected: serror (default) or dabt
  --trace LIST           trace to stderr, comma-separated (or all): insn = each instruction with
                         the registers it changed, exc = exceptions taken, irq = interrupts taken,
                         hvc = hypercalls, mmio = emulated MMIO accesses, guard = every MMIO guard
                         call and violation (insn, exc and irq run one instruction at a time: slow)
  --trace-file FILE      write the trace to FILE instead of stderr
  --gdb tcp::PORT        serve gdb on 127.0.0.1:PORT (0: any free port; the port is printed)
  --wait-gdb             with --gdb: do not start the guest before gdb connects
  --snapshot-at N FILE   when the VM has retired exactly N instructions (counted from power-on),
                         write a snapshot of the whole VM to FILE, then go on running
  --snapshot-exit        with --snapshot-at: stop (status 0) once the snapshot is written
  --restore FILE         start from a snapshot instead of an image (the file holds the machine:
                         no IMAGE, --bios, --load or machine options with it)
dtb options: --memory SIZE, --psci-conduit hvc|smc, --append STRING, --smp N, --gic 2|3,
             --bios (describe flash 0), -o FILE
IMAGE is an ELF executable (loaded at its physical addresses) or a Linux arm64 Image.
a64vm --help prints this text, a64vm --version the version.
Exit status: 0 after PSCI SYSTEM_OFF (or the guest's semihosting exit status), 2 bad usage or
input, 3 instruction budget exhausted, 4 the guest wedged or hit an unhandled condition.`;

class UsageError extends Error {}

export interface CliIO {
  stdout(bytes: Uint8Array): void;
  stderr(text: string): void;
}

const defaultIO: CliIO = {
  stdout: (b) => {
    try {
      writeSync(1, b);
    } catch (e) {
      // The reader went away (`a64vm run X | head`): stop quietly, as a process killed by SIGPIPE.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(128 + 13);
      throw e;
    }
  },
  stderr: (t) => { writeSync(2, t); },
};

function parseNumber(s: string, what: string): bigint {
  const t = s.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t);
  if (/^\d+(\.\d+)?e\d+$/i.test(t) && Number.isSafeInteger(Number(t))) return BigInt(Number(t));
  throw new UsageError(`${what}: '${s}' is not a number`);
}

/** QEMU's -m syntax: a plain number is MiB; suffixes K, M, G (optionally followed by B or iB). */
export function parseSize(s: string, flag = '--mem'): number {
  const m = /^(\d+)\s*([kmg])?(i?b)?$/i.exec(s.trim());
  if (!m) throw new UsageError(`${flag}: '${s}' is not a size (try 128M or 1G)`);
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
  initrd?: string;
  stats: boolean;
  jit?: number | false;
  semihosting: boolean;
  conduit: 'hvc' | 'smc';
  emulateNisv: boolean;
  append?: string;
  dtbOut?: string;
  hostClock: boolean;
  smp?: number;
  gic?: 2 | 3;
  mmioGuard: GuardProfileName;
  guardViolation: GuardViolationMode;
  trace: Set<TraceCategory>;
  traceFile?: string;
  gdb?: string;
  waitGdb: boolean;
  snapshotAt?: { at: bigint; file: string };
  snapshotExit: boolean;
  restore?: string;
}

/** Options that shape the machine, which a snapshot brings back by itself. */
const RESTORE_CONFLICTS = [
  '--bios', '--load', '--entry', '--mem', '--memory', '-m', '--initrd', '--semihosting', '--psci-conduit',
  '--emulate-nisv', '--append', '--bootargs', '--host-clock', '--clock', '--smp', '--gic', '--mmio-guard',
  '--guard-violation',
];

function parseArgs(argv: string[]): Parsed | 'help' | 'version' {
  if (argv.length === 0) throw new UsageError('no command given (run or dtb); see a64vm --help');
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return 'help';
  if (argv[0] === '--version') return 'version';
  const command = argv[0];
  if (command !== 'run' && command !== 'dtb') throw new UsageError(`unknown command '${command}' (run or dtb); see a64vm --help`);
  const p: Parsed = {
    command, loads: [], stats: false, semihosting: false, conduit: 'hvc', emulateNisv: false, hostClock: false,
    mmioGuard: 'rfc-v1', guardViolation: 'serror', trace: new Set(), waitGdb: false, snapshotExit: false,
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
      case '--mem': case '--memory': case '-m': {
        const v = value();
        p.memory = parseSize(v, a);
        if (p.memory < MIN_RAM_SIZE || p.memory > MAX_RAM_SIZE || p.memory % 4096 !== 0) {
          throw new UsageError(`${a}: '${v}' is not a RAM size a64vm can give (a multiple of 4 KiB from ${MIN_RAM_SIZE / 2 ** 20}M to ${MAX_RAM_SIZE / 2 ** 20}M)`);
        }
        break;
      }
      case '--max-insns': case '--budget': {
        runOnly();
        p.budget = parseNumber(value(), a);
        if (p.budget === 0n) throw new UsageError(`${a}: the instruction budget must be at least 1`);
        break;
      }
      case '--initrd': runOnly(); p.initrd = value(); break;
      case '--stats': runOnly(); p.stats = true; break;
      case '--jit': {
        runOnly();
        const v = value();
        if (v === 'off') p.jit = false;
        else if (/^[1-9][0-9]{0,8}$/.test(v)) p.jit = Number(v);
        else throw new UsageError(`--jit: '${v}' is neither a block run count from 1 to 999999999 nor 'off'`);
        break;
      }
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
      case '--clock': {
        runOnly();
        const v = value();
        if (v !== 'host' && v !== 'virtual') throw new UsageError(`--clock: '${v}' is not virtual or host`);
        p.hostClock = v === 'host';
        break;
      }
      case '--smp': {
        const v = value();
        if (!/^[1-8]$/.test(v)) throw new UsageError(`--smp: '${v}' is not a vCPU count from 1 to 8`);
        p.smp = Number(v);
        break;
      }
      case '--gic': {
        const v = value();
        if (v !== '2' && v !== '3') throw new UsageError(`--gic: '${v}' is not 2 or 3`);
        p.gic = Number(v) as 2 | 3;
        break;
      }
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
        try {
          parseTraceCategories(value()).forEach((c) => p.trace.add(c));
        } catch (e) {
          throw new UsageError(`--trace: ${(e as Error).message}`);
        }
        break;
      }
      case '--trace-file': runOnly(); p.traceFile = value(); break;
      case '--gdb': runOnly(); p.gdb = value(); break;
      case '--wait-gdb': runOnly(); p.waitGdb = true; break;
      case '--snapshot-at': {
        runOnly();
        const at = parseNumber(value(), '--snapshot-at');
        p.snapshotAt = { at, file: value() };
        break;
      }
      case '--snapshot-exit': runOnly(); p.snapshotExit = true; break;
      case '--restore': runOnly(); p.restore = value(); break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}; see a64vm --help`);
        if (command !== 'run' || p.image !== undefined) throw new UsageError(`unexpected argument '${a}'; see a64vm --help`);
        p.image = a;
    }
  }
  if (p.restore !== undefined) {
    // The snapshot holds the machine: options that shape it would be ignored, so they are errors.
    const given = [...new Set(argv.slice(1).filter((x) => RESTORE_CONFLICTS.includes(x)))];
    if (p.image !== undefined) given.unshift('IMAGE');
    if (given.length) throw new UsageError(`--restore: ${given.join(', ')} cannot be combined with --restore (the snapshot holds the machine)`);
  }
  if (p.snapshotExit && !p.snapshotAt) throw new UsageError('--snapshot-exit needs --snapshot-at N FILE');
  if (command === 'run' && p.restore === undefined && p.image === undefined && p.bios === undefined && p.loads.length === 0) {
    throw new UsageError('run: no image given (IMAGE, --bios FILE or --load FILE@ADDR)');
  }
  if (command === 'dtb' && p.dtbOut === undefined) throw new UsageError('dtb: no output file (-o FILE)');
  if (p.initrd !== undefined && p.image === undefined) throw new UsageError('--initrd needs a kernel IMAGE (as QEMU: -initrd only with -kernel)');
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

/** --stats: instructions retired, wall time of the run and the rate in millions per second. */
export function formatStats(instructions: bigint, seconds: number, tlbMisses?: bigint, jit?: { compiled: number; declined: number }): string {
  const mips = seconds > 0 ? Number(instructions) / seconds / 1e6 : 0;
  const perK = instructions > 0n && tlbMisses !== undefined ? (Number(tlbMisses) * 1000) / Number(instructions) : 0;
  const tlb = tlbMisses === undefined ? '' : `, ${tlbMisses} soft-TLB misses (${perK.toFixed(3)} per 1000 instructions, vCPU 0 in view)`;
  const compiled = jit ? `, JIT: ${jit.compiled} blocks compiled, ${jit.declined} left to the interpreter` : ', JIT off';
  return `stats: ${instructions} instructions retired in ${seconds.toFixed(3)} s wall time (${mips.toFixed(2)} MIPS)${tlb}${compiled}`;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  if (argv[0] === 'fuzz') { // coverage-guided fuzzing (src/tools/fuzz/cli.ts)
    const { fuzzMain } = await import('./tools/fuzz/cli.ts');
    return fuzzMain(argv.slice(1), { stdout: (t) => io.stdout(new TextEncoder().encode(t)), stderr: io.stderr, isTTY: io === defaultIO && process.stderr.isTTY });
  }
  try {
    const p = parseArgs(argv);
    if (p === 'help') { io.stdout(new TextEncoder().encode(USAGE + '\n')); return 0; }
    if (p === 'version') { io.stdout(new TextEncoder().encode(`a64vm ${version()}\n`)); return 0; }
    if (p.command === 'dtb') {
      const dtb = virtDeviceTree({ ramSize: p.memory ?? DEFAULT_RAM_SIZE, flash: p.bios !== undefined, conduit: p.conduit, bootargs: p.append, cpus: p.smp, gic: p.gic });
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
      smp: p.smp,
      gic: p.gic,
      entry: p.entry,
      mmioGuard: p.mmioGuard,
      guardViolation: p.guardViolation,
      jit: p.jit,
    };
    if (p.image !== undefined) opts.kernel = { data: readInput(p.image), name: basename(p.image) };
    if (p.bios !== undefined) opts.bios = { data: readInput(p.bios), name: basename(p.bios) };
    opts.loads = p.loads.map((l) => ({ data: readInput(l.file), name: basename(l.file), addr: l.addr }));
    if (p.initrd !== undefined) opts.initrd = { data: readInput(p.initrd), name: basename(p.initrd) };

    const tools: ToolOptions = {
      trace: p.trace.size ? p.trace : undefined,
      traceFile: p.traceFile,
      gdb: p.gdb,
      waitGdb: p.waitGdb,
      snapshotAt: p.snapshotAt && { ...p.snapshotAt, exit: p.snapshotExit },
      budget: p.budget,
    };
    const withTools = tools.trace !== undefined || p.traceFile !== undefined || p.gdb !== undefined || p.waitGdb || p.snapshotAt !== undefined;
    try { checkToolOptions(tools); } catch (e) { throw new UsageError((e as Error).message); }

    const { VM } = await import('./vm.ts'); // loads the CPU only when there is something to run
    const vm = p.restore !== undefined ? await VM.fromSnapshot(readInput(p.restore), { jit: p.jit }) : await VM.create(opts);
    if (p.dtbOut) writeOutput(p.dtbOut, vm.boot.dtb);
    if (p.initrd !== undefined && vm.boot.kind === 'elf') {
      io.stderr(`a64vm: warning: --initrd ${basename(p.initrd)} ignored: ${basename(p.image!)} is an ELF image, not a Linux Image (QEMU ignores -initrd for ELF kernels too)\n`);
    }

    // UART output goes to stdout, flushed at each newline and when the run ends; semihosting
    // console output goes to stderr, where QEMU's -semihosting writes it, except SYS_WRITE to
    // ":tt" opened for writing, which QEMU writes to stdout.
    let pending: number[] = [];
    const semihostText = new TextDecoder();
    const flush = () => { if (pending.length) { io.stdout(Uint8Array.from(pending)); pending = []; } };
    vm.onOutput((b, source) => {
      if (source === 'semihosting') { flush(); io.stderr(semihostText.decode(b, { stream: true })); return; }
      // 'uart' and 'semihosting-stdout' share stdout, in the order the guest wrote them.
      pending.push(...b);
      if (b.includes(10) || pending.length >= 4096) flush();
    });
    const started = performance.now();
    // Trace lines and tool messages go to stderr after the UART output written before them.
    const r = withTools ? await runWithTools(vm, tools, { stderr: (t) => { flush(); io.stderr(t); } }) : vm.run({ budget: p.budget });
    const seconds = (performance.now() - started) / 1000;
    flush();
    if (r.message) io.stderr(`a64vm: ${r.message}\n`);
    if (p.stats) io.stderr(`a64vm: ${formatStats(r.instructions, seconds, vm.cpu.u64(layout.TLB_MISSES), vm.cpu.jit?.stats)}\n`);
    return r.status;
  } catch (e) {
    if (e instanceof UsageError || e instanceof LoadError || e instanceof SnapshotError) { io.stderr(`a64vm: ${e.message}\n`); return 2; }
    // Anything else escaped the VM: an unhandled condition, reported on one line.
    const msg = e instanceof Error ? e.message.replace(/^a64vm: /, '') : String(e);
    io.stderr(`a64vm: internal error: ${msg.split('\n')[0]}\n`);
    return 4;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((status) => { process.exitCode = status & 0xff; });
}
