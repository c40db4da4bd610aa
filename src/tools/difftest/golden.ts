// The committed golden data: QEMU's results for a fixed set of cases, so that `npm test` compares
// a64vm with the oracle without QEMU installed.
//
// The set is SHARDS independent shards (test/fixtures/diff/shard-<i>.*): shard i holds the cases
// the generator draws from GOLDEN_OPTIONS with seed GOLDEN_OPTIONS.seed + i, and vitest runs one
// test file per shard, so both CPU cores share the comparison. Per shard, two brotli-compressed
// files (node:zlib, no dependency):
//   shard-<i>.cases.bin.br   the case file exactly as QEMU ran it (out_size 0: results on the UART)
//   shard-<i>.qemu.txt.br    QEMU's result lines, canonical form (formatResult), one per case
// and meta.json with the generator options, sizes and SHA-256 of every uncompressed file, the
// runner's SHA-256, and the QEMU version and CPU model.
//
// The cases are committed, not regenerated from the options at test time: the golden set then
// stays valid while the generator or the encoding table change (a new encoding only lacks
// cases until the next `cli.ts --golden`), and loading it costs milliseconds where drawing
// 200,000 cases again costs seconds. Only a change to the runner guest invalidates it (checked
// through runnerSha256), since result lines carry runner addresses.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants as Z } from 'node:zlib';
import { type Case, type Result, decodeCases, parseResults } from './format.ts';
import { type GenerateOptions, FP_CASES_DEFAULT } from './generate.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const GOLDEN_DIR = join(ROOT, 'test', 'fixtures', 'diff');
export const SHARDS = 4;
/** Per shard: these options, seed + shard index. 4 x ~50,600 cases. */
// fp: the SIMD&FP encodings are in the golden set once FP_CASES_DEFAULT is (a64vm needs MRS/MSR
// FPCR/FPSR to run them); 16 per shard and encoding (64 in all), and for the SIMD&FP loads and
// stores 10 more with the MMU off and 6 with SCTLR_EL1.A = 1 (their results carry up to 64 bytes
// of random register or window data each, so fewer than the integer ones' 41 and 20).
export const GOLDEN_OPTIONS: GenerateOptions = {
  seed: 0x5eed0007, perEncoding: 204, perMmuOff: 41, perAlignCheck: 20, fp: FP_CASES_DEFAULT, perFp: 16,
  perFpMmuOff: 10, perFpAlignCheck: 6,
};
export const shardOptions = (i: number): GenerateOptions => ({ ...GOLDEN_OPTIONS, seed: GOLDEN_OPTIONS.seed + i });

export interface ShardMeta {
  generator: GenerateOptions;
  cases: number;
  casesSha256: string;
  resultsSha256: string;
  casesBytes: number;
  resultsBytes: number;
  qemuSeconds: number;
}

export interface GoldenMeta {
  qemu: string;
  cpu: string;
  runnerSha256: string;
  shards: ShardMeta[];
}

export interface GoldenShard {
  index: number;
  cases: Case[];
  bin: Uint8Array;
  results: Result[];
  /** The result text as committed (uncompressed). */
  text: string;
  meta: ShardMeta;
}

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const casesFile = (i: number) => `shard-${i}.cases.bin.br`;
const resultsFile = (i: number) => `shard-${i}.qemu.txt.br`;

export function loadMeta(dir = GOLDEN_DIR): GoldenMeta {
  return JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as GoldenMeta;
}

/** Shard i's case file (the bytes QEMU ran), checked against meta.json. */
export function readShardCaseFile(i: number, dir = GOLDEN_DIR, meta = loadMeta(dir)): Uint8Array {
  const m = meta.shards[i];
  if (!m) throw new Error(`golden data: no shard ${i} in ${join(dir, 'meta.json')}`);
  const bin = new Uint8Array(brotliDecompressSync(readFileSync(join(dir, casesFile(i)))));
  if (sha256(bin) !== m.casesSha256) throw new Error(`golden data: ${casesFile(i)} does not match its SHA-256 in meta.json`);
  return bin;
}

/** Shard i's result text (QEMU's lines), checked against meta.json. */
export function readShardResultText(i: number, dir = GOLDEN_DIR, meta = loadMeta(dir)): string {
  const m = meta.shards[i];
  if (!m) throw new Error(`golden data: no shard ${i} in ${join(dir, 'meta.json')}`);
  const raw = brotliDecompressSync(readFileSync(join(dir, resultsFile(i))));
  if (sha256(raw) !== m.resultsSha256) throw new Error(`golden data: ${resultsFile(i)} does not match its SHA-256 in meta.json`);
  return raw.toString('latin1');
}

/** One shard, decompressed, checked against meta.json, decoded and parsed. */
export function loadShard(i: number, dir = GOLDEN_DIR, meta = loadMeta(dir)): GoldenShard {
  const m = meta.shards[i];
  const bin = readShardCaseFile(i, dir, meta);
  const text = readShardResultText(i, dir, meta);
  const out = parseResults(text);
  return { index: i, cases: decodeCases(bin), bin, results: out.results, text, meta: m };
}

/** Every shard. */
export function loadGolden(dir = GOLDEN_DIR): { meta: GoldenMeta; shards: GoldenShard[] } {
  const meta = loadMeta(dir);
  return { meta, shards: meta.shards.map((_, i) => loadShard(i, dir, meta)) };
}

/** Every shard's cases only (no results parsed): what coverage needs. */
export function loadGoldenCases(dir = GOLDEN_DIR, meta = loadMeta(dir)): Case[][] {
  return meta.shards.map((_, i) => decodeCases(readShardCaseFile(i, dir, meta)));
}

const compress = (b: Uint8Array) => brotliCompressSync(b, {
  params: { [Z.BROTLI_PARAM_QUALITY]: 11, [Z.BROTLI_PARAM_LGWIN]: 24, [Z.BROTLI_PARAM_SIZE_HINT]: b.byteLength },
});

/** Writes shard i's files; returns its meta entry (qemuSeconds as given). */
export function writeShard(i: number, generator: GenerateOptions, bin: Uint8Array, text: string, count: number, qemuSeconds: number, dir = GOLDEN_DIR): ShardMeta {
  mkdirSync(dir, { recursive: true });
  const raw = Buffer.from(text, 'latin1');
  const cz = compress(bin);
  const rz = compress(raw);
  writeFileSync(join(dir, casesFile(i)), cz);
  writeFileSync(join(dir, resultsFile(i)), rz);
  return {
    generator, cases: count, casesSha256: sha256(bin), resultsSha256: sha256(raw),
    casesBytes: cz.byteLength, resultsBytes: rz.byteLength, qemuSeconds: Number(qemuSeconds.toFixed(2)),
  };
}

export function writeMeta(meta: GoldenMeta, dir = GOLDEN_DIR): void {
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
}
