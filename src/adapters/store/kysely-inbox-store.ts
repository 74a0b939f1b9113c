import { sql, type Kysely } from 'kysely';
import type { Clock, InboxAppend, InboxEntry, InboxStore } from '../../application/ports.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import { InboxCompletions } from './kysely-inbox-completions.js';
import { readJson, sealedPresenceSchema, syncEventSchema } from './kysely-row-codec.js';
import type { Database } from './kysely-schema.js';
import { CHUNK_ROWS, chunks } from './store-chunks.js';

/**
 * The durable inbox. Idempotent ingress: (tenant_id, event_id) is unique and a re-delivered event
 * is ignored. `seq` gives arrival order.
 *
 * Several instances: `pending` is a plain read and claims nothing. A tenant's inbox is processed
 * only by the holder of that tenant's lease (LeaseStore), so two workers never process the same
 * tenant; any instance may `append`. As a second line of defence `complete` only takes effect on
 * a still-unprocessed entry, so a worker that lost its lease mid-batch cannot overwrite the
 * agent state written by the new owner for the same entry.
 */
export class KyselyInboxStore implements InboxStore {
  private readonly completions: InboxCompletions;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {
    this.completions = new InboxCompletions(db, () => clock.now());
  }

  async append(entries: readonly InboxAppend[]): Promise<number> {
    if (entries.length === 0) return 0;
    const rows = entries.map((e) => ({
      tenant_id: e.tenantId,
      event_id: e.event.eventId,
      agent_id: e.agentId,
      event: JSON.stringify(e.event),
      received_at: e.receivedAt,
      attempts: 0,
      processed: 0,
      sealed: e.sealed ? JSON.stringify(e.sealed) : null,
    }));
    const insert = (db: Kysely<Database>, part: typeof rows) =>
      db
        .insertInto('inbox')
        .values(part)
        .onConflict((oc) => oc.columns(['tenant_id', 'event_id']).doNothing())
        .executeTakeFirst();
    if (rows.length <= CHUNK_ROWS) return Number((await insert(this.db, rows)).numInsertedOrUpdatedRows ?? 0);
    return this.db.transaction().execute(async (trx) => {
      let added = 0;
      for (const part of chunks(rows)) added += Number((await insert(trx, part)).numInsertedOrUpdatedRows ?? 0);
      return added;
    });
  }

  async receivedAt(tenantId: string, eventIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const found = new Map<string, number>();
    for (const part of chunks([...new Set(eventIds)])) {
      const rows = await this.db
        .selectFrom('inbox')
        .select(['event_id', 'received_at'])
        .where('tenant_id', '=', tenantId)
        .where('event_id', 'in', part)
        .execute();
      for (const r of rows) found.set(r.event_id, Number(r.received_at));
    }
    return found;
  }

  /**
   * Oldest ready entries in arrival order. An entry waiting for its retry time holds back the
   * later entries of the same agent (per-agent order is never broken by a retry); other agents go on.
   */
  async pending(tenantId: string, limit: number, afterSeq?: number): Promise<readonly InboxEntry[]> {
    const now = this.clock.now();
    // The agents held back, each from its first waiting entry on: a small set (only failed entries).
    const held = this.db
      .selectFrom('inbox')
      .select(['agent_id', (eb) => eb.fn.min('seq').as('from_seq')])
      .where('tenant_id', '=', tenantId)
      .where('processed', '=', 0)
      .where('retry_at', '>', now)
      .groupBy('agent_id')
      .as('held');
    const rows = await this.db
      .selectFrom('inbox as a')
      .leftJoin(held, 'held.agent_id', 'a.agent_id')
      .select(['a.seq', 'a.tenant_id', 'a.agent_id', 'a.event', 'a.received_at', 'a.attempts', 'a.sealed'])
      .where('a.tenant_id', '=', tenantId)
      .where('a.processed', '=', 0)
      .where((eb) => eb.or([eb('held.from_seq', 'is', null), eb('a.seq', '<', eb.ref('held.from_seq'))]))
      .$if(afterSeq !== undefined, (q) => q.where('a.seq', '>', afterSeq ?? 0))
      .orderBy('a.seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: r.seq,
      tenantId: r.tenant_id,
      agentId: r.agent_id,
      event: readJson(syncEventSchema, r.event, 'inbox', String(r.seq)),
      receivedAt: r.received_at,
      attempts: r.attempts,
      ...(r.sealed !== null ? { sealed: readJson(sealedPresenceSchema, r.sealed, 'inbox', String(r.seq)) } : {}),
    }));
  }

  /** Group-committed with the completions of the same event-loop turn (InboxCompletions). */
  complete(seq: number, tenantId: string, state: AgentSyncState): Promise<void> {
    return this.completions.complete(seq, tenantId, state);
  }

  /** Resolves when every completion handed in so far is committed (before closing the store). */
  flushed(): Promise<void> {
    return this.completions.flushed();
  }

  async fail(seq: number, error: string, retryAt: number): Promise<void> {
    await this.db
      .updateTable('inbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 2000), retry_at: retryAt }))
      .where('seq', '=', seq)
      .where('processed', '=', 0)
      .execute();
  }

  async depth(tenantId?: string): Promise<number> {
    let q = this.db
      .selectFrom('inbox')
      .select(sql<number>`count(*)`.as('n'))
      .where('processed', '=', 0);
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pendingByAgent(tenantId: string, limit: number): Promise<ReadonlyMap<string, number>> {
    const rows = await this.db
      .selectFrom('inbox')
      .select(['agent_id', sql<number>`count(*)`.as('n'), (eb) => eb.fn.min('seq').as('first_seq')])
      .where('tenant_id', '=', tenantId)
      .where('processed', '=', 0)
      .groupBy('agent_id')
      .orderBy('first_seq')
      .limit(limit)
      .execute();
    return new Map(rows.map((r) => [r.agent_id, Number(r.n)]));
  }

  /** Drops processed entries older than `olderThan` (the inbox is not an archive). */
  async purgeProcessed(olderThan: number): Promise<number> {
    const res = await this.db
      .deleteFrom('inbox')
      .where('processed', '=', 1)
      .where('processed_at', '<', olderThan)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
