// The gdb stub: the GDB remote serial protocol over TCP on 127.0.0.1, for `a64vm run --gdb
// tcp::1234 [--wait-gdb]` and for embedders (startGdbServer). All-stop mode; each vCPU is a
// thread (thread id = vCPU index + 1). Supported: qSupported, target description (qXfer
// features), g/G, p/P, m/M/X, Z0/z0 and Z1/z1 (both BRK patching), Z2/Z3/Z4 watchpoints,
// s/c/vCont (c, s, t), Ctrl-C while running, ?, H/T/qC/qfThreadInfo/qsThreadInfo/
// qThreadExtraInfo, qAttached, QStartNoAckMode, D (detach: the guest runs on undebugged), k.
import { createServer, type Server, type Socket } from 'node:net';
import type { RunResult, VM } from '../../vm.ts';
import { vcpuCount, reg64, currentVcpu } from '../vcpus.ts';
import { layout as L } from '../../cpu/cpu.ts';
import { framePacket, PacketDecoder, unescapeBinary } from './packets.ts';
import { REGS, regHex, setRegHex, targetXml } from './registers.ts';
import { DebugTarget, type StopEvent, type WatchKind } from './target.ts';

export interface GdbServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one (see port). */
  port: number;
  host?: string;
  /** Stop the guest before its first instruction until gdb connects (else it runs meanwhile). */
  waitForGdb?: boolean;
  /** Instruction budget for the whole run. */
  budget?: bigint;
  /** Diagnostics (connections, protocol errors). */
  log?: (line: string) => void;
}

/** How a debugged run ended. */
export type GdbRunEnd =
  | { kind: 'exited'; result: RunResult }
  | { kind: 'killed' }
  /** gdb detached; the guest has to be run to its end by the caller (the debugger is gone). */
  | { kind: 'detached' };

/** Parses `tcp::1234`, `tcp:127.0.0.1:1234`, `:1234` or `1234`. */
export function parseGdbAddress(spec: string): { host: string; port: number } {
  const m = /^(?:tcp:)?(?:([\w.-]*):)?(\d+)$/.exec(spec.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`--gdb: '${spec}' is not tcp::PORT`);
  const host = m[1] || '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`--gdb: the stub listens on 127.0.0.1 only (got ${host})`);
  return { host: '127.0.0.1', port };
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const toHexNum = (v: number | bigint) => v.toString(16);

export class GdbServer {
  readonly target: DebugTarget;
  private server?: Server;
  private socket?: Socket;
  private decoder = new PacketDecoder();
  private noAck = false;
  private running = false;
  private interruptRequested = false;
  private gThread = 0;
  private cThread = 0;
  private lastStop: StopEvent = { kind: 'stopped', signal: 5, vcpu: 0 };
  private queue: Buffer[] = [];
  private busy = false;
  private end?: GdbRunEnd;
  private finish!: (e: GdbRunEnd) => void;
  /** Resolves when the session is over: the guest ended, gdb killed it, or gdb detached. */
  readonly done: Promise<GdbRunEnd>;
  private connected!: () => void;
  private readonly firstConnection: Promise<void>;

  constructor(readonly vm: VM, private readonly opts: GdbServerOptions) {
    this.target = new DebugTarget(vm, opts.budget);
    this.done = new Promise((r) => { this.finish = r; });
    this.firstConnection = new Promise((r) => { this.connected = r; });
  }

  /** The port listened on (after listen()). */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  async listen(): Promise<void> {
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, '127.0.0.1', () => resolve());
    });
  }

  /**
   * Runs the session: waits for gdb (--wait-gdb) or runs the guest until gdb connects, then
   * serves gdb until the guest ends, gdb kills it or detaches.
   */
  async run(): Promise<GdbRunEnd> {
    if (!this.opts.waitForGdb) {
      // The guest runs; a connection stops it (as QEMU's -s does).
      let connected = false;
      void this.firstConnection.then(() => { connected = true; });
      const ev = await this.target.resume(0, () => connected);
      if (ev.kind === 'exited' && !connected) {
        this.close();
        return { kind: 'exited', result: ev.result };
      }
      this.lastStop = ev;
    } else {
      await this.firstConnection;
    }
    this.target.attach();
    const end = await this.done;
    this.close();
    return end;
  }

  close(): void {
    this.socket?.destroy();
    this.server?.close();
  }

  private log(line: string): void { this.opts.log?.(line); }

  private accept(s: Socket): void {
    if (this.socket && !this.socket.destroyed) { s.end(); return; }
    this.socket = s;
    this.decoder = new PacketDecoder();
    this.noAck = false;
    s.setNoDelay(true);
    this.log(`gdb connected from ${s.remoteAddress}:${s.remotePort}`);
    s.on('data', (d) => this.onData(d));
    s.on('error', () => {});
    s.on('close', () => {
      this.log('gdb disconnected');
      // gdb went away without D or k: detach, the guest runs on.
      if (!this.end) this.settle({ kind: 'detached' });
    });
    this.connected();
  }

  private settle(e: GdbRunEnd): void {
    if (this.end) return;
    this.end = e;
    if (e.kind === 'detached') this.target.detach();
    this.finish(e);
  }

  private send(payload: string | Uint8Array): void {
    this.socket?.write(framePacket(payload));
  }

  private onData(d: Buffer): void {
    for (const m of this.decoder.feed(d)) {
      // Ctrl-C counts while the guest runs or a resume is on its way (it may overtake it).
      if (m.kind === 'interrupt') { if (this.running || this.busy || this.queue.length) this.interruptRequested = true; continue; }
      if (m.kind === 'bad-checksum') { if (!this.noAck) this.socket?.write('-'); continue; }
      if (m.kind !== 'packet') continue;
      if (!this.noAck) this.socket?.write('+');
      this.queue.push(m.data);
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.end) {
        const p = this.queue.shift()!;
        try {
          await this.handle(p);
        } catch (e) {
          this.log(`error handling '${p.toString('latin1').slice(0, 40)}': ${(e as Error).message}`);
          this.send('E01');
        }
      }
    } finally {
      this.busy = false;
    }
  }

  // ---- packets ----

  private threadOk(t: number): boolean { return t >= 0 && t < vcpuCount(this.vm); }

  /** gdb thread id (hex, -1 all, 0 any) to vCPU index. */
  private parseThread(s: string): number | 'all' | 'any' | undefined {
    if (s === '-1') return 'all';
    if (s === '0') return 'any';
    const n = parseInt(s, 16);
    return Number.isInteger(n) && this.threadOk(n - 1) ? n - 1 : undefined;
  }

  private stopReply(ev: StopEvent): string {
    if (ev.kind === 'exited') {
      const st = ev.result.status & 0xff;
      return `W${st.toString(16).padStart(2, '0')}`;
    }
    let s = `T${ev.signal.toString(16).padStart(2, '0')}thread:${toHexNum(ev.vcpu + 1)};`;
    if (ev.why === 'swbreak') s += 'swbreak:;';
    else if (ev.why === 'hwbreak') s += 'hwbreak:;';
    else if (ev.why) s += `${ev.why.watch === 'write' ? 'watch' : ev.why.watch === 'read' ? 'rwatch' : 'awatch'}:${toHexNum(ev.why.addr)};`;
    return s;
  }

  private async resume(kind: 'step' | 'continue', thread: number): Promise<void> {
    this.running = true;
    let ev: StopEvent;
    try {
      ev = kind === 'step' ? this.target.step(thread) : await this.target.resume(thread, () => this.interruptRequested);
    } finally {
      this.running = false;
      this.interruptRequested = false;
    }
    this.lastStop = ev;
    if (ev.kind === 'stopped') { this.gThread = ev.vcpu; this.cThread = ev.vcpu; }
    this.send(this.stopReply(ev));
    if (ev.kind === 'exited') this.settle({ kind: 'exited', result: ev.result });
  }

  private async handle(p: Buffer): Promise<void> {
    const s = p.toString('latin1');
    const vm = this.vm;
    const g = this.gThread;
    switch (s[0]) {
      case '?': this.send(this.stopReply(this.lastStop)); return;
      case 'g': this.send(REGS.map((_, n) => regHex(vm, g, n)).join('')); return;
      case 'G': {
        let at = 1;
        for (let n = 0; n < REGS.length && at < s.length; n++) at += setRegHex(vm, g, n, s.slice(at));
        this.send('OK');
        return;
      }
      case 'p': {
        const n = parseInt(s.slice(1), 16);
        this.send(n >= 0 && n < REGS.length ? regHex(vm, g, n) : 'E45');
        return;
      }
      case 'P': {
        const [ns, val] = s.slice(1).split('=');
        const n = parseInt(ns, 16);
        if (!(n >= 0 && n < REGS.length) || !val) { this.send('E45'); return; }
        setRegHex(vm, g, n, val);
        this.send('OK');
        return;
      }
      case 'm': {
        const [a, l] = s.slice(1).split(',');
        const data = this.target.readMemory(g, BigInt('0x' + a), Math.min(parseInt(l, 16), 0x10000));
        this.send(data.length ? hexOf(data) : 'E14');
        return;
      }
      case 'M': {
        const [head, hex] = s.slice(1).split(':');
        const [a] = head.split(',');
        this.send(this.target.writeMemory(g, BigInt('0x' + a), Buffer.from(hex ?? '', 'hex')) ? 'OK' : 'E14');
        return;
      }
      case 'X': {
        const colon = p.indexOf(0x3a);
        const [a] = p.subarray(1, colon).toString('latin1').split(',');
        const data = unescapeBinary(p.subarray(colon + 1));
        this.send(this.target.writeMemory(g, BigInt('0x' + a), data) ? 'OK' : 'E14');
        return;
      }
      case 'Z': case 'z': {
        const [type, a, kind] = s.slice(1).split(',');
        const va = BigInt('0x' + a);
        const insert = s[0] === 'Z';
        const len = parseInt(kind, 16);
        let ok: boolean;
        if (type === '0' || type === '1') {
          const bk = type === '0' ? 'sw' : 'hw';
          ok = insert ? this.target.insertBreakpoint(bk, va, g) : this.target.removeBreakpoint(bk, va);
        } else if (type === '2' || type === '3' || type === '4') {
          const wk: WatchKind = type === '2' ? 'write' : type === '3' ? 'read' : 'access';
          ok = insert ? this.target.insertWatch(wk, va, len) : this.target.removeWatch(wk, va, len);
        } else {
          this.send('');
          return;
        }
        this.send(ok ? 'OK' : 'E22');
        return;
      }
      case 'c': await this.resume('continue', this.cThread); return;
      case 's': await this.resume('step', this.cThread); return;
      case 'H': {
        const t = this.parseThread(s.slice(2));
        if (t === undefined) { this.send('E22'); return; }
        const idx = t === 'all' || t === 'any' ? 0 : t;
        if (s[1] === 'g') this.gThread = idx; else this.cThread = idx;
        this.send('OK');
        return;
      }
      case 'T': this.send(typeof this.parseThread(s.slice(1)) === 'number' ? 'OK' : 'E22'); return;
      case 'D': this.send('OK'); this.settle({ kind: 'detached' }); return;
      case 'k': this.settle({ kind: 'killed' }); return;
      case 'v': await this.handleV(s); return;
      case 'q': case 'Q': this.handleQuery(s); return;
      default: this.send('');
    }
  }

  private async handleV(s: string): Promise<void> {
    if (s === 'vCont?') { this.send('vCont;c;C;s;S;t'); return; }
    if (s.startsWith('vCont;')) {
      // The first action that applies wins for each thread; all-stop: one thread steps or all run.
      const actions = s.slice(6).split(';').map((a) => {
        const [act, th] = a.split(':');
        return { act: act[0], thread: th === undefined ? 'all' : this.parseThread(th) };
      });
      const stepping = actions.find((a) => a.act === 's' || a.act === 'S');
      if (stepping) {
        const t = typeof stepping.thread === 'number' ? stepping.thread : this.cThread;
        await this.resume('step', t);
        return;
      }
      if (actions.some((a) => a.act === 'c' || a.act === 'C')) {
        const c = actions.find((a) => a.act === 'c' || a.act === 'C')!;
        await this.resume('continue', typeof c.thread === 'number' ? c.thread : this.cThread);
        return;
      }
      if (actions.some((a) => a.act === 't')) { this.send(this.stopReply({ kind: 'stopped', signal: 0, vcpu: this.gThread })); return; }
      this.send('E22');
      return;
    }
    if (s === 'vKill' || s.startsWith('vKill;')) { this.send('OK'); this.settle({ kind: 'killed' }); return; }
    if (s.startsWith('vMustReplyEmpty')) { this.send(''); return; }
    this.send('');
  }

  private handleQuery(s: string): void {
    const vm = this.vm;
    if (s.startsWith('qSupported')) {
      this.send('PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+');
      return;
    }
    if (s === 'QStartNoAckMode') { this.send('OK'); this.noAck = true; return; }
    if (s.startsWith('qXfer:features:read:')) {
      const [annex, range] = s.slice('qXfer:features:read:'.length).split(':');
      if (annex !== 'target.xml') { this.send('E00'); return; }
      const [o, l] = range.split(',').map((x) => parseInt(x, 16));
      const xml = Buffer.from(targetXml(), 'utf8');
      const part = xml.subarray(o, o + l);
      this.send(Buffer.concat([Buffer.from(o + l >= xml.length ? 'l' : 'm'), part]));
      return;
    }
    if (s === 'qfThreadInfo') {
      this.send('m' + Array.from({ length: vcpuCount(vm) }, (_, i) => toHexNum(i + 1)).join(','));
      return;
    }
    if (s === 'qsThreadInfo') { this.send('l'); return; }
    if (s === 'qC') { this.send(`QC${toHexNum(this.gThread + 1)}`); return; }
    if (s === 'qAttached') { this.send('1'); return; }
    if (s.startsWith('qThreadExtraInfo,')) {
      const t = this.parseThread(s.slice('qThreadExtraInfo,'.length));
      if (typeof t !== 'number') { this.send('E22'); return; }
      const v = vm.scheduler.vcpus[t];
      const state = !v.on ? 'off' : v.waiting !== 'none' ? `waiting (${v.waiting.toUpperCase()})` : 'running';
      const text = `vCPU ${t} MPIDR 0x${reg64(vm, t, L.MPIDR_EL1).toString(16)} ${state}${t === currentVcpu(vm) ? '' : ''}`;
      this.send(Buffer.from(text).toString('hex'));
      return;
    }
    if (s.startsWith('qSymbol')) { this.send('OK'); return; }
    if (s === 'qOffsets') { this.send('Text=0;Data=0;Bss=0'); return; }
    this.send('');
  }
}

/** Starts a gdb server on vm (see GdbServerOptions); call run() on the result. */
export async function startGdbServer(vm: VM, opts: GdbServerOptions): Promise<GdbServer> {
  const s = new GdbServer(vm, opts);
  await s.listen();
  return s;
}
