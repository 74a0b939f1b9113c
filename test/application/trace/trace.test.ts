import { TraceQueryService } from '../../../src/application/trace/trace-query.js';
import { TraceRecorder } from '../../../src/application/trace/trace-recorder.js';
import { TraceRetention } from '../../../src/application/trace/trace-retention.js';
import type { TraceEvent } from '../../../src/application/ports.js';
import { FakeAcd } from '../fakes/fake-acd.js';
import { MemoryLogger, SequentialIds } from '../fakes/fake-runtime.js';
import { ManualTime } from '../fakes/manual-time.js';
import { MemoryStore } from '../fakes/memory-store.js';

function setup(opts: { batchSize?: number; flushIntervalMs?: number } = {}) {
  const time = new ManualTime();
  const store = new MemoryStore(time);
  const recorder = new TraceRecorder(
    { store: store.traces, clock: time, ids: new SequentialIds('ev'), scheduler: time, logger: new MemoryLogger() },
    opts,
  );
  return { time, store, recorder };
}

const hop = (over: Partial<Parameters<TraceRecorder['record']>[0]> = {}) => ({
  tenantId: 't1',
  agentId: 'agent-1',
  traceId: 'flow-1',
  hop: 'acd.event' as const,
  summary: 'ACD: InboundContact',
  ...over,
});

describe('TraceRecorder', () => {
  it('stamps each hop with time and the latency since the previous hop of the same flow', async () => {
    const { time, recorder } = setup();
    const first = recorder.record(hop());
    await time.advance(40);
    const second = recorder.record(hop({ hop: 'decision' }));
    const other = recorder.record(hop({ traceId: 'flow-2' }));

    expect(first.latencyMs).toBeUndefined();
    expect(second).toMatchObject({ at: first.at + 40, latencyMs: 40, hop: 'decision' });
    expect(other.latencyMs).toBeUndefined();
  });

  it('forgets a flow whose last hop is older than maxTraceAgeMs, and holds at most maxOpenTraces', async () => {
    const time = new ManualTime();
    const recorder = new TraceRecorder(
      {
        store: new MemoryStore(time).traces,
        clock: time,
        ids: new SequentialIds('ev'),
        scheduler: time,
        logger: new MemoryLogger(),
      },
      { maxTraceAgeMs: 60_000, maxOpenTraces: 3 },
    );
    recorder.record(hop({ traceId: 'old' }));
    await time.advance(30_000);
    recorder.record(hop({ traceId: 'recent' }));
    await time.advance(30_001);
    expect(recorder.record(hop({ traceId: 'recent' })).latencyMs).toBe(30_001);
    expect(recorder.openTraces).toBe(1);
    expect(recorder.record(hop({ traceId: 'old' })).latencyMs).toBeUndefined();

    for (const id of ['a', 'b', 'c']) recorder.record(hop({ traceId: id }));
    expect(recorder.openTraces).toBe(3);
    expect(recorder.record(hop({ traceId: 'recent' })).latencyMs).toBeUndefined();
  });

  it('writes in batches: when the batch is full, or after the flush interval', async () => {
    const { time, store, recorder } = setup({ batchSize: 3, flushIntervalMs: 250 });
    for (let i = 0; i < 3; i += 1) recorder.record(hop());
    await time.runDue();
    expect(store.traces.events).toHaveLength(3);
    expect(store.traces.appendCalls).toBe(1);
    recorder.record(hop());
    await time.runDue();
    expect(store.traces.events).toHaveLength(3);

    await time.advance(250);
    expect(store.traces.events).toHaveLength(4);
    expect(store.traces.appendCalls).toBe(2);
  });

  it('keeps events when the store is down and writes them once it is back', async () => {
    const { time, store, recorder } = setup({ batchSize: 100, flushIntervalMs: 100 });
    store.traces.appendFailures = 1;
    recorder.record(hop());
    await time.advance(100);
    expect(store.traces.events).toHaveLength(0);
    await time.advance(100);
    expect(store.traces.events).toHaveLength(1);
  });

  it('runs one store write at a time: hops recorded during a slow write go out together in the next one', async () => {
    const time = new ManualTime();
    const gate = new GatedTraceStore();
    const recorder = new TraceRecorder(
      { store: gate, clock: time, ids: new SequentialIds('ev'), scheduler: time, logger: new MemoryLogger() },
      { batchSize: 2 },
    );
    for (let i = 0; i < 10; i += 1) recorder.record(hop({ traceId: `flow-${i}` }));
    expect(gate.calls.map((c) => c.length)).toEqual([2]);
    const done = recorder.flush();
    gate.release();
    await done;
    expect(gate.calls.map((c) => c.length)).toEqual([2, 8]);
  });

  it('hands a long backlog to the store a few batches at a time, in order, so written hops can be freed', async () => {
    const time = new ManualTime();
    const gate = new GatedTraceStore();
    const recorder = new TraceRecorder(
      { store: gate, clock: time, ids: new SequentialIds('ev'), scheduler: time, logger: new MemoryLogger() },
      { batchSize: 2 },
    );
    for (let i = 0; i < 27; i += 1) recorder.record(hop({ traceId: `flow-${i}`, summary: `hop ${i}` }));
    const done = recorder.flush();
    gate.release();
    await done;
    expect(gate.calls.map((c) => c.length)).toEqual([2, 10, 10, 5]);
    expect(gate.calls.flat().map((e) => e.summary)).toEqual(Array.from({ length: 27 }, (_, k) => `hop ${k}`));
  });

  it('bounds what waits for a store slower than the engine: the oldest unwritten hops are dropped, once logged', async () => {
    const time = new ManualTime();
    const gate = new GatedTraceStore();
    const logger = new MemoryLogger();
    const recorder = new TraceRecorder(
      { store: gate, clock: time, ids: new SequentialIds('ev'), scheduler: time, logger },
      { batchSize: 10, maxBuffered: 50 },
    );
    for (let i = 0; i < 1_000; i += 1) recorder.record(hop({ traceId: `flow-${i}`, summary: `hop ${i}` }));
    expect(gate.calls).toHaveLength(1);
    expect(recorder.buffered).toBe(50);
    expect(logger.lines.filter((l) => l.msg?.startsWith('trace buffer full'))).toHaveLength(1);
    const done = recorder.flush();
    gate.release();
    await done;
    expect(gate.calls.at(-1)!.map((e) => e.summary)).toEqual(Array.from({ length: 50 }, (_, k) => `hop ${950 + k}`));
  });

  it('feeds the live tail at once, per agent, until unsubscribed', async () => {
    const { recorder } = setup();
    const seen: TraceEvent[] = [];
    const unsubscribe = recorder.tail.subscribe('t1', 'agent-1', (e) => seen.push(e));
    recorder.record(hop());
    recorder.record(hop({ agentId: 'agent-2' }));
    recorder.record(hop({ tenantId: 't2' }));
    unsubscribe();
    recorder.record(hop());

    expect(seen.map((e) => [e.tenantId, e.agentId])).toEqual([['t1', 'agent-1']]);
    expect(recorder.tail.subscriberCount()).toBe(0);
  });

  it('drops a listener that throws without disturbing recording or other listeners', () => {
    const { recorder } = setup();
    const seen: string[] = [];
    recorder.tail.subscribe('t1', 'agent-1', () => {
      throw new Error('client went away');
    });
    recorder.tail.subscribe('t1', 'agent-1', (e) => seen.push(e.id));
    recorder.record(hop());
    recorder.record(hop());
    expect(seen).toHaveLength(2);
    expect(recorder.tail.subscriberCount()).toBe(1);
  });
});

describe('TraceQueryService', () => {
  async function world() {
    const s = setup();
    const acd = new FakeAcd('t1', s.time);
    acd.addAgent('agent-9', 'team-1', 'nine@example.com');
    const nine = acd.agents.get('agent-9')!;
    acd.agents.set('agent-9', { ...nine, info: { ...nine.info, firstName: 'Grace', lastName: 'Sato' } });
    await s.store.userLinks.put([
      { tenantId: 't1', agentId: 'agent-1', teamsUserId: 'aad-1', source: 'auto', email: 'Ann@Example.com' },
    ]);
    const query = new TraceQueryService({
      traces: s.store.traces,
      userLinks: s.store.userLinks,
      directory: async () => acd,
      flush: () => s.recorder.flush(),
    });
    return { ...s, query };
  }

  it.each([['agent-1'], ['aad-1'], ['ann@example.com']])(
    'finds an agent by %s and returns its hops (unflushed ones included)',
    async (ref) => {
      const { recorder, query } = await world();
      recorder.record(hop());
      recorder.record(hop({ agentId: 'agent-2' }));
      const result = await query.byAgent({ tenantId: 't1', agent: ref });
      expect(result).toMatchObject({ ok: true, value: { agentId: 'agent-1', teamsUserId: 'aad-1' } });
      expect(result.ok && result.value.events.map((e) => e.agentId)).toEqual(['agent-1']);
    },
  );

  it('finds an unlinked agent through the ACD directory, and an unlinked Teams user by its id', async () => {
    const { recorder, query } = await world();
    recorder.record(hop({ agentId: 'agent-9' }));
    recorder.record(hop({ agentId: 'teams:aad-x', teamsUserId: 'aad-x', hop: 'teams.notification' }));
    expect(await query.byAgent({ tenantId: 't1', agent: 'nine@example.com' })).toMatchObject({
      ok: true,
      value: { agentId: 'agent-9' },
    });
    expect(await query.byAgent({ tenantId: 't1', agent: 'aad-x' })).toMatchObject({
      ok: true,
      value: { agentId: 'teams:aad-x' },
    });
  });

  it.each([['Grace Sato'], ['grace  sato'], ['Sato, Grace'], ['sato grace']])(
    'finds an agent by name as the field promises ("%s")',
    async (ref) => {
      const { recorder, query } = await world();
      recorder.record(hop({ agentId: 'agent-9' }));
      expect(await query.byAgent({ tenantId: 't1', agent: ref })).toMatchObject({
        ok: true,
        value: { agentId: 'agent-9' },
      });
    },
  );

  it('limits to a time range and never shows another tenant', async () => {
    const { time, recorder, query } = await world();
    const t0 = time.now();
    recorder.record(hop({ summary: 'early' }));
    await time.advance(60_000);
    recorder.record(hop({ summary: 'late' }));
    recorder.record(hop({ tenantId: 't2', summary: 'other tenant' }));
    const result = await query.byAgent({ tenantId: 't1', agent: 'agent-1', from: t0 + 30_000 });
    expect(result.ok && result.value.events.map((e) => e.summary)).toEqual(['late']);
  });

  it('says clearly when nobody matches', async () => {
    const { query } = await world();
    expect(await query.byAgent({ tenantId: 't1', agent: 'nobody@example.com' })).toMatchObject({
      ok: false,
      error: { code: 'TRACE.AGENT_NOT_FOUND' },
    });
  });
});

describe('TraceRetention', () => {
  it('prunes by age and by count per tenant, every period', async () => {
    const { time, store, recorder } = setup();
    const retention = new TraceRetention(
      { store: store.traces, clock: time, scheduler: time, logger: new MemoryLogger() },
      { maxAgeMs: 3_600_000, maxPerTenant: 3, intervalMs: 600_000 },
    );
    recorder.record(hop({ summary: 'old' }));
    await time.advance(2 * 3_600_000);
    for (let i = 0; i < 4; i += 1) recorder.record(hop({ summary: `new ${i}` }));
    await recorder.flush();

    retention.start();
    await time.advance(600_000);
    retention.stop();
    expect(store.traces.events.map((e) => e.summary)).toEqual(['new 1', 'new 2', 'new 3']);
  });

  it("keeps each tenant's Log Reader as long as its own saved retention says, read again every period", async () => {
    const { time, store, recorder } = setup();
    const day = 24 * 3_600_000;
    // The Settings page's retention, as stored: t-short keeps 1 day, t-long 30; t-default has none (7 days).
    const saved = new Map([
      ['t-short', 1 * day],
      ['t-long', 30 * day],
    ]);
    const retention = new TraceRetention(
      {
        store: store.traces,
        clock: time,
        scheduler: time,
        logger: new MemoryLogger(),
        tenantMaxAges: async () => new Map(saved),
      },
      { maxAgeMs: 7 * day, maxPerTenant: 100, intervalMs: 600_000 },
    );
    for (const tenantId of ['t-short', 't-long', 't-default']) recorder.record(hop({ tenantId, summary: '10 days' }));
    await time.advance(8 * day);
    for (const tenantId of ['t-short', 't-long', 't-default']) recorder.record(hop({ tenantId, summary: '2 days' }));
    await time.advance(2 * day);
    await recorder.flush();
    const kept = () => store.traces.events.map((e) => `${e.tenantId}: ${e.summary}`).sort();

    retention.start();
    await time.advance(600_000);
    expect(kept()).toEqual(['t-default: 2 days', 't-long: 10 days', 't-long: 2 days']);

    // Saved again (any instance): the next run applies it.
    saved.set('t-long', 5 * day);
    await time.advance(600_000);
    retention.stop();
    expect(kept()).toEqual(['t-default: 2 days', 't-long: 2 days']);
  });
});

/** A trace store whose writes wait until released (a store slower than the engine). */
class GatedTraceStore {
  readonly calls: TraceEvent[][] = [];
  private waiting: Array<() => void> = [];
  private open = false;
  append(events: readonly TraceEvent[]): Promise<void> {
    this.calls.push([...events]);
    return this.open ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    this.open = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
  query(): Promise<readonly TraceEvent[]> {
    return Promise.resolve([]);
  }
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
}
