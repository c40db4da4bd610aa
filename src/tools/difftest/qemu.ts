// Runs the case runner guest on QEMU (the oracle) and parses its UART output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES_ADDR, parseResults, type RunOutput } from './format.ts';

export const RUNNER_ELF = fileURLToPath(new URL('../../../guest-images/diff-runner.elf', import.meta.url));

/**
 * The QEMU CPU model. a64vm implements Armv8.0 + CRC32 + LSE; Cortex-A76 is the QEMU model
 * closest to it that has LSE (cortex-a57 lacks it; `max` adds PAuth and BTI, which turn HINT
 * encodings into instructions with effects, and FEAT_LSE2-like relaxations).
 */
export const QEMU_CPU = 'cortex-a76';
export const QEMU_BIN = process.env.QEMU_SYSTEM_AARCH64 ?? 'qemu-system-aarch64';

export function qemuAvailable(): boolean {
  const r = spawnSync(QEMU_BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

export function qemuVersion(): string {
  const r = spawnSync(QEMU_BIN, ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0].trim();
}

export function qemuArgs(casesPath: string, cpu = QEMU_CPU, elf = RUNNER_ELF): string[] {
  return [
    '-M', 'virt', '-cpu', cpu, '-nographic', '-monitor', 'none', '-serial', 'stdio',
    '-kernel', elf,
    '-device', `loader,file=${casesPath},addr=0x${CASES_ADDR.toString(16)},force-raw=on`,
  ];
}

export interface QemuRun extends RunOutput {
  raw: string;
  stderr: string;
  status: number | null;
  timedOut: boolean;
  seconds: number;
}

/** Runs the cases (bytes of a case file) on QEMU; resolves with the parsed output. */
export async function runQemu(cases: Uint8Array, opts: { timeoutMs?: number; cpu?: string; elf?: string } = {}): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'a64diff-'));
  const path = join(dir, 'cases.bin');
  writeFileSync(path, cases);
  const t0 = performance.now();
  try {
    return await new Promise<QemuRun>((resolve, reject) => {
      const child = spawn(QEMU_BIN, qemuArgs(path, opts.cpu, opts.elf), { stdio: ['ignore', 'pipe', 'pipe'] });
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
          seconds: (performance.now() - t0) / 1000,
        });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
