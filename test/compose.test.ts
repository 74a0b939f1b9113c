import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type App } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { env } from './e2e/sync/sandbox-harness.js';

describe('the composed server in sandbox mode (config → store with migrations → emulators → engine → HTTP)', () => {
  let dir: string;
  let app: App;
  let base: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presence-compose-'));
    const config = loadConfig({ cwd: dir, env: env(dir) });
    app = await compose(config);
    base = `http://127.0.0.1:${await app.start()}`;
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz and /readyz over real HTTP with a migrated temp SQLite store', async () => {
    const [health, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);
    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves Prometheus metrics and the Graph webhook handshake', async () => {
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('presence_sync_webhook_ack_seconds');
    // The writer of the tenant this instance runs (the sandbox's) tells its queue, lane by lane.
    expect(text).toMatch(/^presence_sync_graph_writes_queued\{tenant="[^"]+",lane="change"\} \d+$/m);
    const handshake = await fetch(`${base}/api/graph/notifications?validationToken=hello`, { method: 'POST' });
    expect([handshake.status, await handshake.text()]).toEqual([200, 'hello']);
  });

  it('seeds the sandbox tenant and runs its sync', async () => {
    const tenantId = app.sandbox!.tenantId;
    expect((await app.store.rules.list(tenantId)).map((r) => r.direction).sort()).toEqual([
      'bidirectional',
      'publisher',
      'publisher',
      'subscriber',
    ]);
    expect((await app.store.userLinks.list(tenantId)).length).toBe(50);
    expect(app.runtime.engine.isRunning(tenantId)).toBe(true);
  });

  it('wires a working store', async () => {
    await app.store.tenants.upsert({
      id: 't1',
      name: 'T',
      acdBusinessUnitId: '1',
      entraTenantId: 'e',
      partnerPlatform: 'msteams',
      syncEnabled: true,
    });
    expect(await app.store.tenants.get('t1')).toMatchObject({ name: 'T' });
  });

  it('validates Graph notifications from the shared store even for a subscription no tenant here owns (403, never 503)', async () => {
    const body = JSON.stringify({
      value: [
        {
          subscriptionId: 'not-ours',
          tenantId: 'x',
          clientState: 'guess',
          changeType: 'updated',
          resource: 'communications/presences/u1',
        },
      ],
    });
    const res = await fetch(`${base}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('WEBHOOK.UNKNOWN_SUBSCRIPTION');
  });

  it('rate-limits the tab API per client address: a flood (above the 120-request burst) gets 429 with Retry-After, health stays reachable', async () => {
    const answers = await Promise.all(
      Array.from({ length: 400 }, () =>
        fetch(`${base}/api/v1/rules`).then(async (r) => ({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          body: await r.text(),
        })),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThan(0);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.retryAfter)).toBeGreaterThan(0);
    expect(limited[0]!.body).toContain('API.RATE_LIMITED');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('stops gracefully: the port closes and the store is no longer ready', async () => {
    const keepAlive = await fetch(`${base}/healthz`); // leaves an idle keep-alive socket open
    await keepAlive.text();
    await app.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(await app.store.ready()).toBe(false);
  });
});
