import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CxoneHostPolicy } from '../../src/adapters/cxone/cxone-host-policy.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { HealthModel } from '../../src/application/health/health-model.js';
import { timerScheduler } from '../../src/compose/sync-runtime.js';
import { tenantRequestPorts } from '../../src/compose/tenant-request-ports.js';
import { buildTenantAdapters, type Endpoints, type TenantAdapters } from '../../src/compose/tenant-ports.js';
import { loadConfig } from '../../src/config.js';
import type { Tenant } from '../../src/domain/tenant.js';
import { startCxoneEmulator, type CxoneEmulator } from '../../src/sandbox/cxone/cxone-emulator.js';
import { isolatedLocation, testKey, type TestStoreHandle } from '../adapters/store/store-harness.js';
import { env } from '../e2e/sync/sandbox-harness.js';

/**
 * A tenant whose CXone business unit is on another cluster than the deployment's default saves
 * that cluster's issuer with its connection: the sync and every request sign in there, as the
 * connection test did — never at CXONE_AUTH_BASE_URL.
 */
describe('a stored CXone issuer other than the deployment’s', () => {
  let dir: string;
  let db: TestStoreHandle;
  let store: KyselyStore;
  let emu: CxoneEmulator;
  let endpoints: Endpoints;
  let config: ReturnType<typeof loadConfig>;
  const tenant: Tenant = {
    id: 't-other-cluster',
    name: 'Fabrikam',
    acdBusinessUnitId: '4500',
    entraTenantId: 'entra-fabrikam',
    partnerPlatform: 'msteams',
    syncEnabled: true,
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presence-stored-issuer-'));
    emu = await startCxoneEmulator({ seed: { teams: 2, agents: 10, seed: 3 } });
    db = isolatedLocation('sqlite');
    store = await db.open([testKey()], { now: () => Date.now() });
    config = loadConfig({ cwd: dir, env: env(dir) });
    // The deployment's default cluster answers nothing; the tenant's own is the emulator.
    endpoints = {
      cxoneAuthBaseUrl: 'https://cxone-default.invalid',
      cxoneHostPolicy: new CxoneHostPolicy(['cxone-default.invalid', new URL(emu.url).host]),
      graphBaseUrl: 'https://graph.invalid',
      entraAuthorityHost: 'https://login.invalid',
      entraJwksUrl: 'https://login.invalid/keys',
      caPem: emu.caCertPem,
    };
    await store.tenants.upsert(tenant);
    await store.tenants.putConnection(tenant.id, 'cxone', { issuerUrl: emu.url, ...emu.credentials });
    await store.tenants.putConnection(tenant.id, 'graph', { clientId: 'app', clientSecret: 'secret' });
  }, 30_000);
  afterAll(async () => {
    await store?.close();
    await db?.dispose();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is where the sync signs in and reads the directory', async () => {
    const health = new HealthModel({ clock: { now: () => Date.now() }, scheduler: timerScheduler });
    emu.stats.clear();
    let adapters: TenantAdapters | undefined;
    try {
      adapters = await buildTenantAdapters(
        {
          config,
          endpoints,
          store,
          clock: { now: () => Date.now() },
          logger: pino({ level: 'silent' }),
          health: (t) => health.reporter(t),
          publicBaseUrl: () => 'https://presence.invalid',
        },
        tenant,
      );
      const teams = await adapters!.ports.acdDirectory.listTeams();
      expect(teams.ok && teams.value.length).toBe(2);
      expect(emu.stats.get('POST /auth/token')).toBeGreaterThanOrEqual(1);
    } finally {
      await adapters?.close();
    }
  });

  it('is where a request on any instance reads the directory', async () => {
    const ports = tenantRequestPorts({
      config,
      endpoints,
      store,
      clock: { now: () => Date.now() },
      logger: pino({ level: 'silent' }),
    });
    try {
      const agents = await (await ports.acdDirectory(tenant.id))!.listAgents();
      expect(agents.ok && agents.value.length).toBe(10);
    } finally {
      await ports.close();
    }
  });
});
