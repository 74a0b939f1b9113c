import type { TraceEvent } from '../../../src/application/ports.js';
import { SharedTraceTail } from '../../../src/application/trace/shared-trace-tail.js';
import { TraceTail } from '../../../src/application/trace/trace-tail.js';
import { MemoryLogger } from '../fakes/fake-runtime.js';
import { ManualTime } from '../fakes/manual-time.js';
import { MemoryTraceStore } from '../fakes/memory-trace-store.js';

function rig() {
  const time = new ManualTime();
  const store = new MemoryTraceStore();
  const local = new TraceTail();
  const tail = new SharedTraceTail(
    { local, traces: store, clock: time, scheduler: time, logger: new MemoryLogger() },
    { pollMs: 500, lookBackMs: 10_000, limit: 500 },
  );
  let n = 0;
  const event = (tenantId: string, agentId: string, at = time.now()): TraceEvent => ({
    id: `e${++n}`,
    tenantId,
    agentId,
    traceId: 'tr',
    hop: 'acd.event',
    at,
    summary: `line ${n}`,
    data: {},
  });
  return { time, store, local, tail, event };
}

describe('Log Reader live tail on any instance', () => {
  it('sends lines another instance wrote to the store, each once, and nothing from before the stream opened', async () => {
    const r = rig();
    await r.store.append([r.event('t1', 'a1', r.time.now() - 1)]);
    const got: string[] = [];
    const stop = r.tail.subscribe('t1', 'a1', (e) => got.push(e.summary));
    await r.time.advance(100);
    const remote = r.event('t1', 'a1');
    await r.store.append([remote]);
    await r.time.advance(500);
    expect(got).toEqual([remote.summary]);
    await r.time.advance(2_000);
    expect(got).toEqual([remote.summary]);
    stop();
  });

  it('sends a line recorded here at once and not again when it reaches the store', async () => {
    const r = rig();
    const got: string[] = [];
    r.tail.subscribe('t1', 'a1', (e) => got.push(e.summary));
    const here = r.event('t1', 'a1');
    r.local.publish(here);
    expect(got).toEqual([here.summary]);
    await r.store.append([here]);
    await r.time.advance(1_500);
    expect(got).toEqual([here.summary]);
  });

  it("never sends another tenant's lines, even for the same agent id (attacker: admin of t2)", async () => {
    const r = rig();
    const got: TraceEvent[] = [];
    r.tail.subscribe('t2', 'a1', (e) => got.push(e));
    r.local.publish(r.event('t1', 'a1'));
    await r.store.append([r.event('t1', 'a1'), r.event('t1', 'a2')]);
    await r.time.advance(1_500);
    expect(got).toEqual([]);
  });

  it('stops reading the store when the stream closes', async () => {
    const r = rig();
    const stop = r.tail.subscribe('t1', 'a1', () => undefined);
    stop();
    await r.time.advance(100);
    expect(r.time.pendingTimers).toBe(0);
  });
});
