// The registers the gdb stub offers, in gdb's numbering, and the target description that names
// them: org.gnu.gdb.aarch64.core (x0-x30, sp, pc, cpsr; regnums 0-33), org.gnu.gdb.aarch64.fpu
// (v0-v31, fpsr, fpcr; 34-67), and org.a64vm.sysregs, a few EL1 system registers (68-).
import { layout as L } from '../../cpu/cpu.ts';
import type { VM } from '../../vm.ts';
import { pstate, reg32, reg64, setPstate, setReg32, setReg64 } from '../vcpus.ts';

export interface RegDef {
  name: string;
  bits: 32 | 64 | 128;
  read(vm: VM, i: number): bigint;
  write(vm: VM, i: number, v: bigint): void;
}

const u64At = (addr: number): Pick<RegDef, 'read' | 'write'> => ({
  read: (vm, i) => reg64(vm, i, addr),
  write: (vm, i, v) => setReg64(vm, i, addr, v),
});

/** SP_EL0 / SP_EL1: the banked copy, or the live SP when the current mode uses that bank. */
function bankedSp(el1: boolean): Pick<RegDef, 'read' | 'write'> {
  const live = (vm: VM, i: number) => {
    const usesEl1 = reg32(vm, i, L.CURRENT_EL) !== 0 && reg32(vm, i, L.SPSEL) !== 0;
    return usesEl1 === el1;
  };
  const slot = el1 ? L.SP_EL1 : L.SP_EL0;
  return {
    read: (vm, i) => reg64(vm, i, live(vm, i) ? L.XSP : slot),
    write: (vm, i, v) => setReg64(vm, i, live(vm, i) ? L.XSP : slot, v),
  };
}

const SYSREGS: [string, number][] = [
  ['sctlr_el1', L.SCTLR_EL1], ['tcr_el1', L.TCR_EL1], ['ttbr0_el1', L.TTBR0_EL1], ['ttbr1_el1', L.TTBR1_EL1],
  ['mair_el1', L.MAIR_EL1], ['vbar_el1', L.VBAR_EL1], ['esr_el1', L.ESR_EL1], ['far_el1', L.FAR_EL1],
  ['elr_el1', L.ELR_EL1], ['spsr_el1', L.SPSR_EL1], ['cpacr_el1', L.CPACR_EL1], ['contextidr_el1', L.CONTEXTIDR_EL1],
  ['tpidr_el0', L.TPIDR_EL0], ['tpidr_el1', L.TPIDR_EL1], ['mpidr_el1', L.MPIDR_EL1],
  ['cntv_ctl_el0', L.CNTV_CTL_EL0], ['cntv_cval_el0', L.CNTV_CVAL_EL0],
];

export const REGS: RegDef[] = [
  ...Array.from({ length: 31 }, (_, n): RegDef => ({ name: `x${n}`, bits: 64, ...u64At(L.X0 + 8 * n) })),
  { name: 'sp', bits: 64, ...u64At(L.XSP) },
  { name: 'pc', bits: 64, ...u64At(L.PC) },
  { name: 'cpsr', bits: 32, read: (vm, i) => BigInt(pstate(vm, i)), write: (vm, i, v) => setPstate(vm, i, Number(v & 0xffff_ffffn)) },
  ...Array.from({ length: 32 }, (_, n): RegDef => ({
    name: `v${n}`, bits: 128,
    read: (vm, i) => reg64(vm, i, L.V0 + 16 * n) | (reg64(vm, i, L.V0 + 16 * n + 8) << 64n),
    write: (vm, i, v) => { setReg64(vm, i, L.V0 + 16 * n, v); setReg64(vm, i, L.V0 + 16 * n + 8, v >> 64n); },
  })),
  { name: 'fpsr', bits: 32, read: (vm, i) => BigInt(reg32(vm, i, L.FPSR)), write: (vm, i, v) => setReg32(vm, i, L.FPSR, Number(v & 0xffff_ffffn)) },
  { name: 'fpcr', bits: 32, read: (vm, i) => BigInt(reg32(vm, i, L.FPCR)), write: (vm, i, v) => setReg32(vm, i, L.FPCR, Number(v & 0xffff_ffffn)) },
  { name: 'sp_el0', bits: 64, ...bankedSp(false) },
  { name: 'sp_el1', bits: 64, ...bankedSp(true) },
  { name: 'currentel', bits: 64, read: (vm, i) => BigInt(reg32(vm, i, L.CURRENT_EL) << 2), write: () => {} },
  ...SYSREGS.map(([name, addr]): RegDef => ({ name, bits: 64, ...u64At(addr) })),
];

export const PC_REGNUM = 32;
const FPU_FIRST = 34;
const SYS_FIRST = 68;

/** Little-endian hex of register n of vCPU i, as the g and p packets carry it. */
export function regHex(vm: VM, i: number, n: number): string {
  const r = REGS[n];
  let v = BigInt.asUintN(r.bits, r.read(vm, i));
  let s = '';
  for (let k = 0; k < r.bits / 8; k++) { s += Number(v & 0xffn).toString(16).padStart(2, '0'); v >>= 8n; }
  return s;
}

/** Parses little-endian hex into register n of vCPU i; returns the hex digits used. */
export function setRegHex(vm: VM, i: number, n: number, hex: string): number {
  const r = REGS[n];
  const len = r.bits / 4;
  if (hex.length < len) throw new Error(`register ${r.name}: ${hex.length} hex digits, need ${len}`);
  let v = 0n;
  for (let k = r.bits / 8 - 1; k >= 0; k--) v = (v << 8n) | BigInt(parseInt(hex.slice(2 * k, 2 * k + 2), 16));
  r.write(vm, i, v);
  return len;
}

/** The target description (target.xml). */
export function targetXml(): string {
  const reg = (n: number, extra = '') => `  <reg name="${REGS[n].name}" bitsize="${REGS[n].bits}" regnum="${n}"${extra}/>`;
  const core = [
    '<feature name="org.gnu.gdb.aarch64.core">',
    '  <flags id="cpsr_flags" size="4">',
    '    <field name="SP" start="0" end="0"/>', '    <field name="EL" start="2" end="3"/>',
    '    <field name="nRW" start="4" end="4"/>', '    <field name="F" start="6" end="6"/>',
    '    <field name="I" start="7" end="7"/>', '    <field name="A" start="8" end="8"/>',
    '    <field name="D" start="9" end="9"/>', '    <field name="IL" start="20" end="20"/>',
    '    <field name="SS" start="21" end="21"/>', '    <field name="V" start="28" end="28"/>',
    '    <field name="C" start="29" end="29"/>', '    <field name="Z" start="30" end="30"/>',
    '    <field name="N" start="31" end="31"/>',
    '  </flags>',
    ...Array.from({ length: 31 }, (_, n) => reg(n, ' type="int" group="general"')),
    reg(31, ' type="data_ptr" group="general"'),
    reg(32, ' type="code_ptr" group="general"'),
    reg(33, ' type="cpsr_flags" group="general"'),
    '</feature>',
  ];
  const fpu = [
    '<feature name="org.gnu.gdb.aarch64.fpu">',
    '  <vector id="v2d" type="ieee_double" count="2"/>', '  <vector id="v2u" type="uint64" count="2"/>',
    '  <vector id="v2i" type="int64" count="2"/>', '  <vector id="v4f" type="ieee_single" count="4"/>',
    '  <vector id="v4u" type="uint32" count="4"/>', '  <vector id="v4i" type="int32" count="4"/>',
    '  <vector id="v8u" type="uint16" count="8"/>', '  <vector id="v8i" type="int16" count="8"/>',
    '  <vector id="v16u" type="uint8" count="16"/>', '  <vector id="v16i" type="int8" count="16"/>',
    '  <vector id="v1u" type="uint128" count="1"/>', '  <vector id="v1i" type="int128" count="1"/>',
    '  <union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>',
    '  <union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>',
    '  <union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>',
    '  <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>',
    '  <union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>',
    '  <union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>',
    ...Array.from({ length: 32 }, (_, n) => reg(FPU_FIRST + n, ' type="aarch64v" group="vector"')),
    reg(FPU_FIRST + 32, ' type="int" group="float"'),
    reg(FPU_FIRST + 33, ' type="int" group="float"'),
    '</feature>',
  ];
  const sys = [
    '<feature name="org.a64vm.sysregs">',
    ...REGS.slice(SYS_FIRST).map((_, k) => reg(SYS_FIRST + k, ' type="uint64" group="system"')),
    '</feature>',
  ];
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>aarch64</architecture>',
    ...core, ...fpu, ...sys,
    '</target>',
  ].join('\n');
}
