import { acd, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

describe('sync engine: the ACD team of an agent seen for the first time', () => {
  it('lists the ACD directory once for a burst of agents without a stored team, not once per agent', async () => {
    const h = new EngineHarness({ engine: { concurrency: 8 } });
    const t = await h.tenant('t1', { agents: 200, rule: rule(), teamId: 'team-7' });

    // The start feeds every agent's state in: 200 first sights.
    await h.start(t, { startFeed: true });

    expect(t.acd.listAgentsCalls).toBe(1);
    const states = await h.store.agentStates.list('t1');
    expect(states).toHaveLength(200);
    expect(states.every((s) => s.teamId === 'team-7')).toBe(true);
  });

  it('lists it again once the listing is older than the configuration cache', async () => {
    const h = new EngineHarness({ engine: { configCacheMs: 5_000 } });
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    await h.start(t, { startFeed: true });
    const before = t.acd.listAgentsCalls;

    await h.holdWorkers(t); // forgets the stored teams and moves past the cached listing
    t.acd.releaseDirectory();
    await t.acd.change('agent-1', acd.contact());
    await t.acd.change('agent-2', acd.contact());
    await h.settle();

    expect(t.acd.listAgentsCalls).toBe(before + 1);
  });
});
