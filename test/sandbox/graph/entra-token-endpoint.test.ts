import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { startHarness, type Harness } from './graph-emulator-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(2);
});
afterAll(async () => h?.close());

const tokenPath = () => `/${h.tenant.id}/oauth2/v2.0/token`;
const app = () => h.tenant.apps[0]!;
const user = (i: number) => h.tenant.users[i]!;

describe('emulated Entra token endpoint (reference §5, §8.1)', () => {
  it('issues app-only Graph tokens with roles, appid, tid, idtyp and the v1 issuer, verifiable with the JWKS', async () => {
    const token = await h.appToken();
    const jwks = (await h.call('GET', '/common/discovery/v2.0/keys')).body as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: new Date(h.clock.now()) });
    expect(payload).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${h.tenant.id}/`,
      appid: app().clientId,
      tid: h.tenant.id,
      idtyp: 'app',
      ver: '1.0',
      roles: expect.arrayContaining(['Presence.ReadWrite.All']),
    });
    expect(payload.scp).toBeUndefined();
  });

  it('publishes OpenID metadata pointing at its own token endpoint and keys', async () => {
    const r = await h.call('GET', `/${h.tenant.id}/v2.0/.well-known/openid-configuration`);
    expect(r.body).toMatchObject({
      token_endpoint: `${h.emulator.authorityUrl}${tokenPath()}`,
      jwks_uri: expect.stringContaining('/discovery/v2.0/keys'),
      issuer: `https://login.microsoftonline.com/${h.tenant.id}/v2.0`,
    });
  });

  it('answers a wrong secret with invalid_client in the Entra error shape', async () => {
    const r = await h.call('POST', tokenPath(), {
      form: {
        grant_type: 'client_credentials',
        client_id: app().clientId,
        client_secret: 'nope',
        scope: 'https://graph.microsoft.com/.default',
      },
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/^AADSTS7000215: /),
      error_codes: [7000215],
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
      timestamp: expect.any(String),
    });
  });

  it('requires /.default for client credentials', async () => {
    const r = await h.call('POST', tokenPath(), {
      form: {
        grant_type: 'client_credentials',
        client_id: app().clientId,
        client_secret: app().clientSecret,
        scope: 'https://graph.microsoft.com/Presence.Read.All',
      },
    });
    expect(r.body).toMatchObject({ error: 'invalid_scope' });
  });

  it('signs seeded users in with the password grant and rotates refresh tokens', async () => {
    const form = {
      grant_type: 'password',
      client_id: app().clientId,
      client_secret: app().clientSecret,
      username: user(0).userPrincipalName,
      password: user(0).password,
      scope: 'https://graph.microsoft.com/Presence.Read.All offline_access openid',
    };
    const first = (await h.call('POST', tokenPath(), { form })).body as Record<string, string>;
    expect(decodeJwt(first.access_token!)).toMatchObject({ scp: 'Presence.Read.All', oid: user(0).id, idtyp: 'user' });
    expect(first.refresh_token).toBeDefined();
    expect(first.id_token).toBeDefined();
    const refreshed = (
      await h.call('POST', tokenPath(), {
        form: {
          grant_type: 'refresh_token',
          client_id: app().clientId,
          client_secret: app().clientSecret,
          refresh_token: first.refresh_token!,
        },
      })
    ).body as Record<string, string>;
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    const wrong = await h.call('POST', tokenPath(), { form: { ...form, password: 'guess' } });
    expect(wrong.body).toMatchObject({ error: 'invalid_grant', error_codes: [50126] });
  });

  it('returns a refresh token only when offline_access was asked for', async () => {
    const form = {
      grant_type: 'password',
      client_id: app().clientId,
      client_secret: app().clientSecret,
      username: user(1).userPrincipalName,
      password: user(1).password,
      scope: 'https://graph.microsoft.com/Presence.Read.All',
    };
    expect((await h.call('POST', tokenPath(), { form })).body).not.toHaveProperty('refresh_token');
  });

  it('refuses refresh tokens of a revoked user with invalid_grant', async () => {
    const form = {
      grant_type: 'password',
      client_id: app().clientId,
      client_secret: app().clientSecret,
      username: user(1).userPrincipalName,
      password: user(1).password,
      scope: 'https://graph.microsoft.com/Presence.Read.All offline_access',
    };
    const rt = ((await h.call('POST', tokenPath(), { form })).body as Record<string, string>).refresh_token!;
    h.emulator.control.revokeUser(user(1).id);
    const r = await h.call('POST', tokenPath(), {
      form: {
        grant_type: 'refresh_token',
        client_id: app().clientId,
        client_secret: app().clientSecret,
        refresh_token: rt,
      },
    });
    expect(r.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
    // Signing in again after the revocation gives a refresh token that works.
    const fresh = ((await h.call('POST', tokenPath(), { form })).body as Record<string, string>).refresh_token!;
    const again = await h.call('POST', tokenPath(), {
      form: {
        grant_type: 'refresh_token',
        client_id: app().clientId,
        client_secret: app().clientSecret,
        refresh_token: fresh,
      },
    });
    expect(again.status).toBe(200);
  });

  it('exchanges an SSO token for a delegated Graph token on behalf of the user, and refuses one for another audience', async () => {
    const sso = await h.userToken(0, `api://contoso.test/${app().clientId}/access_as_user`);
    expect(decodeJwt(sso)).toMatchObject({ aud: app().clientId, ver: '2.0', scp: 'access_as_user' });
    const obo = {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: app().clientId,
      client_secret: app().clientSecret,
      scope: 'https://graph.microsoft.com/Presence.Read.All offline_access',
    };
    const ok = (await h.call('POST', tokenPath(), { form: { ...obo, assertion: sso } })).body as Record<string, string>;
    expect(decodeJwt(ok.access_token!)).toMatchObject({ oid: user(0).id, scp: 'Presence.Read.All' });
    expect(ok.refresh_token).toBeDefined();
    const graphToken = await h.userToken(0);
    expect((await h.call('POST', tokenPath(), { form: { ...obo, assertion: graphToken } })).body).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('refuses delegated scopes the tenant did not consent to', async () => {
    const form = {
      grant_type: 'password',
      client_id: app().clientId,
      client_secret: app().clientSecret,
      username: user(0).userPrincipalName,
      password: user(0).password,
      scope: 'https://graph.microsoft.com/Mail.Read',
    };
    expect((await h.call('POST', tokenPath(), { form })).body).toMatchObject({
      error: 'invalid_grant',
      error_codes: [65001],
    });
  });
});
