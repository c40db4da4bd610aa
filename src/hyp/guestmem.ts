// The guest's memory as the guest itself addresses it, for services that take pointers
// (semihosting parameter blocks, strings). Only the MMU-off view exists so far: with
// SCTLR_EL1.M = 0 a VA is the IPA (Arm ARM D8.2.10), and the IPA is looked up in the memslots.
// Guests that call such services with stage-1 translation on get a clear error instead.
// TODO: walk the guest's stage-1 tables (TTBR0/1_EL1, TCR_EL1) when SCTLR_EL1.M = 1.
import type { Cpu } from '../cpu/cpu.ts';
import type { Memslots } from './memslots.ts';

export class GuestMemoryError extends Error {}

const SCTLR_M = 1n;

export class GuestMemory {
  constructor(private readonly cpu: Cpu, private readonly memslots: Memslots) {}

  get mmuOn(): boolean { return (this.cpu.sysreg('SCTLR_EL1') & SCTLR_M) !== 0n; }

  /** The IPA of a data VA, or undefined when it cannot be translated here. */
  toIpa(va: bigint): number | undefined {
    if (this.mmuOn || va >= 1n << 40n) return undefined;
    return Number(va);
  }

  /** Copies len bytes at va out of guest memory (RAM or flash). */
  read(va: bigint, len: number): Uint8Array {
    return this.memslots.read(this.ipaOf(va, len), len);
  }

  /** Copies data to guest memory at va (writable memslots only). */
  write(va: bigint, data: Uint8Array): void {
    const ipa = this.ipaOf(va, data.length);
    if (this.memslots.find(ipa)?.readonly) throw new GuestMemoryError(`guest address 0x${va.toString(16)} is read-only memory`);
    this.memslots.write(ipa, data);
  }

  readU64(va: bigint): bigint {
    const b = this.read(va, 8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  /** A NUL-terminated string (at most max bytes, terminator excluded). */
  readCString(va: bigint, max = 1 << 20): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const c = this.read(va + BigInt(i), 1)[0];
      if (c === 0) return Uint8Array.from(out);
      out.push(c);
    }
    throw new GuestMemoryError(`string at 0x${va.toString(16)} is not terminated within ${max} bytes`);
  }

  private ipaOf(va: bigint, len: number): number {
    if (this.mmuOn) {
      throw new GuestMemoryError('the guest passed a pointer with its MMU on (SCTLR_EL1.M = 1); only MMU-off guests are supported here so far');
    }
    const ipa = this.toIpa(va);
    if (ipa === undefined || !this.memslots.findRange(ipa, len)) {
      throw new GuestMemoryError(`guest address 0x${va.toString(16)} (+${len}) is not in RAM or flash`);
    }
    return ipa;
  }
}
