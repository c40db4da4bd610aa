// Mutations (AFL++ havoc style): bit/byte flips, arithmetic, interesting values, block insert /
// delete / copy / overwrite, dictionary tokens, splicing. Driven by a seeded PRNG: the same seed
// gives the same mutants.

/** xorshift128+ style PRNG on 32-bit halves (deterministic, fast). */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  constructor(seed: number) {
    let x = (seed >>> 0) ^ 0x9e3779b9;
    const next = () => { x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0; x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0; x = (x ^ (x >>> 16)) >>> 0; return x || 1; };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }
  /** A uniform u32 (xoshiro128**). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3; this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }
  /** 0 <= n < max. */
  below(max: number): number { return max <= 1 ? 0 : this.u32() % max; }
}
const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

const INTERESTING_8 = [-128, -1, 0, 1, 16, 32, 64, 100, 127];
const INTERESTING_16 = [-32768, -129, 128, 255, 256, 512, 1000, 1024, 4096, 32767];
const INTERESTING_32 = [-2147483648, -100663046, -32769, 32768, 65535, 65536, 100663045, 2147483647];

export interface MutateContext { rng: Rng; maxLen: number; dict: Uint8Array[]; corpus: Uint8Array[] }

/** One havoc round: 1..16 stacked mutations of a copy of input. */
export function havoc(input: Uint8Array, ctx: MutateContext): Uint8Array {
  const { rng } = ctx;
  let b = Array.from(input);
  const stack = 1 << (1 + rng.below(4));
  for (let i = 0; i < stack; i++) b = mutateOnce(b, ctx);
  if (b.length > ctx.maxLen) b.length = ctx.maxLen;
  return Uint8Array.from(b);
}

function put(b: number[], at: number, v: number, size: number, be: boolean): void {
  for (let k = 0; k < size; k++) b[at + k] = (v >>> (8 * (be ? size - 1 - k : k))) & 0xff;
}
function get(b: number[], at: number, size: number, be: boolean): number {
  let v = 0;
  for (let k = 0; k < size; k++) v |= b[at + k] << (8 * (be ? size - 1 - k : k));
  return v >>> 0;
}

function mutateOnce(b: number[], ctx: MutateContext): number[] {
  const { rng } = ctx;
  const n = b.length;
  const op = rng.below(16);
  if (n === 0 && op < 13) return [rng.below(256)];
  switch (op) {
    case 0: { const bit = rng.below(n * 8); b[bit >> 3] ^= 1 << (bit & 7); return b; }
    case 1: b[rng.below(n)] = INTERESTING_8[rng.below(INTERESTING_8.length)] & 0xff; return b;
    case 2: if (n >= 2) put(b, rng.below(n - 1), INTERESTING_16[rng.below(INTERESTING_16.length)], 2, rng.below(2) === 1); return b;
    case 3: if (n >= 4) put(b, rng.below(n - 3), INTERESTING_32[rng.below(INTERESTING_32.length)], 4, rng.below(2) === 1); return b;
    case 4: { const i = rng.below(n); b[i] = (b[i] + 1 + rng.below(35)) & 0xff; return b; }
    case 5: { const i = rng.below(n); b[i] = (b[i] - 1 - rng.below(35)) & 0xff; return b; }
    case 6: if (n >= 2) { const at = rng.below(n - 1), be = rng.below(2) === 1; put(b, at, get(b, at, 2, be) + (rng.below(2) ? 1 : -1) * (1 + rng.below(35)), 2, be); } return b;
    case 7: if (n >= 4) { const at = rng.below(n - 3), be = rng.below(2) === 1; put(b, at, get(b, at, 4, be) + (rng.below(2) ? 1 : -1) * (1 + rng.below(35)), 4, be); } return b;
    case 8: b[rng.below(n)] ^= 1 + rng.below(255); return b;
    case 9: case 10: { // delete a block
      if (n < 2) return b;
      const len = 1 + rng.below(Math.min(n - 1, 32));
      b.splice(rng.below(n - len + 1), len); return b;
    }
    case 11: { // insert a copied block or a run of one byte
      const len = 1 + rng.below(Math.min(n, 32));
      const from = rng.below(n - len + 1);
      const block = rng.below(4) === 0 ? new Array(len).fill(rng.below(2) ? b[rng.below(n)] : rng.below(256)) : b.slice(from, from + len);
      b.splice(rng.below(n + 1), 0, ...block); return b;
    }
    case 12: { // overwrite with a copied block
      if (n < 2) return b;
      const len = 1 + rng.below(Math.min(n - 1, 32));
      const from = rng.below(n - len + 1), to = rng.below(n - len + 1);
      const block = b.slice(from, from + len);
      for (let k = 0; k < len; k++) b[to + k] = block[k];
      return b;
    }
    case 13: case 14: { // dictionary token: overwrite or insert
      if (ctx.dict.length === 0) return mutateOnce(b, ctx);
      const tok = ctx.dict[rng.below(ctx.dict.length)];
      if (op === 13 && tok.length <= n) { const at = rng.below(n - tok.length + 1); for (let k = 0; k < tok.length; k++) b[at + k] = tok[k]; }
      else b.splice(rng.below(n + 1), 0, ...tok);
      return b;
    }
    default: { // splice: head of this, tail of another entry
      if (ctx.corpus.length < 2 || n < 2) return mutateOnce(b, ctx);
      const other = ctx.corpus[rng.below(ctx.corpus.length)];
      if (other.length < 2) return b;
      const cut = 1 + rng.below(Math.min(n, other.length) - 1);
      return b.slice(0, cut).concat(Array.from(other.subarray(cut)));
    }
  }
}

/**
 * Input-to-state candidates from a comparison log: wherever an operand's 1/2/4/8-byte
 * little-endian form (at most the compare's size) occurs in the input, put the other operand
 * there (and that value +-1, for < and > compares).
 */
export function inputToState(input: Uint8Array, cmps: { a: bigint; b: bigint; size: number }[], limit = 256): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  const le = (v: bigint, w: number) => { const r = new Uint8Array(w); for (let k = 0; k < w; k++) r[k] = Number((v >> BigInt(8 * k)) & 0xffn); return r; };
  for (const c of cmps) {
    for (const w of [1, 2, 4, 8]) {
      if (w > c.size) break;
      const mask = (1n << BigInt(8 * w)) - 1n;
      for (const [from, to] of [[c.a, c.b], [c.b, c.a]]) {
        if ((from & mask) === (to & mask)) continue;
        const pat = le(from, w);
        for (let i = 0; i + w <= input.length; i++) {
          let hit = true;
          for (let k = 0; k < w && hit; k++) hit = input[i + k] === pat[k];
          if (!hit) continue;
          for (const d of [0n, 1n, -1n]) {
            const rep = le((to + d) & mask, w);
            const key = `${i}:${w}:${rep.join(',')}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const m = input.slice();
            m.set(rep, i);
            out.push(m);
            // The same, grown by 32 bytes: a length the compare wants may need a longer input.
            const g = new Uint8Array(m.length + 32);
            g.set(m);
            g.fill(m.length ? m[m.length - 1] : 0, m.length);
            out.push(g);
            if (out.length >= limit) return out;
          }
        }
      }
    }
  }
  return out;
}

/** Dictionary tokens worth keeping from a comparison log (multi-byte immediates and operands). */
export function tokensFrom(cmps: { a: bigint; b: bigint; size: number }[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of cmps) {
    for (const v of [c.a, c.b]) {
      if (v < 0x100n) continue;
      let w = c.size;
      while (w > 1 && (v >> BigInt(8 * (w - 1))) === 0n) w--;
      const t = new Uint8Array(w);
      for (let k = 0; k < w; k++) t[k] = Number((v >> BigInt(8 * k)) & 0xffn);
      out.push(t);
    }
  }
  return out;
}
