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

beforeAll(async () => {
  entra = await LocalEntra.start();
  token = await entra.token({ tid: TENANT_A });
});
beforeEach(async () => {
  flow = new ScriptedEntra();
  api = await new ApiHarness(entra, {
    ownerSignIn: { flow, redirectUri: REDIRECT, stateKey: randomBytes(32) },
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
  return flow.started.at(-1)!;
};
const callback = (query: string) => api.call('GET', `/api/v1/connections/owners/callback?${query}`);

describe('subscription owner sign-in (authorization code + PKCE)', () => {
  it('completes without a bearer token: the sealed state names the tenant and carries the PKCE verifier', async () => {
    const started = await start();
    expect(started.tenantId).toBe(TENANT_A);
    const r = await callback(`code=the-code&state=${encodeURIComponent(started.state)}&session_state=x`);
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/html/);
    expect(r.text).toContain('svc@a.test is now a subscription owner');
    const [redeemed] = flow.redeemed;
    expect(redeemed).toMatchObject({ tenantId: TENANT_A, code: 'the-code' });
    expect(
      createHash('sha256')
        .update(redeemed?.codeVerifier ?? '')
        .digest('base64url'),
    ).toBe(started.codeChallenge);
    expect(started.state).not.toContain(redeemed?.codeVerifier);
    expect(api.store.rules.log.at(-1)).toMatchObject({
      tenantId: TENANT_A,
      action: 'owner.connect',
      entityId: 'owner-1',
    });
  });

  it('refuses a tampered, foreign or expired state, and redeems nothing', async () => {
    const { state } = await start();
    const tampered = state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await callback(`code=c&state=${tampered}`)).status).toBe(400);
    const foreign = sealState(randomBytes(32), {
      tenantId: TENANT_A,
      actor: 'mallory',
      codeVerifier: 'v'.repeat(43),
      expiresAt: api.time.now() + 60_000,
    });
    expect((await callback(`code=c&state=${foreign}`)).status).toBe(400);
    await api.time.advance(11 * 60_000);
    const expired = await callback(`code=c&state=${encodeURIComponent(state)}`);
    expect([expired.status, expired.text.includes('no longer valid')]).toEqual([400, true]);
    expect(flow.redeemed).toEqual([]);
  });

  it('shows Entra errors escaped (no markup from the query reaches the page)', async () => {
    const { state } = await start();
    const r = await callback(
      `state=${encodeURIComponent(state)}&error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}`,
    );
    expect(r.status).toBe(400);
    expect(r.text).not.toContain('<script>');
    expect(r.text).toContain('&#60;script&#62;');
  });

  it('only admins may start one', async () => {
    const support = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    expect((await api.call('POST', '/api/v1/connections/owners/sign-in', { token: support })).status).toBe(403);
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
