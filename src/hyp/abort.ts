// Stage-2 aborts, handled in the order of KVM's kvm_handle_guest_abort (arch/arm64/kvm/mmu.c)
// and io_mem_abort (mmio.c):
//   1. IPA beyond the 40-bit IPA space: inject an address size fault (kvm_inject_size_fault).
//   2. Inside a memslot and not a write to a read-only one: map the page (user_mem_abort).
//   3. Otherwise (outside RAM, or a write to flash):
//      a. instruction fetch: inject a prefetch abort (kvm_inject_pabt);
//      b. stage-1 table walk (S1PTW): inject a data abort (kvm_inject_dabt);
//      c. cache maintenance (CM): skip the instruction;
//      MMIO guard, once the VM is enrolled (outside RAM only): ISV = 0, or a granule of the access
//         the guest has not mapped, is a violation: inject it (SError or data abort) and stop;
//      d. no valid syndrome (ISV = 0): stop with an error (KVM_EXIT_ARM_NISV), or, with
//         emulateNisv, decode and perform the access here;
//      e. emulate the access on the device bus (a read-only slot drops the write); nothing there:
//         inject a synchronous external abort, as QEMU does for an access to unassigned space.
import type { Cpu, Exit } from '../cpu/cpu.ts';
import { decodeAbort, EC_IABT_LOW, FSC_ACCESS_FLAG, FSC_PERMISSION, FSC_TRANSLATION, type AbortSyndrome } from './esr.ts';
import { injectDataAbort, injectPrefetchAbort, FSC_ADDRSZ_L0 } from './inject.ts';
import type { Memslots } from './memslots.ts';
import { emulateMmio, type PhysSpace } from './mmio.ts';
import type { MmioGuard } from './mmio-guard.ts';
import { emulateNisv } from './nisv.ts';
import { IPA_BITS, PAGE_SIZE, type Stage2 } from './stage2.ts';
import { disassemble } from '../tools/disasm.ts';

export interface AbortContext {
  cpu: Cpu;
  memslots: Memslots;
  stage2: Stage2;
  phys: PhysSpace;
  /** Decode and perform ISV = 0 accesses instead of stopping. */
  emulateNisv: boolean;
  /** The MMIO guard: once the VM is enrolled, it vets every access outside RAM (steps d and e). */
  guard?: MmioGuard;
}

export type AbortOutcome =
  | { kind: 'continue'; action: 'mapped' | 'injected-pabt' | 'injected-dabt' | 'skipped-cm' | 'mmio' | 'nisv-emulated' | 'guard-serror' | 'guard-dabt' }
  | { kind: 'error'; message: string };

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/** The first IPA beyond the stage-2 input range. */
const IPA_LIMIT = 1n << BigInt(IPA_BITS);

export function handleGuestAbort(ctx: AbortContext, exit: Exit): AbortOutcome {
  const { cpu, memslots } = ctx;
  const syn = decodeAbort(exit.esr);
  const isIabt = syn.ec === EC_IABT_LOW;
  const ipa = exit.ipa;
  const fscType = syn.fsc & 0x3c;

  if (ipa >= IPA_LIMIT) {
    // kvm_inject_size_fault: the abort KVM would inject, with FSC = address size fault, level 0.
    const far = ipa;
    if (isIabt) injectPrefetchAbort(cpu, far, FSC_ADDRSZ_L0);
    else injectDataAbort(cpu, far, FSC_ADDRSZ_L0);
    return { kind: 'continue', action: isIabt ? 'injected-pabt' : 'injected-dabt' };
  }
  if (fscType !== FSC_TRANSLATION && fscType !== FSC_ACCESS_FLAG && fscType !== FSC_PERMISSION) {
    return { kind: 'error', message: `unsupported stage-2 fault status ${hex(syn.fsc)} at PC ${hex(cpu.pc)} (IPA ${hex(ipa)})` };
  }

  const slot = memslots.find(ipa);
  const writeFault = syn.s1ptw ? fscType === FSC_PERMISSION : !isIabt && syn.wnr;
  if (slot && !(writeFault && slot.readonly)) return mapPage(ctx, Number(ipa), syn, isIabt, writeFault);

  if (isIabt) { injectPrefetchAbort(cpu, exit.far); return { kind: 'continue', action: 'injected-pabt' }; }
  if (syn.s1ptw) { injectDataAbort(cpu, exit.far); return { kind: 'continue', action: 'injected-dabt' }; }
  if (syn.cm && !slot) { cpu.pc += 4n; return { kind: 'continue', action: 'skipped-cm' }; }
  if (!slot && ctx.guard) {
    // MMIO guard (mmio-guard.ts): ISV = 0 while enrolled, then both granules of the access.
    const vetoed = ctx.guard.check(exit, syn);
    if (vetoed) return vetoed;
  }
  return ioMemAbort(ctx, exit, syn);
}

/** io_mem_abort: emulate the access on the device side. */
function ioMemAbort(ctx: AbortContext, exit: Exit, syn: AbortSyndrome): AbortOutcome {
  const { cpu } = ctx;
  const ipa = Number(exit.ipa);
  if (!syn.isv) {
    if (!ctx.emulateNisv) {
      return {
        kind: 'error',
        message: `data abort without a valid syndrome (ISV = 0) at PC ${hex(cpu.pc)}: \`${disassemble(exit.insn, cpu.pc)}\` ` +
          `accessing ${hex(ipa)} (VA ${hex(exit.far)}), outside RAM; an access to MMIO must be a single ` +
          `general-purpose register load or store without writeback (or run with --emulate-nisv)`,
      };
    }
    // Other elements of the access are on the same page as the faulting one (MMU on), or VA = IPA.
    // With the MMU off an element past the IPA space aborts (KVM would find no memslot or device).
    const toIpa = (va: bigint): number | null | undefined => {
      if ((cpu.sysreg('SCTLR_EL1') & 1n) === 0n) return va < IPA_LIMIT ? Number(va) : null;
      return va >> 12n === exit.far >> 12n ? (ipa & ~(PAGE_SIZE - 1)) + Number(va & 0xfffn) : undefined;
    };
    const r = emulateNisv(cpu, exit.insn, ctx.phys, toIpa);
    if (r.kind === 'done') return { kind: 'continue', action: 'nisv-emulated' };
    if (r.kind === 'bus-error') { injectDataAbort(cpu, r.va); return { kind: 'continue', action: 'injected-dabt' }; }
    return {
      kind: 'error',
      message: `cannot emulate \`${disassemble(exit.insn, cpu.pc)}\` at PC ${hex(cpu.pc)} accessing ${hex(ipa)}: ${r.reason}`,
    };
  }
  const r = emulateMmio(cpu, syn, ipa, ctx.phys);
  if (r.kind === 'done') return { kind: 'continue', action: 'mmio' };
  injectDataAbort(cpu, exit.far);
  return { kind: 'continue', action: 'injected-dabt' };
}

/** user_mem_abort: a fault inside a memslot maps the page with the slot's permissions. */
function mapPage(ctx: AbortContext, ipa: number, syn: AbortSyndrome, isIabt: boolean, write: boolean): AbortOutcome {
  const { cpu, memslots, stage2 } = ctx;
  const slot = memslots.find(ipa)!;
  const page = ipa - (ipa % PAGE_SIZE);
  const w = stage2.walk(page);
  const perms = { r: true, w: !slot.readonly, x: true };
  const covered = w.pa !== undefined && w.perms && (isIabt ? w.perms.x : write ? w.perms.w : w.perms.r);
  if (covered) {
    return {
      kind: 'error',
      message: `stage-2 fault (FSC ${hex(syn.fsc)}) at PC ${hex(cpu.pc)} on IPA ${hex(ipa)}, which memslot ${slot.name} maps already`,
    };
  }
  stage2.map(page, slot.host + (page - slot.ipa), PAGE_SIZE, perms);
  if (write && !slot.readonly) memslots.dirtyLog?.(slot, page);
  return { kind: 'continue', action: 'mapped' };
}
