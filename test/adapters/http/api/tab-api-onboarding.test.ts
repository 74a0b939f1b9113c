import { sealState } from '../../../../src/adapters/http/api/sealed-state.js';
import { SUPPORT_ROLE } from '../../../../src/domain/access.js';
import { ApiHarness, TENANT_A } from './fakes/api-harness.js';
import { LocalEntra } from './fakes/local-entra.js';

/** A Microsoft 365 tenant that has never used this deployment. */
const NEW_TENANT = 'cccccccc-0000-4000-8000-00000000000c';
const GRANTED = ['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All'];
const PURPOSE = 'presence-sync/admin-consent/v1';

let entra: LocalEntra;
let api: ApiHarness;
let admin: string;

beforeAll(async () => {
  entra = await LocalEntra.start();
  admin = await entra.token({ tid: NEW_TENANT, oid: 'admin-c' });
});
beforeEach(async () => {
  api = await new ApiHarness(entra).start();
});
afterEach(() => api.close());
afterAll(() => entra.close());

const stepsOf = (json: Record<string, unknown>) =>
  Object.fromEntries((json['steps'] as { id: string; done: boolean }[]).map((s) => [s.id, s.done]));
const nextOf = (json: Record<string, unknown>) => (json['next'] as { id: string; detail: string } | undefined)?.id;

/** The admin-consent popup: our start route, Entra's redirect back with what Entra puts in the query. */
async function consentRoundTrip(query: (state: string) => string): Promise<{ status: number; text: string }> {
  const start = await fetch(`${api.base}/api/v1/onboarding/consent?tenant=${NEW_TENANT}`, { redirect: 'manual' });
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
  const back = await api.call('GET', `/api/v1/onboarding/consent/callback?${query(state)}`);
  return { status: back.status, text: back.text };
}

describe('tenant onboarding: admin consent, then the first admin sign-in creates the tenant', () => {
  it('sends the admin to Entra admin consent for this tenant, with our callback and a sealed state', async () => {
    const res = await fetch(`${api.base}/api/v1/onboarding/consent?tenant=${NEW_TENANT.toUpperCase()}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') ?? '');
    expect(`${to.origin}${to.pathname}`).toBe(`https://login.microsoftonline.com/${NEW_TENANT}/v2.0/adminconsent`);
    expect(to.searchParams.get('client_id')).toBe('11111111-2222-3333-4444-555555555555');
    expect(to.searchParams.get('scope')).toBe('https://graph.microsoft.com/.default');
    expect(to.searchParams.get('redirect_uri')).toBe('https://sync.contoso.test/api/v1/onboarding/consent/callback');
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('before consent: the checklist says consent comes first, and signing in creates nothing', async () => {
    const r = await api.call('POST', '/api/v1/onboarding/sign-in', { token: admin });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ tenantId: NEW_TENANT, onboarded: false, syncEnabled: false });
    expect(nextOf(r.json)).toBe('consent');
    expect(await api.store.tenants.get(NEW_TENANT)).toBeUndefined();
  });

  it('records the consent Entra confirms after the redirect, then the first admin sign-in creates the tenant with sync off', async () => {
    api.grantedRoles.set(NEW_TENANT, GRANTED);
    const back = await consentRoundTrip((s) => `admin_consent=True&tenant=${NEW_TENANT}&state=${s}`);
    expect(back.status).toBe(200);
    expect(back.text).toContain('Admin consent granted');
    const r = await api.call('POST', '/api/v1/onboarding/sign-in', { token: admin });
    expect(r.json).toMatchObject({ onboarded: true, syncEnabled: false });
    expect(stepsOf(r.json)).toMatchObject({ consent: true, tenant: true, role: true, cxone: false, sync: false });
    expect(nextOf(r.json)).toBe('cxone');
    expect(await api.store.tenants.get(NEW_TENANT)).toMatchObject({ name: `${NEW_TENANT}.test`, syncEnabled: false });
  });

  it('finds a consent granted elsewhere (the Entra admin center) by asking Entra at the first sign-in', async () => {
    api.grantedRoles.set(NEW_TENANT, GRANTED);
    const r = await api.call('POST', '/api/v1/onboarding/sign-in', { token: admin });
    expect(r.json).toMatchObject({ onboarded: true });
  });

  it('asks Entra about an unconsented tenant at most once per period, however often its users sign in', async () => {
    for (let i = 0; i < 5; i += 1) await api.call('POST', '/api/v1/onboarding/sign-in', { token: admin });
    expect(api.consentChecks).toBe(1);
    await api.time.advance(31_000);
    await api.call('POST', '/api/v1/onboarding/sign-in', { token: admin });
    expect(api.consentChecks).toBe(2);
  });

  it('says which permission a partial consent lacks, and creates no tenant on it', async () => {
    api.grantedRoles.set(NEW_TENANT, ['User.Read.All']);
    await consentRoundTrip((s) => `admin_consent=True&tenant=${NEW_TENANT}&state=${s}`);
    const r = await api.call('POST', '/api/v1/onboarding/sign-in', { token: admin });
    expect(r.json).toMatchObject({ onboarded: false, next: { id: 'consent' } });
    expect((r.json['next'] as { detail: string }).detail).toContain('Presence.ReadWrite.All');
  });

  it('a user without a role, after consent, learns that a Global Administrator must assign them the admin role; no tenant is created', async () => {
    api.grantedRoles.set(NEW_TENANT, GRANTED);
    const nobody = await entra.token({ tid: NEW_TENANT, oid: 'user-c', roles: [] });
    const r = await api.call('POST', '/api/v1/onboarding/sign-in', { token: nobody });
    expect(r.status).toBe(200);
    expect(stepsOf(r.json)).toMatchObject({ consent: true, tenant: false, role: false });
    const role = (r.json['steps'] as { id: string; detail: string }[]).find((s) => s.id === 'role');
    expect(role?.detail).toContain("assigns 'Presence Sync Admin'");
    expect(await api.store.tenants.get(NEW_TENANT)).toBeUndefined();
  });

  it('shows the Entra error of a refused consent and records nothing', async () => {
    api.grantedRoles.set(NEW_TENANT, GRANTED);
    const back = await consentRoundTrip(
      (s) =>
        `error=access_denied&error_description=${encodeURIComponent('AADSTS65004: User declined to consent')}&state=${s}`,
    );
    expect(back.status).toBe(400);
    expect(back.text).toContain('AADSTS65004: User declined to consent');
    expect(api.consentChecks).toBe(0);
  });
});

describe('sync is turned on only once CXone and a subscription owner are connected', () => {
  const adminA = () => entra.token({ tid: TENANT_A });

  beforeEach(async () => {
    await api.store.tenants.upsert({ ...(await api.store.tenants.get(TENANT_A))!, syncEnabled: false });
    api.grantedRoles.set(TENANT_A, GRANTED);
    await api.call(
      'GET',
      `/api/v1/onboarding/consent/callback?admin_consent=True&tenant=${TENANT_A}&state=${sealState(api.stateKey, PURPOSE, { tenantId: TENANT_A, expiresAt: api.time.now() + 60_000 })}`,
    );
  });

  it('refuses with 409 naming what is missing', async () => {
    const r = await api.call('PUT', '/api/v1/onboarding/sync', { token: await adminA(), body: { enabled: true } });
    expect(r.status).toBe(409);
    expect(r.contentType).toContain('application/problem+json');
    expect(r.json).toMatchObject({ code: 'ONBOARDING.INCOMPLETE', missing: ['cxone', 'owner'] });
    expect((await api.store.tenants.get(TENANT_A))?.syncEnabled).toBe(false);
  });

  it('turns sync on when they are, and the engine re-reads the tenant', async () => {
    await api.store.tenants.putConnection(TENANT_A, 'cxone', { clientId: 'c' });
    api.ownerRoster.set(TENANT_A, [{ ownerId: 'svc', signedIn: true }]);
    const r = await api.call('PUT', '/api/v1/onboarding/sync', { token: await adminA(), body: { enabled: true } });
    expect(r.status).toBe(200);
    expect(stepsOf(r.json)['sync']).toBe(true);
    expect((await api.store.tenants.get(TENANT_A))?.syncEnabled).toBe(true);
    expect(api.rulesChanged).toContainEqual({ tenantId: TENANT_A, agentIds: [] });
  });

  it('lets support staff read the checklist but not switch sync', async () => {
    const support = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    expect((await api.call('GET', '/api/v1/onboarding', { token: support })).status).toBe(200);
    const r = await api.call('PUT', '/api/v1/onboarding/sync', { token: support, body: { enabled: false } });
    expect(r.status).toBe(403);
    expect(r.json['code']).toBe('AUTH.ADMIN_REQUIRED');
  });

  it('validates the switch body', async () => {
    const r = await api.call('PUT', '/api/v1/onboarding/sync', { token: await adminA(), body: { enabled: 'yes' } });
    expect(r.status).toBe(400);
    expect(r.json['code']).toBe('API.INVALID_BODY');
  });
});
