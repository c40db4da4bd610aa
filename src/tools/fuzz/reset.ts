// Fast reset by dirty logging (as KVM_MEM_LOG_DIRTY_PAGES with write protection): after the
// start point is taken, every writable memslot is remapped at stage 2 with 4 KiB read-only
// pages. A guest write then takes a stage-2 permission fault, which the ordinary fault path
// (hyp/abort.ts mapPage) answers by mapping the page writable and retrying the instruction; its
// Memslots.dirtyLog hook tells us the page is dirty. reset() copies back only the dirty pages
// from the start copy and write-protects them again, then restores the vCPU state block and
// every device and hypervisor component (the same set a snapshot file carries).
//
// Components are restored from their start-point states. Those whose restore is costly (the
// GIC distributor's and the guard's cost ~0.5-1.5 ms each) are restored only when the run had an
// exit that can change them: the MMIO guard after a hypercall (HVC/SMC), every one of them after
// a data abort on a bus device (a device access can raise an interrupt line: the GIC changes too)
// or any other exit that reaches the host (system registers, WFI, timers, semihosting) -- not
// after BRK, budget slices, stage-2 faults on RAM, or MMIO outside every bus device (the
// embedder's callback, holes, guard violations: none of these change a component). A guest that changes device state without such an exit (a timer
// interrupt it armed before the start point) is covered by `alwaysRestoreDevices`.
import { layout as L } from '../../cpu/cpu.ts';
import { decodeState, encodeState } from '../../devices/snapshottable.ts';
import type { Memslot } from '../../hyp/memslots.ts';
import { S2AP_W } from '../../hyp/stage2.ts';
import type { VM } from '../../vm.ts';

const PAGE = 4096;

interface SlotCopy { slot: Memslot; data: Uint8Array; dirty: Set<number> }

export class DirtyReset {
  private readonly slots: SlotCopy[] = [];
  private readonly state: Uint8Array;
  /** name, component, start-point state, restored only when touched (else always). */
  private readonly components: [string, { restore(s: unknown): void }, string, boolean][] = [];
  /** Components (by name: 'mmio-guard') a run's exits may have changed; 'all' for every one. */
  private readonly touched = new Set<string>();
  /** Restore every component after every run (slower; see above). */
  alwaysRestoreDevices = false;
  /** Pages restored by the last reset() (statistics). */
  lastDirty = 0;

  constructor(private readonly vm: VM) {
    if (vm.scheduler.vcpus.length !== 1) throw new Error('fuzz: fast reset supports one vCPU');
    vm.scheduler.load(0);
    const cpu = vm.cpu;
    this.state = cpu.bytes(L.STATE, L.STATE_END - L.STATE).slice();
    for (const m of vm.bus.devices) this.components.push([`dev/${m.dev.name}`, m.dev, encodeState(m.dev.snapshot()), true]);
    for (const [name, c] of vm.snapshottables.entries()) this.components.push([name, c, encodeState(c.snapshot()), name === 'mmio-guard']);
    const ram = (ipa: bigint) => this.slots.some((s) => ipa >= BigInt(s.slot.ipa) && ipa < BigInt(s.slot.ipa + s.slot.size));
    vm.onExit((e) => {
      if (this.touched.has('all') || e.reason === 'brk' || e.reason === 'budget') return;
      if (e.reason === 'hvc' || e.reason === 'smc') { this.touched.add('mmio-guard'); return; }
      if (e.reason === 'dabt') {
        if (ram(e.ipa) || e.ipa >= 2n ** 53n) return;
        if (vm.bus.find(Number(e.ipa))) this.touched.add('all');
        return;
      }
      this.touched.add('all');
    });
    for (const slot of vm.memslots.all) {
      if (slot.readonly) continue;
      this.slots.push({ slot, data: cpu.bytes(slot.host, slot.size).slice(), dirty: new Set() });
    }
    this.protectAll();
    vm.memslots.dirtyLog = (slot, page) => this.slots.find((s) => s.slot === slot)?.dirty.add(page - slot.ipa);
  }

  /** Where guest RAM or the vCPU state differs from the start point: undefined when identical. */
  difference(): string | undefined {
    const cpu = this.vm.cpu;
    for (const s of this.slots) {
      const mem = cpu.bytes(s.slot.host, s.slot.size);
      for (let i = 0; i < mem.length; i++) if (mem[i] !== s.data[i]) return `${s.slot.name} +0x${i.toString(16)}`;
    }
    const st = cpu.bytes(L.STATE, this.state.length);
    for (let i = 0; i < st.length; i++) {
      if (i + L.STATE >= L.FETCH_TAG && i + L.STATE < L.FETCH_TAG + 8) continue;
      if (st[i] !== this.state[i]) return `state block +0x${(i + L.STATE).toString(16)}`;
    }
    return undefined;
  }

  /** Marks a page the host wrote (the input) so that the next reset restores it. */
  markHostWrite(ipa: number, len: number): void {
    for (const s of this.slots) {
      const lo = Math.max(ipa, s.slot.ipa), hi = Math.min(ipa + len, s.slot.ipa + s.slot.size);
      for (let p = Math.floor((lo - s.slot.ipa) / PAGE) * PAGE; p + s.slot.ipa < hi; p += PAGE) s.dirty.add(p);
    }
  }

  /** All writable RAM as 4 KiB read-only stage-2 pages, and nothing dirty. */
  private protectAll(): void {
    for (const s of this.slots) {
      this.vm.stage2.map(s.slot.ipa, s.slot.host, s.slot.size, { r: true, w: false, x: true }, { blocks: false });
      s.dirty.clear();
    }
  }

  /**
   * Back to the start point. full: copy all of RAM and rebuild stage 2 (after a system reset
   * rebuilt the VM's memory map behind our back).
   */
  reset(full = false): void {
    const cpu = this.vm.cpu;
    let n = 0;
    for (const s of this.slots) {
      if (full) {
        cpu.bytes(s.slot.host, s.slot.size).set(s.data);
        continue;
      }
      const mem = cpu.bytes(s.slot.host, s.slot.size);
      for (const off of s.dirty) {
        mem.set(s.data.subarray(off, off + PAGE), off);
        const w = this.vm.stage2.walk(s.slot.ipa + off);
        if (w.pa !== undefined) cpu.setU64(w.descAddr, w.desc & ~S2AP_W);
        n++;
      }
      s.dirty.clear();
    }
    if (full) {
      this.vm.stage2.reset();
      for (const sl of this.vm.memslots.all) this.vm.stage2.map(sl.ipa, sl.host, sl.size, { r: true, w: !sl.readonly, x: true });
      this.vm.stage2.install();
      this.protectAll();
    }
    this.lastDirty = n;
    this.vm.scheduler.load(0);
    cpu.bytes(L.STATE, this.state.length).set(this.state);
    cpu.setU64(L.FETCH_TAG, (1n << 64n) - 1n);
    cpu.exports.flushTLB();
    cpu.exports.refreshInterrupts();
    const all = full || this.touched.has('all') || this.alwaysRestoreDevices;
    for (const [name, c, text, device] of this.components) if (all || !device || this.touched.has(name)) c.restore(decodeState(text));
    this.touched.clear();
  }
}
