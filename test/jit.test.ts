// The JIT (src/cpu/jit/) against the interpreter it must agree with.
//
// Random programs (test/helpers/jit-rig.ts): a straight-line block of 1-36 instructions drawn
// from the encoding table (mostly encodings the JIT emits: data processing, every load/store
// form; some it leaves to the interpreter: SIMD&FP, atomics, CRC32, MRS...), registers biased to
// a few so that instructions depend on each other, load/store bases in a RAM window (aligned,
// unaligned, crossing pages, in unmapped/read-only/Device pages, outside RAM), sometimes a
// forward branch or a BL inside, ending in a branch back (B, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, RET,
// BLR) with a counter, or in an HVC; MMU on and off, EL1h, EL1t and EL0, exception handlers that
// stop the run or skip the instruction and return, now and then an IRQ. Each runs from the same
// initial state on an interpreter-only CPU and on JIT CPUs (threshold 1: compiled on first entry;
// threshold 2: one pass interpreted, then compiled mid-loop), with the same budget slices (one
// large budget, one that may end anywhere, or many small ones); X0-X30, SP, PC, NZCV, DAIF, EL,
// the instruction count, the exit and its syndrome, ESR/FAR/ELR/SPSR_EL1, SP_EL0/1, FPCR/FPSR,
// V0-V31, the exclusive monitor and all of guest RAM are compared after every slice. A failure
// prints the seed, the disassembly and the differences, then the same for a minimised case.
//
// Then targeted cases for the JIT's ways out to the interpreter: faults in a compiled loop, MMIO
// exits (also through a VM and its PL011), budgets ending mid-block, interrupts (host-injected
// and the GIC timer guests), self-modifying code, determinism; and the known JIT bugs.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { PARSED } from '../src/isa/encodings.ts';
import { jitEmits } from '../src/cpu/jit/compile.ts';
import { Rng32 } from '../src/tools/difftest/format.ts';
import { disassemble, loadDisassembler } from '../src/tools/disasm.ts';
import { VM } from '../src/vm.ts';
import { guest, UART, SYSTEM_OFF } from './helpers/guest.ts';
import {
  A, NE, HANDLER_OF, encodingOf, Machine, compare, minimise, randomCase, listing, hex, handCase, runSlices, diffOutcomes,
  CODE, WIN, HOLE, RO_PAGE, RAM_SIZE, VEC_IMM, EXIT_IMM, COUNTER, SCTLR_BASE, SCTLR_SA,
  type GenOptions, type Init,
} from './helpers/jit-rig.ts';

// ---------------------------------------------------------------------------------------------
// Machines are made once and reloaded per case (init() clears the state block and drops every
// decoded block, so compiled code never outlives its case); that the JIT copes with being reused
// like this is part of what is tested.

let interp: Machine, jit1: Machine, jit2: Machine;
const SEED = 0x7e57_0071;
/** Generator options: workarounds for the known JIT bugs below (see GenOptions). */
const GEN: GenOptions = { separateInterpreted: false, readOnlyCode: false };

beforeAll(async () => {
  await loadDisassembler();
  interp = new Machine(false);
  jit1 = new Machine(1);
  jit2 = new Machine(2);
});

describe('JIT vs interpreter: random blocks', () => {
  it('the hand-assembled helper words are what they claim', () => {
    const at = 0x1000;
    expect([
      A.subsi(20, 20, 1), A.bcond(at, at - 8, NE), A.cbz(20, at, at + 8, true, 0), A.tbz(20, 35, at, at - 4, false),
      A.csel(22, 21, 23, NE), A.ldrxPost(1, 8, 8), A.andw3f(2, 2), A.orrw40(5, 2), A.msrDaifClr(2), A.mrsNzcv(3), A.mrsCntvct(4),
      A.mrsTpidr(5), A.nop, A.strb(2, 0), A.ldrw(1, 0, 0x18), A.hvc(1),
      A.mrsElr(19), A.msrElr(19), A.mrsSpsr(19), A.msrSpsr(19), A.orrx80(19, 19), A.eret,
    ].map((w) => disassemble(w, BigInt(at)))).toEqual([
      'subs x20, x20, #1', 'b.ne #0xff8', 'cbnz w20, #0x1008', 'tbz x20, #0x23, #0xffc',
      'csel x22, x21, x23, ne', 'ldr x1, [x8], #8', 'and w2, w2, #0x3f', 'orr w5, w2, #0x40', 'msr daifclr, #2', 'mrs x3, nzcv', 'mrs x4, cntvct_el0',
      'mrs x5, tpidr_el0', 'mov xzr, xzr', 'strb w2, [x0]', 'ldr w1, [x0, #0x18]', 'hvc #1',
      'mrs x19, elr_el1', 'msr elr_el1, x19', 'mrs x19, spsr_el1', 'msr spsr_el1, x19', 'orr x19, x19, #0x80', 'eret',
    ]);
  });

  it('random looping blocks give the same state, memory, count and exits (MMU on and off)', () => {
    const r = new Rng32(SEED);
    // (JIT_TEST_CASES=n runs more; the time goes mostly to compiling: every case compiles its
    // page at least once, ~3 ms each.)
    const CASES = Number(process.env.JIT_TEST_CASES ?? 800);
    const failures: string[] = [];
    const used = new Set<string>();
    const exits = new Map<string, number>();
    let instructions = 0, bodyWords = 0;
    const t0 = performance.now();
    for (let i = 0; i < CASES && failures.length < 3; i++) {
      const caseSeed = r.next();
      const { p, st, budgets } = randomCase(caseSeed, GEN);
      // Every case on threshold 1; every fifth also on threshold 2 (compiled after one pass).
      const jits = i % 5 === 0 ? [jit1, jit2] : [jit1];
      const res = compare(interp, st, budgets, jits);
      for (const w of p.words.values()) { const e = encodingOf(w); if (e) used.add(e.name); }
      bodyWords += p.words.size;
      if (res.diff.length) {
        const min = minimise(interp, p, st, budgets, jits);
        failures.push([
          `case ${i} (case seed ${hex(caseSeed)}, run seed ${hex(SEED)}), loop ${p.loop}, budgets [${budgets.join(', ')}]:`,
          ...res.diff.slice(0, 12).map((l) => '  ' + l), listing(p, st),
          'minimised:', ...min.diff.slice(0, 8).map((l) => '  ' + l), listing(min.p, min.st),
        ].join('\n'));
        continue;
      }
      instructions += res.executed;
      exits.set(res.end, (exits.get(res.end) ?? 0) + 1);
    }
    const emittedUsed = [...used].filter((n) => jitEmits(HANDLER_OF.get(n)!)).length;
    const allEmitted = PARSED.filter((p) => jitEmits(p.handler)).length;
    console.log(`jit random: ${CASES} programs, ${bodyWords} words, ${instructions} instructions run per machine, ${used.size} encodings drawn ` +
      `(${emittedUsed} of the ${allEmitted} the JIT emits); runs ended by ${JSON.stringify(Object.fromEntries(exits))}; ` +
      `threshold-1 JIT ${JSON.stringify(jit1.cpu.jit?.stats)}; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(failures, failures.join('\n\n')).toEqual([]);
    // The generator must keep drawing every encoding the JIT emits.
    if (CASES >= 800) expect(PARSED.filter((p) => jitEmits(p.handler) && !used.has(p.name)).map((p) => p.name)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Targeted cases. Each checks the interpreter's result against what the architecture says (so
// that a change to both cannot pass unnoticed) and the JIT machines against the interpreter.

/**
 * Runs st on the interpreter and the JIT machines with the same budget slices; expects every
 * slice's state and the RAM to agree and the JIT to have compiled code. Returns the
 * interpreter's final state.
 */
function agree(st: Init, budgets: number[], jits: Machine[] = [jit1, jit2]): Record<string, string> {
  const ref = runSlices(interp, st, budgets);
  for (const m of jits) {
    const before = m.cpu.jit!.stats.functions;
    const got = runSlices(m, st, budgets);
    const diff = diffOutcomes(ref, got, budgets);
    expect(diff, `JIT threshold ${m.jit}, budgets [${budgets.join(', ')}]:\n${diff.join('\n')}`).toEqual([]);
    if (m === jit1) expect(m.cpu.jit!.stats.functions, 'the JIT compiled something').toBeGreaterThan(before);
  }
  return ref.states[ref.states.length - 1];
}

const esrOf = (s: Record<string, string>) => BigInt(s.ESR_EL1);
const ecOf = (s: Record<string, string>) => Number(esrOf(s) >> 26n);
/** The run stopped on the vector at VBAR + off (its `hvc #0xE000 + off / 0x80`). */
const onVector = (s: Record<string, string>, off: number) => s.exit === 'hvc' && (BigInt(s.exitEsr) & 0xffffn) === BigInt(VEC_IMM + off / 0x80);

describe('JIT: faults in a compiled loop', () => {
  // loop: ldr x1, [x8], #8; add x2, x2, x1; subs x20, x20, #1; b.ne loop; hvc #1
  const walk = (load: number) => [load, A.addx(2, 2, 1), A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 12, CODE, NE), A.hvc(EXIT_IMM)];

  it('a load walking into an unmapped page: TLB misses at each new page, then a translation fault to EL1', () => {
    // From 0x100 below the window's last page: 32 hits, a miss at 0x43000, then 0x44000 faults.
    const st = handCase(walk(A.ldrxPost(1, 8, 8)), { x: { 8: BigInt(HOLE - 0x1100), [COUNTER]: 100_000n } });
    const s = agree(st, [100_000]);
    expect(onVector(s, 0x200), JSON.stringify(s)).toBe(true);
    expect({ ec: hex(ecOf(s)), dfsc: hex(esrOf(s) & 0x3fn), far: s.FAR_EL1, elr: s.ELR_EL1, x8: s.x8 })
      .toEqual({ ec: '0x25', dfsc: '0x7', far: hex(HOLE), elr: hex(CODE), x8: hex(HOLE) });
    expect(Number(s.icount)).toBe((0x1100 / 8) * 4 + 1 + 1); // the passes, the faulting load, the vector's HVC
  });

  it('a store walking into a read-only page: a permission fault (WnR) from the compiled loop', () => {
    // str x2, [x8], #-8 from the Device page above the read-only one, downwards.
    const strxPost = (0xf8000400 | ((-8 & 0x1ff) << 12) | (8 << 5) | 2) >>> 0;
    const st = handCase([A.addi(2, 2, 3), strxPost, A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 12, CODE, NE), A.hvc(EXIT_IMM)],
      { x: { 8: BigInt(RO_PAGE + 0x1040), [COUNTER]: 1000n } });
    const s = agree(st, [10_000]);
    expect(onVector(s, 0x200)).toBe(true);
    expect({ ec: hex(ecOf(s)), dfsc: hex(esrOf(s) & 0x3fn), wnr: Number((esrOf(s) >> 6n) & 1n), far: s.FAR_EL1, elr: s.ELR_EL1 })
      .toEqual({ ec: '0x25', dfsc: '0xf', wnr: 1, far: hex(RO_PAGE + 0xff8), elr: hex(CODE + 4) });
  });

  it('MMU off (Device memory): the first unaligned access of a compiled loop is an alignment fault', () => {
    // ldr x1, [x8], #12: 0x40000 is aligned, 0x4000c is not.
    const st = handCase(walk(A.ldrxPost(1, 8, 12)), { mmu: false, x: { 8: BigInt(WIN), [COUNTER]: 1000n } });
    const s = agree(st, [10_000]);
    expect(onVector(s, 0x200)).toBe(true);
    expect({ ec: hex(ecOf(s)), dfsc: hex(esrOf(s) & 0x3fn), far: s.FAR_EL1, elr: s.ELR_EL1 })
      .toEqual({ ec: '0x25', dfsc: '0x21', far: hex(WIN + 12), elr: hex(CODE) });
  });

  it('an SP-relative pair store with SP misaligned by its own writeback: SP alignment fault (SCTLR.SA)', () => {
    // stp x1, x2, [sp, #-8]! (0xa9bf8be1): SP 16-aligned on the first pass, 8 off on the second.
    const st = handCase([0xa9bf8be1 >>> 0, A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 8, CODE, NE), A.hvc(EXIT_IMM)],
      { sctlr: SCTLR_BASE | SCTLR_SA, x: { 1: 11n, 2: 22n, [COUNTER]: 10n } });
    const s = agree(st, [1000]);
    expect(onVector(s, 0x200)).toBe(true);
    expect({ ec: hex(ecOf(s)), elr: s.ELR_EL1, sp: s.SP_EL1 }).toEqual({ ec: '0x26', elr: hex(CODE), sp: hex(WIN + 0x2000 - 8) });
  });

  it('a pair load whose second element is in the next page: both TLB entries, then a fault in the hole', () => {
    // ldp x1, x3, [x8], #16 (0xa8c10d01) from 8 below a page end: each access crosses.
    const st = handCase([0xa8c10d01 >>> 0, A.addx(2, 1, 3), A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 12, CODE, NE), A.hvc(EXIT_IMM)],
      { x: { 8: BigInt(WIN + 0x1000 - 8), [COUNTER]: 10_000n } });
    const s = agree(st, [100_000]);
    expect(onVector(s, 0x200)).toBe(true);
    expect({ ec: hex(ecOf(s)), far: s.FAR_EL1 }).toEqual({ ec: '0x25', far: hex(HOLE) });
  });

  it('a load outside RAM stops the compiled loop with a stage-2 (MMIO) exit at the load', () => {
    const st = handCase(walk(A.ldrxPost(1, 8, 8)), { x: { 8: BigInt(RAM_SIZE - 0x80), [COUNTER]: 1000n } });
    const s = agree(st, [10_000]);
    expect({ exit: s.exit, pc: s.pc, ipa: s.exitIpa, far: s.exitFar, ec: hex(BigInt(s.exitEsr) >> 26n) })
      .toEqual({ exit: 'dabt', pc: hex(CODE), ipa: hex(RAM_SIZE), far: hex(RAM_SIZE), ec: '0x24' });
  });
});

describe('JIT: division edge cases in a compiled loop', () => {
  it('UDIV/SDIV by zero give 0, INT_MIN / -1 gives INT_MIN, at both sizes', () => {
    const sdiv = (rd: number, rn: number, rm: number, sf = 1) => ((sf << 31) | 0x1ac00c00 | (rm << 16) | (rn << 5) | rd) >>> 0;
    const udiv = (rd: number, rn: number, rm: number, sf = 1) => ((sf << 31) | 0x1ac00800 | (rm << 16) | (rn << 5) | rd) >>> 0;
    expect([sdiv(3, 1, 2), udiv(4, 1, 0, 0)].map((w) => disassemble(w))).toEqual(['sdiv x3, x1, x2', 'udiv w4, w1, w0']);
    // x0 = 0, x1 = INT64_MIN, x2 = -1, x7 = INT32_MIN (with junk above), x9 = 7
    const code = [
      sdiv(3, 1, 2), sdiv(4, 7, 2, 0), sdiv(5, 1, 0), sdiv(6, 7, 0, 0), udiv(10, 1, 0), udiv(11, 9, 0, 0), udiv(12, 1, 2), sdiv(13, 2, 9),
      A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 36, CODE, NE), A.hvc(EXIT_IMM),
    ];
    const s = agree(handCase(code, { x: { 1: 1n << 63n, 2: -1n, 7: 0x1234_5678_8000_0000n, 9: 7n, [COUNTER]: 3n } }), [1000]);
    expect([s.x3, s.x4, s.x5, s.x6, s.x10, s.x11, s.x12, s.x13]).toEqual([
      hex(1n << 63n), hex(0x8000_0000n), '0x0', '0x0', '0x0', '0x0', '0x0', '0x0',
    ]);
  });
});

describe('JIT: MMIO in a hot loop (VM, PL011)', () => {
  it('UART reads and writes inside a compiled loop give the same output, counts and exits', async () => {
    // x0 = UART; 100 times: read UARTFR (accumulated in x4), write ('@' | (i + 'A') & 0x3f) to UARTDR.
    const G = 0x4010_0000; // test/helpers/guest.ts CODE
    const loop = G + 0x10;
    const code = [
      A.movz(0, UART >>> 16, 1), A.movz(2, 0x41), A.movz(3, 100), A.movz(4, 0),
      A.ldrw(1, 0, 0x18), A.addx(4, 4, 1), A.andw3f(5, 2), A.orrw40(5, 5), A.strb(5, 0), A.addi(2, 2, 1), A.subsi(3, 3, 1),
      A.bcond(G + 0x2c, loop, NE),
      ...SYSTEM_OFF,
    ];
    const want = Array.from({ length: 100 }, (_, i) => String.fromCharCode(((0x41 + i) & 0x3f) | 0x40)).join('');
    const results = [];
    for (const jit of [false, 1, 2] as const) {
      const vm = await guest(code, { jit });
      const exits = new Map<string, number>();
      vm.onExit((e) => exits.set(e.reason, (exits.get(e.reason) ?? 0) + 1));
      const r = vm.run({ budget: 100_000 });
      results.push({ reason: r.reason, output: r.output, instructions: String(r.instructions), x4: hex(vm.cpu.x(4)), exits: Object.fromEntries(exits) });
      if (jit !== false) expect(vm.cpu.jit!.stats.functions).toBeGreaterThan(0);
    }
    expect(results[0].output).toBe(want);
    expect(results[0].exits.dabt).toBe(200);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe('JIT: budgets that end inside blocks and loops', () => {
  // A 9-instruction loop (2 of them interpreted) with loads, a store and a counter; x20 = 30 passes.
  const body = [
    A.ldrx(1, 8, 0), A.addx(2, 2, 1), A.mrsCntvct(3), A.strx(2, 8, 8), A.addi(8, 8, 16), A.mrsNzcv(4), A.addx(5, 5, 3),
    A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 32, CODE, NE), A.hvc(EXIT_IMM),
  ];
  const st = () => handCase(body, { x: { 8: BigInt(WIN), [COUNTER]: 30n } });

  it('every budget from 1 to 300 stops at exactly that count, at the same PC and state', () => {
    for (let b = 1; b <= 300; b += b < 40 ? 1 : 7) {
      const s = agree(st(), [b]);
      if (s.exit === 'budget') expect(Number(s.icount), `budget ${b}`).toBe(b);
    }
  });

  it('runs in slices of 1 to 12 instructions agree after every slice', () => {
    for (let k = 1; k <= 12; k++) {
      const s = agree(st(), new Array<number>(Math.ceil(400 / k)).fill(k));
      expect(s.exit, `slices of ${k}`).toBe('hvc');
      expect(s.x20, `slices of ${k}`).toBe('0x0');
    }
  });
});

describe('JIT: interrupts', () => {
  const HCR_VI = 1n << 7n; // a virtual IRQ pending
  const DAIF_IRQ_UNMASKED = 0x340; // D, A, F masked; I clear

  it('an IRQ made pending between runs is taken at the same count as the interpreter takes it', () => {
    // spin: add x0, x0, #1; add x1, x1, x0; b spin. The host stops the run after k instructions
    // (a timer deadline), marks the IRQ pending, and runs on: the vector is the next thing run.
    const spin = [A.addi(0, 0, 1), A.addx(1, 1, 0), A.b(CODE + 8, CODE)];
    for (const k of [1, 2, 3, 4, 5, 6, 7, 10, 29, 100, 301]) {
      const st = handCase(spin, { daif: DAIF_IRQ_UNMASKED });
      for (const m of [interp, jit1, jit2]) {
        m.load(st);
        m.cpu.run(k);
        m.cpu.setSysreg('HCR_EL2', HCR_VI);
      }
      const after = [interp, jit1, jit2].map((m) => m.state(m.cpu.run(50)));
      expect(after[1], `k = ${k}`).toEqual(after[0]);
      expect(after[2], `k = ${k}`).toEqual(after[0]);
      const s = after[0];
      expect(onVector(s, 0x280), `k = ${k}`).toBe(true);
      expect({ elr: s.ELR_EL1, icount: s.icount, x0: s.x0 }).toEqual({ elr: hex(CODE + 4 * (k % 3)), icount: String(k + 1), x0: hex(Math.ceil(k / 3)) });
    }
  });

  it('an IRQ pending while masked is taken right after the MSR DAIFClr that ends a compiled loop', () => {
    // loop: add x0, x0, #1; cmp x0, #40; b.ne loop; msr daifclr, #2; b .
    const code = [A.addi(0, 0, 1), A.subsi(31, 0, 40), A.bcond(CODE + 8, CODE, NE), A.msrDaifClr(2), A.b(CODE + 16, CODE + 16)];
    const s = agree(handCase(code, { hcr: HCR_VI }), [1000]);
    expect(onVector(s, 0x280)).toBe(true);
    expect({ elr: s.ELR_EL1, icount: s.icount }).toEqual({ elr: hex(CODE + 16), icount: String(40 * 3 + 1 + 1) });
  });

  it('timer interrupts through the GIC: the irq guests print and count the same with the JIT', async () => {
    const dir = new URL('../guest-images/irq/', import.meta.url);
    for (const [image, gic] of [['timer-gicv3.elf', 3], ['timer-gicv2.elf', 2]] as const) {
      const data = new Uint8Array(readFileSync(new URL(image, dir)));
      const runs = [];
      for (const jit of [false, 2] as const) {
        const vm = await VM.create({ kernel: { data, name: image }, gic, jit });
        const r = vm.run({ budget: 10_000_000 });
        runs.push({ reason: r.reason, output: r.output, instructions: String(r.instructions), compiled: (vm.cpu.jit?.stats.functions ?? 0) > 0 });
      }
      expect(runs[0].reason, image).toBe('system-off');
      expect(runs[1], image).toEqual({ ...runs[0], compiled: true });
    }
  });
});

describe('JIT: self-modifying code', () => {
  const ADD_X1_100 = A.addi(1, 1, 100);
  // outer: mov x2, #0; inner: add x1, x1, #1 (rewritten to add x1, x1, #100 by the str after the
  // first inner loop); add x2, x2, #1; cmp x2, #10; b.ne inner; str w5, [x6]; [isb;] subs x7, x7,
  // #1; b.ne outer; hvc #1
  const program = (isb: boolean) => [
    A.movz(2, 0), A.addi(1, 1, 1), A.addi(2, 2, 1), A.subsi(31, 2, 10), A.bcond(CODE + 16, CODE + 4, NE), A.strw(5, 6),
    ...(isb ? [A.isb] : []), A.subsi(7, 7, 1), A.bcond(CODE + (isb ? 32 : 28), CODE, NE), A.hvc(EXIT_IMM),
  ];

  for (const isb of [true, false]) {
    it(`a compiled loop rewritten by a store ${isb ? 'and an ISB' : 'then a branch (no ISB)'} runs the new instruction`, () => {
      const s = agree(handCase(program(isb), { x: { 5: BigInt(ADD_X1_100), 6: BigInt(CODE + 4), 7: 3n } }), [10_000]);
      expect({ exit: s.exit, x1: s.x1 }).toEqual({ exit: 'hvc', x1: hex(10 + 2 * 10 * 100) });
    });
  }
});

describe('JIT: SIMD&FP instructions in compiled code (run by the interpreter, registers kept)', () => {
  const VBAR_RESUME = 0x18000;
  it('with SIMD&FP disabled (CPACR_EL1.FPEN = 0), each FADD of a compiled loop traps with EC 0x07', () => {
    // loop: add x1, x1, #1; fadd d3, d0, d1 (traps; the resuming vector skips it, x18 += 1);
    // subs x20, x20, #1; b.ne loop; hvc
    const code = [A.addi(1, 1, 1), A.faddD, A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 12, CODE, NE), A.hvc(EXIT_IMM)];
    const s = agree({ ...handCase(code, { x: { [COUNTER]: 50n }, cpacr: 0n }), vbar: VBAR_RESUME }, [100_000], [jit1]);
    expect({ exit: s.exit, x1: s.x1, x18: s.x18, ec: hex(ecOf(s)) }).toEqual({ exit: 'hvc', x1: hex(50), x18: hex(50), ec: '0x7' });
  });

  it('FMOV between X and D registers and FCMP feeding a compiled B.cond keep registers and flags', () => {
    // loop: fmov d0, x2; fmov d1, x3; fcmp d0, d1; b.ge skip; add x4, x4, #1;
    // skip: fmov x5, d0; add x2, x2, x5; subs x20, x20, #1; b.ne loop; hvc
    // (x2 = 1.0 doubled each pass as a bit pattern is not a number: x2 += x5 doubles the bits; the
    // compare of the two patterns as doubles decides.)
    const code = [A.fmovDX(0, 2), A.fmovDX(1, 3), A.fcmpD, A.bcond(CODE + 12, CODE + 20, 10 /* GE */), A.addi(4, 4, 1),
      A.fmovXD(5, 0), A.addx(2, 2, 5), A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 32, CODE, NE), A.hvc(EXIT_IMM)];
    const s = agree(handCase(code, { x: { 2: 0x3ff0_0000_0000_0000n >> 20n, 3: 0x4000_0000_0000_0000n, [COUNTER]: 40n } }), [100_000]);
    expect(s.exit).toBe('hvc');
    expect(Number(s.x4)).toBeGreaterThan(0);
  });
});

describe('JIT: returns', () => {
  it('a function returns to each of its call sites (later blocks: compared, then a br) and to a changed X30', () => {
    // CODE: b main; f: add x3, x3, #1; cmp x3, #75; b.ne ret; adr x30, done; ret: ret
    // main: bl f; add x1, x1, #1; bl f; add x2, x2, #1; subs x20, x20, #1; b.ne main; done: hvc
    // (the 75th call returns to done instead of its call site)
    const main = CODE + 24, done = main + 24;
    const adrX30 = (0x10000000 | (((done - (CODE + 16)) & 3) << 29) | (((done - (CODE + 16)) >> 2) << 5) | 30) >>> 0;
    const code = [A.b(CODE, main), A.addi(3, 3, 1), A.subsi(31, 3, 75), A.bcond(CODE + 12, CODE + 20, NE), adrX30, A.ret(),
      A.bl(main, CODE + 4), A.addi(1, 1, 1), A.bl(main + 8, CODE + 4), A.addi(2, 2, 1), A.subsi(COUNTER, COUNTER, 1), A.bcond(main + 20, main, NE), A.hvc(EXIT_IMM)];
    const s = agree(handCase(code, { x: { [COUNTER]: 100n } }), [100_000]);
    expect({ exit: s.exit, x1: s.x1, x2: s.x2, x3: s.x3, pc: s.pc }).toEqual({ exit: 'hvc', x1: hex(37), x2: hex(37), x3: hex(75), pc: hex(done + 4) });
  });
});

describe('JIT: self-modifying code across the blocks of a compiled page', () => {
  // A compiled function checks a block's words on its first entry in a call and again only after
  // something may have stored into the code page: each pass here rewrites block B's first
  // instruction (add x1, x1, #k, k = the pass number) after B was checked in the same call.
  // A: add w5, w5, #1024 (k + 1 in the word's imm12); store w5 to B; b B (forward: a direct br)
  // B: add x1, x1, #0 (rewritten); subs x20, x20, #1; b.ne A; hvc
  // or, B before A (A reaches B through the dispatch):
  // B: add x1, x1, #0; subs x20, x20, #1; b.eq end; A: ...; b B; end: hvc
  const ADD_X1 = A.addi(1, 1, 0);
  const forward = (store: number) => [A.addi(5, 5, 1024, 0), store, A.b(CODE + 8, CODE + 12), ADD_X1, A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 20, CODE, NE), A.hvc(EXIT_IMM)];
  const backward = (store: number) => [ADD_X1, A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 8, CODE + 24, 0 /* EQ */), A.addi(5, 5, 1024, 0), store, A.b(CODE + 20, CODE), A.hvc(EXIT_IMM)];
  // x1 = 1 + ... + 40 (A rewrites B before B's first pass) or 0 + ... + 39 (B runs first).
  for (const [order, program, b, sum] of [['a later block', forward, CODE + 12, 820], ['an earlier block', backward, CODE, 780]] as const) {
    for (const [how, store] of [['a store the JIT emits', A.strw(5, 6)], ['a store the interpreter runs (STLR)', A.stlrw(5, 6)]] as const) {
      it(`${how} that rewrites ${order} of the same function: the next pass runs the new word`, () => {
        const s = agree(handCase(program(store), { x: { 5: BigInt(ADD_X1), 6: BigInt(b), [COUNTER]: 40n } }), [100_000], [jit1]);
        expect({ exit: s.exit, x1: s.x1 }).toEqual({ exit: 'hvc', x1: hex(sum) });
      });
    }
  }
});

describe('JIT: determinism', () => {
  it('the same random cases on fresh JIT machines give the same results as on the reused ones', () => {
    const r = new Rng32(SEED ^ 0x5a5a);
    const fresh = [new Machine(1), new Machine(3)];
    for (let i = 0; i < 40; i++) {
      const c = randomCase(r.next(), GEN);
      const a = runSlices(jit1, c.st, c.budgets);
      for (const m of fresh) {
        const diff = diffOutcomes(a, runSlices(m, c.st, c.budgets), c.budgets);
        expect(diff, `case ${i}, threshold ${m.jit}\n${listing(c.p, c.st)}`).toEqual([]);
      }
      // And once more on the same machine, its blocks compiled by now... and dropped by load().
      expect(diffOutcomes(a, runSlices(jit1, c.st, c.budgets), c.budgets)).toEqual([]);
    }
  });

  it('guests print the same and retire the same instruction count with and without the JIT', async () => {
    // (IPIs between 4 vCPUs: the scheduler's quanta end runs mid-block; run twice with the JIT.)
    const guests: [string, number, (number | false)[]][] = [['exceptions.elf', 1, [false, 2]], ['mmu.elf', 1, [false, 2]], ['irq/ipi-gicv3.elf', 4, [false, 2, 2, 64]]];
    for (const [image, smp, jits] of guests) {
      const data = new Uint8Array(readFileSync(new URL(`../guest-images/${image}`, import.meta.url)));
      const runs = [];
      for (const jit of jits) {
        const vm = await VM.create({ kernel: { data, name: image }, smp, jit });
        const r = vm.run({ budget: 10_000_000 });
        runs.push({ reason: r.reason, output: r.output, instructions: String(r.instructions) });
      }
      expect(runs[0].reason, image).toBe('system-off');
      for (const r of runs.slice(1)) expect(r, image).toEqual(runs[0]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// JIT bugs the random test found, minimised (both fixed; the generator no longer avoids them).

describe('JIT bugs found by the random test', () => {
  it('a register written by an interpreted instruction survives an exception raised by the next interpreted one', () => {
    // mov x5, #7 (JIT: x5 is one of the function's written registers); mrs x5, nzcv and svc #0
    // run back to back in the interpreter, so x5 is not reloaded between them; the SVC's
    // exception leaves through the fault exit, which stores the stale local x5 (7) over the
    // 0x60000000 MRS wrote. The same with any exit or fault (HVC, a data abort, an MMIO exit)
    // after an interpreted instruction that wrote a register. Random case seeds (randomCase)
    // 0xb37deb2c and 0x674c1bbc with { separateInterpreted: false, readOnlyCode: true }: e.g.
    // adr x0, ... (JIT); ldclra w5, w0, [sp] (writes x0); hvc #1 (UNDEFINED at EL0) leaves x0 =
    // the ADR result instead of the loaded value.
    // (Two more JIT instructions: a block of mostly interpreted ones is not worth compiling.)
    const s = agree(handCase([A.movz(5, 7), A.movz(6, 1), A.movz(7, 2), A.mrsNzcv(5), 0xd4000001 /* svc #0 */], { nzcv: 0x60000000 }), [100], [jit1]);
    expect({ vector: onVector(s, 0x200), x5: s.x5 }).toEqual({ vector: true, x5: '0x60000000' });
  });

  it('a store that rewrites a later instruction of its own block takes effect in the same pass', () => {
    // loop: str w5, [x6]; add x2, x2, #1; add x1, x1, #1 (x6 points here; w5 = add x1, x1, #100);
    // subs x20, x20, #1; b.ne loop. The interpreter checks each word before running it, so the
    // first pass already adds 100 (x1 = 500 after 5 passes); compiled code checks a block's words
    // only when it enters the block, so the first pass adds 1 (x1 = 401). (The Arm ARM allows
    // either without an ISB; the interpreter's result is the one required here.) Random case seed
    // 0xa9ddd979 with { separateInterpreted: false, readOnlyCode: false }: adr x5, #0x2001f;
    // stp x5, x5, [x5], #-8 overwrites the block's own next words; the interpreter takes the
    // UNDEFINED exception they make, the compiled block runs the old words to the end of the pass.
    const code = [A.strw(5, 6), A.addi(2, 2, 1), A.addi(1, 1, 1), A.subsi(COUNTER, COUNTER, 1), A.bcond(CODE + 16, CODE, NE), A.hvc(EXIT_IMM)];
    const s = agree(handCase(code, { x: { 5: BigInt(A.addi(1, 1, 100)), 6: BigInt(CODE + 8), [COUNTER]: 5n } }), [1000], [jit1]);
    expect(s.x1).toBe(hex(500));
  });
});
