import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { withOnboardingHealth } from '../../src/compose/onboarding.js';
import type { Tenant } from '../../src/domain/tenant.js';
import { isolatedLocation, testKey, type TestStoreHandle } from '../adapters/store/store-harness.js';

/**
 * What the Health Check says of a tenant on its way through onboarding must not depend on which
 * instance answers or on whether an ownership round has already taken the tenant's lease.
 */
describe('Health Check of a tenant during onboarding', () => {
  let db: TestStoreHandle;
  let store: KyselyStore;
  const tenant: Tenant = {
    id: 't-fabrikam',
    name: 'Fabrikam',
    acdBusinessUnitId: '',
    entraTenantId: 'entra-fabrikam',
    partnerPlatform: 'msteams',
    syncEnabled: false,
  };
  /** What no holder answers (every instance, before a round took the lease). */
  const nobodyHolds = {
    tenantId: tenant.id,
    status: 'down',
    syncActive: false,
    syncDetail: 'no instance runs the sync now (waiting for one to take it over)',
    components: [{ component: 'sync', status: 'down', detail: 'no instance runs the sync now', since: 1_000 }],
    ownership: { here: false },
  };
  /** What the holder answers once a round took the lease of a tenant it could build nothing for. */
  const heldWithNothingBuilt = {
    tenantId: tenant.id,
    status: 'ok',
    syncActive: false,
    syncDetail: ' (instance i-1)',
    components: [],
    ownership: { holder: 'i-1', here: false },
  };

  beforeAll(async () => {
    db = isolatedLocation('sqlite');
    store = await db.open([testKey()], { now: () => Date.now() });
  });
  afterAll(async () => {
    await store?.close();
    await db?.dispose();
  });

  // What the sync builds from: here the stored connection only (no deployment-wide CXone credentials).
  const answer = (snapshot: Record<string, unknown>) =>
    withOnboardingHealth(
      { tenantHealth: async () => snapshot },
      store,
      async (t) => (await store.tenants.getConnection(t, 'cxone')) !== undefined,
    ).tenantHealth(tenant.id);

  it('names the onboarding step while the tenant does not exist', async () => {
    const h = await answer(nobodyHolds);
    expect(h).toMatchObject({ status: 'down', onboarded: false, syncActive: false });
    expect((h['components'] as { component: string }[])[0]).toMatchObject({ component: 'onboarding', status: 'down' });
  });

  it('says sync waits for CXone, the same whether or not an instance already holds the tenant', async () => {
    await store.tenants.upsert(tenant);
    const before = await answer(nobodyHolds);
    const after = await answer(heldWithNothingBuilt);
    for (const h of [before, after]) {
      expect(h).toMatchObject({
        status: 'down',
        syncActive: false,
        syncDetail: expect.stringMatching(/once CXone is connected/),
      });
      expect(h['components']).toEqual([
        expect.objectContaining({
          component: 'sync',
          status: 'down',
          detail: expect.stringMatching(/once CXone is connected/),
        }),
      ]);
    }
  });

  it('passes the holder’s snapshot through once CXone is connected', async () => {
    await store.tenants.putConnection(tenant.id, 'cxone', { clientId: 'c', clientSecret: 's' });
    expect(await answer(heldWithNothingBuilt)).toEqual(heldWithNothingBuilt);
  });
});
