import type { Effect } from '../../domain/effects.js';
import { notShown } from '../../domain/shown-presence.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { ExternalFailure, PresenceDesire, PresenceWriteOutcome } from '../ports.js';
import type { SyncEngineDeps, SyncEngineOptions } from './engine-options.js';
import { backoffMs, sleep } from './retry.js';
import type { TenantRuntime } from './tenant-runtime.js';

type PresenceEffect = Extract<Effect, { kind: 'setTeamsPresence' | 'clearTeamsPresence' }>;

/** A decided presence write handed over for delivery; the entry that decided it is already done. */
export interface PresenceHandoff {
  readonly tenant: TenantRuntime;
  readonly agentId: string;
  readonly traceId: string;
  readonly effect: PresenceEffect;
  readonly desire: PresenceDesire;
  /** The Log Reader's request line ("Graph: session presence → …"). */
  readonly asked: string;
  /** Traced as one line once answered (a re-evaluation, a repair) instead of request + answer. */
  readonly concise: boolean;
  /** The agent as decided from: what Teams had on record tells whether our write can be shown. */
  readonly agent: AgentSyncState;
  /** When the event that caused it arrived (sync latency is counted from there). */
  readonly receivedAt: number;
  /**
   * The publication the committed state records for this write, and the one before it: a write
   * that finally fails puts the earlier one back (see PresenceDelivery), as if it had never been
   * decided. Absent for a repair, which records nothing new.
   */
  readonly published?: { readonly before: AgentSyncState['published']; readonly after: AgentSyncState['published'] };
}

/** Puts `before` back as the agent's publication if `after` is still the one stored (in the agent's order). */
export type Unpublish = (
  tenant: TenantRuntime,
  agentId: string,
  after: NonNullable<AgentSyncState['published']>,
  before: AgentSyncState['published'],
) => void;

/**
 * Carries decided presence writes to Teams without holding a worker or the agent: the entry that
 * decided a write is committed at once (its state records the write as published) and the next
 * events — the agent's own included — are decided while it waits for the budget. The gateway
 * orders and coalesces per user (a newer desire replaces an older one still queued; one write per
 * user on the wire at a time), so an older presence never lands after a newer one.
 *
 * What the entry used to do after the answer happens here when the answer comes: the Log Reader's
 * "Graph: written" line, metrics, health, the sync latency. Transient failures are retried with
 * backoff (Retry-After honoured) unless a newer decision for the user was handed over meanwhile.
 * A write that finally fails restores the agent's earlier publication (as a failed write always
 * did: a write that did not happen must not pass for done), so the next event writes again.
 *
 * Crash safety: a decided write still queued when the process ends is not in the inbox any more.
 * The reconciler repairs it (Reconciler.republishLost): it reads every linked user's presence at
 * start and every period, and a Teams presence ranked below the session we recorded as published
 * means our session is not there — it is written again. Keeping the entry until written was the
 * other way; it would hold 10k decided entries in memory and in every full inbox read during a
 * backlog, and a replayed entry decides nothing new (its state already records the write).
 */
export class PresenceDelivery {
  private readonly running = new Set<Promise<void>>();
  /** The latest handoff per tenant and user: an older one stops retrying once a newer exists. */
  private readonly latest = new Map<string, symbol>();

  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly options: SyncEngineOptions,
    private readonly unpublish: Unpublish,
  ) {}

  /** Starts delivering; returns at once. */
  hand(h: PresenceHandoff): void {
    const key = keyOf(h.tenant.tenantId, h.desire.userId);
    const token = Symbol(h.traceId);
    this.latest.set(key, token);
    if (!h.concise)
      this.trace(h, 'graph.request', h.asked, {
        userId: h.desire.userId,
        presence: h.desire.presence,
        preferred: h.desire.preferred,
        ruleId: h.effect.ruleId,
      });
    const run = this.deliver(h, key, token)
      .catch((error: unknown) =>
        this.deps.logger.error(
          { err: error, tenantId: h.tenant.tenantId, agentId: h.agentId },
          'presence delivery crashed',
        ),
      )
      .finally(() => {
        this.running.delete(run);
        if (this.latest.get(key) === token) this.latest.delete(key);
      });
    this.running.add(run);
  }

  /** A delivery for this user is under way (its write queued, in flight or waiting to retry). */
  delivering(tenantId: string, userId: string): boolean {
    return this.latest.has(keyOf(tenantId, userId));
  }

  /** The tenant's users with a delivery under way now. */
  users(tenantId: string): ReadonlySet<string> {
    const prefix = `${tenantId}\u0000`;
    const out = new Set<string>();
    for (const key of this.latest.keys()) if (key.startsWith(prefix)) out.add(key.slice(prefix.length));
    return out;
  }

  /** Deliveries not answered yet. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves when every delivery handed over so far (and any handed over meanwhile) has ended. */
  async whenSettled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async deliver(h: PresenceHandoff, key: string, token: symbol): Promise<void> {
    const attempts = this.options.effectAttempts?.[h.effect.kind] ?? this.options.maxAttempts;
    for (let n = 1; ; n += 1) {
      const result = await h.tenant.ports.presence.write(h.desire);
      if (result.ok) return this.answered(h, result.value);
      const failure = result.error;
      if (failure.status === 429) this.deps.metrics.graphThrottled();
      // Writes failing or timing out (after the writer's own retries) is an outage an admin must see, not only a trace line.
      if (failure.transient)
        h.tenant.health.report(
          'graph.presence',
          n >= attempts ? 'down' : 'degraded',
          `presence writes failing: ${failure.status} ${failure.code}: ${failure.message} (attempt ${n} of ${attempts})`,
        );
      const newer = this.latest.get(key) !== token;
      if (failure.transient && n < attempts && !newer && !h.tenant.stopped) {
        const delay = backoffMs(n, {
          baseMs: this.options.backoffBaseMs,
          maxMs: this.options.backoffMaxMs,
          retryAfterMs: failure.retryAfterMs,
          random: this.deps.random?.() ?? 0.5,
        });
        this.trace(
          h,
          'error',
          `${failure.system} ${failure.status} ${failure.code}: retrying in ${delay} ms (attempt ${n + 1} of ${attempts})`,
          { failure, delayMs: delay },
        );
        this.deps.metrics.effect(h.effect.kind, 'retried');
        await sleep(this.deps.scheduler, delay, h.tenant.stopping);
        // Stopped: whoever runs the tenant next finds the write missing when it reconciles.
        if (h.tenant.stopped) return;
        if (this.latest.get(key) !== token) return this.answered(h, { status: 'superseded' });
        continue;
      }
      if (newer && failure.transient) return this.answered(h, { status: 'superseded' });
      return this.failed(h, failure, !newer);
    }
  }

  private answered(h: PresenceHandoff, outcome: PresenceWriteOutcome): void {
    const { desire, effect } = h;
    const presence = desire.presence;
    const shown = presence ? `${presence.availability}/${presence.activity}` : 'clear';
    // Written is not shown: the user's own status may outrank our session (from the presence on record, no extra read).
    const hidden =
      presence && !desire.preferred && outcome.status !== 'superseded' ? notShown(h.agent, presence) : undefined;
    const answered = `${outcome.status}${outcome.status === 'written' ? ` (HTTP ${outcome.httpStatus}, ${outcome.latencyMs} ms)` : ''}${hidden ? `; Teams cannot show it: ${hidden.reason}` : ''}`;
    const flag = hidden ? { notShown: hidden } : {};
    if (h.concise)
      this.trace(h, 'graph.response', `${h.asked}: ${answered}`, {
        userId: desire.userId,
        presence,
        preferred: desire.preferred,
        ruleId: effect.ruleId,
        outcome,
        ...flag,
      });
    else this.trace(h, 'graph.response', `Graph: ${answered}`, { outcome, ...flag });
    this.deps.metrics.effect(effect.kind, outcome.status);
    h.tenant.health.success('graph.auth');
    if (outcome.status !== 'written') return;
    h.tenant.health.success(
      'graph.presence',
      `last presence write answered HTTP ${outcome.httpStatus} in ${outcome.latencyMs} ms`,
    );
    const at = this.deps.clock.now();
    const latencyMs = Math.max(0, at - h.receivedAt);
    this.deps.metrics.syncLatency('acd-to-teams', latencyMs);
    this.deps.health.activity.record(h.tenant.tenantId, {
      ruleId: effect.ruleId,
      direction: 'acd-to-teams',
      status: shown,
      latencyMs,
      at,
      agentId: h.agentId,
      ...(hidden ? { notShown: hidden.reason } : {}),
    });
  }

  private failed(h: PresenceHandoff, failure: ExternalFailure, latest: boolean): void {
    const refused = !failure.transient;
    const message = h.concise ? `${h.asked}: ${failure.message}` : failure.message;
    this.trace(h, 'graph.response', `${refused ? 'refused' : 'gave up'}: ${message}`, { failure, message });
    this.deps.metrics.effect(h.effect.kind, refused ? 'refused' : 'failed');
    if (failure.status === 401 || failure.status === 403)
      h.tenant.health.report('graph.auth', 'down', `${failure.status} ${failure.code}: ${failure.message}`);
    // A newer decision for the user was handed over meanwhile: it records what is published now.
    if (latest && h.published?.after && !h.tenant.stopped)
      this.unpublish(h.tenant, h.agentId, h.published.after, h.published.before);
  }

  private trace(
    h: PresenceHandoff,
    hop: 'graph.request' | 'graph.response' | 'error',
    summary: string,
    data: Record<string, unknown>,
  ): void {
    this.deps.trace.record({
      tenantId: h.tenant.tenantId,
      agentId: h.agentId,
      teamsUserId: h.desire.userId,
      traceId: h.traceId,
      hop,
      summary,
      data,
    });
  }
}

function keyOf(tenantId: string, userId: string): string {
  return `${tenantId}\u0000${userId}`;
}
