/**
 * RSS of the whole product process at 10k agents: `src/main.ts` in production mode (the
 * production composition: HTTP server, bot, tab API, CXone and Graph adapters, rich
 * notifications, engine, SQLite store) as a child process, against the CXone and Graph/Entra
 * emulators running in this (the bench's) process, with Graph's webhooks reaching the product
 * through an HTTPS balancer. Every agent logs in (Available), so the product publishes 10k
 * presences and takes 10k rich notifications back; the product's RSS is read from
 * /proc/<pid>/status meanwhile (peak) and at the end (settled).
 *
 * In the runner: `npm run bench -- --only product-rss`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpTransport } from '../../src/adapters/shared/http-transport.js';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.js';
import { seedSandboxTenant } from '../../src/sandbox/sandbox-seed.js';
import { killAll, productInstanceEnv, spawnInstance } from '../e2e/multi-instance/product-instances.js';
import { startSharedWorld } from '../e2e/multi-instance/shared-world.js';
import {
  realClock,
  round,
  sleep,
  type Bench,
  type BenchOptions,
  type BenchResult,
  type BenchRow,
} from './bench-kit.js';

const TARGET_MB = 250;

/** VmRSS and VmHWM (peak) of a process, in MB. */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: round(kb('VmRSS') / 1024, 1), peak: round(kb('VmHWM') / 1024, 1) };
}

/** newest modification time of any file under `dir` */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const path = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

/**
 * The compiled build, as the image runs it, when `npm run build` made one after the last change
 * to src/ (a stale build would run other code, or fail on a newer store); else the source through tsx.
 */
export function freshBuild(): boolean {
  const main = join(process.cwd(), 'dist', 'src', 'main.js');
  return existsSync(main) && statSync(main).mtimeMs >= newest(join(process.cwd(), 'src'));
}

async function measure(agents: number, observeMs: number, log: (line: string) => void): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-bench-rss-'));
  const world = await startSharedWorld(dir, agents);
  const key = randomBytes(32);
  const sqlitePath = join(dir, 'product.sqlite');
  const store = await createKyselyStore({
    location: { kind: 'sqlite', path: sqlitePath },
    encryptionKeys: [key],
    clock: realClock,
  });
  const transport = createHttpTransport({ timeoutMs: 30_000, extraCaPem: world.cxone.caCertPem });
  await seedSandboxTenant(store, world, transport.fetch).finally(() => transport.close());
  await store.close();
  const env = productInstanceEnv(world, { kind: 'sqlite', path: sqlitePath }, dir, key, 'product-rss-bench');
  const compiled = freshBuild();
  const product = await spawnInstance(
    'product',
    env,
    180_000,
    compiled ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'],
  );
  try {
    world.balancer.setBackends([product.port]);
    const started = rssOf(product.pid);
    log(`product-rss: product listening (RSS ${started.rss} MB); waiting for its subscriptions`);
    const covered = (): number => new Set(world.graph.control.subscriptions().flatMap((s) => [...s.userIds])).size;
    // Only users under a subscriber or bidirectional rule are subscribed: wait until their number holds for 10 s.
    const until = Date.now() + 180_000;
    let subscribed = 0;
    let stableSince = Date.now();
    while (Date.now() < until && (subscribed === 0 || Date.now() - stableSince < 10_000)) {
      await sleep(500);
      const now = covered();
      if (now !== subscribed) [subscribed, stableSince] = [now, Date.now()];
    }
    log(`product-rss: ${subscribed} users subscribed; every agent logs in`);
    for (const agentId of world.cxone.model.agents.keys())
      world.cxone.model.login(agentId, { state: 'Available', outStateId: 0 });
    let max = 0;
    const end = Date.now() + observeMs;
    while (Date.now() < end) {
      max = Math.max(max, rssOf(product.pid).rss);
      await sleep(500);
    }
    const settled = rssOf(product.pid);
    return {
      agents,
      runtime: compiled ? 'node dist/src/main.js' : 'tsx src/main.ts',
      users_subscribed: subscribed,
      rss_after_start_mb: started.rss,
      rss_settled_mb: settled.rss,
      rss_max_sampled_mb: round(Math.max(max, settled.rss), 1),
      rss_peak_vmhwm_mb: settled.peak,
      graph_writes_seen: world.graph.control.writeLog.length,
      observed_s: round(observeMs / 1000, 0),
      product_alive: product.alive(),
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
    const rows = [await measure(agents, o.quick ? 20_000 : 60_000, o.log)];
    const row = rows[0]!;
    const worst = Number(row.rss_peak_vmhwm_mb);
    return {
      rows,
      targets: [
        {
          target: `product process RSS ≤ ${TARGET_MB} MB at ${o.quick ? '1k (quick run)' : '10k'} agents (peak)`,
          measured: `peak ${row.rss_peak_vmhwm_mb} MB, settled ${row.rss_settled_mb} MB (${row.users_subscribed} users subscribed)`,
          met: worst <= TARGET_MB && Number(row.users_subscribed) > 0 && row.product_alive === true,
        },
      ],
      real: [
        'the product process (node dist/src/main.js when npm run build is newer than src/, else tsx src/main.ts), PRESENCE_SYNC_MODE=production (HTTP server, bot, tab API, CXone and Graph adapters, rich notifications, engine, SQLite store)',
        'CXone and Graph/Entra emulators over HTTPS, in the bench process; Graph webhooks through an HTTPS balancer',
      ],
      simulated: [
        'the tenant is seeded into the store before start (seedSandboxTenant: connections, owner refresh token, links, rules) instead of an admin onboarding it in the tab',
        'without `npm run build` the product runs its TypeScript through tsx (the row says which; the image runs dist/src/main.js)',
      ],
      method:
        'One tenant, N agents in 3 teams, seeded like the sandbox; the product starts and subscribes the users its rules need from Teams (rich notifications; until that number holds 10 s), then every agent logs in Available so the product publishes N presences and receives N notifications back. RSS = VmRSS from /proc/<pid>/status of the product process, sampled every 0.5 s during the observation window; peak = VmHWM (the kernel high-water mark, start-up included). No forced GC: what an operator would see.',
    };
  },
};
