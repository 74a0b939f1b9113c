import type { Effect } from '../../domain/effects.js';
import type {
  Clock,
  IdGenerator,
  Logger,
  Metrics,
  Scheduler,
  SealedPresenceOpener,
  Store,
  SyncPolicy,
} from '../ports.js';
import type { HealthModel } from '../health/health-model.js';
import type { TraceRecorder } from '../trace/trace-recorder.js';

/** Engine tuning; every field has a production default. */
export interface SyncEngineOptions {
  /** Agents processed at the same time (all tenants together). */
  readonly concurrency: number;
  /** Entries taken from the inbox and held in memory per tenant; when full, pulling stops. */
  readonly maxQueuedPerTenant: number;
  /**
   * The engine's tick, per tenant: the inbox pump, presence keep-alive refreshes, the throttle
   * report and the store's health (ENGINE_TICK_MS). Not the CXone poll (POLL_INTERVAL_MS, the feed's).
   */
  readonly pollIntervalMs: number;
  /**
   * How often the inbox is read from its start rather than only past the last entry read
   * (INBOX_FULL_REREAD_MS): entries due for a retry, and entries another instance committed out of
   * sequence order, are only seen by a full read. Defaults to the tick.
   */
  readonly fullRereadMs?: number;
  /** How often both sides are reconciled (also once at start), unless the tenant saved its own period. */
  readonly reconcileIntervalMs: number;
  /**
   * How often Graph is asked whether our presence subscriptions still exist (one GET per
   * subscription owner): a subscription Graph removed without notice is recreated within this,
   * not at the next reconciliation. 0 turns the check off.
   */
  readonly subscriptionCheckIntervalMs: number;
  /**
   * Attempts of one inbox entry whose processing fails on the store, and of one effect whose call
   * failed transiently — unless the adapter retries that call itself (see `effectAttempts`).
   */
  readonly maxAttempts: number;
  /**
   * Attempts per effect kind, where the adapter behind it already retries (composition sets the
   * Graph presence writes to 1: GraphPresenceWriter owns their retries, so a failure it reports is
   * final and not multiplied by the engine's). Kinds not named use `maxAttempts`.
   */
  readonly effectAttempts?: Readonly<Partial<Record<Effect['kind'], number>>>;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Rules and the tenant's pause flag are re-read at least this often (and on `reevaluate`). */
  readonly configCacheMs: number;
  /**
   * How often the instance running a tenant reads the tenant's `config` signal (one row by key):
   * rules, links or the sync switch saved through another instance re-plan the Graph subscriptions
   * within this plus the 2 s a change waits for the ones after it.
   */
  readonly configSignalPollMs: number;
}

export const DEFAULT_SYNC_ENGINE_OPTIONS: SyncEngineOptions = Object.freeze({
  concurrency: 32,
  maxQueuedPerTenant: 500,
  pollIntervalMs: 1_000,
  reconcileIntervalMs: 5 * 60_000,
  subscriptionCheckIntervalMs: 30_000,
  maxAttempts: 8,
  backoffBaseMs: 500,
  backoffMaxMs: 60_000,
  configCacheMs: 5_000,
  configSignalPollMs: 1_000,
});

/** What the engine is built from. */
export interface SyncEngineDeps {
  readonly store: Pick<Store, 'tenants' | 'rules' | 'userLinks' | 'agentStates' | 'inbox' | 'tenantSignals'>;
  readonly policy: SyncPolicy;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly trace: TraceRecorder;
  readonly health: HealthModel;
  /**
   * The tenant's own reconciliation period, ms (its saved Settings; undefined: `reconcileIntervalMs`).
   * Read from the shared store at least every `configCacheMs`, so a period saved through any
   * instance applies on the one that runs the tenant within that period.
   */
  readonly reconcilePeriod?: (tenantId: string) => Promise<number | undefined>;
  /**
   * Opens the resource data of rich notifications, stored still encrypted so the webhook could
   * acknowledge at once. Without it a sealed entry cannot be opened and is dropped (logged, counted).
   */
  readonly sealed?: SealedPresenceOpener;
  /** Backoff jitter in [0, 1); defaults to none (0.5) for reproducibility. */
  readonly random?: () => number;
}
