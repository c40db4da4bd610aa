// Image loaders and the boot plan (machine/elf.ts, image.ts, boot.ts): the checks and their
// messages, and where things land in guest-physical memory.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadElf } from '../src/machine/elf.ts';
import { loadLinuxImage } from '../src/machine/image.ts';
import { planBoot } from '../src/machine/boot.ts';
import { LoadError, type Region } from '../src/machine/regions.ts';
import { elf, linuxImage } from './helpers/images.ts';

const RAM: Region = { name: 'RAM', base: 0x4000_0000, size: 128 << 20 };
const FLASH: Region = { name: 'flash', base: 0, size: 64 << 20 };

const ok = () => elf({ phdrs: [{ paddr: 0x4008_0000n, filesz: 8, memsz: 0x100, data: [1, 2, 3, 4, 5, 6, 7, 8] }] });
const load = (b: Uint8Array, regions: Region[] = [RAM]) => loadElf(b, 'x.elf', regions, RAM);

describe('ELF loader', () => {
  it('loads PT_LOAD segments at their physical addresses, zero-filling to p_memsz', () => {
    const img = load(ok());
    expect(img.entry).toBe(0x4008_0000n);
    expect(img.segments).toHaveLength(1);
    expect(img.segments[0].addr).toBe(0x4008_0000);
    expect([...img.segments[0].data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(img.segments[0].memsz).toBe(0x100);
  });

  it('uses p_paddr, not p_vaddr, and skips non-LOAD and empty segments', () => {
    const img = load(elf({
      entry: 0x4000_1000n,
      phdrs: [
        { paddr: 0x4000_1000n, vaddr: 0xffff_0000_0000_1000n, filesz: 4 },
        { type: 0x6474e551, paddr: 0n, filesz: 0 }, // PT_GNU_STACK
        { paddr: 0x1234n, filesz: 0, memsz: 0 },
      ],
    }));
    expect(img.segments.map((s) => s.addr)).toEqual([0x4000_1000]);
  });

  it('loads the committed hello.elf', () => {
    const img = load(new Uint8Array(readFileSync(new URL('../guest-images/hello.elf', import.meta.url))));
    expect(img.entry).toBe(0x4008_0000n);
    expect(img.segments[0].addr).toBe(0x4008_0000);
  });

  const err = (b: Uint8Array, regions?: Region[]) => {
    try { load(b, regions); } catch (e) { expect(e).toBeInstanceOf(LoadError); return (e as Error).message; }
    throw new Error('no error');
  };

  it('rejects a truncated header, naming the size needed', () => {
    expect(err(ok().subarray(0, 40))).toBe('x.elf: truncated ELF header: the file is 40 bytes, the ELF64 header needs 64 at offset 0');
  });

  it('rejects a truncated program header table, naming the header and its offset', () => {
    const b = elf({ phdrs: [{ paddr: 0x4008_0000n, filesz: 0 }, { paddr: 0x4008_0000n, filesz: 0 }] });
    expect(err(b.subarray(0, 64 + 56 + 10))).toBe('x.elf: truncated: program header 1 at offset 0x78 (56 bytes) extends past the end of the file (130 bytes)');
  });

  it('rejects a truncated segment, naming it and its file offset', () => {
    const b = ok();
    expect(err(b.subarray(0, b.length - 3))).toBe(
      'x.elf: truncated: segment 0 (PT_LOAD, vaddr 0x40080000) has 0x8 bytes at file offset 0x78, past the end of the file (125 bytes)');
  });

  it('rejects other classes, byte orders, machines and types', () => {
    expect(err(elf({ cls: 1, phdrs: [] }))).toMatch(/32-bit ELF \(ELFCLASS32\); a64vm loads 64-bit AArch64/);
    expect(err(elf({ data: 2, phdrs: [] }))).toMatch(/big-endian ELF/);
    expect(err(elf({ machine: 62, phdrs: [] }))).toBe('x.elf: ELF machine 62 (x86-64), not AArch64 (EM_AARCH64 = 183)');
    expect(err(elf({ machine: 40, phdrs: [] }))).toMatch(/ELF machine 40 \(ARM \(AArch32\)\)/);
    expect(err(elf({ type: 1, phdrs: [] }))).toMatch(/relocatable object file \(ET_REL\).*link it first/);
    expect(err(elf({ type: 4, phdrs: [] }))).toMatch(/core dump/);
    expect(err(elf({ phdrs: [] }))).toMatch(/no program headers/);
    expect(err(new Uint8Array([1, 2, 3, 4, 5]))).toMatch(/not an ELF file/);
  });

  it('rejects a segment outside RAM and flash, naming it and its addresses', () => {
    const b = elf({ entry: 0x1000_0000n, phdrs: [{ paddr: 0x1000_0000n, filesz: 4 }] });
    expect(err(b)).toBe('x.elf: segment 0 (PT_LOAD, vaddr 0x10000000) at 0x10000000-0x10000003 is not inside guest memory (RAM 0x40000000-0x47ffffff)');
    // One that runs off the end of RAM.
    const c = elf({ phdrs: [{ paddr: 0x47ff_fff0n, filesz: 4, memsz: 0x20 }], entry: 0x47ff_fff0n });
    expect(err(c)).toMatch(/at 0x47fffff0-0x4800000f is not inside guest memory/);
    // In flash only when there is flash.
    const d = elf({ entry: 0x100n, phdrs: [{ paddr: 0x100n, filesz: 4 }] });
    expect(err(d)).toMatch(/not inside guest memory/);
    expect(load(d, [FLASH, RAM]).segments[0].addr).toBe(0x100);
  });

  it('rejects an entry point outside the loaded segments and RAM', () => {
    const b = elf({ entry: 0x800_0000n, phdrs: [{ paddr: 0x4008_0000n, filesz: 4 }] });
    expect(err(b)).toBe('x.elf: entry point 0x8000000 is not inside a loaded segment or RAM');
    // Elsewhere in RAM is allowed (the image may copy code there).
    expect(load(elf({ entry: 0x4700_0000n, phdrs: [{ paddr: 0x4008_0000n, filesz: 4 }] })).entry).toBe(0x4700_0000n);
  });

  it('rejects overlapping segments, naming both', () => {
    const b = elf({ phdrs: [{ paddr: 0x4008_0000n, filesz: 4, memsz: 0x1000 }, { paddr: 0x4008_0800n, filesz: 4 }] });
    expect(err(b)).toBe('x.elf: segment 1 (PT_LOAD, vaddr 0x40080800) at 0x40080800-0x40080803 overlaps segment 0 (PT_LOAD, vaddr 0x40080000) at 0x40080000-0x40080fff');
    // Adjacent is fine.
    expect(load(elf({ phdrs: [{ paddr: 0x4008_0000n, filesz: 4, memsz: 0x800 }, { paddr: 0x4008_0800n, filesz: 4 }] })).segments).toHaveLength(2);
  });

  it('rejects a segment bigger than RAM', () => {
    const b = elf({ phdrs: [{ paddr: 0x4000_0000n, filesz: 4, memsz: 0x1000_0000 }], entry: 0x4000_0000n });
    expect(err(b)).toBe('x.elf: segment 0 (PT_LOAD, vaddr 0x40000000) is 268435456 bytes, bigger than guest memory (RAM 0x40000000-0x47ffffff: at most 134217728 bytes)');
  });

  it('rejects p_filesz > p_memsz and files without PT_LOAD', () => {
    expect(err(elf({ phdrs: [{ paddr: 0x4008_0000n, filesz: 8, memsz: 4 }] }))).toMatch(/p_filesz 0x8 is larger than p_memsz 0x4/);
    expect(err(elf({ phdrs: [{ type: 4, paddr: 0n, filesz: 0 }] }))).toMatch(/no loadable \(PT_LOAD\) segments/);
  });
});

describe('Linux Image loader', () => {
  it('loads at RAM base + text_offset, as QEMU\'s load_aarch64_image (checked on QEMU 7.2 with -d in_asm)', () => {
    // image_size 0: text_offset is not valid (kernels before 3.17), 0x80000 whatever it says.
    expect(loadLinuxImage(linuxImage(0n, 0n), 'Image', RAM).entry).toBe(0x4008_0000n);
    expect(loadLinuxImage(linuxImage(0x20_0000n, 0n), 'Image', RAM).entry).toBe(0x4008_0000n);
    const img = loadLinuxImage(linuxImage(0x20_0000n, 0x10000n), 'Image', RAM);
    expect(img.entry).toBe(0x4020_0000n);
    expect(img.segments[0].memsz).toBe(0x10000); // image_size covers the BSS
    // text_offset below 4 KiB (0 since Linux 5.10) moves up by 2 MiB.
    expect(loadLinuxImage(linuxImage(0n, 0x10000n), 'Image', RAM).entry).toBe(0x4020_0000n);
    expect(loadLinuxImage(linuxImage(0x100n, 0x10000n), 'Image', RAM).entry).toBe(0x4020_0100n);
    expect(loadLinuxImage(linuxImage(0x1000n, 0x10000n), 'Image', RAM).entry).toBe(0x4000_1000n);
  });

  it('rejects a truncated header and an image larger than RAM', () => {
    expect(() => loadLinuxImage(new Uint8Array(10), 'Image', RAM)).toThrow('Image: truncated: a Linux Image header needs 64 bytes, the file has 10');
    expect(() => loadLinuxImage(linuxImage(0x80000n, 0x1000_0000n), 'Image', RAM)).toThrow(
      'Image: Linux Image (text_offset 0x80000) is 268435456 bytes, bigger than guest memory (RAM 0x40000000-0x47ffffff: at most 134217728 bytes)');
    expect(() => loadLinuxImage(linuxImage(0x80000n, 0x7ff_0000n), 'Image', RAM)).toThrow(/at 0x40080000-0x4806ffff is not inside guest memory/);
  });
});

describe('boot plan', () => {
  const cfg = { ramSize: 128 << 20, flash: false, conduit: 'hvc' as const };
  const kernel = (data: Uint8Array) => ({ kernel: { data, name: 'k' } });

  it('ELF: the DTB goes at the start of RAM when free, else at the top', () => {
    const p = planBoot(kernel(ok()), cfg);
    expect(p.kind).toBe('elf');
    expect(p.entry).toBe(0x4008_0000n);
    expect(p.dtbAddr).toBe(0x4000_0000);
    const low = elf({ entry: 0x4000_0000n, phdrs: [{ paddr: 0x4000_0000n, filesz: 4 }] });
    const q = planBoot(kernel(low), cfg);
    expect(q.dtbAddr).toBe(Math.floor((0x4800_0000 - q.dtb.length) / 4096) * 4096);
  });

  it('Linux Image: the DTB goes half-way into RAM, 2 MiB aligned, above the kernel', () => {
    const p = planBoot(kernel(linuxImage(0n, 0n)), cfg);
    expect(p.kind).toBe('linux-image');
    expect(p.dtbAddr).toBe(0x4400_0000);
  });

  it('Linux Image with an initrd: as QEMU, at half of RAM (at most 128 MiB in) or above the kernel, page aligned; the DTB 2 MiB above its end', () => {
    const rd = { data: new Uint8Array(1000).fill(7), name: 'rd' };
    const p = planBoot({ ...kernel(linuxImage(0n, 0n)), initrd: rd }, cfg);
    expect(p.initrd).toEqual({ addr: 0x4400_0000, size: 1000 });
    expect(p.segments.at(-1)).toMatchObject({ addr: 0x4400_0000, memsz: 1000, what: 'initrd' });
    expect(p.dtbAddr).toBe(0x4420_0000);
    // 1 GiB of RAM: 128 MiB in.
    expect(planBoot({ ...kernel(linuxImage(0n, 0n)), initrd: rd }, { ...cfg, ramSize: 1 << 30 }).initrd?.addr).toBe(0x4800_0000);
    // A kernel reaching past half of RAM: right after it, page aligned.
    const big = planBoot({ ...kernel(linuxImage(0x80000n, 0x500_0123n)), initrd: rd }, cfg);
    expect(big.initrd?.addr).toBe(0x4508_1000);
    // Too big for the RAM left: QEMU says "could not load initrd".
    expect(() => planBoot({ ...kernel(linuxImage(0n, 0n)), initrd: { data: new Uint8Array(65 << 20), name: 'rd' } }, cfg)).toThrow(
      'rd: the initrd (68157440 bytes) does not fit in RAM after the kernel: it would go at 0x44000000-0x480fffff, RAM ends at 0x47ffffff');
    // An ELF kernel: ignored, as QEMU ignores -initrd for non-Linux kernels.
    expect(planBoot({ ...kernel(ok()), initrd: rd }, cfg)).toMatchObject({ kind: 'elf', initrd: undefined });
    expect(() => planBoot({ initrd: rd, loads: [{ data: new Uint8Array(8), name: 'a.bin', addr: 0x4010_0000 }], entry: 0x4010_0000n }, cfg)).toThrow(/an initrd needs a kernel image/);
  });

  it('--load data may not overlap the kernel or other --load data (QEMU: "rom: requested regions overlap")', () => {
    expect(() => planBoot({ ...kernel(ok()), loads: [{ data: new Uint8Array(8), name: 'a.bin', addr: 0x4008_0010 }] }, cfg)).toThrow(
      "a.bin: --load data (8 bytes) at 0x40080010-0x40080017 overlaps k's segment 0 (PT_LOAD, vaddr 0x40080000) at 0x40080000-0x400800ff");
    expect(() => planBoot({ loads: [{ data: new Uint8Array(8), name: 'a.bin', addr: 0x4010_0000 }, { data: new Uint8Array(8), name: 'b.bin', addr: 0x4010_0004 }], entry: 0x4010_0000n }, cfg))
      .toThrow("b.bin: --load data (8 bytes) at 0x40100004-0x4010000b overlaps a.bin's --load data (8 bytes) at 0x40100000-0x40100007");
  });

  it('--bios: flash at 0, PC 0, DTB at the start of RAM', () => {
    const p = planBoot({ bios: { data: new Uint8Array(16), name: 'fw' } }, { ...cfg, flash: true });
    expect(p).toMatchObject({ kind: 'bios', entry: 0n, dtbAddr: 0x4000_0000 });
    expect(p.segments[0].addr).toBe(0);
    expect(() => planBoot({ bios: { data: new Uint8Array(16), name: 'fw' }, ...kernel(ok()) }, { ...cfg, flash: true })).toThrow(/together with --bios/);
    expect(() => planBoot({ bios: { data: new Uint8Array((64 << 20) + 1), name: 'fw' } }, { ...cfg, flash: true })).toThrow(/flash 0 holds/);
  });

  it('--load and --entry', () => {
    const p = planBoot({ loads: [{ data: new Uint8Array(8), name: 'a.bin', addr: 0x4010_0000 }], entry: 0x4010_0000n }, cfg);
    expect(p).toMatchObject({ kind: 'raw', entry: 0x4010_0000n, dtbAddr: 0x4000_0000 });
    expect(() => planBoot({ loads: [{ data: new Uint8Array(8), name: 'a.bin', addr: 0x4010_0000 }] }, cfg)).toThrow('no entry point: give --entry ADDR for raw binaries');
    expect(() => planBoot({ loads: [{ data: new Uint8Array(8), name: 'a.bin', addr: 0x100 }], entry: 0x4000_0000n }, cfg))
      .toThrow('a.bin: --load data (8 bytes) at 0x100-0x107 is not inside guest memory (RAM 0x40000000-0x47ffffff)');
    expect(() => planBoot({ ...kernel(ok()), entry: 0x100n }, cfg)).toThrow('entry point 0x100 is not inside guest memory (RAM)');
    expect(() => planBoot({}, cfg)).toThrow(/nothing to run/);
  });

  it('rejects files that are neither ELF nor Image', () => {
    expect(() => planBoot(kernel(new Uint8Array(100)), cfg)).toThrow('k: neither an ELF executable nor a Linux arm64 Image; load raw binaries with --load FILE@ADDR --entry ADDR');
  });

  it('reports when nothing leaves room for the DTB', () => {
    const all = new Uint8Array(128 << 20);
    expect(() => planBoot({ loads: [{ data: all, name: 'big', addr: 0x4000_0000 }], entry: 0x4000_0000n }, cfg)).toThrow(/no room for the device tree/);
  });
});
