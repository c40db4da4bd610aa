// The library API of a64vm.
export { VM, EXIT_BUDGET_STATUS, LoadError, type VMOptions, type RunResult, type RunReason, type MmioCallback, type OutputSource, type OutputListener } from './vm.ts';
export { virtDeviceTree, type BoardConfig } from './machine/virt.ts';
export type { Device } from './devices/bus.ts';
export type { Exit } from './cpu/cpu.ts';
