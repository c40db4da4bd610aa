// Entry code of the irq guests. EL1, MMU off, DAIF masked on entry (QEMU virt -kernel, a64vm).
// CPU 0 enters at _start with x0 = the DTB; the others at secondary_entry, started by PSCI
// CPU_ON with x0 = the context id, which these guests set to the CPU number. Each CPU gets a
// 16 KiB stack; IRQs and FIQs taken at EL1 with SP_EL1 go to irq_handler() in C.

#define STACK_SIZE 16384

        .section .text.boot, "ax"
        .global _start
_start:
        ldr     x1, =stacks + STACK_SIZE
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

        .global secondary_entry
secondary_entry:
        ldr     x1, =stacks + STACK_SIZE
        mov     x2, #STACK_SIZE
        madd    x1, x0, x2, x1              // the top of this CPU's stack
        mov     sp, x1
        adr     x1, vectors
        msr     vbar_el1, x1
        isb
        bl      secondary_main              // x0: the CPU number
        movz    w0, #0x0002
        movk    w0, #0x8400, lsl #16        // PSCI CPU_OFF: 0x84000002
        hvc     #0
        b       3b

// IRQ and FIQ from the current EL with SP_ELx: save the caller-saved registers, call the C
// handler, return. Anything else is unexpected: report it and power off.
        .balign 2048
vectors:
        .rept   4                           // 0x000-0x180: current EL with SP_EL0
        .balign 128
        b       unexpected
        .endr
        .balign 128                         // 0x200: synchronous, current EL, SP_ELx
        b       unexpected
        .balign 128                         // 0x280: IRQ
        b       irq_entry
        .balign 128                         // 0x300: FIQ
        b       irq_entry
        .balign 128                         // 0x380: SError
        b       unexpected
        .rept   8                           // 0x400-0x780: lower EL, AArch64 and AArch32
        .balign 128
        b       unexpected
        .endr

irq_entry:
        sub     sp, sp, #176
        stp     x0, x1, [sp, #0]
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x30, [sp, #144]
        mrs     x0, elr_el1
        mrs     x1, spsr_el1
        stp     x0, x1, [sp, #160]
        bl      irq_handler
        ldp     x0, x1, [sp, #160]
        msr     elr_el1, x0
        msr     spsr_el1, x1
        ldp     x0, x1, [sp, #0]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldp     x8, x9, [sp, #64]
        ldp     x10, x11, [sp, #80]
        ldp     x12, x13, [sp, #96]
        ldp     x14, x15, [sp, #112]
        ldp     x16, x17, [sp, #128]
        ldp     x18, x30, [sp, #144]
        add     sp, sp, #176
        eret

unexpected:
        mrs     x0, esr_el1
        mrs     x1, elr_el1
        mrs     x2, far_el1
        bl      report_exception
        b       psci_system_off

        .section .bss.stack, "aw", %nobits
        .balign 16
stacks:
        .space  STACK_SIZE * 8
