// A64 disassembly with capstone-wasm, for error messages and traces. Capstone loads
// asynchronously; call loadDisassembler() once (the CLI and VM.create do), after which
// disassemble() is synchronous. Before that, or for a word capstone rejects, the word is shown
// as `.inst 0x...`.
import { Capstone, Const, loadCapstone } from 'capstone-wasm';

let cs: Capstone | undefined;
let loading: Promise<void> | undefined;

export function loadDisassembler(): Promise<void> {
  const p = loading ?? loadCapstone().then(() => { cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM); });
  loading = p;
  return p;
}

/** "ldp x0, x1, [x2]" for the instruction word w at address pc. */
export function disassemble(w: number, pc: bigint = 0n): string {
  const inst = `.inst 0x${(w >>> 0).toString(16).padStart(8, '0')}`;
  if (!cs) return inst;
  const bytes = new Uint8Array([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
  try {
    const [i] = cs.disasm(bytes, { address: pc, count: 1 });
    return i ? `${i.mnemonic} ${i.opStr}`.trim() : inst;
  } catch {
    return inst;
  }
}
