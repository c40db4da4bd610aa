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
  const bit = (n: number) => ((e >>> n) & 1) === 1;
  return {
    ec: (e >>> 26) & 0x3f,
    il: bit(25),
    isv: bit(24),
    size: 1 << ((e >>> 22) & 3),
    sse: bit(21),
    srt: (e >>> 16) & 31,
    sf: bit(15),
    ar: bit(14),
    cm: bit(8),
    s1ptw: bit(7),
    wnr: bit(6),
    fsc: e & 0x3f,
  };
}

export const esrEC = (esr: bigint) => Number((esr >> 26n) & 0x3fn);
/** The imm16 of HVC/SMC (ISS [15:0]). */
export const esrImm16 = (esr: bigint) => Number(esr & 0xffffn);
