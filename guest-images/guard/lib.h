// Bare-metal support for the MMIO guard guests: types, register access, the PL011 console, the
// SMC Calling Convention, and exception reporting and recovery (start.S + exceptions.c).
// Runs with the MMU off, where every data access is Device memory: only aligned accesses.
#ifndef GUARD_LIB_H
#define GUARD_LIB_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;

#define UART_BASE 0x09000000ul
#define RTC_BASE  0x09010000ul
#define RAM_BASE  0x40000000ul

#define READ_SYSREG(r) ({ u64 __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((u64)(v)) : "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")

static inline u32 read32(u64 a) { return *(volatile u32 *)a; }
static inline void write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u64 read64(u64 a) { return *(volatile u64 *)a; }
static inline void write64(u64 a, u64 v) { *(volatile u64 *)a = v; }

// ---- console (console.c): the PL011 at UART_BASE ----
void putc(char c);
void puts(const char *s);
void puthex(u64 v);
void putdec(u64 v);

// ---- SMCCC over HVC #0 (x0 = function ID, x1..x3 arguments; results in x0..x3) ----
struct smccc_res { u64 a0, a1, a2, a3; };
struct smccc_res smccc(u64 fid, u64 a1, u64 a2, u64 a3);

#define SMCCC_VERSION        0x80000000ul
#define SMCCC_ARCH_FEATURES  0x80000001ul
#define VENDOR_HYP_KVM_FEATURES 0x86000000ul
#define VENDOR_HYP_CALL_UID  0x8600ff01ul
#define VENDOR_HYP_FN64(n)   (0xc6000000ul | (n))

void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

// ---- exceptions (exceptions.c) ----
struct frame { u64 x[31]; u64 elr, spsr, esr, far; };

// The last exception taken: vector index (0..15: group * 4 + type), syndrome registers.
struct exc_record {
	u32 count;
	u32 vector;
	u64 esr, elr, far, spsr;
	u64 x30; // the interrupted context's x30 (where a branch-and-link came from)
};
extern volatile struct exc_record exc;
// Print each exception's syndrome as it is taken (the demo does; the conformance guest does not).
extern int exc_verbose;

void exc_clear(void);
// Vector offsets of the exception kinds the guard guests see.
#define VEC_CUR_SPX_SYNC   0x200
#define VEC_CUR_SPX_SERROR 0x380
#define VEC_LOWER_SYNC     0x400
#define VEC_LOWER_SERROR   0x580
static inline u32 exc_offset(void) { return exc.vector * 0x80; }

// Runs fn(arg) at EL0 with SPSR = spsr (M = EL0t, DAIF as given); returns its result.
u64 el0_call(u64 (*fn)(u64), u64 arg, u64 spsr);

// Describes an ESR_EL1 value in words (for the handlers' reports).
const char *esr_describe(u64 esr);

#define DAIF_A (1ul << 8)
static inline void serror_unmask(void) { __asm__ volatile("msr daifclr, #4" ::: "memory"); }
static inline void serror_mask(void) { __asm__ volatile("msr daifset, #4" ::: "memory"); }

#endif
