import type { ExternalFailure } from '../../../src/application/ports.js';
import { acd, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

const unavailable = (): ExternalFailure => ({
  system: 'graph',
  status: 503,
  code: 'ServiceUnavailable',
  message: 'Graph is unavailable',
  transient: true,
});

describe('sync engine: Graph presence write health', () => {
  it('reports graph.presence degraded while writes fail transiently, and ok once one is written', async () => {
    const h = new EngineHarness({ alertDebounceMs: 0 });
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    const seen: string[] = [];
    h.health.onTransition((tr) => {
      if (tr.component === 'graph.presence') seen.push(`${tr.to}: ${tr.detail}`);
    });
    await h.start(t, { startFeed: true });
    t.graph.writeFailures.set('aad-1', [unavailable(), unavailable()]);

    await t.acd.change('agent-1', acd.contact());
    await h.settle();

    expect(seen[0]).toMatch(/^degraded: presence writes failing: 503 ServiceUnavailable/);
    expect(seen.at(-1)).toMatch(/^ok: last presence write answered HTTP 200/);
  });

  it('reports graph.presence down when the write is given up', async () => {
    const h = new EngineHarness({ engine: { maxAttempts: 2 } });
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    await h.start(t, { startFeed: true });
    t.graph.writeFailures.set('aad-1', [unavailable(), unavailable()]);

    await t.acd.change('agent-1', acd.contact());
    await h.settle();

    expect(h.health.components('t1').find((c) => c.component === 'graph.presence')).toMatchObject({
      status: 'down',
      detail: expect.stringContaining('attempt 2 of 2'),
    });
  });

  it('reports graph.presence degraded while Graph throttles us (429 Retry-After), and ok when that is over', async () => {
    const h = new EngineHarness({ engine: { pollIntervalMs: 1_000 } });
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    const throttle: { until?: number } = {};
    Object.assign(t.ports.presence, { throttledUntil: () => throttle.until });
    await h.start(t);
    const graphPresence = () => h.health.components('t1').find((c) => c.component === 'graph.presence');
    throttle.until = h.time.now() + 10_000;
    await h.time.advance(1_000);
    expect(graphPresence()).toMatchObject({ status: 'degraded', detail: expect.stringContaining('throttling') });
    await h.time.advance(10_000);
    expect(graphPresence()).toMatchObject({ status: 'ok', detail: 'Graph no longer throttles presence requests' });
  });
});
