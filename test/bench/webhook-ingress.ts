/**
 * Webhook ingress: a bounded loopback load generator (undici Pool, fixed connections, fixed
 * duration) posts valid clientState notifications to the real route (POST
 * /api/graph/notifications: raw body → GraphNotificationParser → SyncIngest → Kysely inbox on a
 * SQLite temp file → 202). Measures acknowledged notifications/s and ack latency, then checks
 * that every acknowledged notification is in the inbox (zero lost). The machine is shared, so
 * each row also states the CPU time this process spent per notification (server and load
 * generator together) — the figure that moves least with the neighbours' load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { Pool } from 'undici';
import { GraphNotificationParser } from '../../src/adapters/graph/graph-notification-parser.js';
import { handleGraphWebhook } from '../../src/adapters/graph/graph-webhook-handler.js';
import { graphWebhookRoutes } from '../../src/adapters/http/restify-graph-webhook.js';
import { createRestifyServer } from '../../src/adapters/http/restify-server.js';
import { createKyselyStore, type KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { HealthModel } from '../../src/application/health/health-model.js';
import { SyncIngest } from '../../src/application/sync/sync-ingest.js';
import { TraceRecorder } from '../../src/application/trace/trace-recorder.js';
import { SequentialIds } from '../application/fakes/fake-runtime.js';
import { RecordingMetrics } from '../application/fakes/recording-metrics.js';
import {
  distribution,
  realClock,
  realScheduler,
  round,
  silentLogger,
  type Bench,
  type BenchOptions,
  type BenchResult,
  type BenchRow,
} from './bench-kit.js';

const TENANT = 'bench-tenant';
const SUBS = 16;
const USERS_PER_SUB = 625;
const CLIENT_STATE = 'bench-client-state-secret';
const noJwks: JWTVerifyGetKey = () =>
  Promise.reject(new Error('clientState-only notifications carry no validation tokens'));

async function seed(store: KyselyStore): Promise<void> {
  await store.tenants.upsert({
    id: TENANT,
    name: TENANT,
    acdBusinessUnitId: '1',
    entraTenantId: TENANT,
    partnerPlatform: 'msteams',
    syncEnabled: true,
  });
  const links = Array.from({ length: SUBS * USERS_PER_SUB }, (_, i) => ({
    tenantId: TENANT,
    agentId: `agent-${i}`,
    teamsUserId: `aad-${i}`,
    source: 'auto' as const,
  }));
  await store.userLinks.put(links, 'bench');
  for (let s = 0; s < SUBS; s += 1) {
    const userIds = links.slice(s * USERS_PER_SUB, (s + 1) * USERS_PER_SUB).map((l) => l.teamsUserId);
    await store.subscriptions.put({
      tenantId: TENANT,
      subscriptionId: `sub-${s}`,
      ownerId: 'owner',
      resource: `/communications/presences?$filter=id in (...)`,
      userIds,
      clientState: CLIENT_STATE,
      expiresAt: Date.now() + 3_600_000,
      createdAt: Date.now(),
    });
  }
}

/** A rig: store, ingest, route, server; one per run so inbox counts are exact. */
async function startRig(
  cacheSubscriptions: boolean,
): Promise<{ url: string; store: KyselyStore; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-bench-'));
  const store = await createKyselyStore({
    location: { kind: 'sqlite', path: join(dir, 'ingress.db') },
    encryptionKeys: [randomBytes(32)],
    clock: realClock,
  });
  await seed(store);
  const trace = new TraceRecorder({
    store: store.traces,
    clock: realClock,
    ids: new SequentialIds('w'),
    scheduler: realScheduler,
    logger: silentLogger,
  });
  const health = new HealthModel({ clock: realClock, scheduler: realScheduler });
  const ingest = new SyncIngest({
    inbox: store.inbox,
    userLinks: store.userLinks,
    clock: realClock,
    trace,
    metrics: new RecordingMetrics(),
    health: (t) => health.reporter(t),
    wake: () => undefined,
  });
  // Without its cache the parser reads the subscription row (625 user ids) for every notification, as it did
  // before. refreshMinMs 0 too: the flood guard (one store read per id per second) would otherwise answer
  // from the expired memory, i.e. refuse most notifications as unknown (16,603 refused posts, a
  // meaningless "lost" count in the zero-lost target).
  const parser = new GraphNotificationParser({
    subscriptions: store.subscriptions,
    decryptionKeys: [],
    appId: 'bench-app',
    jwks: noJwks,
    clock: realClock,
    ...(cacheSubscriptions ? {} : { subscriptionCache: { maxEntries: 1, ttlMs: 0, refreshMinMs: 0 } }),
  });
  const server = createRestifyServer({
    name: 'bench',
    logger: silentLogger,
    closeTimeoutMs: 1000,
    registrars: [
      graphWebhookRoutes({
        handle: (q, body) => handleGraphWebhook(parser, q, body),
        ingress: ingest,
        onLifecycle: async () => undefined,
        metrics: { webhookAck: () => undefined },
        clock: realClock,
        logger: silentLogger,
      }),
    ],
  });
  const port = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    close: async () => {
      await server.close();
      await trace.flush();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Users are cycled, so a user repeats only every 10,000 notifications (no same-ms duplicates). */
function body(next: () => number, perPost: number): string {
  const value = Array.from({ length: perPost }, () => {
    const u = next() % (SUBS * USERS_PER_SUB);
    const sub = Math.floor(u / USERS_PER_SUB);
    return {
      subscriptionId: `sub-${sub}`,
      clientState: CLIENT_STATE,
      changeType: 'updated',
      tenantId: TENANT,
      resource: `communications/presences/aad-${u}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.presence', id: `aad-${u}` },
    };
  });
  return JSON.stringify({ value });
}

export async function load(perPost: number, connections: number, durationMs: number, cached = true): Promise<BenchRow> {
  const rig = await startRig(cached);
  const pool = new Pool(rig.url, { connections, pipelining: 1 });
  let acks: number[] = [];
  let acked = 0;
  let ackedInWarmUp = 0;
  let refused = 0;
  let counter = 0;
  const next = (): number => counter++;
  const phase = async (ms: number): Promise<number> => {
    const start = performance.now();
    const worker = async (): Promise<void> => {
      while (performance.now() - start < ms) {
        const t0 = performance.now();
        const res = await pool.request({
          path: '/api/graph/notifications',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body(next, perPost),
        });
        await res.body.text();
        acks.push(performance.now() - t0);
        if (res.statusCode === 202) acked += perPost;
        else refused += 1;
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
    return performance.now() - start;
  };
  try {
    // Warm-up, not measured: JIT, connections, and the store settling after the seed (e.g. its WAL checkpoint).
    await phase(Math.min(2000, durationMs / 4));
    ackedInWarmUp = acked;
    acked = 0;
    acks = [];
    const load1 = loadavg()[0] ?? 0;
    const cpu0 = process.cpuUsage();
    const wall = await phase(durationMs);
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerNotification = (cpu.user + cpu.system) / 1000 / Math.max(1, acked);
    const stored = (await rig.store.inbox.depth(TENANT)) - ackedInWarmUp;
    const d = distribution(acks);
    return {
      variant: cached ? 'as built' : 'without the subscription cache (before)',
      notifications_per_post: perPost,
      connections,
      duration_s: round(wall / 1000, 1),
      posts: acks.length,
      acked_notifications: acked,
      notifications_per_s: Math.round(acked / (wall / 1000)),
      ack_p50_ms: d.p50_ms,
      ack_p99_ms: d.p99_ms,
      ack_max_ms: d.max_ms,
      refused_posts: refused,
      in_inbox: stored,
      lost: acked - stored,
      cpu_ms_per_notification: round(cpuMsPerNotification, 3),
      per_cpu_core_per_s: Math.round(1000 / cpuMsPerNotification),
      load_1m: round(load1, 1),
    };
  } finally {
    await pool.close();
    await rig.close();
  }
}

export const webhookIngress: Bench = {
  name: 'webhook-ingress',
  title: 'Webhook ingress: acknowledged notifications/s, ack latency, zero lost',
  async run(o: BenchOptions): Promise<BenchResult> {
    const ms = o.quick ? 2000 : 10_000;
    // Graph's delivery concurrency is its own; fewer connections trade a little throughput for a shorter queue (ack latency).
    const plan: [number, number, boolean][] = [
      [1, 4, true],
      [1, 8, true],
      [10, 4, true],
      [10, 8, true],
      [20, 4, true],
      [50, 2, true],
      [50, 4, true],
      [10, 8, false],
    ];
    const rows: BenchRow[] = [];
    for (const [perPost, connections, cached] of plan) {
      o.log(
        `webhook-ingress: ${perPost} per POST, ${connections} connections${cached ? '' : ', without the subscription cache'}`,
      );
      rows.push(await load(perPost, connections, ms, cached));
    }
    const good = rows.filter((r) => r.variant === 'as built' && Number(r.ack_p99_ms) < 100 && r.lost === 0);
    const best = Math.max(0, ...good.map((r) => Number(r.notifications_per_s)));
    const top = [...rows]
      .filter((r) => r.variant === 'as built')
      .sort((a, b) => Number(b.notifications_per_s) - Number(a.notifications_per_s))[0] as BenchRow;
    const singles = rows.filter((r) => r.variant === 'as built' && r.notifications_per_post === 1);
    const single = [...singles].sort(
      (a, b) => Number(b.notifications_per_s) - Number(a.notifications_per_s),
    )[0] as BenchRow;
    return {
      rows,
      targets: [
        {
          target: '≥ 2,000 notifications/s acknowledged with ack p99 < 100 ms and zero lost (best batching)',
          measured: `${best}/s within p99 < 100 ms; highest ${top.notifications_per_s}/s at p99 ${top.ack_p99_ms} ms (${top.notifications_per_post} per POST)`,
          met: best >= 2000,
        },
        {
          target: 'same, one notification per POST (worst case)',
          measured: `${single.notifications_per_s}/s, p99 ${single.ack_p99_ms} ms, lost ${single.lost} (${single.cpu_ms_per_notification} CPU ms each: ≈ ${single.per_cpu_core_per_s}/s per free core)`,
          met: Number(single.notifications_per_s) >= 2000 && Number(single.ack_p99_ms) < 100 && single.lost === 0,
        },
        {
          target: 'zero lost in every run',
          measured: rows.map((r) => r.lost).join(', '),
          met: rows.every((r) => r.lost === 0),
        },
      ],
      real: ['restify route, Graph notification parser, SyncIngest, Kysely inbox on SQLite'],
      simulated: ["Graph's deliveries (basic notifications from a local sender)"],
      method:
        "Real restify route + Graph notification parser (subscriptions cached per process, clientState checked in constant time) + SyncIngest (link lookup, trace) + Kysely inbox on a SQLite temp file; 16 subscriptions × 625 users. Load generator: undici Pool on loopback, fixed connections and duration, in the same process (it competes for the same 2 cores, shared with other work: see load_1m). The engine does not process the inbox during the run (ingress only). A warm-up (¼ of the duration, ≤ 2 s) precedes each measured phase; lost = acknowledged − rows in the inbox, over both. cpu_ms_per_notification = this process's CPU time (server + generator) ÷ acknowledged notifications; per_cpu_core_per_s is its inverse, an estimate for an idle core. The last row turns the subscription cache off (the parser as it was).",
    };
  },
};
