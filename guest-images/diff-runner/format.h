/*
 * The differential-test case file and the runner's output: the contract between
 * src/tools/difftest/format.ts (which writes cases and parses results) and this runner.
 * Keep the two in step; format.ts carries the same description.
 *
 * CASE FILE (little-endian, loaded raw at CASES_ADDR = 0x44000000)
 *   header, 48 bytes:
 *     0  u8[8] magic "A64DCAS1"
 *     8  u32   version (3: F_FP cases carry V0..V31, FPCR and FPSR; 2 had no FP state; 1 drew
 *                 the initial state from rng32 alone)
 *    12  u32   count: number of cases
 *    16  u64   window address (must equal WINDOW_ADDR below)
 *    24  u32   window size in bytes (must equal WINDOW_SIZE)
 *    28  u32   out_size: where the results go. 0: the PL011 UART (QEMU, and the golden file's
 *                 canonical form). n > 0: a RAM buffer of n bytes (a multiple of 8, at least 16)
 *                 at OUT_ADDR(total) = the first 4 KiB boundary after the case file, ending at
 *                 or below RAM_END: u64 count of text bytes written, then the text, the same
 *                 bytes the UART would carry. The host reads it back after the run (a64vm, where
 *                 one MMIO exit per character would dominate the run time).
 *    32  u64   slot address (must equal SLOT_ADDR)
 *    40  u64   total file size in bytes
 *   then `count` cases, each 8-byte aligned:
 *     0  u32   insn: the instruction word executed at SLOT_ADDR
 *     4  u8    pstate: bits 3:0 = NZCV (N is bit 3), bits 7:4 = DAIF (D is bit 7)
 *     5  u8    flags: F_MMU_OFF (SCTLR_EL1.M = 0: data accesses are Device-nGnRnE),
 *                     F_ALIGN_CHECK (SCTLR_EL1.A = 1),
 *                     F_FP (the case has SIMD&FP state: the FP block below, V0..V31, FPCR, FPSR)
 *     6  u8    mon: exclusive monitor preloaded by the runner just before the case:
 *                   0 none, 1 LDXRB, 2 LDXRH, 3 LDXR Wt, 4 LDXR Xt, 5 LDXP Wt, 6 LDXP Xt
 *     7  u8    mon_off: byte offset in the window of the preload
 *     8  u32   seed: initial state generator seed (see below)
 *    12  u32   wmask: bit i set = window u64 word i is given explicitly
 *    16  u64   rmask: bit n set = state slot n is given explicitly:
 *                     0..30 Xn, 31 SP (SP_EL1, the case runs at EL1h), 32+i system register i
 *    24  FP block, 16 bytes, only when flags has F_FP:
 *          24 u32 FPCR (written with MSR before the case), 28 u32 FPSR (idem),
 *          32 u32 vmask: bit n set = Vn is given explicitly, 36 u32 zero
 *     .  u64   values[]: the explicit values, rmask slots in increasing order, then wmask words,
 *              then for each vmask register in increasing order its low then its high 64 bits
 *
 *   Initial state: a PRNG (xorshift128+, runner.c xs_next; its state words s0, s1 are four
 *   rng32 draws from `seed`, (hi << 32) | lo each, hi first, s0 first, s0 |= 1 if both are 0)
 *   gives, in this order, X0..X30, SP, system registers 0..NSYS-1, the WINDOW_SIZE/8 window
 *   words and, for F_FP cases only, V0..V31 (low 64 bits, then high, per register). Explicit
 *   values then replace their slots. A system register's value is always ANDed
 *   with its mask (SYS_MASKS).
 *
 *   System registers (index: name, mask):
 *     0 TPIDR_EL0 all, 1 TPIDR_EL1 all, 2 CONTEXTIDR_EL1 0xffffffff, 3 SP_EL0 all,
 *     4 ELR_EL1 all, 5 SPSR_EL1 0xf00003cd, 6 ESR_EL1 0xffffffff, 7 FAR_EL1 all,
 *     8 TPIDRRO_EL0 all (set, never reported: the runner uses it as a scratch on the way out)
 *
 * EXECUTION
 *   The case runs at EL1h, MMU on (identity map, RAM Normal write-back, the rest Device) unless
 *   F_MMU_OFF. SLOT_ADDR holds the word; every other word of the slot region [SLOT_ADDR - 4*PADS,
 *   SLOT_ADDR + 4*PADS] is a pad that records its offset k (in words, from the slot) and returns
 *   to the runner. A case that falls through lands on pad k = 1. Any exception taken goes to the
 *   runner's vector table, which records the vector offset and returns to the runner without ERET.
 *   CPACR_EL1.FPEN = 0b11 (no SIMD&FP traps). For F_FP cases the runner writes FPCR and FPSR with
 *   MSR and V0..V31 with FMOV (general) before the case, and reads them back (FMOV, MRS) on every
 *   way out; other cases leave them alone, so the FP state is neither set nor reported.
 *
 * OUTPUT (PL011 UART, one line per case, fields separated by one space)
 *   "A64DIFF 1 count=<dec> slot=<hex> window=<hex>"        first line
 *   "C<index hex> p=<k dec>" or
 *   "C<index hex> v=<vector offset hex> esr=<hex> elr=<signed hex, from SLOT_ADDR> far=<hex> spsr=<hex>"
 *   followed by what differs from the initial state only:
 *     x<n>=<16 hex>      X register n (decimal n)
 *     sp=<16 hex>        the SP live when the case ended (SP_EL1, or SP_EL0 if SPSel was cleared)
 *     f=<hex nibble>     NZCV
 *     d=<hex nibble>     DAIF (from SPSR_EL1 when an exception was taken)
 *     sel=<0|1>          SPSel (idem)
 *     w<i hex>=<16 hex>  window u64 word i (little-endian value)
 *     s<i>=<16 hex>      system register i (ELR/SPSR/ESR/FAR omitted when an exception was taken)
 *     q<n>=<32 hex>      V register n (F_FP cases), the 128-bit value, most significant digit first
 *     fpsr=<hex>         FPSR (F_FP cases)
 *     fpcr=<hex>         FPCR (F_FP cases)
 *   "END <count dec>"                                      last line, then PSCI SYSTEM_OFF
 *   "ERR <message>"                                        a malformed case file, then SYSTEM_OFF
 *   "ERR result buffer full" goes to the UART whatever the sink, then SYSTEM_OFF.
 */
#ifndef DIFF_FORMAT_H
#define DIFF_FORMAT_H

#define CASES_ADDR   0x44000000
#define SLOT_REGION  0x40100000   /* 2*PADS+1 words; the slot is the middle one */
#define SLOT_ADDR    (SLOT_REGION + 4 * PADS)
#define PADS         64
#define WINDOW_ADDR  0x40101f80   /* 64-byte aligned, straddles the page boundary at 0x40102000 */
#define WINDOW_SIZE  256
#define WINDOW_WORDS (WINDOW_SIZE / 8)
#define NSYS         9
#define NSYS_REPORTED 8

#define RAM_END      0x48000000   /* 128 MiB of RAM from 0x40000000: QEMU's and a64vm's default */
#define OUT_ADDR(total) ((CASES_ADDR + (total) + 4095) & ~4095UL)

#define F_MMU_OFF     0x01
#define F_ALIGN_CHECK 0x02
#define F_FP          0x04

#define HDR_SIZE 48
#define CASE_FIXED 24
#define CASE_FP_BLOCK 16

#endif
