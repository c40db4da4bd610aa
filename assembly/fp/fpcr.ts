// FPCR controls and FPSR cumulative exception flags (Arm ARM D17.2.47 FPCR, D17.2.52 FPSR) as the
// floating-point pseudocode uses them. Both live in the state block as u32 values. Trap enable
// bits read as zero in this implementation, so FPProcessException only ever sets the cumulative
// flag (the "untrapped" path of the pseudocode).
import { FPCR, FPSR } from '../layout';

// FPCR fields
export const FPCR_AHP: u32 = 1 << 26; // alternative half-precision format
export const FPCR_DN: u32 = 1 << 25; // default NaN
export const FPCR_FZ: u32 = 1 << 24; // flush-to-zero (single and double precision)
// FPCR.RMode (bits 23:22) values are the FPRounding values 0..3 below.

// FPRounding, in the order of FPCR.RMode; TIEAWAY and ODD are only ever chosen by an instruction.
export const RM_TIEEVEN: u32 = 0;
export const RM_POSINF: u32 = 1;
export const RM_NEGINF: u32 = 2;
export const RM_ZERO: u32 = 3;
export const RM_TIEAWAY: u32 = 4;
export const RM_ODD: u32 = 5;

// FPSR cumulative flags, by FPExc
export const IOC: u32 = 1 << 0; // invalid operation
export const DZC: u32 = 1 << 1; // divide by zero
export const OFC: u32 = 1 << 2; // overflow
export const UFC: u32 = 1 << 3; // underflow
export const IXC: u32 = 1 << 4; // inexact
export const IDC: u32 = 1 << 7; // input denormal

/** The FPCR value an instruction runs under (read once per instruction). */
// @ts-ignore: decorator
@inline export function fpcrValue(): u32 { return load<u32>(FPCR); }

/** FPRoundingMode(fpcr). */
// @ts-ignore: decorator
@inline export function fpRoundingMode(fpcr: u32): u32 { return (fpcr >> 22) & 3; }

/** FPProcessException with the trap disabled: set the cumulative flag(s). */
// @ts-ignore: decorator
@inline export function fpException(flags: u32): void {
  store<u32>(FPSR, load<u32>(FPSR) | flags);
}
