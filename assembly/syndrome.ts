// The instruction-specific syndrome of a data abort taken to EL2 (ESR_EL2.ISS, D17.2.37.2):
// ISV = 1 only for a load or store of one general-purpose register, without writeback and not
// exclusive (load-acquire/store-release included, with AR = 1). With ISV set the hypervisor can
// emulate the access from the syndrome alone.

/** ISV [24], SAS [23:22], SSE [21], SRT [20:16], SF [15], AR [14] for the instruction word w. */
export function dataAbortISS(w: u32): u32 {
  const size = w >> 30;
  const rt = w & 31;
  // Load/store register, general-purpose (V = 0): bits [29:27] = 111, [26] = 0.
  if (((w >> 27) & 7) == 7 && ((w >> 26) & 1) == 0) {
    const opc = (w >> 22) & 3;
    const op24 = (w >> 24) & 3;
    let single = false;
    if (op24 == 1) single = true; // unsigned offset
    else if (op24 == 0) {
      const b21 = (w >> 21) & 1;
      const op1110 = (w >> 10) & 3;
      if (b21 == 0) single = op1110 == 0 || op1110 == 2; // unscaled, unprivileged (no writeback)
      else single = op1110 == 2; // register offset (the others are atomics)
    }
    if (!single || (size == 3 && opc >= 2) || (size == 2 && opc == 3)) return 0; // PRFM, reserved
    const load = opc != 0;
    const sse: u32 = opc >= 2 ? 1 : 0;
    const sf: u32 = load ? (opc == 2 || (size == 3 && opc == 1) ? 1 : 0) : (size == 3 ? 1 : 0);
    return iss(size, sse, rt, sf, 0);
  }
  // Load register (literal), V = 0: bits [29:27] = 011, [26] = 0, [25:24] = 00.
  if (((w >> 27) & 7) == 3 && ((w >> 24) & 7) == 0) {
    const opc = w >> 30;
    if (opc == 0) return iss(2, 0, rt, 0, 0);
    if (opc == 1) return iss(3, 0, rt, 1, 0);
    if (opc == 2) return iss(2, 1, rt, 1, 0);
    return 0;
  }
  // LDAR/STLR: bits [29:24] = 001000, o2 [23] = 1, o1 [21] = 0, o0 [15] = 1.
  if (((w >> 24) & 0x3f) == 0x08 && ((w >> 23) & 1) == 1 && ((w >> 21) & 1) == 0 && ((w >> 15) & 1) == 1) {
    return iss(size, 0, rt, size == 3 ? 1 : 0, 1);
  }
  return 0;
}

// @ts-ignore: decorator
@inline function iss(sas: u32, sse: u32, srt: u32, sf: u32, ar: u32): u32 {
  return (1 << 24) | (sas << 22) | (sse << 21) | (srt << 16) | (sf << 15) | (ar << 14);
}
