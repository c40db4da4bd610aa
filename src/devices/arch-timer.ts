// The generic timers' interrupt outputs (Arm ARM D11.2). The CPU owns the registers (CNTP_* and
// CNTV_* live in each vCPU's state block, ISTATUS is computed when read) and exits with 'timer'
// after each write; the host evaluates, per vCPU, whether each timer's output is asserted and
// when it next will be, and drives the GIC's PPIs with it as level inputs, as KVM's arch_timer.c
// does for a vCPU's timers.
//
// Time: the system counter is CNTPCT = T >> shift, where T is the VM's clock in ICOUNT units
// (one unit per retired instruction by default, shift 4: 62.5 MHz at 1 instruction = 1 ns). The
// virtual counter is CNTPCT - CNTVOFF_EL2.

/** INTIDs of the EL1 timers' PPIs (the device tree lists them as PPI 14 and 11). */
export const PPI_PHYS_TIMER = 30;
export const PPI_VIRT_TIMER = 27;

const M64 = (1n << 64n) - 1n;
const CTL_ENABLE = 1n;
const CTL_IMASK = 2n;

/** The registers of one vCPU's EL1 timers. CTL holds ENABLE and IMASK only (ISTATUS is derived). */
export interface TimerRegs {
  cntpCtl: bigint;
  cntpCval: bigint;
  cntvCtl: bigint;
  cntvCval: bigint;
  cntvoff: bigint;
}

export interface TimerOutputs { phys: boolean; virt: boolean }

/** Whether a timer's interrupt output is asserted: ENABLE, not IMASK, and the condition met. */
function fires(ctl: bigint, cval: bigint, count: bigint): boolean {
  return (ctl & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE && count >= cval;
}

/** The timers' outputs at clock value t (ICOUNT units). */
export function timerOutputs(r: TimerRegs, t: bigint, shift: number): TimerOutputs {
  const count = t >> BigInt(shift);
  return {
    phys: fires(r.cntpCtl, r.cntpCval, count),
    virt: fires(r.cntvCtl, r.cntvCval, (count - r.cntvoff) & M64),
  };
}

/**
 * The earliest clock value after t at which an enabled, unmasked timer's output rises, or
 * undefined if none will (both off, masked, already firing, or due beyond the 64-bit count).
 */
export function nextTimerDeadline(r: TimerRegs, t: bigint, shift: number): bigint | undefined {
  const sh = BigInt(shift);
  let best: bigint | undefined;
  const consider = (ctl: bigint, countTarget: bigint) => {
    if ((ctl & (CTL_ENABLE | CTL_IMASK)) !== CTL_ENABLE) return;
    if (countTarget > M64) return; // the counter would wrap first
    const at = countTarget << sh; // the first clock value whose count reaches the target
    if (at > t && (best === undefined || at < best)) best = at;
  };
  consider(r.cntpCtl, r.cntpCval);
  // CNTVCT >= CVAL first holds when CNTPCT = CVAL + CNTVOFF (if that does not wrap).
  consider(r.cntvCtl, r.cntvCval + r.cntvoff);
  return best;
}
