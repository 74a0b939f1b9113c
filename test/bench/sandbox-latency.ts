/**
 * Over the real adapters and both emulators (the composed product in sandbox mode):
 *  1. engine-added latency — ACD event accepted (trace hop acd.event) → Graph request out (hop
 *     graph.request) — for a burst of calls across AGENTS agents (default 1,000);
 *  2. end-to-end delay — CXone state change in the emulator → Teams presence in the Graph
 *     emulator — at the default poll interval (POLL_INTERVAL_MS, default 1000), one call at a time.
 *
 *   npx tsx test/bench/sandbox-latency.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { compose } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { percentile } from '../../src/application/health/sync-activity.js';
import { FIRST_SKILL_ID } from '../../src/sandbox/cxone/cxone-seed.js';
import { startSandboxWorld } from '../../src/sandbox/sandbox-world.js';

const AGENTS = Number(process.env.AGENTS ?? 1000);
const POLL = process.env.POLL_INTERVAL_MS ?? '1000';
const E2E_SAMPLES = Number(process.env.E2E_SAMPLES ?? 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `n=${s.length} p50=${percentile(s, 50).toFixed(1)} p95=${percentile(s, 95).toFixed(1)} p99=${percentile(s, 99).toFixed(1)} max=${s.at(-1)?.toFixed(1)} ms`; };

const dir = mkdtempSync(join(tmpdir(), 'presence-bench-'));
const world = await startSandboxWorld({ dataDir: dir, cxoneUrl: 'https://127.0.0.1:0', graphUrl: 'https://127.0.0.1:0', agents: AGENTS, teams: 1 });
const env = { PRESENCE_SYNC_MODE: 'sandbox', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', DATA_DIR: dir, SQLITE_PATH: join(dir, 'bench.sqlite'), POLL_INTERVAL_MS: POLL, SANDBOX_WORKLOAD_RATE: '0' };
const app = await compose(loadConfig({ cwd: dir, env }), { sandboxWorld: world });
await app.start();
const dispatcher = new Agent({ connect: { ca: world.cxone.caCertPem } });
const control = async (path: string, body: unknown) => { const r = await fetch(`${world.cxone.url}/_control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher }); await r.text(); return r.ok; };
const agents = [...world.userOfAgent.keys()];
const presenceOf = (agent: string) => world.graph.control.presence(world.userOfAgent.get(agent)!.id);
const waitUntil = async (ok: () => boolean, ms: number) => { const until = Date.now() + ms; while (!ok() && Date.now() < until) await sleep(5); return ok(); };

for (const a of agents) await control(`/agents/${a}/login`, { state: 'Available' });
await sleep(3000);
await app.runtime.engine.whenIdle();

// 1. The burst: every agent takes a call.
const burstStart = Date.now();
const contacts = new Map<string, number>();
for (const a of agents) {
  const r = await fetch(`${world.cxone.url}/_control/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 }), dispatcher });
  contacts.set(a, ((await r.json()) as { contactId: number }).contactId);
}
await waitUntil(() => agents.every((a) => presenceOf(a).activity === 'InACall'), 180_000);
const converged = Date.now() - burstStart;
await app.runtime.trace.flush();
const engineAdded: number[] = [];
for (const a of agents) {
  const events = await app.store.traces.query({ tenantId: app.sandbox!.tenantId, agentId: a, from: burstStart, limit: 100 });
  const byTrace = new Map<string, { in?: number; out?: number }>();
  for (const e of events) {
    const t = byTrace.get(e.traceId) ?? {};
    if (e.hop === 'acd.event') t.in = e.at;
    if (e.hop === 'graph.request' && t.out === undefined) t.out = e.at;
    byTrace.set(e.traceId, t);
  }
  for (const t of byTrace.values()) if (t.in !== undefined && t.out !== undefined) engineAdded.push(t.out - t.in);
}
process.stdout.write(`engine-added latency (acd.event → graph.request), ${AGENTS} agents burst: ${stats(engineAdded)}\n`);
process.stdout.write(`burst convergence: all ${AGENTS} agents In a call in the Graph emulator after ${converged} ms (Graph budget 1,500 presence requests / 30 s; $batch of 20)\n`);
for (const [, id] of contacts) await control(`/contacts/${id}/end`, {});
await sleep(5000);

// 2. End-to-end delay at the configured poll interval, one call at a time.
const e2e: number[] = [];
for (const a of agents.slice(0, E2E_SAMPLES)) {
  await waitUntil(() => presenceOf(a).activity !== 'InACall', 10_000);
  await sleep(Math.random() * Number(POLL));
  const t0 = performance.now();
  const r = await fetch(`${world.cxone.url}/_control/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'customer', agentId: Number(a), skillId: FIRST_SKILL_ID + 1 }), dispatcher });
  await r.text();
  if (await waitUntil(() => presenceOf(a).activity === 'InACall', 20_000)) e2e.push(performance.now() - t0);
}
process.stdout.write(`end-to-end CXone state change → Teams presence (POLL_INTERVAL_MS=${POLL}): ${stats(e2e)}\n`);
await app.stop();
await dispatcher.close();
await world.close();
rmSync(dir, { recursive: true, force: true });
