import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { createKyselyStore, type StoreLocation } from '../../../src/adapters/store/kysely-store.js';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { seedSandboxTenant } from '../../../src/sandbox/sandbox-seed.js';
import { startSandboxWorld, type SandboxWorld } from '../../../src/sandbox/sandbox-world.js';
import { compose, type App } from '../../../src/compose.js';
import { loadConfig } from '../../../src/config.js';
import { env as sandboxEnv } from '../sync/sandbox-harness.js';
import { E2E_CXONE, e2eNotificationLatency } from '../../support/realism.js';

/**
 * Support of the process and store fault suites (issue 10): the product as a child process
 * against emulators living in the test process, its Health Check and Log Reader read over the
 * real tab API, and a TCP proxy that can cut the product off its PostgreSQL.
 */

/** A fresh encryption key and the seeded sandbox tenant in the store at `location`; returns the key and tenant id. */
export async function seedStore(
  location: StoreLocation,
  world: SandboxWorld,
): Promise<{ key: Buffer; tenantId: string }> {
  const key = randomBytes(32);
  const store = await createKyselyStore({ location, encryptionKeys: [key], clock: { now: () => Date.now() } });
  const transport = createHttpTransport({ timeoutMs: 10_000, extraCaPem: world.cxone.caCertPem });
  try {
    return { key, tenantId: await seedSandboxTenant(store, world, transport.fetch) };
  } finally {
    await transport.close();
    await store.close();
  }
}

/** POSTs to the CXone emulator's control API (`dispatcher` trusts the emulator's CA); the answer's JSON, if any. */
export function cxoneControl(cxoneUrl: string, dispatcher: Agent): (path: string, body?: unknown) => Promise<unknown> {
  return async (path, body = {}) => {
    const res = await undiciFetch(`${cxoneUrl}/_control${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`CXone control ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** The tab's view of the product over HTTP: an admin SSO token from the emulated Entra. */
export interface TabClient {
  /** The admin's SSO token the client sends. */
  readonly token: string;
  get<T = Record<string, unknown>>(base: string, path: string): Promise<{ status: number; body: T }>;
  /** Health Check components of the instance at `base`. */
  health(base: string): Promise<TabHealth>;
  /** The Log Reader of one agent at `base`: `hop summary` lines, oldest first. */
  trace(base: string, agentId: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface TabHealth {
  readonly status: string;
  readonly syncActive: boolean;
  readonly syncDetail: string;
  readonly components: readonly {
    readonly component: string;
    readonly status: string;
    readonly detail: string;
    readonly lastSuccess?: number;
  }[];
  readonly ownership?: { readonly holder?: string; readonly here: boolean; readonly since?: number };
}

/** Signs the world's admin in (password grant, as /sandbox/dev-token does) and reads the tab API with it. */
export async function tabClient(world: SandboxWorld): Promise<TabClient> {
  const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem } });
  const app = world.entra.apps[0]!;
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    username: world.admin.userPrincipalName,
    password: world.admin.password,
    scope: `api://localhost/${app.clientId}/access_as_user`,
  });
  const res = await undiciFetch(`${world.graph.authorityUrl}/${world.entra.id}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    dispatcher,
  });
  const token = ((await res.json()) as { access_token?: string }).access_token;
  if (!token) throw new Error(`no admin token from the emulated Entra (${res.status})`);
  const get = async <T>(base: string, path: string) => {
    const r = await undiciFetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as T };
  };
  return {
    token,
    get,
    health: async (base) => (await get<TabHealth>(base, '/health')).body,
    trace: async (base, agentId) => {
      const r = await get<{ events?: { hop: string; summary: string; at: number }[] }>(
        base,
        `/trace?agent=${agentId}&limit=500`,
      );
      return [...(r.body.events ?? [])].sort((a, b) => a.at - b.at).map((e) => `${e.hop} ${e.summary}`);
    },
    close: () => dispatcher.close(),
  };
}

/** A TCP proxy in front of a server (PostgreSQL): `cut()` drops every connection and refuses new ones until `restore()`. */
export interface TcpProxy {
  readonly port: number;
  readonly connections: number;
  /** Local ports of the proxy's connections to the server (PostgreSQL's `client_port` of the product's sessions). */
  upstreamPorts(): number[];
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const upstreams = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = new Socket();
    open.add(client);
    open.add(upstream);
    upstreams.add(upstream);
    const drop = (): void => {
      open.delete(client);
      open.delete(upstream);
      upstreams.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.connect(target.port, target.host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  const cut = (): void => {
    down = true;
    for (const s of [...open]) s.destroy();
    open.clear();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return open.size / 2;
    },
    upstreamPorts: () => [...upstreams].map((u) => u.localPort).filter((p): p is number => p !== undefined),
    cut,
    restore() {
      down = false;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `probe` is truthy; the last failure is in the message. Like sandbox-harness `eventually`, with a coarser default step. */
export async function until<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await delay(everyMs);
  }
}

/** The product composed in-process in sandbox mode on a store of the caller's choice (for store faults). */
export interface StoreRig {
  readonly app: App;
  readonly world: SandboxWorld;
  readonly tenantId: string;
  cxone(path: string, body?: unknown): Promise<unknown>;
  teamsOf(agentId: string): { availability: string; activity: string };
  agentsOf(teamId: string): string[];
  /** Log Reader lines of an agent (needs the store). */
  traceOf(agentId: string): Promise<string[]>;
  /** The store's health component now (the Health Check's view). */
  storeHealth(): { status: string; detail: string } | undefined;
  /** Texts of the proactive alert cards the bot sent to the admins' conversation. */
  alerts(): string[];
  close(): Promise<void>;
}

export async function startStoreRig(storeEnv: Record<string, string>): Promise<StoreRig> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-store-fault-'));
  // Realism: the sandbox's (test/support/realism.ts): CXone's 2 s reporting lag and 15 requests/s,
  // Graph's notification latency around a 3 s median (seeded, capped at 10 s).
  const world = await startSandboxWorld({
    notificationLatency: e2eNotificationLatency(),
    dataDir: dir,
    cxoneUrl: 'https://127.0.0.1:0',
    graphUrl: 'https://127.0.0.1:0',
    cxoneRealism: E2E_CXONE,
  });
  let app: App;
  try {
    app = await compose(loadConfig({ cwd: dir, env: { ...sandboxEnv(dir), ...storeEnv } }), {
      engineOptions: { pollIntervalMs: 200 },
      sandboxWorld: world,
    });
    await app.start();
  } catch (e) {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // The emulators share this process with the product: while a store fault blocks the event loop
  // (better-sqlite3 waits for a lock synchronously, up to its 5 s busy timeout per statement) the
  // TLS handshake of a control call waits too, beyond undici's 10 s default connect timeout.
  const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem, timeout: 60_000 } });
  const tenantId = app.sandbox!.tenantId;
  return {
    app,
    world,
    tenantId,
    cxone: cxoneControl(world.cxone.url, dispatcher),
    teamsOf: (agentId) => world.graph.control.presence(world.userOfAgent.get(agentId)!.id),
    agentsOf: (teamId) =>
      [...world.cxone.model.agents.values()].filter((a) => String(a.teamId) === teamId).map((a) => String(a.agentId)),
    async traceOf(agentId) {
      await app.runtime.trace.flush();
      return (await app.store.traces.query({ tenantId, agentId, limit: 500 })).map((e) => `${e.hop} ${e.summary}`);
    },
    storeHealth: () => app.runtime.health.snapshot(tenantId).components.find((c) => c.component === 'store'),
    alerts: () =>
      (world.botConnector?.model.activities(tenantId) ?? [])
        .filter(
          (a) =>
            a.replyToId === undefined &&
            Array.isArray(a.activity['attachments']) &&
            a.activity['attachments'].length > 0,
        )
        .map((a) => JSON.stringify(a.activity['attachments'])),
    async close() {
      await app.stop();
      await dispatcher.close();
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
