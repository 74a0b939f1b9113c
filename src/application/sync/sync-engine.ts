import type { AcdStateEvent } from '../../domain/agent-state.js';
import { samePresence } from '../../domain/presence.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { TickEvent } from '../../domain/effects.js';
import type { Cancel, HeldSession, PresenceNotification, SyncIngress, SyncReevaluation } from '../ports.js';
import { DEFAULT_SYNC_ENGINE_OPTIONS, type SyncEngineDeps, type SyncEngineOptions } from './engine-options.js';
import { EntryProcessor } from './entry-processor.js';
import { InboxPump } from './inbox-pump.js';
import { PresenceDelivery } from './presence-delivery.js';
import { Reconciler, type ReconcileReport } from './reconciler.js';
import { SubscriptionWatch } from './subscription-watch.js';
import { SyncIngest } from './sync-ingest.js';
import { TenantRuntime, type TenantPorts } from './tenant-runtime.js';
import { reevaluationEvents } from './reevaluation-events.js';

/** How long after a configuration change the subscriptions are ensured (changes within it share the run). */
const RECONCILE_AFTER_CHANGE_MS = 2_000;
/**
 * The first retry of a presence subscription Graph refused, doubled per failure up to the
 * reconciliation period: an instance that starts before the balancer sends it traffic sees Graph's
 * validation request fail (400 ValidationError), and Teams → CXone must not wait 5 minutes for that.
 */
const SUBSCRIPTION_RETRY_FIRST_MS = 5_000;
/** Re-evaluation entries appended per store call (see reevaluate). */
const REEVALUATION_SLICE = 1_000;

/** A failed inbox write keeps the store down this long unless a later write succeeds (a read does not clear it). */
const WRITE_FAILURE_MEMORY_MS = 10_000;

/**
 * The sync engine: ingress into the durable inbox, per-agent ordered processing across tenants,
 * debounce rechecks, re-evaluation on rule/mapping changes and periodic reconciliation.
 */
export class SyncEngine implements SyncIngress, SyncReevaluation {
  readonly ingest: SyncIngest;
  private readonly options: SyncEngineOptions;
  private readonly tenants = new Map<string, TenantRuntime>();
  private readonly pump: InboxPump;
  private readonly delivery: PresenceDelivery;
  private readonly reconciler: Reconciler;
  private readonly watch: SubscriptionWatch;
  private readonly rechecks = new Map<string, Cancel>();
  /** Tenants with a reconciliation armed after a configuration change (one at a time). */
  private readonly reconcileArmed = new Set<string>();
  /** Tenants reported throttled by Graph, to report the end of it once. */
  private readonly throttled = new Set<string>();

  constructor(
    private readonly deps: SyncEngineDeps,
    options: Partial<SyncEngineOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_SYNC_ENGINE_OPTIONS, ...options });
    this.ingest = new SyncIngest({
      inbox: deps.store.inbox,
      userLinks: deps.store.userLinks,
      clock: deps.clock,
      trace: deps.trace,
      metrics: deps.metrics,
      health: (t) => deps.health.reporter(t),
      wake: (t) => this.wake(t),
    });
    this.delivery = new PresenceDelivery(deps, this.options, (tenant, agentId, after, before) =>
      this.unpublish(tenant, agentId, after, before),
    );
    const processor = new EntryProcessor(
      deps,
      this.options,
      (tenant, agentId, at) => this.scheduleRecheck(tenant, agentId, at),
      this.delivery,
    );
    this.pump = new InboxPump(deps, this.options, processor, (t) => this.tenants.get(t));
    this.reconciler = new Reconciler(deps, this.ingest, this.delivery);
    this.watch = new SubscriptionWatch({ ...deps, userLinks: deps.store.userLinks }, (t) => this.reconcileSafely(t));
  }

  acceptAcdEvents(events: readonly AcdStateEvent[]): Promise<number> {
    return this.ingest.acceptAcdEvents(events);
  }

  /** Resolve, then acknowledge the webhook: the notifications are durable. */
  acceptPresenceNotifications(notifications: readonly PresenceNotification[]): Promise<number> {
    return this.ingest.acceptPresenceNotifications(notifications);
  }

  /**
   * Starts syncing a tenant: pending inbox entries first (a restart loses nothing), debounce
   * rechecks restored, reconciliation now and every period, the ACD feed if `startFeed`.
   */
  async addTenant(ports: TenantPorts, opts: { readonly startFeed?: boolean } = {}): Promise<void> {
    if (this.tenants.has(ports.tenantId)) throw new Error(`tenant ${ports.tenantId} is already running`);
    const tenant = new TenantRuntime(ports, this.deps.health.reporter(ports.tenantId));
    this.tenants.set(ports.tenantId, tenant);
    const record = await this.deps.store.tenants.get(ports.tenantId);
    this.deps.health.setSyncActive(
      ports.tenantId,
      record?.syncEnabled ?? false,
      record?.syncEnabled ? 'sync running' : 'sync paused by the tenant admin',
    );
    await this.restoreRechecks(tenant);
    this.every(tenant, this.options.pollIntervalMs, () => this.poll(tenant));
    this.reconcileEveryPeriod(tenant);
    if (this.options.subscriptionCheckIntervalMs > 0) {
      let checkedAt: number | undefined;
      this.every(tenant, this.options.subscriptionCheckIntervalMs, async () => {
        const now = this.deps.clock.now();
        await this.watch
          .check(tenant, checkedAt)
          .catch((error: unknown) =>
            this.deps.logger.warn({ err: error, tenantId: tenant.tenantId }, 'subscription check failed'),
          );
        checkedAt = now;
      });
    }
    this.every(
      tenant,
      this.options.configSignalPollMs,
      () =>
        this.followConfigSignal(tenant).catch((error: unknown) =>
          this.deps.logger.warn({ err: error, tenantId: tenant.tenantId }, 'configuration signal not read'),
        ),
      true,
    );
    if (opts.startFeed) await ports.acdFeed.start((events) => this.acceptAcdEvents(events).then(() => undefined));
    await this.pump.pump(tenant);
  }

  /**
   * Stops pulling and timers, lets running work finish; pending entries stay in the inbox. Presence
   * writes already decided are not waited for: the gateway may still send them, and whoever runs
   * the tenant next writes again what its reconciliation finds missing in Teams.
   */
  async removeTenant(tenantId: string): Promise<void> {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return;
    tenant.stop();
    this.tenants.delete(tenantId);
    // Pending debounces are in the agents' states; whoever runs the tenant next re-arms them.
    for (const [key, cancel] of this.rechecks) {
      if (key.startsWith(`${tenantId}\u0000`)) {
        cancel();
        this.rechecks.delete(key);
      }
    }
    this.deps.health.setSyncActive(tenantId, false, 'sync stopped');
    await tenant.ports.acdFeed.stop();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.tenants.keys()].map((t) => this.removeTenant(t)));
    await this.pump.queue.whenIdle();
    await this.deps.trace.flush();
  }

  /**
   * A rule or user mapping changed: every affected agent (default: all known) gets its current
   * ACD state and Teams presence fed in again as fresh observations (new event ids, same source
   * times), so decide re-applies the new configuration within seconds. A debounce tick would not
   * do: decide treats a tick with nothing pending as a no-op. Returns how many were enqueued.
   * What is queued, in which order, and what is left out: reevaluationEvents. Nothing is traced
   * here: each entry's one Log Reader line says the re-evaluation and what it decided.
   */
  async reevaluate(tenantId: string, agentIds?: readonly string[], reason = 'configuration changed'): Promise<number> {
    // The instance running the tenant may be another one: it follows the signal (followConfigSignal).
    const raised = await this.deps.store.tenantSignals
      .raise(tenantId, 'config', this.deps.clock.now())
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, tenantId }, 'configuration change not signalled to the other instances');
        return undefined;
      });
    const tenant = this.tenants.get(tenantId);
    if (tenant && raised !== undefined) tenant.configSignal = Math.max(tenant.configSignal ?? 0, raised);
    if (tenant) await this.configChanged(tenant);
    const wanted = agentIds ? new Set(agentIds) : undefined;
    const states = (await this.deps.store.agentStates.list(tenantId)).filter((s) => !wanted || wanted.has(s.agentId));
    const rules = await this.deps.store.rules.list(tenantId);
    const change = this.deps.ids.next();
    tenant?.noteReevaluation(change, reason);
    const now = this.deps.clock.now();
    const rows = reevaluationEvents(tenantId, states, change, rules, this.deps.policy).map((event) => ({
      tenantId,
      agentId: event.agentId,
      event,
      receivedAt: now,
    }));
    this.deps.metrics.eventsIn('reevaluate', rows.length);
    // Appended in slices, each waking the pump: the first agents are processed while the rest are
    // still being written (one append of 20k rows held every entry back ~0.3 s). Not atomic, and
    // need not be: a failure leaves the agents queued so far to be re-evaluated, as a crash would.
    let added = 0;
    for (let i = 0; i < rows.length; i += REEVALUATION_SLICE)
      added += await this.ingest.append(rows.slice(i, i + REEVALUATION_SLICE));
    return added;
  }

  /** What was read of the tenant's configuration is stale: re-read it, say whether it syncs, re-plan the subscriptions soon. */
  private async configChanged(tenant: TenantRuntime): Promise<void> {
    tenant.invalidateConfig();
    this.reconcileSoon(tenant);
    const record = await this.deps.store.tenants.get(tenant.tenantId);
    this.deps.health.setSyncActive(
      tenant.tenantId,
      record?.syncEnabled ?? false,
      record?.syncEnabled ? 'sync running' : 'sync paused by the tenant admin',
    );
  }

  /**
   * Rules, links or the sync switch saved through another instance: that instance queued the
   * re-evaluation into the shared inbox and raised the tenant's `config` signal; here, where the
   * tenant runs, the signal makes the configuration re-read and the subscriptions re-planned
   * within seconds instead of at the next reconciliation period. The first read only notes where
   * the signal stands (the tenant's start reconciles anyway).
   */
  private async followConfigSignal(tenant: TenantRuntime): Promise<void> {
    const seen = tenant.configSignal;
    const now = (await this.deps.store.tenantSignals.versions('config', [tenant.tenantId])).get(tenant.tenantId) ?? 0;
    if (tenant.stopped || now <= (tenant.configSignal ?? -1)) return;
    tenant.configSignal = now;
    if (seen === undefined) return;
    this.deps.logger.info(
      { tenantId: tenant.tenantId, signal: now },
      'configuration changed through another instance: re-reading it and re-planning subscriptions',
    );
    await this.configChanged(tenant);
  }

  /** Runs reconciliation for a tenant now (also runs on start and every period). */
  reconcile(tenantId: string): Promise<ReconcileReport> {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return Promise.reject(new Error(`tenant ${tenantId} is not running`));
    return this.reconciler.run(tenant);
  }

  /** Nothing queued or running, and every decided presence write answered (tests and graceful shutdown). */
  async whenIdle(): Promise<void> {
    // A write that finally fails queues its agent's unpublish: wait until neither side has work.
    while (!this.pump.queue.isIdle() || this.delivery.size > 0) {
      await this.pump.queue.whenIdle();
      await this.delivery.whenSettled();
    }
  }

  isRunning(tenantId: string): boolean {
    return this.tenants.has(tenantId);
  }

  /** Inbox entries of a tenant held in memory (queued or running); bounded by maxQueuedPerTenant. */
  queued(tenantId: string): number {
    return this.pump.queue.size(tenantId);
  }

  isIdle(): boolean {
    return this.pump.queue.isIdle() && this.delivery.size === 0 && [...this.tenants.values()].every((t) => !t.pulling);
  }

  private wake(tenantId: string): void {
    const tenant = this.tenants.get(tenantId);
    if (tenant) void this.pump.pump(tenant);
  }

  private async poll(tenant: TenantRuntime): Promise<void> {
    await this.pump.pump(tenant);
    await this.keepSessionsAlive(tenant);
    this.reportThrottling(tenant);
    try {
      const depth = await this.deps.store.inbox.depth(tenant.tenantId);
      this.deps.metrics.inboxDepth(tenant.tenantId, depth);
      // A read can succeed while writes fail (SQLite locked by another process, a read-only replica).
      const failing = this.ingest.writeFailure(tenant.tenantId, this.deps.clock.now() - WRITE_FAILURE_MEMORY_MS);
      if (failing) tenant.health.report('store', 'down', failing);
      else tenant.health.success('store', `reachable; ${depth} events waiting in the inbox`);
    } catch (error) {
      // Unreachable, not slow: nothing new can be stored or processed until it answers again.
      tenant.health.report('store', 'down', `unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Graph presence sessions expire after their expirationDuration: without a refresh an agent on a
   * long call would fall back to Available in Teams mid-call. Each refresh is traced for the Log Reader.
   */
  private async keepSessionsAlive(tenant: TenantRuntime): Promise<void> {
    const refreshed = tenant.ports.presence.refreshDue?.() ?? [];
    for (const userId of refreshed) {
      const link = await this.deps.store.userLinks.byTeamsUser(tenant.tenantId, userId).catch(() => undefined);
      if (!link) continue;
      this.deps.trace.record({
        tenantId: tenant.tenantId,
        agentId: link.agentId,
        teamsUserId: userId,
        traceId: this.deps.ids.next(),
        hop: 'graph.request',
        summary: 'Graph: session presence refreshed before its expirationDuration ends (the state still holds)',
        data: { userId, refresh: true },
      });
    }
  }

  /** A 429 storm is absorbed by the writer (it waits out Retry-After), but an admin should see that Teams lags. */
  private reportThrottling(tenant: TenantRuntime): void {
    const until = tenant.ports.presence.throttledUntil?.();
    const now = this.deps.clock.now();
    if (until !== undefined && until > now) {
      this.throttled.add(tenant.tenantId);
      tenant.health.report(
        'graph.presence',
        'degraded',
        `Graph is throttling presence requests (429); writes wait for Retry-After until ${new Date(until).toISOString()}`,
      );
    } else if (this.throttled.delete(tenant.tenantId)) {
      tenant.health.success('graph.presence', 'Graph no longer throttles presence requests');
    }
  }

  /**
   * Links, rules or the sync switch changed: the presence subscriptions must cover the linked users
   * now, not at the next period (5 min by default) — an admin who just finished the Setup page would
   * see Teams → CXone do nothing. Changes in quick succession (a CSV import, auto-match) share one run.
   */
  private reconcileSoon(tenant: TenantRuntime): void {
    if (this.reconcileArmed.has(tenant.tenantId)) return;
    this.reconcileArmed.add(tenant.tenantId);
    const disarm = (): void => {
      cancelTimer();
      this.reconcileArmed.delete(tenant.tenantId);
    };
    const cancelTimer = this.deps.scheduler.after(RECONCILE_AFTER_CHANGE_MS, () => {
      tenant.timers.delete(disarm);
      this.reconcileArmed.delete(tenant.tenantId);
      if (!tenant.stopped) void this.reconcileSafely(tenant);
    });
    tenant.timers.add(disarm);
  }

  /** One reconciliation at a time per tenant: a drop noticed during a run waits for it, then runs again. */
  private async reconcileSafely(tenant: TenantRuntime): Promise<void> {
    await this.exclusively(tenant, () => this.runReconciliation(tenant));
  }

  private async exclusively(tenant: TenantRuntime, task: () => Promise<void>): Promise<void> {
    while (tenant.reconciling) await tenant.reconciling;
    const run = task();
    tenant.reconciling = run;
    try {
      await run;
    } finally {
      if (tenant.reconciling === run) tenant.reconciling = undefined;
      this.retrySubscriptionsIfFailing(tenant);
    }
  }

  /** Failing subscriptions are planned again after 5 s, 10 s, 20 s… up to the reconciliation period. */
  private retrySubscriptionsIfFailing(tenant: TenantRuntime): void {
    if (!tenant.subscriptionsFailing) {
      tenant.subscriptionRetryMs = undefined;
      return;
    }
    if (tenant.subscriptionRetryArmed || tenant.stopped) return;
    const wait = Math.min(
      tenant.subscriptionRetryMs === undefined ? SUBSCRIPTION_RETRY_FIRST_MS : tenant.subscriptionRetryMs * 2,
      this.options.reconcileIntervalMs,
    );
    tenant.subscriptionRetryMs = wait;
    tenant.subscriptionRetryArmed = true;
    const cancel = this.deps.scheduler.after(wait, () => {
      tenant.timers.delete(cancel);
      tenant.subscriptionRetryArmed = false;
      if (tenant.stopped) return;
      this.deps.logger.info(
        { tenantId: tenant.tenantId, afterMs: wait },
        'presence subscriptions failed at the last plan: planning them again',
      );
      void this.exclusively(tenant, () =>
        this.reconciler
          .replanSubscriptions(tenant)
          .catch((error: unknown) =>
            this.deps.logger.warn(
              { err: error, tenantId: tenant.tenantId },
              'presence subscriptions not planned again',
            ),
          ),
      );
    });
    tenant.timers.add(cancel);
  }

  private async runReconciliation(tenant: TenantRuntime): Promise<void> {
    try {
      await this.reconciler.run(tenant);
    } catch (error) {
      tenant.health.report(
        'reconciliation',
        'down',
        `reconciliation failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.deps.logger.error({ err: error, tenantId: tenant.tenantId }, 'reconciliation failed');
    }
  }

  /**
   * Reconciles now and then every period. With a per-tenant period the engine looks every
   * `configCacheMs` whether a period has passed since the last run, so a shorter period saved
   * meanwhile (on any instance) applies at once instead of after the longer wait already armed.
   */
  private reconcileEveryPeriod(tenant: TenantRuntime): void {
    const periodOf = this.deps.reconcilePeriod;
    if (!periodOf)
      return this.every(tenant, this.options.reconcileIntervalMs, () => this.reconcileSafely(tenant), true);
    let period = this.options.reconcileIntervalMs;
    let lastRun = Number.NEGATIVE_INFINITY;
    const look = Math.min(this.options.configCacheMs, this.options.reconcileIntervalMs);
    this.every(
      tenant,
      look,
      async () => {
        try {
          period = (await periodOf(tenant.tenantId)) ?? this.options.reconcileIntervalMs;
        } catch (error) {
          // The store is down: the last period read stands (the store's own health says it is down).
          this.deps.logger.warn({ err: error, tenantId: tenant.tenantId }, 'reconciliation period not read');
        }
        if (this.deps.clock.now() - lastRun < period) return;
        lastRun = this.deps.clock.now();
        await this.reconcileSafely(tenant);
      },
      true,
    );
  }

  /** Runs `task` every `periodMs` (the next run is armed after this one ends: no pile-up). */
  private every(tenant: TenantRuntime, periodMs: number, task: () => Promise<void>, runNow = false): void {
    const arm = (delay: number): void => {
      const cancel = this.deps.scheduler.after(delay, () => {
        tenant.timers.delete(cancel);
        void task().finally(() => {
          if (!tenant.stopped) arm(periodMs);
        });
      });
      tenant.timers.add(cancel);
    };
    arm(runNow ? 0 : periodMs);
  }

  /**
   * A decided write finally failed: the agent's state goes back to the publication before it, in
   * the agent's order (after the entries already queued for it), unless a later entry recorded
   * another since — as the entry itself did when it waited for the answer (keepFailed).
   */
  private unpublish(
    tenant: TenantRuntime,
    agentId: string,
    after: NonNullable<AgentSyncState['published']>,
    before: AgentSyncState['published'],
  ): void {
    this.pump.queue.push(tenant.tenantId, agentId, async () => {
      if (tenant.stopped) return;
      const state = await this.deps.store.agentStates.get(tenant.tenantId, agentId);
      if (!state || !samePublication(state.published, after)) return;
      const { published: _failed, ...rest } = state;
      await this.deps.store.agentStates.put(tenant.tenantId, before ? { ...rest, published: before } : rest);
    });
  }

  private scheduleRecheck(tenant: TenantRuntime, agentId: string, at: number): void {
    const key = `${tenant.tenantId}\u0000${agentId}`;
    this.rechecks.get(key)?.();
    const cancel = this.deps.scheduler.after(Math.max(0, at - this.deps.clock.now()), () => {
      this.rechecks.delete(key);
      const event: TickEvent = {
        source: 'tick',
        tenantId: tenant.tenantId,
        agentId,
        sourceTime: at,
        eventId: `tick:${agentId}:${at}`,
      };
      this.ingest
        .append([{ tenantId: tenant.tenantId, agentId, event, receivedAt: this.deps.clock.now() }])
        .catch((error: unknown) => this.deps.logger.error({ err: error, agentId }, 'recheck tick not stored'));
    });
    this.rechecks.set(key, cancel);
  }

  /** Debounce rechecks, and the sessions we published (to keep them alive), from the stored states. */
  private async restoreRechecks(tenant: TenantRuntime): Promise<void> {
    const held: HeldSession[] = [];
    for (const state of await this.deps.store.agentStates.list(tenant.tenantId)) {
      if (state.pending) this.scheduleRecheck(tenant, state.agentId, state.pending.dueAt);
      const p = state.published;
      if (p?.presence && !p.preferred && state.teamsUserId !== undefined)
        held.push({ userId: state.teamsUserId, presence: p.presence, at: p.at });
    }
    if (held.length > 0) tenant.ports.presence.adoptHeld?.(held);
  }
}

/** The same publication (the one a failed write recorded), as stored. */
function samePublication(stored: AgentSyncState['published'], ours: NonNullable<AgentSyncState['published']>): boolean {
  if (!stored || stored.at !== ours.at || stored.preferred !== ours.preferred || stored.ruleId !== ours.ruleId)
    return false;
  return stored.presence === null || ours.presence === null
    ? stored.presence === ours.presence
    : samePresence(stored.presence, ours.presence);
}
