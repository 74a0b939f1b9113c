import { sealState } from '../../src/adapters/http/api/sealed-state.js';
import { ApiHarness, TENANT_A } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/**
 * The admin-consent callback is public (Entra's redirect carries no token) and onboarding creates
 * tenants: what a stranger can send there must neither record a consent nor create or switch a tenant.
 */
const VICTIM = 'dddddddd-0000-4000-8000-00000000000d';
const STRANGER = 'eeeeeeee-0000-4000-8000-00000000000e';
const GRANTED = ['Presence.ReadWrite.All', 'User.Read.All'];
const PURPOSE = 'presence-sync/admin-consent/v1';

let entra: LocalEntra;
let api: ApiHarness;

beforeAll(async () => {
  entra = await LocalEntra.start();
});
afterEach(() => api.close());
afterAll(() => entra.close());

const start = async (allowedTenants?: readonly string[]) => {
  api = new ApiHarness(entra);
  api.allowedTenants = allowedTenants;
  await api.start();
};
const callback = (query: string) => api.call('GET', `/api/v1/onboarding/consent/callback?${query}`);
const sealed = (tenantId: string, expiresAt = api.time.now() + 60_000, purpose = PURPOSE) =>
  sealState(api.stateKey, purpose, { tenantId, expiresAt });
const consentRecorded = async (tenantId: string) =>
  (await api.store.tenants.getConnection(tenantId, 'consent')) !== undefined;

describe('attacker: the public admin-consent callback', () => {
  beforeEach(() => start());

  it('a forged state records nothing and does not even ask Entra', async () => {
    api.grantedRoles.set(VICTIM, GRANTED);
    const r = await callback(`admin_consent=True&tenant=${VICTIM}&state=${'A'.repeat(80)}`);
    expect(r.status).toBe(400);
    expect(await consentRecorded(VICTIM)).toBe(false);
    expect(api.consentChecks).toBe(0);
  });

  it("a state sealed for the attacker's own tenant cannot be replayed for another tenant", async () => {
    api.grantedRoles.set(VICTIM, GRANTED);
    api.grantedRoles.set(STRANGER, GRANTED);
    const r = await callback(`admin_consent=True&tenant=${VICTIM}&state=${sealed(STRANGER)}`);
    expect(r.status).toBe(400);
    expect(await consentRecorded(VICTIM)).toBe(false);
    expect(await consentRecorded(STRANGER)).toBe(false);
  });

  it('a state sealed for another flow (owner sign-in) or expired does not open', async () => {
    api.grantedRoles.set(VICTIM, GRANTED);
    for (const state of [
      sealed(VICTIM, api.time.now() + 60_000, 'presence-sync/owner-sign-in/v1'),
      sealed(VICTIM, api.time.now() - 1),
    ]) {
      const r = await callback(`admin_consent=True&tenant=${VICTIM}&state=${state}`);
      expect(r.status).toBe(400);
    }
    expect(await consentRecorded(VICTIM)).toBe(false);
  });

  it("the redirect's word is not trusted: admin_consent=True without consent in Entra records nothing, and no tenant comes of it", async () => {
    const r = await callback(`admin_consent=True&tenant=${VICTIM}&state=${sealed(VICTIM)}`);
    expect(r.status).toBe(400);
    expect(r.text).toContain('Admin consent not verified');
    expect(await consentRecorded(VICTIM)).toBe(false);
    await api.call('POST', '/api/v1/onboarding/sign-in', { token: await entra.token({ tid: VICTIM }) });
    expect(await api.store.tenants.get(VICTIM)).toBeUndefined();
  });

  it('escapes what Entra (or an attacker) puts in error_description', async () => {
    const r = await callback(
      `error=x&error_description=${encodeURIComponent('<script>alert(1)</script>')}&state=${sealed(VICTIM)}`,
    );
    expect(r.text).not.toContain('<script>');
    expect(r.text).toContain('&#60;script&#62;');
  });
});

describe('attacker: a tenant the operator did not allow', () => {
  beforeEach(() => start([TENANT_A]));

  it('cannot start admin consent', async () => {
    const res = await fetch(`${api.base}/api/v1/onboarding/consent?tenant=${STRANGER}`, { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
  });

  it('cannot finish one with a state sealed before the allow-list changed', async () => {
    api.grantedRoles.set(STRANGER, GRANTED);
    const r = await callback(`admin_consent=True&tenant=${STRANGER}&state=${sealed(STRANGER)}`);
    expect(r.status).toBe(403);
    expect(await consentRecorded(STRANGER)).toBe(false);
    expect(api.consentChecks).toBe(0);
  });

  it('cannot come to exist by signing in, even consented in Entra', async () => {
    api.grantedRoles.set(STRANGER, GRANTED);
    const r = await api.call('POST', '/api/v1/onboarding/sign-in', { token: await entra.token({ tid: STRANGER }) });
    expect(r.status).toBe(403);
    expect(r.json['code']).toBe('ONBOARDING.TENANT_NOT_ALLOWED');
    expect(await api.store.tenants.get(STRANGER)).toBeUndefined();
  });
});

describe("attacker: another tenant's admin", () => {
  beforeEach(() => start());

  it("switching sync acts on the caller's own tenant only, never on another's", async () => {
    await api.store.tenants.upsert({ ...(await api.store.tenants.get(TENANT_A))!, syncEnabled: true });
    const r = await api.call('PUT', '/api/v1/onboarding/sync', {
      token: await entra.token({ tid: STRANGER }),
      body: { enabled: false },
    });
    expect(r.status).toBe(409);
    expect(r.json['code']).toBe('ONBOARDING.NOT_ONBOARDED');
    expect((await api.store.tenants.get(TENANT_A))?.syncEnabled).toBe(true);
  });

  it('needs a valid token for the checklist', async () => {
    expect((await api.call('GET', '/api/v1/onboarding')).status).toBe(401);
  });
});
