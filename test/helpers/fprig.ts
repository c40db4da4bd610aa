// A rig for running single SIMD&FP instructions: one vCPU at EL1h with the MMU off, CPACR_EL1.FPEN
// = 0b11 (no FP traps) and one stage-2 page holding the code. step() loads V0..V3 (low 64 bits,
// and high halves as given), X0..X3, FPCR, FPSR = 0 and NZCV, runs one instruction and reads
// back what it may have changed.
import { Cpu, layout as L } from '../../src/cpu/cpu.ts';

const PC0 = 0x1100n;

export interface FpState {
  /** V0..V3: [lo, hi] 64-bit halves. */
  v: [bigint, bigint][];
  x: bigint[];
  fpsr: number;
  nzcv: number;
  esr: bigint;
  pc: bigint;
}

export class FpRig {
  readonly cpu = new Cpu();
  private readonly code: number;
  private word = -1;
  constructor() {
    const c = this.cpu;
    const base = c.alloc(0x10000);
    const l2 = base;
    const l3 = base + 0x1000;
    this.code = base + 0x2000;
    c.setU64(l2, BigInt(l3) | 3n);
    c.setU64(l3 + 8, BigInt(this.code) | 3n | (1n << 10n) | (3n << 6n));
    c.setSysreg('VTCR_EL2', 39n);
    c.setSysreg('VTTBR_EL2', BigInt(l2));
    c.setSysreg('VBAR_EL1', 0x10000n);
    c.setSysreg('CPACR_EL1', 3n << 20n);
    c.setPstateMode(1, 1);
  }

  private mem: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private m32(): Uint32Array {
    const b = this.cpu.bytes(0, 0).buffer;
    if (this.mem.buffer !== b) this.mem = new Uint32Array(b);
    return this.mem;
  }

  /**
   * step() for bulk replays, on 32-bit words: regs = V0..V3 (4 words each, least significant
   * first) then X0..X3 (2 words each); out = V3 (4 words), X3 (2), FPSR, NZCV; FPSR starts as
   * fpsr (default 0). Returns false
   * when the instruction did not retire (an exception), after restoring EL1h.
   */
  stepFast(word: number, regs: Uint32Array, fpcr: number, nzcv: number, out: Uint32Array, fpsr = 0): boolean {
    const m = this.m32();
    if (word !== this.word) { m[(this.code + 0x100) >> 2] = word >>> 0; this.word = word; }
    m.set(regs.subarray(0, 16), L.V0 >> 2);
    m.set(regs.subarray(16, 24), L.X0 >> 2);
    m[L.FPCR >> 2] = fpcr;
    m[L.FPSR >> 2] = fpsr;
    m[L.NZCV >> 2] = nzcv;
    m[L.PC >> 2] = Number(PC0); m[(L.PC >> 2) + 1] = 0;
    this.cpu.run(1n);
    const v3 = (L.V0 + 48) >> 2, x3 = (L.X0 + 24) >> 2;
    out[0] = m[v3]; out[1] = m[v3 + 1]; out[2] = m[v3 + 2]; out[3] = m[v3 + 3];
    out[4] = m[x3]; out[5] = m[x3 + 1]; out[6] = m[L.FPSR >> 2]; out[7] = m[L.NZCV >> 2];
    if (m[L.PC >> 2] !== Number(PC0) + 4) { this.cpu.setPstateMode(1, 1); return false; }
    return true;
  }

  setV(n: number, lo: bigint, hi = 0n): void {
    this.cpu.setU64(L.V0 + 16 * n, lo);
    this.cpu.setU64(L.V0 + 16 * n + 8, hi);
  }
  v(n: number): [bigint, bigint] {
    return [this.cpu.u64(L.V0 + 16 * n), this.cpu.u64(L.V0 + 16 * n + 8)];
  }

  /** Runs `word` once with V<i> = vhi[i]:v[i], X<i> = x[i] (missing ones 0), FPCR and NZCV. */
  step(word: number, v: bigint[], x: bigint[], fpcr: number, nzcv = 0, vhi: bigint[] = []): FpState {
    const c = this.cpu;
    if (word !== this.word) { c.setU32(this.code + 0x100, word >>> 0); this.word = word; }
    for (let i = 0; i < 4; i++) this.setV(i, v[i] ?? 0n, vhi[i] ?? 0n);
    for (let i = 0; i < 4; i++) c.setX(i, x[i] ?? 0n);
    c.setU32(L.FPCR, fpcr >>> 0);
    c.setU32(L.FPSR, 0);
    c.nzcv = nzcv >>> 0;
    c.pc = PC0;
    c.setPstateMode(1, 1);
    c.run(1n);
    return {
      v: [0, 1, 2, 3].map((i) => this.v(i)),
      x: [0, 1, 2, 3].map((i) => c.x(i)),
      fpsr: c.u32(L.FPSR), nzcv: c.nzcv >>> 0, esr: c.sysreg('ESR_EL1'), pc: c.pc,
    };
  }
}
