import { createHash, randomBytes } from 'node:crypto';
import type { OwnerSignInFlow } from '../../../../src/application/ports.js';
import { sealState } from '../../../../src/adapters/http/api/owner-sign-in-state.js';
import { MsalOwnerSignIn } from '../../../../src/adapters/graph/graph-owner-sign-in.js';
import { createHttpTransport } from '../../../../src/adapters/shared/http-transport.js';
import { SUPPORT_ROLE } from '../../../../src/domain/access.js';
import { ok } from '../../../../src/domain/result.js';
import { MemoryStore } from '../../../application/fakes/memory-store.js';
import { startHarness } from '../../../sandbox/graph/graph-emulator-harness.js';
import { ApiHarness, TENANT_A } from './fakes/api-harness.js';
import { LocalEntra } from './fakes/local-entra.js';

const REDIRECT = 'https://presence-sync.test/api/v1/connections/owners/callback';

/** Entra's side of the popup, scripted: remembers what it was asked and "signs in" svc@a.test. */
class ScriptedEntra implements OwnerSignInFlow {
  started: { tenantId: string; state: string; codeChallenge: string }[] = [];
  redeemed: { tenantId: string; code: string; codeVerifier: string }[] = [];
  async authorizeUrl(tenantId: string, o: { state: string; codeChallenge: string; redirectUri: string }) {
    this.started.push({ tenantId, state: o.state, codeChallenge: o.codeChallenge });
    return `https://login.test/${tenantId}/oauth2/v2.0/authorize?state=${encodeURIComponent(o.state)}`;
  }
  async redeem(tenantId: string, o: { code: string; codeVerifier: string }) {
    this.redeemed.push({ tenantId, code: o.code, codeVerifier: o.codeVerifier });
    return ok({ ownerId: 'owner-1', userPrincipalName: 'svc@a.test' });
  }
}

let entra: LocalEntra;
let api: ApiHarness;
let flow: ScriptedEntra;
let token: string;
let connected: { tenantId: string; ownerId: string }[];

beforeAll(async () => {
  entra = await LocalEntra.start();
  token = await entra.token({ tid: TENANT_A });
});
beforeEach(async () => {
  flow = new ScriptedEntra();
  connected = [];
  api = await new ApiHarness(entra, {
    ownerSignIn: {
      flow,
      redirectUri: REDIRECT,
      stateKey: randomBytes(32),
      onConnected: async (tenantId, ownerId) => void connected.push({ tenantId, ownerId }),
    },
  }).start();
});
afterEach(async () => {
  await api.close();
});
afterAll(async () => {
  await entra.close();
});

const start = async () => {
  const r = await api.call('POST', '/api/v1/connections/owners/sign-in', { token });
  expect(r.status).toBe(200);
  return { ...flow.started.at(-1)!, startUrl: String(r.json['startUrl']) };
};
const callback = (query: string) =>
  fetch(`${api.base}/api/v1/connections/owners/callback?${query}`, { redirect: 'manual' });
const complete = (body: unknown, as = token) =>
  api.call('POST', '/api/v1/connections/owners/sign-in/complete', { token: as, body });

describe('subscription owner sign-in (authorization code + PKCE, completed by the admin who started it)', () => {
  it('opens the popup on our own start page, which redirects to Entra with the PKCE challenge', async () => {
    const started = await start();
    expect(started.startUrl).toMatch(/^\/api\/v1\/connections\/owners\/sign-in\/start\?state=/);
    const res = await fetch(`${api.base}${started.startUrl}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^https://login.test/${TENANT_A}/oauth2/v2.0/authorize`));
    expect(flow.started.at(-1)?.codeChallenge).toBe(started.codeChallenge);
  });

  it("hands Entra's code to the tab's auth-end page without redeeming it", async () => {
    const { state } = await start();
    const res = await callback(`code=the-code&state=${encodeURIComponent(state)}&session_state=x`);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') ?? '', 'https://x.test');
    expect(to.pathname).toBe('/tab/auth-end.html');
    expect(Object.fromEntries(to.searchParams)).toEqual({ state, code: 'the-code' });
    expect(flow.redeemed).toEqual([]);
  });

  it("the tab completes it with the admin's own token: the code is redeemed with the verifier sealed in the state", async () => {
    const started = await start();
    const r = await complete({ code: 'the-code', state: started.state });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ownerId: 'owner-1', userPrincipalName: 'svc@a.test', signedIn: true });
    const [redeemed] = flow.redeemed;
    expect(redeemed).toMatchObject({ tenantId: TENANT_A, code: 'the-code' });
    expect(
      createHash('sha256')
        .update(redeemed?.codeVerifier ?? '')
        .digest('base64url'),
    ).toBe(started.codeChallenge);
    expect(started.state).not.toContain(redeemed?.codeVerifier);
    expect(connected).toEqual([{ tenantId: TENANT_A, ownerId: 'owner-1' }]);
    expect(api.store.rules.log.at(-1)).toMatchObject({
      tenantId: TENANT_A,
      action: 'owner.connect',
      entityId: 'owner-1',
    });
  });

  it('refuses a tampered, foreign or expired state, and redeems nothing', async () => {
    const { state } = await start();
    const tampered = state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await complete({ code: 'c', state: tampered })).status).toBe(400);
    expect((await callback(`code=c&state=${tampered}`)).status).toBe(400);
    const foreign = sealState(randomBytes(32), {
      tenantId: TENANT_A,
      userId: `user-of-${TENANT_A}`,
      actor: 'mallory',
      codeVerifier: 'v'.repeat(43),
      expiresAt: api.time.now() + 60_000,
    });
    expect((await complete({ code: 'c', state: foreign })).status).toBe(400);
    await api.time.advance(11 * 60_000);
    const expired = await complete({ code: 'c', state });
    expect([expired.status, expired.json['code']]).toEqual([400, 'OWNER_SIGN_IN.STATE_INVALID']);
    expect(flow.redeemed).toEqual([]);
  });

  it('passes Entra errors on to the tab, and a callback page never shows markup from the query', async () => {
    const { state } = await start();
    const res = await callback(`state=${encodeURIComponent(state)}&error=access_denied&error_description=x`);
    expect(new URL(res.headers.get('location') ?? '', 'https://x.test').searchParams.get('error')).toBe(
      'access_denied',
    );
    const bad = await callback(`state=nope&error_description=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('<script>');
  });

  it('only admins may start or complete one', async () => {
    const support = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    expect((await api.call('POST', '/api/v1/connections/owners/sign-in', { token: support })).status).toBe(403);
    const { state } = await start();
    expect((await complete({ code: 'c', state }, support)).status).toBe(403);
  });
});

describe('MsalOwnerSignIn against the emulated Entra', () => {
  it('builds the authorize URL of the tenant authority with the PKCE challenge and state', async () => {
    const h = await startHarness(2);
    const transport = createHttpTransport({ extraCaPem: h.emulator.caCertPem, timeoutMs: 5000 });
    try {
      const app = h.tenant.apps[0]!;
      const signIn = new MsalOwnerSignIn(
        {
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          authorityHost: h.emulator.authorityUrl,
          graphBaseUrl: h.emulator.url,
        },
        transport.fetch,
        new MemoryStore(h.clock).tenants,
      );
      const url = new URL(
        await signIn.authorizeUrl(h.tenant.id, {
          state: 'sealed-state',
          codeChallenge: 'challenge-123',
          redirectUri: REDIRECT,
        }),
      );
      expect(url.pathname).toBe(`/${h.tenant.id}/oauth2/v2.0/authorize`);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        client_id: app.clientId,
        response_type: 'code',
        state: 'sealed-state',
        code_challenge: 'challenge-123',
        code_challenge_method: 'S256',
        redirect_uri: REDIRECT,
      });
      expect(url.searchParams.get('scope')).toContain('offline_access');
    } finally {
      await transport.close();
      await h.close();
    }
  });
});
