import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { registerTabApi } from '../../src/adapters/http/api/register-tab-api.js';
import {
  clientAddress,
  rateLimitTabApi,
  type ApiRateLimitOptions,
  type BucketOptions,
} from '../../src/adapters/http/rate-limit.js';
import { TENANT_A, TENANT_B, type ApiHarness } from '../adapters/http/api/fakes/api-harness.js';

/**
 * Starts `h` like ApiHarness.start does, but with the rate limits composed in front of the tab
 * API the way compose.ts is meant to: `registerTabApi(server, rateLimitTabApi(server, deps, …))`.
 * Limits not given are out of the way (a test names the ones it exercises); the shared windows
 * live in the harness's store.
 */
export async function startRateLimited(
  h: ApiHarness,
  limits: { perTenant: BucketOptions; perIp: BucketOptions } & Partial<Omit<ApiRateLimitOptions, 'clock'>>,
): Promise<ApiHarness> {
  const plenty = { capacity: 1e6, refillPerSecond: 1e6 };
  const options: ApiRateLimitOptions = {
    perUser: plenty,
    shared: { windows: h.store.rateWindows, windowMs: 10_000, perTenant: 1e6, perUser: 1e6 },
    clientIp: clientAddress(0),
    ...limits,
    clock: h.time,
  };
  for (const t of [TENANT_A, TENANT_B])
    await h.store.tenants.upsert({
      id: t,
      name: t,
      acdBusinessUnitId: '1',
      entraTenantId: t,
      partnerPlatform: 'msteams',
      syncEnabled: true,
    });
  const server = restify.createServer({ handleUncaughtExceptions: false });
  h.server = server;
  h.routes = registerTabApi(server, rateLimitTabApi(server, h.deps(), options)).routes;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  h.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return h;
}

/** A full dump of everything the tab API can change, for both tenants (compared before/after). */
export async function dumpStore(h: ApiHarness): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const t of [TENANT_A, TENANT_B]) {
    out[t] = {
      tenant: await h.store.tenants.get(t),
      rules: await h.store.rules.list(t),
      audit: await h.store.rules.audit(t, 100_000),
      links: await h.store.userLinks.list(t),
      cxone: await h.store.tenants.getConnection(t, 'cxone'),
      settings: await h.store.tenants.getConnection(t, 'settings'),
    };
  }
  return JSON.stringify(out);
}
