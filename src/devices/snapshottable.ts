// The snapshot interface of the VM's components. A whole-VM snapshot (src/tools/snapshot.ts)
// holds, besides vCPU registers, RAM and the stage-2 tables, one named section per component:
//   - every device on the MMIO bus, automatically, as `dev/<name>@<base>` (Device.snapshot()
//     and Device.restore() in bus.ts);
//   - everything else with state of its own registers itself on the VM's registry:
//       vm.snapshottables.register('gic', gic);                         // has snapshot()/restore()
//       vm.snapshottables.register('mmio-guard', { snapshot: () => guard.getState(),
//                                                  restore: (s) => guard.setState(s) });
//     (interrupt controller parts that are not bus devices, timers, the MMIO guard, per-vCPU host
//     state such as PSCI power states, the VM's own clock bookkeeping).
// State is plain data: objects, arrays, strings, numbers, booleans, null, bigint and typed arrays
// (the codec below keeps the last two exact). restore() must accept exactly what snapshot()
// produced; validate(), when present, is called on every component before any is restored, so a
// state it rejects leaves the whole VM untouched.

export interface Snapshottable {
  /** The component's state as plain data; must not share mutable objects with the component. */
  snapshot(): unknown;
  /** Puts the component in the given state (what snapshot() returned, possibly in another VM). */
  restore(state: unknown): void;
  /** Throws (with a message naming what is wrong) when restore(state) would fail. */
  validate?(state: unknown): void;
}

/** Named components, in registration order (restore follows that order). */
export class SnapshotRegistry {
  private readonly items = new Map<string, Snapshottable>();

  /** Adds a component under a unique, stable name (it names the snapshot section). */
  register(name: string, component: Snapshottable): void {
    if (!/^[\w./@:-]{1,200}$/.test(name)) throw new Error(`a64vm: snapshot component name '${name}' is not [A-Za-z0-9_./@:-]{1,200}`);
    if (this.items.has(name)) throw new Error(`a64vm: snapshot component '${name}' is registered twice`);
    this.items.set(name, component);
  }

  unregister(name: string): void { this.items.delete(name); }

  get(name: string): Snapshottable | undefined { return this.items.get(name); }

  entries(): [string, Snapshottable][] { return [...this.items]; }
}

// ---- state codec: JSON with bigint and typed arrays ----

type TypedArrayName =
  | 'Uint8Array' | 'Int8Array' | 'Uint16Array' | 'Int16Array' | 'Uint32Array' | 'Int32Array'
  | 'Float32Array' | 'Float64Array' | 'BigUint64Array' | 'BigInt64Array' | 'Uint8ClampedArray';
const TYPED: Record<TypedArrayName, { new (b: ArrayBuffer): ArrayBufferView }> = {
  Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array,
  BigUint64Array, BigInt64Array, Uint8ClampedArray,
};

/** Encodes component state as JSON text; bigint and typed arrays become tagged objects. */
export function encodeState(state: unknown): string {
  return JSON.stringify(state, function (this: unknown, _key, value: unknown) {
    if (typeof value === 'bigint') return { $bigint: value.toString(16) };
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const name = value.constructor.name as TypedArrayName;
      if (!(name in TYPED)) throw new Error(`a64vm: cannot snapshot a ${name}`);
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      return { $typed: name, base64: bytes.toString('base64') };
    }
    if (value instanceof Map || value instanceof Set || typeof value === 'function') {
      throw new Error(`a64vm: component state must be plain data (found a ${typeof value === 'function' ? 'function' : value.constructor.name})`);
    }
    return value;
  }) ?? 'null';
}

/** The inverse of encodeState; throws on malformed text. */
export function decodeState(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.$bigint === 'string') {
        const neg = o.$bigint.startsWith('-');
        const digits = neg ? o.$bigint.slice(1) : o.$bigint;
        if (!/^[0-9a-f]+$/.test(digits)) throw new Error(`bad bigint '${o.$bigint}'`);
        const v = BigInt('0x' + digits);
        return neg ? -v : v;
      }
      if (keys.length === 2 && typeof o.$typed === 'string' && typeof o.base64 === 'string') {
        const ctor = TYPED[o.$typed as TypedArrayName];
        if (!ctor) throw new Error(`unknown typed array ${o.$typed}`);
        const bytes = Buffer.from(o.base64, 'base64');
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        return new ctor(copy.buffer);
      }
    }
    return value;
  });
}
