// The "virt" board (shared/spec/platform.md), a copy of QEMU's virt machine layout: memory map,
// device placement, and the device tree that describes them.
import { FdtNode, cells, cells64, empty, str, strs, writeFdt } from './fdt.ts';
import type { Region } from './regions.ts';

export const MiB = 1024 * 1024;
export const FLASH_BASE = 0x0000_0000;
export const FLASH_SIZE = 64 * MiB;
export const GIC_DIST_BASE = 0x0800_0000;
export const GIC_CPU_BASE = 0x0801_0000;
export const GIC_REDIST_BASE = 0x080a_0000;
export const GIC_DIST_SIZE = 0x1_0000;
export const GIC_CPU_SIZE = 0x1_0000;
export const GIC_REDIST_SIZE = 0xf6_0000;
export const UART_BASE = 0x0900_0000;
export const RTC_BASE = 0x0901_0000;
export const DEVICE_SIZE = 0x1000;
export const RAM_BASE = 0x4000_0000;
export const DEFAULT_RAM_SIZE = 128 * MiB;
/** RAM may reach up to 255 GiB in QEMU; a64vm's guest memory lives in a 4 GiB wasm memory. */
export const MAX_RAM_SIZE = 3 * 1024 * MiB;
export const MIN_RAM_SIZE = 2 * MiB;
/** vCPUs: GICv2 targets at most 8 CPUs (GICD_ITARGETSR), and so does a64vm with either GIC. */
export const MAX_CPUS = 8;

/** Shared peripheral interrupts (SPI numbers; INTID = 32 + n). */
export const UART_SPI = 1;
export const RTC_SPI = 2;
/** Timer PPIs as the device tree lists them: secure phys 13, non-secure phys 14, virt 11, hyp 10. */
export const TIMER_PPIS = [13, 14, 11, 10] as const;

export const CNTFRQ = 62_500_000n;
/** Cortex-A57 r1p0, as QEMU's -cpu cortex-a57. */
export const MIDR_CORTEX_A57 = 0x411fd070n;
/** MPIDR_EL1 of vCPU 0: bit 31 RES1, affinity 0 (U = 0: part of a multiprocessor system). */
export const MPIDR_CPU0 = 0x8000_0000n;
/** SCTLR_EL1 at reset: QEMU's cortex-a57 reset_sctlr (MMU, caches and alignment checks off). */
export const SCTLR_EL1_RESET = 0x00c5_0838n;

export interface BoardConfig {
  ramSize: number;
  /** Flash 0 exists (a firmware image was given with --bios). */
  flash: boolean;
  conduit: 'hvc' | 'smc';
  bootargs?: string;
  initrd?: { start: number; end: number };
  /** vCPUs (default 1). */
  cpus?: number;
  /** GIC architecture version (default 3). */
  gic?: 2 | 3;
}

export function ramRegion(cfg: BoardConfig): Region { return { name: 'RAM', base: RAM_BASE, size: cfg.ramSize }; }

/** Regions images may be loaded into. */
export function memoryRegions(cfg: BoardConfig): Region[] {
  const r: Region[] = [];
  if (cfg.flash) r.push({ name: 'flash', base: FLASH_BASE, size: FLASH_SIZE });
  r.push(ramRegion(cfg));
  return r;
}

const APB_PCLK_PHANDLE = 0x8000;
const GIC_PHANDLE = 0x8001;
const IRQ_TYPE_LEVEL_HIGH = 4;
const GIC_SPI = 0;
const GIC_PPI = 1;

/**
 * The device tree, laid out as QEMU's virt board writes it, less what a64vm does not have yet
 * (fw-cfg, virtio, PCIe, GPIO; the flash node, since the CFI command set is not modelled).
 */
export function virtDeviceTree(cfg: BoardConfig): Uint8Array {
  const ncpu = cfg.cpus ?? 1;
  const gic = cfg.gic ?? 3;
  const root = new FdtNode('');
  root.prop('interrupt-parent', cells(GIC_PHANDLE))
    .prop('#address-cells', cells(2)).prop('#size-cells', cells(2))
    .prop('compatible', str('linux,dummy-virt')).prop('model', str('linux,dummy-virt'));

  root.child('psci')
    .prop('compatible', strs('arm,psci-1.0', 'arm,psci-0.2', 'arm,psci'))
    .prop('method', str(cfg.conduit))
    // PSCI 0.1 function IDs, which QEMU also lists for old guests.
    .prop('cpu_suspend', cells(0xc4000001)).prop('cpu_off', cells(0x84000002))
    .prop('cpu_on', cells(0xc4000003)).prop('migrate', cells(0xc4000005));

  root.child(`memory@${RAM_BASE.toString(16)}`)
    .prop('device_type', str('memory'))
    .prop('reg', cells64(RAM_BASE, cfg.ramSize));

  // MPIDR_EL1 affinity of vCPU n is 0.0.0.n: reg = n.
  const cpus = root.child('cpus').prop('#address-cells', cells(1)).prop('#size-cells', cells(0));
  for (let n = 0; n < ncpu; n++) {
    cpus.child(`cpu@${n}`)
      .prop('device_type', str('cpu'))
      .prop('compatible', str('arm,cortex-a57'))
      .prop('reg', cells(n))
      .prop('enable-method', str('psci'));
  }

  // As QEMU's create_gic / fdt_add_gic_node: GICv2 "arm,cortex-a15-gic" (distributor, CPU
  // interface), GICv3 "arm,gic-v3" (distributor, one redistributor region).
  const intc = root.child(`intc@${GIC_DIST_BASE.toString(16)}`)
    .prop('phandle', cells(GIC_PHANDLE));
  if (gic === 3) {
    intc.prop('reg', cells64(GIC_DIST_BASE, GIC_DIST_SIZE, GIC_REDIST_BASE, GIC_REDIST_SIZE))
      .prop('#redistributor-regions', cells(1))
      .prop('compatible', str('arm,gic-v3'));
  } else {
    intc.prop('reg', cells64(GIC_DIST_BASE, GIC_DIST_SIZE, GIC_CPU_BASE, GIC_CPU_SIZE))
      .prop('compatible', str('arm,cortex-a15-gic'));
  }
  intc.prop('ranges', empty).prop('#size-cells', cells(2)).prop('#address-cells', cells(2))
    .prop('interrupt-controller', empty).prop('#interrupt-cells', cells(3));

  // PPI flags: level-high, and for GICv2 the mask of the CPUs the PPI goes to (binding 'arm,gic').
  const PPI_FLAGS = IRQ_TYPE_LEVEL_HIGH | (gic === 2 ? ((1 << ncpu) - 1) << 8 : 0);
  root.child('timer')
    .prop('compatible', strs('arm,armv8-timer', 'arm,armv7-timer'))
    .prop('interrupts', cells(...TIMER_PPIS.flatMap((p) => [GIC_PPI, p, PPI_FLAGS])))
    .prop('always-on', empty);

  root.child('apb-pclk')
    .prop('compatible', str('fixed-clock'))
    .prop('#clock-cells', cells(0))
    .prop('clock-frequency', cells(24_000_000))
    .prop('clock-output-names', str('clk24mhz'))
    .prop('phandle', cells(APB_PCLK_PHANDLE));

  const uartName = `pl011@${UART_BASE.toString(16)}`;
  root.child(uartName)
    .prop('compatible', strs('arm,pl011', 'arm,primecell'))
    .prop('reg', cells64(UART_BASE, DEVICE_SIZE))
    .prop('interrupts', cells(GIC_SPI, UART_SPI, IRQ_TYPE_LEVEL_HIGH))
    .prop('clocks', cells(APB_PCLK_PHANDLE, APB_PCLK_PHANDLE))
    .prop('clock-names', strs('uartclk', 'apb_pclk'));

  root.child(`pl031@${RTC_BASE.toString(16)}`)
    .prop('compatible', strs('arm,pl031', 'arm,primecell'))
    .prop('reg', cells64(RTC_BASE, DEVICE_SIZE))
    .prop('interrupts', cells(GIC_SPI, RTC_SPI, IRQ_TYPE_LEVEL_HIGH))
    .prop('clocks', cells(APB_PCLK_PHANDLE))
    .prop('clock-names', str('apb_pclk'));

  const chosen = root.child('chosen').prop('stdout-path', str(`/${uartName}`));
  if (cfg.bootargs !== undefined) chosen.prop('bootargs', str(cfg.bootargs));
  if (cfg.initrd) {
    chosen.prop('linux,initrd-start', cells64(cfg.initrd.start)).prop('linux,initrd-end', cells64(cfg.initrd.end));
  }
  return writeFdt(root);
}
