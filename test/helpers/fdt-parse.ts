// A minimal flattened device tree reader for tests: header fields and the node tree.
export interface FdtHeader {
  magic: number; totalsize: number; offDtStruct: number; offDtStrings: number; offMemRsvmap: number;
  version: number; lastCompVersion: number; bootCpuidPhys: number; sizeDtStrings: number; sizeDtStruct: number;
}
export interface ParsedNode { name: string; props: Map<string, Uint8Array>; children: ParsedNode[] }

export function parseFdt(b: Uint8Array): { header: FdtHeader; root: ParsedNode } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const h = (i: number) => dv.getUint32(4 * i);
  const header: FdtHeader = {
    magic: h(0), totalsize: h(1), offDtStruct: h(2), offDtStrings: h(3), offMemRsvmap: h(4),
    version: h(5), lastCompVersion: h(6), bootCpuidPhys: h(7), sizeDtStrings: h(8), sizeDtStruct: h(9),
  };
  const cstr = (off: number) => {
    let e = off;
    while (b[e] !== 0) e++;
    return new TextDecoder().decode(b.subarray(off, e));
  };
  let p = header.offDtStruct;
  const u32 = () => { const v = dv.getUint32(p); p += 4; return v; };
  const align = () => { p = (p + 3) & ~3; };
  const stack: ParsedNode[] = [];
  let root: ParsedNode | undefined;
  for (;;) {
    const tok = u32();
    if (tok === 1) {
      const name = cstr(p);
      p += new TextEncoder().encode(name).length + 1;
      align();
      const node: ParsedNode = { name, props: new Map(), children: [] };
      if (stack.length) stack[stack.length - 1].children.push(node);
      else root = node;
      stack.push(node);
    } else if (tok === 3) {
      const len = u32();
      const nameoff = u32();
      stack[stack.length - 1].props.set(cstr(header.offDtStrings + nameoff), b.slice(p, p + len));
      p += len;
      align();
    } else if (tok === 2) {
      stack.pop();
    } else if (tok === 4) {
      // NOP
    } else if (tok === 9) {
      break;
    } else {
      throw new Error(`bad FDT token ${tok} at ${p - 4}`);
    }
  }
  return { header, root: root! };
}

export function node(root: ParsedNode, path: string): ParsedNode | undefined {
  let n: ParsedNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) n = n?.children.find((c) => c.name === part);
  return n;
}

export function propStrings(v: Uint8Array | undefined): string[] {
  if (!v) return [];
  return new TextDecoder().decode(v).split('\0').slice(0, -1);
}

export function propCells(v: Uint8Array | undefined): number[] {
  if (!v) return [];
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(4 * i));
}
