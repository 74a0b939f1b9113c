import type { Kysely } from 'kysely';
import type { LifecycleEventStore, StoredLifecycleEvent } from '../../application/ports.js';
import type { Database } from './kysely-schema.js';

/** Graph lifecycle events as rows; `handled` is a conditional update, so one instance wins it. */
export class KyselyLifecycleEventStore implements LifecycleEventStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(e: Omit<StoredLifecycleEvent, 'seq'>): Promise<void> {
    await this.db
      .insertInto('lifecycle_events')
      .values({
        tenant_id: e.tenantId,
        subscription_id: e.subscriptionId,
        event: e.event,
        received_at: e.receivedAt,
        handled_at: null,
      })
      .execute();
  }

  async pending(tenantId: string, limit: number): Promise<readonly StoredLifecycleEvent[]> {
    const rows = await this.db
      .selectFrom('lifecycle_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('handled_at', 'is', null)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      tenantId: r.tenant_id,
      subscriptionId: r.subscription_id,
      event: r.event,
      receivedAt: Number(r.received_at),
    }));
  }

  async handled(tenantId: string, seq: number, at: number): Promise<boolean> {
    const res = await this.db
      .updateTable('lifecycle_events')
      .set({ handled_at: at })
      .where('tenant_id', '=', tenantId)
      .where('seq', '=', seq)
      .where('handled_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async purge(before: number): Promise<number> {
    const res = await this.db
      .deleteFrom('lifecycle_events')
      .where('handled_at', 'is not', null)
      .where('handled_at', '<', before)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
