import { ADMIN_ROLE, SUPPORT_ROLE } from '../../../../src/domain/access.js';
import { ApiHarness, TENANT_A, TENANT_B } from './fakes/api-harness.js';
import { APP_ID_URI, CLIENT_ID, LocalEntra } from './fakes/local-entra.js';

let entra: LocalEntra;
let api: ApiHarness;

beforeAll(async () => {
  entra = await LocalEntra.start();
  api = await new ApiHarness(entra).start();
});
afterAll(async () => {
  await api.close();
  await entra.close();
});

const expectProblem = (
  r: { status: number; contentType: string; json: Record<string, unknown> },
  status: number,
  code: string,
) => {
  expect(r.status).toBe(status);
  expect(r.contentType).toMatch(/^application\/problem\+json/);
  expect(r.json).toMatchObject({ status, code, type: `urn:presence-sync:problem:${code}` });
  expect(typeof r.json['title']).toBe('string');
};

describe('SSO token validation (401 problem+json for every unacceptable token)', () => {
  it('accepts a v2 token of the tenant (aud = client id)', async () => {
    const r = await api.call('GET', '/api/v1/me', { token: await entra.token({ tid: TENANT_A }) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ tenantId: TENANT_A, access: 'admin' });
  });

  it("names the app's client id, so the Setup page can link to admin consent without a ?clientId= in the URL", async () => {
    const r = await api.call('GET', '/api/v1/me', { token: await entra.token({ tid: TENANT_A }) });
    expect(r.json['appClientId']).toBe(CLIENT_ID);
  });

  it('accepts a v1 token (sts.windows.net issuer, App ID URI audience)', async () => {
    const token = await entra.token({ tid: TENANT_A, iss: `https://sts.windows.net/${TENANT_A}/`, aud: APP_ID_URI });
    expect((await api.call('GET', '/api/v1/me', { token })).status).toBe(200);
  });

  it.each([
    ['missing', async () => undefined, 'AUTH.MISSING_TOKEN'],
    ['expired', () => entra.token({ tid: TENANT_A, expiresInSec: -3600 }), 'AUTH.INVALID_TOKEN'],
    ['forged (signed by another key)', () => entra.token({ tid: TENANT_A, signWith: 'forger' }), 'AUTH.INVALID_TOKEN'],
    [
      'for another audience',
      () => entra.token({ tid: TENANT_A, aud: 'https://graph.microsoft.com' }),
      'AUTH.INVALID_TOKEN',
    ],
    [
      'from another issuer',
      () => entra.token({ tid: TENANT_A, iss: 'https://evil.example/v2.0' }),
      'AUTH.INVALID_TOKEN',
    ],
    [
      'issued by tenant B for tenant A',
      () => entra.token({ tid: TENANT_A, iss: `https://login.microsoftonline.com/${TENANT_B}/v2.0` }),
      'AUTH.INVALID_TOKEN',
    ],
    [
      'without the access_as_user scope',
      () => entra.token({ tid: TENANT_A, extra: { scp: 'User.Read' } }),
      'AUTH.INVALID_TOKEN',
    ],
  ])('refuses a %s token', async (_what, make, code) => {
    const token = await make();
    const r = await api.call('GET', '/api/v1/rules', token ? { token } : {});
    expectProblem(r, 401, code);
    expect(r.json['detail']).toEqual(expect.any(String));
  });

  it('refuses a token that is not a JWT at all', async () => {
    expectProblem(await api.call('GET', '/api/v1/rules', { token: 'not-a-jwt' }), 401, 'AUTH.MISSING_TOKEN');
  });
});

describe('roles', () => {
  it('refuses every route to a user without a Presence Sync role (403)', async () => {
    const token = await entra.token({ tid: TENANT_A, roles: [] });
    expectProblem(await api.call('GET', '/api/v1/health', { token }), 403, 'AUTH.NO_ROLE');
    expectProblem(await api.call('GET', '/api/v1/rules', { token }), 403, 'AUTH.NO_ROLE');
  });

  it('lets support staff read Health Check and Log Reader but nothing else', async () => {
    const token = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    expect((await api.call('GET', '/api/v1/health', { token })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/trace?agent=agent-a1', { token })).status).toBe(200);
    expectProblem(await api.call('GET', '/api/v1/rules', { token }), 403, 'AUTH.ADMIN_REQUIRED');
    expectProblem(
      await api.call('PUT', '/api/v1/settings', {
        token,
        body: { reconciliationPeriodSec: 600, traceRetentionDays: 7 },
      }),
      403,
      'AUTH.ADMIN_REQUIRED',
    );
  });

  it('refuses every write route to support staff and changes nothing', async () => {
    const token = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    // The one non-GET route open to any signed-in user: onboarding's sign-in, which creates a tenant only for an admin.
    expect(api.routes.filter((r) => r.method !== 'get' && r.access !== 'admin').map((r) => r.operationId)).toEqual([
      'onboardingSignIn',
    ]);
    const writes = api.routes.filter((r) => r.method !== 'get' && r.access === 'admin');
    expect(writes.length).toBeGreaterThan(8);
    for (const r of writes) {
      const path = `/api/v1${r.path.replace(/:[A-Za-z]+/g, 'x')}`;
      const res = await api.call(r.method === 'del' ? 'DELETE' : r.method.toUpperCase(), path, { token, body: {} });
      expect([r.operationId, res.status]).toEqual([r.operationId, 403]);
    }
    expect(api.store.rules.log).toHaveLength(0);
    expect(api.store.userLinks.links).toHaveLength(0);
  });

  it('an admin of tenant A is admin only in tenant A: the role comes from the token of that tenant', async () => {
    const token = await entra.token({ tid: TENANT_B, roles: [ADMIN_ROLE] });
    const me = await api.call('GET', '/api/v1/me', { token });
    expect(me.json['tenantId']).toBe(TENANT_B);
  });
});

describe('unknown routes', () => {
  it('answer problem+json 404 under /api/v1', async () => {
    expectProblem(
      await api.call('GET', '/api/v1/nothing-here', { token: await entra.token({ tid: TENANT_A }) }),
      404,
      'API.NO_SUCH_ROUTE',
    );
  });
});
