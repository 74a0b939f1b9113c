import type { AcdStateEvent } from '../../domain/agent-state.js';
import type { TeamsPresenceEvent } from '../../domain/presence.js';
import type {
  Clock,
  HealthReporter,
  InboxAppend,
  InboxStore,
  Metrics,
  PresenceNotification,
  UserLink,
  UserLinkStore,
} from '../ports.js';
import type { TraceRecorder } from '../trace/trace-recorder.js';
import { traceIdOf, unlinkedTraceAgentId } from '../trace/trace-ids.js';
import { sealedTeamsEventId, teamsEventId, UNREAD_PRESENCE } from './teams-events.js';

export interface SyncIngestDeps {
  readonly inbox: InboxStore;
  readonly userLinks: UserLinkStore;
  readonly clock: Clock;
  readonly trace: TraceRecorder;
  readonly metrics: Metrics;
  readonly health: (tenantId: string) => HealthReporter;
  /** Tells the processor a tenant has new entries. */
  readonly wake: (tenantId: string) => void;
}

const BULK_LOOKUP_FROM = 20;

type InboxRow = InboxAppend;

/**
 * Ingress: maps what the adapters observed to domain events and makes them durable in the inbox.
 * It does nothing else, so the webhook route can acknowledge as soon as it resolves.
 */
export class SyncIngest {
  /** Per tenant: the last inbox write that failed, until one succeeds. */
  private readonly failedWrites = new Map<string, { readonly at: number; readonly reason: string }>();

  constructor(private readonly deps: SyncIngestDeps) {}

  /** Why writes to a tenant's inbox failed, when the last one did so after `since` and none succeeded since. */
  writeFailure(tenantId: string, since: number): string | undefined {
    const f = this.failedWrites.get(tenantId);
    return f && f.at >= since ? f.reason : undefined;
  }

  /** Returns how many events were new (redeliveries are ignored by the inbox). */
  async acceptAcdEvents(events: readonly AcdStateEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const receivedAt = this.deps.clock.now();
    for (const e of events) {
      this.deps.trace.record({
        tenantId: e.tenantId,
        agentId: e.agentId,
        traceId: traceIdOf(e.eventId),
        hop: 'acd.event',
        at: receivedAt,
        summary: `ACD: ${describeAcd(e)}`,
        data: { state: e.state, sourceTime: e.sourceTime, eventId: e.eventId },
      });
    }
    this.deps.metrics.eventsIn('acd', events.length);
    return this.append(
      events.map((event) => ({ tenantId: event.tenantId, agentId: event.agentId, event, receivedAt })),
    );
  }

  async acceptPresenceNotifications(notifications: readonly PresenceNotification[]): Promise<number> {
    if (notifications.length === 0) return 0;
    const started = this.deps.clock.now();
    const rows: InboxRow[] = [];
    const linkOf = await this.linkLookup(notifications);
    for (const n of notifications) {
      const row = this.toRow(n, await linkOf(n.tenantId, n.userId));
      if (row) rows.push(row);
    }
    this.deps.metrics.eventsIn('teams', notifications.length);
    const added = await this.append(rows);
    if (added < rows.length) await this.traceDuplicates(rows);
    for (const tenantId of new Set(notifications.map((n) => n.tenantId))) {
      this.deps
        .health(tenantId)
        .success(
          'webhook',
          `last notification ${new Date(started).toISOString()}; accepted in ${this.deps.clock.now() - started} ms`,
        );
    }
    return added;
  }

  /**
   * The inbox ignored some rows: their event ids were already there (a Graph redelivery, or a
   * presence version seen before). Each copy that arrived later than the stored one gets a line in
   * the Log Reader, on the original's trace, so a change that "did nothing" can be explained.
   */
  private async traceDuplicates(rows: readonly InboxRow[]): Promise<void> {
    for (const tenantId of new Set(rows.map((r) => r.tenantId))) {
      const mine = rows.filter((r) => r.tenantId === tenantId);
      const stored = await this.deps.inbox.receivedAt(
        tenantId,
        mine.map((r) => r.event.eventId),
      );
      for (const r of mine) {
        const first = stored.get(r.event.eventId);
        if (first === undefined || first === r.receivedAt) continue;
        this.deps.trace.record({
          tenantId,
          agentId: r.agentId,
          ...(r.event.source === 'teams' ? { teamsUserId: r.event.teamsUserId } : {}),
          traceId: traceIdOf(r.event.eventId),
          hop: 'teams.notification',
          at: r.receivedAt,
          summary: `Teams: dropped as a duplicate of event ${r.event.eventId}, already received at ${new Date(first).toISOString()}`,
          data: { eventId: r.event.eventId, firstReceivedAt: first, duplicate: true },
        });
      }
    }
  }

  /** One query per user for a few notifications; for a burst, the links of its users in a few IN queries (not the tenant's whole table). */
  private async linkLookup(
    notifications: readonly PresenceNotification[],
  ): Promise<(tenantId: string, userId: string) => Promise<UserLink | undefined>> {
    if (notifications.length < BULK_LOOKUP_FROM)
      return (tenantId, userId) => this.deps.userLinks.byTeamsUser(tenantId, userId);
    const tables = new Map<string, Map<string, UserLink>>();
    for (const tenantId of new Set(notifications.map((n) => n.tenantId))) {
      const users = notifications.filter((n) => n.tenantId === tenantId).map((n) => n.userId);
      tables.set(
        tenantId,
        new Map((await this.deps.userLinks.byTeamsUsers(tenantId, users)).map((l) => [l.teamsUserId, l])),
      );
    }
    return async (tenantId, userId) => tables.get(tenantId)?.get(userId);
  }

  private toRow(n: PresenceNotification, link: UserLink | undefined): InboxRow | undefined {
    const eventId = n.sealed
      ? sealedTeamsEventId(n.userId, n.sealed)
      : teamsEventId(n.userId, n.sequenceNumber, n.receivedAt, n.subscriptionId);
    const shown = n.presence
      ? `${n.presence.availability}/${n.presence.activity}`
      : n.sealed
        ? 'changed (encrypted resource data)'
        : 'changed (no resource data; read before deciding)';
    const agentId = link?.agentId ?? unlinkedTraceAgentId(n.userId);
    // A linked user's encrypted change is traced once opened (with this arrival time), showing its presence.
    if (!(n.sealed && link))
      this.deps.trace.record({
        tenantId: n.tenantId,
        agentId,
        teamsUserId: n.userId,
        traceId: traceIdOf(eventId),
        hop: 'teams.notification',
        at: n.receivedAt,
        summary: link ? `Teams: ${shown}` : `Teams: ${shown}; dropped, the Teams user is not linked to an ACD agent`,
        data: {
          subscriptionId: n.subscriptionId,
          sequenceNumber: n.sequenceNumber,
          presence: n.presence,
          linked: link !== undefined,
        },
      });
    if (!link) return undefined;
    const event: TeamsPresenceEvent = {
      source: 'teams',
      tenantId: n.tenantId,
      agentId: link.agentId,
      teamsUserId: n.userId,
      presence: n.presence ?? UNREAD_PRESENCE,
      ...(n.sequenceNumber !== undefined ? { sequenceNumber: n.sequenceNumber } : {}),
      sourceTime: n.receivedAt,
      eventId,
    };
    return {
      tenantId: n.tenantId,
      agentId: link.agentId,
      event,
      receivedAt: n.receivedAt,
      ...(n.sealed ? { sealed: n.sealed } : {}),
    };
  }

  /** Appends entries (e.g. reconciliation corrections, re-evaluations) and wakes their tenants. */
  async append(rows: readonly InboxRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const tenants = new Set(rows.map((r) => r.tenantId));
    let added: number;
    try {
      added = await this.deps.inbox.append(rows);
    } catch (error) {
      // The caller keeps the events (the feed re-polls, Graph redelivers after our 5xx); the admin must see why.
      const reason = `events could not be stored: ${error instanceof Error ? error.message : String(error)}`;
      for (const tenantId of tenants) {
        this.failedWrites.set(tenantId, { at: this.deps.clock.now(), reason });
        this.deps.health(tenantId).report('store', 'down', reason);
      }
      throw error;
    }
    for (const tenantId of tenants) {
      this.failedWrites.delete(tenantId);
      this.deps.wake(tenantId);
    }
    return added;
  }
}

export function describeAcd(e: AcdStateEvent): string {
  const s = e.state;
  const code = s.unavailableCode ? ` (${s.unavailableCode.name})` : '';
  const acw = s.afterCallWork ? ' after-call work' : '';
  const contact = s.contact ? ` on ${s.contact.media} contact with ${s.contact.counterpart}` : '';
  return `${s.name}${code}${acw}${contact}`;
}
