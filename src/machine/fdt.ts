// A flattened device tree writer (Devicetree Specification v0.4, chapter 5: DTB format version
// 17, last compatible version 16): header, empty memory reservation block, structure block,
// strings block. Everything big-endian. Nodes are built as plain objects, then serialised.

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_SIZE = 40;

/** A property value, already in its DTB encoding. */
export type PropValue = Uint8Array;

export class FdtNode {
  readonly props: [string, PropValue][] = [];
  readonly children: FdtNode[] = [];
  constructor(readonly name: string) {}

  /** Adds (or replaces) a property; returns this for chaining. */
  prop(name: string, value: PropValue = new Uint8Array(0)): this {
    const i = this.props.findIndex(([n]) => n === name);
    if (i >= 0) this.props[i] = [name, value];
    else this.props.push([name, value]);
    return this;
  }

  /** Adds a child node and returns it. */
  child(name: string): FdtNode {
    if (this.children.some((c) => c.name === name)) throw new Error(`fdt: duplicate node ${name}`);
    const c = new FdtNode(name);
    this.children.push(c);
    return c;
  }
}

const enc = new TextEncoder();

/** A string property ("compatible = "a";"). */
export function str(s: string): PropValue { return strs(s); }

/** A string list: each string NUL-terminated. */
export function strs(...list: string[]): PropValue {
  const parts = list.map((s) => enc.encode(s + '\0'));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** 32-bit cells. */
export function cells(...values: number[]): PropValue {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0));
  return out;
}

/** 64-bit values, each as two cells (high, low): for #address-cells = #size-cells = 2. */
export function cells64(...values: (number | bigint)[]): PropValue {
  return cells(...values.flatMap((v) => {
    const b = BigInt(v);
    return [Number(b >> 32n), Number(b & 0xffff_ffffn)];
  }));
}

/** The empty property (a boolean flag such as "always-on"). */
export const empty: PropValue = new Uint8Array(0);

/** Serialises the tree rooted at root (whose name must be ""). */
export function writeFdt(root: FdtNode, bootCpuId = 0): Uint8Array {
  const struct: number[] = [];
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const u32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = () => { while (struct.length % 4) struct.push(0); };
  const nameOff = (name: string) => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      strings.push(...enc.encode(name), 0);
      stringOffsets.set(name, off);
    }
    return off;
  };
  const emit = (node: FdtNode) => {
    u32(FDT_BEGIN_NODE);
    struct.push(...enc.encode(node.name), 0);
    pad();
    for (const [name, value] of node.props) {
      u32(FDT_PROP);
      u32(value.length);
      u32(nameOff(name));
      struct.push(...value);
      pad();
    }
    for (const c of node.children) emit(c);
    u32(FDT_END_NODE);
  };
  emit(root);
  u32(FDT_END);

  const rsvOff = HEADER_SIZE; // 8-byte aligned
  const rsvSize = 16; // one terminating {0, 0} entry
  const structOff = rsvOff + rsvSize;
  const stringsOff = structOff + struct.length;
  const total = stringsOff + strings.length;
  const totalPadded = (total + 7) & ~7;
  const out = new Uint8Array(totalPadded);
  const dv = new DataView(out.buffer);
  const header = [FDT_MAGIC, totalPadded, structOff, stringsOff, rsvOff, 17, 16, bootCpuId, strings.length, struct.length];
  header.forEach((v, i) => dv.setUint32(4 * i, v >>> 0));
  out.set(struct, structOff);
  out.set(strings, stringsOff);
  return out;
}
