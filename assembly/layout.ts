// The state block: one fixed layout in wasm linear memory, shared by the CPU (AssemblyScript)
// and the host (TypeScript). This file holds only numeric constants so that both compilers
// read the very same text: the two sides cannot drift.
//
// Wasm linear memory map:
//   0x0000_0000  unused (a null guard)
//   0x0000_1000  STATE: registers, system registers, EL2 controls, exit record
//   0x0001_0000  TLB: 2 regimes (EL0, EL1) x TLB_ENTRIES x 32 bytes
//   0x0010_0000  decode cache: DC_ENTRIES x 32 bytes, keyed by instruction word
//   0x0018_0000  block table: BT_ENTRIES x 16 bytes (start VA u64, block address u32), by VA
//   0x001a_0000  block arena: decoded basic blocks, bump-allocated, emptied when full
//   0x0040_0000  AssemblyScript static data (asconfig memoryBase)
//   above        host allocations (RAM, flash, stage-2 tables) from growPages()

export const STATE = 0x1000;

// General-purpose registers: X0..X30, slot 31 is the zero register (XZR/WZR; the loop rewrites
// it with 0 after every instruction so writes to it vanish), slot 32 is the current SP
// (SP_EL0 or SP_ELx as PSTATE.SP selects; the banked copies below are stale while in use).
export const X0 = 0x1000;
export const XZR = 0x10f8;
export const XSP = 0x1100;
export const PC = 0x1108;
// PSTATE pieces
export const NZCV = 0x1110; // u32, N Z C V in bits 31:28 (the NZCV register's format)
export const DAIF = 0x1114; // u32, D A I F in bits 9:6 (the DAIF register's format)
export const CURRENT_EL = 0x1118; // u32, 0 or 1
export const SPSEL = 0x111c; // u32, 0 = SP_EL0, 1 = SP_ELx
export const SP_EL0 = 0x1120;
export const SP_EL1 = 0x1128;
export const PSTATE_SS = 0x1130; // u32, reserved for single-step
export const PSTATE_IL = 0x1134; // u32, the illegal execution state bit (set by an illegal ERET)

// EL1 (and EL0-accessible) system registers, u64 each.
export const SCTLR_EL1 = 0x1200;
export const TCR_EL1 = 0x1208;
export const TTBR0_EL1 = 0x1210;
export const TTBR1_EL1 = 0x1218;
export const MAIR_EL1 = 0x1220;
export const AMAIR_EL1 = 0x1228;
export const VBAR_EL1 = 0x1230;
export const ESR_EL1 = 0x1238;
export const FAR_EL1 = 0x1240;
export const ELR_EL1 = 0x1248;
export const SPSR_EL1 = 0x1250;
export const CPACR_EL1 = 0x1258;
export const CONTEXTIDR_EL1 = 0x1260;
export const TPIDR_EL0 = 0x1268;
export const TPIDR_EL1 = 0x1270;
export const TPIDRRO_EL0 = 0x1278;
export const PAR_EL1 = 0x1280;
export const CNTKCTL_EL1 = 0x1288;
export const CNTV_CTL_EL0 = 0x1290;
export const CNTV_CVAL_EL0 = 0x1298;
export const CNTP_CTL_EL0 = 0x12a0;
export const CNTP_CVAL_EL0 = 0x12a8;
export const MDSCR_EL1 = 0x12b0;
export const AFSR0_EL1 = 0x12b8;
export const AFSR1_EL1 = 0x12c0;
export const CSSELR_EL1 = 0x12c8;
export const MPIDR_EL1 = 0x12d0;
export const MIDR_EL1 = 0x12d8;
export const CNTFRQ_EL0 = 0x12e0;
export const SP_EL1_SAVED = 0x12e8; // unused, kept for alignment
export const FPCR = 0x12f0;
export const FPSR = 0x12f8;
export const OSLSR_EL1 = 0x1300;
export const MDCCINT_EL1 = 0x1308;
export const ACTLR_EL1 = 0x1310;
export const PMUSERENR_EL0 = 0x1318;
export const OSDLR_EL1 = 0x1320;

// Registers the host ("EL2") owns.
export const HCR_EL2 = 0x1400; // VSE bit 8, VI bit 7, VF bit 6 are the pending virtual exceptions
export const VTTBR_EL2 = 0x1408; // stage-2 base: a wasm memory address (the "physical" address space)
export const VTCR_EL2 = 0x1410; // T0SZ [5:0], SL0 [7:6]; TG0 must be 4 KiB
export const VSESR_EL2 = 0x1418; // syndrome of the virtual SError
export const CNTVOFF_EL2 = 0x1420;
export const HOST_FLAGS = 0x1428; // u32 bits: HF_SEMIHOSTING, HF_TRAP_WFX
export const HF_SEMIHOSTING = 1;
export const HF_WFI_NOEXIT = 2;
export const HF_TRAP_BRK = 8; // BRK exits to the host (EXIT_BRK, PC at the BRK) instead of EL1: debugger breakpoints
export const HF_GICV3 = 4; // the GICv3 CPU interface (ICC_*) exists: ID_AA64PFR0_EL1.GIC = 1, ICC_* trap to the host
export const MEM_LIMIT = 0x1430; // u64: wasm bytes the stage-2 walker may touch (bounds check)
export const CNT_SHIFT = 0x1438; // u32: counter = ICOUNT >> CNT_SHIFT

// Exit record: why run() returned.
export const EXIT_REASON = 0x1500; // u32, one of EXIT_*
export const ESR_EL2 = 0x1508; // syndrome, ESR_ELx layout
export const FAR_EL2 = 0x1510; // faulting virtual address
export const HPFAR_EL2 = 0x1518; // faulting IPA (full address here, not HPFAR's >>8 packing)
export const ICOUNT = 0x1520; // u64: the vCPU's clock: +1 per instruction executed; the host sets it on a vCPU switch and when it skips idle time
export const EXIT_INSN = 0x1528; // u32, the instruction word at the exit (for NISV reports)
export const TLB_MISSES = 0x1578; // u64: full translations (soft-TLB misses, fetch refills included)
// The start VA of the block run() asks the host to compile (EXIT_JIT, src/cpu/jit/).
export const JIT_PC = 0x1588; // u64
// A compiled page function's bit per block (256 bits): the block's words were checked in this
// call (src/cpu/jit/emitter.ts verify). Only the function running uses it.
export const JIT_VERIFIED = 0x15c0;
export const JIT_VERIFIED_BYTES = 32;

// The exclusive monitor (local, one per vCPU).
export const EXCL_VALID = 0x1530; // u32
export const EXCL_ADDR = 0x1538; // u64 physical (wasm) address of the reserved granule
export const EXCL_SIZE = 0x1540; // u32 bytes

// CPU-internal bookkeeping the host may read but need not write.
export const FAULT = 0x1548; // u32: the current instruction raised an exception or an exit
export const ATTENTION = 0x154c; // u32: an unmasked virtual interrupt is pending
export const FETCH_TAG = 0x1550; // u64: VA page of the cached fetch translation (~0 = none)
export const FETCH_ADDEND = 0x1558; // u64: host address - VA for that page
export const EVENT = 0x1560; // u32: the event register (SEV/SEVL/WFE)

// Fuzzing feedback (assembly/coverage.ts); the host allocates both buffers, 0 = off.
export const COV_MAP = 0x1568; // u32: address of a 64 KiB AFL-style edge hit-count map
export const COV_PREV = 0x156c; // u32: the previous block's hash >> 1
export const CMPLOG = 0x1570; // u32: address of the comparison log, CMPLOG_CAPACITY x 32 bytes
export const CMPLOG_COUNT = 0x1574; // u32: entries written (the host resets it)
export const CMPLOG_CAPACITY = 256; // entries: pc u64, operand a u64, operand b u64, size u32

// Debug breakpoint/watchpoint value and control registers: DBGBVR0,1 DBGBCR0,1 DBGWVR0,1 DBGWCR0,1.
export const DBG_REGS = 0x1600; // 8 x u64

// CPU scratch: the bytes of a page-crossing access, and a decode record for decodeWord().
export const SPLIT_BUF = 0x1f00; // 16 bytes
export const SCRATCH_REC = 0x1f80; // one decode record (DC_ENTRY bytes)
// The memory image of a SIMD&FP structure load/store (LD1..LD4, ST1..ST4: at most 4 x 16 bytes).
export const VMEM_BUF = 0x1f40; // 64 bytes
// The result of an Advanced SIMD data-processing instruction, built before it is written to Vd
// (Vd may also be a source).
export const VRES = 0x1f10; // 16 bytes

// Floating-point/SIMD registers V0..V31, 16 bytes each (issue 11).
export const V0 = 0x1800;

export const STATE_END = 0x2000;

// Exit reasons.
export const EXIT_NONE = 0;
export const EXIT_BUDGET = 1; // instruction budget used up
export const EXIT_HVC = 2; // ESR_EL2 EC 0x16; PC is past the HVC
export const EXIT_SMC = 3; // ESR_EL2 EC 0x17; PC at the SMC (the preferred return of a trapped SMC)
export const EXIT_DABT = 4; // stage-2 data abort (EC 0x24); PC at the instruction
export const EXIT_IABT = 5; // stage-2 instruction abort (EC 0x20); PC at the instruction
export const EXIT_WFI = 6; // WFI/WFE with nothing pending; PC is past it
export const EXIT_SEMIHOST = 7; // HLT #0xF000 with semihosting on; PC at the HLT
export const EXIT_INTERNAL = 8; // host set up something impossible (stage-2 table outside memory)
export const EXIT_BRK = 9; // BRK with HOST_FLAGS.HF_TRAP_BRK (ESR_EL2 EC 0x3C, imm16); PC at the BRK
export const EXIT_SYSREG = 10; // MRS/MSR the host emulates (GICv3 ICC_*): ESR_EL2 EC 0x18; PC at the instruction
export const EXIT_TIMER = 11; // a generic-timer register was written; PC past it (the host re-plans its deadline)
export const EXIT_JIT = 12; // a block became hot: compile the block at JIT_PC (src/cpu/cpu.ts handles it; nothing executed)

// Soft TLB
export const TLB = 0x10000;
export const TLB_BITS = 12;
export const TLB_ENTRIES = 4096; // per regime: 16 MiB of 4 KiB pages
export const TLB_ENTRY = 32; // tagR u64, tagW u64, tagX u64, addend u64
export const TLB_REGIME_BYTES = 0x20000; // TLB_ENTRIES * TLB_ENTRY

// Decode cache: what a word decodes to, whatever its address (block builds copy from it).
export const DCACHE = 0x100000;
export const DC_BITS = 14;
export const DC_ENTRIES = 16384;
export const DC_ENTRY = 32; // word u32, op u16, pad u16, d u16, n u16, m u16, a u16, imm u64, imm2 u64

// Basic-block cache (assembly/blocks.ts): a block is a header (length u32 at +0, times entered
// u32 at +4, compiled function's table index u32 at +8, 0 = none) and its instructions' decode
// records, copied from the decode cache, at BLOCK_HDR + 32 * i.
export const BT = 0x180000;
export const BT_ENTRIES = 8192;
export const BT_ENTRY = 16;
export const ARENA = 0x1a0000;
export const ARENA_END = 0x400000;
export const BLOCK_HDR = 16;
export const BLOCK_HEAT = 4;
export const BLOCK_FN = 8;
export const BLOCK_MAX = 32; // instructions; a block also ends at a page boundary or a branch/system instruction

export const HEAP_BASE = 0x400000;
