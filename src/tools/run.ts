// `a64vm run` with tools: traces (--trace, --trace-file), the gdb stub (--gdb, --wait-gdb) and
// snapshots (--snapshot-at N FILE [--snapshot-exit]; --restore is handled where the VM is
// made, in cli.ts). The CLI calls runWithTools() only when one of these is given, so a plain run
// goes straight to vm.run().
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { EXIT_BUDGET_STATUS, type VM } from '../vm.ts';
import { parseGdbAddress, startGdbServer } from './gdbstub/server.ts';
import { Tracer, type TraceCategory } from './trace.ts';

export interface ToolOptions {
  trace?: Set<TraceCategory>;
  /** Trace lines go here instead of stderr. */
  traceFile?: string;
  /** tcp::PORT */
  gdb?: string;
  waitGdb?: boolean;
  /** Stop when the VM has retired exactly `at` instructions (counted from power-on, restores included), write the snapshot, go on (or stop with exit). */
  snapshotAt?: { at: bigint; file: string; exit: boolean };
  budget?: bigint;
}

export interface ToolsIO { stderr(text: string): void }

/** The outcome the CLI turns into an exit status. */
export interface ToolRunEnd { status: number; message?: string; /** Instructions retired by this run. */ instructions: bigint }

export class ToolUsageError extends Error {}

/** Checks combinations that cannot work together (before the VM is made). */
export function checkToolOptions(t: ToolOptions): void {
  const stepping = t.trace && (t.trace.has('insn') || t.trace.has('exc') || t.trace.has('irq'));
  if (t.gdb !== undefined && stepping) throw new ToolUsageError('--trace insn, exc and irq cannot be combined with --gdb (hvc, mmio and guard can)');
  if (t.gdb !== undefined && t.snapshotAt) throw new ToolUsageError('--snapshot-at cannot be combined with --gdb');
  if (t.waitGdb && t.gdb === undefined) throw new ToolUsageError('--wait-gdb needs --gdb tcp::PORT');
  if (t.traceFile !== undefined && !t.trace) throw new ToolUsageError('--trace-file needs --trace');
  if (t.gdb !== undefined) {
    try { parseGdbAddress(t.gdb); } catch (e) { throw new ToolUsageError((e as Error).message); }
  }
}

export async function runWithTools(vm: VM, t: ToolOptions, io: ToolsIO): Promise<ToolRunEnd> {
  const start = vm.instructions;
  const end = await runTraced(vm, t, io);
  return { ...end, instructions: vm.instructions - start };
}

async function runTraced(vm: VM, t: ToolOptions, io: ToolsIO): Promise<Omit<ToolRunEnd, 'instructions'>> {
  let fd: number | undefined;
  let write = (line: string) => io.stderr(line + '\n');
  if (t.traceFile !== undefined) {
    try {
      fd = openSync(t.traceFile, 'w');
    } catch (e) {
      return { status: 1, message: `cannot write ${t.traceFile}: ${(e as Error).message}` };
    }
    const file = fd;
    let pending: string[] = [];
    let size = 0;
    const flush = () => { if (pending.length) { writeSync(file, pending.join('')); pending = []; size = 0; } };
    write = (line) => { pending.push(line + '\n'); size += line.length; if (size > 1 << 16) flush(); };
    const end = await runTools(vm, t, io, write).finally(() => { flush(); closeSync(file); });
    return end;
  }
  return runTools(vm, t, io, write);
}

async function runTools(vm: VM, t: ToolOptions, io: ToolsIO, write: (line: string) => void): Promise<Omit<ToolRunEnd, 'instructions'>> {
  const tracer = t.trace ? new Tracer(vm, t.trace, write).attach() : undefined;
  const start = vm.instructions;
  const left = () => (t.budget === undefined ? undefined : t.budget - (vm.instructions - start));
  const run = (budget: bigint | undefined) => (tracer ? tracer.run({ budget }) : vm.run({ budget }));
  try {
    if (t.snapshotAt) {
      const { at, file, exit } = t.snapshotAt;
      if (at < vm.instructions) return { status: 2, message: `--snapshot-at ${at}: the VM is already at instruction ${vm.instructions}` };
      const budgetLeft = left();
      if (budgetLeft !== undefined && at - vm.instructions > budgetLeft) {
        return { status: 2, message: `--snapshot-at ${at} lies beyond the --budget` };
      }
      const r = at > vm.instructions ? run(at - vm.instructions) : undefined;
      if (r && r.reason !== 'budget') {
        const note = `the guest stopped after ${vm.instructions} instructions, before instruction ${at}: no snapshot written`;
        return { status: r.status, message: r.message ? `${r.message}; ${note}` : note };
      }
      const t0 = performance.now();
      const bytes = vm.snapshot();
      try {
        writeFileSync(file, bytes);
      } catch (e) {
        return { status: 1, message: `cannot write ${file}: ${(e as Error).message}` };
      }
      io.stderr(`a64vm: snapshot at instruction ${vm.instructions} written to ${file} (${bytes.length} bytes, ${(performance.now() - t0).toFixed(0)} ms)\n`);
      if (exit) return { status: 0 };
    }
    if (t.gdb !== undefined) {
      const { port } = parseGdbAddress(t.gdb);
      const server = await startGdbServer(vm, { port, waitForGdb: t.waitGdb, budget: left(), log: (l) => io.stderr(`a64vm: ${l}\n`) });
      io.stderr(`a64vm: gdb stub listening on 127.0.0.1:${server.port}${t.waitGdb ? ', waiting for gdb to connect' : ''}\n`);
      const end = await server.run();
      if (end.kind === 'killed') return { status: 1, message: 'killed by gdb' };
      if (end.kind === 'exited') return { status: end.result.status, message: end.result.message };
      // detached: the guest runs on without the debugger
    }
    const b = left();
    if (b !== undefined && b <= 0n) {
      return { status: EXIT_BUDGET_STATUS, message: `instruction budget exhausted after ${vm.instructions - start} instructions (PC 0x${vm.cpu.pc.toString(16)})` };
    }
    const r = run(b);
    return { status: r.status, message: r.message };
  } finally {
    tracer?.detach();
  }
}
