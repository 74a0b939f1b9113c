import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { seedSandboxTenant } from '../../../src/sandbox/sandbox-seed.js';
import { isolatedLocation, testKey, type TestStoreHandle } from '../../adapters/store/store-harness.js';
import { eventually } from '../sync/sandbox-harness.js';
import { cxoneControl, tabClient } from '../faults/process-fault-kit.js';
import { killAll, productInstanceEnv, spawnInstance, type ProductInstance } from './product-instances.js';
import { startSharedWorld, type SharedWorld } from './shared-world.js';

/**
 * Three product processes on one fresh PostgreSQL schema, the shared emulators, and Graph calling
 * them back through the round-robin balancer (the world multi-instance.e2e.test.ts describes).
 */
export interface Cluster {
  readonly world: SharedWorld;
  readonly db: TestStoreHandle;
  readonly tenantId: string;
  readonly instances: ProductInstance[];
  /** The admin's SSO token for the tab API. */
  readonly token: string;
  /** The instance holding the tenant's lease now. */
  owner(): Promise<ProductInstance | undefined>;
  /** POST to the CXone emulator's control API. */
  cxone(path: string, body?: unknown): Promise<unknown>;
  /** GET on one instance's tab API as the admin. */
  api<T>(instance: ProductInstance, path: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * The environment of every instance of the cluster: the production one on the test's PostgreSQL
 * schema, with a short lease so that a takeover happens within seconds.
 */
export function clusterEnv(world: SharedWorld, db: TestStoreHandle, dir: string, key: Buffer): Record<string, string> {
  if (db.location.kind !== 'postgres') throw new Error('expected PostgreSQL');
  return {
    ...productInstanceEnv(world, { ...db.location, poolSize: 4 }, dir, key, 'multi-instance-e2e'),
    POLL_INTERVAL_MS: '200',
    // 6 s: long enough that a witness's webhook normally lands while nobody owns the tenant.
    LEASE_TTL_MS: '6000',
    LEASE_RENEW_MS: '1000',
    // The instances share this host; instances on other hosts cannot see a dead owner's process, so these tests take that path: the lease's TTL.
    LEASE_TAKEOVER_LOCAL: 'off',
  };
}

/** A fresh encryption key and the sandbox tenant seeded into the cluster's schema. */
export async function seedClusterStore(
  db: TestStoreHandle,
  world: SharedWorld,
): Promise<{ key: Buffer; tenantId: string }> {
  const key = testKey();
  const store = await db.open([key], { now: () => Date.now() });
  const transport = createHttpTransport({ timeoutMs: 10_000, extraCaPem: world.cxone.caCertPem });
  try {
    return { key, tenantId: await seedSandboxTenant(store, world, transport.fetch) };
  } finally {
    await transport.close();
    await store.close();
  }
}

/** The instance holding the tenant's lease now; the instance id is `<host>:<pid>:<random>` (compose/sync-runtime.ts). */
export async function leaseHolder(db: TestStoreHandle, tenantId: string): Promise<string | undefined> {
  const rows = await db.raw('select holder from leases where name = ? and expires_at > ?', [
    `sync:${tenantId}`,
    Date.now(),
  ]);
  return rows[0]?.['holder'] as string | undefined;
}

export const instanceOf = (
  instances: readonly ProductInstance[],
  holder: string | undefined,
): ProductInstance | undefined => instances.find((i) => holder?.split(':')[1] === String(i.pid));

export async function startCluster(extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-cluster-'));
  const world = await startSharedWorld(dir);
  const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem } });
  const db = isolatedLocation('postgres');
  const { key, tenantId } = await seedClusterStore(db, world);
  const env = { ...clusterEnv(world, db, dir, key), ...extraEnv };
  const instances = await Promise.all(['a', 'b', 'c'].map((n) => spawnInstance(`instance-${n}`, env)));
  world.balancer.setBackends(instances.map((i) => i.port));
  const owner = async (): Promise<ProductInstance | undefined> =>
    instanceOf(instances, await leaseHolder(db, tenantId));
  await eventually(owner, 'one instance holds the tenant lease', 30_000, 200);
  const tab = await tabClient(world);
  return {
    world,
    db,
    tenantId,
    instances,
    token: tab.token,
    owner,
    cxone: cxoneControl(world.cxone.url, dispatcher),
    async api<T>(instance: ProductInstance, path: string): Promise<T> {
      const r = await undiciFetch(`http://127.0.0.1:${instance.port}/api/v1${path}`, {
        headers: { authorization: `Bearer ${tab.token}` },
      });
      if (!r.ok) throw new Error(`${instance.name} ${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    },
    async close() {
      await killAll(instances);
      await tab.close();
      await dispatcher.close();
      await world.close();
      await db.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
