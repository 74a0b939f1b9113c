import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry, Gauge } from 'prom-client';
import { createRestifyServer, type HttpServer } from '../../src/adapters/http/restify-server.js';
import { metricsRoute } from '../../src/compose/http-routes.js';
import { createLogger } from '../../src/compose/logger.js';
import { loadConfig } from '../../src/config.js';

/*
 * Issue 15 item 7, from the attacker's side: /metrics was public and named every tenant id. A
 * stranger's scrape gets nothing: 401 without the configured token, and in production with no
 * token configured the route is not served at all.
 */
const TENANT = '6f7a1c2e-0000-4000-8000-00000000c0de';

async function serve(access: Parameters<typeof metricsRoute>[1]): Promise<{ http: HttpServer; base: string }> {
  const registry = new Registry();
  new Gauge({ name: 'presence_sync_agents', help: 'agents', labelNames: ['tenant'], registers: [registry] })
    .labels(TENANT)
    .set(50);
  const http = createRestifyServer({
    name: 'metrics-test',
    logger: createLogger({ level: 'silent', env: 'test', format: 'json' }).logger,
    closeTimeoutMs: 1_000,
    registrars: [metricsRoute(registry, access)],
  });
  return { http, base: `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}` };
}

describe('/metrics outside the sandbox', () => {
  const token = 'scrape-token-0123456789abcdef';
  let withToken: { http: HttpServer; base: string };
  let withoutToken: { http: HttpServer; base: string };
  beforeAll(async () => {
    withToken = await serve({ access: 'token', token });
    withoutToken = await serve({ access: 'off' });
  });
  afterAll(async () => {
    await withToken.http.close();
    await withoutToken.http.close();
  });

  it.each([
    ['no credentials', {}],
    ['a wrong token', { authorization: 'Bearer scrape-token-0123456789abcdeX' }],
    ['the token as basic auth', { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` }],
  ])('refuses a scrape with %s and names no tenant', async (_what, headers: Record<string, string>) => {
    const res = await fetch(`${withToken.base}/metrics`, { headers });
    const body = await res.text();
    expect(res.status).toBe(401);
    expect(body).not.toContain(TENANT);
  });

  it('serves the scraper that sends the token', async () => {
    const res = await fetch(`${withToken.base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(TENANT);
  });

  it('is not served at all in production without a token', async () => {
    const res = await fetch(`${withoutToken.base}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(TENANT);
  });

  it('is configured that way: production without SECRET_METRICS_TOKEN is off, the sandbox open', () => {
    expect(
      loadConfig({ cwd: '/nonexistent', env: { PRESENCE_SYNC_MODE: 'sandbox', SQLITE_PATH: ':memory:' } }).metrics,
    ).toEqual({
      access: 'open',
    });
  });
});
