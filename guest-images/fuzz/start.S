// Entry for parser.elf (hello.elf's start.S): EL1, MMU off, DAIF masked, as QEMU virt -kernel enters.
// Sets the stack, clears .bss, installs a vector table, calls main(), then powers off with
// PSCI SYSTEM_OFF over HVC (the conduit the virt board's /psci node names).

        .section .text.boot, "ax"
        .global _start
_start:
        ldr     x1, =__stack_top
        mov     sp, x1
        // .bss bounds are 16-byte aligned (link.ld): clear it 16 bytes at a time.
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

// Any exception is unexpected here: report ESR_EL1, ELR_EL1, FAR_EL1 and power off. A second
// one (say, HVC is UNDEFINED because the PSCI conduit is SMC) just waits forever.
        .balign 2048
vectors:
        .rept   16
        .balign 128
        b       unexpected
        .endr
        .global unexpected
unexpected:
        adr     x3, in_exception
        ldr     w4, [x3]
        cbnz    w4, 3b
        mov     w4, #1
        str     w4, [x3]
        mrs     x0, esr_el1
        mrs     x1, elr_el1
        mrs     x2, far_el1
        bl      report_exception
        b       psci_system_off

        .section .bss.stack, "aw", %nobits
        .balign 16
in_exception:
        .space  16
        .space  16384
__stack_top:
