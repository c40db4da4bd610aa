// Arm PrimeCell Real Time Clock (PL031), as QEMU's hw/rtc/pl031.c models it: a 32-bit seconds
// counter that always runs (CR reads 1), a match register raising the interrupt when the count
// reaches it. Register map (PL031 TRM, 3.2): DR 0x00, MR 0x04, LR 0x08, CR 0x0C, IMSC 0x10,
// RIS 0x14, MIS 0x18, ICR 0x1C, PeriphID0-3 0xFE0-0xFEC, PCellID0-3 0xFF0-0xFFC.
import type { Device } from './bus.ts';

export const RTCDR = 0x00;
export const RTCMR = 0x04;
export const RTCLR = 0x08;
export const RTCCR = 0x0c;
export const RTCIMSC = 0x10;
export const RTCRIS = 0x14;
export const RTCMIS = 0x18;
export const RTCICR = 0x1c;

/** PeriphID0-3, PCellID0-3: part 0x031, designer Arm, revision 1; the PrimeCell preamble. */
export const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

export interface Pl031State {
  /** Added to the clock's seconds to give the count (changed by writes to LR), mod 2^32. */
  tickOffset: number;
  mr: number; lr: number; im: number; is: number;
  /** Clock second at which the count reaches MR (the match interrupt fires), or null. */
  alarmAt: number | null;
}

export class Pl031 implements Device {
  readonly name = 'pl031';
  readonly size = 0x1000;
  private s!: Pl031State;
  private irqLevel = false;

  /**
   * now: the VM's wall clock in seconds since the Unix epoch (virtual time by default, so a run
   * is reproducible). irq: called when the interrupt output (RIS & IMSC) changes level.
   */
  constructor(private readonly now: () => number, private readonly irq: (level: boolean) => void = () => {}) {
    this.reset();
  }

  reset(): void {
    this.s = { tickOffset: 0, mr: 0, lr: 0, im: 0, is: 0, alarmAt: null };
    this.update();
  }

  /** The current count: RTCDR. */
  count(): number { return (Math.floor(this.now()) + this.s.tickOffset) >>> 0; }

  get interrupt(): boolean { this.poll(); return (this.s.is & this.s.im) !== 0; }

  /** The clock second at which the match interrupt is due, or null (for the host's idle planning). */
  nextAlarm(): number | null { return this.s.alarmAt; }

  /** Raises the match interrupt if the count has reached MR (called on every access). */
  poll(): void {
    if (this.s.alarmAt !== null && Math.floor(this.now()) >= this.s.alarmAt) {
      this.s.alarmAt = null;
      this.s.is = 1;
    }
    this.update();
  }

  read(offset: number, size: number): number {
    this.poll();
    const s = this.s;
    let r: number;
    switch (offset & ~3) {
      case RTCDR: r = this.count(); break;
      case RTCMR: r = s.mr; break;
      case RTCLR: r = s.lr; break;
      case RTCCR: r = 1; break; // permanently enabled
      case RTCIMSC: r = s.im; break;
      case RTCRIS: r = s.is; break;
      case RTCMIS: r = s.is & s.im; break;
      default: r = offset >= 0xfe0 && offset < 0x1000 ? PL031_ID[(offset - 0xfe0) >> 2] : 0; // ICR is write-only
    }
    return size >= 4 ? r >>> 0 : r & ((1 << (8 * size)) - 1);
  }

  write(offset: number, _size: number, value: number): void {
    const s = this.s;
    switch (offset & ~3) {
      case RTCLR:
        s.lr = value >>> 0;
        s.tickOffset = (s.tickOffset + (value >>> 0) - this.count()) >>> 0;
        this.arm();
        break;
      case RTCMR: s.mr = value >>> 0; this.arm(); break;
      case RTCIMSC: s.im = value & 1; break;
      case RTCICR: s.is &= ~value; break;
      default: break; // CR: ignored (always enabled); DR, RIS, MIS, IDs: read-only
    }
    this.poll();
  }

  snapshot(): Pl031State { return { ...this.s }; }
  restore(state: unknown): void { this.s = { ...(state as Pl031State) }; this.update(); }

  /**
   * pl031_set_alarm: the count wraps, so the alarm is (MR - count) mod 2^32 seconds away; an MR
   * equal to the count fires at once, an MR just behind it fires after the wrap.
   */
  private arm(): void {
    const ticks = (this.s.mr - this.count()) >>> 0;
    if (ticks === 0) { this.s.alarmAt = null; this.s.is = 1; }
    else this.s.alarmAt = Math.floor(this.now()) + ticks;
  }

  private update(): void {
    const level = (this.s.is & this.s.im) !== 0;
    if (level !== this.irqLevel) { this.irqLevel = level; this.irq(level); }
  }
}
