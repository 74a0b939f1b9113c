import { GraphOwnerTokens } from '../../../../src/adapters/graph/graph-owner-tokens.js';
import { createHttpTransport } from '../../../../src/adapters/shared/http-transport.js';
import { OboPeopleSearch } from '../../../../src/adapters/graph/graph-people-search.js';
import { createSsoVerifier, type Caller } from '../../../../src/adapters/http/api/sso-token-verifier.js';
import { seedTenant, type EmulatedTenant } from '../../../../src/sandbox/graph/emulator-model.js';
import { MemoryStore } from '../../../application/fakes/memory-store.js';
import { startHarness, type Harness } from '../../../sandbox/graph/graph-emulator-harness.js';
import { ApiHarness } from './fakes/api-harness.js';

/** The sandbox tenant, with the delegated permission the people picker asks for consented. */
const tenant: EmulatedTenant = (() => {
  const t = seedTenant({ userCount: 4 });
  const app = t.apps[0]!;
  return { ...t, apps: [{ ...app, delegatedScopes: [...app.delegatedScopes, 'User.ReadBasic.All'] }] };
})();

let h: Harness;
let transport: ReturnType<typeof createHttpTransport>;

beforeAll(async () => {
  h = await startHarness(4, { tenants: [tenant] });
  transport = createHttpTransport({ extraCaPem: h.emulator.caCertPem, timeoutMs: 5000 });
});
afterAll(async () => {
  await transport.close();
  await h.close();
});

const app = () => tenant.apps[0]!;
const ssoToken = (user = 0) => h.userToken(user, `api://presence-sync.test/${app().clientId}/access_as_user`);
const verifier = () =>
  createSsoVerifier({
    jwksUrl: h.emulator.jwksUrl,
    audiences: [app().clientId],
    requiredScope: 'access_as_user',
    fetch: transport.fetch,
    clock: h.clock,
  });

async function callerOf(user = 0): Promise<Caller> {
  const r = await verifier()(`Bearer ${await ssoToken(user)}`);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
}

describe('SSO tokens issued by the emulated Entra (sandbox)', () => {
  it('validate against its JWKS over HTTPS: tenant = tid, user = oid', async () => {
    const caller = await callerOf(1);
    expect(caller).toMatchObject({
      tenantId: tenant.id,
      userId: tenant.users[1]!.id,
      name: tenant.users[1]!.userPrincipalName,
    });
    // The emulator assigns no app roles yet, so its users reach no route until it does.
    expect(caller.access).toBe('none');
  });

  it('a token with a tampered payload fails the signature check', async () => {
    const [head, , sig] = (await ssoToken()).split('.');
    const forged = Buffer.from(
      JSON.stringify({
        tid: tenant.id,
        oid: 'x',
        aud: app().clientId,
        iss: `https://login.microsoftonline.com/${tenant.id}/v2.0`,
        exp: 9e9,
        roles: ['PresenceSync.Admin'],
      }),
    ).toString('base64url');
    const r = await verifier()(`Bearer ${head}.${forged}.${sig}`);
    expect(!r.ok && [r.error.status, r.error.code]).toEqual([401, 'AUTH.INVALID_TOKEN']);
  });

  it('the API refuses the role-less sandbox user with 403, after validating the token', async () => {
    const api = await new ApiHarness({ jwksUrl: h.emulator.jwksUrl }, { verifier: verifier() }).start();
    try {
      const r = await api.call('GET', '/api/v1/me', { token: await ssoToken() });
      expect([r.status, r.json['code']]).toEqual([403, 'AUTH.NO_ROLE']);
    } finally {
      await api.close();
    }
  });
});

describe('on behalf of the signed-in admin', () => {
  const people = (scope?: string) =>
    new OboPeopleSearch(
      {
        clientId: app().clientId,
        clientSecret: app().clientSecret,
        authorityHost: h.emulator.authorityUrl,
        graphBaseUrl: h.emulator.url,
        ...(scope ? { scope } : {}),
      },
      transport.fetch,
    );

  it('the people picker searches the directory with the admin delegated token', async () => {
    const r = await people().search(await callerOf(), 'agent2');
    expect(r.ok && r.value.map((u) => u.userPrincipalName)).toEqual(['agent2@contoso.test']);
  });

  it('a permission nobody consented to comes back as invalid_grant (the API answers 403 consent required)', async () => {
    const r = await people('https://graph.microsoft.com/Mail.Read').search(await callerOf(), 'agent');
    expect(!r.ok && r.error.code).toBe('invalid_grant');
  });

  it('connecting a subscription owner keeps the MSAL token cache as the owner connection (sealed by the real store)', async () => {
    const store = new MemoryStore(h.clock);
    const caller = await callerOf(3);
    const owners = new GraphOwnerTokens(
      {
        tenantId: tenant.id,
        clientId: app().clientId,
        clientSecret: app().clientSecret,
        authorityHost: h.emulator.authorityUrl,
        graphBaseUrl: h.emulator.url,
      },
      transport.fetch,
      store.tenants,
      tenant.id,
      h.clock,
    );
    const r = await owners.connectWithSsoToken(caller.userId, caller.token);
    expect(r.ok).toBe(true);
    // MSAL's own cache of the owner, sealed by the store (no refresh token picked out of it).
    expect(await store.tenants.getConnection(tenant.id, `owner:${caller.userId}`)).toEqual({
      msalCache: expect.stringContaining('"RefreshToken"'),
    });
    expect((await owners.token(caller.userId, true)).ok).toBe(true);
  });
});
