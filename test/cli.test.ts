// The a64vm command (src/cli.ts): exit statuses and one-line errors. The runs that boot a guest
// need build/cpu.wasm; usage and loader errors do not.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, parseSize } from '../src/cli.ts';
import { parseFdt, node, propCells } from './helpers/fdt-parse.ts';

const HELLO = fileURLToPath(new URL('../guest-images/hello.elf', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'a64vm-cli-'));

async function cli(...argv: string[]) {
  const out: number[] = [];
  let err = '';
  const status = await main(argv, { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
  return { status, stdout: Buffer.from(out).toString(), stderr: err };
}

const oneLine = (s: string) => expect(s).toMatch(/^a64vm: [^\n]+\n$/);

describe('usage errors: exit status 2, one line on stderr', () => {
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run', '--frob', HELLO], /unknown option --frob/],
    [['run'], /no image given/],
    [['run', 'a', 'b'], /unexpected argument 'b'/],
    [['run', HELLO, '--budget'], /--budget needs a value/],
    [['run', HELLO, '--budget', 'lots'], /--budget: 'lots' is not a number/],
    [['run', HELLO, '--memory', '12Q'], /--memory: '12Q' is not a size/],
    [['run', '--load', 'x.bin'], /--load: 'x.bin' is not FILE@ADDR/],
    [['run', '--load', 'x.bin@zz'], /--load address: 'zz' is not a number/],
    [['run', HELLO, '--psci-conduit', 'svc'], /--psci-conduit: 'svc' is not hvc or smc/],
    [['dtb'], /dtb: no output file/],
    [['dtb', '--budget', '5', '-o', 'x'], /--budget is a run option/],
  ];
  for (const [argv, msg] of cases) {
    it(argv.join(' ') || '(nothing)', async () => {
      const r = await cli(...argv);
      expect(r.status).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(msg);
    });
  }

  it('--help prints the usage and exits 0', async () => {
    const r = await cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: a64vm run/);
  });
});

describe('runtime errors: exit status 1, one line on stderr', () => {
  it('a missing file', async () => {
    const r = await cli('run', join(tmp, 'nope.elf'));
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/cannot read .*nope\.elf: no such file/);
  });

  it('an ELF for another machine', async () => {
    const f = join(tmp, 'x86.elf');
    const b = new Uint8Array(readFileSync(HELLO));
    b[18] = 62; b[19] = 0;
    writeFileSync(f, b);
    const r = await cli('run', f);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('a64vm: x86.elf: ELF machine 62 (x86-64), not AArch64 (EM_AARCH64 = 183)\n');
  });

  it('a truncated ELF', async () => {
    const f = join(tmp, 'short.elf');
    writeFileSync(f, readFileSync(HELLO).subarray(0, 300));
    const r = await cli('run', f);
    expect(r.status).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/short\.elf: truncated: segment 0 .* at file offset 0x1000, past the end of the file \(300 bytes\)/);
  });

  it('a file that is no image', async () => {
    const f = join(tmp, 'data.bin');
    writeFileSync(f, 'hello');
    const r = await cli('run', f);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/data\.bin: neither an ELF executable nor a Linux arm64 Image/);
  });
});

describe('runs', () => {
  it('hello.elf prints and exits 0', async () => {
    const r = await cli('run', HELLO);
    expect(r).toEqual({ status: 0, stdout: 'Hello from a64vm\n', stderr: '' });
  });

  it('--budget stops with status 3 and says so', async () => {
    const r = await cli('run', HELLO, '--budget', '50');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^a64vm: instruction budget exhausted after 50 instructions \(PC 0x[0-9a-f]+\)\n$/);
  });

  it('--dtb-out writes the device tree the guest got; a64vm dtb writes the same tree', async () => {
    const a = join(tmp, 'run.dtb');
    const b = join(tmp, 'dtb.dtb');
    expect((await cli('run', HELLO, '--memory', '256', '--dtb-out', a)).status).toBe(0);
    expect((await cli('dtb', '--memory', '256M', '-o', b)).status).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const { root } = parseFdt(new Uint8Array(readFileSync(b)));
    expect(propCells(node(root, 'memory@40000000')?.props.get('reg'))).toEqual([0, 0x4000_0000, 0, 0x1000_0000]);
  });

  it('--load and --entry run a raw binary', async () => {
    const f = join(tmp, 'off.bin');
    writeFileSync(f, Buffer.from(new Uint32Array([0x52800100, 0x72b08000, 0xd4000002]).buffer)); // PSCI SYSTEM_OFF
    expect((await cli('run', '--load', `${f}@0x40200000`, '--entry', '0x40200000')).status).toBe(0);
    const r = await cli('run', '--load', `${f}@0x40200000`);
    expect(r).toMatchObject({ status: 1, stderr: 'a64vm: no entry point: give --entry ADDR for raw binaries\n' });
  });
});

describe('sizes', () => {
  it('follows QEMU\'s -m syntax', () => {
    expect(parseSize('128')).toBe(128 << 20);
    expect(parseSize('128M')).toBe(128 << 20);
    expect(parseSize('1G')).toBe(1 << 30);
    expect(parseSize('512k')).toBe(512 << 10);
    expect(parseSize('2GiB')).toBe(2 * 2 ** 30);
  });
});

describe('semihosting output', () => {
  it('goes to stderr, as QEMU -semihosting writes it; the exit status is the guest\'s', async () => {
    // mov w0, #4; adr x1, msg; hlt #0xf000; mov w0, #0x18; adr x1, blk; hlt #0xf000; blk: {0x20026, 5}; msg: "semi\n"
    const code = new Uint8Array(64);
    const dv = new DataView(code.buffer);
    [0x52800080, 0x10000121, 0xd45e0000, 0x52800300, 0x10000041, 0xd45e0000].forEach((w, i) => dv.setUint32(4 * i, w, true));
    dv.setBigUint64(24, 0x20026n, true);
    dv.setBigUint64(32, 5n, true);
    code.set(new TextEncoder().encode('semi\n\0'), 40);
    const f = join(tmp, 'semi.bin');
    writeFileSync(f, code);
    const r = await cli('run', '--load', `${f}@0x40100000`, '--entry', '0x40100000', '--semihosting');
    expect(r).toEqual({ status: 5, stdout: '', stderr: 'semi\n' });
  });
});
