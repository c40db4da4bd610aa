// Corpus and findings on disk: a corpus directory of inputs (read at start, new entries written
// as they are found: that is how --jobs workers share them), crashes/ with one reproducer per
// (kind, PC) as <kind>-<pc>.bin (the input as found), <kind>-<pc>.min.bin (minimised: minimise.ts)
// and <kind>-<pc>.json (kind, PC, instructions, message, sizes).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Crash } from './harness.ts';

export const inputName = (data: Uint8Array) => `id-${createHash('sha1').update(data).digest('hex').slice(0, 16)}`;
export const crashKey = (c: Crash) => `${c.kind.replace(/[^a-z0-9-]/gi, '_')}-0x${c.pc.toString(16)}`;

/** Reads every regular file of dir (sorted by name, for determinism); [] when dir is absent. */
export function readInputs(dir: string | undefined, maxLen = Infinity): { name: string; data: Uint8Array }[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.endsWith('.json'))
    .map((e) => e.name).sort()
    .map((name) => ({ name, data: new Uint8Array(readFileSync(join(dir, name))).subarray(0, maxLen) }));
}

export class OutDir {
  readonly queue: string;
  readonly crashes: string;
  constructor(readonly root: string) {
    this.queue = join(root, 'queue');
    this.crashes = join(root, 'crashes');
    mkdirSync(this.queue, { recursive: true });
    mkdirSync(this.crashes, { recursive: true });
  }
  saveInput(data: Uint8Array): string {
    const name = inputName(data);
    const file = join(this.queue, name);
    if (!existsSync(file)) writeFileSync(file, data);
    return name;
  }
  /** Writes the reproducer(s); returns the file to replay (the minimised one when there is one). */
  saveCrash(c: Crash, data: Uint8Array, instructions: bigint, minimised?: Uint8Array): string {
    const base = join(this.crashes, crashKey(c));
    writeFileSync(`${base}.bin`, data);
    if (minimised) writeFileSync(`${base}.min.bin`, minimised);
    writeFileSync(`${base}.json`, JSON.stringify({
      kind: c.kind, pc: `0x${c.pc.toString(16)}`, instructions: instructions.toString(), message: c.message,
      size: data.length, minimisedSize: minimised?.length,
    }, null, 2) + '\n');
    return minimised ? `${base}.min.bin` : `${base}.bin`;
  }
}
