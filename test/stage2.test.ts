// The stage-2 table builder (hyp/stage2.ts): the tables it writes are the ones the CPU walks.
// Needs build/cpu.wasm.
import { describe, it, expect } from 'vitest';
import { Cpu } from '../src/cpu/cpu.ts';
import { Stage2, DESC_AF, S2AP_R, S2AP_W, S2_XN, VTCR_VALUE } from '../src/hyp/stage2.ts';

const MiB = 1 << 20;

function setup() {
  const cpu = new Cpu();
  const raw = cpu.alloc(6 * MiB);
  const ram = Math.ceil(raw / (2 * MiB)) * 2 * MiB; // 4 MiB, 2 MiB aligned
  const s2 = new Stage2(cpu);
  s2.install();
  cpu.setPstateMode(1, 1);
  return { cpu, ram, s2 };
}

describe('stage-2 builder', () => {
  it('installs VTTBR_EL2 (the 8 KiB-aligned root) and VTCR_EL2 (40-bit IPA, start level 1)', () => {
    const { cpu, s2 } = setup();
    expect(cpu.sysreg('VTTBR_EL2')).toBe(BigInt(s2.root));
    expect(s2.root % 8192).toBe(0);
    expect(cpu.sysreg('VTCR_EL2')).toBe(VTCR_VALUE);
    expect(VTCR_VALUE & 0x3fn).toBe(24n);
    expect((VTCR_VALUE >> 6n) & 3n).toBe(1n);
    expect((VTCR_VALUE >> 14n) & 3n).toBe(0n); // TG0 = 4 KiB
  });

  it('maps 2 MiB blocks where aligned and pages elsewhere, with the requested permissions', () => {
    const { ram, s2 } = setup();
    s2.map(0x4000_0000, ram, 4 * MiB, { r: true, w: true, x: true });
    s2.map(0x0900_0000, ram, 4096, { r: true, w: false, x: false });
    const b = s2.walk(0x4012_3456);
    expect(b).toMatchObject({ level: 2, pa: ram + 0x12_3456, perms: { r: true, w: true, x: true } });
    expect(b.desc & 3n).toBe(1n); // block
    expect(b.desc & DESC_AF).toBe(DESC_AF);
    const p = s2.walk(0x0900_0010);
    expect(p).toMatchObject({ level: 3, pa: ram + 0x10, perms: { r: true, w: false, x: false } });
    expect(p.desc & (S2AP_R | S2AP_W | S2_XN)).toBe(S2AP_R | S2_XN);
    expect(s2.walk(0x0900_1000)).toMatchObject({ level: 3, desc: 0n });
    expect(s2.walk(0x8000_0000)).toMatchObject({ level: 1, desc: 0n });
    expect(s2.tablePages).toBe(3); // one level 2 for each GiB touched, one level 3
  });

  it('falls back to pages when the host address is not 2 MiB aligned', () => {
    const { ram, s2 } = setup();
    s2.map(0x4000_0000, ram + 4096, 2 * MiB, { r: true, w: true, x: true });
    expect(s2.walk(0x4000_0000)).toMatchObject({ level: 3, pa: ram + 4096 });
    expect(s2.walk(0x401f_f000)).toMatchObject({ level: 3, pa: ram + 2 * MiB });
  });

  it('reads and writes raw level-3 descriptors, splitting blocks and keeping their mappings', () => {
    const { ram, s2 } = setup();
    s2.map(0x4000_0000, ram, 2 * MiB, { r: true, w: true, x: true });
    // Inside a block: the page descriptor it would split into.
    const d = s2.leafDescriptor(0x4000_5000);
    expect(d & 0xffff_ffff_f000n).toBe(BigInt(ram + 0x5000));
    expect(d & 3n).toBe(3n);
    // An annotation in an invalid entry (bit 0 clear), inside the block.
    s2.setLeafDescriptor(0x4000_5000, 0xabcn << 2n);
    expect(s2.leafDescriptor(0x4000_5000)).toBe(0xabcn << 2n);
    expect(s2.walk(0x4000_5000).level).toBe(3);
    expect(s2.walk(0x4000_5000).pa).toBeUndefined();
    expect(s2.walk(0x4000_4000)).toMatchObject({ level: 3, pa: ram + 0x4000 });
    expect(s2.walk(0x4000_6000)).toMatchObject({ level: 3, pa: ram + 0x6000 });
    // Outside any mapping: 0 until annotated.
    expect(s2.leafDescriptor(0x0a00_0000)).toBe(0n);
    s2.setLeafDescriptor(0x0a00_0000, 0x1234n << 12n);
    expect(s2.leafDescriptor(0x0a00_0000)).toBe(0x1234n << 12n);
  });

  it('unmaps pages and whole blocks', () => {
    const { ram, s2 } = setup();
    s2.map(0x4000_0000, ram, 4 * MiB, { r: true, w: true, x: true });
    s2.unmap(0x4000_1000, 4096);
    expect(s2.walk(0x4000_1000).pa).toBeUndefined();
    expect(s2.walk(0x4000_2000).pa).toBe(ram + 0x2000);
    s2.unmap(0x4020_0000, 2 * MiB);
    expect(s2.walk(0x4020_0000)).toMatchObject({ level: 2, desc: 0n });
    s2.unmap(0x8000_0000, 4 * MiB); // nothing there: fine
    s2.reset();
    expect(s2.walk(0x4000_2000)).toMatchObject({ level: 1, desc: 0n });
    expect(s2.tablePages).toBe(0);
  });

  it('rejects unaligned and out-of-range requests', () => {
    const { ram, s2 } = setup();
    expect(() => s2.map(0x4000_0800, ram, 4096, { r: true, w: true, x: true })).toThrow(/not page aligned/);
    expect(() => s2.map(0x4000_0000, ram + 8, 4096, { r: true, w: true, x: true })).toThrow(/host address/);
    expect(() => s2.map(2 ** 40 - 4096, ram, 8192, { r: true, w: true, x: true })).toThrow(/40-bit IPA space/);
  });

  it('produces tables the CPU walks: code runs, loads see the mapped bytes, holes exit', () => {
    const { cpu, ram, s2 } = setup();
    s2.map(0x4000_0000, ram, 4 * MiB, { r: true, w: true, x: true });
    s2.setLeafDescriptor(0x4030_0000, 0x77n << 2n); // an annotated hole inside RAM's second block
    const code = [
      0xf9400023, // ldr x3, [x1]
      0xf9400044, // ldr x4, [x2]
    ];
    code.forEach((w, i) => cpu.setU32(ram + 0x1000 + 4 * i, w));
    cpu.setU64(ram + 0x20_0008, 0x1122_3344_5566_7788n);
    cpu.setX(1, 0x4020_0008n);
    cpu.setX(2, 0x4030_0010n);
    cpu.pc = 0x4000_1000n;
    const exit = cpu.run(10n);
    expect(cpu.x(3)).toBe(0x1122_3344_5566_7788n);
    expect(exit.reason).toBe('dabt');
    expect(exit.ipa).toBe(0x4030_0010n);
    expect(Number(exit.esr & 0x3fn)).toBe(0x07); // translation fault, level 3
    expect(cpu.pc).toBe(0x4000_1004n);
  });

  it('a read-only page faults on write with a permission fault', () => {
    const { cpu, ram, s2 } = setup();
    s2.map(0x4000_0000, ram, 2 * MiB, { r: true, w: true, x: true });
    s2.map(0x4020_0000, ram + 2 * MiB, 4096, { r: true, w: false, x: false });
    cpu.setU32(ram, 0xf9000023); // str x3, [x1]
    cpu.setX(1, 0x4020_0000n);
    cpu.pc = 0x4000_0000n;
    const exit = cpu.run(1n);
    expect(exit.reason).toBe('dabt');
    expect(Number(exit.esr & 0x3fn)).toBe(0x0f); // permission fault, level 3
    expect((exit.esr >> 6n) & 1n).toBe(1n); // WnR
  });
});
