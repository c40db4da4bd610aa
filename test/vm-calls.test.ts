// Hypercalls, PSCI power events, the conduit choice, semihosting, WFI and the budget on a whole
// VM (hyp/vcpu.ts, smccc.ts, semihosting.ts, vm.ts). Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import { CODE, M64, guest, psci, SYSTEM_OFF, taken, words } from './helpers/guest.ts';

const HLT = 0xd45e0000; // hlt #0xf000
const mov = (d: number, n: number) => (0xaa0003e0 | (n << 16) | d) >>> 0; // mov xd, xn
const movzw0 = (imm: number) => (0x52800000 | (imm << 5)) >>> 0;

describe('PSCI and SMCCC through the conduit', () => {
  it('SYSTEM_OFF ends the run with status 0, counting the instructions retired', async () => {
    const r = (await guest(SYSTEM_OFF)).run({ budget: 100 });
    expect(r).toMatchObject({ reason: 'system-off', status: 0, instructions: 3n, output: '', resets: 0 });
  });

  it('HVC answers in x0..x3 and returns to the next instruction', async () => {
    const vm = await guest([...psci(0).slice(0, 2), 0xd4000002, mov(20, 0), ...SYSTEM_OFF]); // PSCI_VERSION
    vm.cpu.setX(1, 0x1111n);
    vm.run({ budget: 100 });
    expect(vm.cpu.x(20)).toBe(0x10001n);
  });

  it('SYSTEM_RESET restarts the VM from its boot state', async () => {
    const vm = await guest(psci(9));
    vm.cpu.setX(20, 0x1234n); // lost at the first reset
    const r = vm.run({ budget: 60 });
    expect(r.reason).toBe('budget');
    expect(r.resets).toBe(20);
    expect(r.instructions).toBe(60n);
    expect(vm.cpu.x(20)).toBe(0n);
    expect(vm.cpu.pc).toBe(BigInt(CODE));
    expect(vm.cpu.x(0)).toBe(0x4000_0000n); // the DTB address again
    expect(vm.cpu.sysreg('VBAR_EL1')).toBe(0n);
  });

  it('SYSTEM_RESET2 (warm) resets too; CPU_OFF on the only vCPU ends the run', async () => {
    const vm = await guest(psci(0x12));
    expect(vm.run({ budget: 30 }).resets).toBe(10);
    const r = (await guest(psci(2))).run({ budget: 100 });
    expect(r).toMatchObject({ reason: 'cpu-off', status: 4 });
    expect(r.message).toMatch(/CPU_OFF/);
  });

  it('with the SMC conduit: SMC #0 is answered (PC past it), SMC #1 returns -1, HVC is UNDEFINED', async () => {
    const vm = await guest([...psci(0, 'smc'), mov(20, 0), 0xd4000023, mov(21, 0), ...psci(8, 'smc')], { psciConduit: 'smc' });
    const r = vm.run({ budget: 100 });
    expect(r.reason).toBe('system-off');
    expect(vm.cpu.x(20)).toBe(0x10001n);
    expect(vm.cpu.x(21)).toBe(M64);
    const h = await guest([0xd4000002], { psciConduit: 'smc' }); // hvc #0
    h.run({ budget: 10 });
    expect(taken(h)).toMatchObject({ vector: 0x200, esr: 0x0200_0000n, elr: BigInt(CODE) });
  });

  it('with the HVC conduit, SMC is UNDEFINED (as on QEMU\'s virt without EL3)', async () => {
    const vm = await guest([0xd4000003]); // smc #0
    vm.run({ budget: 10 });
    expect(taken(vm)).toMatchObject({ vector: 0x200, esr: 0x0200_0000n, elr: BigInt(CODE) });
  });
});

describe('WFI and the budget', () => {
  it('WFI with no interrupt source ends the run', async () => {
    const r = (await guest([0xd503201f, 0xd503207f])).run({ budget: 100 }); // nop; wfi
    expect(r).toMatchObject({ reason: 'halted', status: 4 });
    expect(r.message).toBe('the guest waits for an interrupt that cannot come (WFI at PC 0x40100004, no interrupt source)');
  });

  it('the budget stops the run with status 3', async () => {
    const vm = await guest([0x14000000]); // b .
    const r = vm.run({ budget: 1000 });
    expect(r).toMatchObject({ reason: 'budget', status: 3, instructions: 1000n });
    expect(r.message).toBe('instruction budget exhausted after 1000 instructions (PC 0x40100000)');
    expect(vm.run({ budget: 5 }).instructions).toBe(5n); // and the next run goes on
  });
});

describe('semihosting', () => {
  const STR = 0x4011_0000;
  const CH = 0x4011_0100;
  const OPEN = 0x4011_0200;
  const WRITE = 0x4011_0300;
  const EXIT = 0x4011_0400;
  const TT = 0x4011_0500;
  const OK = 0x4011_0600;
  const u64s = (...v: bigint[]) => {
    const b = new Uint8Array(8 * v.length);
    v.forEach((x, i) => new DataView(b.buffer).setBigUint64(8 * i, x, true));
    return b;
  };
  const data = (status = 7n, reason = 0x20026n) => [
    { data: new TextEncoder().encode('semi\n\0'), name: 'str', addr: STR },
    { data: new TextEncoder().encode('!'), name: 'ch', addr: CH },
    { data: u64s(BigInt(TT), 4n, 3n), name: 'open', addr: OPEN },
    { data: u64s(0n, BigInt(OK), 3n), name: 'write', addr: WRITE },
    { data: u64s(reason, status), name: 'exit', addr: EXIT },
    { data: new TextEncoder().encode(':tt\0'), name: 'tt', addr: TT },
    { data: new TextEncoder().encode('ok\n'), name: 'ok', addr: OK },
  ];
  const regs = { 10: BigInt(STR), 11: BigInt(CH), 12: BigInt(OPEN), 13: BigInt(WRITE), 14: BigInt(EXIT) };
  const program = [
    movzw0(4), mov(1, 10), HLT, // SYS_WRITE0
    movzw0(3), mov(1, 11), HLT, // SYS_WRITEC
    movzw0(1), mov(1, 12), HLT, mov(20, 0), // SYS_OPEN ":tt", "w"
    0xf90001a0, // str x0, [x13]: the handle into the SYS_WRITE block
    movzw0(5), mov(1, 13), HLT, mov(21, 0), // SYS_WRITE
    movzw0(0x10), HLT, mov(22, 0), // SYS_CLOCK
    movzw0(0x11), HLT, mov(23, 0), // SYS_TIME
    movzw0(0x18), mov(1, 14), HLT, // SYS_EXIT
  ];

  it('console output, :tt handles, clock, time and the exit status', async () => {
    const vm = await guest(program, { semihosting: true, loads: data(), x: regs });
    const r = vm.run({ budget: 1000 });
    expect(r).toMatchObject({ reason: 'semihost-exit', status: 7, output: 'semi\n!ok\n' });
    expect(vm.cpu.x(20)).toBe(1n); // handles start at 1, as in QEMU
    expect(vm.cpu.x(21)).toBe(0n); // no bytes left unwritten
    expect(vm.cpu.x(22)).toBe(0n); // centiseconds of virtual time
    expect(vm.cpu.x(23)).toBe(1000n); // the epoch
    expect(vm.cpu.pc).toBe(BigInt(CODE + 4 * program.length));
  });

  it('SYS_WRITEC/WRITE0 go to the semihosting console, SYS_WRITE to ":tt" "w" to stdout and "a" to stderr (as QEMU 7.2)', async () => {
    const seen: string[] = [];
    const record = (vm: Awaited<ReturnType<typeof guest>>) => vm.onOutput((b, source) => seen.push(`${source}:${new TextDecoder().decode(b)}`));
    const w = await guest(program, { semihosting: true, loads: data(), x: regs });
    record(w);
    w.run({ budget: 1000 });
    expect(seen.join('')).toBe('semihosting:ssemihosting:esemihosting:msemihosting:isemihosting:\n' + 'semihosting:!' +
      'semihosting-stdout:osemihosting-stdout:ksemihosting-stdout:\n');
    seen.length = 0;
    const loads = data();
    loads[2] = { data: u64s(BigInt(TT), 8n, 3n), name: 'open', addr: OPEN }; // mode 8: "a"
    const a = await guest(program, { semihosting: true, loads, x: regs });
    record(a);
    a.run({ budget: 1000 });
    expect(seen.slice(-3)).toEqual(['semihosting:o', 'semihosting:k', 'semihosting:\n']);
  });

  it('an exit reason other than ApplicationExit is status 1', async () => {
    const r = (await guest(program, { semihosting: true, loads: data(0n, 0x20023n), x: regs })).run({ budget: 1000 });
    expect(r).toMatchObject({ reason: 'semihost-exit', status: 1 });
  });

  it('without --semihosting, HLT #0xF000 is UNDEFINED', async () => {
    const vm = await guest([HLT], { loads: data(), x: regs });
    vm.run({ budget: 10 });
    expect(taken(vm)).toMatchObject({ vector: 0x200, esr: 0x0200_0000n, elr: BigInt(CODE) });
  });

  it('SYS_OPEN of anything but :tt fails with ENOENT; SYS_ERRNO reports it', async () => {
    const vm = await guest([movzw0(1), mov(1, 12), HLT, mov(20, 0), movzw0(0x13), HLT, mov(21, 0), ...SYSTEM_OFF], {
      semihosting: true,
      loads: [{ data: u64s(BigInt(TT + 1), 0n, 2n), name: 'open', addr: OPEN }, { data: new TextEncoder().encode(':tt'), name: 'tt', addr: TT }],
      x: regs,
    });
    expect(vm.run({ budget: 100 }).reason).toBe('system-off');
    expect(vm.cpu.x(20)).toBe(M64);
    expect(vm.cpu.x(21)).toBe(2n);
  });

  it('unsupported operations and bad pointers stop the run with an error', async () => {
    const a = (await guest([movzw0(0x30), HLT], { semihosting: true })).run({ budget: 10 });
    expect(a).toMatchObject({ reason: 'error', message: 'unsupported semihosting operation 0x30 at PC 0x40100004' });
    const b = (await guest([movzw0(4), HLT], { semihosting: true, x: { 1: 0x1000n } })).run({ budget: 10 });
    expect(b.reason).toBe('error');
    expect(b.message).toBe('semihosting operation 0x4 at PC 0x40100004: guest address 0x1000 (+1) is not in RAM or flash');
  });
});

describe('the VM API', () => {
  it('reports output to listeners as it happens, and per run', async () => {
    const vm = await guest([0x39000107, 0x39000107, ...SYSTEM_OFF], { x: { 7: 0x61n, 8: 0x0900_0000n } }); // strb w7, [x8] twice
    const seen: number[] = [];
    const off = vm.onOutput((b) => seen.push(...b));
    const r = vm.run({ budget: 100 });
    off();
    expect(seen).toEqual([0x61, 0x61]);
    expect(r.output).toBe('aa');
    expect(words([1]).length).toBe(4);
  });

  it('rejects bad memory sizes', async () => {
    await expect(guest([], { memory: 1000 })).rejects.toThrow(/memory size 1000 must be a multiple of 4 KiB/);
  });
});
