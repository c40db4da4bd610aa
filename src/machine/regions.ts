// What image loaders produce (segments to copy into guest-physical memory) and where they may
// go (the board's memory regions), with the checks every loader shares.

/** A guest-physical memory region images may be loaded into (RAM, flash). */
export interface Region { name: string; base: number; size: number }

/** Bytes to place at a guest-physical address; memsz beyond data.length is zero-filled. */
export interface Segment { addr: number; data: Uint8Array; memsz: number; what: string }

/** A loader's result. */
export interface LoadedImage { kind: 'elf' | 'linux-image' | 'raw'; segments: Segment[]; entry?: bigint }

/** Any problem with an input image; the message names the file and what is wrong. */
export class LoadError extends Error {}

export const hex = (v: number | bigint) => `0x${v.toString(16)}`;

export function describeRegions(regions: readonly Region[]): string {
  return regions.map((r) => `${r.name} ${hex(r.base)}-${hex(r.base + r.size - 1)}`).join(', ');
}

/** The region holding all of [addr, addr + size), if any. */
export function regionOf(regions: readonly Region[], addr: number, size: number): Region | undefined {
  return regions.find((r) => addr >= r.base && addr + Math.max(size, 1) <= r.base + r.size);
}

/** "what at first-last", for messages. */
export function describeSegment(s: Segment): string {
  return `${s.what} at ${hex(s.addr)}-${hex(s.addr + Math.max(s.memsz, 1) - 1)}`;
}

/** The first pair of segments whose address ranges intersect (earlier one first), if any. */
export function findOverlap(segments: readonly Segment[]): [Segment, Segment] | undefined {
  for (let i = 0; i < segments.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = segments[j], b = segments[i];
      if (a.addr < b.addr + b.memsz && b.addr < a.addr + a.memsz) return [a, b];
    }
  }
  return undefined;
}

/** Throws unless the segment lies inside one region. */
export function checkSegment(regions: readonly Region[], s: Segment, file: string): void {
  const biggest = Math.max(...regions.map((r) => r.size));
  if (s.memsz > biggest) {
    throw new LoadError(`${file}: ${s.what} is ${s.memsz} bytes, bigger than guest memory (${describeRegions(regions)}: at most ${biggest} bytes)`);
  }
  if (!regionOf(regions, s.addr, s.memsz)) {
    throw new LoadError(
      `${file}: ${s.what} at ${hex(s.addr)}-${hex(s.addr + Math.max(s.memsz, 1) - 1)} is not inside ` +
        `guest memory (${describeRegions(regions)})`,
    );
  }
}
