// Memslots: named guest-physical (IPA) ranges backed by host memory, as KVM's
// KVM_SET_USER_MEMORY_REGION. Backing memory is wasm linear memory from cpu.alloc(), so a slot's
// host address is exactly what its stage-2 descriptors point at. RAM is read-write; a read-only
// slot (flash) is readable and executable by the guest but a guest write takes a stage-2
// permission fault that the fault path handles like KVM's write to a KVM_MEM_READONLY slot.
import type { Cpu } from '../cpu/cpu.ts';

export interface Memslot {
  readonly name: string;
  /** First IPA of the slot (page aligned). */
  readonly ipa: number;
  /** Size in bytes (a multiple of 4 KiB). */
  readonly size: number;
  /** Wasm memory address of the slot's first byte. */
  readonly host: number;
  readonly readonly: boolean;
}

const PAGE = 4096;
/** Host backing is aligned like this so that stage 2 can use 2 MiB block descriptors. */
export const BLOCK = 2 * 1024 * 1024;

export class Memslots {
  private readonly list: Memslot[] = [];
  /**
   * Dirty logging (KVM_MEM_LOG_DIRTY_PAGES / mark_page_dirty): called by the stage-2 fault path
   * when a guest write maps a page of a writable slot (the host write-protects pages at stage 2
   * to see their first write; see src/tools/fuzz/reset.ts). Host writes do not call it.
   */
  dirtyLog?: (slot: Memslot, pageIpa: number) => void;

  constructor(private readonly cpu: Cpu) {}

  /** Adds a slot backed by fresh (zeroed) wasm memory, 2 MiB aligned. */
  add(name: string, ipa: number, size: number, opts: { readonly?: boolean } = {}): Memslot {
    if (ipa % PAGE !== 0 || size % PAGE !== 0 || size <= 0) {
      throw new Error(`a64vm: memslot ${name}: IPA 0x${ipa.toString(16)} and size 0x${size.toString(16)} must be 4 KiB multiples`);
    }
    if (ipa + size > 2 ** 40) throw new Error(`a64vm: memslot ${name} ends beyond the 40-bit IPA space`);
    const clash = this.list.find((s) => ipa < s.ipa + s.size && s.ipa < ipa + size);
    if (clash) throw new Error(`a64vm: memslot ${name} overlaps memslot ${clash.name}`);
    const raw = this.cpu.alloc(size + BLOCK);
    const host = Math.ceil(raw / BLOCK) * BLOCK;
    const slot: Memslot = { name, ipa, size, host, readonly: !!opts.readonly };
    this.list.push(slot);
    this.list.sort((a, b) => a.ipa - b.ipa);
    return slot;
  }

  get all(): readonly Memslot[] { return this.list; }

  byName(name: string): Memslot | undefined { return this.list.find((s) => s.name === name); }

  /** The slot holding ipa, if any. */
  find(ipa: number | bigint): Memslot | undefined {
    const a = Number(ipa);
    for (const s of this.list) if (a >= s.ipa && a < s.ipa + s.size) return s; // (every abort: no closure)
    return undefined;
  }

  /** The slot holding all of [ipa, ipa + len), if one does. */
  findRange(ipa: number, len: number): Memslot | undefined {
    const s = this.find(ipa);
    return s && ipa + len <= s.ipa + s.size ? s : undefined;
  }

  /** Host (wasm) address of ipa, or undefined when no slot holds it. */
  hostAddress(ipa: number | bigint): number | undefined {
    const s = this.find(ipa);
    return s ? s.host + (Number(ipa) - s.ipa) : undefined;
  }

  /** A live view of [ipa, ipa + len); throws when the range is not inside one slot. */
  view(ipa: number, len: number): Uint8Array {
    const s = this.findRange(ipa, len);
    if (!s) throw new Error(`a64vm: guest-physical range 0x${ipa.toString(16)}+0x${len.toString(16)} is not inside one memslot`);
    return this.cpu.bytes(s.host + (ipa - s.ipa), len);
  }

  /** Copies data into guest memory (host side: read-only slots are written too, like a loader). */
  write(ipa: number, data: Uint8Array): void { this.view(ipa, data.length).set(data); }

  /** Copies guest memory out. */
  read(ipa: number, len: number): Uint8Array { return this.view(ipa, len).slice(); }

  /** Zeroes every slot (system reset). */
  clear(): void { for (const s of this.list) this.cpu.bytes(s.host, s.size).fill(0); }
}
