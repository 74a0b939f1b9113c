import type { Kysely } from 'kysely';
import type { AlertStateStore, StoredAlertState } from '../../application/ports.js';
import { jsonRecordSchema, readJson } from './kysely-row-codec.js';
import type { Database } from './kysely-schema.js';

/**
 * One row per tenant with a version: a write names the version it read (compare and set), so two
 * instances flushing the same alerts cannot both claim them.
 */
export class KyselyAlertStateStore implements AlertStateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(tenantId: string): Promise<StoredAlertState | undefined> {
    const row = await this.db
      .selectFrom('alert_states')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      state: readJson(jsonRecordSchema, row.state, 'alert_states', row.tenant_id),
      ...(row.due_at === null ? {} : { dueAt: Number(row.due_at) }),
      version: Number(row.version),
    };
  }

  async put(
    tenantId: string,
    state: Readonly<Record<string, unknown>>,
    dueAt: number | undefined,
    version: number,
  ): Promise<boolean> {
    const values = { state: JSON.stringify(state), due_at: dueAt ?? null, version: version + 1 };
    if (version === 0) {
      const row = await this.db
        .insertInto('alert_states')
        .values({ tenant_id: tenantId, ...values })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .returning('tenant_id')
        .executeTakeFirst();
      return row !== undefined;
    }
    const res = await this.db
      .updateTable('alert_states')
      .set(values)
      .where('tenant_id', '=', tenantId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async due(now: number): Promise<readonly string[]> {
    const rows = await this.db
      .selectFrom('alert_states')
      .select('tenant_id')
      .where('due_at', 'is not', null)
      .where('due_at', '<=', now)
      .execute();
    return rows.map((r) => r.tenant_id);
  }
}
