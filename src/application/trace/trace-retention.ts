import type { Cancel, Clock, Logger, Scheduler, TraceStore } from '../ports.js';

/** Retention policy of the Log Reader. */
export interface TraceRetentionOptions {
  /** Events older than this are deleted. */
  readonly maxAgeMs: number;
  /** At most this many events are kept per tenant (the newest). */
  readonly maxPerTenant: number;
  /** How often retention runs. */
  readonly intervalMs: number;
}

export const DEFAULT_TRACE_RETENTION: TraceRetentionOptions = Object.freeze({
  maxAgeMs: 7 * 24 * 3600_000,
  maxPerTenant: 1_000_000,
  intervalMs: 10 * 60_000,
});

/** Enforces trace retention (age and count) periodically through TraceStore.prune. */
export class TraceRetention {
  private cancel: Cancel | undefined;
  private readonly options: TraceRetentionOptions;

  constructor(
    private readonly deps: {
      readonly store: TraceStore;
      readonly clock: Clock;
      readonly scheduler: Scheduler;
      readonly logger: Logger;
      /** Tenants' own retention, ms (their saved Settings), read every run; the others keep `maxAgeMs`. */
      readonly tenantMaxAges?: () => Promise<ReadonlyMap<string, number>>;
    },
    options: Partial<TraceRetentionOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_TRACE_RETENTION, ...options });
  }

  /** Prunes now; returns how many events were deleted. */
  async runOnce(): Promise<number> {
    try {
      const now = this.deps.clock.now();
      const own = (await this.deps.tenantMaxAges?.()) ?? new Map<string, number>();
      const deleted = await this.deps.store.prune(
        now - this.options.maxAgeMs,
        this.options.maxPerTenant,
        new Map([...own].map(([tenantId, maxAgeMs]) => [tenantId, now - maxAgeMs])),
      );
      if (deleted > 0) this.deps.logger.info({ deleted }, 'trace retention pruned events');
      return deleted;
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'trace retention failed; retried next period');
      return 0;
    }
  }

  start(): void {
    if (this.cancel) return;
    const tick = (): void => {
      this.cancel = this.deps.scheduler.after(this.options.intervalMs, () => {
        void this.runOnce().finally(() => {
          if (this.cancel) tick();
        });
      });
    };
    tick();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
