// Coverage bookkeeping over the CPU's 64 KiB edge map (assembly/coverage.ts): hit counts are
// classified into AFL's buckets (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), and an input is
// interesting when it sets a bucket bit no earlier input set.
const BUCKET = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  BUCKET[i] = i === 0 ? 0 : i === 1 ? 1 : i === 2 ? 2 : i === 3 ? 4 : i < 8 ? 8 : i < 16 ? 16 : i < 32 ? 32 : i < 128 ? 64 : 128;
}

/** A hit count's bucket bit (0 for no hit). */
export const bucketOf = (count: number) => BUCKET[count];

export class CoverageMap {
  /** Bucket bits seen so far, per map slot. */
  readonly virgin = new Uint8Array(1 << 16);
  /** Map slots ever hit (edges). */
  edges = 0;

  /** Merges a run's map; returns true when it had something new (a new edge or bucket). */
  merge(map: Uint8Array): boolean {
    const w = new Uint32Array(map.buffer, map.byteOffset, map.length >>> 2);
    const v = this.virgin;
    let fresh = false;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === 0) continue;
      for (let j = i << 2, end = j + 4; j < end; j++) {
        const b = BUCKET[map[j]];
        if (b !== 0 && (v[j] & b) === 0) {
          if (v[j] === 0) this.edges++;
          v[j] |= b;
          fresh = true;
        }
      }
    }
    return fresh;
  }

  /** A digest of what was covered (for determinism checks). */
  digest(): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.virgin.length; i++) h = Math.imul(h ^ this.virgin[i], 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  }
}
