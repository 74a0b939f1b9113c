import { agentStatesPageSchema } from '../../../src/adapters/cxone/cxone-schemas.js';
import { CxoneApiClient } from '../../../src/adapters/cxone/cxone-api-client.js';
import { CxoneAuth } from '../../../src/adapters/cxone/cxone-auth.js';
import { CxoneRequester } from '../../../src/adapters/cxone/cxone-http.js';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { recordingLogger } from './cxone-harness.js';

describe('CxoneAuth + CxoneApiClient over HTTPS against the emulator (reference §1.2, §1.3)', () => {
  let emu: CxoneEmulator;
  let transport: ReturnType<typeof createHttpTransport>;
  const logger = recordingLogger();
  beforeAll(async () => {
    emu = await startCxoneEmulator({ tokenLifetimeSec: 60 });
    transport = createHttpTransport({ extraCaPem: emu.caCertPem, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await transport.close();
    await emu.close();
  });
  beforeEach(() => emu.stats.clear());

  const build = (secret = emu.credentials.accessKeySecret) => {
    const requester = new CxoneRequester(transport.fetch, emu.clock, logger);
    const signIns: (string | undefined)[] = [];
    const auth = new CxoneAuth(
      { issuerUrl: emu.url, ...emu.credentials, accessKeySecret: secret, onSignIn: (f) => signIns.push(f?.code) },
      requester,
      emu.clock,
      logger,
    );
    const bad: unknown[] = [];
    return { auth, api: new CxoneApiClient(auth, requester, (f) => bad.push(f)), bad, signIns };
  };
  const tokenRequests = () => emu.stats.get('POST /auth/token') ?? 0;

  it('discovers the token endpoint and the tenant API base, signing in once for concurrent callers', async () => {
    const { auth } = build();
    const tokens = await Promise.all([auth.accessToken(), auth.accessToken(), auth.accessToken()]);
    expect(tokens.every((t) => t.ok)).toBe(true);
    expect(tokenRequests()).toBe(1);
    const endpoints = await auth.discover();
    expect(endpoints).toEqual({
      ok: true,
      value: { tokenEndpoint: `${emu.url}/auth/token`, tenantId: emu.tenantId, apiBaseUrl: emu.url },
    });
  });

  it('refreshes before expiry (at the latest half-way through a short token) with the refresh grant', async () => {
    const { auth, api } = build();
    const first = await auth.accessToken();
    emu.clock.advance(29_000);
    expect(await auth.accessToken()).toEqual(first);
    emu.clock.advance(2_000);
    const second = await auth.accessToken();
    expect(second.ok && first.ok && second.value !== first.value).toBe(true);
    expect(tokenRequests()).toBe(2);
    expect((await api.get('/agents/states', agentStatesPageSchema)).ok).toBe(true);
  });

  it('a refused refresh grant falls back to the access key; a refused sign-in is told, and so is the recovery', async () => {
    const { auth, api, signIns } = build();
    expect((await api.get('/agents/states', agentStatesPageSchema)).ok).toBe(true);
    emu.identity.revokeAllAccessTokens();
    emu.identity.failTokenRequests({ times: 1, status: 400, grants: ['refresh_token'] });
    expect((await api.get('/agents/states', agentStatesPageSchema)).ok).toBe(true);
    expect(signIns).toEqual([undefined, undefined]);
    emu.identity.revokeAllAccessTokens();
    emu.identity.failTokenRequests({ times: 100, status: 400, grants: ['password', 'refresh_token'] });
    const refused = await api.get('/agents/states', agentStatesPageSchema);
    expect(refused).toEqual({
      ok: false,
      error: expect.objectContaining({ status: 400, code: 'invalid_grant', transient: false }),
    });
    expect(signIns.slice(2)).toEqual(['invalid_grant']);
    emu.identity.clearTokenFailures();
    expect((await auth.accessToken()).ok).toBe(true);
    expect(signIns.at(-1)).toBeUndefined();
  });

  it('answers a 401 mid-stream by renewing once and retrying once', async () => {
    const { api } = build();
    expect((await api.get('/agents/states', agentStatesPageSchema)).ok).toBe(true);
    emu.identity.revokeAllAccessTokens();
    const r = await api.get('/agents/states', agentStatesPageSchema);
    expect(r.ok).toBe(true);
    expect(emu.stats.get('GET /agents/states')).toBe(3);
  });

  it('returns a normalised, non-transient failure for a wrong access key', async () => {
    const { auth } = build('wrong');
    const r = await auth.accessToken();
    expect(r).toEqual({
      ok: false,
      error: expect.objectContaining({
        system: 'cxone',
        status: 400,
        code: 'invalid_grant',
        transient: false,
        requestId: expect.any(String),
      }),
    });
  });

  it('turns an unexpected body into BAD_RESPONSE and a health signal, not a crash', async () => {
    const { api, bad } = build();
    emu.faults.configure({ rules: [{ status: 200, times: 1, pathContains: 'agents/states' }] });
    const r = await api.get('/agents/states', agentStatesPageSchema);
    expect(r).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'BAD_RESPONSE', message: expect.stringContaining('agentStates') }),
    });
    expect(bad).toHaveLength(1);
  });

  it('never logs a secret or a token', () => {
    const all = logger.lines.join('\n');
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of [emu.credentials.clientSecret, emu.credentials.accessKeySecret, emu.credentials.accessKeyId])
      expect(all).not.toContain(secret);
    expect(all).not.toMatch(/Bearer|access_token|refresh_token/);
  });
});
