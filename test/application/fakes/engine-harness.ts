import { HealthModel } from '../../../src/application/health/health-model.js';
import type { SyncPolicy } from '../../../src/application/ports.js';
import { DEFAULT_SYNC_ENGINE_OPTIONS, type SyncEngineOptions } from '../../../src/application/sync/engine-options.js';
import { SyncEngine } from '../../../src/application/sync/sync-engine.js';
import type { TenantPorts } from '../../../src/application/sync/tenant-runtime.js';
import { TraceRecorder } from '../../../src/application/trace/trace-recorder.js';
import { decide } from '../../../src/domain/decide.js';
import type { PresenceRule } from '../../../src/domain/presence-rule.js';
import { resolveRule } from '../../../src/domain/resolve.js';
import { FakeAcd } from './fake-acd.js';
import { FakeGraph } from './fake-graph.js';
import { MemoryLogger, SequentialIds } from './fake-runtime.js';
import { ManualTime, flushPromises } from './manual-time.js';
import { MemoryStore } from './memory-store.js';
import { RecordingMetrics } from './recording-metrics.js';

/** The domain's own decide and resolveRule: engine tests run the real decisions. */
export const DOMAIN_POLICY: SyncPolicy = { decide, resolveRule };

export interface FakeTenant {
  readonly tenantId: string;
  readonly acd: FakeAcd;
  readonly graph: FakeGraph;
  readonly ports: TenantPorts;
  /** `agent-<i>` ↔ `aad-<i>` for i in 1..agents. */
  readonly agentIds: readonly string[];
}

export interface TenantSetup {
  readonly agents: number;
  readonly rule?: PresenceRule;
  readonly syncEnabled?: boolean;
  readonly teamId?: string;
}

export const TEAM = 'team-1';
export const teamsUserOf = (agentId: string): string => agentId.replace('agent-', 'aad-');

/**
 * An engine over in-memory fakes of every port, with manual time. A second harness built over
 * the same store and time is "the process after a restart".
 */
export class EngineHarness {
  readonly time: ManualTime;
  readonly store: MemoryStore;
  readonly metrics = new RecordingMetrics();
  readonly logger = new MemoryLogger();
  readonly ids: SequentialIds;
  readonly trace: TraceRecorder;
  readonly health: HealthModel;
  readonly engine: SyncEngine;
  private readonly configCacheMs: number;
  /** Tenant id of every applied Teams write, across tenants, in order. */
  readonly writeLog: string[] = [];

  constructor(
    opts: {
      time?: ManualTime;
      store?: MemoryStore;
      engine?: Partial<SyncEngineOptions>;
      policy?: SyncPolicy;
      alertDebounceMs?: number;
      /** Prefix of generated ids; a second process on the same store needs its own (trace ids are unique). */
      idPrefix?: string;
      /** The tenant's saved reconciliation period (ms). */
      reconcilePeriod?: (tenantId: string) => Promise<number | undefined>;
    } = {},
  ) {
    this.ids = new SequentialIds(opts.idPrefix ?? 'trace');
    this.configCacheMs = opts.engine?.configCacheMs ?? DEFAULT_SYNC_ENGINE_OPTIONS.configCacheMs;
    this.time = opts.time ?? new ManualTime();
    this.store = opts.store ?? new MemoryStore(this.time);
    this.trace = new TraceRecorder({
      store: this.store.traces,
      clock: this.time,
      ids: this.ids,
      scheduler: this.time,
      logger: this.logger,
    });
    this.health = new HealthModel(
      { clock: this.time, scheduler: this.time },
      { alertDebounceMs: opts.alertDebounceMs ?? 30_000 },
    );
    this.engine = new SyncEngine(
      {
        store: this.store,
        policy: opts.policy ?? DOMAIN_POLICY,
        clock: this.time,
        scheduler: this.time,
        ids: this.ids,
        logger: this.logger,
        metrics: this.metrics,
        trace: this.trace,
        health: this.health,
        ...(opts.reconcilePeriod ? { reconcilePeriod: opts.reconcilePeriod } : {}),
      },
      { reconcileIntervalMs: 60_000, backoffBaseMs: 1_000, ...opts.engine },
    );
  }

  /** Creates a tenant's data (record, rule, agents, links) and its fake adapters; does not start it. */
  async tenant(tenantId: string, setup: TenantSetup): Promise<FakeTenant> {
    const acd = new FakeAcd(tenantId, this.time);
    const graph = new FakeGraph(tenantId, this.time, this.writeLog);
    const agentIds = Array.from({ length: setup.agents }, (_, i) => `agent-${i + 1}`);
    await this.store.tenants.upsert({
      id: tenantId,
      name: tenantId,
      acdBusinessUnitId: '1',
      entraTenantId: tenantId,
      partnerPlatform: 'msteams',
      syncEnabled: setup.syncEnabled ?? true,
    });
    if (setup.rule) await this.store.rules.save({ ...setup.rule, tenantId }, 'test');
    for (const agentId of agentIds) {
      acd.addAgent(agentId, setup.teamId ?? TEAM, `${agentId}@example.com`);
      graph.addUser(teamsUserOf(agentId));
    }
    await this.store.userLinks.put(
      agentIds.map((agentId) => ({
        tenantId,
        agentId,
        teamsUserId: teamsUserOf(agentId),
        source: 'auto' as const,
        email: `${agentId}@example.com`,
      })),
      'test',
    );
    return {
      tenantId,
      acd,
      graph,
      agentIds,
      ports: { tenantId, acd, acdFeed: acd, acdDirectory: acd, presence: graph, subscriptions: graph },
    };
  }

  /** Starts syncing the tenant and lets the start-up work (initial reconciliation) finish. */
  async start(t: FakeTenant, opts: { startFeed?: boolean } = {}): Promise<void> {
    await this.engine.addTenant(t.ports, opts);
    await this.settle();
  }

  /** Runs until the engine is idle, moving time only as far as pending timers need. */
  async settle(maxSteps = 2_000): Promise<void> {
    for (let step = 0; step < maxSteps; step += 1) {
      await this.time.runDue();
      if (this.engine.isIdle()) {
        await flushPromises();
        if (this.engine.isIdle()) return;
      }
      const next = this.time.nextDueAt();
      if (next === undefined) continue;
      await this.time.advance(Math.max(0, next - this.time.now()));
    }
    throw new Error('engine did not settle');
  }

  /**
   * Keeps the engine's workers busy: the agents' stored states are forgotten (so each one's next
   * event looks its team up in the ACD directory) and the directory's answers are held until
   * `t.acd.releaseDirectory()`. Time moves past the engine's cached listing.
   */
  async holdWorkers(t: FakeTenant): Promise<void> {
    for (const agentId of t.agentIds) this.store.agentStates.states.delete(`${t.tenantId}/${agentId}`);
    t.acd.holdDirectory = true;
    await this.time.advance(this.configCacheMs);
  }

  traces(tenantId: string, agentId?: string) {
    return this.store.traces.events.filter(
      (e) => e.tenantId === tenantId && (agentId === undefined || e.agentId === agentId),
    );
  }
}
