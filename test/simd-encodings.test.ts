// The SIMD&FP load/store and Advanced SIMD integer encodings of src/isa/encodings.ts against an
// independent decoder:
//   * every instruction simd.elf runs (guest-images/simd-cases.inc, read back from the committed
//     ELF's case table) decodes, on the CPU, to the table entry of the instruction it was
//     assembled from;
//   * with llvm-mc installed: random words of the SIMD&FP load/store and data-processing spaces
//     are disassembled by llvm-mc (Armv8.0 + AdvSIMD, its default for the aarch64 triple, + Crypto) and
//     decoded by a64vm; a word a64vm decodes to one of these groups must be an instruction
//     llvm-mc knows by a matching name, and a word llvm-mc decodes to an instruction of these
//     groups must not be UNDEFINED on a64vm (reserved encodings stay UNDEFINED both ways).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Cpu } from '../src/cpu/cpu.ts';
import { ENCODINGS, PARSED } from '../src/isa/encodings.ts';
import { elfSymbols } from '../src/tools/fuzz/elfsyms.ts';

const GROUPS = new Set(['simd_ldst', 'simd_imm', 'simd_copy', 'simd_perm', 'simd_int', 'simd_shift', 'simd_elem', 'fp_move', 'crypto']);
const cpu = new Cpu();

/** Assembler mnemonics (aliases included) that name each table entry. */
function mnemonicsOf(name: string): string[] {
  const base = name.toLowerCase().split('_')[0];
  const extra: Record<string, string[]> = {
    ldr: ['ldur'], str: ['stur'], ins: ['mov'], umov: ['mov'], dup: ['mov'], orr: ['mov'], not: ['mvn', 'rbit'],
    ushll: ['uxtl'], sshll: ['sxtl'],
  };
  return [base, ...(extra[base] ?? [])];
}
/** llvm-mc's mnemonic without the "2" of the upper-half forms (SMULL2, XTN2, ...). */
function mnemonicMatches(name: string, mnemonic: string): boolean {
  const ms = mnemonicsOf(name);
  return ms.includes(mnemonic) || (mnemonic.endsWith('2') && ms.includes(mnemonic.slice(0, -1)));
}
function ours(word: number): string | null {
  const d = cpu.decode(word);
  if (d.op === 0 || d.encoding < 0) return null;
  return ENCODINGS[d.encoding].name;
}

describe('simd.elf\'s instructions decode to their own table entries', () => {
  const elf = readFileSync(fileURLToPath(new URL('../guest-images/simd.elf', import.meta.url)));
  const syms = elfSymbols(elf);
  // Program headers: map a virtual address to its file offset (PT_LOAD segments).
  const phoff = Number(elf.readBigUInt64LE(32));
  const phnum = elf.readUInt16LE(56);
  const offsetOf = (va: bigint): number => {
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + 56 * i;
      if (elf.readUInt32LE(ph) !== 1) continue;
      const vaddr = elf.readBigUInt64LE(ph + 16);
      const filesz = elf.readBigUInt64LE(ph + 32);
      if (va >= vaddr && va < vaddr + filesz) return Number(va - vaddr + elf.readBigUInt64LE(ph + 8));
    }
    throw new Error(`0x${va.toString(16)} is not in the file`);
  };
  const start = syms.get('simd_cases')!.value;
  const end = syms.get('simd_cases_end')!.value;
  const cases: { text: string; word: number }[] = [];
  for (let a = start; a < end; a += 16n) {
    const nameAt = offsetOf(elf.readBigUInt64LE(offsetOf(a)));
    const text = elf.subarray(nameAt, elf.indexOf(0, nameAt)).toString('utf8');
    cases.push({ text, word: elf.readUInt32LE(offsetOf(elf.readBigUInt64LE(offsetOf(a) + 8))) });
  }

  it('the table holds every case of simd-cases.inc', () => {
    const inc = readFileSync(fileURLToPath(new URL('../guest-images/simd-cases.inc', import.meta.url)), 'utf8');
    expect(cases.map((c) => c.text)).toEqual(inc.split('\n').filter((l) => l.startsWith('CASE ')).map((l) => l.slice(5)));
  });
  it('each decodes to an entry of the SIMD groups named like its mnemonic', () => {
    const bad: string[] = [];
    for (const c of cases) {
      const name = ours(c.word);
      const mnemonic = c.text.split(/\s+/)[0];
      const group = name && ENCODINGS.find((e) => e.name === name)!.group;
      if (!name || !GROUPS.has(group!) || !mnemonicMatches(name, mnemonic)) bad.push(`${c.text} (0x${c.word.toString(16)}) -> ${name}`);
    }
    expect(bad).toEqual([]);
  });
  it('every SIMD&FP load/store and Advanced SIMD integer entry of the table is exercised by simd.elf', () => {
    const seen = new Set(cases.map((c) => ours(c.word)));
    // (FMOV (scalar, immediate) shares the fp_move group but is floating point: fp.elf checks it.)
    const missing = ENCODINGS.filter((e) => GROUPS.has(e.group) && e.name !== 'FMOV_imm' && !seen.has(e.name)).map((e) => e.name);
    expect(missing).toEqual([]);
  });
});

const haveLlvmMc = spawnSync('llvm-mc', ['--version']).status === 0;

describe.skipIf(!haveLlvmMc)('random words against llvm-mc\'s decoder', () => {
  // Mnemonics of the groups implemented here, less the forms llvm-mc prints with them that belong
  // elsewhere (floating point, moves between general-purpose registers).
  const OURS = new Set(ENCODINGS.filter((e) => GROUPS.has(e.group)).flatMap((e) => mnemonicsOf(e.name)));
  const covered = (text: string): boolean => {
    const [m, ...rest] = text.split(/\s+/);
    const ops = rest.join(' ');
    const mm = OURS.has(m) ? m : m.endsWith('2') && OURS.has(m.slice(0, -1)) ? m.slice(0, -1) : null;
    if (!mm) return false;
    // FMOV (vector, immediate) and FMOV (general) between W/S, X/D and X/D[1] only.
    if (mm === 'fmov') return /^v\d+\.\d+[sd], #/.test(ops) || /^([wx](\d+|zr), [sd]\d+|[sd]\d+, [wx](\d+|zr)|[wx](\d+|zr), v\d+\.d\[1\]|v\d+\.d\[1\], [wx](\d+|zr))$/.test(ops);
    if (mm === 'mov' && !/v\d+\./.test(ops) && !/^[bhsd]\d+, v/.test(ops)) return false; // MOV of GPRs
    return true;
  };

  /** llvm-mc's text for each word (null: invalid). It prints valid words in input order. */
  function disassemble(words: number[]): (string | null)[] {
    const input = words.map((w) => [0, 8, 16, 24].map((s) => `0x${((w >>> s) & 0xff).toString(16)}`).join(' ')).join('\n');
    const r = spawnSync('llvm-mc', ['--disassemble', '-triple=aarch64', '-mattr=+crypto'], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
    const invalid = new Set([...r.stderr.matchAll(/<stdin>:(\d+):\d+: warning: invalid instruction encoding/g)].map((m) => Number(m[1]) - 1));
    const texts = r.stdout.split('\n').filter((l) => /^\s+\S/.test(l) && !/^\s+\.text/.test(l)).map((l) => l.trim().replace(/\s+/g, ' ').toLowerCase());
    let k = 0;
    const out = words.map((_, i) => (invalid.has(i) ? null : texts[k++] ?? null));
    expect(k).toBe(texts.length);
    return out;
  }

  // Deterministic pseudo-random words (xorshift32), forced into the two spaces: loads and stores
  // with V = 1 (bits 27, 26 set, 25 clear) and data processing, SIMD&FP (bits 27:25 = 111).
  function words(seed: number, n: number): number[] {
    let x = seed >>> 0;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      out.push(i & 1 ? ((x | 0x0e000000) >>> 0) : (((x | 0x0c000000) & ~0x02000000) >>> 0));
    }
    return out;
  }

  // Random words of each entry's own pattern (fixed bits kept, fields random): every size, Q and
  // index value of every entry, reserved combinations included.
  function entryWords(seed: number, perEntry: number): number[] {
    let x = seed >>> 0;
    const out: number[] = [];
    for (const p of PARSED) {
      if (!GROUPS.has(p.group)) continue;
      for (let i = 0; i < perEntry; i++) {
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        out.push(((x & ~p.mask) | p.match) >>> 0);
      }
    }
    return out;
  }

  it('agree on 40 random words of each table entry', () => compare(entryWords(0x0badf00d, 40), 6000), 60_000);

  it('agree on 40000 random words', () => compare(words(0x5eed1234, 40000), 5000), 60_000);

  function compare(ws: number[], minOurs: number): void {
    const llvm = disassemble(ws);
    const problems: string[] = [];
    let decodedByUs = 0;
    ws.forEach((w, i) => {
      const name = ours(w);
      const mine = name !== null && GROUPS.has(ENCODINGS.find((e) => e.name === name)!.group);
      const text = llvm[i];
      if (mine) decodedByUs++;
      if (mine && (!text || !mnemonicMatches(name!, text.split(' ')[0]))) problems.push(`0x${w.toString(16)}: a64vm ${name}, llvm-mc ${text ?? 'invalid'}`);
      if (!mine && text && covered(text)) problems.push(`0x${w.toString(16)}: a64vm ${name ?? 'UNDEFINED'}, llvm-mc ${text}`);
    });
    expect(problems.slice(0, 30)).toEqual([]);
    expect(decodedByUs).toBeGreaterThan(minOurs);
  }
});
