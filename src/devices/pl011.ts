// Arm PrimeCell UART (PL011), as QEMU's hw/char/pl011.c models it: a 16-entry receive FIFO
// (1 entry with LCR_H.FEN clear), transmit that completes at once (FR.TXFE always set, TXFF and
// BUSY never), no DMA, receive interrupt at one character. Register map (PL011 TRM, 3.2):
// DR 0x000, RSR/ECR 0x004, FR 0x018, ILPR 0x020, IBRD 0x024, FBRD 0x028, LCR_H 0x02C, CR 0x030,
// IFLS 0x034, IMSC 0x038, RIS 0x03C, MIS 0x040, ICR 0x044, DMACR 0x048, PeriphID0-3 0xFE0-0xFEC,
// PCellID0-3 0xFF0-0xFFC. Registers are 32 bits wide; as in QEMU, a narrower access reads the
// register at offset & ~3 truncated to the access size.
import type { Device } from './bus.ts';

export const UARTDR = 0x000;
export const UARTRSR = 0x004;
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;

export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
const LCR_FEN = 1 << 4;
const FIFO_DEPTH = 16;

/** PeriphID0-3, PCellID0-3: part 0x011, designer Arm, revision 1; the PrimeCell preamble. */
export const PL011_ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

export interface Pl011State {
  readFifo: number[]; // oldest first
  flags: number; lcr: number; rsr: number; cr: number; dmacr: number;
  intEnabled: number; intLevel: number; ilpr: number; ibrd: number; fbrd: number; ifl: number;
  /** Bytes the host has queued that did not fit the FIFO yet. */
  pendingInput: number[];
}

export class Pl011 implements Device {
  readonly name = 'pl011';
  readonly size = 0x1000;
  private s!: Pl011State;
  private irqLevel = false;

  /**
   * sink: receives every transmitted byte. irq: called when the combined interrupt line
   * (RIS & IMSC != 0) changes level.
   */
  constructor(private readonly sink: (byte: number) => void, private readonly irq: (level: boolean) => void = () => {}) {
    this.reset();
  }

  reset(): void {
    this.s = {
      readFifo: [], flags: FR_TXFE | FR_RXFE, lcr: 0, rsr: 0, cr: 0x300, dmacr: 0,
      intEnabled: 0, intLevel: 0, ilpr: 0, ibrd: 0, fbrd: 0, ifl: 0x12, pendingInput: this.s?.pendingInput ?? [],
    };
    this.update();
    this.fill();
  }

  /** Queues input bytes for the guest (the host side of the receive line). */
  pushInput(bytes: Iterable<number>): void {
    for (const b of bytes) this.s.pendingInput.push(b & 0xff);
    this.fill();
  }

  /** True when the combined interrupt output is asserted. */
  get interrupt(): boolean { return (this.s.intLevel & this.s.intEnabled) !== 0; }

  read(offset: number, size: number): number {
    const s = this.s;
    let r: number;
    switch (offset & ~3) {
      case UARTDR: {
        s.flags &= ~FR_RXFF;
        const c = s.readFifo.length > 0 ? s.readFifo.shift()! : 0;
        if (s.readFifo.length === 0) s.flags |= FR_RXFE;
        // The receive interrupt clears when the FIFO drops below the trigger level (1).
        if (s.readFifo.length === 0) s.intLevel &= ~INT_RX;
        s.rsr = c >> 8;
        r = c;
        this.update();
        this.fill();
        break;
      }
      case UARTRSR: r = s.rsr; break;
      case UARTFR: r = s.flags; break;
      case UARTILPR: r = s.ilpr; break;
      case UARTIBRD: r = s.ibrd; break;
      case UARTFBRD: r = s.fbrd; break;
      case UARTLCR_H: r = s.lcr; break;
      case UARTCR: r = s.cr; break;
      case UARTIFLS: r = s.ifl; break;
      case UARTIMSC: r = s.intEnabled; break;
      case UARTRIS: r = s.intLevel; break;
      case UARTMIS: r = s.intLevel & s.intEnabled; break;
      case UARTDMACR: r = s.dmacr; break;
      default:
        r = offset >= 0xfe0 && offset < 0x1000 ? PL011_ID[(offset - 0xfe0) >> 2] : 0;
    }
    return size >= 4 ? r >>> 0 : r & ((1 << (8 * size)) - 1);
  }

  write(offset: number, _size: number, value: number): void {
    const s = this.s;
    switch (offset & ~3) {
      case UARTDR:
        // Transmits whatever CR.UARTEN/TXE say, as QEMU does.
        this.sink(value & 0xff);
        s.intLevel |= INT_TX;
        this.update();
        break;
      case UARTRSR: s.rsr = 0; break; // ECR: clears the error flags
      case UARTILPR: s.ilpr = value & 0xff; break;
      case UARTIBRD: s.ibrd = value & 0xffff; break;
      case UARTFBRD: s.fbrd = value & 0x3f; break;
      case UARTLCR_H:
        if ((s.lcr ^ value) & LCR_FEN) { s.readFifo = []; s.flags = (s.flags | FR_RXFE) & ~FR_RXFF; }
        s.lcr = value & 0xff;
        this.fill();
        break;
      case UARTCR: s.cr = value & 0xffff; break;
      case UARTIFLS: s.ifl = value & 0x3f; break;
      case UARTIMSC: s.intEnabled = value & 0x7ff; this.update(); break;
      case UARTICR: s.intLevel &= ~value; this.update(); break;
      case UARTDMACR: s.dmacr = value & 7; break;
      default: break; // FR, RIS, MIS, IDs: read-only; others: reserved
    }
  }

  snapshot(): Pl011State { return structuredClone(this.s); }
  restore(state: unknown): void { this.s = structuredClone(state as Pl011State); this.update(); }

  /** Moves queued input into the FIFO while it has room (QEMU's can_receive/put_fifo). */
  private fill(): void {
    const s = this.s;
    const depth = s.lcr & LCR_FEN ? FIFO_DEPTH : 1;
    while (s.pendingInput.length > 0 && s.readFifo.length < depth) {
      s.readFifo.push(s.pendingInput.shift()!);
      s.flags &= ~FR_RXFE;
      if (s.readFifo.length === depth) s.flags |= FR_RXFF;
      if (s.readFifo.length === 1) s.intLevel |= INT_RX;
    }
    this.update();
  }

  private update(): void {
    const level = this.interrupt;
    if (level !== this.irqLevel) { this.irqLevel = level; this.irq(level); }
  }
}
