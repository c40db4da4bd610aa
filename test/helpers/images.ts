// Synthetic boot images for loader and CLI tests: minimal ELF64 files and Linux arm64 Images.

export interface Phdr { type?: number; offset?: number; vaddr?: bigint; paddr: bigint; filesz: number; memsz?: number; data?: number[] }

/** A minimal ELF64 file: header, program headers, then each segment's bytes. */
export function elf(opts: { phdrs: Phdr[]; entry?: bigint; machine?: number; type?: number; cls?: number; data?: number }): Uint8Array {
  const phoff = 64;
  let off = phoff + 56 * opts.phdrs.length;
  const placed = opts.phdrs.map((p) => {
    const o = p.offset ?? off;
    if (p.offset === undefined) off += p.filesz;
    return { ...p, offset: o };
  });
  const b = new Uint8Array(Math.max(off, 64 + 56 * opts.phdrs.length));
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 2, opts.data ?? 1, 1]);
  dv.setUint16(16, opts.type ?? 2, true);
  dv.setUint16(18, opts.machine ?? 183, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, opts.entry ?? 0x4008_0000n, true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, opts.phdrs.length, true);
  placed.forEach((p, i) => {
    const h = phoff + 56 * i;
    dv.setUint32(h, p.type ?? 1, true);
    dv.setUint32(h + 4, 5, true);
    dv.setBigUint64(h + 8, BigInt(p.offset), true);
    dv.setBigUint64(h + 16, p.vaddr ?? p.paddr, true);
    dv.setBigUint64(h + 24, p.paddr, true);
    dv.setBigUint64(h + 32, BigInt(p.filesz), true);
    dv.setBigUint64(h + 40, BigInt(p.memsz ?? p.filesz), true);
    if (p.offset + p.filesz <= b.length) b.set((p.data ?? []).slice(0, p.filesz), p.offset);
  });
  return b;
}

/** Little-endian instruction words as bytes. */
export function code(words: number[]): number[] {
  return words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]);
}

/** A Linux arm64 Image header (64 bytes) followed by code words at offset 64 (the header branches there). */
export function linuxImage(textOffset: bigint, imageSize: bigint, len = 4096, words: number[] = []): Uint8Array {
  const b = new Uint8Array(Math.max(len, 64 + 4 * words.length));
  const dv = new DataView(b.buffer);
  dv.setUint32(0, words.length ? 0x14000010 : 0x91005a4d, true); // b +64, or "MZ" + add x13, x18, #0x16 (the EFI stub's first word)
  dv.setBigUint64(8, textOffset, true);
  dv.setBigUint64(16, imageSize, true);
  dv.setUint32(0x38, 0x644d5241, true);
  b.set(code(words), 64);
  return b;
}
