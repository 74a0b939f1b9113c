import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { sharedInstanceState, tenantSignals } from './kysely-shared-state-migration.js';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The schema, as migrations in code (no files read at runtime, so a bundled build migrates too).
 * Names are ordered by their numeric prefix; a shipped migration is never edited, only followed.
 * Kysely hands migrations an untyped Kysely: the schema changes over time, so no one interface fits.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

type SeqTable = (db: AnyDb, table: string) => ReturnType<AnyDb['schema']['createTable']>;

/** Tenants and their sealed connection settings. */
async function tenantTables(db: AnyDb, _seq: SeqTable): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('acd_business_unit_id', 'text', (c) => c.notNull())
    .addColumn('entra_tenant_id', 'text', (c) => c.notNull())
    .addColumn('partner_platform', 'text', (c) => c.notNull())
    .addColumn('sync_enabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tenant_connections')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tenant_connections_pk', ['tenant_id', 'kind'])
    .execute();
}

/** Presence rules, the audit log, and user links (unique per tenant on both sides). */
async function ruleTables(db: AnyDb, seq: SeqTable): Promise<void> {
  await db.schema
    .createTable('presence_rules')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('presence_rules_pk', ['tenant_id', 'id'])
    .execute();
  await seq(db, 'audit_log')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('audit_log_tenant_seq').on('audit_log').columns(['tenant_id', 'seq']).execute();
  await db.schema
    .createTable('user_links')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('teams_user_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_links_pk', ['tenant_id', 'agent_id'])
    .addUniqueConstraint('user_links_teams_user_uq', ['tenant_id', 'teams_user_id'])
    .execute();
}

/** The engine's per-agent state and the durable inbox. */
async function syncTables(db: AnyDb, seq: SeqTable): Promise<void> {
  await db.schema
    .createTable('agent_states')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_states_pk', ['tenant_id', 'agent_id'])
    .execute();
  await seq(db, 'inbox')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed_at', 'bigint')
    .addUniqueConstraint('inbox_event_uq', ['tenant_id', 'event_id'])
    .execute();
  await db.schema.createIndex('inbox_pending').on('inbox').columns(['tenant_id', 'processed', 'seq']).execute();
  await db.schema
    .createIndex('inbox_agent')
    .on('inbox')
    .columns(['tenant_id', 'agent_id', 'processed', 'seq'])
    .execute();
}

/** Log Reader events. */
async function traceTables(db: AnyDb, seq: SeqTable): Promise<void> {
  await seq(db, 'trace_events')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('teams_user_id', 'text')
    .addColumn('trace_id', 'text', (c) => c.notNull())
    .addColumn('hop', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('latency_ms', 'integer')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addUniqueConstraint('trace_events_id_uq', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('trace_events_agent_at')
    .on('trace_events')
    .columns(['tenant_id', 'agent_id', 'at'])
    .execute();
  await db.schema.createIndex('trace_events_trace').on('trace_events').columns(['tenant_id', 'trace_id']).execute();
  await db.schema.createIndex('trace_events_at').on('trace_events').columns(['at']).execute();
}

/** Graph subscriptions, bot conversation references and leases. */
async function integrationTables(db: AnyDb, _seq: SeqTable): Promise<void> {
  await db.schema
    .createTable('graph_subscriptions')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('user_ids', 'text', (c) => c.notNull())
    .addColumn('client_state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('graph_subscriptions_tenant').on('graph_subscriptions').columns(['tenant_id']).execute();
  await db.schema
    .createTable('conversation_refs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('installed_by', 'text')
    .addPrimaryKeyConstraint('conversation_refs_pk', ['tenant_id', 'conversation_id'])
    .execute();
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

function initialSchema(dialect: StoreDialect): Migration {
  // A row id that grows with insertion order: seq orders the inbox and the traces.
  const seqType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const seq: SeqTable = (db, table) =>
    db.schema
      .createTable(table)
      .addColumn('seq', seqType, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()));
  return {
    async up(db: AnyDb) {
      for (const create of [tenantTables, ruleTables, syncTables, traceTables, integrationTables])
        await create(db, seq);
    },
    async down(db: AnyDb) {
      for (const t of [
        'leases',
        'conversation_refs',
        'graph_subscriptions',
        'trace_events',
        'inbox',
        'agent_states',
        'user_links',
        'audit_log',
        'presence_rules',
        'tenant_connections',
        'tenants',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/**
 * Unprocessed inbox entries are few and hot while processed ones pile up until purged: partial
 * indexes on `processed = 0` keep `pending` and `depth` independent of the backlog of done work.
 */
const pendingIndexes: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createIndex('inbox_unprocessed')
      .on('inbox')
      .columns(['tenant_id', 'seq'])
      .where(sql.ref('processed'), '=', 0)
      .execute();
    await db.schema
      .createIndex('inbox_waiting')
      .on('inbox')
      .columns(['tenant_id', 'retry_at'])
      .where(sql.ref('processed'), '=', 0)
      .execute();
    await db.schema
      .createIndex('inbox_processed_at')
      .on('inbox')
      .columns(['processed_at'])
      .where(sql.ref('processed'), '=', 1)
      .execute();
  },
  async down(db: AnyDb) {
    for (const name of ['inbox_unprocessed', 'inbox_waiting', 'inbox_processed_at'])
      await db.schema.dropIndex(name).ifExists().execute();
  },
};

/** Users known to be tenant admins (from their SSO tokens at the tab API): the bot alerts their conversations. */
const tenantAdmins: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('tenant_admins')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('aad_object_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tenant_admins_pk', ['tenant_id', 'aad_object_id'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('tenant_admins').ifExists().execute();
  },
};

/**
 * Rich Graph notifications: the key pair Graph encrypts resource data to (one row per slot:
 * `current`, or `retired:<certificate id>` kept for decryption during a rotation), and which
 * certificate each subscription was created with (none: a subscription without resource data).
 */
const notificationKeys: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('notification_keys')
      .addColumn('slot', 'text', (c) => c.primaryKey())
      .addColumn('certificate_id', 'text', (c) => c.notNull())
      .addColumn('certificate', 'text', (c) => c.notNull())
      .addColumn('sealed_private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('graph_subscriptions').addColumn('encryption_certificate_id', 'text').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('graph_subscriptions').dropColumn('encryption_certificate_id').execute();
    await db.schema.dropTable('notification_keys').ifExists().execute();
  },
};

/** The tab API's request counts shared by the instances (RateWindowStore). */
const apiRateWindows: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('api_rate_windows')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('api_rate_windows_pk', ['key', 'window_start'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('api_rate_windows').ifExists().execute();
  },
};

/** The role a tenant user was seen with: support staff get the bot's read commands too (issue 17). */
const tenantAdminRoles: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable('tenant_admins')
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('admin'))
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('tenant_admins').dropColumn('role').execute();
  },
};

/**
 * Rich notifications are stored still encrypted and opened after the webhook's acknowledgement
 * (issue 16): the inbox keeps the sealed resource data next to its event until it is processed.
 */
const inboxSealedResource: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('inbox').addColumn('sealed', 'text').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('inbox').dropColumn('sealed').execute();
  },
};

/** Every migration of the store, by name. */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_initial_schema': initialSchema(dialect),
    '0002_inbox_pending_indexes': pendingIndexes,
    '0003_tenant_admins': tenantAdmins,
    '0004_notification_keys': notificationKeys,
    '0005_api_rate_windows': apiRateWindows,
    '0006_tenant_admin_roles': tenantAdminRoles,
    '0007_shared_instance_state': sharedInstanceState(dialect),
    '0008_tenant_signals': tenantSignals,
    '0009_inbox_sealed_resource': inboxSealedResource,
  };
  return { getMigrations: async () => migrations };
}
