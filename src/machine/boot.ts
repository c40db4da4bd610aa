// The boot protocol of the virt board (shared/spec/platform.md), mirroring QEMU's -kernel /
// -bios / -device loader rules: what goes where in guest-physical memory, the entry point, and
// where the device tree lands.
import { isElf, loadElf } from './elf.ts';
import { isLinuxImage, loadLinuxImage } from './image.ts';
import { checkSegment, describeSegment, hex, LoadError, regionOf, type Segment } from './regions.ts';
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
  /**
   * An initial ramdisk (-initrd) for a Linux Image kernel: placed above the kernel and described
   * in /chosen (linux,initrd-start/end). Ignored for ELF kernels, as QEMU ignores it.
   */
  initrd?: NamedBytes;
}

export interface BootPlan {
  kind: 'elf' | 'linux-image' | 'bios' | 'raw';
  segments: Segment[];
  entry: bigint;
  dtb: Uint8Array;
  dtbAddr: number;
  /** Where the initrd was loaded (absent when none was given or the kernel is not a Linux Image). */
  initrd?: { addr: number; size: number };
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
  const owner = new Map<Segment, string>();
  for (const seg of segments) owner.set(seg, inputs.kernel?.name ?? inputs.bios?.name ?? 'the image');
  for (const l of inputs.loads ?? []) {
    const seg = { addr: l.addr, data: l.data, memsz: l.data.length, what: `--load data (${l.data.length} bytes)` };
    checkSegment(regions, seg, l.name);
    // QEMU refuses overlapping images too ("rom: requested regions overlap").
    const other = segments.find((s) => s.addr < seg.addr + seg.memsz && seg.addr < s.addr + s.memsz);
    if (other) throw new LoadError(`${l.name}: ${describeSegment(seg)} overlaps ${owner.get(other) ?? 'another image'}'s ${describeSegment(other)}`);
    owner.set(seg, l.name);
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

  // The initrd, as QEMU's arm_setup_direct_kernel_boot places it for Linux kernels: half-way
  // into RAM (at most 128 MiB in), and never below the kernel's end, page aligned.
  let initrd: BootPlan['initrd'];
  if (inputs.initrd && !inputs.kernel) throw new LoadError(`${inputs.initrd.name}: an initrd needs a kernel image (as QEMU: -initrd only with -kernel)`);
  // An empty file is no initrd (QEMU describes one only when initrd_size is not 0).
  if (inputs.initrd && kind === 'linux-image' && inputs.initrd.data.length > 0) {
    const { data, name } = inputs.initrd;
    const kernelEnd = Math.max(...segments.map((s) => s.addr + s.memsz));
    const addr = alignUp(Math.max(ram.base + Math.min(ram.size / 2, 128 * MiB), kernelEnd), 4096);
    if (addr + data.length > ram.base + ram.size) {
      throw new LoadError(`${name}: the initrd (${data.length} bytes) does not fit in RAM after the kernel: it would go at ${hex(addr)}-${hex(addr + data.length - 1)}, RAM ends at ${hex(ram.base + ram.size - 1)}`);
    }
    segments.push({ addr, data, memsz: data.length, what: 'initrd' });
    initrd = { addr, size: data.length };
  }
  const dtb = virtDeviceTree(initrd ? { ...cfg, initrd: { start: initrd.addr, end: initrd.addr + initrd.size } } : cfg);
  const overlaps = (addr: number) => segments.some((s) => addr < s.addr + s.memsz && s.addr < addr + dtb.length);
  const top = alignDown(ram.base + ram.size - dtb.length, 4096);
  let dtbAddr: number;
  if (kind === 'linux-image') {
    // Like QEMU: above the kernel and the initrd, at least half-way into RAM (at most 128 MiB
    // in), 2 MiB aligned.
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
  return { kind, segments, entry, dtb, dtbAddr, initrd };
}
