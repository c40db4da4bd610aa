// Readable reports of mismatching cases: the encoding, its disassembly, the inputs that matter,
// both outputs, the fields that differ, and (when given) the minimised inputs.
import { matchEncoding } from '../../isa/encodings.ts';
import {
  type Case, type Result, initialState, formatResult, F_MMU_OFF, F_ALIGN_CHECK, F_FP, MON_KINDS, SYS_NAMES, SLOT_SYS,
  WINDOW_ADDR,
  SLOT_ADDR,
} from './format.ts';
import type { Comparison } from './compare.ts';
import { disassemble } from '../disasm.ts';
import { effectiveAddress } from './generate.ts';

const h = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');

export function describeFlags(c: Case): string {
  const f: string[] = [c.flags & F_MMU_OFF ? 'MMU off (Device memory)' : 'MMU on (Normal memory)'];
  if (c.flags & F_ALIGN_CHECK) f.push('SCTLR_EL1.A=1');
  if (c.mon) f.push(`monitor armed by ${MON_KINDS[c.mon][0]} at window+0x${c.monOff.toString(16)}`);
  return f.join(', ');
}

/** The registers the encoding names, with their initial values. */
export function describeInputs(c: Case): string {
  const enc = matchEncoding(c.insn);
  const st = initialState(c);
  const parts: string[] = [`NZCV=${c.nzcv.toString(2).padStart(4, '0')}`, `DAIF=${c.daif.toString(2).padStart(4, '0')}`];
  const seen = new Set<number>();
  for (const f of enc?.fields ?? []) {
    const base = f.name.replace(/_SP$/, '');
    if (!['Rd', 'Rn', 'Rm', 'Ra', 'Rt', 'Rt2', 'Rs'].includes(base)) continue;
    const n = (c.insn >>> f.lsb) & 31;
    if (n === 31) {
      if (f.name.endsWith('_SP') && !seen.has(31)) { seen.add(31); parts.push(`SP=${h(st.sp)}`); }
      continue;
    }
    if (seen.has(n)) continue;
    seen.add(n);
    parts.push(`x${n}=${h(st.x[n])}`);
  }
  if (c.flags & F_FP) {
    const vs = new Set<number>();
    for (const f of enc?.fields ?? []) if (/^V[dnma]$/.test(f.name)) vs.add((c.insn >>> f.lsb) & 31);
    for (const n of [...vs].sort((a, b) => a - b)) parts.push(`v${n}=0x${st.v[n].toString(16).padStart(32, '0')}`);
    parts.push(`FPCR=0x${st.fpcr.toString(16)}`, `FPSR=0x${st.fpsr.toString(16)}`);
  }
  const ea = effectiveAddress(c, st);
  if (ea !== undefined) parts.push(`address=${h(ea)} (window+${(ea - BigInt(WINDOW_ADDR)).toString()})`);
  return parts.join(' ');
}

/** Non-zero inputs of a materialised (minimised) case. */
export function describeMinimised(c: Case): string {
  const parts: string[] = [];
  for (const [n, v] of [...c.regs].sort((a, b) => a[0] - b[0])) {
    if (v === 0n) continue;
    parts.push(n < 31 ? `x${n}=${h(v)}` : n === 31 ? `SP=${h(v)}` : `${SYS_NAMES[n - SLOT_SYS]}=${h(v)}`);
  }
  for (const [n, v] of [...c.win].sort((a, b) => a[0] - b[0])) if (v !== 0n) parts.push(`window[0x${(n * 8).toString(16)}]=${h(v)}`);
  for (const [n, v] of [...c.vregs].sort((a, b) => a[0] - b[0])) if (v !== 0n) parts.push(`v${n}=0x${v.toString(16).padStart(32, '0')}`);
  if (c.flags & F_FP) parts.push(`FPCR=0x${c.fpcr.toString(16)}`, `FPSR=0x${c.fpsr.toString(16)}`);
  return `${parts.join(' ') || '(all zero)'}; everything else 0; NZCV=${c.nzcv.toString(2).padStart(4, '0')}`;
}

export interface Minimised { case: Case; qemu?: Result; a64?: Result }

export function formatMismatch(c: Case, cmp: Comparison, qemu: Result, a64: Result, min?: Minimised, other = 'a64vm'): string {
  const enc = matchEncoding(c.insn);
  const lines = [
    `MISMATCH case #${cmp.index}: ${enc?.name ?? '(no encoding)'}  ${(c.insn >>> 0).toString(16).padStart(8, '0')}  ${disassemble(c.insn, BigInt(SLOT_ADDR))}`,
    `  state:    ${describeFlags(c)}; seed 0x${c.seed.toString(16)}`,
    `  inputs:   ${describeInputs(c)}`,
    `  qemu:     ${formatResult(qemu)}`,
  ];
  if (cmp.deviations.length) lines.push(`  expected: ${formatResult(cmp.expected)}  (${cmp.deviations.join(', ')})`);
  lines.push(`  ${(other + ':').padEnd(9)} ${formatResult(a64)}`);
  for (const d of cmp.diffs) lines.push(`  differs:  ${d.field}: expected ${d.expected}, ${other} ${d.actual}`);
  if (min) {
    lines.push(`  minimised: ${describeMinimised(min.case)}`);
    if (min.qemu) lines.push(`    qemu:    ${formatResult(min.qemu)}`);
    if (min.a64) lines.push(`    ${(other + ':').padEnd(8)} ${formatResult(min.a64)}`);
  }
  return lines.join('\n');
}
