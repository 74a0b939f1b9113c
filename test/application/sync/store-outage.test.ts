import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

/** The store unreachable for a while: the Health Check says `store` down, events wait with their sources, all arrive after. */
describe('sync engine: the store unreachable', () => {
  const unreachable = (): Promise<never> => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));

  it('reports store down when events cannot be stored, refuses them to the caller, and ok once it answers again', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    await h.start(t);
    const inbox = h.store.inbox;
    const { append, depth, pending } = {
      append: inbox.append.bind(inbox),
      depth: inbox.depth.bind(inbox),
      pending: inbox.pending.bind(inbox),
    };
    Object.assign(inbox, { append: unreachable, depth: unreachable, pending: unreachable });
    const call = {
      source: 'acd' as const,
      tenantId: 't1',
      agentId: 'agent-1',
      state: acd.contact(),
      sourceTime: h.time.now() + 1,
      eventId: 'agent-1:call',
    };

    // The caller (the ACD feed, the webhook route) is told, so it keeps the event: the feed polls again, Graph gets a 5xx.
    await expect(h.engine.acceptAcdEvents([call])).rejects.toThrow('ECONNREFUSED');
    expect(h.health.components('t1').find((c) => c.component === 'store')).toMatchObject({
      status: 'down',
      detail: expect.stringContaining('could not be stored'),
    });
    await h.time.advance(5_000);
    expect(h.health.components('t1').find((c) => c.component === 'store')?.status).toBe('down');

    Object.assign(inbox, { append, depth, pending });
    expect(await h.engine.acceptAcdEvents([call])).toBe(1);
    await h.settle();
    await h.time.advance(5_000);
    expect(h.health.components('t1').find((c) => c.component === 'store')?.status).toBe('ok');
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);
    expect(t.graph.writes).toHaveLength(1);
    await h.engine.stop();
  });

  it('keeps store down while writes fail even though reads work (SQLite locked by another process), until a write succeeds', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    await h.start(t);
    const inbox = h.store.inbox;
    const append = inbox.append.bind(inbox);
    Object.assign(inbox, { append: () => Promise.reject(new Error('database is locked')) });
    const call = {
      source: 'acd' as const,
      tenantId: 't1',
      agentId: 'agent-1',
      state: acd.contact(),
      sourceTime: h.time.now() + 1,
      eventId: 'agent-1:call',
    };

    await expect(h.engine.acceptAcdEvents([call])).rejects.toThrow('locked');
    await h.time.advance(3_000);
    expect(h.health.components('t1').find((c) => c.component === 'store')).toMatchObject({
      status: 'down',
      detail: expect.stringContaining('database is locked'),
    });

    Object.assign(inbox, { append });
    await h.engine.acceptAcdEvents([call]);
    await h.settle();
    await h.time.advance(1_000);
    expect(h.health.components('t1').find((c) => c.component === 'store')?.status).toBe('ok');
    await h.engine.stop();
  });
});
