import { rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

describe('sync engine: presence sessions are kept alive', () => {
  it('asks the presence gateway for due refreshes on every poll and traces each refresh for the agent', async () => {
    const h = new EngineHarness({ engine: { pollIntervalMs: 1_000 } });
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    let polls = 0;
    // Graph ends a session after its expirationDuration; the gateway knows which sessions are due.
    const due = [['aad-2'], [], ['aad-1', 'unlinked-user']];
    Object.assign(t.ports.presence, { refreshDue: () => due[polls++] ?? [] });
    await h.start(t);
    await h.time.advance(3_000);
    await h.settle();
    await h.trace.flush();

    expect(polls).toBeGreaterThanOrEqual(3);
    const refreshes = (agentId: string) =>
      h.traces('t1', agentId).filter((e) => e.hop === 'graph.request' && e.summary.includes('refreshed'));
    expect(refreshes('agent-1')).toHaveLength(1);
    expect(refreshes('agent-2')).toHaveLength(1);
    expect(h.traces('t1').filter((e) => e.summary.includes('refreshed'))).toHaveLength(2);
  });

  it('adopts the sessions a previous process published (stored state), so a restart mid-call keeps them alive', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 3, rule: rule() });
    const busy = { availability: 'Busy', activity: 'InACall' } as const;
    await h.store.agentStates.put('t1', {
      agentId: 'agent-1',
      teamsUserId: 'aad-1',
      published: { presence: busy, at: 1_000, ruleId: 'r', preferred: false },
    });
    await h.store.agentStates.put('t1', {
      agentId: 'agent-2',
      teamsUserId: 'aad-2',
      published: { presence: null, at: 1_000, ruleId: 'r', preferred: false },
    });
    await h.store.agentStates.put('t1', {
      agentId: 'agent-3',
      teamsUserId: 'aad-3',
      published: { presence: busy, at: 1_000, ruleId: 'r', preferred: true },
    });
    const adopted: unknown[] = [];
    Object.assign(t.ports.presence, { adoptHeld: (held: readonly unknown[]) => adopted.push(...held) });
    await h.start(t);

    // Cleared sessions and the preferred layer (which does not expire with a session) are not adopted.
    expect(adopted).toEqual([{ userId: 'aad-1', presence: busy, at: 1_000 }]);
  });
});
