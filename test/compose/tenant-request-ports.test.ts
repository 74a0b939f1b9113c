import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CxoneHostPolicy } from '../../src/adapters/cxone/cxone-host-policy.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { tenantRequestPorts, type TenantRequestPorts } from '../../src/compose/tenant-request-ports.js';
import type { Endpoints } from '../../src/compose/tenant-ports.js';
import { loadConfig } from '../../src/config.js';
import { isolatedLocation, testKey, TestClock, type TestStoreHandle } from '../adapters/store/store-harness.js';
import { env } from '../e2e/sync/sandbox-harness.js';

/**
 * A request's CXone directory and Entra users come from the tenant's stored connection on any
 * instance, and are kept per tenant only while that connection stays what they were built from.
 * (That they answer on instances that do not run the tenant: test/e2e/multi-instance.)
 */
describe('tenant request ports', () => {
  let dir: string;
  let db: TestStoreHandle;
  let store: KyselyStore;
  let ports: TenantRequestPorts;
  let clock: TestClock;
  const cxone = {
    clientId: 'c',
    clientSecret: 's1',
    accessKeyId: 'k',
    accessKeySecret: 'ks',
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presence-request-ports-'));
    db = isolatedLocation('sqlite');
    clock = new TestClock();
    store = await db.open([testKey()], clock);
    const config = loadConfig({ cwd: dir, env: env(dir) });
    const endpoints: Endpoints = {
      cxoneAuthBaseUrl: 'https://cxone.invalid',
      cxoneHostPolicy: new CxoneHostPolicy(['cxone.invalid']),
      graphBaseUrl: 'https://graph.invalid',
      entraAuthorityHost: 'https://login.invalid',
      entraJwksUrl: 'https://login.invalid/keys',
    };
    ports = tenantRequestPorts({ config, endpoints, store, clock, logger: pino({ level: 'silent' }) });
    await store.tenants.upsert({
      id: 't1',
      name: 't1',
      acdBusinessUnitId: '1',
      entraTenantId: 'entra-t1',
      partnerPlatform: 'msteams',
      syncEnabled: true,
    });
  });
  afterAll(async () => {
    await ports?.close();
    await store?.close();
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no CXone directory while the tenant has no CXone connection', async () => {
    expect(await ports.acdDirectory('t1')).toBeUndefined();
  });

  it('keeps one directory per tenant while the stored connection is unchanged, and rebuilds it when it changes', async () => {
    await store.tenants.putConnection('t1', 'cxone', cxone);
    const first = await ports.acdDirectory('t1');
    expect(first).toBeDefined();
    expect(await ports.acdDirectory('t1')).toBe(first);

    // A rotated secret (saved through any instance): the next request builds from the new one.
    await store.tenants.putConnection('t1', 'cxone', { ...cxone, clientSecret: 's2' });
    const rotated = await ports.acdDirectory('t1');
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(first);
    expect(await ports.acdDirectory('t1')).toBe(rotated);
  });

  it('drops its copy of the directory once the instance running the tenant signals an agent moved team', async () => {
    await store.tenants.putConnection('t1', 'cxone', cxone);
    const directory = (await ports.acdDirectory('t1'))!;
    const invalidate = jest.spyOn(directory, 'invalidate');
    clock.advance(1_000);
    expect(await ports.acdDirectory('t1')).toBe(directory);
    expect(invalidate).not.toHaveBeenCalled();

    await store.tenantSignals.raise('t1', 'directory', clock.now());
    clock.advance(1_000);
    expect(await ports.acdDirectory('t1')).toBe(directory);
    expect(invalidate).toHaveBeenCalledTimes(1);
    // Once per raise, and the store is read at most once a second per tenant.
    clock.advance(1_000);
    await ports.acdDirectory('t1');
    expect(invalidate).toHaveBeenCalledTimes(1);
    await store.tenantSignals.raise('t1', 'directory', clock.now());
    await ports.acdDirectory('t1');
    expect(invalidate).toHaveBeenCalledTimes(1);
    clock.advance(1_000);
    await ports.acdDirectory('t1');
    expect(invalidate).toHaveBeenCalledTimes(2);
  });
});
