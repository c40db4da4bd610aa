// GDB remote serial protocol framing (gdb manual, "Overview" of Remote Protocol):
// `$payload#cc` with cc the modulo-256 sum of the payload, acknowledged with + or -; 0x03 on its
// own is an interrupt request. Binary data (X packets) escapes # $ } * as 0x7d, byte ^ 0x20.

export type Incoming =
  | { kind: 'packet'; data: Buffer }
  | { kind: 'interrupt' }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'bad-checksum' };

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;

function checksum(b: Uint8Array): number {
  let s = 0;
  for (const c of b) s = (s + c) & 0xff;
  return s;
}

/** A packet ready for the wire. */
export function framePacket(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload);
  // Escape the characters the framing reserves (gdb requires it for binary replies; harmless otherwise).
  const out: number[] = [];
  for (const c of body) {
    if (c === DOLLAR || c === HASH || c === ESCAPE || c === 0x2a) out.push(ESCAPE, c ^ 0x20);
    else out.push(c);
  }
  const esc = Buffer.from(out);
  return Buffer.concat([Buffer.from('$'), esc, Buffer.from(`#${checksum(esc).toString(16).padStart(2, '0')}`)]);
}

/** Undoes the 0x7d escapes of binary packet data. */
export function unescapeBinary(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) out.push(b[i] === ESCAPE && i + 1 < b.length ? b[++i] ^ 0x20 : b[i]);
  return Uint8Array.from(out);
}

/** Splits the byte stream from gdb into packets, acks and interrupts. */
export class PacketDecoder {
  private buf: number[] = [];
  private state: 'idle' | 'body' | 'sum1' | 'sum2' = 'idle';
  private sum = '';

  feed(chunk: Uint8Array): Incoming[] {
    const out: Incoming[] = [];
    for (const c of chunk) {
      switch (this.state) {
        case 'idle':
          if (c === DOLLAR) { this.state = 'body'; this.buf = []; }
          else if (c === 0x03) out.push({ kind: 'interrupt' });
          else if (c === 0x2b) out.push({ kind: 'ack' });
          else if (c === 0x2d) out.push({ kind: 'nack' });
          break;
        case 'body':
          if (c === HASH) { this.state = 'sum1'; this.sum = ''; } else this.buf.push(c);
          break;
        case 'sum1':
          this.sum = String.fromCharCode(c);
          this.state = 'sum2';
          break;
        case 'sum2': {
          this.sum += String.fromCharCode(c);
          this.state = 'idle';
          const data = Buffer.from(this.buf);
          if (parseInt(this.sum, 16) === checksum(data)) out.push({ kind: 'packet', data });
          else out.push({ kind: 'bad-checksum' });
          break;
        }
      }
    }
    return out;
  }
}
