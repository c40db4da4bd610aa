/*
 * diff-runner: entry, exception vectors, the slot region with its pads, and run_case, the
 * switch between the runner's C code and one case. See format.h for the contract.
 *
 * Save area (save_area, u64 slots): 0..30 X0..X30, 31 SP, 32 NZCV, 33 marker (pad index j, or
 * 0x1000 + vector offset), 34 SPSel, 35 DAIF, and for F_FP cases (case_fp set) 36 FPCR, 37 FPSR,
 * 38..101 V0..V31 (low then high 64 bits each). Every way out of a case (pad or vector) stashes X0
 * in TPIDRRO_EL0, points X0 at save_area, saves X1 and X2, puts its marker in X1 and branches to
 * common_save; nothing else of the case's state is touched before it is saved.
 */
#include "format.h"

	/* The C code is built with -mgeneral-regs-only (it must never touch the V registers a case
	   sets); this file moves the SIMD&FP state in and out, so it needs the instructions. */
	.arch_extension fp
	.arch_extension simd

	.section .text.start, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	adrp	x0, stack_top
	add	x0, x0, :lo12:stack_top
	mov	sp, x0
	adrp	x0, vectors
	add	x0, x0, :lo12:vectors
	msr	vbar_el1, x0
	mov	x0, #(3 << 20)			/* CPACR_EL1.FPEN = 0b11: SIMD&FP at EL1 and EL0 untrapped */
	msr	cpacr_el1, x0
	isb
	/* clear .bss */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	bl	runner_main
	b	psci_off

	.global psci_off
psci_off:
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16		/* PSCI SYSTEM_OFF */
	hvc	#0
3:	b	3b

/* ---- exits from a case ---- */
.macro exit_stub marker
	msr	tpidrro_el0, x0
	adrp	x0, save_area
	add	x0, x0, :lo12:save_area
	stp	x1, x2, [x0, #8]
	mov	x1, #(\marker)
	b	common_save
.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global vectors
vectors:
	.set	v, 0
	.rept	16
	.balign	128
	exit_stub (0x1000 + v * 0x80)
	.set	v, v + 1
	.endr

	.text
common_save:
	stp	x3, x4, [x0, #24]
	stp	x5, x6, [x0, #40]
	stp	x7, x8, [x0, #56]
	stp	x9, x10, [x0, #72]
	stp	x11, x12, [x0, #88]
	stp	x13, x14, [x0, #104]
	stp	x15, x16, [x0, #120]
	stp	x17, x18, [x0, #136]
	stp	x19, x20, [x0, #152]
	stp	x21, x22, [x0, #168]
	stp	x23, x24, [x0, #184]
	stp	x25, x26, [x0, #200]
	stp	x27, x28, [x0, #216]
	stp	x29, x30, [x0, #232]
	mrs	x2, tpidrro_el0
	str	x2, [x0, #0]
	mov	x2, sp
	str	x2, [x0, #248]
	mrs	x2, nzcv
	str	x2, [x0, #256]
	str	x1, [x0, #264]
	mrs	x2, spsel
	str	x2, [x0, #272]
	mrs	x2, daif
	str	x2, [x0, #280]
	msr	spsel, #1
	msr	daifset, #0xf
	clrex
	adrp	x9, in_case
	ldr	w10, [x9, :lo12:in_case]
	cbz	w10, runner_fault_entry
	str	wzr, [x9, :lo12:in_case]
	/* SIMD&FP state, for F_FP cases only, after in_case is cleared so
	   that a fault here is the runner's, reported as such (FMOV to general registers: no SIMD&FP stores needed) */
	adrp	x9, case_fp
	ldr	x10, [x9, :lo12:case_fp]
	cbz	x10, 1f
	mrs	x2, fpcr
	str	x2, [x0, #288]
	mrs	x2, fpsr
	str	x2, [x0, #296]
	add	x9, x0, #304
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmov	x2, d\n
	fmov	x3, v\n\().d[1]
	stp	x2, x3, [x9, #16 * \n]
	.endr
1:
	/* back to the runner: callee-saved registers and SP from runner_ctx */
	adrp	x9, runner_ctx
	add	x9, x9, :lo12:runner_ctx
	ldr	x10, [x9, #96]
	mov	sp, x10
	ldp	x19, x20, [x9, #0]
	ldp	x21, x22, [x9, #16]
	ldp	x23, x24, [x9, #32]
	ldp	x25, x26, [x9, #48]
	ldp	x27, x28, [x9, #64]
	ldp	x29, x30, [x9, #80]
	ret

runner_fault_entry:
	/* An exception in the runner itself: report it on the runner's own stack. */
	adrp	x9, stack_top
	add	x9, x9, :lo12:stack_top
	mov	sp, x9
	bl	runner_fault
	b	psci_off

/*
 * void run_case(struct case_state *s): x[31] @0, sp @248, nzcv @256, daif @264,
 * mon kind @272, mon address @280, fp @288 (nonzero: an F_FP case), fpcr @296, fpsr @304,
 * v[32][2] @312. Returns when the case has left through a pad or a vector.
 */
	.global run_case
run_case:
	adrp	x9, runner_ctx
	add	x9, x9, :lo12:runner_ctx
	stp	x19, x20, [x9, #0]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x30, [x9, #80]
	mov	x10, sp
	str	x10, [x9, #96]
	/* SIMD&FP state of F_FP cases (before in_case is set: a fault here is the runner's): FPCR, FPSR with MSR, V0..V31 with FMOV (general), which
	   writes Dn and zeroes bits 127:64, then Vn.D[1] */
	ldr	x1, [x0, #288]
	adrp	x9, case_fp
	str	x1, [x9, :lo12:case_fp]
	cbz	x1, 8f
	ldr	x1, [x0, #296]
	msr	fpcr, x1
	ldr	x1, [x0, #304]
	msr	fpsr, x1
	add	x9, x0, #312
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ldp	x1, x2, [x9, #16 * \n]
	fmov	d\n, x1
	fmov	v\n\().d[1], x2
	.endr
8:	adrp	x9, in_case
	mov	w10, #1
	str	w10, [x9, :lo12:in_case]
	/* the exclusive monitor: cleared, then optionally armed on the window */
	ldr	x1, [x0, #272]
	ldr	x2, [x0, #280]
	clrex
	cbz	x1, 9f
	cmp	x1, #1
	b.ne	1f
	ldxrb	w3, [x2]
	b	9f
1:	cmp	x1, #2
	b.ne	2f
	ldxrh	w3, [x2]
	b	9f
2:	cmp	x1, #3
	b.ne	3f
	ldxr	w3, [x2]
	b	9f
3:	cmp	x1, #4
	b.ne	4f
	ldxr	x3, [x2]
	b	9f
4:	cmp	x1, #5
	b.ne	5f
	ldxp	w3, w4, [x2]
	b	9f
5:	ldxp	x3, x4, [x2]
9:	ldr	x1, [x0, #248]
	mov	sp, x1
	ldr	x1, [x0, #256]
	msr	nzcv, x1
	ldr	x1, [x0, #264]
	msr	daif, x1
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	b	case_slot

/* ---- the slot region, at SLOT_REGION (its own page): pads around the slot; stubs in .text ---- */
	.section .slots, "awx"
	.global slot_region
slot_region:
	.set	j, 0
	.rept	2 * PADS + 1
	.if	j == PADS
	.global case_slot
case_slot:
	.endif
	b	pad_stubs + 24 * j
	.set	j, j + 1
	.endr

	.text
	.balign	64
pad_stubs:
	.set	j, 0
	.rept	2 * PADS + 1
	exit_stub j
	.set	j, j + 1
	.endr

	.bss
	.balign	16
	.global save_area
save_area:
	.skip	8 * 102
runner_ctx:
	.skip	8 * 14
	.global in_case
in_case:
	.skip	8
case_fp:
	.skip	8
	.balign	16
stack:
	.skip	16384
stack_top:
