import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { authorizeUrl, pkcePair, REDIRECT, redirectParams, startEntraRig, type EntraRig } from './entra-browser.js';

let rig: EntraRig;
beforeAll(async () => {
  rig = await startEntraRig();
});
afterAll(async () => rig?.close());

const user = () => rig.home.users[1]!;
const ownerScope = 'https://graph.microsoft.com/Presence.Read.All offline_access openid profile';

/** Signs `user()` in through the pages and returns the redirect's parameters. */
async function signIn(extra: Record<string, string> = {}, scope = ownerScope) {
  const browser = rig.browser();
  const { verifier, challenge } = pkcePair();
  const form = await browser.open(
    authorizeUrl(rig.home.id, {
      client_id: rig.clientId,
      redirect_uri: REDIRECT,
      scope,
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    }),
  );
  const after = await browser.submit(form, { login: user().userPrincipalName, passwd: user().password });
  return { browser, after, verifier };
}

const redeem = (code: string, fields: Record<string, string>) =>
  rig.post(`/${rig.home.id}/oauth2/v2.0/token`, {
    grant_type: 'authorization_code',
    client_id: rig.clientId,
    client_secret: rig.secret,
    code,
    redirect_uri: REDIRECT,
    ...fields,
  });

describe('Entra authorize endpoint: sign-in form, consent, code bound to PKCE and redirect URI', () => {
  it('shows a sign-in form with Entra’s field ids, then redirects back with a code and the state', async () => {
    const browser = rig.browser();
    const page = await browser.open(
      authorizeUrl(rig.home.id, { client_id: rig.clientId, redirect_uri: REDIRECT, scope: ownerScope, state: 's' }),
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="i0116"');
    expect(page.text).toContain('id="i0118"');
    const back = await browser.submit(page, { login: user().userPrincipalName, passwd: user().password });
    expect(back.status).toBe(302);
    expect(back.location!.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(redirectParams(back).get('state')).toBe('s');
    expect(redirectParams(back).get('code')).toBeTruthy();
  });

  it('exchanges the code with the verifier and the secret for tokens carrying the nonce', async () => {
    const { after, verifier } = await signIn();
    const r = await redeem(redirectParams(after).get('code')!, { code_verifier: verifier });
    expect(r.status).toBe(200);
    expect(decodeJwt(r.json.access_token as string)).toMatchObject({ oid: user().id, scp: 'Presence.Read.All' });
    expect(decodeJwt(r.json.id_token as string)).toMatchObject({ nonce: 'n-1', tid: rig.home.id });
    expect(r.json.refresh_token).toEqual(expect.any(String));
  });

  it('refuses a wrong verifier, a missing one, a different redirect URI and a missing secret', async () => {
    const cases: [(verifier: string) => Record<string, string>, number][] = [
      () => ({ code_verifier: pkcePair().verifier }),
      () => ({}),
      (v: string) => ({ code_verifier: v, redirect_uri: 'http://localhost/auth-end.html' }),
      (v: string) => ({ code_verifier: v, client_secret: 'not-the-secret' }),
    ].map((f, i) => [f, [501481, 501481, 500112, 7000215][i]!]);
    for (const [fields, code] of cases) {
      const { after, verifier } = await signIn();
      const r = await redeem(redirectParams(after).get('code')!, fields(verifier));
      expect({ code: r.json.error_codes }).toEqual({ code: [code] });
    }
    const { after, verifier } = await signIn();
    const noSecret = await rig.post(`/${rig.home.id}/oauth2/v2.0/token`, {
      grant_type: 'authorization_code',
      client_id: rig.clientId,
      code: redirectParams(after).get('code')!,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(noSecret.json).toMatchObject({ error: 'invalid_client', error_codes: [7000218] });
  });

  it('redeems a code once only, and not after ten minutes', async () => {
    const first = await signIn();
    const code = redirectParams(first.after).get('code')!;
    expect((await redeem(code, { code_verifier: first.verifier })).status).toBe(200);
    expect((await redeem(code, { code_verifier: first.verifier })).json).toMatchObject({ error_codes: [54005] });
    const late = await signIn();
    rig.clock.advance(10 * 60_000 + 1);
    const r = await redeem(redirectParams(late.after).get('code')!, { code_verifier: late.verifier });
    expect(r.json).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });
  });

  it('asks for consent to a permission nobody granted, and redirects access_denied when declined', async () => {
    const scope = 'https://graph.microsoft.com/Calendars.Read openid';
    const { browser, after } = await signIn({}, scope);
    expect(after.status).toBe(200);
    expect(after.text).toContain('Calendars.Read');
    const declined = await browser.submit(after, {}, 1);
    const q = redirectParams(declined);
    expect(q.get('error')).toBe('access_denied');
    expect(q.get('error_description')).toMatch(/^AADSTS65004: /);
    expect(q.get('error_uri')).toBe('https://login.microsoftonline.com/error?code=65004');
    expect(q.get('state')).toBe('st-1');
    const again = await signIn({}, scope);
    const accepted = await again.browser.submit(again.after, {}, 0);
    expect(redirectParams(accepted).get('code')).toBeTruthy();
  });

  it('keeps a browser session: with a login_hint it answers at once, prompt=none without one is login_required', async () => {
    const { browser } = await signIn();
    const silent = await browser.open(
      authorizeUrl(rig.home.id, {
        client_id: rig.clientId,
        redirect_uri: REDIRECT,
        scope: ownerScope,
        login_hint: user().userPrincipalName,
      }),
    );
    expect(redirectParams(silent).get('code')).toBeTruthy();
    const stranger = await rig.browser().open(
      authorizeUrl(rig.home.id, {
        client_id: rig.clientId,
        redirect_uri: REDIRECT,
        scope: ownerScope,
        prompt: 'none',
      }),
    );
    expect(redirectParams(stranger).get('error')).toBe('login_required');
  });

  it('re-shows the form on a wrong password, and never redirects to an unregistered URI or for an unknown client', async () => {
    const browser = rig.browser();
    const page = await browser.open(
      authorizeUrl(rig.home.id, { client_id: rig.clientId, redirect_uri: REDIRECT, scope: ownerScope }),
    );
    const wrong = await browser.submit(page, { login: user().userPrincipalName, passwd: 'guess' });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('Your account or password is incorrect.');
    const evil = await rig.get(
      authorizeUrl(rig.home.id, { client_id: rig.clientId, redirect_uri: 'https://evil.test/cb', scope: ownerScope }),
    );
    expect(evil.location).toBeUndefined();
    expect(evil.text).toContain('AADSTS50011');
    const unknown = await rig.get(
      authorizeUrl(rig.home.id, { client_id: 'nope', redirect_uri: REDIRECT, scope: ownerScope }),
    );
    expect(unknown.location).toBeUndefined();
    expect(unknown.text).toContain('AADSTS700016');
  });

  it('ignores the port of a registered loopback redirect URI', async () => {
    const r = await rig.browser().open(
      authorizeUrl(rig.home.id, {
        client_id: rig.clientId,
        redirect_uri: 'http://localhost:3978/auth-end.html',
        scope: ownerScope,
      }),
    );
    expect(r.status).toBe(200);
    expect(r.text).toContain('id="i0116"');
  });
});
