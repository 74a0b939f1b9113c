import type { Kysely, Selectable } from 'kysely';
import type { StoredSubscription, SubscriptionStore } from '../../application/ports.js';
import { readJson, stringArraySchema } from './kysely-row-codec.js';
import type { Database, GraphSubscriptionsTable } from './kysely-schema.js';

const toSub = (r: Selectable<GraphSubscriptionsTable>): StoredSubscription => ({
  tenantId: r.tenant_id,
  subscriptionId: r.subscription_id,
  ownerId: r.owner_id,
  resource: r.resource,
  userIds: readJson(stringArraySchema, r.user_ids, 'graph_subscriptions', r.subscription_id),
  clientState: r.client_state,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  ...(r.encryption_certificate_id ? { encryptionCertificateId: r.encryption_certificate_id } : {}),
});

/**
 * Graph presence subscriptions. `byId` is not tenant-scoped on purpose: a webhook names only the
 * subscription, and the stored row is what tells us its tenant (and the clientState to check).
 */
export class KyselySubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(tenantId: string): Promise<readonly StoredSubscription[]> {
    const rows = await this.db
      .selectFrom('graph_subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('subscription_id')
      .execute();
    return rows.map(toSub);
  }

  async put(s: StoredSubscription): Promise<void> {
    const row = {
      tenant_id: s.tenantId,
      owner_id: s.ownerId,
      resource: s.resource,
      user_ids: JSON.stringify(s.userIds),
      client_state: s.clientState,
      expires_at: s.expiresAt,
      created_at: s.createdAt,
      encryption_certificate_id: s.encryptionCertificateId ?? null,
    };
    await this.db.transaction().execute(async (trx) => {
      // A subscription id never moves between tenants: an update from another tenant is refused.
      const existing = await trx
        .selectFrom('graph_subscriptions')
        .select('tenant_id')
        .where('subscription_id', '=', s.subscriptionId)
        .executeTakeFirst();
      if (existing && existing.tenant_id !== s.tenantId)
        throw new Error(`Subscription ${s.subscriptionId} belongs to another tenant`);
      await trx
        .insertInto('graph_subscriptions')
        .values({ subscription_id: s.subscriptionId, ...row })
        .onConflict((oc) => oc.column('subscription_id').doUpdateSet(row))
        .execute();
    });
  }

  async remove(tenantId: string, subscriptionId: string): Promise<void> {
    await this.db
      .deleteFrom('graph_subscriptions')
      .where('tenant_id', '=', tenantId)
      .where('subscription_id', '=', subscriptionId)
      .execute();
  }

  async byId(subscriptionId: string): Promise<StoredSubscription | undefined> {
    const row = await this.db
      .selectFrom('graph_subscriptions')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst();
    return row && toSub(row);
  }

  async ids(): Promise<readonly string[]> {
    const rows = await this.db.selectFrom('graph_subscriptions').select('subscription_id').execute();
    return rows.map((r) => r.subscription_id);
  }
}
