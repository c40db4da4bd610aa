// Hand-worked cases for Advanced SIMD data processing that the QEMU-compared guest (simd.elf)
// checks only through a hash: the CPACR_EL1.FPEN trap of data-processing instructions, FPSR.QC
// (set only by lanes the arrangement has, sticky until written), narrowing into the upper half,
// and results worked out by hand from the Arm ARM pseudocode. Words assembled with llvm-mc.
import { describe, it, expect, beforeEach } from 'vitest';
import { Rig, esr, hex, expectX, expectDone, expectTaken, layout as L, type Insn } from './helpers/rig.ts';

const FP_TRAP = esr(0x07, (1 << 24) | (0xe << 20));
const QC = 1n << 27n;

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
  rig.cpu.setSysreg('CPACR_EL1', 3n << 20n);
});
function setV(n: number, lo: bigint, hi: bigint): void {
  rig.cpu.setU64(L.V0 + 16 * n, lo);
  rig.cpu.setU64(L.V0 + 16 * n + 8, hi);
}
function v(n: number): [string, string] { return [hex(rig.cpu.u64(L.V0 + 16 * n)), hex(rig.cpu.u64(L.V0 + 16 * n + 8))]; }
const fpsr = () => rig.cpu.u64(L.FPSR);

describe('CPACR_EL1.FPEN traps data-processing instructions too', () => {
  const cases: Insn[] = [[0x4ea28420, 'add v0.4s, v1.4s, v2.4s'], [0x4f00e420, 'movi v0.16b, #1'], [0x0e013c20, 'umov w0, v1.b[0]']];
  for (const insn of cases) {
    it(`${insn[1]} with FPEN = 0 at EL1: EC 0x07, nothing written`, () => {
      rig.cpu.setSysreg('CPACR_EL1', 0n);
      setV(0, 0x1111n, 0x2222n);
      expectTaken(rig.run([insn]), { vector: 0x200, esr: FP_TRAP, elr: rig.code });
      expect(v(0)).toEqual(['0x1111', '0x2222']);
      expectX(rig, { 0: 0x5a5a_0000_0000_0000n });
    });
  }
});

describe('FPSR.QC', () => {
  it('SQADD .8b: a lane of the upper half that would saturate does not count', () => {
    setV(1, 0x0101010101010101n, 0x7f7f7f7f7f7f7f7fn);
    setV(2, 0x0202020202020202n, 0x7f7f7f7f7f7f7f7fn);
    expectDone(rig.run([[0x0e220c20, 'sqadd v0.8b, v1.8b, v2.8b']]));
    expect(v(0)).toEqual(['0x303030303030303', '0x0']);
    expect(fpsr() & QC).toBe(0n);
  });
  it('SQADD .8b saturating in one lane: 0x7f + 0x01 = 0x7f, QC set', () => {
    setV(1, 0x010101010101017fn, 0n);
    setV(2, 0x0202020202020201n, 0n);
    expectDone(rig.run([[0x0e220c20, 'sqadd v0.8b, v1.8b, v2.8b']]));
    expect(v(0)).toEqual(['0x30303030303037f', '0x0']);
    expect(fpsr() & QC).toBe(QC);
  });
  it('UQSUB .2d saturates to 0 and sets QC; QC stays set after an ADD, MRS reads it', () => {
    setV(1, 5n, 10n);
    setV(2, 7n, 3n);
    expectDone(rig.run([[0x6ee22c20, 'uqsub v0.2d, v1.2d, v2.2d'], [0x4ee28420, 'add v0.2d, v1.2d, v2.2d'], [0xd53b4423, 'mrs x3, fpsr']]));
    expect(v(0)).toEqual(['0xc', '0xd']);
    expectX(rig, { 3: QC });
  });
});

describe('narrowing', () => {
  it('SQXTN writes the lower half and clears the upper; SQXTN2 keeps the lower half', () => {
    // Halfwords 0x7fff, 0x8000, 0x0042, 0xff80 | 0x0100, 0xfeff, 0x007f, 0xff7f
    setV(1, 0xff80_0042_8000_7fffn, 0xff7f_007f_feff_0100n);
    setV(0, 0xaaaaaaaaaaaaaaaan, 0xbbbbbbbbbbbbbbbbn);
    expectDone(rig.run([[0x0e214820, 'sqxtn v0.8b, v1.8h']]));
    // 0x7fff, 0x8000, 0x0100, 0xfeff, 0xff7f saturate; 0x0042, 0xff80 (-128), 0x007f do not.
    expect(v(0)).toEqual(['0x807f807f8042807f', '0x0']);
    setV(0, 0xaaaaaaaaaaaaaaaan, 0xbbbbbbbbbbbbbbbbn);
    expectDone(rig.run([[0x4e214820, 'sqxtn2 v0.16b, v1.8h']]));
    expect(v(0)).toEqual(['0xaaaaaaaaaaaaaaaa', '0x807f807f8042807f']);
    expect(fpsr() & QC).toBe(QC);
  });
});
