/**
 * The emulators' time. Tests drive it by hand (`advance`) so subscription expiry, presence
 * decay and throttle windows are reproducible without real sleeps; the sandbox uses real time.
 */
export interface EmulatorClock {
  now(): number;
}

export class ManualClock implements EmulatorClock {
  #now: number;
  constructor(start = Date.UTC(2026, 10, 25, 9, 0, 0)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export const systemClock: EmulatorClock = { now: () => Date.now() };
