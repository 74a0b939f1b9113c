import type { Scheduler } from '../ports.js';

/**
 * Exponential backoff with jitter, never shorter than the server's Retry-After.
 * `attempt` counts from 1 (the first retry).
 */
export function backoffMs(attempt: number, opts: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined; random: number }): number {
  const exponential = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(exponential * (0.5 + opts.random / 2));
  return Math.max(opts.retryAfterMs ?? 0, jittered);
}

export const sleep = (scheduler: Scheduler, ms: number): Promise<void> =>
  new Promise((resolve) => {
    scheduler.after(ms, resolve);
  });
