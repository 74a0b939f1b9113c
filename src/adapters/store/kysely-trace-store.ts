import { sql, type Kysely, type Selectable } from 'kysely';
import { TRACE_HOPS, type TraceEvent, type TraceQuery, type TraceStore } from '../../application/ports.js';
import { jsonRecordSchema, readJson } from './kysely-row-codec.js';
import type { Database, TraceEventsTable } from './kysely-schema.js';

/** Rows per trace insert: a fraction of a millisecond of blocking each on the embedded SQLite. */
const TRACE_CHUNK_ROWS = 100;
import { StoreCorruptRowError } from './store-errors.js';

const toEvent = (r: Selectable<TraceEventsTable>): TraceEvent => {
  const hop = TRACE_HOPS.find((h) => h === r.hop);
  if (!hop) throw new StoreCorruptRowError('trace_events', `${r.tenant_id}/${r.id}`, `unknown hop ${r.hop}`);
  return {
    id: r.id,
    tenantId: r.tenant_id,
    agentId: r.agent_id,
    ...(r.teams_user_id === null ? {} : { teamsUserId: r.teams_user_id }),
    traceId: r.trace_id,
    hop,
    at: r.at,
    ...(r.latency_ms === null ? {} : { latencyMs: r.latency_ms }),
    summary: r.summary,
    data: readJson(jsonRecordSchema, r.data, 'trace_events', `${r.tenant_id}/${r.id}`),
  };
};

const toRow = (e: TraceEvent) => ({
  tenant_id: e.tenantId,
  id: e.id,
  agent_id: e.agentId,
  teams_user_id: e.teamsUserId ?? null,
  trace_id: e.traceId,
  hop: e.hop,
  at: e.at,
  latency_ms: e.latencyMs ?? null,
  summary: e.summary,
  data: JSON.stringify(e.data),
});

/**
 * Log Reader events, indexed by (tenant, agent, at) and (tenant, trace). Appending an event id
 * twice keeps the first. `query` returns the latest `limit` matches, oldest first (a log reads
 * downwards).
 */
export class KyselyTraceStore implements TraceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(events: readonly TraceEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Small statements, each its own commit, with a turn of the event loop between them: with the
    // embedded SQLite a statement blocks the process while it runs, and a flush of a few hundred
    // indexed rows in one go held up the engine's queries (the latency tail). Not atomic, and need
    // not be: a retried batch skips the ids already stored. Rows are made per statement: a start-up
    // flush of 20,000 lines made them all first, their data as JSON beside the lines themselves, at
    // the process's memory peak.
    for (let i = 0; i < events.length; i += TRACE_CHUNK_ROWS) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      await this.db
        .insertInto('trace_events')
        .values(events.slice(i, i + TRACE_CHUNK_ROWS).map(toRow))
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
        .execute();
    }
  }

  async query(q: TraceQuery): Promise<readonly TraceEvent[]> {
    let s = this.db.selectFrom('trace_events').selectAll().where('tenant_id', '=', q.tenantId);
    if (q.agentId !== undefined) s = s.where('agent_id', '=', q.agentId);
    if (q.traceId !== undefined) s = s.where('trace_id', '=', q.traceId);
    if (q.from !== undefined) s = s.where('at', '>=', q.from);
    if (q.to !== undefined) s = s.where('at', '<=', q.to);
    const rows = await s.orderBy('at', 'desc').orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.reverse().map(toEvent);
  }

  async prune(olderThan: number, maxPerTenant: number, olderThanFor?: ReadonlyMap<string, number>): Promise<number> {
    const own = [...(olderThanFor ?? new Map<string, number>())];
    return this.db.transaction().execute(async (trx) => {
      let deleted = 0;
      for (const [tenantId, cutoff] of own)
        deleted += Number(
          (
            await trx
              .deleteFrom('trace_events')
              .where('tenant_id', '=', tenantId)
              .where('at', '<', cutoff)
              .executeTakeFirst()
          ).numDeletedRows,
        );
      let others = trx.deleteFrom('trace_events').where('at', '<', olderThan);
      if (own.length > 0)
        others = others.where(
          'tenant_id',
          'not in',
          own.map(([t]) => t),
        );
      const byAge = await others.executeTakeFirst();
      const ranked = trx
        .selectFrom('trace_events')
        .select(['seq', sql<number>`row_number() over (partition by tenant_id order by at desc, seq desc)`.as('rn')])
        .as('ranked');
      const byCount = await trx
        .deleteFrom('trace_events')
        .where('seq', 'in', trx.selectFrom(ranked).select('ranked.seq').where('ranked.rn', '>', maxPerTenant))
        .executeTakeFirst();
      return deleted + Number(byAge.numDeletedRows) + Number(byCount.numDeletedRows);
    });
  }
}
