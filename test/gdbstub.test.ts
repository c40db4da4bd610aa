// The gdb stub (src/tools/gdbstub): a real gdb-multiarch in batch mode against the debug guest
// (guest-images/debug/debug.elf, built with -g), and the protocol details through a small client
// of our own (breakpoints, watchpoints of each kind, stepping, Ctrl-C, threads, detach, kill).
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VM } from '../src/vm.ts';
import { main } from '../src/cli.ts';
import { startGdbServer } from '../src/tools/gdbstub/server.ts';
import { REGS } from '../src/tools/gdbstub/registers.ts';
import { decodeAccess } from '../src/tools/gdbstub/access.ts';
import { RspClient, fromLe, le64 } from './helpers/rsp.ts';
import { guest, B_SELF, CODE } from './helpers/guest.ts';

const DEBUG_ELF = fileURLToPath(new URL('../guest-images/debug/debug.elf', import.meta.url));
const HELLO = fileURLToPath(new URL('../guest-images/hello.elf', import.meta.url));
const haveGdb = spawnSync('gdb-multiarch', ['--version']).status === 0;

/** The value of a symbol in an ELF64 file's .symtab. */
function elfSymbol(file: string, name: string): bigint {
  const b = readFileSync(file);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const sec = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)), link: b.readUInt32LE(o + 0x28) };
  };
  for (let i = 0; i < shnum; i++) {
    const s = sec(i);
    if (s.type !== 2) continue; // SHT_SYMTAB
    const str = sec(s.link);
    for (let o = s.offset; o < s.offset + s.size; o += 24) {
      const nameOff = b.readUInt32LE(o);
      const end = b.indexOf(0, str.offset + nameOff);
      if (b.toString('latin1', str.offset + nameOff, end) === name) return b.readBigUInt64LE(o + 8);
    }
  }
  throw new Error(`${name} not in ${file}`);
}

const debugVm = () => VM.create({ kernel: { data: new Uint8Array(readFileSync(DEBUG_ELF)), name: 'debug.elf' } });
const pcOf = (regs: string) => fromLe(regs.slice(32 * 16, 33 * 16));

describe('gdb-multiarch against the stub', () => {
  it.skipIf(!haveGdb)('breaks on a function, steps, reads and changes a register, inspects memory, watches a variable, runs to the end', async () => {
    const vm = await debugVm();
    let uart = '';
    vm.onOutput((b) => { uart += Buffer.from(b).toString(); });
    const server = await startGdbServer(vm, { port: 0, waitForGdb: true });
    const session = server.run();
    const square = elfSymbol(DEBUG_ELF, 'square');
    const args = [
      '-batch', '-nx', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', `file ${DEBUG_ELF}`,
      '-ex', `target remote 127.0.0.1:${server.port}`,
      '-ex', 'break square', '-ex', 'continue',
      '-ex', 'info registers x0', '-ex', 'set $x0 = 7',
      '-ex', 'stepi', '-ex', 'p/x $pc', '-ex', 'p $x0',
      '-ex', 'delete 1', '-ex', 'watch counter', '-ex', 'continue',
      '-ex', 'x/2gx &results', '-ex', 'p counter', '-ex', 'info threads',
      '-ex', 'delete', '-ex', 'continue',
    ];
    const gdb = spawn('gdb-multiarch', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    gdb.stdout.on('data', (d) => { out += d; });
    gdb.stderr.on('data', (d) => { out += d; });
    const code = await new Promise<number | null>((resolve) => gdb.on('close', resolve));
    const end = await session;
    expect(code, out).toBe(0);
    expect(out).toMatch(/Breakpoint 1, square \(x=(x@entry=)?1\)/);
    expect(out).toMatch(/x0\s+0x1\s+1\n/);
    expect(out).toContain(`$1 = 0x${(square + 4n).toString(16)}`); // stepi: one instruction
    expect(out).toContain('$2 = 49'); // the changed register went through the multiplication
    expect(out).toMatch(/Hardware watchpoint 2: counter\s+Old value = 0\s+New value = 1/);
    expect(out).toMatch(/<results>:\s+0x0000000000000031\s+0x0000000000000000/); // square(1) gave 49
    expect(out).toContain('$3 = 1');
    expect(out).toMatch(/\* 1\s+Thread 1/);
    expect(out).toMatch(/exited normally/);
    expect(end.kind).toBe('exited');
    expect(uart).toBe('debug guest: start\ncounter = 4, sum of squares = 78\n'); // 49 + 4 + 9 + 16
  });
});

describe('the remote protocol', () => {
  async function session(vm?: VM) {
    vm ??= await debugVm();
    const server = await startGdbServer(vm, { port: 0, waitForGdb: true });
    const done = server.run();
    const c = await RspClient.connect(server.port);
    return { vm, server, done, c };
  }

  it('features, registers and memory', async () => {
    const { c, done } = await session();
    expect(await c.ask('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386')).toMatch(/qXfer:features:read\+.*swbreak\+/);
    let xml = '';
    for (let off = 0; ; ) {
      const r = await c.ask(`qXfer:features:read:target.xml:${off.toString(16)},400`);
      xml += r.slice(1);
      off += r.length - 1;
      if (r[0] === 'l') break;
    }
    for (const s of ['org.gnu.gdb.aarch64.core', '"x30"', '"sp"', '"pc"', '"cpsr"', 'org.gnu.gdb.aarch64.fpu', 'org.a64vm.sysregs', '"vbar_el1"', '"sctlr_el1"']) expect(xml).toContain(s);
    expect(await c.ask('?')).toBe('T05thread:1;');
    const g = await c.ask('g');
    expect(g.length).toBe(REGS.reduce((n, r) => n + r.bits / 4, 0));
    expect(pcOf(g)).toBe(0x4008_0000n);
    expect(fromLe(await c.ask('p20'))).toBe(0x4008_0000n);
    expect(await c.ask(`P5=${le64(0x1234_5678_9abc_def0n)}`)).toBe('OK');
    expect(fromLe(await c.ask('p5'))).toBe(0x1234_5678_9abc_def0n);
    expect((await c.ask('p21')).length).toBe(8); // cpsr: 32 bits
    expect(fromLe(await c.ask('p21')) & 0xfn).toBe(5n); // EL1h
    // The first instruction, as the ELF has it; a write and a read back; MMIO is not memory here.
    const elf = readFileSync(DEBUG_ELF);
    const text = elf.indexOf(Buffer.from(await c.ask('m40080000,8'), 'hex'));
    expect(text).toBeGreaterThan(0);
    const buf = 0x4008_8000n;
    expect(await c.ask(`M${buf.toString(16)},4:deadbeef`)).toBe('OK');
    expect(await c.ask(`m${buf.toString(16)},4`)).toBe('deadbeef');
    expect(await c.ask('m9000000,4')).toMatch(/^E/);
    // X: binary data, with # and } escaped as } followed by the byte ^ 0x20.
    expect(await c.ask(`X${buf.toString(16)},4:}\x03}\x5d\x00\xff`)).toBe('OK');
    expect(await c.ask(`m${buf.toString(16)},4`)).toBe('237d00ff');
    c.send('k');
    expect((await done).kind).toBe('killed');
    c.close();
  });

  it('software and hardware breakpoints, stepping, and memory reads that hide the BRK', async () => {
    const { c, done, vm } = await session();
    const square = elfSymbol(DEBUG_ELF, 'square');
    const main = elfSymbol(DEBUG_ELF, 'main');
    const word = await c.ask(`m${square.toString(16)},4`);
    expect(await c.ask(`Z0,${square.toString(16)},4`)).toBe('OK');
    expect(await c.ask(`m${square.toString(16)},4`)).toBe(word); // the BRK is not shown
    expect(await c.ask('c')).toBe('T05thread:1;swbreak:;');
    expect(pcOf(await c.ask('g'))).toBe(square);
    expect(fromLe(await c.ask('p0'))).toBe(1n);
    // Continue from the breakpoint: the stub steps over it, the next call stops again.
    expect(await c.ask('c')).toBe('T05thread:1;swbreak:;');
    expect(fromLe(await c.ask('p0'))).toBe(2n);
    expect(await c.ask(`z0,${square.toString(16)},4`)).toBe('OK');
    expect(await c.ask('s')).toBe('T05thread:1;');
    expect(pcOf(await c.ask('g'))).toBe(square + 4n);
    expect(await c.ask('vCont?')).toMatch(/vCont;c;C;s;S/);
    expect(await c.ask('vCont;s:1')).toBe('T05thread:1;');
    // A hardware breakpoint (gdb's hbreak) on the instruction after the call in main.
    expect(await c.ask(`Z1,${square.toString(16)},4`)).toBe('OK');
    expect(await c.ask('vCont;c')).toBe('T05thread:1;hwbreak:;');
    expect(fromLe(await c.ask('p0'))).toBe(3n);
    expect(await c.ask(`z1,${square.toString(16)},4`)).toBe('OK');
    expect(main).toBeGreaterThan(0n);
    expect(vm.cpu.u32(Number(vm.memslots.hostAddress(Number(square))))).toBe(parseInt(word.match(/../g)!.reverse().join(''), 16) >>> 0);
    expect(await c.ask('c')).toBe('W00');
    expect((await done).kind).toBe('exited');
    c.close();
  });

  it('watchpoints: write (stops before the store), read and access', async () => {
    const { c, done, vm } = await session();
    const counter = elfSymbol(DEBUG_ELF, 'counter');
    const results = elfSymbol(DEBUG_ELF, 'results');
    const square = elfSymbol(DEBUG_ELF, 'square');
    // (start.S zeroes .bss with STP first: a write to counter that gdb would not report, as the
    // value does not change; get past it to main's first call of square.)
    expect(await c.ask(`Z0,${square.toString(16)},4`)).toBe('OK');
    expect(await c.ask('c')).toBe('T05thread:1;swbreak:;');
    expect(await c.ask(`z0,${square.toString(16)},4`)).toBe('OK');
    expect(await c.ask(`Z2,${counter.toString(16)},4`)).toBe('OK');
    expect(await c.ask('c')).toBe(`T05thread:1;watch:${counter.toString(16)};`);
    expect(await c.ask(`m${counter.toString(16)},4`)).toBe('00000000'); // the store has not run
    const insnAt = pcOf(await c.ask('g'));
    const storeWord = parseInt((await c.ask(`m${insnAt.toString(16)},4`)).match(/../g)!.reverse().join(''), 16);
    expect(decodeAccess(storeWord, () => counter, insnAt)?.write).toBe(true);
    expect(await c.ask(`z2,${counter.toString(16)},4`)).toBe('OK');
    expect(await c.ask('s')).toBe('T05thread:1;');
    expect(await c.ask(`m${counter.toString(16)},4`)).toBe('01000000');
    // Read watchpoint on results[2]: the first read is in the summing loop (the stores before it
    // do not count); results[0..1] are read before it, on the same page, unreported.
    const r2 = results + 16n;
    expect(await c.ask(`Z3,${r2.toString(16)},8`)).toBe('OK');
    expect(await c.ask('c')).toBe(`T05thread:1;rwatch:${r2.toString(16)};`);
    expect(await c.ask(`m${r2.toString(16)},8`)).toBe('0900000000000000'); // square(3), stored before
    expect(await c.ask(`z3,${r2.toString(16)},8`)).toBe('OK');
    // Access watchpoint on counter: the next access is the final read for printing.
    expect(await c.ask(`Z4,${counter.toString(16)},4`)).toBe('OK');
    expect(await c.ask('c')).toBe(`T05thread:1;awatch:${counter.toString(16)};`);
    expect(await c.ask(`z4,${counter.toString(16)},4`)).toBe('OK');
    let uart = '';
    vm.onOutput((b) => { uart += Buffer.from(b).toString(); });
    expect(await c.ask('c')).toBe('W00');
    await done;
    expect(uart).toContain('4, sum of squares = 30'); // ("counter = " was printed before the last stop)
    c.close();
  });

  it('Ctrl-C stops a running guest; D detaches and the guest runs on', async () => {
    const vm = await guest([B_SELF]); // b . forever
    const { c, done } = await session(vm);
    c.send('c');
    await new Promise((r) => setTimeout(r, 300));
    const before = vm.instructions;
    expect(before).toBeGreaterThan(100_000n); // it ran meanwhile
    c.interrupt();
    expect(await c.reply()).toBe('T02thread:1;');
    expect(pcOf(await c.ask('g'))).toBe(BigInt(CODE));
    expect(await c.ask('D')).toBe('OK');
    expect((await done).kind).toBe('detached');
    expect(vm.run({ budget: 1000 }).instructions).toBe(1000n);
    c.close();
  });

  it('one thread per vCPU', async () => {
    const data = new Uint8Array(readFileSync(fileURLToPath(new URL('../guest-images/irq/smp.elf', import.meta.url))));
    const vm = await VM.create({ kernel: { data, name: 'smp.elf' }, smp: 4 });
    const { c, done } = await session(vm);
    expect(await c.ask('qfThreadInfo')).toBe('m1,2,3,4');
    expect(await c.ask('qsThreadInfo')).toBe('l');
    expect(await c.ask('T3')).toBe('OK');
    expect(await c.ask('T9')).toMatch(/^E/);
    expect(Buffer.from(await c.ask('qThreadExtraInfo,2'), 'hex').toString()).toMatch(/vCPU 1 MPIDR 0x80000001 off/);
    // Run until the secondaries are up, then each thread has its own registers.
    c.send('c');
    await new Promise((r) => setTimeout(r, 1));
    c.interrupt(); // the first slice runs (a million instructions), then the stub looks
    expect(await c.reply()).toMatch(/^T02thread:[1-4];/);
    expect(Buffer.from(await c.ask('qThreadExtraInfo,4'), 'hex').toString()).toMatch(/vCPU 3 MPIDR 0x80000003 (running|waiting)/);
    expect(await c.ask('Hg4')).toBe('OK');
    const mpidrReg = REGS.findIndex((r) => r.name === 'mpidr_el1');
    expect(fromLe(await c.ask(`p${mpidrReg.toString(16)}`))).toBe(0x8000_0003n);
    expect(await c.ask('Hg1')).toBe('OK');
    expect(fromLe(await c.ask(`p${mpidrReg.toString(16)}`))).toBe(0x8000_0000n);
    c.send('k');
    await done;
    c.close();
  });
});

describe('a64vm run --gdb', () => {
  it('--wait-gdb waits for gdb, which runs the guest to the end', async () => {
    let err = '';
    let out = '';
    let port = 0;
    let connected: Promise<RspClient> | undefined;
    const status = main(['run', HELLO, '--gdb', 'tcp::0', '--wait-gdb'], {
      stdout: (b) => { out += Buffer.from(b).toString(); },
      stderr: (t) => {
        err += t;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(t);
        if (m) { port = Number(m[1]); connected = RspClient.connect(port); }
      },
    });
    while (!connected) await new Promise((r) => setTimeout(r, 10));
    const c = await connected;
    expect(out).toBe(''); // nothing ran yet
    expect(await c.ask('c')).toBe('W00');
    expect(await status).toBe(0);
    expect(out).toBe('Hello from a64vm\n');
    expect(err).toMatch(/waiting for gdb/);
    c.close();
  });

  it('without --wait-gdb the guest runs, and ends normally if no gdb comes', async () => {
    let out = '';
    const status = await main(['run', HELLO, '--gdb', 'tcp::0'], { stdout: (b) => { out += Buffer.from(b).toString(); }, stderr: () => {} });
    expect(status).toBe(0);
    expect(out).toBe('Hello from a64vm\n');
  });

  it('usage errors', async () => {
    let err = '';
    const io = { stdout: () => {}, stderr: (t: string) => { err += t; } };
    expect(await main(['run', HELLO, '--gdb', 'tcp:10.0.0.1:1234'], io)).toBe(2);
    expect(err).toMatch(/127\.0\.0\.1 only/);
    expect(await main(['run', HELLO, '--wait-gdb'], io)).toBe(2);
    expect(err).toMatch(/--wait-gdb needs --gdb/);
    expect(await main(['run', HELLO, '--gdb', 'tcp::0', '--trace', 'insn'], io)).toBe(2);
  });
});

describe('the access decoder (watchpoints on accesses without a syndrome)', () => {
  const regs = (n: number) => BigInt(0x1000 * (n + 1));
  const cases: [string, number, { va: bigint; size: number; read: boolean; write: boolean }][] = [
    ['ldp x0, x1, [x2, #16]', 0xa9410440, { va: 0x3010n, size: 16, read: true, write: false }],
    ['stp x29, x30, [sp, #-32]!', 0xa9be7bfd, { va: 0x20000n - 32n, size: 16, read: false, write: true }],
    ['stp xzr, xzr, [x1], #16', 0xa8817c3f, { va: 0x2000n, size: 16, read: false, write: true }],
    ['ldr w9, [x8, #4]', 0xb9400509, { va: 0x9004n, size: 4, read: true, write: false }],
    ['str x0, [x1, x2, lsl #3]', 0xf8227820, { va: 0x2000n + 0x3000n * 8n, size: 8, read: false, write: true }],
    ['ldrb w0, [x1], #1', 0x38401420, { va: 0x2000n, size: 1, read: true, write: false }],
    ['ldadd x0, x1, [x2]', 0xf8200041, { va: 0x3000n, size: 8, read: true, write: true }],
    ['ldxr w0, [x3]', 0x885f7c60, { va: 0x4000n, size: 4, read: true, write: false }],
    ['stxr w4, x0, [x3]', 0xc8047c60, { va: 0x4000n, size: 8, read: false, write: true }],
    ['ldr q0, [x1, #32]', 0x3dc00820, { va: 0x2020n, size: 16, read: true, write: false }],
  ];
  for (const [text, w, want] of cases) {
    it(text, () => {
      const sp = (n: number) => (n === 31 ? 0x20000n : regs(n));
      expect(decodeAccess(w, sp, 0x4008_0000n)).toEqual(want);
    });
  }
});
