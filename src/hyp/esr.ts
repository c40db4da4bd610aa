// Fields of the syndrome the CPU reports on an exit (ESR_EL2 layout, Arm ARM D17.2.37), named
// as the manual names them. Data aborts (EC 0x24): ISV [24], SAS [23:22], SSE [21], SRT [20:16],
// SF [15], AR [14], CM [8], S1PTW [7], WnR [6], DFSC [5:0]. Instruction aborts (EC 0x20): IFSC [5:0].

export const EC_HVC64 = 0x16;
export const EC_SMC64 = 0x17;
export const EC_IABT_LOW = 0x20;
export const EC_DABT_LOW = 0x24;

/** Fault status code groups (DFSC/IFSC [5:2] with the level in [1:0]). */
export const FSC_ADDR_SIZE = 0x00;
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS_FLAG = 0x08;
export const FSC_PERMISSION = 0x0c;

export interface AbortSyndrome {
  ec: number;
  il: boolean;
  isv: boolean;
  /** Access size in bytes (1 << SAS); meaningful when isv. */
  size: number;
  sse: boolean;
  srt: number;
  sf: boolean;
  ar: boolean;
  cm: boolean;
  s1ptw: boolean;
  wnr: boolean;
  /** DFSC or IFSC. */
  fsc: number;
}

export function decodeAbort(esr: bigint): AbortSyndrome {
  const e = Number(esr & 0xffff_ffffn);
  // (Runs on every trapped access: no per-call closures.)
  return {
    ec: (e >>> 26) & 0x3f,
    il: (e & (1 << 25)) !== 0,
    isv: (e & (1 << 24)) !== 0,
    size: 1 << ((e >>> 22) & 3),
    sse: (e & (1 << 21)) !== 0,
    srt: (e >>> 16) & 31,
    sf: (e & (1 << 15)) !== 0,
    ar: (e & (1 << 14)) !== 0,
    cm: (e & (1 << 8)) !== 0,
    s1ptw: (e & (1 << 7)) !== 0,
    wnr: (e & (1 << 6)) !== 0,
    fsc: e & 0x3f,
  };
}

export const esrEC = (esr: bigint) => Number((esr >> 26n) & 0x3fn);
/** The imm16 of HVC/SMC (ISS [15:0]). */
export const esrImm16 = (esr: bigint) => Number(esr & 0xffffn);
