// System registers reached by MRS/MSR (C5.3). Each register is found by its encoding key
// op0:op1:CRn:CRm:op2 (16 bits, the layout of the MRS/MSR instruction's bits [20:5]).
// Values of the ID registers describe exactly what this CPU implements: Armv8.0 with CRC32 and
// the Armv8.1 LSE atomics; no FP/AdvSIMD yet (issue 11), no PMU, no EL2/EL3, AArch64 only.
import {
  SCTLR_EL1, ACTLR_EL1, CPACR_EL1, TTBR0_EL1, TTBR1_EL1, TCR_EL1, AFSR0_EL1, AFSR1_EL1, ESR_EL1,
  FAR_EL1, PAR_EL1, MAIR_EL1, AMAIR_EL1, VBAR_EL1, CONTEXTIDR_EL1, TPIDR_EL1, TPIDR_EL0,
  TPIDRRO_EL0, CNTKCTL_EL1, SPSR_EL1, ELR_EL1, SP_EL0, XSP, SPSEL, CURRENT_EL, DAIF, NZCV, MIDR_EL1,
  MPIDR_EL1, CSSELR_EL1, FPCR, FPSR, CNTFRQ_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0, CNTP_CTL_EL0, CNTP_CVAL_EL0,
  CNTVOFF_EL2, ICOUNT, CNT_SHIFT, MDSCR_EL1, OSLSR_EL1, OSDLR_EL1, MDCCINT_EL1, HOST_FLAGS, HF_GICV3, DBG_REGS,
} from './layout';
import { switchStack, updateAttention } from './exceptions';
import { tlbFlushAll } from './memory';

// @ts-ignore: decorator
@inline export function key(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32): u32 {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

// Access classes returned by access(): who may use the register and how.
export const ACC_NONE: u32 = 0; // unallocated: UNDEFINED
export const ACC_EL1_RW: u32 = 1;
export const ACC_EL1_RO: u32 = 2;
export const ACC_EL1_WO: u32 = 3;
export const ACC_EL0_RW: u32 = 4; // EL0 and EL1 read/write
export const ACC_EL0_RO: u32 = 5; // EL0 and EL1 read-only
export const ACC_EL0_RO_EL1_RW: u32 = 6; // TPIDRRO_EL0
// EL0 access controlled by a bit: the trap goes to EL1 with EC 0x18.
export const ACC_EL0_UCT: u32 = 7; // CTR_EL0, SCTLR_EL1.UCT
export const ACC_EL0_UMA: u32 = 8; // DAIF, SCTLR_EL1.UMA
export const ACC_EL0_PCT: u32 = 9; // CNTPCT_EL0, CNTKCTL_EL1.EL0PCTEN
export const ACC_EL0_VCT: u32 = 10; // CNTVCT_EL0, CNTKCTL_EL1.EL0VCTEN (CNTFRQ: either)
export const ACC_EL0_PT: u32 = 11; // CNTP_*, CNTKCTL_EL1.EL0PTEN
export const ACC_EL0_VT: u32 = 12; // CNTV_*, CNTKCTL_EL1.EL0VTEN
export const ACC_EL0_FRQ: u32 = 13; // CNTFRQ_EL0: EL0PCTEN or EL0VCTEN
export const ACC_HOST: u32 = 14; // EL1 only, emulated by the host (the GICv3 CPU interface)
export const ACC_EL0_FP: u32 = 15; // FPCR, FPSR: EL0 and EL1 read/write, subject to CPACR_EL1.FPEN (EC 0x07)

// Debug breakpoint/watchpoint registers: 2 of each (ID_AA64DFR0_EL1.BRPs = WRPs = 1).

// ID_AA64PFR0_EL1: EL0, EL1 AArch64 only; GIC set by the host. FP [19:16] = 0 and AdvSIMD [23:20]
// = 0: Armv8.0 floating point and Advanced SIMD, single and double precision, with half
// precision only in conversions (FEAT_FP16 would be 1).
export const ID_AA64PFR0: u64 = 0x00000000_00000011;
export const ID_AA64ISAR0: u64 = 0x00000000_00211120; // AES = 2 (with PMULL), SHA1 = 1, SHA2 = 1, CRC32 = 1, Atomic = 2 (LSE)
export const ID_AA64MMFR0: u64 = 0x00000000_00100022; // PARange 40 bits, 16-bit ASIDs, 4K/16K/64K
export const ID_AA64DFR0: u64 = 0x00000000_00101006; // Debug v8, 2 BRPs, 2 WRPs, no PMU
export const CTR_EL0_VALUE: u64 = 0x84448004; // 64-byte lines, PIPT I-cache, ERG/CWG 64 bytes
export const CLIDR_VALUE: u64 = 0x0a200023; // L1 split I/D, L2 unified (as Cortex-A57)

// FPCR (D17.2.56) in an Armv8.0 AArch64-only implementation: AHP [26], DN [25], FZ [24],
// RMode [23:22]. The trap enables IDE/IXE/UFE/OFE/DZE/IOE are RAZ/WI (trapped floating-point
// exceptions are not implemented); FZ16 needs FEAT_FP16, and Len/Stride exist only to save the
// AArch32 FPSCR, which this CPU does not have: all RES0.
export const FPCR_WRITABLE: u64 = 0x07c00000;
// FPSR (D17.2.57): QC [27] and the cumulative flags IDC [7], IXC [4], UFC [3], OFC [2], DZC [1],
// IOC [0]. N, Z, C, V [31:28] are AArch32-only: RES0.
export const FPSR_WRITABLE: u64 = 0x0800009f;

// A few names used elsewhere.
export const K_DAIF: u32 = key(3, 3, 4, 2, 1);

export function access(k: u32): u32 {
  switch (k) {
    case key(3, 0, 1, 0, 0): case key(3, 0, 1, 0, 1): case key(3, 0, 1, 0, 2):
    case key(3, 0, 2, 0, 0): case key(3, 0, 2, 0, 1): case key(3, 0, 2, 0, 2):
    case key(3, 0, 5, 1, 0): case key(3, 0, 5, 1, 1): case key(3, 0, 5, 2, 0):
    case key(3, 0, 6, 0, 0): case key(3, 0, 7, 4, 0): case key(3, 0, 10, 2, 0): case key(3, 0, 10, 3, 0):
    case key(3, 0, 12, 0, 0): case key(3, 0, 13, 0, 1): case key(3, 0, 13, 0, 4): case key(3, 0, 14, 1, 0):
    case key(3, 0, 4, 0, 0): case key(3, 0, 4, 0, 1): case key(3, 0, 4, 1, 0): case key(3, 0, 4, 2, 0):
    case key(3, 2, 0, 0, 0): // CSSELR_EL1
    case key(2, 0, 0, 2, 2): case key(2, 0, 0, 2, 0): case key(2, 0, 1, 3, 4): // MDSCR, MDCCINT, OSDLR
    case key(2, 0, 0, 0, 4): case key(2, 0, 0, 1, 4): case key(2, 0, 0, 0, 5): case key(2, 0, 0, 1, 5):
    case key(2, 0, 0, 0, 6): case key(2, 0, 0, 1, 6): case key(2, 0, 0, 0, 7): case key(2, 0, 0, 1, 7):
      return ACC_EL1_RW;
    case key(2, 0, 1, 0, 4): return ACC_EL1_WO; // OSLAR_EL1
    case key(3, 0, 4, 2, 2): // CurrentEL
    case key(3, 0, 0, 0, 0): case key(3, 0, 0, 0, 5): case key(3, 0, 0, 0, 6): // MIDR MPIDR REVIDR
    case key(3, 1, 0, 0, 0): case key(3, 1, 0, 0, 1): case key(3, 1, 0, 0, 7): // CCSIDR CLIDR AIDR
    case key(2, 0, 1, 1, 4): // OSLSR_EL1
      return ACC_EL1_RO;
    case key(3, 3, 4, 2, 0): return ACC_EL0_RW; // NZCV
    case key(3, 3, 4, 4, 0): case key(3, 3, 4, 4, 1): return ACC_EL0_FP; // FPCR, FPSR
    case key(3, 3, 13, 0, 2): return ACC_EL0_RW; // TPIDR_EL0
    case key(3, 3, 13, 0, 3): return ACC_EL0_RO_EL1_RW; // TPIDRRO_EL0
    case key(3, 3, 0, 0, 7): return ACC_EL0_RO; // DCZID_EL0
    case key(3, 3, 0, 0, 1): return ACC_EL0_UCT;
    case key(3, 3, 4, 2, 1): return ACC_EL0_UMA;
    case key(3, 3, 14, 0, 0): return ACC_EL0_FRQ;
    case key(3, 3, 14, 0, 1): return ACC_EL0_PCT;
    case key(3, 3, 14, 0, 2): return ACC_EL0_VCT;
    case key(3, 3, 14, 2, 0): case key(3, 3, 14, 2, 1): case key(3, 3, 14, 2, 2): return ACC_EL0_PT;
    case key(3, 3, 14, 3, 0): case key(3, 3, 14, 3, 1): case key(3, 3, 14, 3, 2): return ACC_EL0_VT;
  }
  // GICv3 CPU interface system registers (ICC_*): op0=3 op1=0 CRn=12 CRm=8,9,11,12, and
  // ICC_PMR_EL1 (CRn=4 CRm=6). With a GICv3 the host emulates them, as KVM's vgic-v3 does.
  if ((load<u32>(HOST_FLAGS) & HF_GICV3) != 0) {
    if (k == key(3, 0, 4, 6, 0)) return ACC_HOST;
    if ((k >> 7) == (key(3, 0, 12, 0, 0) >> 7)) {
      const crm = (k >> 3) & 15;
      if (crm == 8 || crm == 9 || crm == 11 || crm == 12) return ACC_HOST;
    }
  }
  // The ID register space op0=3 op1=0 CRn=0 CRm=1..7: allocated or reserved, all read-only
  // (reserved ones read as zero, D17.1.3).
  if ((k & 0xfff8) >= key(3, 0, 0, 1, 0) && (k & 0xfff8) <= key(3, 0, 0, 7, 0)) return ACC_EL1_RO;
  return ACC_NONE;
}

export function counter(): u64 { return load<u64>(ICOUNT) >> load<u32>(CNT_SHIFT); }
function virtCounter(): u64 { return counter() - load<u64>(CNTVOFF_EL2); }

function timerCtl(ctlAddr: usize, cval: u64, now: u64): u64 {
  const ctl = load<u64>(ctlAddr) & 3;
  const istatus: u64 = (ctl & 1) != 0 && now >= cval ? 4 : 0;
  return ctl | istatus;
}

/** Reads a register the access check allowed. */
export function readSysreg(k: u32): u64 {
  switch (k) {
    case key(3, 0, 1, 0, 0): return load<u64>(SCTLR_EL1);
    case key(3, 0, 1, 0, 1): return load<u64>(ACTLR_EL1);
    case key(3, 0, 1, 0, 2): return load<u64>(CPACR_EL1);
    case key(3, 0, 2, 0, 0): return load<u64>(TTBR0_EL1);
    case key(3, 0, 2, 0, 1): return load<u64>(TTBR1_EL1);
    case key(3, 0, 2, 0, 2): return load<u64>(TCR_EL1);
    case key(3, 0, 5, 1, 0): return load<u64>(AFSR0_EL1);
    case key(3, 0, 5, 1, 1): return load<u64>(AFSR1_EL1);
    case key(3, 0, 5, 2, 0): return load<u64>(ESR_EL1);
    case key(3, 0, 6, 0, 0): return load<u64>(FAR_EL1);
    case key(3, 0, 7, 4, 0): return load<u64>(PAR_EL1);
    case key(3, 0, 10, 2, 0): return load<u64>(MAIR_EL1);
    case key(3, 0, 10, 3, 0): return load<u64>(AMAIR_EL1);
    case key(3, 0, 12, 0, 0): return load<u64>(VBAR_EL1);
    case key(3, 0, 13, 0, 1): return load<u64>(CONTEXTIDR_EL1);
    case key(3, 0, 13, 0, 4): return load<u64>(TPIDR_EL1);
    case key(3, 0, 14, 1, 0): return load<u64>(CNTKCTL_EL1);
    case key(3, 0, 4, 0, 0): return load<u64>(SPSR_EL1);
    case key(3, 0, 4, 0, 1): return load<u64>(ELR_EL1);
    case key(3, 0, 4, 1, 0): return load<u64>(SP_EL0);
    case key(3, 0, 4, 2, 0): return <u64>load<u32>(SPSEL);
    case key(3, 0, 4, 2, 2): return <u64>(load<u32>(CURRENT_EL) << 2);
    case key(3, 3, 4, 2, 1): return <u64>load<u32>(DAIF);
    case key(3, 3, 4, 2, 0): return <u64>load<u32>(NZCV);
    case key(3, 3, 4, 4, 0): return load<u64>(FPCR);
    case key(3, 3, 4, 4, 1): return load<u64>(FPSR);
    case key(3, 3, 13, 0, 2): return load<u64>(TPIDR_EL0);
    case key(3, 3, 13, 0, 3): return load<u64>(TPIDRRO_EL0);
    case key(3, 3, 0, 0, 1): return CTR_EL0_VALUE;
    case key(3, 3, 0, 0, 7): {
      // DCZID_EL0: BS = 4 (64 bytes); DZP = 1 when DC ZVA is prohibited at the current EL.
      const dzp: u64 = load<u32>(CURRENT_EL) == 0 && ((load<u64>(SCTLR_EL1) >> 14) & 1) == 0 ? 0x10 : 0;
      return 4 | dzp;
    }
    case key(3, 0, 0, 0, 0): return load<u64>(MIDR_EL1);
    case key(3, 0, 0, 0, 5): return load<u64>(MPIDR_EL1);
    case key(3, 0, 0, 0, 6): return 0; // REVIDR_EL1
    case key(3, 1, 0, 0, 0): {
      // CCSIDR_EL1 for the level/type CSSELR selects (Cortex-A57's geometry).
      const sel = load<u64>(CSSELR_EL1) & 0xf;
      if (sel == 0) return 0x701fe00a; // L1 D: 32 KiB, 2-way, 64-byte lines
      if (sel == 1) return 0x201fe012; // L1 I: 48 KiB, 3-way
      if (sel == 2) return 0x70ffe07a; // L2: 2 MiB, 16-way
      return 0;
    }
    case key(3, 1, 0, 0, 1): return CLIDR_VALUE;
    case key(3, 1, 0, 0, 7): return 0; // AIDR_EL1
    case key(3, 2, 0, 0, 0): return load<u64>(CSSELR_EL1);
    case key(3, 0, 0, 4, 0): return ID_AA64PFR0 | ((load<u32>(HOST_FLAGS) & HF_GICV3) != 0 ? <u64>1 << 24 : 0);
    case key(3, 0, 0, 5, 0): return ID_AA64DFR0;
    case key(3, 0, 0, 6, 0): return ID_AA64ISAR0;
    case key(3, 0, 0, 7, 0): return ID_AA64MMFR0;
    case key(2, 0, 0, 2, 2): return load<u64>(MDSCR_EL1);
    case key(2, 0, 0, 2, 0): return load<u64>(MDCCINT_EL1);
    case key(2, 0, 1, 3, 4): return load<u64>(OSDLR_EL1);
    case key(2, 0, 1, 1, 4): return load<u64>(OSLSR_EL1) | 0x8; // OSLM = 0b10 (bit 3): OS lock implemented
    case key(3, 3, 14, 0, 0): return load<u64>(CNTFRQ_EL0);
    case key(3, 3, 14, 0, 1): return counter();
    case key(3, 3, 14, 0, 2): return virtCounter();
    case key(3, 3, 14, 2, 0): return (load<u64>(CNTP_CVAL_EL0) - counter()) & 0xffffffff; // TVAL: bits 63:32 RES0
    case key(3, 3, 14, 2, 1): return timerCtl(CNTP_CTL_EL0, load<u64>(CNTP_CVAL_EL0), counter());
    case key(3, 3, 14, 2, 2): return load<u64>(CNTP_CVAL_EL0);
    case key(3, 3, 14, 3, 0): return (load<u64>(CNTV_CVAL_EL0) - virtCounter()) & 0xffffffff;
    case key(3, 3, 14, 3, 1): return timerCtl(CNTV_CTL_EL0, load<u64>(CNTV_CVAL_EL0), virtCounter());
    case key(3, 3, 14, 3, 2): return load<u64>(CNTV_CVAL_EL0);
  }
  const dbg = debugSlot(k);
  if (dbg) return load<u64>(dbg);
  return 0; // reserved ID registers read as zero
}

// A TVAL write is a signed 32-bit offset from the count (D11.2.4).
// @ts-ignore: decorator
@inline function sext32(v: u64): u64 { return <u64>(<i64>(<i32>(<u32>v))); }

function debugSlot(k: u32): usize {
  // DBGBVRn/BCRn/WVRn/WCRn: op0=2 op1=0 CRn=0 CRm=n op2=4..7, n = 0 or 1.
  if ((k >> 7) != key(2, 0, 0, 0, 0) >> 7) return 0;
  const crm = (k >> 3) & 15;
  const op2 = k & 7;
  if (crm > 1 || op2 < 4) return 0;
  return DBG_REGS + (((op2 - 4) * 2 + crm) << 3);
}

/** Writes a register the access check allowed. */
export function writeSysreg(k: u32, v: u64): void {
  switch (k) {
    case key(3, 0, 1, 0, 0): store<u64>(SCTLR_EL1, v); tlbFlushAll(); return;
    case key(3, 0, 1, 0, 1): store<u64>(ACTLR_EL1, v); return;
    case key(3, 0, 1, 0, 2): store<u64>(CPACR_EL1, v & 0x300000); return; // FPEN only
    case key(3, 0, 2, 0, 0): store<u64>(TTBR0_EL1, v); tlbFlushAll(); return;
    case key(3, 0, 2, 0, 1): store<u64>(TTBR1_EL1, v); tlbFlushAll(); return;
    case key(3, 0, 2, 0, 2): store<u64>(TCR_EL1, v); tlbFlushAll(); return;
    case key(3, 0, 5, 1, 0): store<u64>(AFSR0_EL1, v); return;
    case key(3, 0, 5, 1, 1): store<u64>(AFSR1_EL1, v); return;
    case key(3, 0, 5, 2, 0): store<u64>(ESR_EL1, v & 0xffffffff); return;
    case key(3, 0, 6, 0, 0): store<u64>(FAR_EL1, v); return;
    case key(3, 0, 7, 4, 0): store<u64>(PAR_EL1, v); return;
    case key(3, 0, 10, 2, 0): store<u64>(MAIR_EL1, v); tlbFlushAll(); return;
    case key(3, 0, 10, 3, 0): store<u64>(AMAIR_EL1, v); return;
    case key(3, 0, 12, 0, 0): store<u64>(VBAR_EL1, v & ~(<u64>0x7ff)); return;
    case key(3, 0, 13, 0, 1): store<u64>(CONTEXTIDR_EL1, v & 0xffffffff); return;
    case key(3, 0, 13, 0, 4): store<u64>(TPIDR_EL1, v); return;
    case key(3, 0, 14, 1, 0): store<u64>(CNTKCTL_EL1, v & 0x3ff); return;
    case key(3, 0, 4, 0, 0): store<u64>(SPSR_EL1, v & 0xf03003df); return; // N Z C V, SS, IL, D A I F, M
    case key(3, 0, 4, 0, 1): store<u64>(ELR_EL1, v); return;
    case key(3, 0, 4, 1, 0): store<u64>(SP_EL0, v); return;
    case key(3, 0, 4, 2, 0): switchStack(load<u32>(CURRENT_EL), <u32>v & 1); return;
    case key(3, 3, 4, 2, 1): store<u32>(DAIF, <u32>v & 0x3c0); updateAttention(); return;
    case key(3, 3, 4, 2, 0): store<u32>(NZCV, <u32>v & 0xf0000000); return;
    case key(3, 3, 4, 4, 0): store<u64>(FPCR, v & FPCR_WRITABLE); return;
    case key(3, 3, 4, 4, 1): store<u64>(FPSR, v & FPSR_WRITABLE); return;
    case key(3, 3, 13, 0, 2): store<u64>(TPIDR_EL0, v); return;
    case key(3, 3, 13, 0, 3): store<u64>(TPIDRRO_EL0, v); return;
    case key(3, 2, 0, 0, 0): store<u64>(CSSELR_EL1, v & 0xf); return;
    case key(2, 0, 0, 2, 2): store<u64>(MDSCR_EL1, v); return;
    case key(2, 0, 0, 2, 0): store<u64>(MDCCINT_EL1, v); return;
    case key(2, 0, 1, 3, 4): store<u64>(OSDLR_EL1, v & 1); return;
    case key(2, 0, 1, 0, 4): store<u64>(OSLSR_EL1, (v & 1) << 1); return; // OSLAR.OSLK -> OSLSR.OSLK
    case key(3, 3, 14, 0, 0): store<u64>(CNTFRQ_EL0, v & 0xffffffff); return; // writable at EL1 only (checked)
    case key(3, 3, 14, 2, 0): store<u64>(CNTP_CVAL_EL0, counter() + sext32(v)); return;
    case key(3, 3, 14, 2, 1): store<u64>(CNTP_CTL_EL0, v & 3); return;
    case key(3, 3, 14, 2, 2): store<u64>(CNTP_CVAL_EL0, v); return;
    case key(3, 3, 14, 3, 0): store<u64>(CNTV_CVAL_EL0, virtCounter() + sext32(v)); return;
    case key(3, 3, 14, 3, 1): store<u64>(CNTV_CTL_EL0, v & 3); return;
    case key(3, 3, 14, 3, 2): store<u64>(CNTV_CVAL_EL0, v); return;
  }
  const dbg = debugSlot(k);
  if (dbg) store<u64>(dbg, v);
}

/** SP_EL0 through MRS/MSR while PSTATE.SP = 0 is UNDEFINED (C5.2.17); keeps the live slot true. */
export function spEl0Live(): bool { return load<u32>(SPSEL) == 0 || load<u32>(CURRENT_EL) == 0; }
export const K_SP_EL0: u32 = key(3, 0, 4, 1, 0);
export const K_CNTFRQ: u32 = key(3, 3, 14, 0, 0);
/** CNTP_* and CNTV_* (op0=3 op1=3 CRn=14 CRm=2,3): writes change the timer deadline. */
export function isTimerReg(k: u32): bool { return (k >> 4) == (key(3, 3, 14, 2, 0) >> 4); }
export const LIVE_SP: usize = XSP;
