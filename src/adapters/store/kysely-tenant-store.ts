import type { Kysely, Selectable } from 'kysely';
import type { Clock, ConnectionKind, TenantStore } from '../../application/ports.js';
import { PARTNER_PLATFORMS, type Tenant } from '../../domain/tenant.js';
import { CryptoBoxError, type CryptoBox } from './crypto-box.js';
import type { Database, TenantsTable } from './kysely-schema.js';
import { readJson, stringRecordSchema } from './kysely-row-codec.js';
import { StoreCorruptRowError, StoreSecretError } from './store-errors.js';

const toTenant = (r: Selectable<TenantsTable>): Tenant => {
  const platform = PARTNER_PLATFORMS.find((p) => p === r.partner_platform);
  if (!platform) throw new StoreCorruptRowError('tenants', r.id, `unknown partner platform ${r.partner_platform}`);
  return {
    id: r.id,
    name: r.name,
    acdBusinessUnitId: r.acd_business_unit_id,
    entraTenantId: r.entra_tenant_id,
    partnerPlatform: platform,
    syncEnabled: r.sync_enabled === 1,
  };
};

/** Tenants, and their connection settings sealed with AES-256-GCM bound to (tenant, kind). */
export class KyselyTenantStore implements TenantStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly box: CryptoBox,
  ) {}

  async get(tenantId: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
    return row && toTenant(row);
  }

  async list(): Promise<readonly Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('id').execute();
    return rows.map(toTenant);
  }

  async upsert(t: Tenant): Promise<void> {
    const values = {
      name: t.name,
      acd_business_unit_id: t.acdBusinessUnitId,
      entra_tenant_id: t.entraTenantId,
      partner_platform: t.partnerPlatform,
      sync_enabled: t.syncEnabled ? 1 : 0,
      updated_at: this.clock.now(),
    };
    await this.db
      .insertInto('tenants')
      .values({ id: t.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async getConnection(tenantId: string, kind: ConnectionKind): Promise<Record<string, string> | undefined> {
    const row = await this.db
      .selectFrom('tenant_connections')
      .select('sealed')
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (!row) return undefined;
    let plaintext: string;
    try {
      plaintext = this.box.open(row.sealed, aad(tenantId, kind));
    } catch (e) {
      if (e instanceof CryptoBoxError)
        throw new StoreSecretError(`Connection ${kind} of tenant ${tenantId} cannot be decrypted: ${e.message}`, {
          cause: e,
        });
      throw e;
    }
    return readJson(stringRecordSchema, plaintext, 'tenant_connections', `${tenantId}/${kind}`);
  }

  async putConnection(tenantId: string, kind: ConnectionKind, values: Record<string, string>): Promise<void> {
    const sealed = this.box.seal(JSON.stringify(values), aad(tenantId, kind));
    const updated_at = this.clock.now();
    await this.db
      .insertInto('tenant_connections')
      .values({ tenant_id: tenantId, kind, sealed, updated_at })
      .onConflict((oc) => oc.columns(['tenant_id', 'kind']).doUpdateSet({ sealed, updated_at }))
      .execute();
  }

  /**
   * Key rotation: re-seals every connection sealed with an older key under the current one, each
   * row guarded by its old ciphertext (a concurrent update wins). Returns how many were re-sealed.
   */
  async resealConnections(): Promise<number> {
    const rows = await this.db.selectFrom('tenant_connections').select(['tenant_id', 'kind', 'sealed']).execute();
    let count = 0;
    for (const r of rows.filter((row) => this.box.isStale(row.sealed))) {
      const bound = aad(r.tenant_id, r.kind);
      const sealed = this.box.seal(this.box.open(r.sealed, bound), bound);
      const res = await this.db
        .updateTable('tenant_connections')
        .set({ sealed })
        .where('tenant_id', '=', r.tenant_id)
        .where('kind', '=', r.kind)
        .where('sealed', '=', r.sealed)
        .executeTakeFirst();
      count += Number(res.numUpdatedRows);
    }
    return count;
  }
}

const aad = (tenantId: string, kind: string): string => `tenant_connections|${tenantId}|${kind}`;
