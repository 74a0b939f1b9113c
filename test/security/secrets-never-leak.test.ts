import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SqliteDatabase from 'better-sqlite3';
import { createKyselyStore, type KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ApiHarness, TENANT_A, TENANT_B } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/** Recognisable secrets seeded everywhere a secret enters the product. */
const SECRETS = {
  cxoneClientSecret: 'S3CRET-cxone-client-9f1e2d',
  cxoneAccessKeySecret: 'S3CRET-cxone-access-key-77aa01',
  graphClientSecret: 'S3CRET-graph-client-31c4b8',
  ownerRefreshToken: 'S3CRET-owner-refresh-0d2b5c',
  encryptionKey: randomBytes(32).toString('base64'),
};

const leaks = (haystack: string, secrets: readonly string[]): string[] => secrets.filter((s) => haystack.includes(s));

describe('secrets never leak from the tab API, its logs, audit and trace, or the database at rest', () => {
  let dir: string;
  let entra: LocalEntra;
  let api: ApiHarness;
  let store: KyselyStore;
  let adminToken: string;
  const captured: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    entra = await LocalEntra.start();
    const probe = new ApiHarness(entra);
    store = await createKyselyStore({
      location: { kind: 'sqlite', path: join(dir, 'store.db') },
      encryptionKeys: [Buffer.from(SECRETS.encryptionKey, 'base64')],
      clock: probe.time,
    });
    for (const t of [TENANT_A, TENANT_B])
      await store.tenants.upsert({
        id: t,
        name: t,
        acdBusinessUnitId: '1',
        entraTenantId: t,
        partnerPlatform: 'msteams',
        syncEnabled: true,
      });
    await store.tenants.putConnection(TENANT_A, 'graph', {
      clientId: 'graph-app',
      clientSecret: SECRETS.graphClientSecret,
    });
    await store.tenants.putConnection(TENANT_A, 'owner:owner-1', { refreshToken: SECRETS.ownerRefreshToken });
    api = await new ApiHarness(entra, { tenants: store.tenants }).start();
    adminToken = await entra.token({ tid: TENANT_A });
  });
  afterAll(async () => {
    await api?.close();
    await entra?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    path: string,
    o: { token?: string; body?: unknown; raw?: string } = {},
  ): Promise<number> {
    const r = await api.call(method, path, { token: adminToken, ...o });
    captured.push(`${method} ${path} ${r.status} ${r.contentType} ${r.text}`);
    return r.status;
  }

  it('answers normal and failing operations without echoing any secret or the caller token', async () => {
    const cxone = {
      clientId: 'cx-client',
      clientSecret: SECRETS.cxoneClientSecret,
      accessKeyId: 'cx-key',
      accessKeySecret: SECRETS.cxoneAccessKeySecret,
    };
    expect(await call('PUT', '/api/v1/connections/cxone', { body: cxone })).toBe(200);
    expect(
      await call('PUT', '/api/v1/connections/cxone', {
        body: { ...cxone, clientId: 5, accessKeySecret: [SECRETS.cxoneAccessKeySecret] },
      }),
    ).toBe(400);
    expect(
      await call('PUT', '/api/v1/connections/cxone', { raw: `{"clientSecret":"${SECRETS.cxoneClientSecret}",` }),
    ).toBe(400);
    expect(await call('PUT', '/api/v1/connections/cxone', { raw: JSON.stringify(cxone).repeat(10_000) })).toBe(413);
    expect(
      await call('PUT', '/api/v1/connections/cxone', { body: cxone, token: `${adminToken.slice(0, -3)}xyz` }),
    ).toBe(401);
    for (const path of [
      '/api/v1/connections',
      '/api/v1/settings',
      '/api/v1/audit',
      '/api/v1/me',
      '/api/v1/health',
      '/api/v1/users',
      '/api/v1/users/export',
      '/api/v1/rules',
    ])
      await call('GET', path);
    await call('POST', '/api/v1/connections/cxone/test');
    await call('GET', '/api/v1/trace?agent=agent-a1');
    await call('GET', '/api/v1/connections', { token: await entra.token({ tid: TENANT_B }) });
    const output = [
      ...captured,
      JSON.stringify(api.logger.lines),
      JSON.stringify(await api.store.rules.audit(TENANT_A, 1000)),
      JSON.stringify(await api.store.traces.query({ tenantId: TENANT_A, limit: 10_000 })),
    ].join('\n');
    expect(captured.length).toBeGreaterThanOrEqual(15);
    expect(leaks(output, [...Object.values(SECRETS), adminToken])).toEqual([]);
    // The secrets did arrive (the test would prove nothing otherwise).
    expect(await store.tenants.getConnection(TENANT_A, 'cxone')).toMatchObject({
      clientSecret: SECRETS.cxoneClientSecret,
    });
  });

  it('keeps every secret encrypted at rest: no table of the database holds one in clear', () => {
    const db = new SqliteDatabase(join(dir, 'store.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      const dump = tables
        .map((t) =>
          JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all(), (_k, v: unknown) =>
            Buffer.isBuffer(v) ? v.toString('latin1') : v,
          ),
        )
        .join('\n');
      expect(tables.length).toBeGreaterThan(3);
      expect(leaks(dump, Object.values(SECRETS))).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('secrets never leak from configuration errors', () => {
  it('names a bad SECRET_* variable without showing its value', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'config-'));
    try {
      const env = {
        PRESENCE_SYNC_MODE: 'production',
        SECRET_ENCRYPTION_KEY: `not-a-key-${SECRETS.encryptionKey}`,
        SECRET_CXONE_CLIENT_SECRET: SECRETS.cxoneClientSecret,
        SECRET_CXONE_ACCESS_KEY_SECRET: SECRETS.cxoneAccessKeySecret,
        SECRET_GRAPH_CLIENT_SECRET: SECRETS.graphClientSecret,
      };
      let error: unknown;
      try {
        loadConfig({ env, cwd });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const text = `${(error as ConfigError).message}\n${JSON.stringify(error)}\n${(error as ConfigError).problems.join('\n')}`;
      expect(text).toContain('SECRET_ENCRYPTION_KEY');
      expect(leaks(text, Object.values(SECRETS))).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
