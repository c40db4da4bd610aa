// Synchronous exception injection into the guest's EL1, as KVM's arch/arm64/kvm/inject_fault.c
// (inject_abt64, inject_undef64) does, and exactly as the CPU's own takeException enters an
// exception (Arm ARM D1.10): SPSR_EL1 = PSTATE, ELR_EL1 = the preferred return address,
// ESR_EL1/FAR_EL1, then EL1h (SP_EL1 selected, banked SP switched), DAIF all masked, the local
// exclusive monitor cleared, PC = VBAR_EL1 + the vector group offset.
import { layout as L, type Cpu } from '../cpu/cpu.ts';

export const EC_UNKNOWN = 0x00;
export const EC_IABT_LOWER = 0x20;
export const EC_IABT_CUR = 0x21;
export const EC_DABT_LOWER = 0x24;
export const EC_DABT_CUR = 0x25;
export const ESR_IL = 1n << 25n;
/** Synchronous External abort, not on translation table walk (DFSC/IFSC). */
export const FSC_EXTABT = 0x10;
/** Address size fault, level 0 (KVM's kvm_inject_size_fault). */
export const FSC_ADDRSZ_L0 = 0x00;

/** Vector group offsets (D1.10.2): current EL with SP_EL0, current EL with SP_ELx, lower EL AArch64. */
export const VECTOR_CUR_SP0 = 0x000;
export const VECTOR_CUR_SPX = 0x200;
export const VECTOR_LOWER_A64 = 0x400;

/** PSTATE in SPSR_EL1 format: N Z C V [31:28], D A I F [9:6], M[3:0] = EL << 2 | SPSel. */
export function pstateToSpsr(cpu: Cpu): bigint {
  return BigInt((cpu.nzcv | cpu.daif | (cpu.el << 2) | cpu.spsel) >>> 0);
}

/** Takes a synchronous exception to EL1 with the given ESR_EL1; elr defaults to the current PC. */
export function injectSync(cpu: Cpu, esr: bigint, opts: { far?: bigint; elr?: bigint } = {}): void {
  const el = cpu.el;
  const group = el === 0 ? VECTOR_LOWER_A64 : cpu.spsel !== 0 ? VECTOR_CUR_SPX : VECTOR_CUR_SP0;
  const vbar = cpu.sysreg('VBAR_EL1') & ~0x7ffn;
  cpu.setSysreg('SPSR_EL1', pstateToSpsr(cpu));
  cpu.setSysreg('ELR_EL1', opts.elr ?? cpu.pc);
  cpu.setSysreg('ESR_EL1', esr & 0xffff_ffffn);
  if (opts.far !== undefined) cpu.setSysreg('FAR_EL1', opts.far);
  cpu.setPstateMode(1, 1);
  cpu.daif = 0x3c0;
  cpu.setU32(L.EXCL_VALID, 0);
  cpu.pc = vbar + BigInt(group);
}

/** kvm_inject_dabt: a synchronous external data abort at the current instruction. */
export function injectDataAbort(cpu: Cpu, far: bigint, fsc = FSC_EXTABT): void {
  const ec = cpu.el === 0 ? EC_DABT_LOWER : EC_DABT_CUR;
  injectSync(cpu, (BigInt(ec) << 26n) | ESR_IL | BigInt(fsc), { far });
}

/** kvm_inject_pabt: a synchronous external instruction abort at the current instruction. */
export function injectPrefetchAbort(cpu: Cpu, far: bigint, fsc = FSC_EXTABT): void {
  const ec = cpu.el === 0 ? EC_IABT_LOWER : EC_IABT_CUR;
  injectSync(cpu, (BigInt(ec) << 26n) | ESR_IL | BigInt(fsc), { far });
}

/** kvm_inject_undefined: EC 0 (Unknown reason), IL = 1, for the instruction at elr. */
export function injectUndefined(cpu: Cpu, elr: bigint = cpu.pc): void {
  injectSync(cpu, (BigInt(EC_UNKNOWN) << 26n) | ESR_IL, { elr });
}

/** HCR_EL2.VSE: a virtual SError is pending (taken at EL1 when PSTATE.A is clear). */
export const HCR_VSE = 1n << 8n;
/** ESR_ELx.IDS for an SError (ISS bit 24): the rest of the ISS is IMPLEMENTATION DEFINED. */
export const SERROR_IDS = 1n << 24n;

/**
 * Marks a virtual SError pending with syndrome iss (VSESR_EL2, ISS [24:0]), as KVM's
 * kvm_inject_vabt does with HCR_EL2.VSE. The CPU takes it before the next instruction that runs
 * with PSTATE.A clear: vector +0x180, ESR_EL1 = EC 0x2F | IL | iss, ELR_EL1 = that instruction.
 * Setting HCR_EL2 through setSysreg makes the CPU recompute what is pending.
 */
export function injectVirtualSError(cpu: Cpu, iss: bigint = SERROR_IDS): void {
  cpu.setSysreg('VSESR_EL2', iss & 0x1ff_ffffn);
  cpu.setSysreg('HCR_EL2', cpu.sysreg('HCR_EL2') | HCR_VSE);
}
