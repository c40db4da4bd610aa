// The fuzzing harness (issue 9): fast reset exactness, determinism, crash de-duplication, and the
// example parser's bug found from a trivial seed with comparison feedback, then replayed.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, loadHarnessConfig } from '../src/tools/fuzz/harness.ts';
import { Fuzzer } from '../src/tools/fuzz/fuzzer.ts';
import { fuzzMain } from '../src/tools/fuzz/cli.ts';
import { minimise, minimiseCorpus } from '../src/tools/fuzz/minimise.ts';
import { CoverageMap } from '../src/tools/fuzz/coverage.ts';
import { crashKey } from '../src/tools/fuzz/corpus.ts';

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
    // Both reproducers: as found, and minimised (same key, no longer).
    const names = readdirSync(join(out, 'crashes'));
    expect(names.filter((n) => n.endsWith('.bin')).sort()).toEqual([`${found[0].key}.bin`, `${found[0].key}.min.bin`]);
    expect(found[0].minimised!.length).toBeLessThanOrEqual(found[0].input.length);
    const file = join(out, 'crashes', `${found[0].key}.min.bin`);
    let text = '';
    const status = await fuzzMain([CONFIG, '--replay', file], { stdout: (t) => { text += t; }, stderr: () => {} });
    expect(status).toBe(1);
    expect(text).toContain(`crash exception:dabt at PC 0x${found[0].crash.pc.toString(16)}`);
  }, 60_000);
});

describe('minimisation', () => {
  it('shrinks a crashing input to the bytes the crash needs, keeping its (kind, PC)', () => {
    const crashing = record(3, new Array(40).fill(0x41));
    const padded = new Uint8Array([...crashing, ...new Array(300).fill(0x99)]);
    padded[5] = 0; padded[4] = crashing.length; // the header's total length: the tail is ignored
    const want = crashKey(h.exec(padded).crash!);
    const m = minimise(h, padded);
    expect(m.kept).toBe(want);
    expect(crashKey(h.exec(m.data).crash!)).toBe(want);
    // The ignored tail goes; the record stays (its length bytes tie it together: like afl-tmin,
    // no pass changes two places at once), but its label bytes are zeroed (a null pointer store
    // aborts at the same PC).
    expect(m.data.length).toBe(crashing.length);
    expect(Array.from(m.data.subarray(0, 4))).toEqual([0x41, 0x36, 0x34, 0x46]);
    expect(m.data.filter((b) => b === 0).length).toBeGreaterThanOrEqual(30);
  });

  it('without a crash, keeps the coverage', () => {
    const input = new Uint8Array([...record(2, [1, 2, 3, 4]), ...new Array(64).fill(7)]);
    h.exec(input);
    const before = new CoverageMap(); before.merge(h.cov);
    const m = minimise(h, input);
    expect(m.kept).toBe('coverage');
    expect(m.data.length).toBeLessThan(input.length);
    h.exec(m.data);
    const after = new CoverageMap(); after.merge(h.cov);
    expect(after.digest()).toBe(before.digest());
  });

  it('corpus minimisation keeps the smallest inputs that cover everything', () => {
    const corpus = [enc('xx'), record(2, [1, 2, 3, 4]), new Uint8Array([...record(2, [1, 2, 3, 4]), 9, 9, 9]), enc('x'), record(1, [65, 66])];
    const keep = minimiseCorpus(h, corpus);
    const cover = (idx: number[]) => { const c = new CoverageMap(); for (const i of idx) { h.exec(corpus[i]); c.merge(h.cov); } return c.digest(); };
    expect(cover(keep)).toBe(cover(corpus.map((_, i) => i)));
    expect(keep).not.toContain(2); // the longer twin of 1
    expect(keep).not.toContain(0); // 'x' rejects the same way, shorter
    expect(keep.length).toBeLessThan(corpus.length);
  });

  it('a64vm fuzz --minimise FILE writes FILE.min; --cmin writes the kept inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a64vm-min-'));
    const file = join(dir, 'crash.bin');
    writeFileSync(file, new Uint8Array([...record(3, new Array(40).fill(0x41)), 1, 2, 3]));
    let text = '';
    const io = { stdout: (t: string) => { text += t; }, stderr: () => {} };
    expect(await fuzzMain([CONFIG, '--minimise', file], io)).toBe(0);
    expect(text).toMatch(/minimise: 52 -> \d+ bytes keeping crash exception_dabt-0x[0-9a-f]+/);
    const min = readFileSync(`${file}.min`);
    expect(min.length).toBeLessThan(52);
    expect(h.exec(new Uint8Array(min)).crash?.kind).toBe('exception:dabt');
    const cdir = join(dir, 'corpus');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(cdir);
    writeFileSync(join(cdir, 'a'), enc('x'));
    writeFileSync(join(cdir, 'b'), enc('xyz'));
    text = '';
    expect(await fuzzMain([CONFIG, '--cmin', cdir, '-o', join(dir, 'kept')], io)).toBe(0);
    expect(text).toBe(`cmin: kept 1 of 2 inputs -> ${join(dir, 'kept')}\n`);
    expect(readdirSync(join(dir, 'kept'))).toEqual(['a']);
    expect(await fuzzMain([CONFIG, '--cmin', cdir], { stdout: () => {}, stderr: (t) => { text = t; } })).toBe(2);
    expect(text).toMatch(/--cmin needs -o DIR/);
  });
});
