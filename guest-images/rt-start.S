// rt-start.S: entry and exception vectors for the guests that handle their own exceptions (exceptions.elf,
// semihosting.elf, psci.elf, mmu.elf). EL1, MMU off, DAIF masked on entry, as QEMU virt -kernel
// and a64vm enter. Sets SP_EL1, clears .bss, installs the vector table, calls main(), then
// powers off with PSCI SYSTEM_OFF over HVC.
//
// Every vector saves x0-x30, ELR_EL1 and SPSR_EL1 in a struct frame (rt.h) on SP_EL1 and calls
// exception(vector, frame) in rt.c; on return the (possibly edited) frame is restored and ERET
// resumes at frame->elr.

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
2:      ldr     x1, =vectors
        msr     vbar_el1, x1
        isb
        bl      main
        .global psci_system_off
psci_system_off:
        movz    w0, #0x0008
        movk    w0, #0x8400, lsl #16        // PSCI SYSTEM_OFF (SMC32): 0x84000008
        hvc     #0
3:      wfi                                 // not reached
        b       3b

        .equ    FRAME, 272                  // x0..x30, elr, spsr, padding to 16 bytes

        .macro  ventry idx
        .balign 128
        sub     sp, sp, #FRAME
        stp     x0, x1, [sp, #0]
        mov     x0, #\idx
        b       vector_common
        .endm

        .section .text.vectors, "ax"
        .balign 2048
        .global vectors
vectors:
        .irp    idx, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        ventry  \idx
        .endr

vector_common:
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x19, [sp, #144]
        stp     x20, x21, [sp, #160]
        stp     x22, x23, [sp, #176]
        stp     x24, x25, [sp, #192]
        stp     x26, x27, [sp, #208]
        stp     x28, x29, [sp, #224]
        mrs     x1, elr_el1
        stp     x30, x1, [sp, #240]
        mrs     x1, spsr_el1
        str     x1, [sp, #256]
        mov     x1, sp
        bl      exception
        ldr     x1, [sp, #256]
        msr     spsr_el1, x1
        ldp     x30, x1, [sp, #240]
        msr     elr_el1, x1
        ldp     x28, x29, [sp, #224]
        ldp     x26, x27, [sp, #208]
        ldp     x24, x25, [sp, #192]
        ldp     x22, x23, [sp, #176]
        ldp     x20, x21, [sp, #160]
        ldp     x18, x19, [sp, #144]
        ldp     x16, x17, [sp, #128]
        ldp     x14, x15, [sp, #112]
        ldp     x12, x13, [sp, #96]
        ldp     x10, x11, [sp, #80]
        ldp     x8, x9, [sp, #64]
        ldp     x6, x7, [sp, #48]
        ldp     x4, x5, [sp, #32]
        ldp     x2, x3, [sp, #16]
        ldp     x0, x1, [sp, #0]
        add     sp, sp, #FRAME
        eret

        .section .bss.stack, "aw", %nobits
        .balign 16
        .space  16384
__stack_top:
