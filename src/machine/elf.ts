// ELF64 little-endian AArch64 executables, loaded as QEMU's -kernel loads an ELF: every PT_LOAD
// segment at its physical address (p_paddr), p_filesz bytes from the file, zero-filled up to
// p_memsz; the entry point is e_entry. Layouts from the System V gABI (ELF-64 Object File Format).
import { checkSegment, describeSegment, findOverlap, hex, LoadError, regionOf, type LoadedImage, type Region, type Segment } from './regions.ts';

export const EM_AARCH64 = 183;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const PT_LOAD = 1;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;

const MACHINES: Record<number, string> = { 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM (AArch32)', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };

export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/**
 * Parses and checks an ELF image; every segment must fit one of regions, and the entry point
 * must be inside a loaded segment or in ram.
 */
export function loadElf(buf: Uint8Array, file: string, regions: readonly Region[], ram: Region): LoadedImage {
  if (!isElf(buf)) throw new LoadError(`${file}: not an ELF file (no \\x7fELF magic at offset 0)`);
  if (buf.length < EHDR_SIZE) {
    throw new LoadError(`${file}: truncated ELF header: the file is ${buf.length} bytes, the ELF64 header needs ${EHDR_SIZE} at offset 0`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf[4] !== 2) throw new LoadError(`${file}: ${buf[4] === 1 ? '32-bit ELF (ELFCLASS32)' : `ELF class ${buf[4]}`}; a64vm loads 64-bit AArch64 images (ELFCLASS64)`);
  if (buf[5] !== 1) throw new LoadError(`${file}: ${buf[5] === 2 ? 'big-endian ELF (ELFDATA2MSB)' : `ELF data encoding ${buf[5]}`}; a64vm loads little-endian images (ELFDATA2LSB)`);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_AARCH64) {
    throw new LoadError(`${file}: ELF machine ${machine} (${MACHINES[machine] ?? 'unknown'}), not AArch64 (EM_AARCH64 = ${EM_AARCH64})`);
  }
  if (type === ET_REL) throw new LoadError(`${file}: a relocatable object file (ET_REL), not an executable: link it first`);
  if (type === ET_CORE) throw new LoadError(`${file}: a core dump (ET_CORE), not an executable`);
  if (type !== ET_EXEC && type !== ET_DYN) throw new LoadError(`${file}: ELF type ${type} is not an executable (ET_EXEC)`);
  const entry = dv.getBigUint64(24, true);
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phnum === 0) throw new LoadError(`${file}: no program headers: nothing to load`);
  if (phnum === 0xffff) throw new LoadError(`${file}: extended program header numbering (PN_XNUM) is not supported`);
  if (phentsize < PHDR_SIZE) throw new LoadError(`${file}: program header entries are ${phentsize} bytes, ELF64 needs ${PHDR_SIZE}`);

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + PHDR_SIZE > buf.length) {
      throw new LoadError(`${file}: truncated: program header ${i} at offset ${hex(off)} (${PHDR_SIZE} bytes) extends past the end of the file (${buf.length} bytes)`);
    }
    if (dv.getUint32(off, true) !== PT_LOAD) continue;
    const pOffset = Number(dv.getBigUint64(off + 8, true));
    const vaddr = dv.getBigUint64(off + 16, true);
    const paddr = dv.getBigUint64(off + 24, true);
    const filesz = Number(dv.getBigUint64(off + 32, true));
    const memsz = Number(dv.getBigUint64(off + 40, true));
    if (memsz === 0) continue;
    const what = `segment ${i} (PT_LOAD, vaddr ${hex(vaddr)})`;
    if (filesz > memsz) throw new LoadError(`${file}: ${what}: p_filesz ${hex(filesz)} is larger than p_memsz ${hex(memsz)}`);
    if (pOffset + filesz > buf.length) {
      throw new LoadError(`${file}: truncated: ${what} has ${hex(filesz)} bytes at file offset ${hex(pOffset)}, past the end of the file (${buf.length} bytes)`);
    }
    if (paddr >= 1n << 48n) throw new LoadError(`${file}: ${what} has physical address ${hex(paddr)}, outside the physical address space`);
    const seg: Segment = { addr: Number(paddr), data: buf.subarray(pOffset, pOffset + filesz), memsz, what };
    checkSegment(regions, seg, file);
    segments.push(seg);
  }
  if (segments.length === 0) throw new LoadError(`${file}: no loadable (PT_LOAD) segments`);
  const clash = findOverlap(segments);
  if (clash) throw new LoadError(`${file}: ${describeSegment(clash[1])} overlaps ${describeSegment(clash[0])}`);
  const inSegment = segments.some((s) => entry >= BigInt(s.addr) && entry < BigInt(s.addr + s.memsz));
  if (!inSegment && !(entry < 1n << 48n && regionOf([ram], Number(entry), 4))) {
    throw new LoadError(`${file}: entry point ${hex(entry)} is not inside a loaded segment or RAM`);
  }
  return { kind: 'elf', segments, entry };
}
