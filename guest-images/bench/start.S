// Shared entry for the bench guests: EL1, MMU off, DAIF masked (QEMU virt -kernel and a64vm
// both enter like that). Sets SP, clears .bss, installs the EL1 vector table, calls main(),
// then powers off through PSCI SYSTEM_OFF (HVC conduit, as the virt board's /psci node says).

        .section .text.boot, "ax"
        .global _start
_start:
        ldr     x1, =__stack_top
        mov     sp, x1
        // Clear .bss (16-byte aligned bounds, see link.ld).
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
        // fallthrough: power off
        .global psci_system_off
psci_system_off:
        movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16        // PSCI_SYSTEM_OFF (SMC32) 0x84000008
        hvc     #0
3:      wfi                                 // not reached
        b       3b

// EL1 vector table (2 KiB aligned, 16 entries of 128 bytes). Only "current EL with SP_ELx,
// synchronous" is expected (the SVC loop); it returns straight away when the ESR says SVC and
// counts the call in x9's memory word via the C handler. Anything else reports and powers off.
        .section .text.vectors, "ax"
        .balign 2048
        .global vectors
vectors:
        .irp    idx, 0,1,2,3
        .balign 128
        b       unexpected_exception
        .endr
        // Current EL with SP_ELx: synchronous
        .balign 128
        b       el1_sync
        .balign 128
        b       unexpected_exception
        .balign 128
        b       unexpected_exception
        .balign 128
        b       unexpected_exception
        .irp    idx, 8,9,10,11,12,13,14,15
        .balign 128
        b       unexpected_exception
        .endr

// SVC fast path: a minimal handler, as an OS would do for a trivial syscall. x8 holds the call
// number; the result (x0 + x8) goes back in x0. Caller-saved registers x9..x10 are used freely
// (the SVC loop in svc.c declares them clobbered).
el1_sync:
        mrs     x9, esr_el1
        lsr     x10, x9, #26
        cmp     x10, #0x15                  // EC = SVC from AArch64
        b.ne    unexpected_exception
        add     x0, x0, x8
        eret

unexpected_exception:
        mrs     x0, esr_el1
        mrs     x1, elr_el1
        mrs     x2, far_el1
        bl      report_unexpected_exception
        b       psci_system_off

        .section .bss.stack, "aw", %nobits
        .balign 16
__stack_bottom:
        .space  65536
__stack_top:
