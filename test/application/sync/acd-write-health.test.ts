import type { AcdWriteRefusal, ExternalFailure } from '../../../src/application/ports.js';
import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

const unavailable = (): AcdWriteRefusal => {
  const failure: ExternalFailure = {
    system: 'cxone',
    status: 503,
    code: 'ServiceUnavailable',
    message: 'CXone is unavailable',
    transient: true,
  };
  return { code: 'EXTERNAL', failure, message: failure.message };
};

describe('sync engine: ACD state write health', () => {
  it('reports acd.writes degraded while state writes fail transiently, and ok once one lands', async () => {
    const h = new EngineHarness({ alertDebounceMs: 0 });
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    t.acd.agents.get('agent-1')!.state = acd.available();
    const seen: string[] = [];
    h.health.onTransition((tr) => {
      if (tr.component === 'acd.writes') seen.push(`${tr.to}: ${tr.detail}`);
    });
    await h.start(t, { startFeed: true });
    t.acd.writeRefusals.push(unavailable(), unavailable());

    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.dnd)]);
    await h.settle();

    expect(seen[0]).toMatch(/^degraded: ACD state writes failing: 503 ServiceUnavailable/);
    expect(seen.at(-1)).toMatch(/^ok: last state write: applied/);
    expect(t.acd.writes).toHaveLength(3);
  });

  it('reports acd.writes down when the write is given up', async () => {
    const h = new EngineHarness({ engine: { maxAttempts: 2 } });
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    t.acd.agents.get('agent-1')!.state = acd.available();
    await h.start(t, { startFeed: true });
    t.acd.writeRefusals.push(unavailable(), unavailable());

    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.dnd)]);
    await h.settle();

    expect(h.health.components('t1').find((c) => c.component === 'acd.writes')).toMatchObject({
      status: 'down',
      detail: expect.stringContaining('attempt 2 of 2'),
    });
  });
});
