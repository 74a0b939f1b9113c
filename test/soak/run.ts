/**
 * `npm run test:soak`: the bounded soak. Several tenants (default 4 × 2,500 agents), each its
 * own CXone business unit and Entra/Graph tenant in the emulators and the product composed over
 * them exactly as in sandbox mode (engine, adapters, SQLite store, HTTPS both ways). A seeded
 * call-centre workload runs for SOAK_DURATION_MS (default 10 min); then the workload stops, the
 * sync must converge, and every agent is checked against what the rules say — at the end of the
 * random story, after everyone logged out, and after a final state per agent that covers every
 * rule × {available, voice call, unavailable code, digital work, Teams DND, Teams call}.
 * Prints a table, writes test-artifacts/soak-summary.json, exits 1 naming each failed check.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import pino from 'pino';
import { percentile } from '../../src/application/health/sync-activity.js';
import { startCallCenterWorkload, type CallCenterWorkload } from '../../src/sandbox/workload/call-center-workload.js';
import type { SimAgent } from '../../src/sandbox/workload/workload-actions.js';
import {
  checkCleared,
  checkFinalStates,
  checkLoggedOut,
  checkRandomPhase,
  driveFinalStates,
  endEverything,
  logoutEveryone,
  whenQuiet,
  type Mismatch,
  type Side,
} from './soak-close.js';
import { plantLeak, scheduleHeapSnapshots } from './soak-heap-debug.js';
import { SoakObserver } from './soak-observer.js';
import { soakOptions } from './soak-options.js';
import { gauge, slope, SoakSampler } from './soak-sampler.js';
import { startSoakTenant, type SoakTenant } from './soak-tenant.js';

const o = soakOptions(process.env);
const CONTROL_CONCURRENCY = 16;
const log = (line: string): void =>
  void process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;
const startedAt = Date.now();

interface Check {
  readonly check: string;
  readonly bound: string;
  readonly measured: string;
  readonly ok: boolean;
}
const checks: Check[] = [];
const check = (name: string, bound: string, measured: string | number, ok: boolean): void =>
  void checks.push({ check: name, bound, measured: String(measured), ok });

async function startTenants(): Promise<Side[]> {
  log(
    `starting ${o.SOAK_TENANTS} tenants of ${o.SOAK_AGENTS_PER_TENANT} agents, each product composed over its own emulators`,
  );
  const started = await Promise.allSettled(
    Array.from({ length: o.SOAK_TENANTS }, (_, i) =>
      startSoakTenant({
        name: `tenant${i + 1}`,
        agents: o.SOAK_AGENTS_PER_TENANT,
        pollIntervalMs: o.SOAK_POLL_INTERVAL_MS,
        logLevel: o.SOAK_LOG_LEVEL,
        loggedInAtStart: (index) => (index * 7919) % 1000 < o.SOAK_LOGGED_IN_SHARE * 1000,
        seedOffset: i,
      }),
    ),
  );
  const tenants = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(tenants.map((t) => t.close()));
    throw failed.reason;
  }
  return tenants.map((tenant) => ({ tenant, observer: new SoakObserver(tenant) }));
}

async function whenSubscribed(t: SoakTenant): Promise<void> {
  for (
    const until = Date.now() + o.SOAK_CONVERGE_TIMEOUT_MS;
    Date.now() < until;
    await new Promise((r) => setTimeout(r, 500))
  ) {
    const covered = (await t.app.store.subscriptions.list(t.tenantId)).reduce((n, s) => n + s.userIds.length, 0);
    if (covered >= t.agents.length) return;
  }
  throw new Error(`${t.name}: presence subscriptions never covered all ${t.agents.length} users`);
}

/** Subscriptions in place for every user; the agents the story starts with logged in. */
async function morning(sides: readonly Side[]): Promise<Set<string>> {
  await Promise.all(sides.map(({ tenant: t }) => whenSubscribed(t)));
  const loggedIn = new Set<string>();
  for (const { tenant: t } of sides) {
    for (const a of t.agents)
      if (t.world.cxone.model.stateOf(Number(a.agentId)).state !== 'LoggedOut') loggedIn.add(`${t.name}/${a.agentId}`);
  }
  return loggedIn;
}

function startWorkloads(sides: readonly Side[], loggedIn: ReadonlySet<string>): Map<string, CallCenterWorkload> {
  const logger = pino({ level: o.SOAK_LOG_LEVEL });
  const workloads = new Map<string, CallCenterWorkload>();
  sides.forEach(({ tenant: t, observer }, i) => {
    // A Teams-side change is a cause from the moment it is asked for (its notification may beat the answer).
    const fetch: typeof t.fetch = (url, init) => {
      const user = /\/_control\/users\/([^/]+)\//.exec(url)?.[1];
      if (user) observer.cause(user);
      return t.fetch(url, init);
    };
    const w = startCallCenterWorkload({
      cxoneUrl: t.world.cxone.url,
      graphUrl: t.world.graph.url,
      fetch,
      logger,
      seed: 1_000 + i,
      ratePerSecond: o.SOAK_RATE_PER_TENANT,
      concurrency: 4,
      agents: t.agents.map((a) => ({ agentId: Number(a.agentId), teamsUserId: a.teamsUserId })),
    });
    for (const s of w.agents) if (loggedIn.has(`${t.name}/${s.agentId}`)) s.loggedIn = true;
    workloads.set(t.name, w);
  });
  return workloads;
}

async function counters(sides: readonly Side[]): Promise<Record<string, number>> {
  const sum = async (name: string, keep?: (l: Record<string, unknown>) => boolean): Promise<number> =>
    (await Promise.all(sides.map((s) => gauge(s.tenant.app.runtime.metrics.registry, name, keep)))).reduce(
      (a, b) => a + b,
      0,
    );
  return {
    eventsIn: await sum('presence_sync_events_in_total'),
    teamsWrites: await sum(
      'presence_sync_effects_total',
      (l) => String(l['kind']).includes('Teams') && l['outcome'] === 'written',
    ),
    acdWrites: await sum(
      'presence_sync_effects_total',
      (l) => l['kind'] === 'setAcdState' && l['outcome'] === 'applied',
    ),
    effectsFailed: await sum('presence_sync_effects_total', (l) => l['outcome'] === 'failed'),
    graphThrottled: await sum('presence_sync_graph_throttled_total'),
    reconcileCorrections: await sum('presence_sync_reconcile_corrections_total'),
    // Graph judges a webhook slower than 3 s as slow (notifications delayed 10 min), 10 s as dropped.
    webhookAcks: await sum('presence_sync_webhook_ack_seconds', (l) => l['le'] === '+Inf'),
    webhookAcksOver1s:
      (await sum('presence_sync_webhook_ack_seconds', (l) => l['le'] === '+Inf')) -
      (await sum('presence_sync_webhook_ack_seconds', (l) => l['le'] === 1)),
    webhookAcksOver3s:
      (await sum('presence_sync_webhook_ack_seconds', (l) => l['le'] === '+Inf')) -
      (await sum('presence_sync_webhook_ack_seconds', (l) => l['le'] === 3)),
  };
}

function memoryChecks(sampler: SoakSampler, workloadStartS: number, workloadEndS: number): Record<string, number> {
  // Every sample after warm-up: a slope over the second half alone (13 samples in the 3-minute soak) swung ±10 MB/min between healthy runs.
  const measured = sampler.memory.filter((m) => m.atS >= workloadStartS + o.warmupMs / 1000 && m.atS <= workloadEndS);
  const perMin = (pick: (m: (typeof measured)[number]) => number) =>
    round(slope(measured.map((m) => ({ x: m.atS / 60, y: pick(m) }))), 2);
  const heap = perMin((m) => m.heapMb);
  const rss = perMin((m) => m.rssMb);
  const enough = measured.length >= 10;
  check(
    'memory: heap slope (after warm-up, after GC)',
    `< ${o.SOAK_MAX_HEAP_SLOPE_MB_PER_MIN} MB/min`,
    `${heap} MB/min (${measured.length} samples)`,
    enough && heap < o.SOAK_MAX_HEAP_SLOPE_MB_PER_MIN,
  );
  check(
    'memory: RSS slope (after warm-up)',
    `< ${o.SOAK_MAX_RSS_SLOPE_MB_PER_MIN} MB/min`,
    `${rss} MB/min`,
    enough && rss < o.SOAK_MAX_RSS_SLOPE_MB_PER_MIN,
  );
  const last = measured.at(-1);
  // Not bounds: where an RSS slope comes from (V8 keeping free space committed, or memory outside the V8 heap).
  const heapCommitted = perMin((m) => m.heapTotalMb);
  const outsideHeap = perMin((m) => m.rssMb - m.heapTotalMb);
  return {
    heapSlopeMbPerMin: heap,
    rssSlopeMbPerMin: rss,
    heapCommittedSlopeMbPerMin: heapCommitted,
    rssOutsideV8HeapSlopeMbPerMin: outsideHeap,
    samples: measured.length,
    lastHeapMb: round(last?.heapMb ?? 0),
    lastRssMb: round(last?.rssMb ?? 0),
    maxRssMb: round(Math.max(0, ...measured.map((m) => m.rssMb))),
  };
}

function queueChecks(sampler: SoakSampler): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, list] of sampler.queues)
    out[name] = {
      inboxMax: Math.max(0, ...list.map((q) => q.inbox)),
      queuedMax: Math.max(0, ...list.map((q) => q.queued)),
      writerMax: Math.max(0, ...list.map((q) => q.writer)),
    };
  const all = Object.values(out);
  const max = (k: string) => Math.max(0, ...all.map((q) => q[k] ?? 0));
  check(
    'queues: inbox depth max (any tenant)',
    `≤ ${o.SOAK_MAX_INBOX_DEPTH}`,
    max('inboxMax'),
    max('inboxMax') <= o.SOAK_MAX_INBOX_DEPTH,
  );
  check(
    'queues: engine keyed queue max',
    `≤ ${o.SOAK_MAX_QUEUED}`,
    max('queuedMax'),
    max('queuedMax') <= o.SOAK_MAX_QUEUED,
  );
  check(
    'queues: Graph writer backlog max',
    `≤ ${o.SOAK_MAX_WRITER_BACKLOG}`,
    max('writerMax'),
    max('writerMax') <= o.SOAK_MAX_WRITER_BACKLOG,
  );
  return out;
}

function latencyChecks(sides: readonly Side[]): Record<string, number> {
  const all = sides.flatMap((s) => s.observer.latenciesMs).sort((a, b) => a - b);
  const p = (q: number) => Math.round(percentile(all, q));
  const missed = sides.reduce((n, s) => n + s.observer.missed, 0);
  check(
    'latency: voice contact → Teams In a call, p95',
    `≤ ${o.SOAK_P95_TARGET_MS} ms`,
    `${p(95)} ms (n=${all.length})`,
    all.length >= 20 && p(95) <= o.SOAK_P95_TARGET_MS,
  );
  return {
    samples: all.length,
    p50: p(50),
    p95: p(95),
    p99: p(99),
    max: Math.round(all.at(-1) ?? 0),
    noWriteWithin60s: missed,
  };
}

/** How the Graph emulator delivered change notifications to our webhook (status -2: dropped, endpoint judged too slow). */
function deliveries(sides: readonly Side[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const { tenant: t } of sides) {
    const g = t.world.graph.control;
    const urls = new Set(g.deliveries.map((d) => d.url.split('?')[0] ?? d.url));
    out[t.name] = {
      ...Object.fromEntries([...g.deliveryTotals].map(([status, items]) => [String(status), items])),
      ...Object.fromEntries([...urls].map((u) => [`endpoint ${g.endpointState(u)}`, 1])),
    };
  }
  return out;
}

/**
 * What the emulators (in the measured process, not the product) and the product's bounded
 * structures held at the end of the workload, so a heap slope can be told apart.
 */
function memoryHeld(sides: readonly Side[]): Record<string, Record<string, number>> {
  return Object.fromEntries(
    sides.map(({ tenant: t }) => [
      t.name,
      {
        graphWriteLog: t.world.graph.control.writeLog.length,
        graphDeliveryLog: t.world.graph.control.deliveries.length,
        cxoneRequestLog: t.world.cxone.requests.all().length,
        cxoneFeedHistory: t.world.cxone.feedHistory.size,
        productOpenTraces: t.app.runtime.trace.openTraces,
        productTraceBuffer: t.app.runtime.trace.buffered,
      },
    ]),
  );
}

/** A failed end state names the agents, and the first one's Log Reader trace says what the product did. */
async function lostChecks(name: string, mismatches: readonly Mismatch[], sides: readonly Side[]): Promise<void> {
  check(`lost: ${name}`, '0 agents off', mismatches.length, mismatches.length === 0);
  for (const m of mismatches.slice(0, 5))
    log(`  ${name}: ${m.tenant} agent ${m.agentId} (${m.rule}) ${m.check}: want ${m.want}, got ${m.got}`);
  const first = mismatches[0];
  if (first) await logTrace(sides, first.tenant, first.agentId);
}

/** The agent's last Log Reader lines: what the product did, for whoever triages a failed check. */
async function logTrace(sides: readonly Side[], tenant: string, agentId: string): Promise<void> {
  const t = sides.find((s) => s.tenant.name === tenant)?.tenant;
  if (!t) return;
  await t.app.runtime.trace.flush();
  const events = await t.app.store.traces.query({ tenantId: t.tenantId, agentId, limit: 40 });
  for (const e of events.slice(-25))
    log(`    trace ${agentId} ${new Date(e.at).toISOString().slice(11, 23)} ${e.hop}: ${e.summary}`);
}

/** Where resident memory is (V8 heap committed, buffers outside it, /proc's anonymous/file/shared split), to tell native growth apart. */
function rssParts(): string {
  const u = process.memoryUsage();
  const mb = (n: number): number => round(n / 2 ** 20);
  let proc = '';
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    proc = ['RssAnon', 'RssFile', 'RssShmem']
      .map((k) => `${k} ${mb(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024)}`)
      .join(', ');
  } catch {
    proc = 'no /proc';
  }
  const spaces = getHeapSpaceStatistics()
    .filter((x) => x.space_size > 2 ** 20)
    .map((x) => `${x.space_name.replace('_space', '')} ${mb(x.space_size)}/${mb(x.space_used_size)}`)
    .join(' ');
  return `heapTotal ${mb(u.heapTotal)} [${spaces}], external ${mb(u.external)}, arrayBuffers ${mb(u.arrayBuffers)}, ${proc}`;
}

async function main(): Promise<number> {
  log(
    `soak: ${o.SOAK_TENANTS} tenants × ${o.SOAK_AGENTS_PER_TENANT} agents, ${o.SOAK_DURATION_MS / 1000} s workload at ${o.SOAK_RATE_PER_TENANT} steps/s per tenant`,
  );
  const sides = await startTenants();
  const sampler = new SoakSampler(
    sides.map((s) => s.tenant),
    startedAt,
  );
  let exitCode = 1;
  try {
    const loggedIn = await morning(sides);
    log(`subscribed; ${loggedIn.size} agents logged in at start; waiting for the sync to settle`);
    const morningMs = await whenQuiet(sides, 3_000, o.SOAK_CONVERGE_TIMEOUT_MS);
    const setupS = round((Date.now() - startedAt) / 1000);
    log(`settled after ${morningMs} ms; workload starts (setup took ${setupS} s)`);
    const workloadStartS = (Date.now() - startedAt) / 1000;
    sampler.start(5_000, 1_000);
    const workloads = startWorkloads(sides, loggedIn);
    const cancelSnapshots = scheduleHeapSnapshots(process.env['SOAK_DEBUG_HEAP_SNAPSHOTS'], log);
    const stopLeak = plantLeak(o.SOAK_DEBUG_LEAK_MB_PER_MIN);
    const expiry = setInterval(() => sides.forEach((s) => s.observer.expire(60_000)), 5_000);
    const progress = setInterval(() => {
      const m = sampler.memory.at(-1);
      const q = [...sampler.queues.values()]
        .map((l) => l.at(-1))
        .map((x) => `${x?.inbox ?? 0}/${x?.queued ?? 0}/${x?.writer ?? 0}`)
        .join(' ');
      log(
        `steps ${[...workloads.values()].reduce((n, w) => n + w.steps(), 0)}, rss ${round(m?.rssMb ?? 0)} MB (${rssParts()}), heap ${round(m?.heapMb ?? 0)} MB, inbox/queued/writer ${q}, latency samples ${sides.reduce((n, s) => n + s.observer.latenciesMs.length, 0)}`,
      );
    }, 30_000);
    await new Promise((r) => setTimeout(r, o.SOAK_DURATION_MS));
    cancelSnapshots();
    stopLeak();
    await Promise.all([...workloads.values()].map((w) => w.stop()));
    const workloadEndS = (Date.now() - startedAt) / 1000;
    const held = memoryHeld(sides);
    clearInterval(progress);
    sampler.stop();
    const steps = [...workloads.values()].reduce((n, w) => n + w.steps(), 0);
    const refused = [...workloads.values()].reduce((n, w) => n + w.refused(), 0);
    log(`workload stopped after ${steps} steps (${refused} refused by the emulators); waiting for convergence`);
    // Measured before the close, so a run that never converges still reports them.
    const memory = memoryChecks(sampler, workloadStartS, workloadEndS);
    const queues = queueChecks(sampler);
    const drainMs = await whenQuiet(sides, 5_000, o.SOAK_CONVERGE_TIMEOUT_MS).catch((e: unknown) => {
      check('convergence after the workload stops', `≤ ${o.SOAK_CONVERGE_TIMEOUT_MS} ms`, 'never', false);
      console.table(
        checks.map((x) => ({ check: x.check, bound: x.bound, measured: x.measured, result: x.ok ? 'pass' : 'FAIL' })),
      );
      throw e;
    });
    clearInterval(expiry);
    sides.forEach((s) => s.observer.expire(0));
    const latency = latencyChecks(sides);
    check('convergence after the workload stops', `≤ ${o.SOAK_CONVERGE_TIMEOUT_MS} ms`, `${drainMs} ms`, true);
    const story = new Map([...workloads].map(([k, w]) => [k, w.agents as SimAgent[]]));
    await lostChecks('random phase end states', checkRandomPhase(sides, story), sides);

    log('close: Teams calls and hand-set statuses cleared, contacts ended');
    await endEverything(sides, story, CONTROL_CONCURRENCY);
    let finalMs = await whenQuiet(sides, 3_000, o.SOAK_CONVERGE_TIMEOUT_MS);
    await lostChecks('story cleared: holds released, Teams as the rules say', checkCleared(sides), sides);
    if (o.SOAK_CLOSE === 'full') {
      log('close: everyone logs out');
      await logoutEveryone(sides, CONTROL_CONCURRENCY);
      await whenQuiet(sides, 3_000, o.SOAK_CONVERGE_TIMEOUT_MS);
      await lostChecks('all logged out, sessions cleared', checkLoggedOut(sides), sides);
      log('close: final state per agent (every rule × available, voice, lunch, digital, Teams DND, Teams call)');
      await driveFinalStates(sides, CONTROL_CONCURRENCY, () => whenQuiet(sides, 3_000, o.SOAK_CONVERGE_TIMEOUT_MS));
      finalMs = await whenQuiet(sides, 3_000, o.SOAK_CONVERGE_TIMEOUT_MS);
      await lostChecks('final states', checkFinalStates(sides), sides);
    }
    log(`notification deliveries: ${JSON.stringify(deliveries(sides))}`);

    const dups = sides.flatMap((s) => s.observer.duplicates);
    const c = await counters(sides);
    check(
      'duplicate Graph writes (no cause in between)',
      `≤ ${o.SOAK_MAX_DUPLICATE_WRITES}`,
      dups.length,
      dups.length <= o.SOAK_MAX_DUPLICATE_WRITES,
    );
    log(
      `writes after a repeat (keep-alive refresh, retried lost answer) that landed after their cause (not duplicates): ${sides.reduce((n, s) => n + s.observer.afterRefresh, 0)}`,
    );
    for (const d of dups.slice(0, 5))
      log(
        `  duplicate (${d.kind}): ${d.tenant} agent ${d.agentId} ${d.route} ${d.presence} ${d.gapMs} ms after the previous write`,
      );
    for (const d of dups.slice(0, 3)) await logTrace(sides, d.tenant, d.agentId);
    check('effects given up (failed after retries)', '0', c.effectsFailed ?? 0, (c.effectsFailed ?? 0) === 0);
    const controlFailures = sides.reduce((n, s) => n + s.tenant.controlFailures(), 0);
    check('emulator control calls unanswered (soak apparatus)', '0', controlFailures, controlFailures === 0);

    const failed = checks.filter((x) => !x.ok);
    const totalS = round((Date.now() - startedAt) / 1000);
    const summary = {
      at: new Date().toISOString(),
      passed: failed.length === 0,
      failed: failed.map((f) => f.check),
      settings: {
        close: o.SOAK_CLOSE,
        tenants: o.SOAK_TENANTS,
        agentsPerTenant: o.SOAK_AGENTS_PER_TENANT,
        agents: o.SOAK_TENANTS * o.SOAK_AGENTS_PER_TENANT,
        workloadMs: o.SOAK_DURATION_MS,
        ratePerTenant: o.SOAK_RATE_PER_TENANT,
        pollIntervalMs: o.SOAK_POLL_INTERVAL_MS,
        warmupMs: o.warmupMs,
        plantedLeakMbPerMin: o.SOAK_DEBUG_LEAK_MB_PER_MIN,
        gcForced: sampler.gcForced,
      },
      durations: {
        setupS,
        workloadS: round(workloadEndS - workloadStartS),
        drainAfterStopMs: drainMs,
        finalConvergeMs: finalMs,
        totalS,
      },
      workload: { steps, refused, stepsPerSecond: round(steps / (workloadEndS - workloadStartS)) },
      product: c,
      observed: {
        graphPresenceWrites: sides.reduce((n, s) => n + s.observer.writes, 0),
        duplicates: dups.length,
        writesAfterARepeatThatLandedAfterTheirCause: sides.reduce((n, s) => n + s.observer.afterRefresh, 0),
      },
      memory: {
        ...memory,
        heldAtWorkloadEnd: held,
        samples: sampler.memory.map((m) => ({
          atS: round(m.atS),
          rssMb: round(m.rssMb),
          heapMb: round(m.heapMb),
          heapTotalMb: round(m.heapTotalMb),
        })),
      },
      queues,
      latencyMs: latency,
      checks,
    };
    console.table(
      checks.map((x) => ({ check: x.check, bound: x.bound, measured: x.measured, result: x.ok ? 'pass' : 'FAIL' })),
    );
    console.table([
      { ...summary.workload, ...c, graphWritesSeen: summary.observed.graphPresenceWrites, setupS, totalS },
    ]);
    mkdirSync(join(process.cwd(), 'test-artifacts'), { recursive: true });
    writeFileSync(join(process.cwd(), 'test-artifacts', 'soak-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      failed.length === 0 ? `soak passed (${totalS} s)\n` : `soak FAILED: ${failed.map((f) => f.check).join('; ')}\n`,
    );
    exitCode = failed.length === 0 ? 0 : 1;
  } catch (e) {
    process.stdout.write(`soak FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  } finally {
    sampler.stop();
    for (const s of sides) await s.tenant.close().catch((e: unknown) => log(`close ${s.tenant.name}: ${String(e)}`));
  }
  return exitCode;
}

// Servers and pools may leave handles behind; the run is over.
process.exit(await main());
