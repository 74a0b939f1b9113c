import type { Kysely, Selectable } from 'kysely';
import type { StoredSubscription, SubscriptionStore } from '../../application/ports.js';
import { CryptoBoxError, type CryptoBox } from './crypto-box.js';
import { StoreSecretError } from './store-errors.js';
import { readJson, stringArraySchema } from './kysely-row-codec.js';
import type { Database, GraphSubscriptionsTable } from './kysely-schema.js';

/**
 * The clientState is the shared secret every notification of the subscription must carry: whoever
 * reads it from a backup or a dump can forge notifications, so it is sealed like every other secret,
 * bound to its subscription (a value copied to another row does not open). Rows written before it
 * was sealed hold it in plain text (no `v1.` envelope) and are sealed at their next renewal.
 */
const clientStateAad = (subscriptionId: string): string => `graph_subscriptions/${subscriptionId}/client_state`;
const LEGACY_PLAIN = (value: string): boolean => !value.startsWith('v1.');

function openClientState(r: Selectable<GraphSubscriptionsTable>, box: CryptoBox): string {
  if (LEGACY_PLAIN(r.client_state)) return r.client_state;
  try {
    return box.open(r.client_state, clientStateAad(r.subscription_id));
  } catch (e) {
    if (e instanceof CryptoBoxError)
      throw new StoreSecretError(`clientState of subscription ${r.subscription_id} cannot be decrypted: ${e.message}`, {
        cause: e,
      });
    throw e;
  }
}

const toSub = (r: Selectable<GraphSubscriptionsTable>, box: CryptoBox): StoredSubscription => ({
  tenantId: r.tenant_id,
  subscriptionId: r.subscription_id,
  ownerId: r.owner_id,
  resource: r.resource,
  userIds: readJson(stringArraySchema, r.user_ids, 'graph_subscriptions', r.subscription_id),
  clientState: openClientState(r, box),
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  ...(r.encryption_certificate_id ? { encryptionCertificateId: r.encryption_certificate_id } : {}),
});

/**
 * Graph presence subscriptions. `byId` is not tenant-scoped on purpose: a webhook names only the
 * subscription, and the stored row is what tells us its tenant (and the clientState to check).
 */
export class KyselySubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: CryptoBox,
  ) {}

  async list(tenantId: string): Promise<readonly StoredSubscription[]> {
    const rows = await this.db
      .selectFrom('graph_subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('subscription_id')
      .execute();
    return rows.map((r) => toSub(r, this.box));
  }

  async put(s: StoredSubscription): Promise<void> {
    const row = {
      tenant_id: s.tenantId,
      owner_id: s.ownerId,
      resource: s.resource,
      user_ids: JSON.stringify(s.userIds),
      client_state: this.box.seal(s.clientState, clientStateAad(s.subscriptionId)),
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
    return row && toSub(row, this.box);
  }

  async ids(): Promise<readonly string[]> {
    const rows = await this.db.selectFrom('graph_subscriptions').select('subscription_id').execute();
    return rows.map((r) => r.subscription_id);
  }
}
