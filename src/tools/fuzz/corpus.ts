// Corpus and findings on disk: a corpus directory of inputs (read at start, new entries written
// as they are found: that is how --jobs workers share them), crashes/ with one reproducer per
// (kind, PC) as <kind>-<pc>.bin plus <kind>-<pc>.json (kind, PC, instructions, message).
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
  saveCrash(c: Crash, data: Uint8Array, instructions: bigint): string {
    const base = join(this.crashes, crashKey(c));
    writeFileSync(`${base}.bin`, data);
    writeFileSync(`${base}.json`, JSON.stringify({ kind: c.kind, pc: `0x${c.pc.toString(16)}`, instructions: instructions.toString(), message: c.message }, null, 2) + '\n');
    return `${base}.bin`;
  }
}
