import type { Clock, IdGenerator, Logger, Metrics, Scheduler, Store, SyncPolicy } from '../ports.js';
import type { HealthModel } from '../health/health-model.js';
import type { TraceRecorder } from '../trace/trace-recorder.js';

/** Engine tuning; every field has a production default. */
export interface SyncEngineOptions {
  /** Agents processed at the same time (all tenants together). */
  readonly concurrency: number;
  /** Entries taken from the inbox and held in memory per tenant; when full, pulling stops. */
  readonly maxQueuedPerTenant: number;
  /** How often the inbox is polled for entries another instance accepted. */
  readonly pollIntervalMs: number;
  /** How often both sides are reconciled (also once at start). */
  readonly reconcileIntervalMs: number;
  /** Attempts of one effect (transient failures) or one entry (store errors) before giving up. */
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Rules and the tenant's pause flag are re-read at least this often (and on `reevaluate`). */
  readonly configCacheMs: number;
}

export const DEFAULT_SYNC_ENGINE_OPTIONS: SyncEngineOptions = Object.freeze({
  concurrency: 32,
  maxQueuedPerTenant: 500,
  pollIntervalMs: 1_000,
  reconcileIntervalMs: 5 * 60_000,
  maxAttempts: 8,
  backoffBaseMs: 500,
  backoffMaxMs: 60_000,
  configCacheMs: 5_000,
});

/** What the engine is built from. */
export interface SyncEngineDeps {
  readonly store: Pick<Store, 'tenants' | 'rules' | 'userLinks' | 'agentStates' | 'inbox'>;
  readonly policy: SyncPolicy;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly trace: TraceRecorder;
  readonly health: HealthModel;
  /** Backoff jitter in [0, 1); defaults to none (0.5) for reproducibility. */
  readonly random?: () => number;
}
