import type { InboxEntry, SealedPresenceFailure } from '../ports.js';
import { traceIdOf } from '../trace/trace-ids.js';
import type { SyncEngineDeps } from './engine-options.js';
import type { TenantRuntime } from './tenant-runtime.js';

/** An entry whose resource data could not be trusted: dropped through the agent's queue. */
export interface UnopenedEntry {
  readonly entry: InboxEntry;
  readonly failure: SealedPresenceFailure;
}

/** The pull, in its order: each entry ready to process, or unopened. */
export type OpenedPull = readonly (InboxEntry | UnopenedEntry)[];

/** The decryption health stays degraded this long after the last drop, so a single bad item is seen. */
const DEGRADED_FOR_MS = 10 * 60_000;

const NO_OPENER: SealedPresenceFailure = {
  code: 'WEBHOOK.NO_DECRYPTION_KEYS',
  message: 'This instance has no keys to open rich notifications.',
};

/**
 * Rich notifications are stored still encrypted so the webhook acknowledges without waiting for
 * RSA (issue 16); the pump opens them here, a whole pull at a time, before anything reads their
 * presence. What cannot be authenticated or decrypted is never trusted: it is logged with its
 * trace id, counted, shown in the tenant's health, and dropped once (the same bytes would fail
 * the same way, so it is not retried).
 */
export class SealedEntries {
  /** Per tenant: the last drop, which keeps `webhook.decryption` degraded for a while. */
  private readonly lastDrop = new Map<string, number>();

  constructor(private readonly deps: SyncEngineDeps) {}

  async open(tenant: TenantRuntime, entries: readonly InboxEntry[]): Promise<OpenedPull> {
    const sealed = entries.filter((e) => e.sealed !== undefined && e.event.source === 'teams');
    if (sealed.length === 0) return entries;
    const opener = this.deps.sealed;
    const results = opener
      ? await opener.open(
          sealed.map((e) => ({ userId: e.event.source === 'teams' ? e.event.teamsUserId : '', sealed: e.sealed! })),
        )
      : sealed.map(() => ({ ok: false as const, error: NO_OPENER }));
    const bySeq = new Map(sealed.map((e, i) => [e.seq, results[i]!]));
    const failures: UnopenedEntry[] = [];
    const out = entries.map((entry): InboxEntry | UnopenedEntry => {
      const result = bySeq.get(entry.seq);
      if (!result || entry.event.source !== 'teams') return entry;
      if (!result.ok) {
        const unopened = { entry, failure: result.error };
        failures.push(unopened);
        return unopened;
      }
      const { sealed: _opened, ...rest } = entry;
      const { presence, sequenceNumber } = result.value;
      this.deps.trace.record({
        tenantId: tenant.tenantId,
        agentId: entry.agentId,
        teamsUserId: entry.event.teamsUserId,
        traceId: traceIdOf(entry.event.eventId),
        hop: 'teams.notification',
        at: entry.receivedAt,
        summary: `Teams: ${presence.availability}/${presence.activity}`,
        data: { sequenceNumber, presence, linked: true, decryptedAt: this.deps.clock.now() },
      });
      const seq = sequenceNumber !== undefined ? { sequenceNumber } : {};
      return { ...rest, event: { ...entry.event, presence, ...seq } };
    });
    this.report(tenant, sealed.length, failures);
    return out;
  }

  private report(tenant: TenantRuntime, opened: number, failures: readonly UnopenedEntry[]): void {
    const now = this.deps.clock.now();
    const health = tenant.health;
    if (failures.length === 0) {
      const last = this.lastDrop.get(tenant.tenantId);
      if (last === undefined || now - last >= DEGRADED_FOR_MS) {
        this.lastDrop.delete(tenant.tenantId);
        health.success('webhook.decryption', `last rich notifications opened ${new Date(now).toISOString()}`);
      }
      return;
    }
    this.lastDrop.set(tenant.tenantId, now);
    for (const { entry, failure } of failures) {
      this.deps.metrics.notificationUnopened(failure.code);
      this.deps.logger.warn(
        {
          tenantId: tenant.tenantId,
          agentId: entry.agentId,
          traceId: traceIdOf(entry.event.eventId),
          seq: entry.seq,
          code: failure.code,
        },
        'rich notification dropped: its resource data could not be authenticated or decrypted',
      );
    }
    const first = failures[0]!.failure;
    health.report(
      'webhook.decryption',
      'degraded',
      `${failures.length} of ${opened} rich notifications dropped at ${new Date(now).toISOString()}: ${first.code} (${first.message})`,
    );
  }
}

export const isUnopened = (e: InboxEntry | UnopenedEntry): e is UnopenedEntry => 'failure' in e;
