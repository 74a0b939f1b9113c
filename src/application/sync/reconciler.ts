import type { AcdState, AcdStateEvent } from '../../domain/agent-state.js';
import { outranks, ranked, samePresence, type TeamsPresence, type TeamsPresenceEvent } from '../../domain/presence.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { ObservedPresence, SubscriptionStatus, UserLink } from '../ports.js';
import { traceIdOf } from '../trace/trace-ids.js';
import type { SyncEngineDeps } from './engine-options.js';
import type { PresenceDelivery } from './presence-delivery.js';
import type { SyncIngest } from './sync-ingest.js';
import { describeAcd } from './sync-ingest.js';
import { teamsEventId } from './teams-events.js';
import type { TenantRuntime } from './tenant-runtime.js';

export interface ReconcileReport {
  readonly acdChecked: number;
  readonly teamsChecked: number;
  readonly corrections: number;
  readonly subscribedUsers: number;
}

/**
 * Compares both sides with what the engine last saw and feeds each difference in as an event
 * through the inbox (so ordering and idempotency hold, and decide says what to do about it),
 * recording every correction with its cause. Also re-ensures the presence subscriptions, so one
 * dropped silently is back within a period.
 */
export class Reconciler {
  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly ingest: SyncIngest,
    private readonly delivery: PresenceDelivery,
  ) {}

  async run(tenant: TenantRuntime): Promise<ReconcileReport> {
    const tenantId = tenant.tenantId;
    const [states, links] = await Promise.all([
      this.deps.store.agentStates.list(tenantId),
      this.deps.store.userLinks.list(tenantId),
    ]);
    const acd = await this.reconcileAcd(tenant, new Map(states.map((s) => [s.agentId, s])));
    const teams = await this.reconcileTeams(tenant, links);
    const subscribedUsers = await this.ensureSubscriptions(tenant, links);
    const corrections = acd.corrections + teams.corrections;
    // A side whose read failed has reported reconciliation degraded; a success now would overwrite
    // that within the same run (the Health Check showed "ok: 0 Teams users checked" during a Graph outage).
    if (!acd.failed && !teams.failed)
      tenant.health.success(
        'reconciliation',
        // Per cause, as /metrics counts them (presence_sync_reconcile_corrections_total{cause}).
        `last run ${new Date(this.deps.clock.now()).toISOString()}: ${acd.checked} ACD agents and ${teams.checked} Teams users checked, ${corrections} corrections (acd-drift ${acd.corrections}, teams-drift ${teams.corrections})`,
      );
    return { acdChecked: acd.checked, teamsChecked: teams.checked, corrections, subscribedUsers };
  }

  private async reconcileAcd(
    tenant: TenantRuntime,
    states: Map<string, AgentSyncState>,
  ): Promise<{ checked: number; corrections: number; failed?: true }> {
    const snapshot = await tenant.ports.acdFeed.snapshot();
    if (!snapshot.ok) {
      tenant.health.report(
        'reconciliation',
        'degraded',
        `ACD snapshot failed: ${snapshot.error.code} ${snapshot.error.message}`,
      );
      return { checked: 0, corrections: 0, failed: true };
    }
    let corrections = 0;
    for (const event of snapshot.value) {
      const seen = states.get(event.agentId)?.acd;
      if (seen && (sameAcd(seen.state, event.state) || seen.sourceTime > event.sourceTime)) continue;
      const cause = seen
        ? `ACD reports ${describeAcd(event)}, the engine last saw ${describeAcd({ ...event, state: seen.state })}`
        : `ACD reports ${describeAcd(event)}, the engine had no state for the agent`;
      if (await this.correct(tenant, event, undefined, cause, 'acd-drift')) corrections += 1;
    }
    return { checked: snapshot.value.length, corrections };
  }

  private async reconcileTeams(
    tenant: TenantRuntime,
    links: readonly UserLink[],
  ): Promise<{ checked: number; corrections: number; failed?: true }> {
    if (links.length === 0) return { checked: 0, corrections: 0 };
    // Writes on their way while the read runs may land after it: their users are not judged lost.
    const underWay = this.delivery.users(tenant.tenantId);
    const readAt = this.deps.clock.now();
    const read = await tenant.ports.presence.read(links.map((l) => l.teamsUserId));
    if (!read.ok) {
      tenant.health.report(
        'reconciliation',
        'degraded',
        `Teams presence read failed: ${read.error.code} ${read.error.message}`,
      );
      return { checked: 0, corrections: 0, failed: true };
    }
    // What the engine holds is read after Teams, not before the run's CXone read: a session cleared
    // meanwhile (a call ended) showed as our Busy "lost" below Teams' Available, and was written
    // again until the next change or run. A write after the read is told apart by its time (readAt).
    const states = new Map((await this.deps.store.agentStates.list(tenant.tenantId)).map((s) => [s.agentId, s]));
    const agentOf = new Map(links.map((l) => [l.teamsUserId, l.agentId]));
    const now = this.deps.clock.now();
    let corrections = 0;
    for (const observed of read.value) {
      const agentId = agentOf.get(observed.userId);
      if (agentId === undefined) continue;
      const state = states.get(agentId);
      if (state && !underWay.has(observed.userId) && this.republishLost(tenant, state, observed, readAt))
        corrections += 1;
      const seen = state?.teams;
      if (seen && samePresence(seen.presence, observed.presence) && !otherVersion(seen, observed)) continue;
      const event: TeamsPresenceEvent = {
        source: 'teams',
        tenantId: tenant.tenantId,
        agentId,
        teamsUserId: observed.userId,
        presence: observed.presence,
        ...(observed.sequenceNumber !== undefined ? { sequenceNumber: observed.sequenceNumber } : {}),
        sourceTime: now,
        // Each read its own id (not the notification's of that version, which may have been dropped as
        // stale, nor an earlier read's of it, which a forged notification may have overtaken since).
        eventId: teamsEventId(observed.userId, undefined, now, `reconcile:${observed.sequenceNumber ?? ''}`),
        read: true,
      };
      const shown = `${observed.presence.availability}/${observed.presence.activity}`;
      const cause = !seen
        ? `Teams shows ${shown}, the engine had not seen this user's presence`
        : samePresence(seen.presence, observed.presence)
          ? `Teams shows ${shown} as version ${observed.sequenceNumber}, the engine holds version ${seen.sequenceNumber}`
          : `Teams shows ${shown}, the engine last saw ${seen.presence.availability}/${seen.presence.activity} (missed notification)`;
      if (await this.correct(tenant, event, observed.userId, cause, 'teams-drift')) corrections += 1;
    }
    return { checked: read.value.length, corrections };
  }

  /**
   * A write of ours that was decided and committed, then lost — its process ended while it waited
   * for the budget (the delivery does not keep the inbox entry), or the session lapsed: written
   * again, as a correction (lostWriteCause says how it is told apart from the user's own status).
   */
  private republishLost(
    tenant: TenantRuntime,
    state: AgentSyncState,
    observed: ObservedPresence,
    readAt: number,
  ): boolean {
    const ours = state.published;
    if (!ours || ours.preferred || ours.at >= readAt || state.teamsUserId !== observed.userId) return false;
    const cause = lostWriteCause(state, ours, observed.presence);
    if (cause === null || this.delivery.delivering(tenant.tenantId, observed.userId)) return false;
    const traceId = `republish:${this.deps.ids.next()}`;
    this.deps.trace.record({
      tenantId: tenant.tenantId,
      agentId: state.agentId,
      teamsUserId: observed.userId,
      traceId,
      hop: 'reconcile.correction',
      summary: `Reconciliation: ${cause}`,
      data: { cause, kind: 'lost-write', published: ours, observed: observed.presence },
    });
    this.deps.metrics.reconcileCorrection('lost-write');
    const reason = 'reconciliation: our session is missing in Teams';
    this.delivery.hand({
      tenant,
      agentId: state.agentId,
      traceId,
      effect: ours.presence
        ? { kind: 'setTeamsPresence', presence: ours.presence, preferred: false, ruleId: ours.ruleId, reason }
        : {
            kind: 'clearTeamsPresence',
            preferred: false,
            ruleId: ours.ruleId,
            reason: 'reconciliation: our cleared session is still in Teams',
          },
      desire: { userId: observed.userId, presence: ours.presence, preferred: false, traceId, urgency: 'correction' },
      asked: `Graph: session presence → ${ours.presence ? pair(ours.presence) : 'clear'} (written again: Teams lacks it)`,
      concise: true,
      agent: state,
      receivedAt: readAt,
    });
    return true;
  }

  /** Feeds the observed state in; a correction counts only if the inbox did not have it already. */
  private async correct(
    tenant: TenantRuntime,
    event: AcdStateEvent | TeamsPresenceEvent,
    teamsUserId: string | undefined,
    cause: string,
    kind: 'acd-drift' | 'teams-drift',
  ): Promise<boolean> {
    const added = await this.ingest.append([
      { tenantId: tenant.tenantId, agentId: event.agentId, event, receivedAt: this.deps.clock.now() },
    ]);
    if (added === 0) return false;
    this.deps.trace.record({
      tenantId: tenant.tenantId,
      agentId: event.agentId,
      teamsUserId,
      traceId: traceIdOf(event.eventId),
      hop: 'reconcile.correction',
      summary: `Reconciliation: ${cause}`,
      data: { cause, kind, event },
    });
    this.deps.metrics.reconcileCorrection(kind);
    this.deps.metrics.eventsIn('reconcile', 1);
    return true;
  }

  /** The presence subscriptions alone, planned again for the stored links: no ACD snapshot, no presence reads. */
  async replanSubscriptions(tenant: TenantRuntime): Promise<void> {
    await this.ensureSubscriptions(tenant, await this.deps.store.userLinks.list(tenant.tenantId));
  }

  private async ensureSubscriptions(tenant: TenantRuntime, links: readonly UserLink[]): Promise<number> {
    const userIds = links.map((l) => l.teamsUserId);
    const result = await tenant.ports.subscriptions.ensure(userIds);
    // An owner's subscription Graph refused (its validation request did not reach us, a 5xx, a sign-in
    // refused): retried soon. Users beyond every owner's 650 wait for another owner, not for a retry.
    tenant.subscriptionsFailing = !result.ok || result.value.some((s) => !s.healthy && s.ownerId !== '');
    if (!result.ok) {
      tenant.health.report(
        'subscriptions',
        'down',
        `could not ensure subscriptions for ${userIds.length} users: ${result.error.code} ${result.error.message}`,
      );
      // Every owner failed (with one owner: that one): each still gets its own status, so the alert names whose sign-in broke.
      reportOwners(tenant, await tenant.ports.subscriptions.status());
      return 0;
    }
    const subs = result.value;
    const covered = subs.reduce((n, s) => n + s.userCount, 0);
    const nextExpiry = subs.length > 0 ? new Date(Math.min(...subs.map((s) => s.expiresAt))).toISOString() : 'none';
    // A recreation is told until the next run: the Health Check then still shows what happened after the drop alert.
    const recreated = subs.flatMap((s) =>
      s.replaced?.previousId
        ? [`${s.subscriptionId} ${s.replaced.reason} at ${new Date(this.deps.clock.now()).toISOString()}`]
        : [],
    );
    const detail = [
      `${subs.length} subscriptions covering ${covered} of ${userIds.length} users; next expiry ${nextExpiry}`,
      ...recreated,
    ].join('; ');
    reportOwners(tenant, subs);
    this.traceReplacements(tenant, subs, links);
    const unhealthy = subs.filter((s) => !s.healthy);
    if (unhealthy.length > 0 || covered < userIds.length)
      tenant.health.report(
        'subscriptions',
        'degraded',
        `${detail}; ${unhealthy.map((s) => `${s.subscriptionId}: ${s.detail ?? 'unhealthy'}`).join('; ')}`,
      );
    else tenant.health.success('subscriptions', detail);
    return covered;
  }

  /** A (re)created subscription is a hop of every covered agent's flow: their Teams changes are followed again from here. */
  private traceReplacements(
    tenant: TenantRuntime,
    subs: readonly SubscriptionStatus[],
    links: readonly UserLink[],
  ): void {
    const agentOf = new Map(links.map((l) => [l.teamsUserId, l.agentId]));
    for (const s of subs) {
      if (!s.replaced) continue;
      const summary = `Subscription ${s.subscriptionId} ${s.replaced.reason}; Teams changes are notified again (expires ${new Date(s.expiresAt).toISOString()})`;
      for (const userId of s.replaced.userIds) {
        const agentId = agentOf.get(userId);
        if (agentId === undefined) continue;
        this.deps.trace.record({
          tenantId: tenant.tenantId,
          agentId,
          teamsUserId: userId,
          traceId: `subscription:${s.subscriptionId}`,
          hop: 'subscription',
          summary,
          data: { subscriptionId: s.subscriptionId, previousId: s.replaced.previousId, reason: s.replaced.reason },
        });
      }
    }
  }
}

/** Each subscription owner's sign-in, as its subscriptions show it. */
function reportOwners(tenant: TenantRuntime, subs: readonly SubscriptionStatus[]): void {
  for (const ownerId of new Set(subs.map((s) => s.ownerId))) {
    const broken = subs.filter((s) => s.ownerId === ownerId && !s.healthy);
    if (broken.length === 0) tenant.health.success(`owner:${ownerId}`, 'subscriptions healthy');
    else
      tenant.health.report(
        `owner:${ownerId}`,
        'down',
        broken.map((s) => s.detail ?? `subscription ${s.subscriptionId} unhealthy`).join('; '),
      );
  }
}

/**
 * What we hold carries another version stamp than the one Graph reports now. Held after a forged
 * notification (a stamp ordered after every real one), the presence can be the right one while
 * every later change is taken for stale: the read's stamp replaces it.
 */
function otherVersion(seen: NonNullable<AgentSyncState['teams']>, observed: { sequenceNumber?: string }): boolean {
  return (
    seen.sequenceNumber !== undefined &&
    observed.sequenceNumber !== undefined &&
    seen.sequenceNumber !== observed.sequenceNumber
  );
}

function sameAcd(a: AcdState, b: AcdState): boolean {
  return (
    a.name === b.name &&
    a.afterCallWork === b.afterCallWork &&
    a.unavailableCode?.id === b.unavailableCode?.id &&
    a.contact?.contactId === b.contact?.contactId
  );
}

const pair = (p: TeamsPresence): string => `${p.availability}/${p.activity}`;

/**
 * Why Teams, read now, shows that our last write (made before the read) never reached Graph, or
 * null when it may have. Two signs, each impossible while our write stands:
 * - Teams shows a presence below the session we published: the aggregate never ranks below a
 *   session that exists (§2.1). Offline and unknown presences are not judged (no session rank).
 * - Teams still shows a session of ours that the write replaced or cleared — the one it showed
 *   back to us before the write, or one whose notification we still wait for (late-echo.ts) — and
 *   has reported nothing since: our app session holds one value, so the write would have changed it.
 */
function lostWriteCause(
  state: AgentSyncState,
  ours: NonNullable<AgentSyncState['published']>,
  observed: TeamsPresence,
): string | null {
  const at = new Date(ours.at).toISOString();
  if (ours.presence && ranked(observed) && outranks(ours.presence, observed))
    return `Teams shows ${pair(observed)}, below the ${pair(ours.presence)} session we published at ${at}: the write did not reach Graph (or the session lapsed); written again`;
  const seen = state.teams;
  const stillOurs =
    (seen?.ours === true && seen.sourceTime < ours.at && samePresence(seen.presence, observed)) ||
    (ours.lateEchoes ?? []).some((e) => samePresence(e.presence, observed));
  if (stillOurs && !(ours.presence && samePresence(ours.presence, observed)))
    return `Teams still shows our ${pair(observed)} session, which we ${ours.presence ? `replaced with ${pair(ours.presence)}` : 'cleared'} at ${at}: the write did not reach Graph; written again`;
  return null;
}
