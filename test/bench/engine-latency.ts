/**
 * Engine-added latency: an ACD event accepted by the engine → the PresenceGateway.write call it
 * causes, at 1,000 agents, with in-memory fakes of every port (so what is measured is the engine:
 * inbox, keyed queue, rule resolution, decide, tracing, effect dispatch) and real timers.
 *
 *   npx tsx test/bench/engine-latency.ts            (AGENTS=1000 by default)
 */
import { performance } from 'node:perf_hooks';
import { HealthModel } from '../../src/application/health/health-model.js';
import type { Clock, PresenceGateway, Scheduler } from '../../src/application/ports.js';
import { SyncEngine } from '../../src/application/sync/sync-engine.js';
import { TraceRecorder } from '../../src/application/trace/trace-recorder.js';
import { percentile } from '../../src/application/health/sync-activity.js';
import type { AcdState, AcdStateEvent } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import { resolveRule } from '../../src/domain/resolve.js';
import { acd, rule } from '../domain/builders.js';
import { FakeAcd } from '../application/fakes/fake-acd.js';
import { FakeGraph } from '../application/fakes/fake-graph.js';
import { MemoryLogger, SequentialIds } from '../application/fakes/fake-runtime.js';
import { MemoryStore } from '../application/fakes/memory-store.js';
import { RecordingMetrics } from '../application/fakes/recording-metrics.js';

const AGENTS = Number(process.env.AGENTS ?? 1000);
const TENANT = 'bench';
const clock: Clock = { now: () => Date.now() };
const scheduler: Scheduler = {
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Rig {
  readonly engine: SyncEngine;
  readonly sentAt: Map<string, number>;
  readonly latencies: number[];
  readonly agentIds: string[];
  readonly pulls: { n: number };
  seq: number;
}

async function rig(): Promise<Rig> {
  const store = new MemoryStore(clock, { copies: false });
  const acdFake = new FakeAcd(TENANT, clock);
  const graph = new FakeGraph(TENANT, clock);
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `agent-${i + 1}`);
  await store.tenants.upsert({ id: TENANT, name: TENANT, acdBusinessUnitId: '1', entraTenantId: TENANT, partnerPlatform: 'msteams', syncEnabled: true });
  await store.rules.save({ ...rule(), tenantId: TENANT }, 'bench');
  for (const agentId of agentIds) {
    acdFake.addAgent(agentId, 'team-1');
    graph.addUser(agentId.replace('agent-', 'aad-'));
  }
  await store.userLinks.put(agentIds.map((agentId) => ({ tenantId: TENANT, agentId, teamsUserId: agentId.replace('agent-', 'aad-'), source: 'auto' as const })));
  const pulls = { n: 0 };
  const pending = store.inbox.pending.bind(store.inbox);
  store.inbox.pending = (tenantId, limit) => {
    pulls.n += 1;
    return pending(tenantId, limit);
  };
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const presence: PresenceGateway = {
    write: (desire) => {
      const sent = sentAt.get(desire.traceId);
      if (sent !== undefined) latencies.push(performance.now() - sent);
      return graph.write(desire);
    },
    read: (ids) => graph.read(ids),
  };
  const logger = new MemoryLogger();
  const ids = new SequentialIds('t');
  const trace = new TraceRecorder({ store: store.traces, clock, ids, scheduler, logger });
  const health = new HealthModel({ clock, scheduler });
  const engine = new SyncEngine({ store, policy: { decide, resolveRule }, clock, scheduler, ids, logger, metrics: new RecordingMetrics(), trace, health }, { reconcileIntervalMs: 3_600_000 });
  await engine.addTenant({ tenantId: TENANT, acd: acdFake, acdFeed: acdFake, acdDirectory: acdFake, presence, subscriptions: graph });
  const r: Rig = { engine, sentAt, latencies, agentIds, pulls, seq: 0 };
  // Warm-up: every agent seen Available once (state rows exist, JIT warm), not measured.
  await send(r, agentIds.map((a) => event(r, a, acd.available())));
  await drain(r, 0);
  return r;
}

function event(r: Rig, agentId: string, state: AcdState): AcdStateEvent {
  r.seq += 1;
  return { source: 'acd', tenantId: TENANT, agentId, state, sourceTime: Date.now() * 1000 + r.seq, eventId: `${agentId}:${r.seq}` };
}

async function send(r: Rig, events: AcdStateEvent[]): Promise<void> {
  const now = performance.now();
  for (const e of events) r.sentAt.set(e.eventId, now);
  await r.engine.acceptAcdEvents(events);
}

async function drain(r: Rig, expected: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (r.latencies.length < expected || !r.engine.isIdle()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${r.latencies.length}/${expected} writes`);
    await sleep(5);
  }
}

function summary(name: string, r: Rig, wallMs: number): Record<string, string | number> {
  const latencies = r.latencies;
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (n: number): number => Math.round(n * 100) / 100;
  return { scenario: name, events: sorted.length, p50_ms: f(percentile(sorted, 50)), p99_ms: f(percentile(sorted, 99)), max_ms: f(sorted.at(-1) ?? 0), wall_ms: Math.round(wallMs), events_per_s: Math.round(sorted.length / (wallMs / 1000)), inbox_pulls: r.pulls.n };
}

/** Events one at a time at about `rate`/s: the latency an event sees when the engine keeps up. */
async function paced(rate: number): Promise<Record<string, string | number>> {
  const r = await rig();
  r.latencies.length = 0;
  r.pulls.n = 0;
  const start = performance.now();
  const perTick = Math.max(1, Math.round(rate / 100));
  let sent = 0;
  for (const state of [acd.contact(), acd.available()]) {
    for (let i = 0; i < r.agentIds.length; i += 1) {
      await send(r, [event(r, r.agentIds[i] as string, state)]);
      sent += 1;
      if (sent % perTick === 0) await sleep(10);
    }
  }
  await drain(r, sent);
  return summary(`paced (${perTick} events per 10 ms), ${AGENTS} agents`, r, performance.now() - start);
}

/** Every agent changes at once, delivered as one batch (a CXone poll with 1,000 changes). */
async function burst(): Promise<Record<string, string | number>> {
  const r = await rig();
  r.latencies.length = 0;
  r.pulls.n = 0;
  const start = performance.now();
  await send(r, r.agentIds.map((a) => event(r, a, acd.contact())));
  await drain(r, r.agentIds.length);
  return summary(`burst of ${AGENTS} at once`, r, performance.now() - start);
}

async function main(): Promise<void> {
  const results = [await paced(1_000), await burst()];
  console.table(results);
  console.log(JSON.stringify({ bench: 'engine-latency', node: process.version, results }));
  process.exit(0);
}

void main();
