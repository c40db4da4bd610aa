// Disassembly for reports, through capstone-wasm (loaded once, lazily).
import { Capstone, Const, loadCapstone } from 'capstone-wasm';
import { SLOT_ADDR } from './format.ts';

let cs: Capstone | undefined;

export async function initDisasm(): Promise<void> {
  if (cs) return;
  await loadCapstone();
  cs = new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
}

/** The instruction as capstone prints it at the slot address; needs initDisasm() first. */
export function disasm(word: number, address = SLOT_ADDR): string {
  if (!cs) return `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')}`;
  const b = new Uint8Array(new Uint32Array([word >>> 0]).buffer);
  try {
    const r = cs.disasm(b, { address });
    if (r.length === 0) return `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')} (capstone: invalid)`;
    return `${r[0].mnemonic} ${r[0].opStr}`.trim();
  } catch {
    return `.inst 0x${(word >>> 0).toString(16).padStart(8, '0')} (capstone: invalid)`;
  }
}
