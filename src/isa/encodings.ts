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

// ---- Loads and stores of SIMD&FP registers (C4.1.88, V = 1); handlers in exec/simd_ldst.ts ----
// Single register by (size, opc): B H S D Q. The unprivileged form (bits 11:10 = 10) and the other
// (size, opc) pairs are unallocated for V = 1.
const VLDST_KINDS: [string, string, string][] = [
  ['STR_B', '00', '00'], ['LDR_B', '00', '01'], ['STR_H', '01', '00'], ['LDR_H', '01', '01'],
  ['STR_S', '10', '00'], ['LDR_S', '10', '01'], ['STR_D', '11', '00'], ['LDR_D', '11', '01'],
  ['STR_Q', '00', '10'], ['LDR_Q', '00', '11'],
];
for (const [k, size, opc] of VLDST_KINDS) {
  const h = k.startsWith('LDR') ? 'VLDR' : 'VSTR';
  E(`${k}_uimm`, 'simd_ldst', `size=${size} 111 1 01 opc=${opc} imm12:12 Rn_SP:5 Vt:5`, { handler: `${h}_imm`, pre: 'vldst_uimm', fp: true });
  E(`${k}_unscaled`, 'simd_ldst', `size=${size} 111 1 00 opc=${opc} 0 imm9:9 00 Rn_SP:5 Vt:5`, { handler: `${h}_imm`, pre: 'vldst_simm', fp: true });
  E(`${k}_post`, 'simd_ldst', `size=${size} 111 1 00 opc=${opc} 0 imm9:9 01 Rn_SP:5 Vt:5`, { handler: `${h}_imm`, pre: 'vldst_simm', fp: true });
  E(`${k}_pre`, 'simd_ldst', `size=${size} 111 1 00 opc=${opc} 0 imm9:9 11 Rn_SP:5 Vt:5`, { handler: `${h}_imm`, pre: 'vldst_simm', fp: true });
  E(`${k}_reg`, 'simd_ldst', `size=${size} 111 1 00 opc=${opc} 1 Rm:5 option:3 S:1 10 Rn_SP:5 Vt:5`, { handler: `${h}_reg`, pre: 'vldst_reg', fp: true });
}
E('LDR_S_lit', 'simd_ldst', 'opc=00 011 1 00 imm19:19 Vt:5', { handler: 'VLDR_lit', pre: 'vlit', fp: true });
E('LDR_D_lit', 'simd_ldst', 'opc=01 011 1 00 imm19:19 Vt:5', { handler: 'VLDR_lit', pre: 'vlit', fp: true });
E('LDR_Q_lit', 'simd_ldst', 'opc=10 011 1 00 imm19:19 Vt:5', { handler: 'VLDR_lit', pre: 'vlit', fp: true });
// Pairs: opc 00 S, 01 D, 10 Q (11 unallocated); bits 24:23 no-allocate, post, offset, pre.
for (const [sz, opc] of [['S', '00'], ['D', '01'], ['Q', '10']]) {
  for (const [k, l] of [['STP', '0'], ['LDP', '1']]) {
    const h = k === 'LDP' ? 'VLDP' : 'VSTP';
    E(`${k === 'LDP' ? 'LDNP' : 'STNP'}_${sz}`, 'simd_ldst', `opc=${opc} 101 1 000 L=${l} imm7:7 Vt2:5 Rn_SP:5 Vt:5`, { handler: h, pre: 'vpair', fp: true });
    E(`${k}_${sz}_post`, 'simd_ldst', `opc=${opc} 101 1 001 L=${l} imm7:7 Vt2:5 Rn_SP:5 Vt:5`, { handler: h, pre: 'vpair', fp: true });
    E(`${k}_${sz}_off`, 'simd_ldst', `opc=${opc} 101 1 010 L=${l} imm7:7 Vt2:5 Rn_SP:5 Vt:5`, { handler: h, pre: 'vpair', fp: true });
    E(`${k}_${sz}_pre`, 'simd_ldst', `opc=${opc} 101 1 011 L=${l} imm7:7 Vt2:5 Rn_SP:5 Vt:5`, { handler: h, pre: 'vpair', fp: true });
  }
}
// Multiple structures (C4.1.88 "Advanced SIMD load/store multiple structures"): by opcode; size 11
// with Q = 0 is reserved for LD2-LD4/ST2-ST4 (pre_vmulti). Post-index: Rm = 31 means the immediate.
for (const [k, opcode] of [['1_x1', '0111'], ['1_x2', '1010'], ['1_x3', '0110'], ['1_x4', '0010'], ['2', '1000'], ['3', '0100'], ['4', '0000']]) {
  for (const [op, l] of [['ST', '0'], ['LD', '1']]) {
    E(`${op}${k}_multi`, 'simd_ldst', `0 Q:1 0011000 L=${l} 000000 opcode=${opcode} size:2 Rn_SP:5 Vt:5`, { handler: `${op}_multi`, pre: 'vmulti', fp: true });
    E(`${op}${k}_multi_post`, 'simd_ldst', `0 Q:1 0011001 L=${l} 0 Rm:5 opcode=${opcode} size:2 Rn_SP:5 Vt:5`, { handler: `${op}_multi`, pre: 'vmulti', fp: true });
  }
}
// Single structure (one lane) by opcode<2:1> (B, H, S/D) and selem - 1 = opcode<0>:R; LD1R-LD4R
// use opcode 11x with L = 1. Reserved size/S values are UNDEFINED (pre_vsingle).
for (const [sz, op21] of [['B', '00'], ['H', '01'], ['SD', '10'], ['R', '11']]) {
  for (let n = 1; n <= 4; n++) {
    const o0 = (n - 1) >> 1;
    const r = (n - 1) & 1;
    for (const [op, l] of sz === 'R' ? [['LD', '1']] : [['ST', '0'], ['LD', '1']]) {
      const name = sz === 'R' ? `LD${n}R` : `${op}${n}_single_${sz}`;
      E(name, 'simd_ldst', `0 Q:1 0011010 L=${l} R=${r} 00000 opcode=${op21}${o0} S:1 size:2 Rn_SP:5 Vt:5`, { handler: `${op}_single`, pre: 'vsingle', fp: true });
      E(`${name}_post`, 'simd_ldst', `0 Q:1 0011011 L=${l} R=${r} Rm:5 opcode=${op21}${o0} S:1 size:2 Rn_SP:5 Vt:5`, { handler: `${op}_single`, pre: 'vsingle', fp: true });
    }
  }
}

// ---- Advanced SIMD: modified immediate, copy, permute, EXT, TBL/TBX (C4.1.91) ----
// Modified immediate, by op and cmode (o2 = 1 is FEAT_FP16's FMOV: unallocated in Armv8.0).
for (const [k, op, cmode] of [
  ['MOVI_32', '0', '0xx0'], ['MOVI_16', '0', '10x0'], ['MOVI_msl', '0', '110x'], ['MOVI_8', '0', '1110'], ['MOVI_64', '1', '1110'],
  ['MVNI_32', '1', '0xx0'], ['MVNI_16', '1', '10x0'], ['MVNI_msl', '1', '110x'],
  ['ORR_vimm_32', '0', '0xx1'], ['ORR_vimm_16', '0', '10x1'], ['BIC_vimm_32', '1', '0xx1'], ['BIC_vimm_16', '1', '10x1'],
  ['FMOV_vimm_s', '0', '1111'], ['FMOV_vimm_d', '1', '1111'],
]) {
  E(k, 'simd_imm', `0 Q:1 op=${op} 0111100000 abc:3 ${cmode} 0 1 defgh:5 Vd:5`, { handler: 'VMODIMM', pre: 'vmodimm', fp: true });
}
// Copy: imm5 selects the element size and index (reserved sizes: pre_vcopy).
E('DUP_elem', 'simd_copy', '0 Q:1 0 01110000 imm5:5 0 0000 1 Vn:5 Vd:5', { pre: 'vcopy', fp: true });
E('DUP_gen', 'simd_copy', '0 Q:1 0 01110000 imm5:5 0 0001 1 Rn:5 Vd:5', { pre: 'vcopy', fp: true });
E('INS_gen', 'simd_copy', '0 1 0 01110000 imm5:5 0 0011 1 Rn:5 Vd:5', { pre: 'vcopy', fp: true });
E('SMOV', 'simd_copy', '0 Q:1 0 01110000 imm5:5 0 0101 1 Vn:5 Rd:5', { pre: 'vcopy', fp: true });
E('UMOV', 'simd_copy', '0 Q:1 0 01110000 imm5:5 0 0111 1 Vn:5 Rd:5', { pre: 'vcopy', fp: true });
E('INS_elem', 'simd_copy', '0 1 1 01110000 imm5:5 0 imm4:4 1 Vn:5 Vd:5', { pre: 'vcopy', fp: true });
E('DUP_scalar', 'simd_copy', '01 0 11110000 imm5:5 0 0000 1 Vn:5 Vd:5', { pre: 'vcopy', fp: true });
// Permute by opcode; size = 11 with Q = 0 is reserved (pre_vperm).
for (const [k, opcode] of [['UZP1', '001'], ['TRN1', '010'], ['ZIP1', '011'], ['UZP2', '101'], ['TRN2', '110'], ['ZIP2', '111']]) {
  E(k, 'simd_perm', `0 Q:1 001110 size:2 0 Vm:5 0 opcode=${opcode} 10 Vn:5 Vd:5`, { handler: 'VPERM', pre: 'vperm', fp: true });
}
E('EXT', 'simd_perm', '0 Q:1 101110 00 0 Vm:5 0 imm4:4 0 Vn:5 Vd:5', { pre: 'vext', fp: true });
E('TBL', 'simd_perm', '0 Q:1 001110 00 0 Vm:5 0 len:2 0 00 Vn:5 Vd:5', { handler: 'TBL', fp: true });
E('TBX', 'simd_perm', '0 Q:1 001110 00 0 Vm:5 0 len:2 1 00 Vn:5 Vd:5', { handler: 'TBL', fp: true });

// ---- Advanced SIMD integer: three same, two-register misc, across lanes, three different,
// shift by immediate (C4.1.91); vector and scalar forms. Reserved size/Q values are rejected by
// the pre_ hooks. The floating-point opcodes of these groups are not listed here.
const V3SAME: [string, string, string, boolean][] = [ // name, U, opcode, has a scalar form
  ['SHADD', '0', '00000', false], ['SQADD', '0', '00001', true], ['SRHADD', '0', '00010', false], ['SHSUB', '0', '00100', false],
  ['SQSUB', '0', '00101', true], ['CMGT_reg', '0', '00110', true], ['CMGE_reg', '0', '00111', true], ['SSHL', '0', '01000', true],
  ['SQSHL_reg', '0', '01001', true], ['SRSHL', '0', '01010', true], ['SQRSHL', '0', '01011', true], ['SMAX', '0', '01100', false],
  ['SMIN', '0', '01101', false], ['SABD', '0', '01110', false], ['SABA', '0', '01111', false], ['ADD_v', '0', '10000', true],
  ['CMTST', '0', '10001', true], ['MLA', '0', '10010', false], ['MUL_v', '0', '10011', false], ['SMAXP', '0', '10100', false],
  ['SMINP', '0', '10101', false], ['SQDMULH', '0', '10110', true], ['ADDP_v', '0', '10111', false],
  ['UHADD', '1', '00000', false], ['UQADD', '1', '00001', true], ['URHADD', '1', '00010', false], ['UHSUB', '1', '00100', false],
  ['UQSUB', '1', '00101', true], ['CMHI_reg', '1', '00110', true], ['CMHS_reg', '1', '00111', true], ['USHL', '1', '01000', true],
  ['UQSHL_reg', '1', '01001', true], ['URSHL', '1', '01010', true], ['UQRSHL', '1', '01011', true], ['UMAX', '1', '01100', false],
  ['UMIN', '1', '01101', false], ['UABD', '1', '01110', false], ['UABA', '1', '01111', false], ['SUB_v', '1', '10000', true],
  ['CMEQ_reg', '1', '10001', true], ['MLS', '1', '10010', false], ['PMUL', '1', '10011', false], ['UMAXP', '1', '10100', false],
  ['UMINP', '1', '10101', false], ['SQRDMULH', '1', '10110', true],
];
for (const [k, u, opcode, scalar] of V3SAME) {
  E(k, 'simd_int', `0 Q:1 U=${u} 01110 size:2 1 Vm:5 opcode=${opcode} 1 Vn:5 Vd:5`, { handler: 'V3SAME', pre: 'v3same', fp: true });
  if (scalar) E(`${k}_scalar`, 'simd_int', `01 U=${u} 11110 size:2 1 Vm:5 opcode=${opcode} 1 Vn:5 Vd:5`, { handler: 'V3SAME', pre: 'v3same', fp: true });
}
// Bitwise three-same: opcode 00011, U:size selects the operation.
for (const [k, u, size] of [['AND_v', '0', '00'], ['BIC_v', '0', '01'], ['ORR_v', '0', '10'], ['ORN_v', '0', '11'],
  ['EOR_v', '1', '00'], ['BSL', '1', '01'], ['BIT', '1', '10'], ['BIF', '1', '11']]) {
  E(k, 'simd_int', `0 Q:1 U=${u} 01110 size=${size} 1 Vm:5 00011 1 Vn:5 Vd:5`, { handler: 'V3SAME', pre: 'v3same', fp: true });
}
const V2MISC: [string, string, string, boolean, boolean][] = [ // name, U, opcode, vector form, scalar form
  ['REV64', '0', '00000', true, false], ['REV16_v', '0', '00001', true, false], ['SADDLP', '0', '00010', true, false],
  ['SUQADD', '0', '00011', true, true], ['CLS_v', '0', '00100', true, false], ['CNT', '0', '00101', true, false],
  ['SADALP', '0', '00110', true, false], ['SQABS', '0', '00111', true, true], ['CMGT_zero', '0', '01000', true, true],
  ['CMEQ_zero', '0', '01001', true, true], ['CMLT_zero', '0', '01010', true, true], ['ABS', '0', '01011', true, true],
  ['XTN', '0', '10010', true, false], ['SQXTN', '0', '10100', true, true],
  ['REV32_v', '1', '00000', true, false], ['UADDLP', '1', '00010', true, false], ['USQADD', '1', '00011', true, true],
  ['CLZ_v', '1', '00100', true, false], ['NOT_RBIT', '1', '00101', true, false], ['UADALP', '1', '00110', true, false],
  ['SQNEG', '1', '00111', true, true], ['CMGE_zero', '1', '01000', true, true], ['CMLE_zero', '1', '01001', true, true],
  ['NEG_v', '1', '01011', true, true], ['SQXTUN', '1', '10010', true, true], ['SHLL', '1', '10011', true, false],
  ['UQXTN', '1', '10100', true, true],
];
for (const [k, u, opcode, vector, scalar] of V2MISC) {
  if (vector) E(k, 'simd_int', `0 Q:1 U=${u} 01110 size:2 10000 opcode=${opcode} 10 Vn:5 Vd:5`, { handler: 'V2MISC', pre: 'v2misc', fp: true });
  if (scalar) E(`${k}_scalar`, 'simd_int', `01 U=${u} 11110 size:2 10000 opcode=${opcode} 10 Vn:5 Vd:5`, { handler: 'V2MISC', pre: 'v2misc', fp: true });
}
for (const [k, u, opcode] of [['SADDLV', '0', '00011'], ['SMAXV', '0', '01010'], ['SMINV', '0', '11010'], ['ADDV', '0', '11011'],
  ['UADDLV', '1', '00011'], ['UMAXV', '1', '01010'], ['UMINV', '1', '11010']]) {
  E(k, 'simd_int', `0 Q:1 U=${u} 01110 size:2 11000 opcode=${opcode} 10 Vn:5 Vd:5`, { handler: 'VACROSS', pre: 'vacross', fp: true });
}
// Scalar pairwise ADDP (D only): the sum of the two doublewords of Vn.
E('ADDP_scalar', 'simd_int', '01 0 11110 size=11 11000 11011 10 Vn:5 Vd:5', { handler: 'VACROSS', pre: 'vaddp_scalar', fp: true });
const V3DIFF: [string, string, string][] = [
  ['SADDL', '0', '0000'], ['SADDW', '0', '0001'], ['SSUBL', '0', '0010'], ['SSUBW', '0', '0011'], ['ADDHN', '0', '0100'],
  ['SABAL', '0', '0101'], ['SUBHN', '0', '0110'], ['SABDL', '0', '0111'], ['SMLAL', '0', '1000'], ['SQDMLAL', '0', '1001'],
  ['SMLSL', '0', '1010'], ['SQDMLSL', '0', '1011'], ['SMULL', '0', '1100'], ['SQDMULL', '0', '1101'], ['PMULL', '0', '1110'],
  ['UADDL', '1', '0000'], ['UADDW', '1', '0001'], ['USUBL', '1', '0010'], ['USUBW', '1', '0011'], ['RADDHN', '1', '0100'],
  ['UABAL', '1', '0101'], ['RSUBHN', '1', '0110'], ['UABDL', '1', '0111'], ['UMLAL', '1', '1000'], ['UMLSL', '1', '1010'],
  ['UMULL', '1', '1100'],
];
for (const [k, u, opcode] of V3DIFF) {
  E(k, 'simd_int', `0 Q:1 U=${u} 01110 size:2 1 Vm:5 opcode=${opcode} 00 Vn:5 Vd:5`, { handler: 'V3DIFF', pre: 'v3diff', fp: true });
  if (k.startsWith('SQDM')) E(`${k}_scalar`, 'simd_int', `01 U=${u} 11110 size:2 1 Vm:5 opcode=${opcode} 00 Vn:5 Vd:5`, { handler: 'V3DIFF', pre: 'v3diff', fp: true });
}
const VSHIFT: [string, string, string, boolean, boolean][] = [ // name, U, opcode, vector, scalar
  ['SSHR', '0', '00000', true, true], ['SSRA', '0', '00010', true, true], ['SRSHR', '0', '00100', true, true],
  ['SRSRA', '0', '00110', true, true], ['SHL', '0', '01010', true, true], ['SQSHL_imm', '0', '01110', true, true],
  ['SHRN', '0', '10000', true, false], ['RSHRN', '0', '10001', true, false], ['SQSHRN', '0', '10010', true, true],
  ['SQRSHRN', '0', '10011', true, true], ['SSHLL', '0', '10100', true, false],
  ['USHR', '1', '00000', true, true], ['USRA', '1', '00010', true, true], ['URSHR', '1', '00100', true, true],
  ['URSRA', '1', '00110', true, true], ['SRI', '1', '01000', true, true], ['SLI', '1', '01010', true, true],
  ['SQSHLU', '1', '01100', true, true], ['UQSHL_imm', '1', '01110', true, true], ['SQSHRUN', '1', '10000', true, true],
  ['SQRSHRUN', '1', '10001', true, true], ['UQSHRN', '1', '10010', true, true], ['UQRSHRN', '1', '10011', true, true],
  ['USHLL', '1', '10100', true, false],
];
for (const [k, u, opcode, vector, scalar] of VSHIFT) {
  if (vector) E(k, 'simd_shift', `0 Q:1 U=${u} 011110 immh:4 immb:3 opcode=${opcode} 1 Vn:5 Vd:5`, { handler: 'VSHIFT', pre: 'vshift', fp: true });
  if (scalar) E(`${k}_scalar`, 'simd_shift', `01 U=${u} 111110 immh:4 immb:3 opcode=${opcode} 1 Vn:5 Vd:5`, { handler: 'VSHIFT', pre: 'vshift', fp: true });
}

// ---- Advanced SIMD integer by element (vector; the SQD* forms also scalar), C4.1.91 ----
// L:M:vm and H hold the element's register and index (pre_velem); size 00 and 11 are reserved.
for (const [k, u, opcode, scalar] of [
  ['SMLAL_elem', '0', '0010', false], ['SQDMLAL_elem', '0', '0011', true], ['SMLSL_elem', '0', '0110', false],
  ['SQDMLSL_elem', '0', '0111', true], ['MUL_elem', '0', '1000', false], ['SMULL_elem', '0', '1010', false],
  ['SQDMULL_elem', '0', '1011', true], ['SQDMULH_elem', '0', '1100', true], ['SQRDMULH_elem', '0', '1101', true],
  ['MLA_elem', '1', '0000', false], ['UMLAL_elem', '1', '0010', false], ['MLS_elem', '1', '0100', false],
  ['UMLSL_elem', '1', '0110', false], ['UMULL_elem', '1', '1010', false],
] as [string, string, string, boolean][]) {
  E(k, 'simd_elem', `0 Q:1 U=${u} 01111 size:2 L:1 M:1 vm:4 opcode=${opcode} H:1 0 Vn:5 Vd:5`, { handler: 'VELEM', pre: 'velem', fp: true });
  if (scalar) E(`${k}_scalar`, 'simd_elem', `01 U=${u} 11111 size:2 L:1 M:1 vm:4 opcode=${opcode} H:1 0 Vn:5 Vd:5`, { handler: 'VELEM', pre: 'velem', fp: true });
}

// ---- Cryptographic Extension: AES, SHA-1, SHA-256 (C4.1.91 "Cryptographic AES", "two-register
// SHA", "three-register SHA"); PMULL of doublewords is PMULL with size = 11 above ----
E('AESE', 'crypto', '01001110 00 10100 00100 10 Vn:5 Vd:5', { fp: true, feature: 'AES' });
E('AESD', 'crypto', '01001110 00 10100 00101 10 Vn:5 Vd:5', { fp: true, feature: 'AES' });
E('AESMC', 'crypto', '01001110 00 10100 00110 10 Vn:5 Vd:5', { fp: true, feature: 'AES' });
E('AESIMC', 'crypto', '01001110 00 10100 00111 10 Vn:5 Vd:5', { fp: true, feature: 'AES' });
E('SHA1C', 'crypto', '01011110 00 0 Vm:5 0 000 00 Vn:5 Vd:5', { handler: 'SHA1_hash', fp: true, feature: 'SHA1' });
E('SHA1P', 'crypto', '01011110 00 0 Vm:5 0 001 00 Vn:5 Vd:5', { handler: 'SHA1_hash', fp: true, feature: 'SHA1' });
E('SHA1M', 'crypto', '01011110 00 0 Vm:5 0 010 00 Vn:5 Vd:5', { handler: 'SHA1_hash', fp: true, feature: 'SHA1' });
E('SHA1SU0', 'crypto', '01011110 00 0 Vm:5 0 011 00 Vn:5 Vd:5', { fp: true, feature: 'SHA1' });
E('SHA256H', 'crypto', '01011110 00 0 Vm:5 0 100 00 Vn:5 Vd:5', { fp: true, feature: 'SHA2' });
E('SHA256H2', 'crypto', '01011110 00 0 Vm:5 0 101 00 Vn:5 Vd:5', { handler: 'SHA256H', fp: true, feature: 'SHA2' });
E('SHA256SU1', 'crypto', '01011110 00 0 Vm:5 0 110 00 Vn:5 Vd:5', { fp: true, feature: 'SHA2' });
E('SHA1H', 'crypto', '01011110 00 10100 00000 10 Vn:5 Vd:5', { fp: true, feature: 'SHA1' });
E('SHA1SU1', 'crypto', '01011110 00 10100 00001 10 Vn:5 Vd:5', { fp: true, feature: 'SHA1' });
E('SHA256SU0', 'crypto', '01011110 00 10100 00010 10 Vn:5 Vd:5', { fp: true, feature: 'SHA2' });

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

/** Handler names by op number (the record's op field): UNDEFINED is 0, then table order. */
export function handlerIds(): string[] {
  const ids: string[] = ['UNDEFINED'];
  for (const p of PARSED) if (!ids.includes(p.handler)) ids.push(p.handler);
  return ids;
}

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
