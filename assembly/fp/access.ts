// Access control for SIMD&FP instructions: CPACR_EL1.FPEN (Arm ARM D17.2.30, and the pseudocode
// AArch64.CheckFPAdvSIMDEnabled / AArch64.CheckFPEnabled). The host is EL2 and never traps FP
// (CPTR_EL2.TFP = 0, as KVM leaves it for a guest that owns its FP state).
import { CPACR_EL1, CURRENT_EL } from '../layout';
import { takeSync, EC_FP } from '../exceptions';

// ISS of an EC 0x07 trap from AArch64: CV = 1, COND = 0b1110, as QEMU reports it
// (the Arm ARM allows either this or CV = 0, COND = 0 for AArch64 state).
const FP_TRAP_ISS: u32 = (1 << 24) | (0xe << 20);

/**
 * True when the current EL may use SIMD&FP. Otherwise takes the "Access to SIMD or floating-point
 * functionality trapped" exception to EL1 and returns false. FPEN: 0b01 traps EL0 only; 0b00 and
 * 0b10 trap EL0 and EL1; 0b11 traps nothing.
 */
// @ts-ignore: decorator
@inline export function fpAccessOK(): bool {
  const fpen = <u32>(load<u64>(CPACR_EL1) >> 20) & 3;
  if (fpen == 3 || (fpen == 1 && load<u32>(CURRENT_EL) != 0)) return true;
  takeSync(EC_FP, FP_TRAP_ISS, 0, false);
  return false;
}
