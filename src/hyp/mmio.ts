// MMIO emulation, as KVM's arch/arm64/kvm/mmio.c (io_mem_abort, kvm_handle_mmio_return): an
// access with a valid syndrome (ISV = 1) is replayed on the guest-physical address space from
// the syndrome alone. The address space seen here (PhysSpace) is what lies outside the stage-2
// mappings: device models on the bus, then the embedder's MMIO callback (KVM_EXIT_MMIO); writes
// to a read-only memslot (flash) land here too and are dropped.
import type { Cpu } from '../cpu/cpu.ts';
import type { Bus } from '../devices/bus.ts';
import type { Memslots } from './memslots.ts';
import type { AbortSyndrome } from './esr.ts';

/** The embedder's handler for MMIO no device model claims. Return undefined/false to decline. */
export type MmioCallback = (access: { ipa: number; size: number; write: boolean; value: bigint }) => bigint | boolean | undefined;

/** The all-ones value of an access of 1, 2, 4 or 8 bytes, by size (no BigInt shifts per access). */
const SIZE_MASK: readonly bigint[] = [0n, 0xffn, 0xffffn, 0n, 0xffff_ffffn, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn];
const mask = (size: number) => SIZE_MASK[size];

/** The guest-physical address space as the hypervisor reaches it. */
export class PhysSpace {
  constructor(
    private readonly memslots: Memslots,
    private readonly bus: Bus,
    public fallback?: MmioCallback,
  ) {}

  /** A read of size bytes; undefined when nothing answers at ipa (a bus error). */
  read(ipa: number, size: number): bigint | undefined {
    const slot = this.memslots.findRange(ipa, size);
    if (slot) return readLE(this.memslots.view(ipa, size));
    const v = this.bus.read(ipa, size);
    if (v !== undefined) return v;
    const r = this.fallback?.({ ipa, size, write: false, value: 0n });
    return typeof r === 'bigint' ? r & mask(size) : undefined;
  }

  /** A write of the low size bytes of value; false when nothing answers at ipa. */
  write(ipa: number, size: number, value: bigint): boolean {
    const slot = this.memslots.findRange(ipa, size);
    if (slot) {
      // A read-only slot is ROM to the guest: the write is dropped. (QEMU's virt flash is a CFI
      // pflash whose writes are commands to a state machine; a64vm does not model that.)
      if (!slot.readonly) writeLE(this.memslots.view(ipa, size), value);
      return true;
    }
    if (this.bus.write(ipa, size, value & mask(size))) return true;
    const r = this.fallback?.({ ipa, size, write: true, value: value & mask(size) });
    return r === true || typeof r === 'bigint';
  }

  /** Whether a device or the callback may claim ipa (RAM and ROM are claimed by the stage 2). */
  claims(ipa: number, size: number): boolean {
    return !!this.memslots.findRange(ipa, size) || !!this.bus.find(ipa, size) || !!this.fallback;
  }
}

export function readLE(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

export function writeLE(b: Uint8Array, v: bigint): void {
  for (let i = 0; i < b.length; i++) { b[i] = Number(v & 0xffn); v >>= 8n; }
}

/** Extends a loaded value as the syndrome says (kvm_handle_mmio_return). */
export function extendLoad(data: bigint, size: number, sse: boolean, sf: boolean): bigint {
  let v = data & mask(size);
  if (sse && size < 8) v = BigInt.asUintN(64, BigInt.asIntN(8 * size, v));
  if (!sf) v &= 0xffff_ffffn;
  return v;
}

export type MmioResult = { kind: 'done' } | { kind: 'bus-error' };

/**
 * Emulates the access the syndrome describes (ISV = 1) at ipa and steps past the instruction.
 * A bus error leaves the vCPU untouched: the caller injects the external abort.
 */
export function emulateMmio(cpu: Cpu, syn: AbortSyndrome, ipa: number, phys: PhysSpace): MmioResult {
  const size = syn.size;
  if (syn.wnr) {
    const data = syn.srt === 31 ? 0n : cpu.x(syn.srt) & mask(size); // Rt = 31 is XZR
    if (!phys.write(ipa, size, data)) return { kind: 'bus-error' };
  } else {
    const data = phys.read(ipa, size);
    if (data === undefined) return { kind: 'bus-error' };
    cpu.setX(syn.srt, extendLoad(data, size, syn.sse, syn.sf)); // setX ignores 31
  }
  cpu.pc += 4n;
  return { kind: 'done' };
}
