/**
 * The sync engine wired for benchmarks: real engine, real trace recorder and health model, either
 * the in-memory store fake or the real Kysely store on a SQLite temp file, and the FakeGraph
 * (in-memory presence gateway) on the write side so the engine's own cost is what is measured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.js';
import { HealthModel } from '../../src/application/health/health-model.js';
import type { PresenceDesire, PresenceGateway, Store } from '../../src/application/ports.js';
import { SyncEngine } from '../../src/application/sync/sync-engine.js';
import { TraceRecorder } from '../../src/application/trace/trace-recorder.js';
import type { AcdState, AcdStateEvent } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import type { PresenceRule } from '../../src/domain/presence-rule.js';
import { resolveRule } from '../../src/domain/resolve.js';
import { rule } from '../domain/builders.js';
import { FakeAcd } from '../application/fakes/fake-acd.js';
import { FakeGraph } from '../application/fakes/fake-graph.js';
import { SequentialIds } from '../application/fakes/fake-runtime.js';
import { MemoryStore } from '../application/fakes/memory-store.js';
import { RecordingMetrics } from '../application/fakes/recording-metrics.js';
import { realClock, realScheduler, silentLogger, waitFor } from './bench-kit.js';

export type StoreKind = 'memory' | 'sqlite';
export const TENANT = 'bench';

export interface EngineRig {
  readonly engine: SyncEngine;
  readonly store: Store;
  readonly graph: FakeGraph;
  readonly agentIds: readonly string[];
  /** Every write the engine asked for, with the time it asked. */
  readonly writes: { readonly desire: PresenceDesire; readonly at: number }[];
  /** performance.now() when each event (by event id) was handed to the engine. */
  readonly sentAt: Map<string, number>;
  event(agentId: string, state: AcdState): AcdStateEvent;
  send(events: readonly AcdStateEvent[]): Promise<void>;
  /** Waits until `writes` has `count` entries and the engine is idle. */
  drain(count: number, timeoutMs?: number): Promise<void>;
  saveRule(r: PresenceRule): Promise<void>;
  /**
   * Waits until the engine is idle and the Log Reader events recorded so far are in the store, so
   * that what a warm-up left behind (thousands of buffered trace rows) is not billed to what is
   * measured next.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function openStore(kind: StoreKind): Promise<{ store: Store; dispose: () => Promise<void> }> {
  if (kind === 'memory') {
    const store = new MemoryStore(realClock, { copies: false });
    return { store, dispose: () => store.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'presence-bench-'));
  const store = await createKyselyStore({
    location: { kind: 'sqlite', path: join(dir, 'bench.db') },
    encryptionKeys: [randomBytes(32)],
    clock: realClock,
  });
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `agents` agents linked to Teams users, one publisher rule over their team, every agent Available once (warm-up). */
export async function createEngineRig(
  agents: number,
  storeKind: StoreKind,
  ruleOverrides: Partial<PresenceRule> = {},
  /** A real presence gateway (the Graph adapter) and the Teams users it knows, instead of the FakeGraph. */
  real?: { readonly presence: PresenceGateway; readonly teamsUsers: readonly string[] },
): Promise<EngineRig> {
  const { store, dispose } = await openStore(storeKind);
  const acdFake = new FakeAcd(TENANT, realClock);
  const graph = new FakeGraph(TENANT, realClock);
  const agentIds = Array.from({ length: agents }, (_, i) => `agent-${i + 1}`);
  const teamsUserOf = (agentId: string): string =>
    real ? real.teamsUsers[Number(agentId.slice('agent-'.length)) - 1]! : agentId.replace('agent-', 'aad-');
  await store.tenants.upsert({
    id: TENANT,
    name: TENANT,
    acdBusinessUnitId: '1',
    entraTenantId: TENANT,
    partnerPlatform: 'msteams',
    syncEnabled: true,
  });
  await store.rules.save({ ...rule(ruleOverrides), tenantId: TENANT }, 'bench');
  for (const agentId of agentIds) {
    acdFake.addAgent(agentId, 'team-1');
    graph.addUser(teamsUserOf(agentId));
  }
  await store.userLinks.put(
    agentIds.map((agentId) => ({
      tenantId: TENANT,
      agentId,
      teamsUserId: teamsUserOf(agentId),
      source: 'auto' as const,
    })),
    'bench',
  );
  const writes: EngineRig['writes'] = [];
  const inner: PresenceGateway = real?.presence ?? graph;
  const presence: PresenceGateway = {
    write: (desire) => {
      writes.push({ desire, at: performance.now() });
      return inner.write(desire);
    },
    read: (ids) => inner.read(ids),
  };
  const ids = new SequentialIds('t');
  const trace = new TraceRecorder({
    store: store.traces,
    clock: realClock,
    ids,
    scheduler: realScheduler,
    logger: silentLogger,
  });
  const health = new HealthModel({ clock: realClock, scheduler: realScheduler });
  const engine = new SyncEngine(
    {
      store,
      policy: { decide, resolveRule },
      clock: realClock,
      scheduler: realScheduler,
      ids,
      logger: silentLogger,
      metrics: new RecordingMetrics(),
      trace,
      health,
    },
    { reconcileIntervalMs: 3_600_000 },
  );
  await engine.addTenant({
    tenantId: TENANT,
    acd: acdFake,
    acdFeed: acdFake,
    acdDirectory: acdFake,
    presence,
    subscriptions: graph,
  });
  let seq = 0;
  const sentAt = new Map<string, number>();
  const rig: EngineRig = {
    engine,
    store,
    graph,
    agentIds,
    writes,
    sentAt,
    event: (agentId, state) => {
      seq += 1;
      return {
        source: 'acd',
        tenantId: TENANT,
        agentId,
        state,
        sourceTime: Date.now() * 1000 + seq,
        eventId: `${agentId}:${seq}`,
      };
    },
    async send(events) {
      const now = performance.now();
      for (const e of events) sentAt.set(e.eventId, now);
      await engine.acceptAcdEvents(events);
    },
    drain: (count, timeoutMs = 120_000) =>
      waitFor(() => writes.length >= count && engine.isIdle(), `${count} writes (have ${writes.length})`, timeoutMs),
    saveRule: async (r) => void (await store.rules.save({ ...r, tenantId: TENANT }, 'bench')),
    async settle() {
      await engine.whenIdle();
      await trace.flush();
    },
    async close() {
      await engine.stop();
      await dispose();
    },
  };
  return rig;
}

/** Engine-added latency of each write: the write's time minus its event's hand-over time. */
export function latencies(rig: EngineRig, fromWrite = 0): number[] {
  return rig.writes.slice(fromWrite).flatMap((w) => {
    const sent = rig.sentAt.get(w.desire.traceId);
    return sent === undefined ? [] : [w.at - sent];
  });
}
