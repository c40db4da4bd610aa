// Exception-generating and system instructions (C6.2: SVC, HVC, SMC, BRK, HLT, hints, barriers,
// CLREX, MSR (immediate), SYS/SYSL (cache, TLB and address-translation maintenance), MSR/MRS).
import { recWord, recD, nextPC, getPC } from '../cpu';
import {
  CURRENT_EL, SCTLR_EL1, HOST_FLAGS, HF_SEMIHOSTING, HF_TRAP_BRK, EXIT_BRK, EXIT_REASON, EXIT_HVC, EXIT_SMC, EXIT_WFI,
  EXIT_SEMIHOST, EXIT_SYSREG, EXIT_TIMER, ESR_EL2, FAULT, EXCL_VALID, EVENT, HCR_EL2, EXIT_INSN, CNTKCTL_EL1, PAR_EL1, DAIF,
} from '../layout';
import {
  takeSync, takeSyncNext, undefinedInsn, switchStack, updateAttention, EC_SVC, EC_BRK, EC_WFX,
  EC_SYSREG, HCR_VI, HCR_VF, HCR_VSE,
} from '../exceptions';
import {
  access, readSysreg, writeSysreg, ACC_NONE, ACC_EL1_RW, ACC_EL1_RO, ACC_EL1_WO, ACC_EL0_RW,
  ACC_EL0_RO, ACC_EL0_RO_EL1_RW, ACC_EL0_UCT, ACC_EL0_UMA, ACC_EL0_PCT, ACC_EL0_VCT, ACC_EL0_PT,
  ACC_EL0_VT, ACC_EL0_FRQ, ACC_HOST, ACC_EL0_FP, K_SP_EL0, K_CNTFRQ, spEl0Live, isTimerReg,
} from '../sysregs';
import { fpAccessOK } from '../fp/access';
import { tlbFlushAll, tlbFlushPage, addrMaintenance, atStage1, FAIL } from '../memory';

// @ts-ignore: decorator
@inline function imm16(rec: usize): u32 { return (recWord(rec) >> 5) & 0xffff; }
// @ts-ignore: decorator
@inline function atEL0(): bool { return load<u32>(CURRENT_EL) == 0; }
// @ts-ignore: decorator
@inline function sctlr(): u64 { return load<u64>(SCTLR_EL1); }

function exitToHost(reason: u32, ec: u32, iss: u32): void {
  store<u64>(ESR_EL2, (<u64>ec << 26) | (1 << 25) | <u64>iss);
  store<u32>(EXIT_INSN, 0);
  store<u32>(EXIT_REASON, reason);
  store<u32>(FAULT, 1);
}

export function exec_SVC(rec: usize): void { takeSyncNext(EC_SVC, imm16(rec)); }

/** HVC is UNDEFINED at EL0; at EL1 it traps to the hypervisor (EC 0x16), PC past it. */
export function exec_HVC(rec: usize): void {
  if (atEL0()) { undefinedInsn(); return; }
  nextPC();
  exitToHost(EXIT_HVC, 0x16, imm16(rec));
}

/** SMC is UNDEFINED at EL0; at EL1 it traps to EL2 (HCR_EL2.TSC), PC at the SMC (EC 0x17). */
export function exec_SMC(rec: usize): void {
  if (atEL0()) { undefinedInsn(); return; }
  exitToHost(EXIT_SMC, 0x17, imm16(rec));
}

/** BRK: a breakpoint exception to EL1, or to the host's debugger when it traps them (as KVM_GUESTDBG_USE_SW_BP). */
export function exec_BRK(rec: usize): void {
  if ((load<u32>(HOST_FLAGS) & HF_TRAP_BRK) != 0) { exitToHost(EXIT_BRK, EC_BRK, imm16(rec)); return; }
  takeSync(EC_BRK, imm16(rec), 0, false);
}

/** HLT: semihosting call (HLT #0xF000) when enabled, otherwise UNDEFINED (no halting debug). */
export function exec_HLT(rec: usize): void {
  if (imm16(rec) == 0xf000 && (load<u32>(HOST_FLAGS) & HF_SEMIHOSTING) != 0) {
    exitToHost(EXIT_SEMIHOST, 0, 0xf000);
    return;
  }
  undefinedInsn();
}

function anyInterruptPending(): bool {
  // WFI wakes on a pending interrupt even when PSTATE masks it (D1.16.2).
  return (load<u64>(HCR_EL2) & (HCR_VI | HCR_VF | HCR_VSE)) != 0;
}

export function exec_HINT(rec: usize): void {
  const w = recWord(rec);
  const sel = (w >> 5) & 0x7f; // CRm:op2
  if (sel == 3) { // WFI
    // SCTLR_EL1.nTWI = 0 traps EL0's WFI to EL1 (EC 0x01, ISS.TI = 0).
    if (atEL0() && ((sctlr() >> 16) & 1) == 0) { takeSync(EC_WFX, 1 << 24 | 0xe << 20, 0, false); return; }
    nextPC();
    if (!anyInterruptPending()) exitToHost(EXIT_WFI, EC_WFX, 0);
    return;
  }
  if (sel == 2) { // WFE
    if (atEL0() && ((sctlr() >> 18) & 1) == 0) { takeSync(EC_WFX, 1 << 24 | 0xe << 20 | 1, 0, false); return; }
    nextPC();
    if (load<u32>(EVENT) != 0) { store<u32>(EVENT, 0); return; }
    if (!anyInterruptPending()) exitToHost(EXIT_WFI, EC_WFX, 1);
    return;
  }
  if (sel == 4 || sel == 5) store<u32>(EVENT, 1); // SEV, SEVL (one vCPU: the local event)
  // NOP, YIELD, and every other hint in the space execute as NOP (C6.2.81).
  nextPC();
}

export function exec_CLREX(rec: usize): void { store<u32>(EXCL_VALID, 0); nextPC(); }

/** DSB, DMB, ISB: this CPU executes in order, and blocks re-check their words as they run. */
export function exec_BARRIER(rec: usize): void { nextPC(); }
/** ISB also ends the basic block (the table says so), so what follows is fetched afresh. */
export function exec_ISB(rec: usize): void { nextPC(); }

// ---- MSR (immediate): PSTATE fields (C5.2) ----
export function pre_msr_imm(w: u32, rec: usize): bool {
  const op1 = (w >> 16) & 7;
  const op2 = (w >> 5) & 7;
  // SPSel (op1 0, op2 5), DAIFSet (3, 6), DAIFClr (3, 7). PAN/UAO are not implemented.
  return (op1 == 0 && op2 == 5) || (op1 == 3 && (op2 == 6 || op2 == 7));
}

export function exec_MSR_imm(rec: usize): void {
  const w = recWord(rec);
  const op2 = (w >> 5) & 7;
  const crm = (w >> 8) & 15;
  if (op2 == 5) {
    if (atEL0()) { undefinedInsn(); return; }
    switchStack(1, crm & 1);
  } else {
    if (atEL0() && ((sctlr() >> 9) & 1) == 0) { trapSysreg(w, 0); return; } // SCTLR_EL1.UMA
    const bits = crm << 6;
    const daif = load<u32>(DAIF);
    store<u32>(DAIF, op2 == 6 ? daif | bits : daif & ~bits);
    updateAttention();
  }
  nextPC();
}

// ---- MSR/MRS (register) ----
export function pre_sysreg(w: u32, rec: usize): bool { return true; }

/** The EC 0x18 syndrome: ISS = Op0 Op2 Op1 CRn Rt CRm Direction (D17.2.37). */
function sysregISS(w: u32, isRead: u32): u32 {
  const op0 = (w >> 19) & 3;
  const op1 = (w >> 16) & 7;
  const crn = (w >> 12) & 15;
  const crm = (w >> 8) & 15;
  const op2 = (w >> 5) & 7;
  const rt = w & 31;
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | isRead;
}

/** Traps an EL0 access to EL1 with EC 0x18. */
function trapSysreg(w: u32, isRead: u32): void { takeSync(EC_SYSREG, sysregISS(w, isRead), 0, false); }

/**
 * 0 = allowed, 1 = UNDEFINED, 2 = trapped to EL1 (EC 0x18), 3 = emulated by the host, 4 = a
 * SIMD&FP register: allowed only if CPACR_EL1.FPEN permits (else trapped with EC 0x07).
 */
function check(k: u32, isRead: bool): u32 {
  const a = access(k);
  if (a == ACC_NONE) return 1;
  const el0 = atEL0();
  if (a == ACC_HOST) return el0 ? 1 : 3;
  if (a == ACC_EL1_RW) return el0 ? 1 : 0;
  if (a == ACC_EL1_RO) return el0 || !isRead ? 1 : 0;
  if (a == ACC_EL1_WO) return el0 || isRead ? 1 : 0;
  if (a == ACC_EL0_RW) return 0;
  if (a == ACC_EL0_FP) return 4;
  if (a == ACC_EL0_RO) return isRead ? 0 : 1;
  if (a == ACC_EL0_RO_EL1_RW) return isRead || !el0 ? 0 : 1;
  if (!el0) return (a == ACC_EL0_UCT && !isRead) || ((a == ACC_EL0_PCT || a == ACC_EL0_VCT) && !isRead) ? 1 : 0;
  // EL0 access controlled by SCTLR_EL1 or CNTKCTL_EL1 bits: trapped when the bit is 0.
  const kctl = load<u64>(CNTKCTL_EL1);
  let enabled = false;
  if (a == ACC_EL0_UCT) { if (!isRead) return 1; enabled = ((sctlr() >> 15) & 1) != 0; }
  else if (a == ACC_EL0_UMA) enabled = ((sctlr() >> 9) & 1) != 0;
  else if (a == ACC_EL0_PCT) { if (!isRead) return 1; enabled = (kctl & 1) != 0; }
  else if (a == ACC_EL0_VCT) { if (!isRead) return 1; enabled = (kctl & 2) != 0; }
  else if (a == ACC_EL0_FRQ) { if (!isRead) return 1; enabled = (kctl & 3) != 0; }
  else if (a == ACC_EL0_PT) enabled = ((kctl >> 9) & 1) != 0;
  else if (a == ACC_EL0_VT) enabled = ((kctl >> 8) & 1) != 0;
  return enabled ? 0 : 2;
}

// @ts-ignore: decorator
@inline function sysregKey(w: u32): u32 { return (w >> 5) & 0xffff; }

export function exec_MRS(rec: usize): void {
  const w = recWord(rec);
  const k = sysregKey(w);
  const c = check(k, true);
  if (c == 1 || (k == K_SP_EL0 && spEl0Live())) { undefinedInsn(); return; }
  if (c == 2) { trapSysreg(w, 1); return; }
  if (c == 3) { exitToHost(EXIT_SYSREG, EC_SYSREG, sysregISS(w, 1)); return; }
  if (c == 4 && !fpAccessOK()) return; // MRS/MSR FPCR/FPSR: CheckFPAccessEnabled (EC 0x07)
  store<u64>(recD(rec), readSysreg(k));
  nextPC();
}

export function exec_MSR_reg(rec: usize): void {
  const w = recWord(rec);
  const k = sysregKey(w);
  const c = check(k, false);
  if (c == 1 || (k == K_SP_EL0 && spEl0Live()) || k == K_CNTFRQ /* writable only at the highest EL, the host's */) { undefinedInsn(); return; }
  if (c == 2) { trapSysreg(w, 0); return; }
  if (c == 3) { exitToHost(EXIT_SYSREG, EC_SYSREG, sysregISS(w, 0)); return; }
  if (c == 4 && !fpAccessOK()) return; // MRS/MSR FPCR/FPSR: CheckFPAccessEnabled (EC 0x07)
  writeSysreg(k, load<u64>(recD(rec)));
  nextPC();
  // A new timer setting changes when the next timer interrupt is due: let the host re-plan.
  if (isTimerReg(k)) exitToHost(EXIT_TIMER, EC_SYSREG, sysregISS(w, 0));
}

// ---- SYS: cache maintenance, TLB maintenance, address translation (C5.3) ----
export function pre_sys(w: u32, rec: usize): bool { return true; }

export function exec_SYSL(rec: usize): void { undefinedInsn(); } // no SYSL operation exists in Armv8.0

export function exec_SYS(rec: usize): void {
  const w = recWord(rec);
  const op1 = (w >> 16) & 7;
  const crn = (w >> 12) & 15;
  const crm = (w >> 8) & 15;
  const op2 = (w >> 5) & 7;
  const xt = load<u64>(recD(rec));
  const el0 = atEL0();
  if (crn == 7) {
    // Cache maintenance and AT.
    if (op1 == 0 && (crm == 1 || crm == 5) && op2 == 0) { if (el0) { undefinedInsn(); return; } nextPC(); return; } // IC IALLUIS, IALLU
    if (op1 == 0 && crm == 6 && (op2 == 1 || op2 == 2)) { // DC IVAC, DC ISW
      if (el0) { undefinedInsn(); return; }
      if (op2 == 1 && addrMaintenance(xt, false) == 0) return;
      nextPC(); return;
    }
    if (op1 == 0 && (crm == 10 || crm == 14) && op2 == 2) { if (el0) { undefinedInsn(); return; } nextPC(); return; } // DC CSW, CISW
    if (op1 == 3 && crm == 4 && op2 == 1) { dcZva(w, xt); return; }
    if (op1 == 3 && ((crm == 10 || crm == 11 || crm == 14) && op2 == 1 || crm == 5 && op2 == 1)) {
      // DC CVAC, CVAU, CIVAC, IC IVAU: EL0 use needs SCTLR_EL1.UCI (else trap, EC 0x18).
      if (el0 && ((sctlr() >> 26) & 1) == 0) { trapSysreg(w, 0); return; }
      if (addrMaintenance(xt, false) == 0) return;
      nextPC(); return;
    }
    if (op1 == 0 && crm == 8 && op2 <= 3) { // AT S1E1R, S1E1W, S1E0R, S1E0W
      if (el0) { undefinedInsn(); return; }
      const par = atStage1(xt, op2 >= 2 ? 0 : 1, (op2 & 1) != 0);
      if (par == FAIL) return; // exited to the host
      store<u64>(PAR_EL1, par);
      nextPC(); return;
    }
  }
  if (crn == 8 && op1 == 0 && (crm == 3 || crm == 7)) {
    // TLBI VMALLE1(IS) 0, VAE1 1, ASIDE1 2, VAAE1 3, VALE1 5, VAALE1 7 (their IS forms: CRm 3).
    if (el0) { undefinedInsn(); return; }
    if (op2 == 0 || op2 == 2) { tlbFlushAll(); nextPC(); return; }
    if (op2 == 1 || op2 == 3 || op2 == 5 || op2 == 7) {
      // Xt[43:0] = VA[55:12]; the page is flushed for both halves of the address space.
      const page = (xt & 0xfffffffffff) << 12;
      tlbFlushPage(page);
      tlbFlushPage(page | 0xff00000000000000);
      nextPC(); return;
    }
  }
  undefinedInsn();
}

/** DC ZVA: zeroes the 64-byte block (DCZID_EL0.BS = 4) holding Xt, as a store. */
function dcZva(w: u32, xt: u64): void {
  if (atEL0() && ((sctlr() >> 14) & 1) == 0) { trapSysreg(w, 0); return; } // SCTLR_EL1.DZE
  // Translated at Xt itself, so that a fault reports FAR = Xt; the block never crosses a page.
  const h = addrMaintenance(xt, true);
  if (h == 0) return;
  memory.fill(h - <usize>(xt & 63), 0, 64);
  nextPC();
}
