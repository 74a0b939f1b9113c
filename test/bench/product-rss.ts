/**
 * RSS of the whole product process at 10k agents: `src/main.ts` in production mode (the
 * production composition: HTTP server, bot, tab API, CXone and Graph adapters, rich
 * notifications, engine, SQLite store) as a child process, with the image's runtime settings
 * (its NODE_OPTIONS, read from the Dockerfile), against the CXone and Graph/Entra emulators
 * running in this (the bench's) process, with Graph's webhooks reaching the product through an
 * HTTPS balancer. Phases: start-up and subscriptions; every agent logs in (Available) at once,
 * so the product publishes 10k presences and takes the rich notifications back; then a steady
 * call-centre workload (calls starting and ending), whose first part is warm-up and the rest
 * the measured window: RSS from /proc/<pid>/status, heap from the product's own /metrics.
 *
 * In the runner: `npm run bench -- --only product-rss`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endContact, startCustomerContact } from '../../src/sandbox/cxone/cxone-scenarios.js';
import { FIRST_SKILL_ID, seededRandom } from '../../src/sandbox/cxone/cxone-seed.js';
import { slope } from '../soak/soak-sampler.js';
import { killAll } from '../e2e/multi-instance/product-instances.js';
import { startSharedWorld } from '../e2e/multi-instance/shared-world.js';
import { round, sleep, type Bench, type BenchOptions, type BenchResult, type BenchRow } from './bench-kit.js';
import { imageNodeArgs, startProductProcess } from './product-process.js';

const TARGET_MB = 250;
/** The soak's bound on an RSS slope (reported here; the soak gates it, with a forced GC and 10 minutes). */
const SLOPE_NOTE_MB_PER_MIN = 5;
const METRICS_TOKEN = 'product-rss-bench-metrics-token';

/** VmRSS, VmHWM (peak) and the anonymous / file-backed split of a process, in MB. */
function rssOf(pid: number): { rss: number; peak: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string): number =>
    round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024, 1);
  return { rss: mb('VmRSS'), peak: mb('VmHWM'), anon: mb('RssAnon'), file: mb('RssFile') };
}

/** V8's heap as the product's own Prometheus gauges show it, in MB. */
async function heapOf(port: number): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await res.text();
  const mb = (name: string): number =>
    round(Number(new RegExp(`^presence_sync_${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20, 1);
  return {
    heapUsed: mb('nodejs_heap_size_used_bytes'),
    heapTotal: mb('nodejs_heap_size_total_bytes'),
    external: mb('nodejs_external_memory_bytes'),
  };
}

/**
 * The runtime environment the image gives the product: the runtime stage's ENV of NODE_OPTIONS
 * and MALLOC_ARENA_MAX in the Dockerfile (the V8 heap sizing is what an operator's RSS depends
 * on most), so the bench measures what ships rather than Node's defaults for this machine.
 */
export function imageRuntimeEnv(dockerfile: string): Record<string, string> {
  const stages = dockerfile.replace(/\\\n/g, ' ').split(/^FROM /m);
  const runtime = stages.at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const line of runtime.split('\n').filter((l) => /^ENV\s/.test(l)))
    for (const m of line.slice(4).matchAll(/([A-Z_][A-Z0-9_]*)=("([^"]*)"|\S+)/g))
      if (m[1] === 'NODE_OPTIONS' || m[1] === 'MALLOC_ARENA_MAX') env[m[1]] = m[3] ?? (m[2] as string);
  return env;
}

interface Sample {
  readonly atS: number;
  readonly rss: number;
  readonly anon: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Polls `count` until it holds for `holdMs` (or `timeoutMs` passes); returns it. */
async function settledCount(count: () => number, timeoutMs: number, holdMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let value = 0;
  let stableSince = Date.now();
  while (Date.now() < until && (value === 0 || Date.now() - stableSince < holdMs)) {
    await sleep(500);
    const now = count();
    if (now !== value) [value, stableSince] = [now, Date.now()];
  }
  return value;
}

async function measure(
  agents: number,
  warmupMs: number,
  observeMs: number,
  log: (line: string) => void,
): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-bench-rss-'));
  const world = await startSharedWorld(dir, agents);
  const dockerfile = readFileSync(join(process.cwd(), 'Dockerfile'), 'utf8');
  const image = imageRuntimeEnv(dockerfile);
  const nodeArgs = imageNodeArgs(dockerfile);
  // What the image runs: the compiled build (tsx would add its loader and transpile cache to the RSS).
  const { instance: product, runtime } = await startProductProcess(world, dir, 'product-rss-bench', {
    ...image,
    SECRET_METRICS_TOKEN: METRICS_TOKEN,
  });
  try {
    const started = rssOf(product.pid);
    log(`product-rss: product listening (RSS ${started.rss} MB); waiting for its subscriptions`);
    const covered = (): number => new Set(world.graph.control.subscriptions().flatMap((s) => [...s.userIds])).size;
    // Only users under a subscriber or bidirectional rule are subscribed: wait until their number holds for 10 s.
    // Where the start-up peak sits: V8's heap or native memory (sampled each second until subscribed).
    const startPeak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
    const sampler = setInterval(() => {
      void heapOf(product.port)
        .then((h) => {
          const r = rssOf(product.pid);
          if (r.rss > startPeak.rss) Object.assign(startPeak, { rss: r.rss, ...h });
        })
        .catch(() => undefined);
    }, 1_000);
    const subscribed = await settledCount(covered, 180_000).finally(() => clearInterval(sampler));
    const afterSubscribe = rssOf(product.pid);
    log(`product-rss: ${subscribed} users subscribed (RSS ${afterSubscribe.rss} MB); every agent logs in`);
    for (const agentId of world.cxone.model.agents.keys())
      world.cxone.model.login(agentId, { state: 'Available', outStateId: 0 });
    // Held past one 30 s Graph budget window: the backlog drains a window's budget at a time.
    const burstWrites = await settledCount(() => world.graph.control.writeLog.length, 300_000, 35_000);
    const afterBurst = rssOf(product.pid);
    log(`product-rss: login burst done (${burstWrites} Graph writes, RSS ${afterBurst.rss} MB); steady workload`);

    // Steady workload: customer calls start on Available agents and end, `rate` changes a second in all.
    const rate = Math.max(2, Math.round(agents / 250));
    const rnd = seededRandom(16);
    const ids = [...world.cxone.model.agents.keys()];
    const calls: number[] = [];
    let due = 0;
    const workload = setInterval(() => {
      due += rate / 10;
      for (; due >= 1; due -= 1) {
        const agentId = ids[Math.floor(rnd() * ids.length)] as number;
        if (calls.length > agents / 10 || (calls.length > 0 && rnd() < 0.5))
          endContact(world.cxone.model, calls.splice(Math.floor(rnd() * calls.length), 1)[0] as number);
        else if (world.cxone.model.stateOf(agentId).state === 'Available')
          calls.push(
            startCustomerContact(world.cxone.model, { agentId, skillId: FIRST_SKILL_ID + 1, direction: 'inbound' })
              .contactId,
          );
      }
    }, 100);
    const writesBefore = world.graph.control.writeLog.length;
    const load = [loadavg()[0] as number];
    const samples: Sample[] = [];
    const t0 = Date.now();
    try {
      while (Date.now() - t0 < warmupMs + observeMs) {
        await sleep(2_000);
        const atS = (Date.now() - t0) / 1000;
        if (atS * 1000 < warmupMs) continue;
        const [r, h] = [rssOf(product.pid), await heapOf(product.port)];
        samples.push({ atS, rss: r.rss, anon: r.anon, ...h });
      }
    } finally {
      clearInterval(workload);
    }
    load.push(loadavg()[0] as number);
    const end = rssOf(product.pid);
    const rss = samples.map((m) => m.rss);
    const perMin = (pick: (m: Sample) => number): number =>
      round(slope(samples.map((m) => ({ x: m.atS / 60, y: pick(m) }))), 2);
    return {
      agents,
      runtime,
      node_options: image['NODE_OPTIONS'] ?? '(none)',
      node_args: nodeArgs.join(' ') || '(none)',
      users_subscribed: subscribed,
      rss_at_listen_mb: started.rss,
      rss_after_subscribe_mb: afterSubscribe.rss,
      start_peak_sampled_rss_mb: startPeak.rss,
      start_peak_heap_total_mb: startPeak.heapTotal,
      start_peak_heap_used_mb: startPeak.heapUsed,
      rss_after_login_burst_mb: afterBurst.rss,
      login_burst_graph_writes: burstWrites,
      steady_changes_per_s: rate,
      steady_graph_writes: world.graph.control.writeLog.length - writesBefore,
      steady_samples: samples.length,
      steady_rss_max_mb: round(Math.max(...rss), 1),
      steady_rss_mean_mb: round(mean(rss), 1),
      steady_rss_slope_mb_per_min: perMin((m) => m.rss),
      steady_heap_used_mean_mb: round(mean(samples.map((m) => m.heapUsed)), 1),
      steady_heap_used_max_mb: round(Math.max(...samples.map((m) => m.heapUsed)), 1),
      steady_heap_used_slope_mb_per_min: perMin((m) => m.heapUsed),
      steady_heap_total_mean_mb: round(mean(samples.map((m) => m.heapTotal)), 1),
      steady_external_mean_mb: round(mean(samples.map((m) => m.external)), 1),
      // What is neither V8's heap nor the mapped binary: malloc (SQLite, OpenSSL, buffers), thread stacks.
      steady_native_anon_mean_mb: round(mean(samples.map((m) => m.anon - m.heapTotal)), 1),
      rss_file_backed_mb: end.file,
      rss_peak_vmhwm_mb: end.peak,
      load_avg_1m: load.map((l) => round(l, 1)).join(' → '),
      product_alive: product.alive(),
      // The Log Reader's buffer overflowing means lines lost and its memory at the bound (maxBuffered events).
      trace_lines_dropped: product.logs
        .filter((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('trace buffer caught up'))
        .reduce((n, l) => n + Number(l['dropped'] ?? 0), 0),
      trace_buffer_full_episodes: product.logs.filter(
        (l) => typeof l['msg'] === 'string' && l['msg'].startsWith('trace buffer full'),
      ).length,
    };
  } finally {
    await killAll([product]);
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const productRss: Bench = {
  name: 'product-rss',
  title: 'RSS of the product process (production composition, emulators in another process)',
  async run(o: BenchOptions): Promise<BenchResult> {
    const agents = o.quick ? 1000 : 10_000;
    const row = await measure(agents, o.quick ? 10_000 : 30_000, o.quick ? 30_000 : 120_000, o.log);
    const size = o.quick ? '1k (quick run)' : '10k';
    const healthy = Number(row.users_subscribed) > 0 && row.product_alive === true && Number(row.steady_samples) > 0;
    return {
      rows: [row],
      targets: [
        {
          target: `product process RSS ≤ ${TARGET_MB} MB at ${size} agents under a steady workload (max after warm-up)`,
          measured: `max ${row.steady_rss_max_mb} MB, mean ${row.steady_rss_mean_mb} MB (heapUsed mean ${row.steady_heap_used_mean_mb} MB; ${row.users_subscribed} users subscribed)`,
          met: healthy && Number(row.steady_rss_max_mb) <= TARGET_MB,
        },
        {
          target: `product process peak RSS ≤ ${TARGET_MB} MB at ${size} agents (VmHWM: start-up, subscriptions and the login burst included)`,
          measured: `peak ${row.rss_peak_vmhwm_mb} MB (after subscribing ${row.rss_after_subscribe_mb}, after the login burst ${row.rss_after_login_burst_mb})`,
          met: healthy && Number(row.rss_peak_vmhwm_mb) <= TARGET_MB,
        },
      ],
      real: [
        'the product process (node dist/src/main.js when npm run build is newer than src/, else tsx src/main.ts), PRESENCE_SYNC_MODE=production (HTTP server, bot, tab API, CXone and Graph adapters, rich notifications, engine, SQLite store)',
        "the image's runtime settings: NODE_OPTIONS (and MALLOC_ARENA_MAX, if set) read from the Dockerfile's runtime stage, and the node options of its CMD (--optimize-for-size)",
        'CXone and Graph/Entra emulators over HTTPS, in the bench process; Graph webhooks (rich notifications) through an HTTPS balancer; /metrics read with a bearer token as a scraper would',
      ],
      simulated: [
        'the tenant is seeded into the store before start (seedSandboxTenant: connections, owner refresh token, links, rules) instead of an admin onboarding it in the tab',
        'the workload: every agent logging in at once, then customer calls started and ended on random agents at a steady rate (agents/250 changes a second) by driving the CXone emulator directly',
        'Node 20 (this machine) where the image runs Node 24; without `npm run build` the product runs its TypeScript through tsx (the row says which)',
      ],
      method: `One tenant, N agents in 3 teams, seeded like the sandbox; the product starts and subscribes the users its rules need from Teams (rich notifications; until that number holds 10 s); every agent logs in Available (until the Graph writes hold 35 s, longer than a Graph budget window); then calls start and end at a steady rate: the first ${o.quick ? 10 : 30} s are warm-up, the next ${o.quick ? 30 : 120} s are measured, a sample every 2 s. RSS = VmRSS from /proc/<pid>/status; heapUsed/heapTotal/external from the product's /metrics (prom-client's process gauges); native = RssAnon − heapTotal. Slopes are Theil–Sen over the measured samples, reported only (no forced GC here: the soak gates the heap slope, bound ${SLOPE_NOTE_MB_PER_MIN} MB/min). Peak = VmHWM (the kernel high-water mark). No forced GC: what an operator would see.`,
    };
  },
};
