import type { Kysely, Selectable } from 'kysely';
import type { TenantAdmin, TenantAdminStore } from '../../application/ports.js';
import type { Database, TenantAdminsTable } from './kysely-schema.js';
import { StoreCorruptRowError } from './store-errors.js';

const SOURCES = ['sso', 'owner', 'sandbox'] as const;
const ROLES = ['admin', 'support'] as const;

const toAdmin = (r: Selectable<TenantAdminsTable>): TenantAdmin => {
  const source = SOURCES.find((s) => s === r.source);
  if (!source)
    throw new StoreCorruptRowError('tenant_admins', `${r.tenant_id}/${r.aad_object_id}`, `unknown source ${r.source}`);
  const role = ROLES.find((x) => x === r.role);
  if (!role)
    throw new StoreCorruptRowError('tenant_admins', `${r.tenant_id}/${r.aad_object_id}`, `unknown role ${r.role}`);
  return {
    tenantId: r.tenant_id,
    aadObjectId: r.aad_object_id,
    name: r.name,
    source,
    role,
    lastSeen: Number(r.last_seen),
  };
};

/** Known tenant admins (the bot's alert recipients), one row per (tenant, Entra object id). */
export class KyselyTenantAdminStore implements TenantAdminStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(admin: TenantAdmin): Promise<void> {
    const row = { name: admin.name, source: admin.source, role: admin.role ?? 'admin', last_seen: admin.lastSeen };
    await this.db
      .insertInto('tenant_admins')
      .values({ tenant_id: admin.tenantId, aad_object_id: admin.aadObjectId, ...row })
      .onConflict((oc) => oc.columns(['tenant_id', 'aad_object_id']).doUpdateSet(row))
      .execute();
  }

  async get(tenantId: string, aadObjectId: string): Promise<TenantAdmin | undefined> {
    const row = await this.db
      .selectFrom('tenant_admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('aad_object_id', '=', aadObjectId)
      .executeTakeFirst();
    return row && toAdmin(row);
  }

  async list(tenantId: string): Promise<readonly TenantAdmin[]> {
    const rows = await this.db
      .selectFrom('tenant_admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('aad_object_id')
      .execute();
    return rows.map(toAdmin);
  }

  async remove(tenantId: string, aadObjectId: string): Promise<void> {
    await this.db
      .deleteFrom('tenant_admins')
      .where('tenant_id', '=', tenantId)
      .where('aad_object_id', '=', aadObjectId)
      .execute();
  }
}
