// run_case: runs one instruction word (in the stub) on prepared SIMD&FP and general registers.
//   void run_case(const uint64_t in[8], uint64_t out[5], void (*stub)(void))
// in:  a, b, c, FPCR, NZCV, then the upper halves of V0, V1, V2.
//      Sets V0/X0 = a, V1/X1 = b, V2/X2 = c (V0..V2 upper halves from in[5..7]), V3 (both halves) = X3 =
//      PATTERN, FPCR, FPSR = 0 and NZCV, calls the stub (the word, then RET).
// out: V3 low half, V3 high half, X3, FPSR, NZCV. FPCR is zero again on return.
// Only FMOV moves values between general and SIMD&FP registers (no SIMD&FP loads or stores).
        .text
        .global run_case
        .balign 16
run_case:
        stp     x29, x30, [sp, #-32]!
        stp     x19, x20, [sp, #16]
        mov     x19, x1
        mov     x20, x2
        ldr     x4, [x0, #24]
        ldr     x5, [x0, #32]
        ldr     x8, [x0, #40]
        ldr     x9, [x0, #48]
        ldr     x10, [x0, #56]
        ldr     x1, [x0, #8]
        ldr     x2, [x0, #16]
        ldr     x0, [x0]
        fmov    d0, x0                  // clears bits 127:64 ...
        fmov    v0.d[1], x8             // ... so the upper half goes in second
        fmov    d1, x1
        fmov    v1.d[1], x9
        fmov    d2, x2
        fmov    v2.d[1], x10
        movz    x3, #0xf00f
        movk    x3, #0x0ff0, lsl #16
        movk    x3, #0xa5a5, lsl #32
        movk    x3, #0x5a5a, lsl #48
        fmov    d3, x3
        fmov    v3.d[1], x3
        msr     fpcr, x4
        msr     fpsr, xzr
        msr     nzcv, x5
        blr     x20
        mrs     x4, fpsr
        mrs     x5, nzcv
        fmov    x6, d3
        fmov    x7, v3.d[1]
        msr     fpcr, xzr
        stp     x6, x7, [x19]
        stp     x3, x4, [x19, #16]
        str     x5, [x19, #32]
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #32
        ret
