// The state block layout (assembly/layout.ts) is one file both compilers read; this checks that
// its fields do not overlap and stay inside the block, so an added register cannot alias another.
import { describe, it, expect } from 'vitest';
import * as L from '../assembly/layout.ts';

/** Fields of the state block and their sizes in bytes. */
const FIELDS: Record<string, number> = {
  XZR: 8, XSP: 8, PC: 8, NZCV: 4, DAIF: 4, CURRENT_EL: 4, SPSEL: 4, SP_EL0: 8, SP_EL1: 8, PSTATE_SS: 4, PSTATE_IL: 4,
  SCTLR_EL1: 8, TCR_EL1: 8, TTBR0_EL1: 8, TTBR1_EL1: 8, MAIR_EL1: 8, AMAIR_EL1: 8, VBAR_EL1: 8, ESR_EL1: 8,
  FAR_EL1: 8, ELR_EL1: 8, SPSR_EL1: 8, CPACR_EL1: 8, CONTEXTIDR_EL1: 8, TPIDR_EL0: 8, TPIDR_EL1: 8,
  TPIDRRO_EL0: 8, PAR_EL1: 8, CNTKCTL_EL1: 8, CNTV_CTL_EL0: 8, CNTV_CVAL_EL0: 8, CNTP_CTL_EL0: 8,
  CNTP_CVAL_EL0: 8, MDSCR_EL1: 8, AFSR0_EL1: 8, AFSR1_EL1: 8, CSSELR_EL1: 8, MPIDR_EL1: 8, MIDR_EL1: 8,
  CNTFRQ_EL0: 8, SP_EL1_SAVED: 8, FPCR: 8, FPSR: 8, OSLSR_EL1: 8, MDCCINT_EL1: 8, ACTLR_EL1: 8,
  PMUSERENR_EL0: 8, OSDLR_EL1: 8, HCR_EL2: 8, VTTBR_EL2: 8, VTCR_EL2: 8, VSESR_EL2: 8, CNTVOFF_EL2: 8,
  HOST_FLAGS: 4, MEM_LIMIT: 8, CNT_SHIFT: 4, EXIT_REASON: 4, ESR_EL2: 8, FAR_EL2: 8, HPFAR_EL2: 8, ICOUNT: 8,
  EXIT_INSN: 4, TLB_MISSES: 8, EXCL_VALID: 4, EXCL_ADDR: 8, EXCL_SIZE: 4, FAULT: 4, ATTENTION: 4, FETCH_TAG: 8,
  FETCH_ADDEND: 8, EVENT: 4, COV_MAP: 4, COV_PREV: 4, CMPLOG: 4, CMPLOG_COUNT: 4,
  DBG_REGS: 64, SPLIT_BUF: 16, SCRATCH_REC: 32, VMEM_BUF: 64, VRES: 16,
};

describe('state block layout', () => {
  const L2 = L as unknown as Record<string, number>;
  const ranges = Object.entries(FIELDS).map(([name, size]) => ({ name, start: L2[name], end: L2[name] + size }));
  ranges.push({ name: 'X0..X30', start: L.X0, end: L.X0 + 31 * 8 });
  ranges.push({ name: 'V0..V31', start: L.V0, end: L.V0 + 32 * 16 });

  it('every field is declared', () => {
    for (const r of ranges) expect(Number.isInteger(r.start), r.name).toBe(true);
  });
  it('fields lie inside the block and are naturally aligned', () => {
    for (const r of ranges) {
      expect(r.start >= L.STATE && r.end <= L.STATE_END, r.name).toBe(true);
      expect(r.start % Math.min(8, r.end - r.start), r.name).toBe(0);
    }
  });
  it('no two fields overlap', () => {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].start >= sorted[i - 1].end, `${sorted[i - 1].name} overlaps ${sorted[i].name}`).toBe(true);
    }
  });
  it('the caches and the heap do not overlap the block or each other', () => {
    expect(L.TLB).toBeGreaterThanOrEqual(L.STATE_END);
    expect(L.TLB + 2 * L.TLB_REGIME_BYTES).toBeLessThanOrEqual(L.DCACHE);
    expect(L.DCACHE + L.DC_ENTRIES * L.DC_ENTRY).toBeLessThanOrEqual(L.BT);
    expect(L.BT + L.BT_ENTRIES * L.BT_ENTRY).toBeLessThanOrEqual(L.ARENA);
    expect(L.ARENA_END).toBeLessThanOrEqual(L.HEAP_BASE);
    expect(L.ARENA_END - L.ARENA).toBeGreaterThan(L.BLOCK_HDR + L.BLOCK_MAX * L.DC_ENTRY);
    expect(L.TLB_REGIME_BYTES).toBe(L.TLB_ENTRIES * L.TLB_ENTRY);
  });
});
