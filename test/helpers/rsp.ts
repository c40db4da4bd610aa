// A minimal GDB remote protocol client for tests of the gdb stub: sends packets, waits for
// replies, can send the Ctrl-C byte.
import { connect, type Socket } from 'node:net';

export class RspClient {
  private buf = '';
  private waiters: ((p: string) => void)[] = [];
  private replies: string[] = [];

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      for (;;) {
        this.buf = this.buf.replace(/^[+-]+/, '');
        const m = /^\$([^#]*)#([0-9a-f]{2})/.exec(this.buf);
        if (!m) break;
        this.buf = this.buf.slice(m[0].length);
        sock.write('+');
        const w = this.waiters.shift();
        if (w) w(m[1]); else this.replies.push(m[1]);
      }
    });
  }

  static connect(port: number): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RspClient(s)));
      s.once('error', reject);
    });
  }

  /** The next reply packet's payload. */
  reply(timeoutMs = 20_000): Promise<string> {
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply from the stub')), timeoutMs);
      this.waiters.push((p) => { clearTimeout(t); resolve(p); });
    });
  }

  send(payload: string): void {
    let sum = 0;
    for (const c of Buffer.from(payload, 'latin1')) sum = (sum + c) & 0xff;
    this.sock.write(Buffer.from(`$${payload}#${sum.toString(16).padStart(2, '0')}`, 'latin1'));
  }

  /** Sends a packet and returns its reply. */
  async ask(payload: string): Promise<string> {
    this.send(payload);
    return this.reply();
  }

  interrupt(): void { this.sock.write(Buffer.from([3])); }

  close(): void { this.sock.destroy(); }
}

/** Little-endian hex of a 64-bit value, as registers travel. */
export const le64 = (v: bigint) => Buffer.from(new BigUint64Array([v]).buffer).toString('hex');
export const fromLe = (hex: string) => {
  let v = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return v;
};
