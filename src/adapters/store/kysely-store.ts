import type { Clock, Store } from '../../application/ports.js';
import { CryptoBox } from './crypto-box.js';
import { KyselyAgentStateStore } from './kysely-agent-state-store.js';
import { KyselyAlertStateStore } from './kysely-alert-state-store.js';
import { KyselyConversationStore } from './kysely-conversation-store.js';
import { openDatabase, type StoreLocation } from './kysely-database.js';
import { KyselyHealthSnapshotStore } from './kysely-health-snapshot-store.js';
import { KyselyInboxStore } from './kysely-inbox-store.js';
import { KyselyLeaseStore } from './kysely-lease-store.js';
import { KyselyLifecycleEventStore } from './kysely-lifecycle-event-store.js';
import { KyselyTenantSignalStore } from './kysely-tenant-signal-store.js';
import { KyselyNotificationKeyStore } from './kysely-notification-key-store.js';
import { KyselyRateWindowStore } from './kysely-rate-window-store.js';
import { KyselyRuleStore } from './kysely-rule-store.js';
import { KyselySubscriptionStore } from './kysely-subscription-store.js';
import { KyselyTenantAdminStore } from './kysely-tenant-admin-store.js';
import { KyselyTenantStore } from './kysely-tenant-store.js';
import { KyselyTraceStore } from './kysely-trace-store.js';
import { KyselyUserLinkStore } from './kysely-user-link-store.js';

export type { StoreLocation } from './kysely-database.js';

/** Options of the Kysely store. */
export interface KyselyStoreOptions {
  /** SQLite file (or `:memory:`) or PostgreSQL. */
  readonly location: StoreLocation;
  /** 32-byte AES keys; the first seals, all open (rotation: prepend the new key). */
  readonly encryptionKeys: readonly Buffer[];
  readonly clock: Clock;
}

/** The Store, plus the maintenance operations only the Kysely store has (purge, re-seal). */
export type KyselyStore = Store & { readonly inbox: KyselyInboxStore; readonly tenants: KyselyTenantStore };

/** The Store over Kysely: opens the database, applies migrations, and wires the repositories. */
export async function createKyselyStore(options: KyselyStoreOptions): Promise<KyselyStore> {
  const { location, clock } = Object.freeze({ ...options });
  const box = new CryptoBox(options.encryptionKeys);
  const { db, migrationsApplied, close } = await openDatabase(location);
  let closed = false;
  const inbox = new KyselyInboxStore(db, clock);
  return Object.freeze({
    tenants: new KyselyTenantStore(db, clock, box),
    rules: new KyselyRuleStore(db, clock),
    userLinks: new KyselyUserLinkStore(db, clock),
    agentStates: new KyselyAgentStateStore(db, clock),
    inbox,
    traces: new KyselyTraceStore(db),
    subscriptions: new KyselySubscriptionStore(db, box),
    conversations: new KyselyConversationStore(db),
    leases: new KyselyLeaseStore(db, clock),
    tenantAdmins: new KyselyTenantAdminStore(db),
    notificationKeys: new KyselyNotificationKeyStore(db, box),
    rateWindows: new KyselyRateWindowStore(db),
    healthSnapshots: new KyselyHealthSnapshotStore(db),
    lifecycleEvents: new KyselyLifecycleEventStore(db),
    alertStates: new KyselyAlertStateStore(db),
    tenantSignals: new KyselyTenantSignalStore(db),
    async ready() {
      if (closed) return false;
      try {
        return await migrationsApplied();
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await inbox.flushed();
      await close();
    },
  });
}
