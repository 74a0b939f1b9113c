import { createHash, randomBytes } from 'node:crypto';
import { MsalOwnerSignIn } from '../../../src/adapters/graph/graph-owner-sign-in.js';
import { GraphOwnerTokens } from '../../../src/adapters/graph/graph-owner-tokens.js';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { InMemoryConnections } from './fakes.js';
import { REDIRECT, redirectParams, startEntraRig, type EntraRig } from '../../sandbox/graph/entra-browser.js';

/**
 * A subscription owner signs in on the emulated Entra's own pages (authorization code + PKCE);
 * MSAL's cache of that sign-in becomes the owner's, sealed in the store, and the delegated tokens
 * the subscriptions need are refreshed from it — until Entra refuses, when the owner is asked to
 * sign in again.
 */
describe('MsalOwnerSignIn + GraphOwnerTokens against the emulated Entra sign-in pages', () => {
  let rig: EntraRig;
  let transport: ReturnType<typeof createHttpTransport>;
  beforeAll(async () => {
    rig = await startEntraRig();
    transport = createHttpTransport({ timeoutMs: 5_000, extraCaPem: rig.emulator.caCertPem });
  });
  afterAll(async () => {
    await transport.close();
    await rig.close();
  });

  const options = () => ({
    tenantId: rig.home.id,
    clientId: rig.clientId,
    clientSecret: rig.secret,
    authorityHost: rig.emulator.authorityUrl,
    graphBaseUrl: rig.emulator.url,
  });

  it('redeems the code server-side, keeps MSAL’s cache per owner, refreshes from it, and asks for a new sign-in once Entra refuses', async () => {
    const store = new InMemoryConnections();
    const signIn = new MsalOwnerSignIn(options(), transport.fetch, store);
    const verifier = randomBytes(32).toString('base64url');
    const owner = rig.home.users[1]!;
    const browser = rig.browser();
    const form = await browser.open(
      await signIn.authorizeUrl(rig.home.id, {
        state: 'sealed',
        codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
        redirectUri: REDIRECT,
      }),
    );
    const back = redirectParams(await browser.submit(form, { login: owner.userPrincipalName, passwd: owner.password }));
    expect(back.get('state')).toBe('sealed');
    const r = await signIn.redeem(rig.home.id, {
      code: back.get('code')!,
      codeVerifier: verifier,
      redirectUri: REDIRECT,
    });
    expect(r).toEqual({ ok: true, value: { ownerId: owner.id, userPrincipalName: owner.userPrincipalName } });
    const record = await store.getConnection(rig.home.id, `owner:${owner.id}`);
    expect(Object.keys(record ?? {}).sort()).toEqual(['msalCache', 'userPrincipalName']);

    const tokens = new GraphOwnerTokens(options(), transport.fetch, store, rig.home.id, rig.clock);
    expect(await tokens.token(owner.id)).toMatchObject({ ok: true });
    expect((await store.getConnection(rig.home.id, `owner:${owner.id}`))?.['msalCache']).not.toBe(
      record?.['msalCache'],
    );

    rig.emulator.control.revokeUser(owner.id);
    const refused = await tokens.token(owner.id, true);
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_grant', transient: false } });
    expect(!refused.ok && refused.error.message).toContain(`${owner.id} must sign in again`);
  });

  it('refuses a code redeemed with another verifier (PKCE), storing nothing', async () => {
    const store = new InMemoryConnections();
    const signIn = new MsalOwnerSignIn(options(), transport.fetch, store);
    const owner = rig.home.users[2]!;
    const browser = rig.browser();
    const form = await browser.open(
      await signIn.authorizeUrl(rig.home.id, {
        state: 's',
        codeChallenge: createHash('sha256').update('the-real-verifier-'.padEnd(50, 'x')).digest('base64url'),
        redirectUri: REDIRECT,
      }),
    );
    const back = redirectParams(await browser.submit(form, { login: owner.userPrincipalName, passwd: owner.password }));
    const r = await signIn.redeem(rig.home.id, {
      code: back.get('code')!,
      codeVerifier: 'an-attackers-verifier-'.padEnd(50, 'y'),
      redirectUri: REDIRECT,
    });
    expect(r.ok).toBe(false);
    expect(await store.getConnection(rig.home.id, `owner:${owner.id}`)).toBeUndefined();
  });
});
