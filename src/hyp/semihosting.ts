// Arm semihosting (Arm IHI 0080, "Semihosting for AArch32 and AArch64"), A64 conduit HLT #0xF000,
// as QEMU's semihosting/arm-compat-semi.c answers it: operation in W0, parameter block (64-bit
// fields) or argument in X1, result in X0. The CPU exits with PC at the HLT; every completed call
// steps past it. Only the console exists: SYS_OPEN accepts ":tt" alone and, as QEMU 7.2 does
// (SH_EXT_STDOUT_STDERR), opens it for reading as stdin, for writing ("w*") as stdout and for
// appending ("a*") as stderr; handles are allocated from 1. SYS_WRITEC and SYS_WRITE0 go to the
// semihosting console, which QEMU writes to stderr.
// Parameter blocks are read through GuestMemory, so the guest's MMU must be off (see there).
import type { Cpu } from '../cpu/cpu.ts';
import { GuestMemory, GuestMemoryError } from './guestmem.ts';

export const SYS_OPEN = 0x01;
export const SYS_CLOSE = 0x02;
export const SYS_WRITEC = 0x03;
export const SYS_WRITE0 = 0x04;
export const SYS_WRITE = 0x05;
export const SYS_READ = 0x06;
export const SYS_READC = 0x07;
export const SYS_ISTTY = 0x09;
export const SYS_CLOCK = 0x10;
export const SYS_TIME = 0x11;
export const SYS_ERRNO = 0x13;
export const SYS_EXIT = 0x18;
export const SYS_EXIT_EXTENDED = 0x20;

/** SYS_EXIT reason codes (IHI 0080 6.6). */
export const ADP_Stopped_ApplicationExit = 0x20026n;

const EBADF = 9;
const ENOENT = 2;

/** Where output goes: the semihosting console (SYS_WRITEC, SYS_WRITE0) or a ":tt" handle. */
export type SemihostingStream = 'console' | 'stdout' | 'stderr';

export interface SemihostingIO {
  /** Console output (stream 'console' when omitted). */
  write(bytes: Uint8Array, stream?: SemihostingStream): void;
  /** Next console input byte, or undefined at end of input. */
  readByte(): number | undefined;
  /** Centiseconds since the VM started (SYS_CLOCK). */
  centiseconds(): number;
  /** Seconds since the Unix epoch (SYS_TIME). */
  epochSeconds(): number;
}

export type SemihostingOutcome =
  | { kind: 'continue' }
  | { kind: 'exit'; status: number; reason: bigint }
  | { kind: 'error'; message: string };

/** What a ":tt" handle is: stdin, stdout ('out') or stderr ('err'). */
type Handle = 'in' | 'out' | 'err';

export class Semihosting {
  private handles = new Map<number, Handle>();
  private errno = 0;

  constructor(private readonly mem: GuestMemory, private readonly io: SemihostingIO) {}

  reset(): void { this.handles.clear(); this.errno = 0; }

  /** Open handles and the last errno, for VM snapshots (devices/snapshottable.ts). */
  snapshot(): { handles: [number, Handle][]; errno: number } { return { handles: [...this.handles], errno: this.errno }; }
  restore(state: unknown): void {
    const s = state as { handles: [number, Handle][]; errno: number };
    this.handles = new Map(s.handles);
    this.errno = s.errno;
  }

  handle(cpu: Cpu): SemihostingOutcome {
    const op = Number(cpu.x(0) & 0xffff_ffffn);
    const x1 = cpu.x(1);
    const arg = (i: number) => this.mem.readU64(x1 + BigInt(8 * i));
    let ret: bigint;
    try {
      switch (op) {
        case SYS_OPEN: {
          const name = new TextDecoder().decode(this.mem.read(arg(0), Number(arg(2))));
          const mode = Number(arg(1));
          if (name !== ':tt') { this.errno = ENOENT; ret = -1n; break; }
          let h = 1;
          while (this.handles.has(h)) h++;
          this.handles.set(h, mode < 4 ? 'in' : mode < 8 ? 'out' : 'err');
          ret = BigInt(h);
          break;
        }
        case SYS_CLOSE: {
          const h = Number(arg(0));
          if (!this.handles.delete(h)) { this.errno = EBADF; ret = -1n; } else ret = 0n;
          break;
        }
        case SYS_WRITEC:
          this.io.write(this.mem.read(x1, 1));
          return this.done(cpu); // X0 is corrupted (left as is)
        case SYS_WRITE0:
          this.io.write(this.mem.readCString(x1));
          return this.done(cpu);
        case SYS_WRITE: {
          const len = Number(arg(2));
          const kind = this.handles.get(Number(arg(0)));
          if (kind === undefined || kind === 'in') { this.errno = EBADF; ret = BigInt(len); break; }
          this.io.write(this.mem.read(arg(1), len), kind === 'out' ? 'stdout' : 'stderr');
          ret = 0n; // bytes not written
          break;
        }
        case SYS_READ: {
          const len = Number(arg(2));
          if (!this.handles.has(Number(arg(0)))) { this.errno = EBADF; ret = -1n; break; }
          const got: number[] = [];
          while (got.length < len) {
            const b = this.io.readByte();
            if (b === undefined) break;
            got.push(b);
            if (b === 0x0a) break; // a console read returns at end of line
          }
          this.mem.write(arg(1), Uint8Array.from(got));
          ret = BigInt(len - got.length); // bytes not read
          break;
        }
        case SYS_READC:
          { const b = this.io.readByte(); ret = b === undefined ? -1n : BigInt(b); } // QEMU blocks for input; a64vm reports EOF as -1
          break;
        case SYS_ISTTY:
          if (this.handles.has(Number(arg(0)))) ret = 1n;
          else { this.errno = EBADF; ret = -1n; }
          break;
        case SYS_CLOCK:
          ret = BigInt(Math.floor(this.io.centiseconds()));
          break;
        case SYS_TIME:
          ret = BigInt(Math.floor(this.io.epochSeconds()));
          break;
        case SYS_ERRNO:
          ret = BigInt(this.errno);
          break;
        case SYS_EXIT:
        case SYS_EXIT_EXTENDED: {
          // A64: X1 points at {reason, subcode}. ApplicationExit carries the exit status;
          // any other reason is a failure (status 1), as QEMU does.
          const reason = arg(0);
          const status = reason === ADP_Stopped_ApplicationExit ? Number(arg(1) & 0xffff_ffffn) | 0 : 1;
          cpu.pc += 4n;
          return { kind: 'exit', status, reason };
        }
        default:
          return { kind: 'error', message: `unsupported semihosting operation 0x${op.toString(16)} at PC 0x${cpu.pc.toString(16)}` };
      }
    } catch (e) {
      if (e instanceof GuestMemoryError || (e instanceof Error && /memslot/.test(e.message))) {
        return { kind: 'error', message: `semihosting operation 0x${op.toString(16)} at PC 0x${cpu.pc.toString(16)}: ${e.message}` };
      }
      throw e;
    }
    cpu.setX(0, BigInt.asUintN(64, ret));
    return this.done(cpu);
  }

  private done(cpu: Cpu): SemihostingOutcome {
    cpu.pc += 4n;
    return { kind: 'continue' };
  }
}
