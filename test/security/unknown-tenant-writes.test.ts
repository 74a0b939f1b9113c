import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/*
 * Issue 15 item 7, from the attacker's side: any Microsoft 365 tenant can sign in to a multi-tenant
 * app, and an admin of a tenant that was never set up here could write settings and connection
 * rows (with a CXone secret) into our store. The request is refused and nothing is stored.
 */
const STRANGER = '99999999-9999-4999-8999-999999999999';

describe('a signed-in admin of a tenant that is not set up', () => {
  let entra: LocalEntra;
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    entra = await LocalEntra.start();
    api = await new ApiHarness(entra).start();
    token = await entra.token({ tid: STRANGER });
  });
  afterAll(async () => {
    await api.close();
    await entra.close();
  });

  it.each([
    ['PUT', '/api/v1/settings', { reconciliationPeriodSec: 600, traceRetentionDays: 7 }],
    ['PUT', '/api/v1/connections/cxone', { clientId: 'c', clientSecret: 's', accessKeyId: 'k', accessKeySecret: 'ks' }],
  ])('%s %s is refused with 404 TENANT.NOT_ONBOARDED and stores nothing', async (method, path, body) => {
    const r = await api.call(method, path, { token, body });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 'TENANT.NOT_ONBOARDED' });
    for (const kind of ['settings', 'cxone'] as const)
      expect(await api.store.tenants.getConnection(STRANGER, kind)).toBeUndefined();
    expect(await api.store.tenants.get(STRANGER)).toBeUndefined();
  });
});
