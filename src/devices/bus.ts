// The MMIO bus: devices claim guest-physical windows; the hypervisor's MMIO path (hyp/mmio.ts)
// routes each emulated access here. Like QEMU's memory API for devices whose implementation
// handles at most 32 bits: an 8-byte access becomes two 4-byte accesses, low word first.

/** A device model. Registers are read and written with sizes 1, 2 or 4 at byte offsets. */
export interface Device {
  readonly name: string;
  /** Bytes of the MMIO window. */
  readonly size: number;
  /** Returns the value of an access of `size` bytes (the bus masks it to that size). */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
  /** Back to the power-on state (system reset). */
  reset(): void;
  /** Device state as plain data (JSON-compatible), and its inverse. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface Mapping { base: number; dev: Device }

export class Bus {
  private readonly maps: Mapping[] = [];

  /** Places dev at base; windows must not overlap. */
  map(base: number, dev: Device): void {
    const clash = this.maps.find((m) => base < m.base + m.dev.size && m.base < base + dev.size);
    if (clash) throw new Error(`a64vm: device ${dev.name} at 0x${base.toString(16)} overlaps ${clash.dev.name}`);
    this.maps.push({ base, dev });
    this.maps.sort((a, b) => a.base - b.base);
  }

  get devices(): readonly Mapping[] { return this.maps; }

  /** The mapping whose window holds all of [addr, addr + size). */
  find(addr: number, size = 1): Mapping | undefined {
    for (const m of this.maps) if (addr >= m.base && addr + size <= m.base + m.dev.size) return m; // (no closure: hot)
    return undefined;
  }

  /** An access of size 1, 2, 4 or 8; undefined when no device claims the whole range. */
  read(addr: number, size: number): bigint | undefined {
    const m = this.find(addr, size);
    if (!m) return undefined;
    const off = addr - m.base;
    if (size === 8) {
      const lo = BigInt(m.dev.read(off, 4) >>> 0);
      const hi = BigInt(m.dev.read(off + 4, 4) >>> 0);
      return lo | (hi << 32n);
    }
    return BigInt(size === 4 ? m.dev.read(off, 4) >>> 0 : m.dev.read(off, size) & (size === 2 ? 0xffff : 0xff));
  }

  /** Writes the low `size` bytes of value; false when no device claims the whole range. */
  write(addr: number, size: number, value: bigint): boolean {
    const m = this.find(addr, size);
    if (!m) return false;
    const off = addr - m.base;
    if (size === 8) {
      m.dev.write(off, 4, Number(value & 0xffff_ffffn));
      m.dev.write(off + 4, 4, Number((value >> 32n) & 0xffff_ffffn));
      return true;
    }
    m.dev.write(off, size, Number(value & (size === 4 ? 0xffff_ffffn : size === 2 ? 0xffffn : 0xffn)));
    return true;
  }

  reset(): void { for (const m of this.maps) m.dev.reset(); }
}
