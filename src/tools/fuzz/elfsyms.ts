// ELF64 little-endian symbol table reader (.symtab + its string table), for harness symbols.
export interface ElfSymbol { name: string; value: bigint; size: bigint }

export function elfSymbols(buf: Uint8Array): Map<string, ElfSymbol> {
  const out = new Map<string, ElfSymbol>();
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 64 || dv.getUint32(0, false) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return out;
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true), shnum = dv.getUint16(0x3c, true);
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: dv.getUint32(o + 4, true), offset: Number(dv.getBigUint64(o + 0x18, true)), size: Number(dv.getBigUint64(o + 0x20, true)), link: dv.getUint32(o + 0x28, true) };
  };
  const dec = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    if (s.type !== 2) continue; // SHT_SYMTAB
    const str = sh(s.link);
    for (let o = s.offset + 24; o + 24 <= s.offset + s.size; o += 24) {
      const nameOff = dv.getUint32(o, true);
      let end = str.offset + nameOff;
      while (end < buf.length && buf[end] !== 0) end++;
      const name = dec.decode(buf.subarray(str.offset + nameOff, end));
      if (name) out.set(name, { name, value: dv.getBigUint64(o + 8, true), size: dv.getBigUint64(o + 16, true) });
    }
  }
  return out;
}
