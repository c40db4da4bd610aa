// The library API of a64vm.
export { VM, EXIT_BUDGET_STATUS, EXIT_WEDGED_STATUS, LoadError, type VMOptions, type RunResult, type RunReason, type MmioCallback, type OutputSource, type OutputListener } from './vm.ts';
export { virtDeviceTree, type BoardConfig } from './machine/virt.ts';
export type { Device } from './devices/bus.ts';
export type { Exit } from './cpu/cpu.ts';
export type { GuardEvent, GuardListener, GuardState, GuardProfileName, GuardViolationMode } from './vm.ts';
export { formatGuardEvent } from './hyp/mmio-guard.ts';
