// VM events for embedders and tools (the CLI's --trace guard,irq): the hypervisor and device
// models emit them, subscribers observe. Emitting costs one map lookup when nobody listens, so
// emitters on warm paths should test `events.wants(name)` before building the payload.
//
//   vm.events.on('irq', (e) => console.log(e.vcpu, e.intid, e.what));
//
// The names and payloads are the contract between emitters (MMIO guard: src/hyp/mmio-guard.ts,
// interrupt controller: src/devices/gic*) and subscribers (src/tools/trace.ts).

export interface VmEventMap {
  /** A guard hypercall (MMIO_GUARD_MAP and friends): function, arguments and the x0.. results. */
  'guard-call': { vcpu: number; pc: bigint; fid: number; name: string; args: readonly bigint[]; result: readonly bigint[] };
  /** An access the guard refused, and what was injected for it. */
  'guard-violation': {
    vcpu: number; pc: bigint; va: bigint; ipa: bigint; size: number; write: boolean;
    /** Why it was refused (e.g. 'unmapped', 'nisv'). */
    reason: string;
    /** What the guest got: 'serror' or 'dabt'. */
    injected: string;
  };
  /**
   * An interrupt controller event (`--trace irq` prints them): a line raised or lowered, an
   * interrupt acknowledged, ended or delivered to a vCPU. Nothing emits these yet: the GIC model
   * is the intended emitter.
   */
  'irq': { vcpu?: number; intid: number; what: 'raise' | 'lower' | 'ack' | 'eoi' | 'deliver' | string; level?: boolean };
}

export type VmEventName = keyof VmEventMap;
type Listener<K extends VmEventName> = (event: VmEventMap[K]) => void;

export class VmEvents {
  private readonly listeners = new Map<VmEventName, Set<(e: never) => void>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends VmEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (e: never) => void);
    return () => { set.delete(listener as (e: never) => void); };
  }

  /** True when someone listens to name (build payloads only then). */
  wants(name: VmEventName): boolean { return (this.listeners.get(name)?.size ?? 0) > 0; }

  emit<K extends VmEventName>(name: K, event: VmEventMap[K]): void {
    const set = this.listeners.get(name);
    if (set) for (const f of set) (f as Listener<K>)(event);
  }
}
