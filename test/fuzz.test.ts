// The fuzzing harness (issue 9): fast reset exactness, determinism, crash de-duplication, and the
// example parser's bug found from a trivial seed with comparison feedback, then replayed.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, loadHarnessConfig } from '../src/tools/fuzz/harness.ts';
import { Fuzzer } from '../src/tools/fuzz/fuzzer.ts';
import { fuzzMain } from '../src/tools/fuzz/cli.ts';

const CONFIG = join(__dirname, '../guest-images/fuzz/parser.json');
const enc = (s: string) => new TextEncoder().encode(s);
/** A parser input: magic, total length, one record. */
function record(type: number, body: number[]): Uint8Array {
  const b = [0x41, 0x36, 0x34, 0x46, 0, 0, 1, type, body.length, ...body];
  b[4] = b.length & 0xff; b[5] = b.length >> 8;
  return Uint8Array.from(b);
}

let h: Harness;
beforeAll(async () => { h = await Harness.create(loadHarnessConfig(CONFIG)); });

describe('fuzz harness', () => {
  it('ends normally at fuzz_done and crashes on the label overflow', () => {
    expect(h.exec(enc('hello')).crash).toBeUndefined();
    expect(h.exec(record(2, [1, 2, 3, 4])).crash).toBeUndefined();
    const c = h.exec(record(3, new Array(24).fill(0x41))).crash;
    expect(c?.kind).toBe('exception:dabt');
  });

  it('resets exactly: after a run and a reset, RAM and the vCPU state are the start point', () => {
    for (const input of [record(1, [1, 2, 3]), record(3, new Array(40).fill(0x7f)), new Uint8Array(4000).fill(0x41)]) {
      h.exec(input);
      h.resetToStart();
      expect(h.differenceFromStart()).toBeUndefined();
    }
  });

  it('runs after a reset see exactly the same thing (same coverage, instructions, result)', () => {
    const input = record(3, new Array(30).fill(0x10));
    const a = h.exec(input); const covA = h.cov.slice();
    h.exec(record(1, [9, 9]));
    const b = h.exec(input);
    expect(b).toEqual(a);
    expect(Buffer.compare(Buffer.from(h.cov), Buffer.from(covA))).toBe(0);
  });

  it('de-duplicates crashes by (kind, PC)', () => {
    const f = new Fuzzer(h, { seed: 7, seeds: [record(3, new Array(24).fill(0x41)), record(3, new Array(30).fill(0x42)), record(3, new Array(24).fill(0x41))] });
    expect([...f.findings.keys()]).toEqual([expect.stringMatching(/^exception_dabt-0x4008[0-9a-f]+$/)]);
  });

  it('is deterministic: same seed and corpus, same coverage and findings', () => {
    const run = () => {
      const f = new Fuzzer(h, { seed: 3, seeds: [enc('AAAAAAAAAAAAAAAA')] });
      f.fuzz({ maxExecs: 6000 });
      return { digest: f.coverage.digest(), queue: f.queue.map((q) => Buffer.from(q).toString('hex')), findings: [...f.findings.keys()], execs: f.execs };
    };
    expect(run()).toEqual(run());
  });

  it('finds the parser bug from a trivial seed with comparison feedback, and the reproducer replays it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'a64vm-fuzz-'));
    const f = new Fuzzer(h, { seed: 3, seeds: [enc('AAAAAAAAAAAAAAAA')], outDir: out });
    f.fuzz({ maxExecs: 120_000, stopOnCrash: true });
    const found = [...f.findings.values()].filter((x) => x.crash.kind !== 'hang');
    expect(found.length).toBe(1);
    expect(found[0].crash.kind).toBe('exception:dabt');
    const again = h.exec(found[0].input);
    expect(again.crash).toEqual(found[0].crash);
    const file = join(out, 'crashes', readdirSync(join(out, 'crashes')).find((n) => n.endsWith('.bin'))!);
    let text = '';
    const status = await fuzzMain([CONFIG, '--replay', file], { stdout: (t) => { text += t; }, stderr: () => {} });
    expect(status).toBe(1);
    expect(text).toContain(`crash exception:dabt at PC 0x${found[0].crash.pc.toString(16)}`);
  }, 60_000);
});
