import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from './kysely-migrations.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * What several instances behind a load balancer share so any of them answers like the tenant's
 * owner (issue 14): the owner's Health Check snapshot, Graph lifecycle events for the owner to act
 * on, and the bot's alert pacing. Plus an index for the Log Reader's live tail through the store.
 */
export function sharedInstanceState(dialect: StoreDialect): Migration {
  const seqType = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('tenant_health')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('lifecycle_events')
        .addColumn('seq', seqType, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('handled_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('lifecycle_events_pending')
        .on('lifecycle_events')
        .columns(['tenant_id', 'seq'])
        .where(sql.ref('handled_at'), 'is', null)
        .execute();
      await db.schema
        .createTable('alert_states')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('due_at', 'bigint')
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      for (const t of ['alert_states', 'lifecycle_events', 'tenant_health'])
        await db.schema.dropTable(t).ifExists().execute();
    },
  };
}

/**
 * A change saved through one instance, for the others to notice cheaply (issue 14): one counter
 * per tenant and signal, read by primary key every second by whoever acts on it.
 */
export const tenantSignals: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('tenant_signals')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('signal', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('raised_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tenant_signals_pk', ['tenant_id', 'signal'])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable('tenant_signals').ifExists().execute();
  },
};
