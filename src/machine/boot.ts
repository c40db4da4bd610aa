// The boot protocol of the virt board (shared/spec/platform.md), mirroring QEMU's -kernel /
// -bios / -device loader rules: what goes where in guest-physical memory, the entry point, and
// where the device tree lands.
import { isElf, loadElf } from './elf.ts';
import { isLinuxImage, loadLinuxImage } from './image.ts';
import { checkSegment, hex, LoadError, regionOf, type Segment } from './regions.ts';
import { FLASH_BASE, FLASH_SIZE, MiB, RAM_BASE, memoryRegions, ramRegion, virtDeviceTree, type BoardConfig } from './virt.ts';

export interface NamedBytes { data: Uint8Array; name: string }

export interface BootInputs {
  /** An ELF executable or a Linux arm64 Image (-kernel). */
  kernel?: NamedBytes;
  /** A firmware image for flash 0 (-bios). */
  bios?: NamedBytes;
  /** Raw files at fixed addresses (--load FILE@ADDR). */
  loads?: (NamedBytes & { addr: number })[];
  /** Overrides the entry point. */
  entry?: bigint;
}

export interface BootPlan {
  kind: 'elf' | 'linux-image' | 'bios' | 'raw';
  segments: Segment[];
  entry: bigint;
  dtb: Uint8Array;
  dtbAddr: number;
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;
const alignDown = (v: number, a: number) => Math.floor(v / a) * a;

export function planBoot(inputs: BootInputs, cfg: BoardConfig): BootPlan {
  const regions = memoryRegions(cfg);
  const ram = ramRegion(cfg);
  const segments: Segment[] = [];
  let kind: BootPlan['kind'] = 'raw';
  let entry: bigint | undefined;

  if (inputs.bios) {
    const { data, name } = inputs.bios;
    if (data.length > FLASH_SIZE) throw new LoadError(`${name}: the firmware image is ${data.length} bytes; flash 0 holds ${FLASH_SIZE}`);
    segments.push({ addr: FLASH_BASE, data, memsz: data.length, what: 'firmware image' });
    kind = 'bios';
    entry = BigInt(FLASH_BASE);
  }
  if (inputs.kernel) {
    const { data, name } = inputs.kernel;
    if (inputs.bios) throw new LoadError(`${name}: a kernel together with --bios is not supported (firmware would need fw_cfg to find it)`);
    let img;
    if (isElf(data)) img = loadElf(data, name, regions, ram);
    else if (isLinuxImage(data)) img = loadLinuxImage(data, name, ram);
    else throw new LoadError(`${name}: neither an ELF executable nor a Linux arm64 Image; load raw binaries with --load FILE@ADDR --entry ADDR`);
    segments.push(...img.segments);
    kind = img.kind;
    entry = img.entry;
  }
  for (const l of inputs.loads ?? []) {
    const seg = { addr: l.addr, data: l.data, memsz: l.data.length, what: `--load data (${l.data.length} bytes)` };
    checkSegment(regions, seg, l.name);
    segments.push(seg);
  }
  if (inputs.entry !== undefined) {
    entry = inputs.entry;
    if (!(entry < 1n << 48n && regionOf(regions, Number(entry), 4))) {
      throw new LoadError(`entry point ${hex(entry)} is not inside guest memory (RAM${cfg.flash ? ' or flash' : ''})`);
    }
  }
  if (entry === undefined) {
    throw new LoadError(segments.length ? 'no entry point: give --entry ADDR for raw binaries' : 'nothing to run: give an image, --bios FILE, or --load FILE@ADDR with --entry ADDR');
  }

  const dtb = virtDeviceTree(cfg);
  const overlaps = (addr: number) => segments.some((s) => addr < s.addr + s.memsz && s.addr < addr + dtb.length);
  const top = alignDown(ram.base + ram.size - dtb.length, 4096);
  let dtbAddr: number;
  if (kind === 'linux-image') {
    // Like QEMU: above the kernel, at least half-way into RAM (at most 128 MiB in), 2 MiB aligned.
    const kernelEnd = Math.max(...segments.map((s) => s.addr + s.memsz));
    dtbAddr = alignUp(Math.max(ram.base + Math.min(ram.size / 2, 128 * MiB), kernelEnd), 2 * MiB);
    if (dtbAddr + dtb.length > ram.base + ram.size) dtbAddr = top;
  } else if (kind === 'bios') {
    dtbAddr = RAM_BASE; // U-Boot and EDK II look for it at the start of RAM
  } else {
    dtbAddr = overlaps(RAM_BASE) ? top : RAM_BASE;
  }
  if (overlaps(dtbAddr) || dtbAddr < ram.base) {
    throw new LoadError(`no room for the device tree (${dtb.length} bytes) in RAM: the images cover both ${hex(RAM_BASE)} and ${hex(top)}`);
  }
  return { kind, segments, entry, dtb, dtbAddr };
}
