import type { Clock } from '../application/ports.js';

/**
 * The emulator's time. Tests drive it by hand (`advance`), a person or the sandbox workload lets it
 * follow real time; either way CXone timestamps, token expiry and ACW timeouts all read this one
 * clock (reference §9.6 "clock control").
 */
export class SandboxClock implements Clock {
  private offsetMs = 0;
  private readonly realBase: number;

  constructor(
    private readonly startMs: number,
    private readonly followRealTime = false,
    private readonly realNow: () => number = Date.now,
  ) {
    this.realBase = realNow();
  }

  now(): number {
    const drift = this.followRealTime ? this.realNow() - this.realBase : 0;
    return this.startMs + drift + this.offsetMs;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError('time only moves forward');
    this.offsetMs += ms;
  }

  /** Jump to an absolute time (never backwards: CXone timestamps must stay monotonic). */
  set(epochMs: number): void {
    this.advance(Math.max(0, epochMs - this.now()));
  }
}
