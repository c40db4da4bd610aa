// simd.elf's case harness and its table of instructions under test (see simd.c).
//
// run_case(fn, st) loads V0..V31 and X0..X3 from the state block st, calls the one-instruction
// snippet fn, and stores V0..V31, X0..X3 and FPSR back (then clears FPSR). Snippets use only
// X0..X3 and the V registers (X19-X21 hold the harness's own state).
//
// State block layout (simd.c, struct state): v[32][16] @0, x[4] @512, fpsr @544, mem[512] @576.

        .text
        .global run_case
        .balign 16
run_case:
        stp     x29, x30, [sp, #-48]!
        stp     x19, x20, [sp, #16]
        str     x21, [sp, #32]
        mov     x19, x1
        add     x21, x1, #512
        mov     x20, x0
        ldp     q0, q1, [x19, #0]
        ldp     q2, q3, [x19, #32]
        ldp     q4, q5, [x19, #64]
        ldp     q6, q7, [x19, #96]
        ldp     q8, q9, [x19, #128]
        ldp     q10, q11, [x19, #160]
        ldp     q12, q13, [x19, #192]
        ldp     q14, q15, [x19, #224]
        ldp     q16, q17, [x19, #256]
        ldp     q18, q19, [x19, #288]
        ldp     q20, q21, [x19, #320]
        ldp     q22, q23, [x19, #352]
        ldp     q24, q25, [x19, #384]
        ldp     q26, q27, [x19, #416]
        ldp     q28, q29, [x19, #448]
        ldp     q30, q31, [x19, #480]
        ldp     x0, x1, [x21]
        ldp     x2, x3, [x21, #16]
        blr     x20
        stp     x0, x1, [x21]
        stp     x2, x3, [x21, #16]
        stp     q0, q1, [x19, #0]
        stp     q2, q3, [x19, #32]
        stp     q4, q5, [x19, #64]
        stp     q6, q7, [x19, #96]
        stp     q8, q9, [x19, #128]
        stp     q10, q11, [x19, #160]
        stp     q12, q13, [x19, #192]
        stp     q14, q15, [x19, #224]
        stp     q16, q17, [x19, #256]
        stp     q18, q19, [x19, #288]
        stp     q20, q21, [x19, #320]
        stp     q22, q23, [x19, #352]
        stp     q24, q25, [x19, #384]
        stp     q26, q27, [x19, #416]
        stp     q28, q29, [x19, #448]
        stp     q30, q31, [x19, #480]
        mrs     x0, fpsr
        str     x0, [x21, #32]
        msr     fpsr, xzr
        ldr     x21, [sp, #32]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #48
        ret

// A literal pool for LDR (literal).
        .balign 16
litpool:
        .quad   0x0123456789abcdef, 0xfedcba9876543210, 0x8899aabbccddeeff, 0x0011223344556677

// CASE insn: a snippet `insn; ret` and a table entry { name, snippet }.
        .macro  CASE insn:vararg
        .pushsection .rodata.simd_names, "a"
.Lname\@: .asciz "\insn"
        .popsection
        .pushsection .rodata.simd_cases, "a"
        .balign 8
        .quad   .Lname\@, .Lcode\@
        .popsection
        .balign 4
.Lcode\@: \insn
        ret
        .endm

// MARK name: a global label at this point of the table.
        .macro  MARK name:req
        .pushsection .rodata.simd_cases, "a"
        .global \name
\name:
        .popsection
        .endm

        .pushsection .rodata.simd_cases, "a"
        .balign 8
        .popsection
        MARK    simd_cases

#include "simd-cases.inc"

        .pushsection .rodata.simd_cases, "a"
        .global simd_cases_end
simd_cases_end:
        .popsection

// Probes for the access-control and FPCR/FPSR checks (simd.c). A trapped instruction is skipped
// by the guest's exception handler, so each returns.
        .text
        .global probe_mrs_fpcr, probe_mrs_fpsr, probe_msr_fpcr, probe_msr_fpsr, probe_ldr_q, probe_ld1
        .global fpcr_rw, fpsr_rw
probe_mrs_fpcr:
        mrs     x0, fpcr
        ret
probe_mrs_fpsr:
        mrs     x0, fpsr
        ret
probe_msr_fpcr:
        msr     fpcr, x0
        ret
probe_msr_fpsr:
        msr     fpsr, x0
        ret
probe_ldr_q:
        ldr     q0, [x0]
        ret
probe_ld1:
        ld1     {v0.16b}, [x0]
        ret
// Writes x0 to FPCR (FPSR) and returns what reads back; leaves the register zero.
fpcr_rw:
        msr     fpcr, x0
        mrs     x0, fpcr
        msr     fpcr, xzr
        ret
fpsr_rw:
        msr     fpsr, x0
        mrs     x0, fpsr
        msr     fpsr, xzr
        ret
