// Entry and exception plumbing of the MMIO guard guests (guard-demo, guard-conformance): EL1,
// MMU off, DAIF masked on entry (as QEMU virt -kernel and a64vm enter). Sets the stack, clears
// .bss, installs the vector table, calls main(), then powers off with PSCI SYSTEM_OFF over HVC.
//
// Every vector saves the whole general-purpose state in a frame (struct frame in lib.h) and calls
// exception_handler(frame, vector index 0..15) in C, which may change the frame (ELR_EL1 to skip
// an instruction, SPSR_EL1 to return somewhere else) before it is restored and ERET returns.
// An SError can arrive between any two instructions, so nothing may be assumed clobbered.

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
3:      wfi                                 // not reached
        b       3b

        .global psci_system_reset
psci_system_reset:
        movz    w0, #0x0009
        movk    w0, #0x8400, lsl #16        // PSCI SYSTEM_RESET: 0x84000009
        hvc     #0
        b       3b

// Frame: x0..x30 at 8 * n, ELR 248, SPSR 256, ESR 264, FAR 272; 288 bytes (16-byte aligned).
        .equ    FRAME, 288
        .macro  vector idx
        .balign 128
        sub     sp, sp, #FRAME
        stp     x0, x1, [sp, #0]
        mov     x1, #\idx
        b       exception_entry
        .endm

        .text
        .balign 2048
        .global vectors
vectors:
        .irp    i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vector  \i
        .endr

exception_entry:
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
        mrs     x2, elr_el1
        stp     x30, x2, [sp, #240]
        mrs     x2, spsr_el1
        mrs     x3, esr_el1
        stp     x2, x3, [sp, #256]
        mrs     x2, far_el1
        str     x2, [sp, #272]
        mov     x0, sp
        bl      exception_handler
        ldp     x2, x3, [sp, #248]          // ELR, SPSR (possibly changed by the handler)
        msr     elr_el1, x2
        msr     spsr_el1, x3
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldp     x8, x9, [sp, #64]
        ldp     x10, x11, [sp, #80]
        ldp     x12, x13, [sp, #96]
        ldp     x14, x15, [sp, #112]
        ldp     x16, x17, [sp, #128]
        ldp     x18, x19, [sp, #144]
        ldp     x20, x21, [sp, #160]
        ldp     x22, x23, [sp, #176]
        ldp     x24, x25, [sp, #192]
        ldp     x26, x27, [sp, #208]
        ldp     x28, x29, [sp, #224]
        ldr     x30, [sp, #240]
        ldp     x0, x1, [sp, #0]
        add     sp, sp, #FRAME
        eret

// u64 el0_enter(u64 (*fn)(u64), u64 arg, u64 spsr): runs fn(arg) at EL0t (SP_EL0 = el0 stack,
// SPSR = spsr for the DAIF bits) and returns its result. fn's return goes through SVC #0x55,
// which exception_handler turns into a return to el0_return at EL1h.
        .global el0_enter, el0_return
el0_enter:
        stp     x29, x30, [sp, #-16]!
        ldr     x3, =__el0_stack_top
        msr     sp_el0, x3
        adr     x3, el0_entry
        msr     elr_el1, x3
        msr     spsr_el1, x2
        mov     x16, x0
        mov     x0, x1
        eret
el0_entry:
        blr     x16
        svc     #0x55
el0_return:
        ldp     x29, x30, [sp], #16
        ret

        .section .bss.stack, "aw", %nobits
        .balign 16
        .space  32768
__stack_top:
        .balign 16
        .space  4096
__el0_stack_top:
