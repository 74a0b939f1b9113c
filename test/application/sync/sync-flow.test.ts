import { EngineHarness, teamsUserOf } from '../fakes/engine-harness.js';
import { acd, CODES, P, rule } from '../../domain/builders.js';

describe('sync engine: one agent end to end over fakes', () => {
  it('publishes a voice call to Teams and clears it when the call ends, tracing every hop', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'publisher' }) });
    await h.start(t, { startFeed: true });

    await t.acd.change('agent-1', acd.contact('InboundContact'));
    await h.settle();
    expect(t.graph.shown(teamsUserOf('agent-1'))).toEqual(P.inACall);

    await t.acd.change('agent-1', acd.available());
    await h.settle();
    expect(t.graph.writes.map((w) => w.desire.presence)).toEqual([P.inACall, null]);
    expect(t.graph.shown('aad-1')).toEqual(P.available);

    await h.trace.flush();
    const hops = h
      .traces('t1', 'agent-1')
      .filter((e) => e.traceId === t.graph.writes[0]!.desire.traceId)
      .map((e) => e.hop);
    expect(hops).toEqual(['acd.event', 'rule.resolved', 'decision', 'graph.request', 'graph.response']);
  });

  it('takes the agent off routing when Teams shows Do Not Disturb (subscriber) and restores it afterwards', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    t.acd.agents.get('agent-1')!.state = acd.available();
    await h.start(t, { startFeed: true });

    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.dnd)]);
    await h.settle();
    expect(t.acd.stateOf('agent-1')).toMatchObject({ name: 'Unavailable', unavailableCode: { id: CODES.dnd.id } });

    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.available)]);
    await h.settle();
    expect(t.acd.writes.map((w) => w.target)).toEqual([
      { kind: 'Unavailable', codeId: CODES.dnd.id },
      { kind: 'Available' },
    ]);
    expect(t.acd.stateOf('agent-1')?.name).toBe('Available');
  });
});
