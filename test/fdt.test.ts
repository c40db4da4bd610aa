// The device tree writer and the virt board's tree (machine/fdt.ts, virt.ts).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdtNode, cells, cells64, empty, str, strs, writeFdt } from '../src/machine/fdt.ts';
import { virtDeviceTree } from '../src/machine/virt.ts';
import { node, parseFdt, propCells, propStrings } from './helpers/fdt-parse.ts';

const hasDtc = spawnSync('dtc', ['--version']).status === 0;
const cfg = { ramSize: 128 << 20, flash: false, conduit: 'hvc' as const };

describe('FDT writer', () => {
  it('writes a v17 blob: header, empty reservation map, aligned blocks', () => {
    const root = new FdtNode('');
    root.prop('a', cells(1, 2)).prop('s', str('xyz')).child('c@1').prop('flag', empty);
    const b = writeFdt(root);
    const { header, root: r } = parseFdt(b);
    expect(header).toMatchObject({ magic: 0xd00dfeed, totalsize: b.length, version: 17, lastCompVersion: 16, offMemRsvmap: 40 });
    expect(header.offDtStruct % 4).toBe(0);
    expect(b.length % 8).toBe(0);
    expect(new DataView(b.buffer).getBigUint64(40)).toBe(0n); // the terminating reservation entry
    expect(propCells(r.props.get('a'))).toEqual([1, 2]);
    expect(propStrings(r.props.get('s'))).toEqual(['xyz']);
    expect(node(r, 'c@1')?.props.get('flag')?.length).toBe(0);
  });

  it('encodes string lists and 64-bit cells', () => {
    expect([...strs('a', 'bc')]).toEqual([0x61, 0, 0x62, 0x63, 0]);
    expect(propCells(cells64(0x1_4000_0000n, 5))).toEqual([1, 0x4000_0000, 0, 5]);
  });

  it('shares property names in the strings block', () => {
    const root = new FdtNode('');
    root.child('x').prop('reg', cells(1));
    root.child('y').prop('reg', cells(2));
    const { header } = parseFdt(writeFdt(root));
    expect(header.sizeDtStrings).toBe(4);
  });
});

describe('virt device tree', () => {
  const tree = (c = {}) => parseFdt(virtDeviceTree({ ...cfg, ...c })).root;

  it('describes memory, the CPU, PSCI, the timer, the UART, the RTC and /chosen', () => {
    const r = tree();
    expect(propCells(r.props.get('#address-cells'))).toEqual([2]);
    expect(propCells(node(r, 'memory@40000000')?.props.get('reg'))).toEqual([0, 0x4000_0000, 0, 0x800_0000]);
    const cpu = node(r, 'cpus/cpu@0')!;
    expect(propStrings(cpu.props.get('compatible'))).toEqual(['arm,cortex-a57']);
    expect(propStrings(cpu.props.get('enable-method'))).toEqual(['psci']);
    expect(propCells(cpu.props.get('reg'))).toEqual([0]);
    const psci = node(r, 'psci')!;
    expect(propStrings(psci.props.get('compatible'))).toEqual(['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
    expect(propStrings(psci.props.get('method'))).toEqual(['hvc']);
    const timer = node(r, 'timer')!;
    expect(propStrings(timer.props.get('compatible'))[0]).toBe('arm,armv8-timer');
    // GICv3 (the default): level-high, no CPU mask (QEMU's virt with gic-version=3).
    expect(propCells(timer.props.get('interrupts'))).toEqual([1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]);
    expect(propCells(r.props.get('interrupt-parent'))).toEqual(propCells(node(r, 'intc@8000000')?.props.get('phandle')));
    const uart = node(r, 'pl011@9000000')!;
    expect(propStrings(uart.props.get('compatible'))).toEqual(['arm,pl011', 'arm,primecell']);
    expect(propCells(uart.props.get('reg'))).toEqual([0, 0x0900_0000, 0, 0x1000]);
    expect(propCells(uart.props.get('interrupts'))).toEqual([0, 1, 4]);
    const clk = node(r, 'apb-pclk')!;
    expect(propCells(uart.props.get('clocks'))).toEqual([...propCells(clk.props.get('phandle')), ...propCells(clk.props.get('phandle'))]);
    expect(propStrings(uart.props.get('clock-names'))).toEqual(['uartclk', 'apb_pclk']);
    expect(propStrings(clk.props.get('compatible'))).toEqual(['fixed-clock']);
    expect(propCells(node(r, 'pl031@9010000')?.props.get('reg'))).toEqual([0, 0x0901_0000, 0, 0x1000]);
    expect(propStrings(node(r, 'chosen')?.props.get('stdout-path'))).toEqual(['/pl011@9000000']);
    expect(node(r, 'chosen')?.props.has('bootargs')).toBe(false);
  });

  it('follows the configuration: RAM size, conduit, bootargs, initrd', () => {
    const r = tree({ ramSize: 1 << 30, conduit: 'smc', bootargs: 'console=ttyAMA0', initrd: { start: 0x4800_0000, end: 0x4810_0000 } });
    expect(propCells(node(r, 'memory@40000000')?.props.get('reg'))).toEqual([0, 0x4000_0000, 0, 0x4000_0000]);
    expect(propStrings(node(r, 'psci')?.props.get('method'))).toEqual(['smc']);
    expect(propStrings(node(r, 'chosen')?.props.get('bootargs'))).toEqual(['console=ttyAMA0']);
    expect(propCells(node(r, 'chosen')?.props.get('linux,initrd-start'))).toEqual([0, 0x4800_0000]);
  });

  it('describes the GIC (v3 by default, v2 on request) and every vCPU', () => {
    const v3 = node(tree({ cpus: 4 }), 'intc@8000000')!;
    expect(propStrings(v3.props.get('compatible'))).toEqual(['arm,gic-v3']);
    expect(propCells(v3.props.get('reg'))).toEqual([0, 0x0800_0000, 0, 0x1_0000, 0, 0x080a_0000, 0, 0xf6_0000]);
    expect(propCells(v3.props.get('#interrupt-cells'))).toEqual([3]);
    expect(propCells(v3.props.get('#redistributor-regions'))).toEqual([1]);
    expect(v3.props.has('interrupt-controller')).toBe(true);
    const r2 = tree({ gic: 2, cpus: 2 });
    const v2 = node(r2, 'intc@8000000')!;
    expect(propStrings(v2.props.get('compatible'))).toEqual(['arm,cortex-a15-gic']);
    expect(propCells(v2.props.get('reg'))).toEqual([0, 0x0800_0000, 0, 0x1_0000, 0, 0x0801_0000, 0, 0x1_0000]);
    // GICv2 PPI specifiers carry the CPU mask (bits [15:8]): two CPUs.
    expect(propCells(node(r2, 'timer')?.props.get('interrupts'))).toEqual([1, 13, 0x304, 1, 14, 0x304, 1, 11, 0x304, 1, 10, 0x304]);
    for (const n of [0, 1]) expect(propCells(node(r2, `cpus/cpu@${n}`)?.props.get('reg'))).toEqual([n]);
    expect(node(r2, 'cpus/cpu@2')).toBeUndefined();
  });

  for (const gic of [2, 3] as const) {
    it.skipIf(!hasDtc)(`is accepted by dtc without warnings (GICv${gic}, 4 vCPUs)`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'a64vm-fdt-'));
      const f = join(dir, 'virt.dtb');
      writeFileSync(f, virtDeviceTree({ ...cfg, bootargs: 'x', gic, cpus: 4 }));
      const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', f], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/method = "hvc";/);
      expect(r.stdout).toMatch(/pl011@9000000 \{/);
    });
  }
});
