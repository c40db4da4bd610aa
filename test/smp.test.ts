// vCPUs, time and interrupt lines on a whole VM (src/hyp/smp.ts, psci.ts, devices/arch-timer.ts):
// PSCI CPU_ON/CPU_OFF/AFFINITY_INFO with real vCPU states, the per-vCPU state blocks, the timers'
// deadlines, and the devices' SPIs. Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { layout as L } from '../src/cpu/cpu.ts';
import { nextTimerDeadline, timerOutputs } from '../src/devices/arch-timer.ts';
import { psciCall, PSCI_RET_ALREADY_ON, PSCI_RET_INVALID_PARAMS, PSCI_RET_SUCCESS } from '../src/hyp/psci.ts';
import { VM } from '../src/vm.ts';
import { CODE, guest, UART } from './helpers/guest.ts';

const CODE2 = CODE + 0x1000;
const HVC = 0xd4000002;
const B_SELF = 0x14000000;
const mov = (d: number, n: number) => (0xaa0003e0 | (n << 16) | d) >>> 0;

describe('PSCI with several vCPUs', () => {
  const vcpus = [{ mpidr: 0x8000_0000n, on: true }, { mpidr: 0x8000_0001n, on: false }];
  it('CPU_ON of an off vCPU succeeds and names the entry point and context', () => {
    expect(psciCall(0xc4000003, [1n, 0x4008_0000n, 0x55n], vcpus)).toEqual({
      x0: PSCI_RET_SUCCESS, event: { kind: 'cpu-on', mpidr: 0x8000_0001n, entry: 0x4008_0000n, context: 0x55n },
    });
    expect(psciCall(0xc4000003, [0n, 0x4008_0000n, 0n], vcpus).x0).toBe(PSCI_RET_ALREADY_ON);
    expect(psciCall(0xc4000003, [2n, 0x4008_0000n, 0n], vcpus).x0).toBe(PSCI_RET_INVALID_PARAMS);
  });
  it('AFFINITY_INFO reports each vCPU, and a level-1 query any', () => {
    expect(psciCall(0xc4000004, [1n, 0n, 0n], vcpus).x0).toBe(1n); // OFF
    expect(psciCall(0xc4000004, [0n, 0n, 0n], vcpus).x0).toBe(0n); // ON
    expect(psciCall(0xc4000004, [0n, 1n, 0n], vcpus).x0).toBe(0n);
  });
});

describe('vCPUs on a VM', () => {
  it('CPU_ON starts a vCPU at its entry with x0 = context, EL1h, DAIF masked, its own MPIDR', async () => {
    const code = [HVC, mov(20, 0), B_SELF];
    const second = [0xd53800a1 /* mrs x1, mpidr_el1 */, mov(2, 0), 0xd5384243 /* mrs x3, currentel */, B_SELF];
    const vm = await guest(code, {
      smp: 2,
      x: { 0: 0xc4000003n, 1: 1n, 2: BigInt(CODE2), 3: 0x55n },
      loads: [{ data: new Uint8Array(new Uint32Array(second).buffer), name: 'second', addr: CODE2 }],
    });
    expect(vm.scheduler.vcpus.map((v) => v.on)).toEqual([true, false]);
    const r = vm.run({ budget: 100_000 });
    expect(r.reason).toBe('budget');
    expect(vm.cpu.x(20)).toBe(0n); // SUCCESS, in vCPU 0
    const s = vm.scheduler;
    const v1 = s.vcpus[1];
    expect(v1.on).toBe(true);
    expect(s.reg64(v1, L.X0 + 8)).toBe(0x8000_0001n);
    expect(s.reg64(v1, L.X0 + 16)).toBe(0x55n);
    expect(s.reg64(v1, L.X0 + 24)).toBe(4n); // EL1
    expect(s.reg64(v1, L.DAIF) & 0xffffffffn).toBe(0x3c0n);
    expect(s.reg64(v1, L.SPSEL) & 0xffffffffn).toBe(1n);
    expect(s.reg64(v1, L.SCTLR_EL1) & 1n).toBe(0n); // MMU off
    // The two vCPUs shared the budget: the clock is the sum of their instructions.
    expect(r.instructions).toBe(100_000n);
    expect(vm.clock).toBe(100_000n);
  });

  it('CPU_OFF stops one vCPU; the run ends when all are off', async () => {
    const second = [0x52800040 /* movz w0, #2 */, 0x72b08000 /* movk w0, #0x8400, lsl #16 */, HVC, B_SELF];
    const code = [HVC, ...second];
    const vm = await guest(code, {
      smp: 2,
      x: { 0: 0xc4000003n, 1: 1n, 2: BigInt(CODE + 4), 3: 0n },
    });
    const r = vm.run({ budget: 100_000 });
    expect(r.reason, r.message).toBe('cpu-off');
    expect(vm.scheduler.vcpus.map((v) => v.on)).toEqual([false, false]);
  });

  it('WFE: a vCPU waiting for an event runs again once another vCPU has run (SEV, a store)', async () => {
    const FLAG = CODE + 0x2000;
    const code = [HVC, 0xb90000a6 /* str w6, [x5] */, 0xd503209f /* sev */, B_SELF];
    const second = [
      mov(5, 0), 0xb94000a1 /* 1: ldr w1, [x5] */, 0x35000061 /* cbnz w1, 2f */, 0xd503205f /* wfe */,
      0x17fffffd /* b 1b */, 0xd2800034 /* 2: mov x20, #1 */, B_SELF,
    ];
    const vm = await guest(code, {
      smp: 2,
      x: { 0: 0xc4000003n, 1: 1n, 2: BigInt(CODE2), 3: BigInt(FLAG), 5: BigInt(FLAG), 6: 1n },
      loads: [{ data: new Uint8Array(new Uint32Array(second).buffer), name: 'second', addr: CODE2 }],
    });
    vm.run({ budget: 50_000 });
    expect(vm.scheduler.reg64(vm.scheduler.vcpus[1], L.X0 + 8 * 20)).toBe(1n);
    // Alone, a WFE with nothing to wake it ends the run as WFI does.
    const lone = await guest([0xd503205f, B_SELF]);
    expect(lone.run({ budget: 100 }).reason).toBe('halted');
  });

  it('switching vCPUs clears the incoming local exclusive monitor', async () => {
    const vm = await guest([B_SELF], { smp: 2 });
    const s = vm.scheduler;
    s.vcpus[1].on = true;
    s.vcpus[1].view.setUint32(L.EXCL_VALID - L.STATE, 1, true);
    s.load(1);
    expect(vm.cpu.u32(L.EXCL_VALID)).toBe(0);
    s.load(0);
  });
});

describe('the generic timers seen from the host', () => {
  const regs = { cntpCtl: 0n, cntpCval: 0n, cntvCtl: 0n, cntvCval: 0n, cntvoff: 0n };
  it('outputs: ENABLE, not IMASK, condition met (virtual count = physical - CNTVOFF)', () => {
    expect(timerOutputs({ ...regs, cntpCtl: 1n, cntpCval: 10n }, 160n, 4)).toEqual({ phys: true, virt: false });
    expect(timerOutputs({ ...regs, cntpCtl: 1n, cntpCval: 10n }, 159n, 4).phys).toBe(false);
    expect(timerOutputs({ ...regs, cntpCtl: 3n, cntpCval: 10n }, 160n, 4).phys).toBe(false); // IMASK
    expect(timerOutputs({ ...regs, cntvCtl: 1n, cntvCval: 10n, cntvoff: 5n }, 15n << 4n, 4).virt).toBe(true);
    expect(timerOutputs({ ...regs, cntvCtl: 1n, cntvCval: 10n, cntvoff: 5n }, (15n << 4n) - 1n, 4).virt).toBe(false);
  });
  it('deadlines: the first clock value whose count reaches CVAL (+ CNTVOFF); none if masked or past', () => {
    expect(nextTimerDeadline({ ...regs, cntpCtl: 1n, cntpCval: 10n }, 0n, 4)).toBe(160n);
    expect(nextTimerDeadline({ ...regs, cntpCtl: 1n, cntpCval: 10n, cntvCtl: 1n, cntvCval: 3n, cntvoff: 4n }, 0n, 4)).toBe(112n);
    expect(nextTimerDeadline({ ...regs, cntpCtl: 3n, cntpCval: 10n }, 0n, 4)).toBeUndefined();
    expect(nextTimerDeadline({ ...regs, cntpCtl: 1n, cntpCval: 10n }, 160n, 4)).toBeUndefined();
    expect(nextTimerDeadline({ ...regs, cntpCtl: 1n, cntpCval: (1n << 64n) - 1n }, 0n, 4)).toBe(((1n << 64n) - 1n) << 4n);
  });
});

describe('device interrupts and time', () => {
  it('the PL011 drives SPI 1 (INTID 33) with its masked interrupt status', async () => {
    const vm = await guest([B_SELF], { input: 'x' });
    const slot = vm.gic.slot(0, 33);
    expect(vm.gic.level[slot]).toBe(0);
    vm.bus.write(UART + 0x38, 4, 0x10n); // UARTIMSC: RX
    expect(vm.gic.level[slot]).toBe(1);
    vm.bus.read(UART + 0x00, 4); // the byte is read: RX clears
    expect(vm.gic.level[slot]).toBe(0);
  });

  it('the RTC counts the VM clock, idle time included; the timer guest wakes it', async () => {
    const data = new Uint8Array(readFileSync(new URL('../guest-images/irq/idle.elf', import.meta.url)));
    const vm = await VM.create({ kernel: { data, name: 'idle.elf' }, epoch: 1000 });
    expect(vm.rtc.count()).toBe(1000);
    vm.run({ budget: 5_000_000 });
    expect(vm.rtc.count()).toBe(1010); // 10 s of guest time, almost all of it skipped
  });

  it('an RTC alarm wakes a vCPU waiting in WFI (PL031 SPI 2 = INTID 34)', async () => {
    // Enable INTID 34 in a GICv2, unmask the RTC match interrupt, set MR = count + 3, WFI.
    const vm = await guest([0xd503207f /* wfi */, B_SELF], { gic: 2, epoch: 1000 });
    vm.bus.write(0x0800_0000, 4, 1n); // GICD_CTLR
    vm.bus.write(0x0800_0104, 4, 1n << 2n); // GICD_ISENABLER1: INTID 34
    vm.bus.write(0x0801_0000, 4, 1n); // GICC_CTLR
    vm.bus.write(0x0801_0004, 4, 0xf0n); // GICC_PMR
    vm.bus.write(0x0901_0010, 4, 1n); // RTCIMSC
    vm.bus.write(0x0901_0004, 4, 1003n); // RTCMR
    const r = vm.run({ budget: 1000 });
    expect(r.reason).toBe('budget'); // woken: the vCPU went on to `b .`
    expect(vm.cpu.pc).toBe(BigInt(CODE + 4));
    expect(vm.clock).toBeGreaterThanOrEqual(3_000_000_000n);
    expect(vm.clock).toBeLessThan(3_100_000_000n);
  });
});

describe('the command line: --smp, --gic, --clock', () => {
  async function cli(...argv: string[]) {
    const { main } = await import('../src/cli.ts');
    const out: number[] = [];
    let err = '';
    const status = await main(argv, { stdout: (b) => out.push(...b), stderr: (t) => { err += t; } });
    return { status, stdout: Buffer.from(out).toString(), stderr: err };
  }
  const irq = (f: string) => new URL(`../guest-images/irq/${f}`, import.meta.url).pathname;
  const golden = (f: string) => readFileSync(new URL(`./fixtures/irq/${f}`, import.meta.url), 'utf8');

  it('runs the IPI guest on 4 vCPUs with either GIC', async () => {
    expect(await cli('run', irq('ipi-gicv3.elf'), '--smp', '4')).toMatchObject({ status: 0, stdout: golden('ipi-gicv3.txt'), stderr: '' });
    expect(await cli('run', irq('ipi-gicv2.elf'), '--smp', '4', '--gic', '2')).toMatchObject({ status: 0, stdout: golden('ipi-gicv2.txt') });
  });

  it('rejects bad values with status 2', async () => {
    for (const [args, msg] of [[['--smp', '9'], /--smp: '9' is not a vCPU count from 1 to 8/], [['--smp', '0'], /--smp/],
      [['--gic', '4'], /--gic: '4' is not 2 or 3/], [['--clock', 'wall'], /--clock: 'wall' is not virtual or host/]] as const) {
      const r = await cli('run', irq('idle.elf'), ...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
