// A reference model of the MMIO guard written from shared/spec/mmio-guard.md alone (it shares no
// code with src/hyp/mmio-guard*.ts): a plain Map from granule to attribute plus the enrolled
// flag. test/mmio-guard-model.test.ts drives it against the hypervisor with fast-check; the
// hypercall fuzzing target (guard-check.ts) checks the hypervisor against it after every step.

export type GuardModelProfile = 'rfc-v1' | 'android' | 'mainline';
export type GuardModelCall = 'INFO' | 'HYP_MEMINFO' | 'ENROLL' | 'MAP' | 'UNMAP' | 'RGUARD_MAP' | 'RGUARD_UNMAP';

/** The spec's table "Profiles and function numbers": function number n is ID 0xC6000000 | n. */
export const GUARD_NUMBERS: Record<GuardModelProfile, Partial<Record<GuardModelCall, number>>> = {
  'rfc-v1': { INFO: 2, ENROLL: 3, MAP: 4, UNMAP: 5 },
  android: { HYP_MEMINFO: 2, INFO: 5, ENROLL: 6, MAP: 7, UNMAP: 8, RGUARD_MAP: 10, RGUARD_UNMAP: 11 },
  mainline: { HYP_MEMINFO: 2, MAP: 7 },
};

const PAGE = 4096;
/** Granules one range call processes at most (a64vm's fixed batch; the spec allows stopping early). */
const RANGE_BATCH = 16n;

/** What a data access outside RAM gets from the guard (before any device sees it). */
export type GuardAccess = 'forward' | 'nisv' | 'unmapped' | 'nisv-exit';

export interface RamRange { base: number; size: number }

export class GuardModel {
  enrolled: boolean;
  readonly map = new Map<number, bigint>();

  constructor(readonly profile: GuardModelProfile, readonly ram: readonly RamRange[], readonly ipaLimit = 2 ** 40) {
    this.enrolled = profile === 'mainline';
  }

  private get err() { return this.profile === 'rfc-v1' ? -1n : -3n; }
  inRam(ipa: bigint | number): boolean { const a = Number(ipa); return this.ram.some((r) => a >= r.base && a < r.base + r.size); }
  private granuleOk(ipa: bigint) { return ipa % BigInt(PAGE) === 0n && ipa < BigInt(this.ipaLimit); }

  /** The call a function ID names in this profile (64-bit vendor hypervisor IDs only). */
  callOf(fid: number): GuardModelCall | undefined {
    if ((fid >>> 0) - 0xc600_0000 < 0 || (fid >>> 0) - 0xc600_0000 > 127) return undefined;
    const n = (fid >>> 0) - 0xc600_0000;
    const e = Object.entries(GUARD_NUMBERS[this.profile]).find(([, v]) => v === n);
    return e?.[0] as GuardModelCall | undefined;
  }

  /** x0..x3 the spec says the call returns (and its effect on the model). */
  call(c: GuardModelCall, a1: bigint, a2: bigint, a3: bigint): bigint[] {
    const p = this.profile;
    const err = this.err;
    switch (c) {
      case 'INFO':
      case 'HYP_MEMINFO':
        if (p !== 'rfc-v1' && (a1 || a2 || a3)) return [err];
        return [4096n, p === 'android' ? 1n : 0n];
      case 'ENROLL':
        this.enrolled = true;
        return [0n];
      case 'MAP': {
        if (p === 'mainline' && (a2 || a3)) return [err];
        const ok = this.enrolled && this.mapOne(a1, p === 'rfc-v1' ? a2 : 0n);
        return p === 'android' ? (ok ? [0n, 1n] : [err, 0n]) : [ok ? 0n : err];
      }
      case 'UNMAP': {
        const ipa = p === 'rfc-v1' ? a1 - (a1 % 4096n) : a1;
        let ok = this.enrolled && this.granuleOk(ipa);
        if (ok) ok = this.map.delete(Number(ipa)) || p === 'android';
        return p === 'android' ? (ok ? [0n, 1n] : [err, 0n]) : [ok ? 0n : err];
      }
      case 'RGUARD_MAP':
      case 'RGUARD_UNMAP': {
        if (!this.enrolled || a3 !== 0n || a2 === 0n) return [err, 0n];
        let done = 0n;
        for (; done < a2 && done < RANGE_BATCH; done++) {
          const g = a1 + done * 4096n;
          if (c === 'RGUARD_MAP' ? !this.mapOne(g, 0n) : !this.granuleOk(g)) break;
          if (c === 'RGUARD_UNMAP') this.map.delete(Number(g));
        }
        return done === 0n ? [err, 0n] : [0n, done];
      }
    }
  }

  private mapOne(ipa: bigint, attr: bigint): boolean {
    if (!this.granuleOk(ipa) || this.inRam(ipa)) return false;
    if (!this.map.has(Number(ipa))) this.map.set(Number(ipa), attr & ((1n << 62n) - 1n));
    return true;
  }

  /** What a data access outside RAM of size bytes at ipa gets (isv: it has a valid syndrome). */
  access(ipa: number, size: number, isv: boolean): GuardAccess {
    if (!this.enrolled) return isv ? 'forward' : 'nisv-exit';
    if (!isv) return 'nisv';
    const g = (a: number) => a - (a % PAGE);
    if (!this.map.has(g(ipa))) return 'unmapped';
    const last = ipa + size - 1;
    if (g(last) !== g(ipa) && !this.map.has(g(last))) return 'unmapped';
    return 'forward';
  }

  /** PSCI SYSTEM_RESET / SYSTEM_OFF. */
  reset(): void { this.map.clear(); this.enrolled = this.profile === 'mainline'; }
}
