// Whole-VM snapshots: one versioned, checksummed file with every vCPU's state block, guest
// memory (only pages that are not all zero, deflated), the stage-2 tables (and so the MMIO
// guard's annotations in them), every device's and component's state, and the VM's clock.
//
// File layout (all integers little-endian):
//   header, 72 bytes
//     0  magic "A64VMSNP"
//     8  u32 format version (SNAPSHOT_FORMAT)
//    12  u32 header size (72)
//    16  u64 body size in bytes
//    24  SHA-256 of the body (32 bytes)
//    56  a64vm version that wrote the file, ASCII, NUL-padded (16 bytes)
//   body: sections, each
//     u16 name length, name (UTF-8), u16 flags (bit 0: payload is deflateRaw'd), u64 payload size, payload
//   sections:
//     meta             JSON: instruction count, vCPU count, memslot layout, exclusive monitors
//     config           tagged JSON (devices/snapshottable.ts codec): the VMOptions the VM was
//                      created with (images included), so a VM can be rebuilt from the file alone
//     vcpu/<i>         the vCPU's state block, STATE..STATE_END (4 KiB), as the CPU left it
//     stage2           the stage-2 leaf entries: 32 bytes each (IPA, level, kind, memslot,
//                      attributes or raw invalid descriptor, offset in the memslot)
//     ram/<memslot>    u32 page count, a bitmap of the pages stored, then those pages in chunks
//                      of up to 1 MiB: u8 method (0 stored, 1 deflateRaw), u32 size, u32 stored
//                      size, data (a chunk whose sample does not compress is stored as it is)
//     component/<name> tagged JSON of one component: bus devices (dev/<name>@<base>) and every
//                      entry of vm.snapshottables ('vm' holds the VM's clock bookkeeping)
// Reading checks everything (magic, version, sizes, checksum, every section, that the snapshot
// fits this VM) before changing anything; applying runs against a backup so that even a
// component whose restore() throws leaves the VM as it was.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { layout as L, type Cpu } from '../cpu/cpu.ts';
import type { Bus } from '../devices/bus.ts';
import { decodeState, encodeState, type SnapshotRegistry } from '../devices/snapshottable.ts';
import type { Memslots } from '../hyp/memslots.ts';
import { DESC_TABLE, DESC_VALID, IPA_BITS, L2_BLOCK, type Stage2 } from '../hyp/stage2.ts';

export const SNAPSHOT_MAGIC = 'A64VMSNP';
export const SNAPSHOT_FORMAT = 1;
const HEADER_SIZE = 72;
const PAGE = 4096;
const STATE_BYTES = L.STATE_END - L.STATE;
const OA_MASK = 0x0000_ffff_ffff_f000n;
const S2_ENTRY_BYTES = 32;
const FLAG_DEFLATED = 1;
const RAM_CHUNK = 1 << 20;

export class SnapshotError extends Error {}

let versionCache: string | undefined;
/** The a64vm version (package.json), written into every snapshot. */
export function a64vmVersion(): string {
  if (versionCache === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      versionCache = String(pkg.version ?? 'unknown');
    } catch {
      versionCache = 'unknown';
    }
  }
  return versionCache;
}

/** One vCPU's state block, as the VM exposes it (SMP: one per vCPU, in vCPU order). */
export interface VcpuStateBlock {
  /** A copy of STATE..STATE_END. */
  read(): Uint8Array;
  /** Replaces STATE..STATE_END and drops the vCPU's caches (TLB, fetch cache). */
  write(block: Uint8Array): void;
}

/** What the snapshot code needs of a VM (src/vm.ts implements it). */
export interface SnapshotHost {
  readonly options: object;
  readonly cpu: Cpu;
  readonly memslots: Memslots;
  readonly stage2: Stage2;
  readonly bus: Bus;
  readonly snapshottables: SnapshotRegistry;
  readonly instructions: bigint;
  vcpuStateBlocks(): VcpuStateBlock[];
}

interface SlotInfo { name: string; ipa: number; size: number; readonly: boolean }
/** A reserved exclusive-monitor granule, as a memslot offset (its wasm address differs per VM). */
type ExclRef = { slot: number; offset: number } | null;

interface Meta {
  instructions: string;
  vcpus: number;
  memslots: SlotInfo[];
  excl: ExclRef[];
}

interface S2Entry {
  ipa: number;
  level: number;
  /** Valid leaf: OA is memslot `slot` + `offset`, the other bits are `bits`. Else raw invalid descriptor. */
  slot: number;
  offset: number;
  bits: bigint;
}

interface SlotImage { bitmap: Uint8Array; data: Uint8Array }

/** A snapshot in memory: what capture() takes and apply() puts back. */
export interface VmImage {
  meta: Meta;
  /** The tagged JSON text of the options. */
  config: string;
  vcpus: Uint8Array[];
  stage2: S2Entry[];
  ram: Map<string, SlotImage>;
  components: Map<string, unknown>;
}

// ---------------------------------------------------------------- capture

/**
 * VMOptions as stored: functions (the MMIO callback), the consumed input queue and the JIT
 * setting (how the CPU runs, not what the machine is) are left out.
 */
export function configOf(options: object): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || typeof v === 'function' || k === 'input' || k === 'mmio' || k === 'jit') continue;
    out[k] = v;
  }
  return encodeState(out);
}

function slotInfos(m: Memslots): SlotInfo[] {
  return m.all.map((s) => ({ name: s.name, ipa: s.ipa, size: s.size, readonly: s.readonly }));
}

function hostToSlot(m: Memslots, host: number): { slot: number; offset: number } | undefined {
  const i = m.all.findIndex((s) => host >= s.host && host < s.host + s.size);
  return i < 0 ? undefined : { slot: i, offset: host - m.all[i].host };
}

/** Every bus device and registered component, by section name, in restore order. */
function componentsOf(host: SnapshotHost): [string, { snapshot(): unknown; restore(s: unknown): void; validate?(s: unknown): void }][] {
  const list: [string, { snapshot(): unknown; restore(s: unknown): void; validate?(s: unknown): void }][] = [];
  for (const m of host.bus.devices) list.push([`dev/${m.dev.name}@0x${m.base.toString(16)}`, m.dev]);
  list.push(...host.snapshottables.entries());
  return list;
}

/** A page of 4 KiB at byte offset off of a 32-bit view is all zero. */
function zeroPage(w: Int32Array, first: number): boolean {
  for (let k = first, end = first + PAGE / 4; k < end; k += 16) {
    if ((w[k] | w[k + 1] | w[k + 2] | w[k + 3] | w[k + 4] | w[k + 5] | w[k + 6] | w[k + 7] |
      w[k + 8] | w[k + 9] | w[k + 10] | w[k + 11] | w[k + 12] | w[k + 13] | w[k + 14] | w[k + 15]) !== 0) return false;
  }
  return true;
}

function captureSlot(cpu: Cpu, host: number, size: number): SlotImage {
  const pages = size / PAGE;
  const bitmap = new Uint8Array(Math.ceil(pages / 8));
  const w = new Int32Array(cpu.memory.buffer, host, size / 4);
  const nonZero: number[] = [];
  for (let p = 0; p < pages; p++) {
    if (!zeroPage(w, p * (PAGE / 4))) { bitmap[p >> 3] |= 1 << (p & 7); nonZero.push(p); }
  }
  const data = new Uint8Array(nonZero.length * PAGE);
  const src = cpu.bytes(host, size);
  nonZero.forEach((p, i) => data.set(src.subarray(p * PAGE, (p + 1) * PAGE), i * PAGE));
  return { bitmap, data };
}

function captureStage2(host: SnapshotHost): S2Entry[] {
  const cpu = host.cpu;
  const out: S2Entry[] = [];
  const visit = (desc: bigint, level: number, ipa: number): void => {
    if (desc === 0n) return;
    if (level < 3 && (desc & 3n) === 3n) {
      const table = Number(desc & OA_MASK);
      const span = 2 ** (12 + 9 * (3 - (level + 1)));
      for (let j = 0; j < 512; j++) visit(cpu.u64(table + 8 * j), level + 1, ipa + j * span);
      return;
    }
    if ((desc & DESC_VALID) === 0n) { out.push({ ipa, level, slot: -1, offset: 0, bits: desc }); return; }
    const span = 2 ** (12 + 9 * (3 - level));
    const oa = Number(desc & OA_MASK & ~BigInt(span - 1));
    const at = hostToSlot(host.memslots, oa);
    if (!at || at.offset + span > host.memslots.all[at.slot].size) {
      throw new SnapshotError(`cannot snapshot: stage 2 maps IPA 0x${ipa.toString(16)} to wasm address 0x${oa.toString(16)}, outside every memslot`);
    }
    out.push({ ipa, level, slot: at.slot, offset: at.offset, bits: desc & ~(OA_MASK & ~BigInt(span - 1)) });
  };
  for (let i = 0; i < 1024; i++) visit(cpu.u64(host.stage2.root + 8 * i), 1, i * 2 ** 30);
  return out;
}

/** Takes the VM's state into memory (component states are deep copies). */
export function capture(host: SnapshotHost): VmImage {
  const blocks = host.vcpuStateBlocks().map((b) => b.read());
  const excl: ExclRef[] = blocks.map((b) => {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const addr = Number(dv.getBigUint64(L.EXCL_ADDR - L.STATE, true));
    // Wasm addresses mean nothing in another VM: the monitor's granule goes into meta as a
    // memslot offset; the stage-2 base, memory limit and fetch cache are the restoring VM's.
    dv.setBigUint64(L.EXCL_ADDR - L.STATE, 0n, true);
    dv.setBigUint64(L.VTTBR_EL2 - L.STATE, 0n, true);
    dv.setBigUint64(L.MEM_LIMIT - L.STATE, 0n, true);
    dv.setBigUint64(L.FETCH_TAG - L.STATE, (1n << 64n) - 1n, true);
    dv.setBigUint64(L.FETCH_ADDEND - L.STATE, 0n, true);
    if (dv.getUint32(L.EXCL_VALID - L.STATE, true) === 0) return null;
    return hostToSlot(host.memslots, addr) ?? null;
  });
  const ram = new Map<string, SlotImage>();
  for (const s of host.memslots.all) ram.set(s.name, captureSlot(host.cpu, s.host, s.size));
  const components = new Map<string, unknown>();
  for (const [name, c] of componentsOf(host)) {
    let text: string;
    try {
      text = encodeState(c.snapshot());
    } catch (e) {
      throw new SnapshotError(`cannot snapshot component ${name}: ${(e as Error).message}`);
    }
    components.set(name, decodeState(text));
  }
  return {
    meta: { instructions: host.instructions.toString(), vcpus: blocks.length, memslots: slotInfos(host.memslots), excl },
    config: configOf(host.options),
    vcpus: blocks,
    stage2: captureStage2(host),
    ram,
    components,
  };
}

// ---------------------------------------------------------------- encode

export interface EncodeOptions {
  /** zlib level for RAM (default 1: guest RAM compresses nearly as well and several times faster). */
  level?: number;
}

/** Serialises a captured image into the file format. */
export function encode(img: VmImage, opts: EncodeOptions = {}): Uint8Array {
  const sections: { name: string; flags: number; payload: Uint8Array }[] = [];
  const json = (name: string, text: string, deflate = false) => {
    const raw = Buffer.from(text, 'utf8');
    sections.push(deflate ? { name, flags: FLAG_DEFLATED, payload: deflateRawSync(raw) } : { name, flags: 0, payload: raw });
  };
  json('meta', JSON.stringify(img.meta));
  json('config', img.config, true);
  img.vcpus.forEach((b, i) => sections.push({ name: `vcpu/${i}`, flags: 0, payload: b }));
  const s2 = new Uint8Array(4 + img.stage2.length * S2_ENTRY_BYTES);
  const dv = new DataView(s2.buffer);
  dv.setUint32(0, img.stage2.length, true);
  img.stage2.forEach((e, i) => {
    const o = 4 + i * S2_ENTRY_BYTES;
    dv.setBigUint64(o, BigInt(e.ipa), true);
    dv.setUint8(o + 8, e.level);
    dv.setInt16(o + 10, e.slot, true);
    dv.setBigUint64(o + 16, BigInt.asUintN(64, e.bits), true);
    dv.setBigUint64(o + 24, BigInt(e.offset), true);
  });
  sections.push({ name: 'stage2', flags: 0, payload: s2 });
  for (const [name, s] of img.ram) {
    const head = new Uint8Array(4 + s.bitmap.length);
    new DataView(head.buffer).setUint32(0, s.bitmap.length * 8, true);
    head.set(s.bitmap, 4);
    const parts: Uint8Array[] = [head];
    for (let off = 0; off < s.data.length; off += RAM_CHUNK) {
      const raw = s.data.subarray(off, off + RAM_CHUNK);
      // Guest memory that does not compress (random data, compressed files) is stored as it is:
      // a 16 KiB sample tells, for a small part of what deflating all of it would cost.
      const sample = raw.subarray(0, 16384);
      const compressible = deflateRawSync(sample, { level: 1 }).length < sample.length * 0.9;
      const data = compressible ? deflateRawSync(raw, { level: opts.level ?? 1 }) : raw;
      const h = new Uint8Array(9);
      const hv = new DataView(h.buffer);
      hv.setUint8(0, compressible ? 1 : 0);
      hv.setUint32(1, raw.length, true);
      hv.setUint32(5, data.length, true);
      parts.push(h, data);
    }
    sections.push({ name: `ram/${name}`, flags: 0, payload: Buffer.concat(parts) });
  }
  for (const [name, state] of img.components) {
    const text = encodeState(state);
    json(`component/${name}`, text, text.length > 1024);
  }

  let bodySize = 0;
  const names = sections.map((s) => Buffer.from(s.name, 'utf8'));
  sections.forEach((s, i) => { bodySize += 2 + names[i].length + 2 + 8 + s.payload.length; });
  const out = new Uint8Array(HEADER_SIZE + bodySize);
  const o = new DataView(out.buffer);
  let p = HEADER_SIZE;
  sections.forEach((s, i) => {
    o.setUint16(p, names[i].length, true); p += 2;
    out.set(names[i], p); p += names[i].length;
    o.setUint16(p, s.flags, true); p += 2;
    o.setBigUint64(p, BigInt(s.payload.length), true); p += 8;
    out.set(s.payload, p); p += s.payload.length;
  });
  out.set(Buffer.from(SNAPSHOT_MAGIC, 'latin1'), 0);
  o.setUint32(8, SNAPSHOT_FORMAT, true);
  o.setUint32(12, HEADER_SIZE, true);
  o.setBigUint64(16, BigInt(bodySize), true);
  out.set(createHash('sha256').update(out.subarray(HEADER_SIZE)).digest(), 24);
  const ver = Buffer.from(a64vmVersion().slice(0, 16), 'latin1');
  out.set(ver, 56);
  return out;
}

// ---------------------------------------------------------------- decode

export interface SnapshotHeader { format: number; version: string; bodySize: number }

/** Reads and checks the header and checksum; throws SnapshotError with the reason. */
export function readHeader(bytes: Uint8Array): SnapshotHeader {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== SNAPSHOT_MAGIC) {
    if (bytes.length < 8) throw new SnapshotError(`not an a64vm snapshot: only ${bytes.length} bytes (truncated?)`);
    throw new SnapshotError('not an a64vm snapshot (no A64VMSNP magic at the start)');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = dv.getUint32(8, true);
  if (bytes.length < HEADER_SIZE) throw new SnapshotError(`truncated snapshot: ${bytes.length} bytes, shorter than its ${HEADER_SIZE}-byte header`);
  const version = Buffer.from(bytes.subarray(56, 72)).toString('latin1').replace(/\0+$/, '');
  if (format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(`snapshot format version ${format} (written by a64vm ${version}); this a64vm (${a64vmVersion()}) reads format version ${SNAPSHOT_FORMAT} only`);
  }
  const headerSize = dv.getUint32(12, true);
  if (headerSize !== HEADER_SIZE) throw new SnapshotError(`corrupted snapshot: header size ${headerSize}, expected ${HEADER_SIZE}`);
  const body = dv.getBigUint64(16, true);
  const have = BigInt(bytes.length - HEADER_SIZE);
  if (body > have) throw new SnapshotError(`truncated snapshot: the body should be ${body} bytes, the file holds ${have}`);
  if (body < have) throw new SnapshotError(`corrupted snapshot: ${have - body} bytes after the end of the body`);
  const sum = createHash('sha256').update(bytes.subarray(HEADER_SIZE)).digest();
  if (!sum.equals(Buffer.from(bytes.subarray(24, 56)))) throw new SnapshotError('corrupted snapshot: the SHA-256 checksum of the body does not match');
  return { format, version, bodySize: Number(body) };
}

/** Parses and checks a whole snapshot file (not yet against a VM). */
export function decode(bytes: Uint8Array): VmImage {
  readHeader(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = new Map<string, Uint8Array>();
  let p = HEADER_SIZE;
  const need = (n: number, what: string) => {
    if (p + n > bytes.length) throw new SnapshotError(`corrupted snapshot: ${what} runs past the end of the file`);
  };
  while (p < bytes.length) {
    need(2, 'a section header');
    const nameLen = dv.getUint16(p, true); p += 2;
    need(nameLen + 10, 'a section header');
    const name = Buffer.from(bytes.subarray(p, p + nameLen)).toString('utf8'); p += nameLen;
    const flags = dv.getUint16(p, true); p += 2;
    const size = dv.getBigUint64(p, true); p += 8;
    if (size > BigInt(bytes.length - p)) throw new SnapshotError(`corrupted snapshot: section ${name} runs past the end of the file`);
    let payload = bytes.subarray(p, p + Number(size)); p += Number(size);
    if (flags & ~FLAG_DEFLATED) throw new SnapshotError(`corrupted snapshot: section ${name} has unknown flags 0x${flags.toString(16)}`);
    if (flags & FLAG_DEFLATED) payload = inflate(payload, name);
    if (sections.has(name)) throw new SnapshotError(`corrupted snapshot: section ${name} appears twice`);
    sections.set(name, payload);
  }
  const take = (name: string): Uint8Array => {
    const s = sections.get(name);
    if (!s) throw new SnapshotError(`corrupted snapshot: no ${name} section`);
    sections.delete(name);
    return s;
  };
  const text = (name: string) => Buffer.from(take(name)).toString('utf8');

  let meta: Meta;
  try {
    meta = JSON.parse(text('meta')) as Meta;
  } catch (e) {
    throw e instanceof SnapshotError ? e : new SnapshotError(`corrupted snapshot: meta: ${(e as Error).message}`);
  }
  checkMeta(meta);
  const config = text('config');
  try { decodeState(config); } catch (e) { throw new SnapshotError(`corrupted snapshot: config: ${(e as Error).message}`); }

  const vcpus: Uint8Array[] = [];
  for (let i = 0; i < meta.vcpus; i++) {
    const b = take(`vcpu/${i}`);
    if (b.length !== STATE_BYTES) throw new SnapshotError(`corrupted snapshot: vcpu/${i} is ${b.length} bytes, not ${STATE_BYTES}`);
    vcpus.push(b.slice());
  }
  const stage2 = decodeStage2(take('stage2'), meta.memslots);
  const ram = new Map<string, SlotImage>();
  for (const s of meta.memslots) ram.set(s.name, decodeSlot(take(`ram/${s.name}`), s));
  const components = new Map<string, unknown>();
  for (const name of [...sections.keys()]) {
    if (!name.startsWith('component/')) continue;
    const t = text(name);
    try {
      components.set(name.slice('component/'.length), decodeState(t));
    } catch (e) {
      throw new SnapshotError(`corrupted snapshot: ${name}: ${(e as Error).message}`);
    }
  }
  if (sections.size) throw new SnapshotError(`corrupted snapshot: unknown section ${[...sections.keys()][0]}`);
  return { meta, config, vcpus, stage2, ram, components };
}

function inflate(b: Uint8Array, name: string): Uint8Array {
  try {
    return new Uint8Array(inflateRawSync(b));
  } catch (e) {
    throw new SnapshotError(`corrupted snapshot: section ${name} does not inflate: ${(e as Error).message}`);
  }
}

function checkMeta(m: Meta): void {
  const bad = (what: string) => { throw new SnapshotError(`corrupted snapshot: meta: ${what}`); };
  if (!m || typeof m !== 'object') bad('not an object');
  if (typeof m.instructions !== 'string' || !/^\d+$/.test(m.instructions)) bad('instructions');
  if (!Number.isInteger(m.vcpus) || m.vcpus < 1 || m.vcpus > 512) bad('vcpus');
  if (!Array.isArray(m.memslots)) bad('memslots');
  for (const s of m.memslots) {
    if (typeof s?.name !== 'string' || !Number.isInteger(s.ipa) || !Number.isInteger(s.size) || s.size % PAGE !== 0 || s.size <= 0 || typeof s.readonly !== 'boolean') bad('memslot');
  }
  if (!Array.isArray(m.excl) || m.excl.length !== m.vcpus) bad('excl');
  for (const e of m.excl) {
    if (e !== null && !(Number.isInteger(e?.slot) && e.slot >= 0 && e.slot < m.memslots.length && Number.isInteger(e.offset) && e.offset >= 0 && e.offset < m.memslots[e.slot].size)) bad('excl entry');
  }
}

function decodeStage2(b: Uint8Array, slots: SlotInfo[]): S2Entry[] {
  const bad = (what: string) => { throw new SnapshotError(`corrupted snapshot: stage2: ${what}`); };
  if (b.length < 4) bad('too short');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(0, true);
  if (b.length !== 4 + n * S2_ENTRY_BYTES) bad(`${b.length} bytes for ${n} entries`);
  const out: S2Entry[] = [];
  for (let i = 0; i < n; i++) {
    const o = 4 + i * S2_ENTRY_BYTES;
    const ipa = Number(dv.getBigUint64(o, true));
    const level = dv.getUint8(o + 8);
    const slot = dv.getInt16(o + 10, true);
    const bits = dv.getBigUint64(o + 16, true);
    const offset = Number(dv.getBigUint64(o + 24, true));
    if (level < 1 || level > 3) bad(`entry ${i}: level ${level}`);
    const span = 2 ** (12 + 9 * (3 - level));
    if (ipa % span !== 0 || ipa + span > 2 ** IPA_BITS) bad(`entry ${i}: IPA 0x${ipa.toString(16)}`);
    if (slot >= 0) {
      if (slot >= slots.length || offset % span !== 0 || offset + span > slots[slot].size) bad(`entry ${i}: memslot ${slot} offset 0x${offset.toString(16)}`);
      if ((bits & DESC_VALID) === 0n || (bits & OA_MASK & ~BigInt(span - 1)) !== 0n) bad(`entry ${i}: attributes`);
      if (level === 3 && (bits & DESC_TABLE) === 0n) bad(`entry ${i}: level-3 entry without the page bit`);
      if (level < 3 && (bits & DESC_TABLE) !== 0n) bad(`entry ${i}: block with the table bit`);
    } else if (slot !== -1 || (bits & DESC_VALID) !== 0n || bits === 0n) {
      bad(`entry ${i}: invalid entry`);
    }
    out.push({ ipa, level, slot, offset, bits });
  }
  return out;
}

function decodeSlot(b: Uint8Array, s: SlotInfo): SlotImage {
  const bad = (what: string) => { throw new SnapshotError(`corrupted snapshot: ram/${s.name}: ${what}`); };
  if (b.length < 4) bad('too short');
  const pages = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
  const want = s.size / PAGE;
  if (pages !== Math.ceil(want / 8) * 8) bad(`${pages} pages for a ${s.size}-byte memslot`);
  if (b.length < 4 + pages / 8) bad('bitmap truncated');
  const bitmap = b.slice(4, 4 + pages / 8);
  let count = 0;
  for (let p = 0; p < pages; p++) {
    if (bitmap[p >> 3] & (1 << (p & 7))) {
      if (p >= want) bad('bitmap names a page past the end');
      count++;
    }
  }
  const data = new Uint8Array(count * PAGE);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 0;
  for (let p = 4 + pages / 8; p < b.length;) {
    if (p + 9 > b.length) bad('chunk header truncated');
    const method = dv.getUint8(p);
    const size = dv.getUint32(p + 1, true);
    const stored = dv.getUint32(p + 5, true);
    p += 9;
    if (p + stored > b.length || at + size > data.length || size > RAM_CHUNK || method > 1) bad(`bad chunk at offset ${p - 9}`);
    const chunk = method === 1 ? inflate(b.subarray(p, p + stored), `ram/${s.name}`) : b.subarray(p, p + stored);
    if (chunk.length !== size) bad(`chunk at offset ${p - 9} holds ${chunk.length} bytes, not ${size}`);
    data.set(chunk, at);
    at += size;
    p += stored;
  }
  if (at !== data.length) bad(`${at} bytes of page data for ${count} pages`);
  return { bitmap, data };
}

// ---------------------------------------------------------------- apply

/** Why img cannot be applied to host, or undefined when it can. */
export function incompatibility(host: SnapshotHost, img: VmImage): string | undefined {
  const blocks = host.vcpuStateBlocks().length;
  if (blocks !== img.meta.vcpus) return `the snapshot has ${img.meta.vcpus} vCPU(s), this VM ${blocks}`;
  const mine = slotInfos(host.memslots);
  const same = mine.length === img.meta.memslots.length && mine.every((s, i) => JSON.stringify(s) === JSON.stringify(img.meta.memslots[i]));
  if (!same) {
    const show = (l: SlotInfo[]) => l.map((s) => `${s.name} 0x${s.ipa.toString(16)}+${s.size >> 20}M`).join(', ');
    return `the snapshot's memory (${show(img.meta.memslots)}) differs from this VM's (${show(mine)})`;
  }
  const mineCfg = decodeState(configOf(host.options)) as Record<string, unknown>;
  const theirs = decodeState(img.config) as Record<string, unknown>;
  const differing = [...new Set([...Object.keys(mineCfg), ...Object.keys(theirs)])]
    .filter((k) => encodeState(mineCfg[k]) !== encodeState(theirs[k]));
  if (differing.length) return `the snapshot was taken of a VM created with other options (${differing.join(', ')} differ); use VM.fromSnapshot() or a VM created with the same options`;
  const names = componentsOf(host).map(([n]) => n);
  const missing = names.filter((n) => !img.components.has(n));
  if (missing.length) return `the snapshot has no state for ${missing.join(', ')} (taken by an a64vm without it?)`;
  const extra = [...img.components.keys()].filter((n) => !names.includes(n));
  if (extra.length) return `the snapshot holds state for ${extra.join(', ')}, which this VM does not have`;
  for (const [name, c] of componentsOf(host)) {
    try {
      c.validate?.(img.components.get(name));
    } catch (e) {
      return `component ${name} rejects its state: ${(e as Error).message}`;
    }
  }
  return undefined;
}

function applyStage2(host: SnapshotHost, entries: S2Entry[]): void {
  const { stage2, cpu, memslots } = host;
  stage2.reset();
  const oa = (e: S2Entry) => (e.slot >= 0 ? BigInt(memslots.all[e.slot].host + e.offset) : 0n);
  for (const e of entries) {
    const desc = e.slot >= 0 ? oa(e) | e.bits : e.bits;
    if (e.level === 3) {
      stage2.setLeafDescriptor(e.ipa, desc);
    } else if (e.level === 2) {
      // map() builds the path down to the level-2 slot; the exact descriptor then goes in.
      stage2.map(e.ipa, e.slot >= 0 ? Number(oa(e)) : 0, L2_BLOCK, { r: false, w: false, x: false });
      const w = stage2.walk(e.ipa);
      if (w.level !== 2) throw new Error(`stage 2: no level-2 entry for IPA 0x${e.ipa.toString(16)}`);
      cpu.setU64(w.descAddr, desc);
    } else {
      cpu.setU64(stage2.root + 8 * Math.floor(e.ipa / 2 ** 30), desc);
    }
  }
  stage2.install();
  cpu.exports.flushTLB();
}

function applySlot(cpu: Cpu, host: number, size: number, img: SlotImage): void {
  const mem = cpu.bytes(host, size);
  mem.fill(0);
  let i = 0;
  for (let p = 0; p < size / PAGE; p++) {
    if (img.bitmap[p >> 3] & (1 << (p & 7))) {
      mem.set(img.data.subarray(i * PAGE, (i + 1) * PAGE), p * PAGE);
      i++;
    }
  }
}

/** Applies img; with undo set (putting a backup back) a component that fails is skipped. */
function applyImage(host: SnapshotHost, img: VmImage, undo = false): void {
  for (const s of host.memslots.all) applySlot(host.cpu, s.host, s.size, img.ram.get(s.name)!);
  applyStage2(host, img.stage2);
  const blocks = host.vcpuStateBlocks();
  img.vcpus.forEach((saved, i) => {
    const b = saved.slice();
    const dv = new DataView(b.buffer);
    const cur = new DataView(blocks[i].read().buffer);
    // Wasm addresses belong to this VM: keep its stage-2 base and memory limit, move the
    // exclusive monitor's granule to the same memslot offset here, and drop the fetch cache.
    for (const off of [L.VTTBR_EL2, L.MEM_LIMIT]) dv.setBigUint64(off - L.STATE, cur.getBigUint64(off - L.STATE, true), true);
    dv.setBigUint64(L.FETCH_TAG - L.STATE, (1n << 64n) - 1n, true);
    dv.setBigUint64(L.FETCH_ADDEND - L.STATE, 0n, true);
    const ex = img.meta.excl[i];
    if (ex) dv.setBigUint64(L.EXCL_ADDR - L.STATE, BigInt(host.memslots.all[ex.slot].host + ex.offset), true);
    else dv.setUint32(L.EXCL_VALID - L.STATE, 0, true);
    blocks[i].write(b);
  });
  for (const [name, c] of componentsOf(host)) {
    try {
      c.restore(img.components.get(name));
    } catch (e) {
      if (!undo) throw new Error(`component ${name}: ${(e as Error).message}`);
    }
  }
}

/**
 * Puts img into host: checks it fits first (nothing changes if not), then applies it; if a
 * component's restore() throws, the VM's previous state is put back before the error is rethrown.
 */
export function apply(host: SnapshotHost, img: VmImage): void {
  const why = incompatibility(host, img);
  if (why) throw new SnapshotError(`cannot restore: ${why}`);
  const backup = capture(host);
  try {
    applyImage(host, img);
  } catch (e) {
    applyImage(host, backup, true);
    throw new SnapshotError(`restore failed and was undone: ${(e as Error).message}`);
  }
}

/** The whole VM as a snapshot file. */
export function snapshotVM(host: SnapshotHost, opts?: EncodeOptions): Uint8Array {
  return encode(capture(host), opts);
}

/** Restores a snapshot file into host; on any error the VM is left as it was. */
export function restoreVM(host: SnapshotHost, bytes: Uint8Array): void {
  apply(host, decode(bytes));
}

/** The VMOptions a snapshot was taken with (to build a VM that can take it). */
export function snapshotOptions(bytes: Uint8Array): Record<string, unknown> {
  const img = decode(bytes);
  return decodeState(img.config) as Record<string, unknown>;
}
