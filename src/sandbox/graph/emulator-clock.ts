import type { Clock } from '../../application/ports.js';
import { SandboxClock } from '../sandbox-clock.js';

/**
 * The emulators' time. Tests drive it by hand (`advance`) so subscription expiry, presence
 * decay and throttle windows are reproducible without real sleeps; the sandbox uses real time.
 */
export type EmulatorClock = Clock;

/** The sandbox clock, standing still until advanced (one clock implementation for both emulators). */
export class ManualClock extends SandboxClock {
  constructor(start = Date.UTC(2026, 10, 25, 9, 0, 0)) {
    super(start);
  }
}

export const systemClock: EmulatorClock = { now: () => Date.now() };
