import type { TeamsPresence } from '../../../src/domain/presence.js';
import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness, teamsUserOf } from '../fakes/engine-harness.js';
import { flushPromises } from '../fakes/manual-time.js';

const CALL_CYCLE = [
  acd.contact('InboundContact'),
  acd.available(),
  acd.contact('OutboundContact'),
  acd.unavailable(),
  acd.available(),
];
const PUBLISHED_CYCLE: (TeamsPresence | null)[] = [P.inACall, null, P.inACall, P.away, null];

describe('sync engine: ordering and parallelism', () => {
  it("processes one agent's events strictly in order while many agents run concurrently", async () => {
    const h = new EngineHarness({ engine: { concurrency: 4 } });
    const t = await h.tenant('t1', { agents: 12, rule: rule() });
    await h.start(t, { startFeed: true });
    t.graph.asyncWrites = true;

    for (const state of CALL_CYCLE) {
      for (const agentId of t.agentIds) await t.acd.change(agentId, state);
    }
    await h.settle();

    for (const agentId of t.agentIds) {
      const written = t.graph.applied
        .filter((w) => w.desire.userId === teamsUserOf(agentId))
        .map((w) => w.desire.presence);
      expect(written).toEqual(PUBLISHED_CYCLE);
    }
    // 4 workers, 12 agents' writes on the wire at once: a write waiting for Graph holds no worker.
    expect(t.graph.peakConcurrentWrites).toBe(12);
  });

  it("decides an agent's next event while its write is in flight, writes them in order, and runs other agents meanwhile", async () => {
    const h = new EngineHarness({ engine: { concurrency: 8 } });
    const t = await h.tenant('t1', { agents: 3, rule: rule() });
    await h.start(t, { startFeed: true });
    t.graph.holdWrites = true;

    await t.acd.change('agent-1', acd.contact());
    await t.acd.change('agent-1', acd.available());
    await t.acd.change('agent-2', acd.contact());
    await t.acd.change('agent-3', acd.contact());
    await flushPromises();

    // Every event is decided and committed; agent-1's second write waits for its first to be answered.
    expect(await h.store.inbox.depth('t1')).toBe(0);
    expect((await h.store.agentStates.get('t1', 'agent-1'))?.published?.presence).toBeNull();
    expect(t.graph.writes.map((w) => w.desire.userId).sort()).toEqual(['aad-1', 'aad-2', 'aad-3']);
    t.graph.holdWrites = false;
    t.graph.releaseWrites();
    await h.settle();
    expect(t.graph.applied.filter((w) => w.desire.userId === 'aad-1').map((w) => w.desire.presence)).toEqual([
      P.inACall,
      null,
    ]);
  });

  it("drops an agent's stale event (older source time) and says so in the trace", async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    await h.start(t);
    const base = { source: 'acd' as const, tenantId: 't1', agentId: 'agent-1' };
    await h.engine.acceptAcdEvents([
      { ...base, state: acd.contact(), sourceTime: h.time.now() + 2_000, eventId: 'e-new' },
      { ...base, state: acd.available(), sourceTime: h.time.now() + 1_000, eventId: 'e-old' },
    ]);
    await h.settle();
    await h.trace.flush();

    expect(t.graph.applied.map((w) => w.desire.presence)).toEqual([P.inACall]);
    const decision = h.traces('t1', 'agent-1').find((e) => e.traceId === 'e-old' && e.hop === 'decision');
    expect(decision?.summary).toContain('STALE_EVENT');
  });

  it('bounds what it holds in memory per tenant and leaves the rest in the durable inbox (back-pressure)', async () => {
    const h = new EngineHarness({ engine: { concurrency: 4, maxQueuedPerTenant: 10 } });
    const t = await h.tenant('t1', { agents: 60, rule: rule() });
    await h.start(t, { startFeed: true });
    await h.holdWorkers(t);

    for (const agentId of t.agentIds) await t.acd.change(agentId, acd.contact());
    await flushPromises();
    expect(h.engine.queued('t1')).toBeLessThanOrEqual(10);
    expect(await h.store.inbox.depth('t1')).toBe(60);

    t.acd.releaseDirectory();
    await h.settle();
    expect(await h.store.inbox.depth('t1')).toBe(0);
    expect(t.graph.applied).toHaveLength(60);
  });
});
