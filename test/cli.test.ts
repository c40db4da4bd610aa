// The a64vm command (src/cli.ts): exit statuses and one-line errors. The runs that boot a guest
// need build/cpu.wasm; usage and loader errors do not.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, parseSize } from '../src/cli.ts';
import { parseFdt, node, propCells } from './helpers/fdt-parse.ts';
import { elf, linuxImage } from './helpers/images.ts';

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
    [['run', HELLO, '--max-insns'], /--max-insns needs a value/],
    [['run', HELLO, '--max-insns', '-5'], /--max-insns: '-5' is not a number/],
    [['run', HELLO, '--max-insns', '0'], /--max-insns: the instruction budget must be at least 1/],
    [['run', HELLO, '--max-insns', '1.5'], /--max-insns: '1.5' is not a number/],
    [['run', HELLO, '--mem', 'lots'], /--mem: 'lots' is not a size \(try 128M or 1G\)/],
    [['run', HELLO, '--mem', '1M'], /--mem: '1M' is not a RAM size a64vm can give \(a multiple of 4 KiB from 2M to 3072M\)/],
    [['run', HELLO, '--mem', '4G'], /--mem: '4G' is not a RAM size/],
    [['run', HELLO, '--mem', '1000K'], /--mem: '1000K' is not a RAM size/],
    [['run', HELLO, '--memory', '0'], /--memory: '0' is not a RAM size/],
    [['run', '--bios', HELLO, '--initrd', HELLO], /--initrd needs a kernel IMAGE \(as QEMU: -initrd only with -kernel\)/],
    [['run', HELLO, '--entry', 'main'], /--entry: 'main' is not a number/],
    [['run', HELLO, '--load', 'x@0x1000000000000'], /--load: address 0x1000000000000 is too large/],
    [['run', HELLO, '--stats=yes'], /unknown option --stats=yes/],
    [['run', HELLO, '--jit', '0'], /--jit: '0' is neither a block run count from 1 to 999999999 nor 'off'/],
    [['run', HELLO, '--jit', 'fast'], /--jit: 'fast' is neither a block run count/],
    [['run', HELLO, '--jit'], /--jit needs a value/],
    [['dtb', '--initrd', 'rd', '-o', 'x'], /--initrd is a run option/],
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

  it('--version prints the version from package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ status: 0, stdout: `a64vm ${version}\n`, stderr: '' });
  });
});

describe('bad input: exit status 2, one line on stderr naming the file and the problem', () => {
  const file = (name: string, data: Uint8Array | string) => { const f = join(tmp, name); writeFileSync(f, data); return f; };
  const helloBytes = () => new Uint8Array(readFileSync(HELLO));
  const cases: [string, () => string[], string | RegExp][] = [
    ['a missing file', () => ['run', join(tmp, 'nope.elf')], /^a64vm: cannot read .*nope\.elf: no such file\n$/],
    ['a directory', () => ['run', tmp], /^a64vm: cannot read .*: is a directory\n$/],
    ['an ELF for another machine', () => {
      const b = helloBytes(); b[18] = 62; b[19] = 0;
      return ['run', file('x86.elf', b)];
    }, 'a64vm: x86.elf: ELF machine 62 (x86-64), not AArch64 (EM_AARCH64 = 183)\n'],
    ['a 32-bit ELF', () => { const b = helloBytes(); b[4] = 1; return ['run', file('arm32.elf', b)]; },
      'a64vm: arm32.elf: 32-bit ELF (ELFCLASS32); a64vm loads 64-bit AArch64 images (ELFCLASS64)\n'],
    ['a truncated ELF header', () => ['run', file('hdr.elf', readFileSync(HELLO).subarray(0, 40))],
      'a64vm: hdr.elf: truncated ELF header: the file is 40 bytes, the ELF64 header needs 64 at offset 0\n'],
    ['a truncated ELF segment', () => ['run', file('short.elf', readFileSync(HELLO).subarray(0, 300))],
      /^a64vm: short\.elf: truncated: segment 0 .* at file offset 0x1000, past the end of the file \(300 bytes\)\n$/],
    ['overlapping segments', () => ['run', file('overlap.elf', elf({ phdrs: [{ paddr: 0x4008_0000n, filesz: 4, memsz: 0x1000 }, { paddr: 0x4008_0ff0n, filesz: 4 }] }))],
      'a64vm: overlap.elf: segment 1 (PT_LOAD, vaddr 0x40080ff0) at 0x40080ff0-0x40080ff3 overlaps segment 0 (PT_LOAD, vaddr 0x40080000) at 0x40080000-0x40080fff\n'],
    ['a segment outside RAM', () => ['run', file('low.elf', elf({ entry: 0x1000_0000n, phdrs: [{ paddr: 0x1000_0000n, filesz: 4 }] }))],
      'a64vm: low.elf: segment 0 (PT_LOAD, vaddr 0x10000000) at 0x10000000-0x10000003 is not inside guest memory (RAM 0x40000000-0x47ffffff)\n'],
    ['a segment running off the end of RAM', () => ['run', file('end.elf', elf({ phdrs: [{ paddr: 0x47ff_f000n, filesz: 4, memsz: 0x2000 }], entry: 0x47ff_f000n }))],
      'a64vm: end.elf: segment 0 (PT_LOAD, vaddr 0x47fff000) at 0x47fff000-0x48000fff is not inside guest memory (RAM 0x40000000-0x47ffffff)\n'],
    ['an image bigger than RAM', () => ['run', file('huge.elf', elf({ phdrs: [{ paddr: 0x4000_0000n, filesz: 4, memsz: 0x1000_0000 }], entry: 0x4000_0000n })), '--mem', '64M'],
      'a64vm: huge.elf: segment 0 (PT_LOAD, vaddr 0x40000000) is 268435456 bytes, bigger than guest memory (RAM 0x40000000-0x43ffffff: at most 67108864 bytes)\n'],
    ['a Linux Image bigger than RAM', () => ['run', file('Image.big', linuxImage(0x80000n, 0x900_0000n))],
      'a64vm: Image.big: Linux Image (text_offset 0x80000) is 150994944 bytes, bigger than guest memory (RAM 0x40000000-0x47ffffff: at most 134217728 bytes)\n'],
    ['a truncated Linux Image', () => ['run', file('Image.short', linuxImage(0n, 0n).subarray(0, 60))],
      'a64vm: Image.short: truncated: a Linux Image header needs 64 bytes, the file has 60\n'],
    ['an unmapped entry point', () => ['run', file('entry.elf', elf({ entry: 0x800_0000n, phdrs: [{ paddr: 0x4008_0000n, filesz: 4 }] }))],
      'a64vm: entry.elf: entry point 0x8000000 is not inside a loaded segment or RAM\n'],
    ['an --entry outside guest memory', () => ['run', HELLO, '--entry', '0x1000'], 'a64vm: entry point 0x1000 is not inside guest memory (RAM)\n'],
    ['a file that is no image', () => ['run', file('data.bin', 'hello')], /^a64vm: data\.bin: neither an ELF executable nor a Linux arm64 Image/],
    ['raw data without an entry point', () => ['run', '--load', `${file('raw.bin', new Uint8Array(8))}@0x40200000`], 'a64vm: no entry point: give --entry ADDR for raw binaries\n'],
    ['--load data overlapping the kernel', () => ['run', HELLO, '--load', `${file('patch.bin', new Uint8Array(8))}@0x40080000`],
      /^a64vm: patch\.bin: --load data \(8 bytes\) at 0x40080000-0x40080007 overlaps hello\.elf's segment 0 .*\n$/],
    ['--load data outside guest memory', () => ['run', '--load', `${file('raw2.bin', new Uint8Array(8))}@0x100`, '--entry', '0x40000000'],
      'a64vm: raw2.bin: --load data (8 bytes) at 0x100-0x107 is not inside guest memory (RAM 0x40000000-0x47ffffff)\n'],
    ['an initrd too big for the RAM after the kernel', () => ['run', file('Image', linuxImage(0n, 0n)), '--initrd', file('rd.big', new Uint8Array(65 << 20))],
      'a64vm: rd.big: the initrd (68157440 bytes) does not fit in RAM after the kernel: it would go at 0x44000000-0x480fffff, RAM ends at 0x47ffffff\n'],
    ['a missing initrd', () => ['run', HELLO, '--initrd', join(tmp, 'nope.cpio')], /^a64vm: cannot read .*nope\.cpio: no such file\n$/],
  ];
  for (const [name, argv, msg] of cases) {
    it(name, async () => {
      const r = await cli(...argv());
      expect(r.status).toBe(2);
      oneLine(r.stderr);
      if (typeof msg === 'string') expect(r.stderr).toBe(msg);
      else expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe('');
    });
  }
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
    expect(r).toMatchObject({ status: 2, stderr: 'a64vm: no entry point: give --entry ADDR for raw binaries\n' });
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

describe('exit statuses of runs', () => {
  // Raw guests: little-endian words, loaded with --load at 0x40200000 and entered there.
  const raw = (name: string, ws: number[]) => {
    const f = join(tmp, name);
    writeFileSync(f, Buffer.from(new Uint32Array(ws).buffer));
    return ['run', '--load', `${f}@0x40200000`, '--entry', '0x40200000'];
  };
  const OFF = [0x52800100, 0x72b08000, 0xd4000002]; // PSCI SYSTEM_OFF over HVC

  it('0: PSCI SYSTEM_OFF', async () => {
    expect(await cli(...raw('off.bin', OFF))).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('the guest\'s status: semihosting SYS_EXIT_EXTENDED (see also below)', async () => {
    // mov w0, #0x20; adr x1, blk; hlt #0xf000; blk: {ADP_Stopped_ApplicationExit, 0x99}
    const r = await cli(...raw('exit99.bin', [0x52800400, 0x10000041, 0xd45e0000, 0x20026, 0, 0x99, 0]), '--semihosting');
    expect(r).toEqual({ status: 0x99, stdout: '', stderr: '' });
  });

  it('3: the instruction budget ran out (--max-insns and its alias --budget)', async () => {
    for (const flag of ['--max-insns', '--budget']) {
      const r = await cli(...raw('loop.bin', [0x14000000]), flag, '1000'); // b .
      expect(r.status).toBe(3);
      expect(r.stderr).toBe('a64vm: instruction budget exhausted after 1000 instructions (PC 0x40200000)\n');
    }
  });

  it('4: the guest waits for an interrupt that cannot come', async () => {
    const r = await cli(...raw('wfi.bin', [0xd503207f, 0x17ffffff])); // wfi; b .-4
    expect(r.status).toBe(4);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^a64vm: the guest waits for an interrupt that cannot come/);
  });

  it('4: every vCPU is off', async () => {
    const r = await cli(...raw('cpuoff.bin', [0x52800040, 0x72b08000, 0xd4000002])); // PSCI CPU_OFF
    expect(r).toEqual({ status: 4, stdout: '', stderr: 'a64vm: every vCPU is off (PSCI CPU_OFF); the VM cannot continue\n' });
  });

  it('4: an MMIO access without a valid syndrome, named with its PC, instruction and address', async () => {
    const r = await cli(...raw('nisv.bin', [0xd2a12008, 0x29000500])); // mov x8, #0x9000000; stp w0, w1, [x8]
    expect(r.status).toBe(4);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^a64vm: data abort without a valid syndrome \(ISV = 0\) at PC 0x40200004: `stp w0, w1, \[x8\]` accessing 0x9000000 /);
    // With --emulate-nisv the store is performed and the guest goes on to power off.
    expect((await cli(...raw('nisv-off.bin', [0xd2a12008, 0x29000500, ...OFF]), '--emulate-nisv')).status).toBe(0);
  });

  it('4: a semihosting call a64vm does not implement', async () => {
    const r = await cli(...raw('semi-op.bin', [0x52801320, 0xd45e0000]), '--semihosting'); // mov w0, #0x99; hlt #0xf000
    expect(r).toEqual({ status: 4, stdout: '', stderr: 'a64vm: unsupported semihosting operation 0x99 at PC 0x40200004\n' });
  });

  it('4: a guest that makes no progress (its vector table is outside RAM)', async () => {
    // mov x0, #0x10000000; msr vbar_el1, x0; br x0
    const r = await cli(...raw('novec.bin', [0xd2a20000, 0xd518c000, 0xd61f0000]));
    expect(r.status).toBe(4);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^a64vm: the guest makes no progress: \d+ exits in a row \(last: iabt\)/);
  });
});

describe('--stats', () => {
  it('prints instructions retired, wall time and MIPS to stderr', async () => {
    const r = await cli('run', HELLO, '--stats');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Hello from a64vm\n');
    expect(r.stderr).toMatch(/^a64vm: stats: \d+ instructions retired in \d+\.\d{3} s wall time \(\d+\.\d{2} MIPS\), \d+ soft-TLB misses \(\d+\.\d{3} per 1000 instructions, vCPU 0 in view\), JIT: \d+ blocks compiled, \d+ left to the interpreter\n$/);
    const n = Number(/(\d+) instructions/.exec(r.stderr)![1]);
    expect(n).toBeGreaterThan(100);
  });

  it('says how the JIT was set: --jit 1 compiles the hot blocks, --jit off none, same output and count', async () => {
    const on = await cli('run', HELLO, '--stats', '--jit', '1');
    const off = await cli('run', HELLO, '--stats', '--jit', 'off');
    expect(on.stdout).toBe('Hello from a64vm\n');
    expect(off.stdout).toBe(on.stdout);
    expect(Number(/JIT: (\d+) blocks compiled/.exec(on.stderr)![1])).toBeGreaterThan(0);
    expect(off.stderr).toMatch(/, JIT off\n$/);
    const count = (s: string) => /(\d+) instructions retired/.exec(s)![1];
    expect(count(on.stderr)).toBe(count(off.stderr));
  });

  it('comes after the reason a run stopped', async () => {
    const r = await cli('run', HELLO, '--stats', '--mem', '64M', '--max-insns', '10');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^a64vm: instruction budget exhausted after 10 instructions \(PC 0x[0-9a-f]+\)\na64vm: stats: 10 instructions retired in /);
  });
});

describe('--initrd', () => {
  // A Linux Image whose code powers off at once.
  const image = () => {
    const f = join(tmp, 'Image.off');
    writeFileSync(f, linuxImage(0n, 0n, 4096, [0x52800100, 0x72b08000, 0xd4000002]));
    return f;
  };

  it('loads above the kernel and is described in /chosen, as QEMU places it', async () => {
    const rd = join(tmp, 'rd.cpio');
    writeFileSync(rd, new Uint8Array(1000).fill(0x5a));
    const dtb = join(tmp, 'initrd.dtb');
    const r = await cli('run', image(), '--initrd', rd, '--dtb-out', dtb);
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
    const chosen = node(parseFdt(new Uint8Array(readFileSync(dtb))).root, 'chosen');
    // QEMU 7.2 (-M virt -m 128M -kernel Image -initrd rd.cpio, dumpdtb): 0x44000000..0x440003e8.
    expect(propCells(chosen?.props.get('linux,initrd-start')).at(-1)).toBe(0x4400_0000);
    expect(propCells(chosen?.props.get('linux,initrd-end')).at(-1)).toBe(0x4400_03e8);
  });

  it('the initrd bytes are in guest memory at linux,initrd-start', async () => {
    const { VM } = await import('../src/vm.ts');
    const vm = await VM.create({ kernel: { data: linuxImage(0n, 0n), name: 'Image' }, initrd: { data: Uint8Array.of(1, 2, 3, 4), name: 'rd' } });
    expect(vm.boot.initrd).toEqual({ addr: 0x4400_0000, size: 4 });
    expect([...vm.memslots.view(0x4400_0000, 4)]).toEqual([1, 2, 3, 4]);
  });

  it('is ignored with a warning for ELF images, as QEMU ignores it (the guest still runs)', async () => {
    const rd = join(tmp, 'rd2.cpio');
    writeFileSync(rd, 'x');
    const r = await cli('run', HELLO, '--initrd', rd);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Hello from a64vm\n');
    expect(r.stderr).toBe('a64vm: warning: --initrd rd2.cpio ignored: hello.elf is an ELF image, not a Linux Image (QEMU ignores -initrd for ELF kernels too)\n');
  });
});
