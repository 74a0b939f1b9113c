import type { Kysely } from 'kysely';
import type { HealthSnapshotStore, SharedHealth } from '../../application/ports.js';
import { jsonRecordSchema, readJson } from './kysely-row-codec.js';
import type { Database } from './kysely-schema.js';

/** One row per tenant, rewritten in place by the instance running the tenant's sync (its `at` alone while unchanged). */
export class KyselyHealthSnapshotStore implements HealthSnapshotStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(s: SharedHealth): Promise<void> {
    const row = { tenant_id: s.tenantId, holder: s.holder, at: s.at, body: JSON.stringify(s.health) };
    await this.db
      .insertInto('tenant_health')
      .values(row)
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ holder: row.holder, at: row.at, body: row.body }))
      .execute();
  }

  async touch(tenantId: string, holder: string, at: number): Promise<boolean> {
    const res = await this.db
      .updateTable('tenant_health')
      .set({ at })
      .where('tenant_id', '=', tenantId)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async get(tenantId: string): Promise<SharedHealth | undefined> {
    const row = await this.db
      .selectFrom('tenant_health')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      holder: row.holder,
      at: Number(row.at),
      health: readJson(jsonRecordSchema, row.body, 'tenant_health', row.tenant_id),
    };
  }
}
