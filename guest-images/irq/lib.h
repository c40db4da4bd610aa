// The irq guests' small runtime: UART output, PSCI calls, the generic timers and a driver for
// the virt board's GIC, version 2 or 3 (GIC_VERSION, set by the Makefile). MMU off: every data
// access is to Device memory, so MMIO and shared variables use aligned single accesses only.
#ifndef IRQ_LIB_H
#define IRQ_LIB_H
#include <stdint.h>

#ifndef GIC_VERSION
#error "build with -DGIC_VERSION=2 or 3"
#endif

#define MAX_CPUS 8

// Single LDR/STR without writeback, as Linux's readl/writel: a hypervisor can emulate those from
// the syndrome alone (a post-indexed store has no valid ISV).
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}
static inline void mmio_write32(uintptr_t addr, uint32_t v) { __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); }

// Two levels, so that a register given by a macro (S3_0_C12_C12_0) is expanded first.
#define READ_SYSREG_(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define WRITE_SYSREG_(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")
#define READ_SYSREG(name) READ_SYSREG_(name)
#define WRITE_SYSREG(name, v) WRITE_SYSREG_(name, v)
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #3" ::: "memory"); }  /* I and F */
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #3" ::: "memory"); }

void uart_putc(char c);
void uart_puts(const char *s);
void uart_putdec(uint64_t v);
void uart_puthex(uint64_t v);

// PSCI over HVC (the conduit of the virt board's /psci node).
int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
#define PSCI_CPU_OFF       0x84000002u
#define PSCI_CPU_ON64      0xc4000003u
#define PSCI_AFFINITY_INFO64 0xc4000004u
void secondary_entry(void);
void psci_system_off(void);
/** CPU_ON for CPU n (MPIDR affinity 0.0.0.n): it enters secondary_main(n). */
int64_t cpu_on(unsigned n);
unsigned cpu_id(void); // MPIDR_EL1.Aff0

// The GIC.
void gic_init_dist(void);           // once, by CPU 0
void gic_init_cpu(void);            // by every CPU: its redistributor (v3) and CPU interface
void gic_enable_private(unsigned intid, uint8_t prio); // an SGI or PPI of the calling CPU
uint32_t gic_ack(void);             // IAR; the INTID is the low 10 bits
void gic_eoi(uint32_t iar);
void gic_send_sgi(unsigned intid, unsigned cpu);
void gic_send_sgi_others(unsigned intid);
uint32_t gic_arch_rev(void);        // GICD_PIDR2.ArchRev
uint32_t gic_it_lines(void);        // GICD_TYPER.ITLinesNumber
#define INTID(iar) ((iar) & 0x3ff)
#define SPURIOUS 1023

// Generic timers: the counter frequency, the virtual count and the virtual/physical timers.
static inline uint64_t cntfrq(void) { return READ_SYSREG(cntfrq_el0); }
static inline uint64_t cntvct(void) { isb(); return READ_SYSREG(cntvct_el0); }
static inline uint64_t cntpct(void) { isb(); return READ_SYSREG(cntpct_el0); }
#define PPI_VIRT_TIMER 27
#define PPI_PHYS_TIMER 30

void irq_handler(void); // each test defines it
#endif
