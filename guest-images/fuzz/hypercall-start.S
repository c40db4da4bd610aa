// Entry and vectors of hypercall.elf (hypercall.c). EL1, MMU off, DAIF masked, as QEMU virt
// -kernel enters. Unlike parser.elf, every exception is expected here (the MMIO guard injects
// aborts and SErrors on purpose): the vectors record it in hc_step (hypercall.c; the offsets
// below are its fields) and carry on. A synchronous exception is skipped (ELR_EL1 + 4: the
// faulting load/store, an UNDEFINED HVC on QEMU, a BRK step marker when no host traps it);
// an SError returns to ELR_EL1, the instruction it interrupted (Arm ARM D1.3.5: asynchronous).

        .equ    SYNC_COUNT,   80
        .equ    SYNC_ESR,     88
        .equ    SYNC_FAR,     96
        .equ    SYNC_ELR,     104
        .equ    SERROR_COUNT, 112
        .equ    SERROR_ESR,   120
        .equ    OTHER_COUNT,  128

        .section .text.boot, "ax"
        .global _start
_start:
        ldr     x1, =__stack_top
        mov     sp, x1
        ldr     x1, =__bss_start
        ldr     x2, =__bss_end
1:      cmp     x1, x2
        b.hs    2f
        stp     xzr, xzr, [x1], #16
        b       1b
2:      adr     x1, vectors
        msr     vbar_el1, x1
        isb
        bl      main
        .global psci_system_off
psci_system_off:
        movz    w0, #0x0008
        movk    w0, #0x8400, lsl #16        // PSCI SYSTEM_OFF (SMC32): 0x84000008
        hvc     #0
3:      wfi
        b       3b

// Each entry saves x0..x3 (all the handler uses) and passes its kind: 0 sync, 1 IRQ, 2 FIQ,
// 3 SError (the order of every group of four, Arm ARM D1.10.2).
        .macro  entry kind
        .balign 128
        sub     sp, sp, #32
        stp     x0, x1, [sp]
        stp     x2, x3, [sp, #16]
        mov     x0, #\kind
        b       exception
        .endm

        .balign 2048
vectors:
        .rept   4
        entry   0
        entry   1
        entry   2
        entry   3
        .endr

exception:
        ldr     x1, =hc_step
        cmp     x0, #3
        b.eq    4f
        cbnz    x0, 5f
        ldr     x2, [x1, #SYNC_COUNT]
        add     x2, x2, #1
        str     x2, [x1, #SYNC_COUNT]
        mrs     x2, esr_el1
        str     x2, [x1, #SYNC_ESR]
        mrs     x2, far_el1
        str     x2, [x1, #SYNC_FAR]
        mrs     x2, elr_el1
        str     x2, [x1, #SYNC_ELR]
        add     x2, x2, #4                  // skip the instruction that faulted
        msr     elr_el1, x2
        b       6f
4:      ldr     x2, [x1, #SERROR_COUNT]
        add     x2, x2, #1
        str     x2, [x1, #SERROR_COUNT]
        mrs     x2, esr_el1
        str     x2, [x1, #SERROR_ESR]
        b       6f
5:      ldr     x2, [x1, #OTHER_COUNT]      // IRQ/FIQ: masked throughout, never expected
        add     x2, x2, #1
        str     x2, [x1, #OTHER_COUNT]
6:      ldp     x2, x3, [sp, #16]
        ldp     x0, x1, [sp]
        add     sp, sp, #32
        eret

        .section .bss.stack, "aw", %nobits
        .balign 16
        .space  16384
__stack_top:
