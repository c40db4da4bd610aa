// The Linux arm64 boot Image (Documentation/arch/arm64/booting.rst): a 64-byte header with
// text_offset at 8, image_size at 16 and the magic "ARM\x64" at 0x38. Loaded at RAM base +
// text_offset (0x80000 when image_size is 0, as before Linux 3.17 made them explicit) and
// entered at its first byte; image_size beyond the file is zero-filled (the kernel's BSS).
import { checkSegment, LoadError, type LoadedImage, type Region } from './regions.ts';

export const ARM64_IMAGE_MAGIC = 0x644d5241; // "ARM\x64", little-endian
const HEADER_SIZE = 64;
export const DEFAULT_TEXT_OFFSET = 0x80000;
/** QEMU's boot stub area at the start of RAM (hw/arm/boot.c BOOTLOADER_MAX_SIZE). */
const BOOTLOADER_MAX_SIZE = 4096;

export function isLinuxImage(buf: Uint8Array): boolean {
  // The magic alone (a file cut short after it is a truncated Image, which loadLinuxImage reports).
  return buf.length >= 0x3c && new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0x38, true) === ARM64_IMAGE_MAGIC;
}

export function loadLinuxImage(buf: Uint8Array, file: string, ram: Region): LoadedImage {
  if (buf.length < HEADER_SIZE) throw new LoadError(`${file}: truncated: a Linux Image header needs ${HEADER_SIZE} bytes, the file has ${buf.length}`);
  if (!isLinuxImage(buf)) throw new LoadError(`${file}: not a Linux arm64 Image (no "ARM\\x64" magic at offset 0x38)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // As QEMU's load_aarch64_image: text_offset is valid only when image_size is not 0 (older
  // kernels: 0x80000), and an offset below 4 KiB moves up by 2 MiB (QEMU keeps its boot stub
  // at the start of RAM). Kernels since 5.10 have text_offset 0: they load at RAM + 2 MiB.
  const imageSize = Number(dv.getBigUint64(16, true));
  let textOffset = imageSize !== 0 ? Number(dv.getBigUint64(8, true)) : DEFAULT_TEXT_OFFSET;
  if (textOffset < BOOTLOADER_MAX_SIZE) textOffset += 2 * 1024 * 1024;
  const addr = ram.base + textOffset;
  const seg = { addr, data: buf, memsz: Math.max(buf.length, imageSize), what: `Linux Image (text_offset 0x${textOffset.toString(16)})` };
  checkSegment([ram], seg, file);
  return { kind: 'linux-image', segments: [seg], entry: BigInt(addr) };
}
