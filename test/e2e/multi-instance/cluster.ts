import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { seedSandboxTenant } from '../../../src/sandbox/sandbox-seed.js';
import { isolatedLocation, testKey, type TestStoreHandle } from '../../adapters/store/store-harness.js';
import { eventually } from '../sync/sandbox-harness.js';
import { killAll, spawnInstance, type ProductInstance } from './product-instances.js';
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

export async function startCluster(extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-cluster-'));
  const world = await startSharedWorld(dir);
  const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem } });
  const db = isolatedLocation('postgres');
  const key = testKey();
  const store = await db.open([key], { now: () => Date.now() });
  const transport = createHttpTransport({ timeoutMs: 10_000, extraCaPem: world.cxone.caCertPem });
  const tenantId = await seedSandboxTenant(store, world, transport.fetch).finally(() => transport.close());
  await store.close();
  if (db.location.kind !== 'postgres') throw new Error('expected PostgreSQL');
  const env = {
    PRESENCE_SYNC_ENV: 'multi-instance-e2e',
    PRESENCE_SYNC_MODE: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: world.balancer.url,
    MICROSOFT_APP_ID: world.entra.apps[0]!.clientId,
    SECRET_GRAPH_CLIENT_SECRET: world.entra.apps[0]!.clientSecret,
    DATA_DIR: dir,
    DATABASE_URL: db.location.url,
    DATABASE_SCHEMA: db.location.schema ?? '',
    DATABASE_POOL_SIZE: '4',
    SECRET_ENCRYPTION_KEY: key.toString('base64'),
    EXTRA_CA_FILE: world.caFile,
    POLL_INTERVAL_MS: '200',
    LEASE_TTL_MS: '6000',
    LEASE_RENEW_MS: '1000',
    LEASE_TAKEOVER_LOCAL: 'off',
    CXONE_AUTH_BASE_URL: world.cxone.url,
    CXONE_ALLOWED_HOSTS: new URL(world.cxone.url).host,
    GRAPH_BASE_URL: `${world.graph.url}/v1.0`,
    ENTRA_LOGIN_BASE_URL: world.graph.authorityUrl,
    ...extraEnv,
  };
  const instances = await Promise.all(['a', 'b', 'c'].map((n) => spawnInstance(`instance-${n}`, env)));
  world.balancer.setBackends(instances.map((i) => i.port));
  const owner = async (): Promise<ProductInstance | undefined> => {
    const rows = await db.raw('select holder from leases where name = ? and expires_at > ?', [
      `sync:${tenantId}`,
      Date.now(),
    ]);
    const holder = rows[0]?.['holder'] as string | undefined;
    return instances.find((i) => holder?.split(':')[1] === String(i.pid));
  };
  await eventually(owner, 'one instance holds the tenant lease', 30_000, 200);
  const app = world.entra.apps[0]!;
  const res = await undiciFetch(`${world.graph.authorityUrl}/${world.entra.id}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      username: world.admin.userPrincipalName,
      password: world.admin.password,
      scope: `api://localhost/${app.clientId}/access_as_user`,
    }),
    dispatcher,
  });
  const token = ((await res.json()) as { access_token?: string }).access_token;
  if (!token) throw new Error(`no admin token from the emulated Entra (${res.status})`);
  return {
    world,
    db,
    tenantId,
    instances,
    token,
    owner,
    async cxone(path, body = {}) {
      const r = await undiciFetch(`${world.cxone.url}/_control${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher,
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`CXone control ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async api<T>(instance: ProductInstance, path: string): Promise<T> {
      const r = await undiciFetch(`http://127.0.0.1:${instance.port}/api/v1${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!r.ok) throw new Error(`${instance.name} ${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    },
    async close() {
      await killAll(instances);
      await dispatcher.close();
      await world.close();
      await db.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
