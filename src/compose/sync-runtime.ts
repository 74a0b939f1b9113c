import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { NotificationEncryption } from '../adapters/graph/graph-notification-keys.js';
import { GraphSealedPresence } from '../adapters/graph/graph-sealed-presence.js';
import { PromMetrics } from '../adapters/http/prom-metrics.js';
import { instanceIsGone, newInstanceId } from '../adapters/shared/instance-identity.js';
import { announcedStatuses } from '../adapters/bot/bot-alert-state.js';
import { HealthModel } from '../application/health/health-model.js';
import { SharedHealth, type TenantOwnershipView } from '../application/health/shared-health.js';
import type { Clock, IdGenerator, Logger, Scheduler, Store } from '../application/ports.js';
import { SyncEngine } from '../application/sync/sync-engine.js';
import type { SyncEngineOptions } from '../application/sync/engine-options.js';
import { announceTakeover } from '../application/sync/takeover-trace.js';
import { LifecycleRelay } from '../application/sync/lifecycle-relay.js';
import { leaseName, TenantOwnership } from '../application/sync/tenant-ownership.js';
import { TraceRecorder } from '../application/trace/trace-recorder.js';
import { SharedTraceTail } from '../application/trace/shared-trace-tail.js';
import { TraceRetention } from '../application/trace/trace-retention.js';
import type { Config } from '../config.js';
import { readStoredSettings } from '../adapters/http/api/tenant-settings.js';
import { DOMAIN_POLICY } from './tab-api-services.js';
import { buildTenantAdapters, type Endpoints, type TenantAdapters } from './tenant-ports.js';

export const timerScheduler: Scheduler = {
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};
/**
 * Random UUIDs, as flat strings. Node builds randomUUID()'s text from 16 concatenated pieces and
 * V8 keeps it that way, a rope of about 490 bytes instead of about 70 (Node 20 and 24 alike). Each
 * Log Reader line holds one until it is written: 20,000 at a 10k-agent start-up, where the
 * process's peak RSS is set.
 */
export const uuidIds: IdGenerator = { next: () => Buffer.from(randomUUID(), 'latin1').toString('latin1') };

/** Waits (bounded) until none of the tenant's inbox entries is queued or running in the engine. */
async function tenantDrained(engine: SyncEngine, tenantId: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (engine.queued(tenantId) > 0 && Date.now() < until) await delay(20);
}

/** Each tenant's Log Reader retention saved on the Settings page (ms); tenants that saved none keep the deployment's. */
async function savedRetentions(store: Store): Promise<ReadonlyMap<string, number>> {
  const out = new Map<string, number>();
  for (const tenant of await store.tenants.list()) {
    const saved = await readStoredSettings(store.tenants, tenant.id);
    if (saved) out.set(tenant.id, saved.traceRetentionDays * 86_400_000);
  }
  return out;
}

/** The application side of one process: engine, trace, health, metrics and tenant ownership. */
export interface SyncRuntime {
  readonly engine: SyncEngine;
  readonly trace: TraceRecorder;
  readonly health: HealthModel;
  /** Graph lifecycle events received by any instance, acted on by the tenant's owner. */
  readonly lifecycle: LifecycleRelay;
  /** The Log Reader's live tail on any instance: this instance's lines at once, the others' from the store. */
  readonly traceTail: SharedTraceTail;
  /** The Health Check every instance answers alike (the holder's model, shared through the store). */
  readonly sharedHealth: SharedHealth;
  readonly metrics: PromMetrics;
  /** Adapters of the tenants this instance runs now. */
  readonly adapters: ReadonlyMap<string, TenantAdapters>;
  /** This process among the instances (host:pid:random), the tenant lease holder id. */
  readonly instanceId: string;
  /** Which instance runs a tenant's sync now (the live lease holder), and since when if it is this one. */
  ownership(tenantId: string): Promise<TenantOwnershipView>;
  /** Claims tenants (lease) and starts their sync; `publicBaseUrl` is known once the server listens. */
  start(publicBaseUrl: string): Promise<void>;
  stop(): Promise<void>;
}

export type { TenantOwnershipView } from '../application/health/shared-health.js';

export interface SyncRuntimeDeps {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Rich notifications: the certificate subscriptions are created with (none: basic notifications). */
  readonly encryption?: NotificationEncryption;
  readonly engineOptions?: Partial<SyncEngineOptions>;
}

/** Builds the engine with its trace, health and metrics, and the per-tenant adapters on demand. */
export function createSyncRuntime(deps: SyncRuntimeDeps): SyncRuntime {
  const { store, clock, logger, config } = deps;
  const scheduler = timerScheduler;
  const metrics = new PromMetrics({ processMetrics: true });
  const trace = new TraceRecorder({
    store: store.traces,
    clock,
    ids: uuidIds,
    scheduler,
    logger: logger.child({ component: 'trace' }),
  });
  const health = new HealthModel({ clock, scheduler }, { alertDebounceMs: config.alerts.healthDebounceMs });
  const engine = new SyncEngine(
    {
      store,
      policy: DOMAIN_POLICY,
      clock,
      scheduler,
      ids: uuidIds,
      logger: logger.child({ component: 'sync' }),
      metrics,
      trace,
      health,
      // Rich notifications are stored still encrypted (the webhook acknowledges first); the pump opens them.
      sealed: new GraphSealedPresence(deps.encryption?.keys ?? []),
      // The Settings page's period, saved through any instance: read from the store by the one running the tenant.
      reconcilePeriod: async (t) => {
        const saved = await readStoredSettings(store.tenants, t);
        return saved ? saved.reconciliationPeriodSec * 1000 : undefined;
      },
    },
    {
      pollIntervalMs: config.sync.engineTickMs,
      fullRereadMs: config.sync.inboxFullRereadMs,
      reconcileIntervalMs: config.sync.reconcileIntervalMs,
      subscriptionCheckIntervalMs: config.sync.subscriptionCheckMs,
      // The engine owns the retries of Graph presence writes (the writer answers a 5xx at once and only
      // waits out 429s): each attempt is a Log Reader line and moves graph.presence to degraded, and
      // its backoff outlasts an outage of tens of seconds (the writer's own 5 × 0.5 s doubling gave
      // up after 7.5 s, and the change then waited for reconciliation).
      effectAttempts: { setTeamsPresence: config.graph.writeAttempts, clearTeamsPresence: config.graph.writeAttempts },
      configSignalPollMs: config.sharedState.configSignalPollMs,
      ...deps.engineOptions,
    },
  );
  const retention = new TraceRetention(
    { store: store.traces, clock, scheduler, logger, tenantMaxAges: () => savedRetentions(store) },
    { maxAgeMs: config.trace.retentionMs, maxPerTenant: config.trace.maxPerTenant },
  );
  const adapters = new Map<string, TenantAdapters>();
  // Only the tenants this instance runs have a writer: the others' gauges are the owner's to tell.
  metrics.writesQueued(function* () {
    for (const [tenantId, a] of adapters) yield [tenantId, a.graph.writer.stats.queued] as const;
  });
  let baseUrl = config.http.publicBaseUrl;
  const ownedEngine = {
    isRunning: (t: string) => engine.isRunning(t),
    addTenant: engine.addTenant.bind(engine),
    removeTenant: async (t: string) => {
      await engine.removeTenant(t);
      // Effects already running use the tenant's adapters: closing them now would abort a write in
      // flight (it is redone by the next owner, but a graceful stop should not cut it).
      await tenantDrained(engine, t, config.shutdownTimeoutMs);
      await adapters.get(t)?.close();
      adapters.delete(t);
    },
  };
  const instanceId = newInstanceId();
  const takenUp = new Map<string, number>();
  const ownership = new TenantOwnership(
    {
      leases: store.leases,
      tenants: store.tenants,
      signals: store.tenantSignals,
      engine: ownedEngine,
      scheduler,
      logger: logger.child({ component: 'ownership' }),
      instanceId,
      ...(config.lease.takeoverLocal ? { holderIsGone: instanceIsGone } : {}),
      onTakeUp: async (tenantId) => {
        takenUp.set(tenantId, clock.now());
        // What the previous owner's alerts told the admins: no repeat of a known outage, and its recovery is told.
        health.remember(tenantId, announcedStatuses((await store.alertStates.get(tenantId))?.state));
        await announceTakeover({ inbox: store.inbox, trace, clock }, tenantId, instanceId);
      },
      portsFor: async (tenant) => {
        const built = await buildTenantAdapters(
          {
            config,
            endpoints: deps.endpoints,
            store,
            clock,
            logger,
            health: (t) => health.reporter(t),
            publicBaseUrl: () => baseUrl,
            ...(deps.encryption ? { encryption: deps.encryption } : {}),
          },
          tenant,
        );
        if (built) adapters.set(tenant.id, built);
        return built?.ports;
      },
    },
    { leaseTtlMs: config.lease.ttlMs, renewEveryMs: config.lease.renewMs },
  );
  const ownershipOf = async (tenantId: string): Promise<TenantOwnershipView> => {
    const holder = await store.leases.holder(leaseName(tenantId));
    const here = holder === instanceId && engine.isRunning(tenantId);
    const since = here ? takenUp.get(tenantId) : undefined;
    return { ...(holder ? { holder } : {}), here, ...(since !== undefined ? { since } : {}) };
  };
  const sharedHealth = new SharedHealth(
    {
      model: health,
      snapshots: store.healthSnapshots,
      ownership: ownershipOf,
      held: () => ownership.held(),
      instanceId,
      clock,
      scheduler,
      logger: logger.child({ component: 'shared-health' }),
    },
    { publishEveryMs: config.sharedState.healthPublishMs, staleAfterMs: config.sharedState.healthStaleMs },
  );
  const traceTail = new SharedTraceTail(
    {
      local: trace.tail,
      traces: store.traces,
      clock,
      scheduler,
      logger: logger.child({ component: 'trace-tail' }),
    },
    { pollMs: config.sharedState.traceTailPollMs },
  );
  const lifecycle = new LifecycleRelay(
    {
      events: store.lifecycleEvents,
      handlerFor: (tenantId) => {
        const local = engine.isRunning(tenantId) ? adapters.get(tenantId) : undefined;
        return local ? (id, event) => local.subscriptions.registry.onLifecycle(id, event) : undefined;
      },
      running: () => adapters.keys(),
      clock,
      scheduler,
      logger: logger.child({ component: 'graph-lifecycle' }),
    },
    { pollMs: config.sharedState.lifecyclePollMs },
  );
  return {
    engine,
    trace,
    health,
    sharedHealth,
    traceTail,
    lifecycle,
    metrics,
    adapters,
    instanceId,
    ownership: ownershipOf,
    async start(publicBaseUrl) {
      baseUrl = publicBaseUrl;
      retention.start();
      await ownership.start();
      sharedHealth.start();
      lifecycle.start();
    },
    async stop() {
      sharedHealth.stop();
      lifecycle.stop();
      retention.stop();
      await ownership.stop();
      await engine.stop();
      for (const a of adapters.values()) await a.close();
      adapters.clear();
    },
  };
}
