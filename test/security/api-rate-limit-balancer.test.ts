import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientAddress } from '../../src/adapters/http/rate-limit.js';
import { ApiHarness, TENANT_A, TENANT_B } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';
import { startRateLimited } from './secured-api.js';

/*
 * Issue 15 item 6, from the attacker's side: behind a load balancer every request arrives from the
 * balancer's address. Keyed on the socket peer, one flood locked every tenant out. Now unauthenticated
 * requests are limited per client address read from the balancer's X-Forwarded-For entry
 * (TRUSTED_PROXY_HOPS), authenticated ones per tenant and per user, and those budgets are shared
 * by the instances through the store.
 */
const ATTACKER = '203.0.113.7';
const ADMIN_B = '198.51.100.2';

/** A request as the balancer forwards it: it appends the peer it saw to whatever the client sent. */
async function viaBalancer(
  api: ApiHarness,
  path: string,
  o: { from: string; token?: string; clientSentForwardedFor?: string },
): Promise<{ status: number; detail: string }> {
  const xff = o.clientSentForwardedFor ? `${o.clientSentForwardedFor}, ${o.from}` : o.from;
  const res = await fetch(`${api.base}${path}`, {
    headers: { 'x-forwarded-for': xff, ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
  });
  const body = (await res.json().catch(() => ({}))) as { detail?: string };
  return { status: res.status, detail: body.detail ?? '' };
}

describe('rate limits behind a load balancer', () => {
  let entra: LocalEntra;
  let first: ApiHarness;
  let second: ApiHarness;
  beforeAll(async () => {
    entra = await LocalEntra.start();
    const one = new ApiHarness(entra);
    // Both instances count in the same store (the shared windows), with the same settings.
    const shared = { windows: one.store.rateWindows, windowMs: 60_000, perTenant: 1e6, perUser: 6 };
    first = await startRateLimited(one, {
      perTenant: { capacity: 1000, refillPerSecond: 1 },
      perUser: { capacity: 1000, refillPerSecond: 1 },
      perIp: { capacity: 5, refillPerSecond: 0.01 },
      clientIp: clientAddress(1),
      shared,
    });
    second = await startRateLimited(new ApiHarness(entra), {
      perTenant: { capacity: 1000, refillPerSecond: 1 },
      perUser: { capacity: 1000, refillPerSecond: 1 },
      perIp: { capacity: 1000, refillPerSecond: 1 },
      clientIp: clientAddress(1),
      shared,
    });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await entra.close();
  });

  it("one client's flood of bad tokens does not lock out another tenant's admin behind the same balancer", async () => {
    const flood: number[] = [];
    for (let i = 0; i < 8; i += 1)
      flood.push((await viaBalancer(first, '/api/v1/rules', { from: ATTACKER, token: 'a.b.c' })).status);
    expect(flood.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(flood.slice(5)).toEqual([429, 429, 429]);
    // Writing other addresses to the left of the balancer's entry buys the attacker nothing.
    const spoofed = await viaBalancer(first, '/api/v1/rules', { from: ATTACKER, clientSentForwardedFor: '10.9.8.7' });
    expect(spoofed.status).toBe(429);
    const admin = await viaBalancer(first, '/api/v1/rules', {
      from: ADMIN_B,
      token: await entra.token({ tid: TENANT_B }),
    });
    expect(admin.status).toBe(200);
  });

  it("a tenant user's budget is one budget across instances, and spends nobody else's", async () => {
    const mallory = await entra.token({ tid: TENANT_A, oid: 'mallory' });
    const statuses: number[] = [];
    // Round robin over both instances, each from its own address (no per-address limit in play).
    for (let i = 0; i < 8; i += 1) {
      const api = i % 2 === 0 ? first : second;
      statuses.push((await viaBalancer(api, '/api/v1/rules', { from: `192.0.2.${i + 1}`, token: mallory })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const limited = await viaBalancer(second, '/api/v1/rules', { from: '192.0.2.99', token: mallory });
    expect(limited.detail).toContain('user');
    // Another admin of the same tenant and an admin of another tenant still get through.
    const colleague = await entra.token({ tid: TENANT_A, oid: 'colleague' });
    expect((await viaBalancer(second, '/api/v1/rules', { from: '192.0.2.100', token: colleague })).status).toBe(200);
    const other = await entra.token({ tid: TENANT_B, oid: 'someone' });
    expect((await viaBalancer(second, '/api/v1/rules', { from: '192.0.2.101', token: other })).status).toBe(200);
  });
});

describe('clientAddress', () => {
  const req = (peer: string, xff?: string) =>
    ({ socket: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as never;

  it('is the socket peer when no proxy is trusted, whatever the client claims', () => {
    expect(clientAddress(0)(req('203.0.113.7', '10.0.0.1'))).toBe('203.0.113.7');
  });

  it('is the entry the outermost trusted proxy appended, never one the client wrote', () => {
    expect(clientAddress(1)(req('10.0.0.2', '1.1.1.1, 203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(2)(req('10.0.0.2', '1.1.1.1, 203.0.113.7, 10.0.0.9'))).toBe('203.0.113.7');
  });

  it('falls back to the socket peer when the proxy sent no header', () => {
    expect(clientAddress(1)(req('10.0.0.2'))).toBe('10.0.0.2');
  });
});
