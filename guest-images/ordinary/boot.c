// The ordinary-C guest's boot, built like the other runtime code (general-purpose registers
// only): it enables SIMD&FP (CPACR_EL1.FPEN = 0b11), then turns the MMU on with an identity map
// so that RAM is Normal memory (the compiler's SIMD loads and stores may be unaligned, which
// Device memory, all memory with the MMU off, does not allow), then calls ordinary_main(),
// which is compiled the ordinary way (-O2, SIMD allowed).
//
// Stage 1: 4 KiB granule, T0SZ = 25 (39-bit VA), walk starting at level 1 with two 1 GiB
// blocks: [0, 1 GiB) Device-nGnRnE (the UART), [1 GiB, 2 GiB) Normal write-back (RAM).
#include "../rt.h"

void ordinary_main(void);

static uint64_t l1[512] __attribute__((aligned(4096)));

#define BLOCK      1ul              // descriptor bits[1:0] = 0b01: block
#define ATTR(n)    ((uint64_t)(n) << 2)
#define SH_INNER   (3ul << 8)
#define AF         (1ul << 10)

int main(void)
{
	sysreg_write(cpacr_el1, 3ul << 20);
	__asm__ volatile("isb");
	l1[0] = 0x00000000ul | BLOCK | ATTR(1) | AF;
	l1[1] = 0x40000000ul | BLOCK | ATTR(0) | SH_INNER | AF;
	sysreg_write(mair_el1, 0x00fful); // Attr0 Normal write-back, Attr1 Device-nGnRnE
	// T0SZ 25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, EPD1 (no TTBR1 walks), IPS 40 bits.
	sysreg_write(tcr_el1, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (2ul << 32));
	sysreg_write(ttbr0_el1, (uint64_t)l1);
	__asm__ volatile("dsb ish; tlbi vmalle1; dsb ish; isb" ::: "memory");
	uint64_t sctlr = sysreg_read(sctlr_el1);
	sysreg_write(sctlr_el1, sctlr | 1ul | (1ul << 2) | (1ul << 12)); // M, C, I
	__asm__ volatile("isb");
	ordinary_main();
	return 0;
}

void on_sync(struct frame *f, uint64_t esr, uint64_t far)
{
	uart_puts("unexpected exception: ESR ");
	put_hex(esr);
	uart_puts(" FAR ");
	put_hex(far);
	uart_puts(" ELR ");
	put_hex(f->elr);
	uart_puts("\n");
	psci_system_off();
}
