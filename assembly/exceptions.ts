// Exception entry and return at EL1 (Arm ARM D1.10 "Exception entry", D1.11 "Exception return"),
// PSTATE save/restore through SPSR_EL1, and the virtual interrupt lines the host drives.
import {
  PC, NZCV, DAIF, CURRENT_EL, SPSEL, XSP, SP_EL0, SP_EL1, SPSR_EL1, ELR_EL1, ESR_EL1, FAR_EL1,
  VBAR_EL1, FAULT, ATTENTION, PSTATE_IL, HCR_EL2, VSESR_EL2, EXCL_VALID, FETCH_TAG,
} from './layout';

// Exception classes, ESR_ELx.EC (D17.2.37).
export const EC_UNKNOWN: u32 = 0x00;
export const EC_WFX: u32 = 0x01;
export const EC_FP: u32 = 0x07;
export const EC_ILLEGAL: u32 = 0x0e;
export const EC_SVC: u32 = 0x15;
export const EC_HVC: u32 = 0x16;
export const EC_SMC: u32 = 0x17;
export const EC_SYSREG: u32 = 0x18;
export const EC_IABT_LOWER: u32 = 0x20;
export const EC_IABT_CUR: u32 = 0x21;
export const EC_PC_ALIGN: u32 = 0x22;
export const EC_DABT_LOWER: u32 = 0x24;
export const EC_DABT_CUR: u32 = 0x25;
export const EC_SP_ALIGN: u32 = 0x26;
export const EC_SERROR: u32 = 0x2f;
export const EC_BRK: u32 = 0x3c;

// Vector offsets within a group (D1.10.2).
export const VEC_SYNC: u32 = 0x000;
export const VEC_IRQ: u32 = 0x080;
export const VEC_FIQ: u32 = 0x100;
export const VEC_SERROR: u32 = 0x180;

// HCR_EL2 bits the host uses to make virtual exceptions pending (D17.2.48).
export const HCR_VF: u64 = 1 << 6;
export const HCR_VI: u64 = 1 << 7;
export const HCR_VSE: u64 = 1 << 8;

const PSTATE_A: u32 = 1 << 8;
const PSTATE_I: u32 = 1 << 7;
const PSTATE_F: u32 = 1 << 6;

/** PSTATE in SPSR_ELx format (C5.2.18): NZCV, DAIF, M[3:0] = EL:SPSel (AArch64). */
export function pstateToSPSR(): u64 {
  const el = load<u32>(CURRENT_EL);
  const il: u32 = load<u32>(PSTATE_IL) << 20;
  return <u64>(load<u32>(NZCV) | il | load<u32>(DAIF) | (el << 2) | load<u32>(SPSEL));
}

/** Moves the live SP (slot XSP) into its bank and loads the bank the new PSTATE selects. */
export function switchStack(newEL: u32, newSPSel: u32): void {
  const oldBank: usize = load<u32>(SPSEL) != 0 && load<u32>(CURRENT_EL) != 0 ? SP_EL1 : SP_EL0;
  store<u64>(oldBank, load<u64>(XSP));
  const newBank: usize = newSPSel != 0 && newEL != 0 ? SP_EL1 : SP_EL0;
  store<u64>(XSP, load<u64>(newBank));
  if (newEL != load<u32>(CURRENT_EL)) store<u64>(FETCH_TAG, 0xffffffffffffffff); // new regime
  store<u32>(CURRENT_EL, newEL);
  store<u32>(SPSEL, newSPSel);
}

/** Takes an exception to EL1 (D1.10): saves state, masks DAIF, jumps to the vector. */
export function takeException(vecOff: u32, esr: u64, elr: u64, far: u64, setFar: bool): void {
  const el = load<u32>(CURRENT_EL);
  let base = load<u64>(VBAR_EL1) & ~(<u64>0x7ff);
  if (el == 0) base += 0x400; // lower EL, AArch64
  else if (load<u32>(SPSEL) != 0) base += 0x200; // current EL with SP_ELx
  store<u64>(SPSR_EL1, pstateToSPSR());
  store<u32>(PSTATE_IL, 0); // exception entry clears PSTATE.IL (SPSR_EL1 keeps it)
  store<u64>(ELR_EL1, elr);
  if (vecOff == VEC_SYNC || vecOff == VEC_SERROR) store<u64>(ESR_EL1, esr); // IRQ/FIQ leave it
  if (setFar) store<u64>(FAR_EL1, far);
  switchStack(1, 1);
  store<u32>(DAIF, 0x3c0);
  store<u32>(EXCL_VALID, 0); // the local monitor is cleared on exception entry
  store<u64>(PC, base + vecOff);
  store<u32>(FAULT, 1);
  updateAttention();
}

/** A synchronous exception caused by the current instruction (preferred return: itself). */
export function takeSync(ec: u32, iss: u32, far: u64, setFar: bool): void {
  takeException(VEC_SYNC, (<u64>ec << 26) | (1 << 25) | <u64>(iss & 0x1ffffff), load<u64>(PC), far, setFar);
}

/** A synchronous exception whose preferred return is the next instruction (SVC). */
export function takeSyncNext(ec: u32, iss: u32): void {
  takeException(VEC_SYNC, (<u64>ec << 26) | (1 << 25) | <u64>(iss & 0x1ffffff), load<u64>(PC) + 4, 0, false);
}

/** UNDEFINED: EC 0, IL 1 (D17.2.37). */
export function undefinedInsn(): void {
  takeSync(EC_UNKNOWN, 0, 0, false);
}

export function exec_UNDEFINED(rec: usize): void {
  undefinedInsn();
}

/**
 * ERET from EL1 (D1.11): restores PSTATE from SPSR_EL1 and PC from ELR_EL1. A return to an
 * illegal state (AArch32, EL2/EL3, reserved M) sets PSTATE.IL and stays at EL1, so the next
 * instruction raises an Illegal Execution State exception (EC 0x0E).
 */
export function exceptionReturn(): void {
  const spsr = load<u64>(SPSR_EL1);
  const m = <u32>(spsr & 0x1f);
  let target = load<u64>(ELR_EL1);
  store<u32>(EXCL_VALID, 0);
  store<u32>(NZCV, <u32>spsr & 0xf0000000);
  store<u32>(DAIF, <u32>spsr & 0x3c0);
  if (m == 0 || m == 4 || m == 5) {
    switchStack(m >> 2, m & 1);
    store<u32>(PSTATE_IL, <u32>(spsr >> 20) & 1); // SPSR.IL is restored to PSTATE.IL
  } else {
    store<u32>(PSTATE_IL, 1); // M names a mode this vCPU cannot enter
  }
  // An exception return to EL0 with an untagged VA keeps the address as given (TBI aside).
  store<u64>(PC, target);
  updateAttention();
}

/**
 * PSTATE.IL set: the instruction about to execute takes an Illegal Execution state exception
 * (EC 0x0E). Called after its fetch succeeded: a PC alignment fault or an instruction abort on
 * that fetch has priority (D1.13.2, synchronous exception prioritization).
 */
export function takeIllegalState(): void {
  takeSync(EC_ILLEGAL, 0, 0, false); // SPSR_EL1.IL = 1 records the illegal return
  store<u32>(PSTATE_IL, 0);
  updateAttention();
}

/** Recomputes whether an unmasked virtual exception is pending (the loop's cheap check). */
export function updateAttention(): void {
  const hcr = load<u64>(HCR_EL2);
  const daif = load<u32>(DAIF);
  let a: u32 = 0;
  if ((hcr & HCR_VSE) != 0 && (daif & PSTATE_A) == 0) a = 1;
  if ((hcr & HCR_VI) != 0 && (daif & PSTATE_I) == 0) a = 1;
  if ((hcr & HCR_VF) != 0 && (daif & PSTATE_F) == 0) a = 1;
  if (load<u32>(PSTATE_IL) != 0) a = 1;
  store<u32>(ATTENTION, a);
}

/**
 * Takes the highest-priority unmasked pending virtual exception, before the instruction at PC.
 * Returns true when one was taken. SError first, then FIQ, then IRQ.
 */
export function takePending(): bool {
  const hcr = load<u64>(HCR_EL2);
  const daif = load<u32>(DAIF);
  const pc = load<u64>(PC);
  if ((hcr & HCR_VSE) != 0 && (daif & PSTATE_A) == 0) {
    // The pending bit clears when taken; ESR_EL1.ISS comes from VSESR_EL2 (IDS, ISS).
    store<u64>(HCR_EL2, hcr & ~HCR_VSE);
    const vsesr = load<u64>(VSESR_EL2) & 0x1ffffff;
    takeException(VEC_SERROR, (<u64>EC_SERROR << 26) | (1 << 25) | vsesr, pc, 0, false);
    return true;
  }
  if ((hcr & HCR_VF) != 0 && (daif & PSTATE_F) == 0) {
    takeException(VEC_FIQ, 0, pc, 0, false);
    return true;
  }
  if ((hcr & HCR_VI) != 0 && (daif & PSTATE_I) == 0) {
    takeException(VEC_IRQ, 0, pc, 0, false);
    return true;
  }
  store<u32>(ATTENTION, 0);
  return false;
}
