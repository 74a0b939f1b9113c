/**
 * Engine-added latency: an ACD event handed to the engine → the PresenceGateway.write call it
 * causes (inbox append, keyed queue, rule resolution, decide, state commit, tracing, dispatch).
 * Paced: events arrive at a steady rate the engine keeps up with (the latency one event sees).
 * Burst: every agent changes at once (one CXone poll with N changes; latency includes queueing).
 */
import { performance } from 'node:perf_hooks';
import { acd } from '../domain/builders.js';
import {
  distribution,
  round,
  sleep,
  type Bench,
  type BenchOptions,
  type BenchResult,
  type BenchRow,
} from './bench-kit.js';
import { createEngineRig, latencies, type EngineRig, type StoreKind } from './engine-rig.js';

async function warm(agents: number, storeKind: StoreKind): Promise<EngineRig> {
  const rig = await createEngineRig(agents, storeKind);
  // Available maps to nothing in the publisher rule: no write, but every agent's state row exists.
  await rig.send(rig.agentIds.map((a) => rig.event(a, acd.available())));
  await rig.drain(0);
  await rig.settle();
  return rig;
}

/** Sends `events` single events at `rate`/s over distinct agents, alternating contact / available. */
async function pace(rig: EngineRig, events: number, rate: number, offset = 0): Promise<void> {
  const perTick = Math.max(1, Math.round(rate / 100));
  const agents = rig.agentIds.length;
  for (let n = 0; n < events; n += 1) {
    const i = n + offset;
    const agentId = rig.agentIds[i % agents] as string;
    await rig.send([rig.event(agentId, Math.floor(i / agents) % 2 === 0 ? acd.contact() : acd.available())]);
    if ((n + 1) % perTick === 0) await sleep(10);
  }
}

async function paced(agents: number, storeKind: StoreKind, events: number, rate: number): Promise<BenchRow> {
  const rig = await warm(agents, storeKind);
  try {
    // Untimed lead-in: the first few hundred events of a process run cold (JIT, statement cache).
    const lead = Math.min(300, agents);
    await pace(rig, lead, rate);
    await rig.drain(lead);
    await rig.settle();
    const from = rig.writes.length;
    const start = performance.now();
    await pace(rig, events, rate, lead);
    await rig.drain(from + events);
    const wall = performance.now() - start;
    return {
      scenario: `paced (${Math.max(1, Math.round(rate / 100))} per 10 ms timer)`,
      agents,
      store: storeKind,
      ...distribution(latencies(rig, from)),
      events_per_s: Math.round(events / (wall / 1000)),
    };
  } finally {
    await rig.close();
  }
}

async function burst(agents: number, storeKind: StoreKind): Promise<BenchRow> {
  const rig = await warm(agents, storeKind);
  try {
    const from = rig.writes.length;
    const start = performance.now();
    await rig.send(rig.agentIds.map((a) => rig.event(a, acd.contact())));
    await rig.drain(from + agents);
    const wall = performance.now() - start;
    return {
      scenario: 'burst (all at once)',
      agents,
      store: storeKind,
      ...distribution(latencies(rig, from)),
      events_per_s: Math.round(agents / (wall / 1000)),
    };
  } finally {
    await rig.close();
  }
}

export const engineLatency: Bench = {
  name: 'engine-latency',
  title: 'Engine-added latency (event in → Graph write requested), FakeGraph write side',
  async run(o: BenchOptions): Promise<BenchResult> {
    const events = o.quick ? 300 : 3000;
    const rows: BenchRow[] = [];
    const plan: [number, StoreKind][] = o.quick
      ? [
          [1000, 'memory'],
          [1000, 'sqlite'],
        ]
      : [
          [1000, 'memory'],
          [1000, 'sqlite'],
          [10_000, 'memory'],
          [10_000, 'sqlite'],
        ];
    for (const [agents, kind] of plan) {
      o.log(`engine-latency: paced, ${agents} agents, ${kind} store`);
      rows.push(await paced(agents, kind, events, 500));
    }
    for (const [agents, kind] of plan) {
      o.log(`engine-latency: burst, ${agents} agents, ${kind} store`);
      rows.push(await burst(agents, kind));
    }
    const at10k = rows.find(
      (r) => r.agents === (o.quick ? 1000 : 10_000) && r.store === 'sqlite' && String(r.scenario).startsWith('paced'),
    );
    const p99 = Number(at10k?.p99_ms);
    return {
      rows,
      targets: [
        {
          target: `p99 ≤ 10 ms at ${o.quick ? '1k (quick run)' : '10k'} agents, paced, SQLite store`,
          measured: `${round(p99)} ms`,
          met: p99 <= 10,
        },
      ],
      real: [
        'SyncEngine, TraceRecorder, HealthModel',
        'Kysely store on SQLite (one row set; the other rows use the in-memory store)',
      ],
      simulated: ['Graph (in-memory FakeGraph: no HTTP, no $batch, no budget)', 'ACD events (injected)'],
      method:
        "Real SyncEngine + TraceRecorder + HealthModel; store = in-memory fake or Kysely on a SQLite temp file; writes go to the in-memory FakeGraph (no HTTP), so the number is the engine's own overhead. Latency = write call time − acceptAcdEvents call time. Paced: after the warm-up (every agent Available, its Log Reader rows flushed) and an untimed lead-in of 300 events. SQLite: WAL, synchronous=NORMAL, checkpoints in a worker thread.",
    };
  },
};
