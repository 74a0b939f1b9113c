import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tabContentSecurityPolicy, TEAMS_FRAME_ANCESTORS } from '../../src/adapters/http/restify-static-tab.js';
import { ApiHarness, TENANT_A } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';
import { startRateLimited } from './secured-api.js';

const directives = (csp: string): Map<string, string[]> =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name ?? '', values]),
  );

describe('the tab CSP (served on every /tab/ response; see test/adapters/http/restify-static-tab.test.ts)', () => {
  const csp = directives(tabContentSecurityPolicy());

  it('lets only the Teams / Microsoft 365 hosts (https) and the tab itself frame it', () => {
    const ancestors = csp.get('frame-ancestors') ?? [];
    expect(ancestors).toEqual(["'self'", ...TEAMS_FRAME_ANCESTORS]);
    for (const a of ancestors.slice(1)) expect(a).toMatch(/^https:\/\/(\*\.)?[a-z0-9.-]+\.(com|microsoft)$/);
    expect(ancestors).not.toContain('*');
  });

  it('runs only the bundle own scripts and embeds no plugins', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
  });
});

describe('API response headers: never cached, never sniffed — answers and refusals alike', () => {
  let entra: LocalEntra;
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    entra = await LocalEntra.start();
    api = await startRateLimited(new ApiHarness(entra), {
      perTenant: { capacity: 1000, refillPerSecond: 1 },
      perIp: { capacity: 12, refillPerSecond: 1 },
    });
    token = await entra.token({ tid: TENANT_A });
  });
  afterAll(async () => {
    await api.close();
    await entra.close();
  });

  it.each([
    ['200 JSON', 'GET', '/api/v1/rules', true, undefined, 200],
    ['200 CSV', 'GET', '/api/v1/users/export', true, undefined, 200],
    ['401', 'GET', '/api/v1/rules', false, undefined, 401],
    ['400', 'POST', '/api/v1/rules', true, '{', 400],
    ['404', 'GET', '/api/v1/nowhere', true, undefined, 404],
    ['405', 'OPTIONS', '/api/v1/rules', true, undefined, 405],
    ['413', 'POST', '/api/v1/rules', true, `{"name":"${'x'.repeat(300 * 1024)}"}`, 413],
  ] as const)('%s', async (_name, method, path, withToken, body, status) => {
    const res = await fetch(`${api.base}${path}`, {
      method,
      headers: {
        ...(withToken ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
    });
    await res.arrayBuffer();
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('429', async () => {
    let res: Response | undefined;
    for (let i = 0; i < 20 && res?.status !== 429; i += 1) {
      res = await fetch(`${api.base}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
    }
    expect(res?.status).toBe(429);
    expect(res?.headers.get('cache-control')).toBe('no-store');
    expect(res?.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
