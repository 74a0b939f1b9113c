import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TokenBuckets } from '../../src/adapters/http/rate-limit.js';
import { ApiHarness, TENANT_A, TENANT_B } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';
import { ManualTime } from '../application/fakes/manual-time.js';
import { startRateLimited } from './secured-api.js';

describe('TokenBuckets', () => {
  it('allows `capacity` at once, then says when to come back, and refills with time', async () => {
    const time = new ManualTime();
    const b = new TokenBuckets({ capacity: 2, refillPerSecond: 0.5 }, time);
    expect([b.take('k'), b.take('k')]).toEqual([{ allowed: true }, { allowed: true }]);
    expect(b.take('k')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(b.take('other')).toEqual({ allowed: true });
    await time.advance(2000);
    expect(b.take('k')).toEqual({ allowed: true });
    expect(b.take('k').allowed).toBe(false);
  });

  it('keeps at most maxKeys buckets, so a spray of client addresses cannot grow memory', () => {
    const b = new TokenBuckets({ capacity: 1, refillPerSecond: 1 }, new ManualTime(), 100);
    for (let i = 0; i < 5000; i += 1) b.take(`10.0.${i >> 8}.${i & 255}`);
    expect(b.size).toBe(100);
  });
});

describe('tab API rate limits over HTTP', () => {
  let entra: LocalEntra;
  let api: ApiHarness;
  let tokenA: string;
  let tokenB: string;
  beforeAll(async () => {
    entra = await LocalEntra.start();
    api = await startRateLimited(new ApiHarness(entra), {
      perTenant: { capacity: 3, refillPerSecond: 1 },
      perIp: { capacity: 12, refillPerSecond: 1 },
    });
    [tokenA, tokenB] = await Promise.all([entra.token({ tid: TENANT_A }), entra.token({ tid: TENANT_B })]);
  });
  afterAll(async () => {
    await api.close();
    await entra.close();
  });

  it('limits each tenant separately with 429 problem+json and Retry-After', async () => {
    const forged = await entra.token({ tid: TENANT_A, signWith: 'forger' });
    // A forged token naming tenant A is refused as such and does not spend tenant A's budget.
    expect((await api.call('GET', '/api/v1/rules', { token: forged })).status).toBe(401);
    for (let i = 0; i < 3; i += 1) expect((await api.call('GET', '/api/v1/rules', { token: tokenA })).status).toBe(200);
    const limited = await api.call('GET', '/api/v1/rules', { token: tokenA });
    expect(limited.status).toBe(429);
    expect(limited.contentType).toContain('application/problem+json');
    expect(limited.json).toMatchObject({
      status: 429,
      code: 'API.RATE_LIMITED',
      detail: expect.stringContaining('tenant'),
    });
    const res = await fetch(`${api.base}/api/v1/rules`, { headers: { authorization: `Bearer ${tokenA}` } });
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await api.call('GET', '/api/v1/rules', { token: tokenB })).status).toBe(200);
    await api.time.advance(1000);
    expect((await api.call('GET', '/api/v1/rules', { token: tokenA })).status).toBe(200);
  });

  it('limits each client address before authentication, so floods of bad tokens are cut off too', async () => {
    await api.time.advance(60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1)
      statuses.push((await api.call('GET', '/api/v1/health', { token: 'not.a.jwt' })).status);
    expect(statuses.slice(0, 12).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(12)).toEqual([429, 429]);
    const limited = await api.call('GET', '/api/v1/health', { token: tokenA });
    expect(limited.json).toMatchObject({ code: 'API.RATE_LIMITED', detail: expect.stringContaining('client') });
  });
});
