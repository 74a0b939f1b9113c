import type { Kysely } from 'kysely';
import type { TenantSignal, TenantSignalStore } from '../../application/ports.js';
import type { Database } from './kysely-schema.js';

/** One row per tenant and signal; raising is one upsert that adds 1, so concurrent raises all count. */
export class KyselyTenantSignalStore implements TenantSignalStore {
  constructor(private readonly db: Kysely<Database>) {}

  async raise(tenantId: string, signal: TenantSignal, at: number): Promise<number> {
    const row = await this.db
      .insertInto('tenant_signals')
      .values({ tenant_id: tenantId, signal, version: 1, raised_at: at })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'signal']).doUpdateSet((eb) => ({
          version: eb('tenant_signals.version', '+', 1),
          raised_at: eb.ref('excluded.raised_at'),
        })),
      )
      .returning('version')
      .executeTakeFirstOrThrow();
    return Number(row.version);
  }

  async versions(signal: TenantSignal, tenantIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    if (tenantIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('tenant_signals')
      .select(['tenant_id', 'version'])
      .where('signal', '=', signal)
      .where('tenant_id', 'in', [...tenantIds])
      .execute();
    return new Map(rows.map((r) => [r.tenant_id, Number(r.version)]));
  }
}
