import type { Scheduler } from '../ports.js';

/**
 * Exponential backoff with jitter, never shorter than the server's Retry-After.
 * `attempt` counts from 1 (the first retry).
 */
export function backoffMs(
  attempt: number,
  opts: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined; random: number },
): number {
  const exponential = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(exponential * (0.5 + opts.random / 2));
  return Math.max(opts.retryAfterMs ?? 0, jittered);
}

/** Thrown into a task waiting out a backoff when its tenant stops: the entry stays pending. */
export class TenantStoppedError extends Error {
  readonly code = 'SYNC.TENANT_STOPPED';
  constructor(tenantId: string) {
    super(`sync of tenant ${tenantId} stopped`);
    this.name = 'TenantStoppedError';
  }
}

/** Waits `ms` on the scheduler, or less when `interrupt` settles first (shutdown). */
export function sleep(scheduler: Scheduler, ms: number, interrupt?: Promise<void>): Promise<void> {
  let cancel: (() => void) | undefined;
  const timer = new Promise<void>((resolve) => {
    cancel = scheduler.after(ms, resolve);
  });
  if (!interrupt) return timer;
  return Promise.race([timer, interrupt]).finally(() => cancel?.());
}
