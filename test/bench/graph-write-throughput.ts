/**
 * Graph presence write throughput against the emulator's throttle (reference §4).
 * Run: npx tsx test/bench/graph-write-throughput.ts [users=4500]
 *
 * The emulator runs on a manual clock and the writer's waits advance it, so "simulated" numbers
 * are what Graph would see (requests per 30 s window, 429s), while "wall" numbers show how fast
 * this process pushes batches through HTTPS on this machine.
 */
import { performance } from 'node:perf_hooks';
import { startAdapterHarness } from '../adapters/graph/graph-adapter-harness.js';

async function run(users: number, budget: number, limit: number): Promise<Record<string, unknown>> {
  const h = await startAdapterHarness(users, { presenceBudget: budget }, { presenceLimit: limit });
  try {
    await h.adapter.presence.read([h.tenant.users[0]!.id]); // warm up MSAL + TLS
    const app = h.tenant.apps[0]!;
    const startSim = h.clock.now();
    const startWall = performance.now();
    const outcomes = await Promise.all(h.tenant.users.map((u, i) => h.adapter.presence.write({
      userId: u.id, presence: i % 2 ? { availability: 'Busy', activity: 'InACall' } : { availability: 'Away', activity: 'Away' }, preferred: false, traceId: `b${i}`,
    })));
    const wallMs = performance.now() - startWall;
    const simMs = h.clock.now() - startSim;
    const written = outcomes.filter((o) => o.ok && o.value.status === 'written').length;
    const throttled = h.emulator.control.writeLog.length;
    return {
      users, budgetPer30s: budget, emulatorLimitPer30s: limit, written, failed: users - written, graphWritesAccepted: throttled,
      maxRequestsInAny30sWindow: h.emulator.control.maxPresenceRequestsInWindow(app.clientId, h.tenant.id),
      simulatedSeconds: +(simMs / 1000).toFixed(1),
      simulatedWritesPer30s: simMs > 0 ? Math.round((written / simMs) * 30_000) : written,
      wallSeconds: +(wallMs / 1000).toFixed(2),
      wallWritesPerSecond: Math.round(written / (wallMs / 1000)),
      retryAfterWaits: h.sleeps.filter((ms) => ms > 0).length,
      sleeps: process.env.DEBUG_SLEEPS ? h.sleeps.filter((ms) => ms > 0) : undefined,
    };
  } finally {
    await h.close();
  }
}

const users = Number(process.argv[2] ?? 4500);
for (const [budget, limit] of [[1500, 1500], [10_000, 1500]] as const) {
  process.stdout.write(`${JSON.stringify(await run(users, budget, limit))}\n`);
}
