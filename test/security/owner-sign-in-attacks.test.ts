import { randomBytes } from 'node:crypto';
import type { OwnerSignInFlow } from '../../src/application/ports.js';
import { ok } from '../../src/domain/result.js';
import { ApiHarness, TENANT_A, TENANT_B } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/**
 * An owner sign-in's code and state travel through a browser popup. Whoever gets hold of them (a
 * shared link, a proxy log, a colleague's screen) must not be able to redeem them: only the admin
 * who started the sign-in, with their own token, completes it.
 */
class RecordingFlow implements OwnerSignInFlow {
  redeemed = 0;
  async authorizeUrl(tenantId: string, o: { state: string }) {
    return `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/authorize?state=${encodeURIComponent(o.state)}`;
  }
  async redeem() {
    this.redeemed += 1;
    return ok({ ownerId: 'owner-1', userPrincipalName: 'svc@a.test' });
  }
}

let entra: LocalEntra;
let api: ApiHarness;
let flow: RecordingFlow;
beforeAll(async () => (entra = await LocalEntra.start()));
beforeEach(async () => {
  flow = new RecordingFlow();
  api = await new ApiHarness(entra, {
    ownerSignIn: {
      flow,
      redirectUri: 'https://sync.test/api/v1/connections/owners/callback',
      stateKey: randomBytes(32),
    },
  }).start();
});
afterEach(() => api.close());
afterAll(() => entra.close());

const startAs = async (token: string) =>
  String((await api.call('POST', '/api/v1/connections/owners/sign-in', { token })).json['startUrl']);
const stateOf = (startUrl: string) => new URL(startUrl, 'https://x.test').searchParams.get('state') ?? '';

describe("attacker: someone else's owner sign-in", () => {
  it('another admin of the same tenant cannot complete it with the stolen code and state', async () => {
    const state = stateOf(await startAs(await entra.token({ tid: TENANT_A, oid: 'alice' })));
    const mallory = await entra.token({ tid: TENANT_A, oid: 'mallory' });
    const r = await api.call('POST', '/api/v1/connections/owners/sign-in/complete', {
      token: mallory,
      body: { code: 'stolen', state },
    });
    expect([r.status, r.json['code']]).toEqual([403, 'OWNER_SIGN_IN.NOT_YOURS']);
    expect(flow.redeemed).toBe(0);
  });

  it('an admin of another tenant cannot bind a sign-in started in tenant A to their own tenant, or to A', async () => {
    const state = stateOf(await startAs(await entra.token({ tid: TENANT_A })));
    const r = await api.call('POST', '/api/v1/connections/owners/sign-in/complete', {
      token: await entra.token({ tid: TENANT_B }),
      body: { code: 'stolen', state },
    });
    expect(r.status).toBe(403);
    expect(flow.redeemed).toBe(0);
  });

  it('the public start page is no open redirect: a forged state goes nowhere', async () => {
    const res = await fetch(
      `${api.base}/api/v1/connections/owners/sign-in/start?state=${encodeURIComponent('https://evil.test/')}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('the public callback redeems nothing, even with a valid state', async () => {
    const state = stateOf(await startAs(await entra.token({ tid: TENANT_A })));
    const res = await fetch(
      `${api.base}/api/v1/connections/owners/callback?code=c&state=${encodeURIComponent(state)}`,
      {
        redirect: 'manual',
      },
    );
    expect(res.status).toBe(302);
    expect(flow.redeemed).toBe(0);
  });
});
