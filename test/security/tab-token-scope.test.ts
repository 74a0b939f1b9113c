import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tabSsoVerifier } from '../../src/compose/tab-api.js';
import type { SsoVerifier } from '../../src/adapters/http/api/sso-token-verifier.js';
import { ADMIN_ROLE } from '../../src/domain/access.js';
import { TENANT_A } from '../adapters/http/api/fakes/api-harness.js';
import { CLIENT_ID, LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/*
 * Issue 15 item 5, from the attacker's side. Every token below is genuinely signed by the tenant's
 * Entra and carries our client id as its audience — what a member of a customer tenant can obtain
 * without being granted our API: an id_token from signing in to the app, an app-only token of a
 * service principal, an access token for another scope. The composed product's verifier
 * (`tabSsoVerifier`, the one the composition root wires) must take none of them for a signed-in
 * admin; only the delegated `access_as_user` token the Teams SSO hands the tab.
 */
describe('the tab API takes only delegated access tokens for its own scope', () => {
  let entra: LocalEntra;
  let verify: SsoVerifier;
  beforeAll(async () => {
    entra = await LocalEntra.start();
    verify = tabSsoVerifier({ jwksUrl: entra.jwksUrl, appClientId: CLIENT_ID, clock: { now: () => Date.now() } });
  });
  afterAll(async () => entra.close());

  it('accepts the Teams SSO token (scp access_as_user)', async () => {
    const r = await verify(`Bearer ${await entra.token({ tid: TENANT_A })}`);
    expect(r).toMatchObject({ ok: true, value: { tenantId: TENANT_A, access: 'admin' } });
  });

  it.each([
    ['an access token with no scp claim at all', { scp: undefined }],
    ['an access token for User.Read only', { scp: 'User.Read' }],
    ['an access token for another scope of ours', { scp: 'access_as_admin' }],
    ['an id_token (no scp, a nonce, the client as audience)', { scp: undefined, nonce: 'n-1', ver: '2.0' }],
    [
      'an app-only token with the admin role (client credentials)',
      { scp: undefined, idtyp: 'app', roles: [ADMIN_ROLE] },
    ],
    ['an app-only token that also claims a scope', { idtyp: 'app' }],
  ])('refuses %s with 401 and no caller', async (_what, extra) => {
    const token = await entra.token({ tid: TENANT_A, roles: [ADMIN_ROLE], extra });
    const r = await verify(`Bearer ${token}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ status: 401, code: 'AUTH.INVALID_TOKEN' });
  });
});
