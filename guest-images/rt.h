// The small runtime of the guests built on rt-start.S: PL011 output, hex numbers, SMCCC calls over
// HVC, Arm semihosting calls, and exception dispatch. The UART is touched only with aligned
// 32-bit accesses of one register (with the MMU off every data access is to Device memory).
#ifndef RT_H
#define RT_H
#include <stdint.h>

/** What rt-start.S saves on every exception; a handler may edit it (x[], elr, spsr) before ERET. */
struct frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

void uart_putc(char c);
void uart_puts(const char *s);
/** 0x and 16 hex digits. */
void put_hex(uint64_t v);
/** 0x and as few hex digits as v needs. */
void put_x(uint64_t v);
void put_dec(uint64_t v);

/** An SMCCC call over HVC: function ID in w0, arguments in x1..x3; returns x0. */
uint64_t hvc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
/** An Arm semihosting call (HLT #0xF000): operation in w0, argument in x1; returns x0. */
uint64_t semihost(uint64_t op, uint64_t arg);

/** PSCI SYSTEM_OFF (rt-start.S); does not return. */
void psci_system_off(void) __attribute__((noreturn));

/**
 * The guest's handler for synchronous exceptions taken from the current EL (either stack
 * pointer); esr and far are ESR_EL1 and FAR_EL1. Any other exception is reported and ends the
 * run (rt.c).
 */
void on_sync(struct frame *f, uint64_t esr, uint64_t far);

#define sysreg_read(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define sysreg_write(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")

#endif
