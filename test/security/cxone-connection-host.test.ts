import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CxoneHostPolicy } from '../../src/adapters/cxone/cxone-host-policy.js';
import { cxoneConnectionTest } from '../../src/compose/cxone-connection-test.js';
import { startCxoneEmulator, type CxoneEmulator } from '../../src/sandbox/cxone/cxone-emulator.js';
import { createLocalTls, type LocalTls } from '../../src/sandbox/tls/local-ca.js';
import { ApiHarness, TENANT_A } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';
import { recordingLogger } from '../adapters/cxone/cxone-harness.js';

/** What reached a server the attacker controls (or any host that is not CXone). */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly body: string;
}

type Listening = { readonly url: string; readonly seen: Seen[]; close(): Promise<void> };

async function listen(server: HttpServer | HttpsServer, scheme: 'http' | 'https', seen: Seen[]): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTPS server trusted by the product (same local CA) answering every request with `answer`. */
async function httpsHost(
  tls: LocalTls,
  answer: (path: string, origin: string) => [number, unknown],
): Promise<Listening> {
  const seen: Seen[] = [];
  const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, authorization: req.headers.authorization });
      const [status, json] = answer(req.url ?? '/', `https://${req.headers.host ?? ''}`);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  return listen(server, 'https', seen);
}

describe('CXone connection: a tenant admin cannot send the stored secrets to a host of their choosing (issue 15 item 1)', () => {
  let tls: LocalTls;
  let emu: CxoneEmulator;
  let entra: LocalEntra;
  let api: ApiHarness;
  let token: string;
  let attacker: Listening;
  let redirector: Listening;
  let failing: Listening;
  let plainHttp: Listening;
  let closedUrl: string;
  const logs = recordingLogger();

  const putCxone = (body: Record<string, unknown>) => api.call('PUT', '/api/v1/connections/cxone', { token, body });
  const testCxone = () => api.call('POST', '/api/v1/connections/cxone/test', { token });
  const real = () => ({
    issuerUrl: emu.url,
    clientId: emu.credentials.clientId,
    clientSecret: emu.credentials.clientSecret,
    accessKeyId: emu.credentials.accessKeyId,
    accessKeySecret: emu.credentials.accessKeySecret,
  });

  beforeAll(async () => {
    tls = await createLocalTls();
    emu = await startCxoneEmulator({ tls });
    attacker = await httpsHost(tls, () => [200, { access_token: 'x', token_type: 'Bearer', expires_in: 3600 }]);
    // An allowed host whose discovery document names the attacker's token endpoint.
    redirector = await httpsHost(tls, (path, origin) =>
      path.startsWith('/.well-known/openid-configuration')
        ? [200, { issuer: origin, token_endpoint: `${attacker.url}/auth/token` }]
        : [404, {}],
    );
    failing = await httpsHost(tls, () => [500, { error: 'boom' }]);
    plainHttp = await listen(
      createHttpServer((_req, res) => res.end('hello')),
      'http',
      [],
    );
    const closed = await httpsHost(tls, () => [200, {}]);
    closedUrl = closed.url;
    await closed.close();
    const allowed = [emu.url, redirector.url, failing.url, closedUrl, plainHttp.url.replace('http:', 'https:')];
    const policy = new CxoneHostPolicy(allowed.map((u) => new URL(u).host));
    entra = await LocalEntra.start();
    const probe = new ApiHarness(entra);
    api = await new ApiHarness(entra, {
      cxoneHosts: policy,
      testCxone: cxoneConnectionTest({
        endpoints: {
          cxoneAuthBaseUrl: emu.url,
          cxoneHostPolicy: policy,
          graphBaseUrl: 'https://graph.invalid',
          entraAuthorityHost: 'https://login.invalid',
          entraJwksUrl: 'https://login.invalid/keys',
          caPem: tls.caCertPem,
        },
        clock: probe.time,
        logger: logs,
      }),
    }).start();
    token = await entra.token({ tid: TENANT_A });
    expect((await putCxone(real())).status).toBe(200);
    expect((await testCxone()).json).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    await api?.close();
    await entra?.close();
    for (const s of [attacker, redirector, failing, plainHttp]) await s?.close();
    await emu?.close();
  });

  it('a new issuerUrl without the secrets is refused (400), and the stored connection stays as it was', async () => {
    const before = await api.store.tenants.getConnection(TENANT_A, 'cxone');
    const r = await putCxone({ issuerUrl: redirector.url, clientId: 'cid', accessKeyId: 'kid' });
    expect(r.status).toBe(400);
    expect((r.json['errors'] as { pointer: string; detail: string }[]).map((e) => [e.pointer, e.detail])).toEqual([
      ['/clientSecret', 'clientSecret is required: the CXone host changes.'],
      ['/accessKeySecret', 'accessKeySecret is required: the CXone host changes.'],
    ]);
    expect(await api.store.tenants.getConnection(TENANT_A, 'cxone')).toEqual(before);
  });

  it('trying credentials on a new issuerUrl does not borrow the stored secrets either (POST /connections/cxone/try)', async () => {
    const seenBefore = redirector.seen.length;
    const r = await api.call('POST', '/api/v1/connections/cxone/try', { token, body: { issuerUrl: redirector.url } });
    expect(r.status).toBe(400);
    expect((r.json['errors'] as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/clientSecret',
      '/accessKeySecret',
    ]);
    const outside = await api.call('POST', '/api/v1/connections/cxone/try', {
      token,
      body: { ...real(), issuerUrl: attacker.url },
    });
    expect([outside.status, (outside.json['errors'] as { code: string }[])[0]?.code]).toEqual([
      400,
      'CONNECTION.HOST_NOT_ALLOWED',
    ]);
    expect(redirector.seen.length).toBe(seenBefore);
    expect(attacker.seen).toEqual([]);
  });

  it('a host outside the allowed CXone hosts is refused even with secrets; nothing ever reaches it', async () => {
    const r = await putCxone({ ...real(), issuerUrl: attacker.url });
    expect(r.status).toBe(400);
    expect((r.json['errors'] as { code: string; pointer: string }[])[0]).toMatchObject({
      pointer: '/issuerUrl',
      code: 'CONNECTION.HOST_NOT_ALLOWED',
    });
    expect((await testCxone()).json).toMatchObject({ ok: true });
    expect(attacker.seen).toEqual([]);
  });

  it('discovery on an allowed host cannot send the credentials to another host (token_endpoint elsewhere)', async () => {
    expect((await putCxone({ ...real(), issuerUrl: redirector.url })).status).toBe(200);
    const r = await testCxone();
    expect(r.json).toEqual({
      ok: false,
      code: 'CXONE_UNREACHABLE',
      detail: `could not reach CXone at ${redirector.url}`,
    });
    expect(attacker.seen).toEqual([]);
    expect(redirector.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /.well-known/openid-configuration']);
    expect(redirector.seen.some((s) => s.authorization !== undefined || s.body !== '')).toBe(false);
  });

  it('a closed port, a plain-HTTP service and an HTTP 500 read the same: "could not reach CXone at …"', async () => {
    const answers: unknown[] = [];
    for (const url of [closedUrl, plainHttp.url.replace('http:', 'https:'), failing.url]) {
      expect((await putCxone({ ...real(), issuerUrl: url })).status).toBe(200);
      const r = await testCxone();
      answers.push(JSON.parse(r.text.replaceAll(new URL(url).origin, 'https://HOST')));
    }
    expect(answers).toEqual(
      Array(3).fill({ ok: false, code: 'CXONE_UNREACHABLE', detail: 'could not reach CXone at https://HOST' }),
    );
  });

  it('every connection change and every test is in the audit log, without a secret', async () => {
    const audit = await api.call('GET', '/api/v1/audit?limit=1000', { token });
    const actions = (audit.json['items'] as { action: string }[]).map((e) => e.action);
    expect(actions.filter((a) => a === 'connection.update').length).toBeGreaterThanOrEqual(5);
    expect(actions.filter((a) => a === 'connection.test').length).toBeGreaterThanOrEqual(6);
    expect(audit.text).not.toContain(emu.credentials.clientSecret);
    expect(audit.text).not.toContain(emu.credentials.accessKeySecret);
  });
});
