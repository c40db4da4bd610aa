// The A64 encoding table: one line per encoding, the bit pattern written MSB first as the Arm ARM
// draws it (section C4, "A64 Instruction Set Encoding"). It drives the decoder
// (scripts/gen-decoder.ts writes assembly/gen/), the random-instruction generator of the
// differential tests, and the coverage report.
//
// Pattern tokens, most significant first, 32 bits in all:
//   0 1 x       fixed bits (x: either value)
//   name:W      a field of W bits
//   name=BITS   a field that must hold these bits in this encoding
// Register fields are recognised by name: Rd Rn Rm Ra Rt Rt2 Rs; the suffix _SP means that the
// value 31 names the stack pointer instead of the zero register.
//
// group:   the file assembly/exec/<group>.ts that defines exec_<handler>(rec) and, if given,
//          pre_<pre>(word, rec): bool, run once at decode time (false = UNDEFINED).
// handler: defaults to the name; several encodings may share one handler when the decode step
//          stores what differs (an addressing mode, an access size) in the record.

export interface Encoding {
  name: string;
  group: string;
  pattern: string;
  handler: string;
  pre?: string;
  /** Armv8.x feature the encoding needs (advertised in the ID registers), if not 8.0. */
  feature?: string;
  /** The handler reads the instruction counter (the generic timer): the loop stores it first. */
  readsClock?: boolean;
  /**
   * A SIMD&FP instruction: before the handler runs, the dispatcher applies CPACR_EL1.FPEN
   * (AArch64.CheckFPAdvSIMDEnabled) and traps with EC 0x07 when access is disabled.
   */
  fp?: boolean;
  /**
   * A basic block (assembly/blocks.ts) ends after this instruction. Default: every branch and
   * system encoding (they may change the PC, PSTATE, the translation regime or interrupt
   * masking, or exit to the host); false for system encodings that do none of that.
   */
  endsBlock?: boolean;
}

const table: Encoding[] = [];
function E(name: string, group: string, pattern: string, opts: { handler?: string; pre?: string; feature?: string; readsClock?: boolean; fp?: boolean; endsBlock?: boolean } = {}) {
  table.push({
    name, group, pattern, handler: opts.handler ?? name, pre: opts.pre, feature: opts.feature, readsClock: opts.readsClock, fp: opts.fp,
    endsBlock: opts.endsBlock ?? (group === 'branch' || group === 'system'),
  });
}

// ---- Data processing (immediate), C4.1.86 ----
E('ADR', 'dpimm', '0 immlo:2 10000 immhi:19 Rd:5');
E('ADRP', 'dpimm', '1 immlo:2 10000 immhi:19 Rd:5');
E('ADD_imm', 'dpimm', 'sf:1 0 0 100010 sh:1 imm12:12 Rn_SP:5 Rd_SP:5', { pre: 'addsub_imm' });
E('ADDS_imm', 'dpimm', 'sf:1 0 1 100010 sh:1 imm12:12 Rn_SP:5 Rd:5', { pre: 'addsub_imm' });
E('SUB_imm', 'dpimm', 'sf:1 1 0 100010 sh:1 imm12:12 Rn_SP:5 Rd_SP:5', { pre: 'addsub_imm' });
E('SUBS_imm', 'dpimm', 'sf:1 1 1 100010 sh:1 imm12:12 Rn_SP:5 Rd:5', { pre: 'addsub_imm' });
E('AND_imm', 'dpimm', 'sf:1 00 100100 N:1 immr:6 imms:6 Rn:5 Rd_SP:5', { pre: 'logical_imm' });
E('ORR_imm', 'dpimm', 'sf:1 01 100100 N:1 immr:6 imms:6 Rn:5 Rd_SP:5', { pre: 'logical_imm' });
E('EOR_imm', 'dpimm', 'sf:1 10 100100 N:1 immr:6 imms:6 Rn:5 Rd_SP:5', { pre: 'logical_imm' });
E('ANDS_imm', 'dpimm', 'sf:1 11 100100 N:1 immr:6 imms:6 Rn:5 Rd:5', { pre: 'logical_imm' });
E('MOVN', 'dpimm', 'sf:1 00 100101 hw:2 imm16:16 Rd:5', { pre: 'movewide' });
E('MOVZ', 'dpimm', 'sf:1 10 100101 hw:2 imm16:16 Rd:5', { pre: 'movewide' });
E('MOVK', 'dpimm', 'sf:1 11 100101 hw:2 imm16:16 Rd:5', { pre: 'movewide' });
E('SBFM', 'dpimm', 'sf:1 00 100110 N:1 immr:6 imms:6 Rn:5 Rd:5', { pre: 'bitfield' });
E('BFM', 'dpimm', 'sf:1 01 100110 N:1 immr:6 imms:6 Rn:5 Rd:5', { pre: 'bitfield' });
E('UBFM', 'dpimm', 'sf:1 10 100110 N:1 immr:6 imms:6 Rn:5 Rd:5', { pre: 'bitfield' });
E('EXTR', 'dpimm', 'sf:1 00 100111 N:1 0 Rm:5 imms:6 Rn:5 Rd:5', { pre: 'extr' });

// ---- Branches, exception generating and system instructions, C4.1.87 ----
E('B', 'branch', '0 00101 imm26:26', { pre: 'imm26' });
E('BL', 'branch', '1 00101 imm26:26', { pre: 'imm26' });
E('B_cond', 'branch', '0101010 0 imm19:19 0 cond:4', { pre: 'imm19' });
E('CBZ', 'branch', 'sf:1 011010 0 imm19:19 Rt:5', { pre: 'imm19' });
E('CBNZ', 'branch', 'sf:1 011010 1 imm19:19 Rt:5', { pre: 'imm19' });
E('TBZ', 'branch', 'b5:1 011011 0 b40:5 imm14:14 Rt:5', { pre: 'testbit' });
E('TBNZ', 'branch', 'b5:1 011011 1 b40:5 imm14:14 Rt:5', { pre: 'testbit' });
E('BR', 'branch', '1101011 0000 11111 000000 Rn:5 00000');
E('BLR', 'branch', '1101011 0001 11111 000000 Rn:5 00000');
E('RET', 'branch', '1101011 0010 11111 000000 Rn:5 00000');
E('ERET', 'branch', '1101011 0100 11111 000000 11111 00000');
E('SVC', 'system', '11010100 000 imm16:16 000 01');
E('HVC', 'system', '11010100 000 imm16:16 000 10');
E('SMC', 'system', '11010100 000 imm16:16 000 11');
E('BRK', 'system', '11010100 001 imm16:16 000 00');
E('HLT', 'system', '11010100 010 imm16:16 000 00');
E('HINT', 'system', '11010101 00000011 0010 CRm:4 op2:3 11111');
// (CLREX, DSB, DMB change nothing a block depends on; ISB, a context synchronization event,
// ends one, but shares their handler, so the barrier handler is split by what follows.)
E('CLREX', 'system', '11010101 00000011 0011 CRm:4 010 11111', { endsBlock: false });
E('DSB', 'system', '11010101 00000011 0011 CRm:4 100 11111', { handler: 'BARRIER', endsBlock: false });
E('DMB', 'system', '11010101 00000011 0011 CRm:4 101 11111', { handler: 'BARRIER', endsBlock: false });
E('ISB', 'system', '11010101 00000011 0011 CRm:4 110 11111', { handler: 'ISB' });
E('MSR_imm', 'system', '11010101 00000 op1:3 0100 CRm:4 op2:3 11111', { pre: 'msr_imm' });
E('SYS', 'system', '11010101 00001 op1:3 CRn:4 CRm:4 op2:3 Rt:5', { pre: 'sys' });
E('SYSL', 'system', '11010101 00101 op1:3 CRn:4 CRm:4 op2:3 Rt:5', { pre: 'sys' });
E('MSR_reg', 'system', '11010101 0001 o0:1 op1:3 CRn:4 CRm:4 op2:3 Rt:5', { pre: 'sysreg', readsClock: true });
// MRS only reads (a trapped one exits, which ends the block anyway).
E('MRS', 'system', '11010101 0011 o0:1 op1:3 CRn:4 CRm:4 op2:3 Rt:5', { pre: 'sysreg', readsClock: true, endsBlock: false });

// ---- Data processing (register), C4.1.89 ----
// Logical (shifted register): opc and N select the operation.
E('AND_shift', 'dpreg', 'sf:1 00 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('BIC_shift', 'dpreg', 'sf:1 00 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('ORR_shift', 'dpreg', 'sf:1 01 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('ORN_shift', 'dpreg', 'sf:1 01 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('EOR_shift', 'dpreg', 'sf:1 10 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('EON_shift', 'dpreg', 'sf:1 10 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('ANDS_shift', 'dpreg', 'sf:1 11 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('BICS_shift', 'dpreg', 'sf:1 11 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted' });
E('ADD_shift', 'dpreg', 'sf:1 0 0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted_arith' });
E('ADDS_shift', 'dpreg', 'sf:1 0 1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted_arith' });
E('SUB_shift', 'dpreg', 'sf:1 1 0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted_arith' });
E('SUBS_shift', 'dpreg', 'sf:1 1 1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', { pre: 'shifted_arith' });
E('ADD_ext', 'dpreg', 'sf:1 0 0 01011 00 1 Rm:5 option:3 imm3:3 Rn_SP:5 Rd_SP:5', { pre: 'extended' });
E('ADDS_ext', 'dpreg', 'sf:1 0 1 01011 00 1 Rm:5 option:3 imm3:3 Rn_SP:5 Rd:5', { pre: 'extended' });
E('SUB_ext', 'dpreg', 'sf:1 1 0 01011 00 1 Rm:5 option:3 imm3:3 Rn_SP:5 Rd_SP:5', { pre: 'extended' });
E('SUBS_ext', 'dpreg', 'sf:1 1 1 01011 00 1 Rm:5 option:3 imm3:3 Rn_SP:5 Rd:5', { pre: 'extended' });
E('ADC', 'dpreg', 'sf:1 0 0 11010000 Rm:5 000000 Rn:5 Rd:5');
E('ADCS', 'dpreg', 'sf:1 0 1 11010000 Rm:5 000000 Rn:5 Rd:5');
E('SBC', 'dpreg', 'sf:1 1 0 11010000 Rm:5 000000 Rn:5 Rd:5');
E('SBCS', 'dpreg', 'sf:1 1 1 11010000 Rm:5 000000 Rn:5 Rd:5');
E('CCMN_reg', 'dpreg', 'sf:1 0 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4');
E('CCMP_reg', 'dpreg', 'sf:1 1 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4');
E('CCMN_imm', 'dpreg', 'sf:1 0 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4');
E('CCMP_imm', 'dpreg', 'sf:1 1 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4');
E('CSEL', 'dpreg', 'sf:1 0 0 11010100 Rm:5 cond:4 00 Rn:5 Rd:5');
E('CSINC', 'dpreg', 'sf:1 0 0 11010100 Rm:5 cond:4 01 Rn:5 Rd:5');
E('CSINV', 'dpreg', 'sf:1 1 0 11010100 Rm:5 cond:4 00 Rn:5 Rd:5');
E('CSNEG', 'dpreg', 'sf:1 1 0 11010100 Rm:5 cond:4 01 Rn:5 Rd:5');
E('RBIT', 'dpreg', 'sf:1 1 0 11010110 00000 000000 Rn:5 Rd:5');
E('REV16', 'dpreg', 'sf:1 1 0 11010110 00000 000001 Rn:5 Rd:5');
E('REV32', 'dpreg', 'sf=1 1 0 11010110 00000 000010 Rn:5 Rd:5');
E('REV_w', 'dpreg', 'sf=0 1 0 11010110 00000 000010 Rn:5 Rd:5');
E('REV_x', 'dpreg', 'sf=1 1 0 11010110 00000 000011 Rn:5 Rd:5');
E('CLZ', 'dpreg', 'sf:1 1 0 11010110 00000 000100 Rn:5 Rd:5');
E('CLS', 'dpreg', 'sf:1 1 0 11010110 00000 000101 Rn:5 Rd:5');
E('UDIV', 'dpreg', 'sf:1 0 0 11010110 Rm:5 000010 Rn:5 Rd:5');
E('SDIV', 'dpreg', 'sf:1 0 0 11010110 Rm:5 000011 Rn:5 Rd:5');
E('LSLV', 'dpreg', 'sf:1 0 0 11010110 Rm:5 001000 Rn:5 Rd:5');
E('LSRV', 'dpreg', 'sf:1 0 0 11010110 Rm:5 001001 Rn:5 Rd:5');
E('ASRV', 'dpreg', 'sf:1 0 0 11010110 Rm:5 001010 Rn:5 Rd:5');
E('RORV', 'dpreg', 'sf:1 0 0 11010110 Rm:5 001011 Rn:5 Rd:5');
E('CRC32', 'dpreg', 'sf:1 0 0 11010110 Rm:5 010 0 sz:2 Rn:5 Rd:5', { pre: 'crc' });
E('CRC32C', 'dpreg', 'sf:1 0 0 11010110 Rm:5 010 1 sz:2 Rn:5 Rd:5', { pre: 'crc' });
E('MADD', 'dpreg', 'sf:1 00 11011 000 Rm:5 0 Ra:5 Rn:5 Rd:5');
E('MSUB', 'dpreg', 'sf:1 00 11011 000 Rm:5 1 Ra:5 Rn:5 Rd:5');
E('SMADDL', 'dpreg', 'sf=1 00 11011 001 Rm:5 0 Ra:5 Rn:5 Rd:5');
E('SMSUBL', 'dpreg', 'sf=1 00 11011 001 Rm:5 1 Ra:5 Rn:5 Rd:5');
E('SMULH', 'dpreg', 'sf=1 00 11011 010 Rm:5 0 Ra:5 Rn:5 Rd:5');
E('UMADDL', 'dpreg', 'sf=1 00 11011 101 Rm:5 0 Ra:5 Rn:5 Rd:5');
E('UMSUBL', 'dpreg', 'sf=1 00 11011 101 Rm:5 1 Ra:5 Rn:5 Rd:5');
E('UMULH', 'dpreg', 'sf=1 00 11011 110 Rm:5 0 Ra:5 Rn:5 Rd:5');

// ---- Loads and stores, C4.1.88 ----
// Single register, by (size, opc). Immediate forms share a handler per kind: the decode step
// stores the byte offset in imm and the addressing mode (offset, pre, post, unprivileged) in imm2.
const LDST_KINDS: [string, string, string][] = [
  ['STRB', '00', '00'], ['LDRB', '00', '01'], ['LDRSB_x', '00', '10'], ['LDRSB_w', '00', '11'],
  ['STRH', '01', '00'], ['LDRH', '01', '01'], ['LDRSH_x', '01', '10'], ['LDRSH_w', '01', '11'],
  ['STR_w', '10', '00'], ['LDR_w', '10', '01'], ['LDRSW', '10', '10'],
  ['STR_x', '11', '00'], ['LDR_x', '11', '01'],
];
for (const [k, size, opc] of LDST_KINDS) {
  E(`${k}_uimm`, 'ldst', `size=${size} 111 0 01 opc=${opc} imm12:12 Rn_SP:5 Rt:5`, { handler: `${k}_imm`, pre: 'ldst_uimm' });
  E(`${k}_unscaled`, 'ldst', `size=${size} 111 0 00 opc=${opc} 0 imm9:9 00 Rn_SP:5 Rt:5`, { handler: `${k}_imm`, pre: 'ldst_simm' });
  E(`${k}_post`, 'ldst', `size=${size} 111 0 00 opc=${opc} 0 imm9:9 01 Rn_SP:5 Rt:5`, { handler: `${k}_imm`, pre: 'ldst_simm' });
  E(`${k}_unpriv`, 'ldst', `size=${size} 111 0 00 opc=${opc} 0 imm9:9 10 Rn_SP:5 Rt:5`, { handler: `${k}_imm`, pre: 'ldst_simm' });
  E(`${k}_pre`, 'ldst', `size=${size} 111 0 00 opc=${opc} 0 imm9:9 11 Rn_SP:5 Rt:5`, { handler: `${k}_imm`, pre: 'ldst_simm' });
  E(`${k}_reg`, 'ldst', `size=${size} 111 0 00 opc=${opc} 1 Rm:5 option:3 S:1 10 Rn_SP:5 Rt:5`, { pre: 'ldst_reg' });
}
E('LDRSW_lit', 'ldst', '10 011 0 00 imm19:19 Rt:5', { pre: 'literal' });
E('LDR_lit_w', 'ldst', '00 011 0 00 imm19:19 Rt:5', { pre: 'literal' });
E('LDR_lit_x', 'ldst', '01 011 0 00 imm19:19 Rt:5', { pre: 'literal' });
E('PRFM_lit', 'ldst', '11 011 0 00 imm19:19 Rt:5', { handler: 'PRFM' });
E('PRFM_uimm', 'ldst', '11 111 0 01 10 imm12:12 Rn_SP:5 Rt:5', { handler: 'PRFM' });
E('PRFUM', 'ldst', '11 111 0 00 10 0 imm9:9 00 Rn_SP:5 Rt:5', { handler: 'PRFM' });
E('PRFM_reg', 'ldst', '11 111 0 00 10 1 Rm:5 option:3 S:1 10 Rn_SP:5 Rt:5', { handler: 'PRFM', pre: 'ldst_reg' });
// Pairs: opc selects W, LDPSW or X; the mode field is no-allocate, post, offset or pre.
for (const [k, opc, l] of [['STP_w', '00', '0'], ['LDP_w', '00', '1'], ['LDPSW', '01', '1'], ['STP_x', '10', '0'], ['LDP_x', '10', '1']]) {
  E(`${k}_np`, 'ldst', `opc=${opc} 101 0 000 L=${l} imm7:7 Rt2:5 Rn_SP:5 Rt:5`, { handler: k, pre: 'ldst_pair' });
  E(`${k}_post`, 'ldst', `opc=${opc} 101 0 001 L=${l} imm7:7 Rt2:5 Rn_SP:5 Rt:5`, { handler: k, pre: 'ldst_pair' });
  E(`${k}_off`, 'ldst', `opc=${opc} 101 0 010 L=${l} imm7:7 Rt2:5 Rn_SP:5 Rt:5`, { handler: k, pre: 'ldst_pair' });
  E(`${k}_pre`, 'ldst', `opc=${opc} 101 0 011 L=${l} imm7:7 Rt2:5 Rn_SP:5 Rt:5`, { handler: k, pre: 'ldst_pair' });
}

// ---- Exclusives, load-acquire/store-release, compare-and-swap (C4.1.88) ----
E('STXR', 'atomic', 'size:2 001000 0 0 0 Rs:5 o0:1 Rt2=11111 Rn_SP:5 Rt:5');
E('LDXR', 'atomic', 'size:2 001000 0 1 0 Rs=11111 o0:1 Rt2=11111 Rn_SP:5 Rt:5');
E('STXP', 'atomic', '1 sz:1 001000 0 0 1 Rs:5 o0:1 Rt2:5 Rn_SP:5 Rt:5');
E('LDXP', 'atomic', '1 sz:1 001000 0 1 1 Rs=11111 o0:1 Rt2:5 Rn_SP:5 Rt:5');
E('STLR', 'atomic', 'size:2 001000 1 0 0 Rs=11111 1 Rt2=11111 Rn_SP:5 Rt:5');
E('LDAR', 'atomic', 'size:2 001000 1 1 0 Rs=11111 1 Rt2=11111 Rn_SP:5 Rt:5');
E('CAS', 'atomic', 'size:2 001000 1 L:1 1 Rs:5 o0:1 Rt2=11111 Rn_SP:5 Rt:5', { feature: 'LSE' });
E('CASP', 'atomic', '0 sz:1 001000 0 L:1 1 Rs:5 o0:1 Rt2=11111 Rn_SP:5 Rt:5', { pre: 'casp', feature: 'LSE' });
// LSE atomic memory operations: A (acquire) and R (release) in bits 23:22.
for (const [k, o3opc] of [['LDADD', '0000'], ['LDCLR', '0001'], ['LDEOR', '0010'], ['LDSET', '0011'],
  ['LDSMAX', '0100'], ['LDSMIN', '0101'], ['LDUMAX', '0110'], ['LDUMIN', '0111'], ['SWP', '1000']]) {
  E(k, 'atomic', `size:2 111 0 00 A:1 R:1 1 Rs:5 ${o3opc} 00 Rn_SP:5 Rt:5`, { feature: 'LSE' });
}

// ---- Scalar floating point, C4.1.90-C4.1.102 (Armv8.0: ftype 00 single, 01 double; ftype 11,
// half precision, is FEAT_FP16 and only FCVT may use it here; ftype 10 is reserved) ----
const FP = { fp: true };
// Data-processing (1 source)
E('FMOV_reg', 'fp_dp1', '000 11110 0 ft:1 1 0000 00 10000 Vn:5 Vd:5', FP);
E('FABS', 'fp_dp1', '000 11110 0 ft:1 1 0000 01 10000 Vn:5 Vd:5', FP);
E('FNEG', 'fp_dp1', '000 11110 0 ft:1 1 0000 10 10000 Vn:5 Vd:5', FP);
E('FSQRT', 'fp_dp1', '000 11110 0 ft:1 1 0000 11 10000 Vn:5 Vd:5', FP);
E('FCVT', 'fp_dp1', '000 11110 ftype:2 1 0001 opc:2 10000 Vn:5 Vd:5', { fp: true, pre: 'fcvt' });
for (const [k, rm] of [['N', '000'], ['P', '001'], ['M', '010'], ['Z', '011'], ['A', '100'], ['X', '110'], ['I', '111']]) {
  E(`FRINT${k}`, 'fp_dp1', `000 11110 0 ft:1 1 001 rmode=${rm} 10000 Vn:5 Vd:5`, { fp: true, handler: 'FRINT', pre: 'frint' });
}
// Data-processing (2 source)
for (const [k, op] of [['FMUL', '0000'], ['FDIV', '0001'], ['FADD', '0010'], ['FSUB', '0011'], ['FMAX', '0100'],
  ['FMIN', '0101'], ['FMAXNM', '0110'], ['FMINNM', '0111'], ['FNMUL', '1000']]) {
  E(k, 'fp_dp2', `000 11110 0 ft:1 1 Vm:5 ${op} 10 Vn:5 Vd:5`, FP);
}
// Data-processing (3 source), fused
E('FMADD', 'fp_dp3', '000 11111 0 ft:1 0 Vm:5 0 Va:5 Vn:5 Vd:5', FP);
E('FMSUB', 'fp_dp3', '000 11111 0 ft:1 0 Vm:5 1 Va:5 Vn:5 Vd:5', FP);
E('FNMADD', 'fp_dp3', '000 11111 0 ft:1 1 Vm:5 0 Va:5 Vn:5 Vd:5', FP);
E('FNMSUB', 'fp_dp3', '000 11111 0 ft:1 1 Vm:5 1 Va:5 Vn:5 Vd:5', FP);
// Compare (the #0.0 forms ignore Rm, as QEMU does; the Arm ARM shows it as should-be-zero),
// conditional compare, conditional select, immediate
E('FCMP', 'fp_cmp', '000 11110 0 ft:1 1 Vm:5 00 1000 Vn:5 0 0 000', FP);
E('FCMPE', 'fp_cmp', '000 11110 0 ft:1 1 Vm:5 00 1000 Vn:5 1 0 000', { fp: true, handler: 'FCMP' });
E('FCMP_zero', 'fp_cmp', '000 11110 0 ft:1 1 xxxxx 00 1000 Vn:5 0 1 000', { fp: true, handler: 'FCMP' });
E('FCMPE_zero', 'fp_cmp', '000 11110 0 ft:1 1 xxxxx 00 1000 Vn:5 1 1 000', { fp: true, handler: 'FCMP' });
E('FCCMP', 'fp_cmp', '000 11110 0 ft:1 1 Vm:5 cond:4 01 Vn:5 0 nzcv:4', FP);
E('FCCMPE', 'fp_cmp', '000 11110 0 ft:1 1 Vm:5 cond:4 01 Vn:5 1 nzcv:4', { fp: true, handler: 'FCCMP' });
E('FCSEL', 'fp_cmp', '000 11110 0 ft:1 1 Vm:5 cond:4 11 Vn:5 Vd:5', FP);
E('FMOV_imm', 'fp_move', '000 11110 0 ft:1 1 imm8:8 100 00000 Vd:5', FP);
// Conversion between floating-point and integer; FMOV (general)
for (const [k, rm, o] of [['FCVTNS', '00', '000'], ['FCVTNU', '00', '001'], ['FCVTAS', '00', '100'], ['FCVTAU', '00', '101'],
  ['FCVTPS', '01', '000'], ['FCVTPU', '01', '001'], ['FCVTMS', '10', '000'], ['FCVTMU', '10', '001'],
  ['FCVTZS', '11', '000'], ['FCVTZU', '11', '001']]) {
  E(`${k}_int`, 'fp_cvt', `sf:1 00 11110 0 ft:1 1 rmode=${rm} opcode=${o} 000000 Vn:5 Rd:5`, { fp: true, handler: 'FCVT_to_int', pre: 'fcvt_int' });
}
E('SCVTF_int', 'fp_cvt', 'sf:1 00 11110 0 ft:1 1 00 010 000000 Rn:5 Vd:5', { fp: true, handler: 'CVTF', pre: 'cvtf_int' });
E('UCVTF_int', 'fp_cvt', 'sf:1 00 11110 0 ft:1 1 00 011 000000 Rn:5 Vd:5', { fp: true, handler: 'CVTF', pre: 'cvtf_int' });
E('FMOV_w_s', 'fp_move', '0 00 11110 00 1 00 110 000000 Vn:5 Rd:5', FP);
E('FMOV_s_w', 'fp_move', '0 00 11110 00 1 00 111 000000 Rn:5 Vd:5', FP);
E('FMOV_x_d', 'fp_move', '1 00 11110 01 1 00 110 000000 Vn:5 Rd:5', FP);
E('FMOV_d_x', 'fp_move', '1 00 11110 01 1 00 111 000000 Rn:5 Vd:5', FP);
E('FMOV_x_v1', 'fp_move', '1 00 11110 10 1 01 110 000000 Vn:5 Rd:5', FP);
E('FMOV_v1_x', 'fp_move', '1 00 11110 10 1 01 111 000000 Rn:5 Vd:5', FP);
// Conversion between floating-point and fixed-point (fbits = 64 - scale)
E('SCVTF_fix', 'fp_cvt', 'sf:1 00 11110 0 ft:1 0 00 010 scale:6 Rn:5 Vd:5', { fp: true, handler: 'CVTF', pre: 'fixed' });
E('UCVTF_fix', 'fp_cvt', 'sf:1 00 11110 0 ft:1 0 00 011 scale:6 Rn:5 Vd:5', { fp: true, handler: 'CVTF', pre: 'fixed' });
E('FCVTZS_fix', 'fp_cvt', 'sf:1 00 11110 0 ft:1 0 11 000 scale:6 Vn:5 Rd:5', { fp: true, handler: 'FCVT_to_int', pre: 'fixed' });
E('FCVTZU_fix', 'fp_cvt', 'sf:1 00 11110 0 ft:1 0 11 001 scale:6 Vn:5 Rd:5', { fp: true, handler: 'FCVT_to_int', pre: 'fixed' });
// Advanced SIMD scalar estimates and Newton-Raphson steps (C4.1.39 two-register misc, C4.1.42
// three same); sz selects single or double
E('FRECPE_scalar', 'fp_dp1', '01 0 11110 1 sz:1 10000 11101 10 Vn:5 Vd:5', FP);
E('FRSQRTE_scalar', 'fp_dp1', '01 1 11110 1 sz:1 10000 11101 10 Vn:5 Vd:5', FP);
E('FRECPX', 'fp_dp1', '01 0 11110 1 sz:1 10000 11111 10 Vn:5 Vd:5', FP);
E('FRECPS_scalar', 'fp_dp2', '01 0 11110 0 sz:1 1 Vm:5 11111 1 Vn:5 Vd:5', FP);
E('FRSQRTS_scalar', 'fp_dp2', '01 0 11110 1 sz:1 1 Vm:5 11111 1 Vn:5 Vd:5', FP);

// ---- Advanced SIMD floating point, single and double elements (Armv8.0; the FP16 forms are
// FEAT_FP16). Vector forms: Q selects 64 or 128 bits; sz = 1 with Q = 0 is reserved. ----
// Three same (C4.1.x): U, a (bit 23) and opcode select the operation (fp/elem.ts keys).
const SIMD3: [string, string, string, string][] = [
  ['FMAXNM', '0', '0', '11000'], ['FMLA', '0', '0', '11001'], ['FADD', '0', '0', '11010'], ['FMULX', '0', '0', '11011'],
  ['FCMEQ', '0', '0', '11100'], ['FMAX', '0', '0', '11110'], ['FRECPS', '0', '0', '11111'],
  ['FMINNM', '0', '1', '11000'], ['FMLS', '0', '1', '11001'], ['FSUB', '0', '1', '11010'], ['FMIN', '0', '1', '11110'],
  ['FRSQRTS', '0', '1', '11111'],
  ['FMAXNMP', '1', '0', '11000'], ['FADDP', '1', '0', '11010'], ['FMUL', '1', '0', '11011'], ['FCMGE', '1', '0', '11100'],
  ['FACGE', '1', '0', '11101'], ['FMAXP', '1', '0', '11110'], ['FDIV', '1', '0', '11111'],
  ['FMINNMP', '1', '1', '11000'], ['FABD', '1', '1', '11010'], ['FCMGT', '1', '1', '11100'], ['FACGT', '1', '1', '11101'],
  ['FMINP', '1', '1', '11110'],
];
for (const [k, u, a, op] of SIMD3) {
  E(`${k}_vec`, 'simd_fp3', `0 Q:1 ${u} 01110 ${a} sz:1 1 Vm:5 ${op} 1 Vn:5 Vd:5`, { fp: true, handler: 'SIMD3_FP', pre: 'simd3' });
}
for (const [k, u, a, op] of SIMD3.filter(([k]) => ['FMULX', 'FCMEQ', 'FCMGE', 'FACGE', 'FABD', 'FCMGT', 'FACGT'].includes(k))) {
  E(`${k}_scalar`, 'simd_fp3', `01 ${u} 11110 ${a} sz:1 1 Vm:5 ${op} 1 Vn:5 Vd:5`, { fp: true, handler: 'SIMD3_FP_scalar', pre: 'simd3_scalar' });
}
// Two-register misc (C4.1.x)
const SIMD2: [string, string, string, string][] = [
  ['FRINTN', '0', '0', '11000'], ['FRINTM', '0', '0', '11001'], ['FCVTNS', '0', '0', '11010'], ['FCVTMS', '0', '0', '11011'],
  ['FCVTAS', '0', '0', '11100'], ['SCVTF', '0', '0', '11101'],
  ['FCMGT_zero', '0', '1', '01100'], ['FCMEQ_zero', '0', '1', '01101'], ['FCMLT_zero', '0', '1', '01110'], ['FABS', '0', '1', '01111'],
  ['FRINTP', '0', '1', '11000'], ['FRINTZ', '0', '1', '11001'], ['FCVTPS', '0', '1', '11010'], ['FCVTZS', '0', '1', '11011'],
  ['URECPE', '0', '1', '11100'], ['FRECPE', '0', '1', '11101'],
  ['FRINTA', '1', '0', '11000'], ['FRINTX', '1', '0', '11001'], ['FCVTNU', '1', '0', '11010'], ['FCVTMU', '1', '0', '11011'],
  ['FCVTAU', '1', '0', '11100'], ['UCVTF', '1', '0', '11101'],
  ['FCMGE_zero', '1', '1', '01100'], ['FCMLE_zero', '1', '1', '01101'], ['FNEG', '1', '1', '01111'], ['FRINTI', '1', '1', '11001'],
  ['FCVTPU', '1', '1', '11010'], ['FCVTZU', '1', '1', '11011'], ['URSQRTE', '1', '1', '11100'], ['FRSQRTE', '1', '1', '11101'],
  ['FSQRT', '1', '1', '11111'],
];
for (const [k, u, a, op] of SIMD2) {
  E(`${k}_vec`, 'simd_fp2', `0 Q:1 ${u} 01110 ${a} sz:1 10000 ${op} 10 Vn:5 Vd:5`, { fp: true, handler: 'SIMD2_FP', pre: 'simd2' });
}
for (const [k, u, a, op] of SIMD2.filter(([k]) => /^(FCVT[NMAPZ][SU]|[SU]CVTF|FCM.._zero)$/.test(k))) {
  E(`${k}_scalar`, 'simd_fp2', `01 ${u} 11110 ${a} sz:1 10000 ${op} 10 Vn:5 Vd:5`, { fp: true, handler: 'SIMD2_FP_scalar', pre: 'simd2_scalar' });
}
E('FCVTN', 'simd_fp2', '0 Q:1 0 01110 0 sz:1 10000 10110 10 Vn:5 Vd:5', FP);
E('FCVTL', 'simd_fp2', '0 Q:1 0 01110 0 sz:1 10000 10111 10 Vn:5 Vd:5', FP);
E('FCVTXN', 'simd_fp2', '0 Q:1 1 01110 0 sz:1 10000 10110 10 Vn:5 Vd:5', { fp: true, pre: 'fcvtxn' });
E('FCVTXN_scalar', 'simd_fp2', '01 1 11110 0 sz:1 10000 10110 10 Vn:5 Vd:5', { fp: true, pre: 'fcvtxn' });
// Across lanes (4S only) and scalar pairwise
E('FMAXNMV', 'simd_fp3', '0 Q:1 1 01110 0 sz:1 11000 01100 10 Vn:5 Vd:5', { fp: true, handler: 'ACROSS_FP', pre: 'across' });
E('FMINNMV', 'simd_fp3', '0 Q:1 1 01110 1 sz:1 11000 01100 10 Vn:5 Vd:5', { fp: true, handler: 'ACROSS_FP', pre: 'across' });
E('FMAXV', 'simd_fp3', '0 Q:1 1 01110 0 sz:1 11000 01111 10 Vn:5 Vd:5', { fp: true, handler: 'ACROSS_FP', pre: 'across' });
E('FMINV', 'simd_fp3', '0 Q:1 1 01110 1 sz:1 11000 01111 10 Vn:5 Vd:5', { fp: true, handler: 'ACROSS_FP', pre: 'across' });
E('FMAXNMP_scalar', 'simd_fp3', '01 1 11110 0 sz:1 11000 01100 10 Vn:5 Vd:5', { fp: true, handler: 'PAIR_FP_scalar', pre: 'pair_scalar' });
E('FMINNMP_scalar', 'simd_fp3', '01 1 11110 1 sz:1 11000 01100 10 Vn:5 Vd:5', { fp: true, handler: 'PAIR_FP_scalar', pre: 'pair_scalar' });
E('FADDP_scalar', 'simd_fp3', '01 1 11110 0 sz:1 11000 01101 10 Vn:5 Vd:5', { fp: true, handler: 'PAIR_FP_scalar', pre: 'pair_scalar' });
E('FMAXP_scalar', 'simd_fp3', '01 1 11110 0 sz:1 11000 01111 10 Vn:5 Vd:5', { fp: true, handler: 'PAIR_FP_scalar', pre: 'pair_scalar' });
E('FMINP_scalar', 'simd_fp3', '01 1 11110 1 sz:1 11000 01111 10 Vn:5 Vd:5', { fp: true, handler: 'PAIR_FP_scalar', pre: 'pair_scalar' });
// By element: index H:L (single) or H (double); Vm is M:Rm
for (const [k, u, op] of [['FMLA', '0', '0001'], ['FMLS', '0', '0101'], ['FMUL', '0', '1001'], ['FMULX', '1', '1001']]) {
  E(`${k}_elem`, 'simd_fp3', `0 Q:1 ${u} 01111 1 sz:1 L:1 Vm:5 ${op} H:1 0 Vn:5 Vd:5`, { fp: true, handler: 'ELEM_FP', pre: 'elem' });
  E(`${k}_elem_scalar`, 'simd_fp3', `01 ${u} 11111 1 sz:1 L:1 Vm:5 ${op} H:1 0 Vn:5 Vd:5`, { fp: true, handler: 'ELEM_FP_scalar', pre: 'elem_scalar' });
}
// Fixed-point conversions (shift by immediate): immh 01xx single, 1xxx double
for (const [k, u, op] of [['SCVTF', '0', '11100'], ['UCVTF', '1', '11100'], ['FCVTZS', '0', '11111'], ['FCVTZU', '1', '11111']]) {
  E(`${k}_fix_vec_s`, 'simd_fp2', `0 Q:1 ${u} 011110 01 immh:2 immb:3 ${op} 1 Vn:5 Vd:5`, { fp: true, handler: 'SIMD_FIXED', pre: 'simd_fixed' });
  E(`${k}_fix_vec_d`, 'simd_fp2', `0 Q:1 ${u} 011110 1 immh:3 immb:3 ${op} 1 Vn:5 Vd:5`, { fp: true, handler: 'SIMD_FIXED', pre: 'simd_fixed' });
  E(`${k}_fix_scalar_s`, 'simd_fp2', `01 ${u} 111110 01 immh:2 immb:3 ${op} 1 Vn:5 Vd:5`, { fp: true, handler: 'SIMD_FIXED_scalar', pre: 'simd_fixed_scalar' });
  E(`${k}_fix_scalar_d`, 'simd_fp2', `01 ${u} 111110 1 immh:3 immb:3 ${op} 1 Vn:5 Vd:5`, { fp: true, handler: 'SIMD_FIXED_scalar', pre: 'simd_fixed_scalar' });
}

export const ENCODINGS: readonly Encoding[] = table;

// ---- Pattern parsing, shared by the generator, tests and the coverage report ----
export interface Field { name: string; lsb: number; width: number; fixed?: number }
export interface Parsed extends Encoding { mask: number; match: number; fields: Field[] }

export function parsePattern(e: Encoding): Parsed {
  let bit = 32;
  let mask = 0;
  let match = 0;
  const fields: Field[] = [];
  for (const tok of e.pattern.split(/\s+/)) {
    let m: RegExpMatchArray | null;
    if (/^[01x]+$/.test(tok)) {
      for (const c of tok) {
        bit--;
        if (c !== 'x') { mask |= 1 << bit; if (c === '1') match |= 1 << bit; }
      }
    } else if ((m = tok.match(/^(\w+):(\d+)$/))) {
      const width = Number(m[2]);
      bit -= width;
      fields.push({ name: m[1], lsb: bit, width });
    } else if ((m = tok.match(/^(\w+)=([01]+)$/))) {
      const width = m[2].length;
      bit -= width;
      const v = parseInt(m[2], 2);
      mask |= ((2 ** width - 1) << bit) >>> 0;
      match |= v << bit;
      fields.push({ name: m[1], lsb: bit, width, fixed: v });
    } else {
      throw new Error(`${e.name}: bad pattern token '${tok}'`);
    }
  }
  if (bit !== 0) throw new Error(`${e.name}: pattern has ${32 - bit} bits, not 32`);
  return { ...e, mask: mask >>> 0, match: match >>> 0, fields };
}

export const PARSED: readonly Parsed[] = ENCODINGS.map(parsePattern);

/**
 * Register fields the decoder pre-scales into the record: field name -> record slot. R* fields
 * hold the byte address of X<n> (or SP for the _SP forms), V* fields that of the SIMD&FP
 * register V<n> (16 bytes each).
 */
export const REGISTER_SLOTS: Record<string, 'd' | 'n' | 'm' | 'a'> = {
  Rd: 'd', Rt: 'd', Rn: 'n', Rm: 'm', Rs: 'm', Ra: 'a', Rt2: 'a',
  Vd: 'd', Vt: 'd', Vn: 'n', Vm: 'm', Va: 'a', Vt2: 'a',
};

/** The encoding a word decodes to, by the decoder's rule: most specific pattern first. */
export function matchEncoding(word: number): Parsed | undefined {
  for (const p of DECODE_ORDER) if (((word & p.mask) >>> 0) === p.match) return p;
  return undefined;
}

function popcount(x: number): number { let n = 0; while (x) { n += x & 1; x >>>= 1; } return n; }
export const DECODE_ORDER: readonly Parsed[] = [...PARSED].sort((a, b) => popcount(b.mask) - popcount(a.mask));
