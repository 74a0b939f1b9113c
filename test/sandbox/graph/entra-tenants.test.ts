import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { REDIRECT, redirectParams, startEntraRig, type EntraRig } from './entra-browser.js';

let rig: EntraRig;
beforeAll(async () => {
  rig = await startEntraRig();
});
afterAll(async () => rig?.close());

const appToken = (tenantId: string) =>
  rig.post(`/${tenantId}/oauth2/v2.0/token`, {
    grant_type: 'client_credentials',
    client_id: rig.clientId,
    client_secret: rig.secret,
    scope: 'https://graph.microsoft.com/.default',
  });
const ssoToken = (tenantId: string, user: string) => fetchJson('/_control/entra/sso-token', { tenantId, user });
async function fetchJson(path: string, body: unknown) {
  const { Agent, fetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: rig.emulator.caCertPem } });
  try {
    const res = await fetch(`${rig.emulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } finally {
    await dispatcher.close();
  }
}
const adminConsentUrl = (tenant: string, state = 'ac-1') =>
  `/${tenant}/v2.0/adminconsent?${new URLSearchParams({
    client_id: rig.clientId,
    redirect_uri: REDIRECT,
    scope: 'https://graph.microsoft.com/.default',
    state,
  }).toString()}`;

describe('Entra admin consent (several tenants)', () => {
  it('refuses an unconsented tenant until its admin consents, then redirects admin_consent=True with the tenant', async () => {
    expect((await appToken(rig.guest.id)).json).toMatchObject({ error_codes: [7000229] });
    expect((await ssoToken(rig.guest.id, rig.guestAdmin.userPrincipalName)).json).toMatchObject({
      error_codes: [65001],
    });
    const browser = rig.browser();
    const form = await browser.open(adminConsentUrl('organizations'));
    const consent = await browser.submit(form, {
      login: rig.guestAdmin.userPrincipalName,
      passwd: rig.guestAdmin.password,
    });
    expect(consent.text).toContain('Presence.ReadWrite.All (application)');
    const back = await browser.submit(consent, {}, 0);
    expect(back.status).toBe(302);
    const q = redirectParams(back);
    expect(Object.fromEntries(q)).toMatchObject({ admin_consent: 'True', tenant: rig.guest.id, state: 'ac-1' });
    expect((await appToken(rig.guest.id)).status).toBe(200);
    const sso = await ssoToken(rig.guest.id, rig.guestAdmin.userPrincipalName);
    expect(decodeJwt(sso.json.token as string)).toMatchObject({
      tid: rig.guest.id,
      aud: rig.clientId,
      scp: 'access_as_user',
      roles: ['PresenceSync.Admin'],
      iss: `https://login.microsoftonline.com/${rig.guest.id}/v2.0`,
    });
  });

  it('shows "Need admin approval" to a user without a directory role, and reports a cancel as permission_denied', async () => {
    const browser = rig.browser();
    const member = rig.home.users[1]!;
    const form = await browser.open(adminConsentUrl(rig.home.id));
    const denied = await browser.submit(form, { login: member.userPrincipalName, passwd: member.password });
    expect(denied.location).toBeUndefined();
    expect(denied.text).toContain('AADSTS90094');
    const admin = rig.home.users[0]!;
    const b2 = rig.browser();
    const consent = await b2.submit(await b2.open(adminConsentUrl(rig.home.id, 'x')), {
      login: admin.userPrincipalName,
      passwd: admin.password,
    });
    const cancelled = redirectParams(await b2.submit(consent, {}, 1));
    expect(Object.fromEntries(cancelled)).toMatchObject({ error: 'permission_denied', state: 'x' });
  });
});

describe('Entra signing keys per tenant, and rotation', () => {
  const jwks = async (tenant: string) =>
    createLocalJWKSet((await rig.get(`/${tenant}/discovery/v2.0/keys`)).json as unknown as JSONWebKeySet);

  it('signs each tenant with its own key; /common publishes them all', async () => {
    const home = (await appToken(rig.home.id)).json.access_token as string;
    const now = new Date(rig.clock.now());
    await expect(jwtVerify(home, await jwks(rig.home.id), { currentDate: now })).resolves.toBeDefined();
    await expect(jwtVerify(home, await jwks(rig.guest.id), { currentDate: now })).rejects.toThrow();
    await expect(jwtVerify(home, await jwks('common'), { currentDate: now })).resolves.toBeDefined();
  });

  it('publishes a new kid on rotation, keeps the old one until retired, and Graph stops trusting its tokens then', async () => {
    const before = (await appToken(rig.home.id)).json.access_token as string;
    const oldKid = decodeProtectedHeader(before).kid!;
    const rotated = await fetchJson('/_control/entra/keys/rotate', { tenantId: rig.home.id, retainMs: 60_000 });
    expect(rotated.json).toMatchObject({ previousKid: oldKid, kid: expect.any(String) });
    const after = (await appToken(rig.home.id)).json.access_token as string;
    expect(decodeProtectedHeader(after).kid).toBe(rotated.json.kid);
    const kids = ((await rig.get(`/${rig.home.id}/discovery/v2.0/keys`)).json.keys as { kid: string }[]).map(
      (k) => k.kid,
    );
    expect(kids).toEqual(expect.arrayContaining([oldKid, rotated.json.kid as string]));
    const presence = async (token: string) => {
      const { Agent, fetch } = await import('undici');
      const dispatcher = new Agent({ connect: { ca: rig.emulator.caCertPem } });
      const r = await fetch(`${rig.emulator.url}/v1.0/users/${rig.home.users[1]!.id}/presence`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher,
      });
      await dispatcher.close();
      return r.status;
    };
    expect(await presence(before)).toBe(200);
    rig.clock.advance(60_001);
    const later = ((await rig.get(`/${rig.home.id}/discovery/v2.0/keys`)).json.keys as { kid: string }[]).map(
      (k) => k.kid,
    );
    expect(later).not.toContain(oldKid);
    expect(await presence(before)).toBe(401);
    expect(await presence(after)).toBe(200);
  });
});

describe('Entra discovery and error shapes', () => {
  it('serves the v1 discovery document at /common/.well-known/openid-configuration with working v1 keys', async () => {
    const doc = (await rig.get('/common/.well-known/openid-configuration')).json;
    expect(doc).toMatchObject({
      issuer: 'https://sts.windows.net/{tenantid}/',
      jwks_uri: `${rig.emulator.url}/common/discovery/keys`,
      token_endpoint: `${rig.emulator.url}/common/oauth2/token`,
    });
    expect(((await rig.get('/common/discovery/keys')).json.keys as unknown[]).length).toBeGreaterThanOrEqual(2);
    const v2 = (await rig.get('/common/v2.0/.well-known/openid-configuration')).json;
    expect(v2).toMatchObject({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' });
  });

  it('refuses a refresh_token grant without the client secret (AADSTS7000218) with error_uri, trace and the caller’s correlation id', async () => {
    const user = rig.home.users[1]!;
    const signed = await rig.post(`/${rig.home.id}/oauth2/v2.0/token`, {
      grant_type: 'password',
      client_id: rig.clientId,
      client_secret: rig.secret,
      username: user.userPrincipalName,
      password: user.password,
      scope: 'https://graph.microsoft.com/Presence.Read.All offline_access',
    });
    const r = await rig.post(
      `/${rig.home.id}/oauth2/v2.0/token`,
      { grant_type: 'refresh_token', client_id: rig.clientId, refresh_token: signed.json.refresh_token as string },
      { 'client-request-id': '0f0f0f0f-1111-4222-8333-444444444444' },
    );
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000218],
      error_uri: 'https://login.microsoftonline.com/error?code=7000218',
      correlation_id: '0f0f0f0f-1111-4222-8333-444444444444',
    });
    expect(r.json.error_description).toMatch(
      /^AADSTS7000218: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: 0f0f0f0f-1111-4222-8333-444444444444\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
  });
});
