// PL011 UART and PL031 RTC register behaviour (devices/pl011.ts, pl031.ts) and the MMIO bus,
// following QEMU's hw/char/pl011.c and hw/rtc/pl031.c.
import { describe, it, expect } from 'vitest';
import { Bus } from '../src/devices/bus.ts';
import { Pl011, PL011_ID } from '../src/devices/pl011.ts';
import { Pl031, PL031_ID } from '../src/devices/pl031.ts';

function uart() {
  const out: number[] = [];
  const irqs: boolean[] = [];
  const u = new Pl011((b) => out.push(b), (l) => irqs.push(l));
  return { u, out, irqs, r: (o: number) => u.read(o, 4), w: (o: number, v: number) => u.write(o, 4, v) };
}

describe('PL011', () => {
  it('has the PL011 reset values', () => {
    const { r } = uart();
    expect(r(0x018)).toBe(0x90); // FR: TXFE | RXFE, BUSY = TXFF = RXFF = 0
    expect(r(0x030)).toBe(0x300); // CR: TXE | RXE
    expect(r(0x034)).toBe(0x12); // IFLS: 1/2 full
    for (const o of [0x004, 0x020, 0x024, 0x028, 0x02c, 0x038, 0x03c, 0x040, 0x048]) expect(r(o), o.toString(16)).toBe(0);
  });

  it('reads the PeriphID and PCellID registers', () => {
    const { r } = uart();
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(r)).toEqual([...PL011_ID]);
    expect([...PL011_ID]).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it('transmits DR writes to the sink and raises the TX interrupt until ICR clears it', () => {
    const { u, out, irqs, r, w } = uart();
    w(0x000, 0x141); // only the low 8 bits are data
    w(0x000, 0x42);
    expect(out).toEqual([0x41, 0x42]);
    expect(r(0x03c)).toBe(0x20); // RIS.TX
    expect(r(0x040)).toBe(0); // masked
    w(0x038, 0x20); // IMSC.TX
    expect(r(0x040)).toBe(0x20);
    expect(u.interrupt).toBe(true);
    w(0x044, 0x20); // ICR
    expect(r(0x03c)).toBe(0);
    expect(irqs).toEqual([true, false]);
  });

  it('receives input one character at a time with the FIFO off', () => {
    const { u, r } = uart();
    u.pushInput([0x61, 0x62]);
    expect(r(0x018) & 0x50).toBe(0x40); // RXFF set, RXFE clear (FIFO depth 1)
    expect(r(0x03c) & 0x10).toBe(0x10); // RIS.RX
    expect(r(0x000)).toBe(0x61);
    expect(r(0x000)).toBe(0x62); // the next byte moved in
    expect(r(0x018) & 0x50).toBe(0x10); // empty: RXFE
    expect(r(0x03c) & 0x10).toBe(0);
    expect(r(0x000)).toBe(0); // reading an empty FIFO
  });

  it('buffers 16 characters with LCR_H.FEN set', () => {
    const { u, r, w } = uart();
    w(0x02c, 0x70); // FEN, 8 bits
    u.pushInput(Array.from({ length: 20 }, (_, i) => 0x30 + i));
    expect(r(0x018) & 0x50).toBe(0x40); // full
    const got = Array.from({ length: 20 }, () => r(0x000));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => 0x30 + i));
    expect(r(0x018) & 0x10).toBe(0x10);
  });

  it('keeps the programmable registers (masked to their widths)', () => {
    const { r, w } = uart();
    const regs: [number, number, number][] = [
      [0x020, 0x1ff, 0xff], [0x024, 0x1ffff, 0xffff], [0x028, 0xff, 0x3f], [0x02c, 0x1ff, 0xff],
      [0x030, 0x1ffff, 0xffff], [0x034, 0xff, 0x3f], [0x038, 0xfff, 0x7ff], [0x048, 0xf, 7],
    ];
    for (const [o, v, e] of regs) { w(o, v); expect(r(o), o.toString(16)).toBe(e); }
  });

  it('ignores writes to FR, RIS, MIS and the ID registers; ECR clears RSR', () => {
    const { r, w } = uart();
    w(0x018, 0); w(0x03c, 0xff); w(0xfe0, 0);
    expect(r(0x018)).toBe(0x90);
    expect(r(0xfe0)).toBe(0x11);
    w(0x004, 0);
    expect(r(0x004)).toBe(0);
  });

  it('narrow reads return the register truncated, as QEMU', () => {
    const { u } = uart();
    expect(u.read(0x018, 1)).toBe(0x90);
    expect(u.read(0x030, 1)).toBe(0x00);
    expect(u.read(0x030, 2)).toBe(0x300);
    expect(u.read(0x100, 4)).toBe(0); // reserved
  });

  it('snapshots and restores its state', () => {
    const a = uart();
    a.w(0x02c, 0x70); a.w(0x024, 13); a.u.pushInput([1, 2, 3]);
    const snap = a.u.snapshot();
    const b = uart();
    b.u.restore(JSON.parse(JSON.stringify(snap)));
    expect(b.r(0x024)).toBe(13);
    expect([b.r(0), b.r(0), b.r(0)]).toEqual([1, 2, 3]);
    expect(a.r(0)).toBe(1); // the original is untouched
  });
});

describe('PL031', () => {
  function rtc(start = 1000) {
    let now = start;
    const irqs: boolean[] = [];
    const d = new Pl031(() => now, (l) => irqs.push(l));
    return { d, irqs, tick: (s: number) => { now += s; }, r: (o: number) => d.read(o, 4), w: (o: number, v: number) => d.write(o, 4, v) };
  }

  it('DR counts the clock\'s seconds; CR reads 1; the IDs are the PL031\'s', () => {
    const { r, tick } = rtc(1000.7);
    expect(r(0x00)).toBe(1000);
    tick(2.5);
    expect(r(0x00)).toBe(1003);
    expect(r(0x0c)).toBe(1);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(r)).toEqual([...PL031_ID]);
    expect(PL031_ID[0]).toBe(0x31);
  });

  it('LR sets the count, which keeps running', () => {
    const { r, w, tick } = rtc();
    w(0x08, 0xffff_fffe);
    expect(r(0x08)).toBe(0xffff_fffe);
    expect(r(0x00)).toBe(0xffff_fffe);
    tick(3);
    expect(r(0x00)).toBe(1); // wraps at 32 bits
  });

  it('raises the match interrupt when the count reaches MR; ICR clears it', () => {
    const { r, w, tick, irqs } = rtc();
    w(0x10, 1); // IMSC
    w(0x04, 1005);
    expect(r(0x04)).toBe(1005);
    tick(4);
    expect(r(0x14)).toBe(0);
    tick(1);
    expect(r(0x14)).toBe(1);
    expect(r(0x18)).toBe(1);
    w(0x1c, 1);
    expect(r(0x14)).toBe(0);
    expect(irqs).toEqual([true, false]);
  });

  it('MR equal to the count fires at once; MR in the past waits for the wrap', () => {
    const a = rtc();
    a.w(0x04, 1000);
    expect(a.r(0x14)).toBe(1);
    const b = rtc();
    b.w(0x04, 999);
    b.tick(100);
    expect(b.r(0x14)).toBe(0);
    expect(b.r(0x18)).toBe(0); // and masked anyway
  });

  it('ignores writes to DR, CR and RIS', () => {
    const { r, w } = rtc();
    w(0x00, 5); w(0x0c, 0); w(0x14, 1);
    expect(r(0x00)).toBe(1000);
    expect(r(0x0c)).toBe(1);
    expect(r(0x14)).toBe(0);
  });
});

describe('Bus', () => {
  it('routes by address, splits 8-byte accesses, and reports unclaimed addresses', () => {
    const bus = new Bus();
    const out: number[] = [];
    bus.map(0x0900_0000, new Pl011((b) => out.push(b)));
    expect(bus.read(0x0900_0018, 4)).toBe(0x90n);
    expect(bus.read(0x0900_0030, 8)).toBe(0x300n | (0x12n << 32n)); // CR, then IFLS
    expect(bus.write(0x0900_0000, 8, 0x43n | (0x44n << 32n))).toBe(true); // DR, then RSR/ECR
    expect(out).toEqual([0x43]);
    expect(bus.read(0x0900_1000, 4)).toBeUndefined();
    expect(bus.read(0x0900_0ffe, 4)).toBeUndefined(); // straddles the end of the window
    expect(bus.write(0x0a00_0000, 4, 0n)).toBe(false);
    expect(() => bus.map(0x0900_0800, new Pl011(() => {}))).toThrow(/overlaps pl011/);
  });
});
