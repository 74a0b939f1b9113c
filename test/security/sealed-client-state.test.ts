import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import type { StoredSubscription } from '../../src/application/ports.js';
import { isolatedLocation, TestClock, testKey, type TestStoreHandle } from '../adapters/store/store-harness.js';

/*
 * Issue 15 item 7, from the attacker's side: the webhook clientState is the secret every Graph
 * notification must carry, and it sat in plain text while every other secret was sealed. Whoever
 * reads a backup or a dump of the database must not find it, and one who can write to it must not
 * make a subscription accept another subscription's clientState by copying the sealed value over.
 */
const subscription = (id: string, clientState: string): StoredSubscription => ({
  tenantId: 'tenant-a',
  subscriptionId: id,
  ownerId: 'owner-1',
  resource: '/communications/presences?$filter=id in (...)',
  userIds: ['u1'],
  clientState,
  expiresAt: 2_000_000_000_000,
  createdAt: 1_000,
});

describe('the stored webhook clientState', () => {
  let db: TestStoreHandle;
  let store: KyselyStore;
  beforeEach(async () => {
    db = isolatedLocation('sqlite');
    store = await db.open([testKey()], new TestClock());
  });
  afterEach(async () => {
    await store.close();
    await db.dispose();
  });

  it('is not readable from the database, and reads back whole through the store', async () => {
    await store.subscriptions.put(subscription('sub-1', 'client-state-secret-1'));
    const rows = await db.raw('select * from graph_subscriptions');
    expect(JSON.stringify(rows)).not.toContain('client-state-secret-1');
    expect((await store.subscriptions.byId('sub-1'))?.clientState).toBe('client-state-secret-1');
  });

  it("copied onto another subscription's row, does not open there", async () => {
    await store.subscriptions.put(subscription('sub-1', 'client-state-secret-1'));
    await store.subscriptions.put(subscription('sub-2', 'client-state-secret-2'));
    const [row] = await db.raw('select client_state from graph_subscriptions where subscription_id = ?', ['sub-1']);
    await db.raw('update graph_subscriptions set client_state = ? where subscription_id = ?', [
      row?.['client_state'],
      'sub-2',
    ]);
    await expect(store.subscriptions.byId('sub-2')).rejects.toMatchObject({ code: 'STORE.SECRET_UNREADABLE' });
  });

  it('written in plain text before it was sealed, still reads, and is sealed when the subscription is renewed', async () => {
    await store.subscriptions.put(subscription('sub-old', 'whatever'));
    await db.raw('update graph_subscriptions set client_state = ? where subscription_id = ?', [
      'legacy-plain',
      'sub-old',
    ]);
    const legacy = await store.subscriptions.byId('sub-old');
    expect(legacy?.clientState).toBe('legacy-plain');
    await store.subscriptions.put({ ...legacy!, expiresAt: legacy!.expiresAt + 1 });
    expect(JSON.stringify(await db.raw('select * from graph_subscriptions'))).not.toContain('legacy-plain');
  });
});
