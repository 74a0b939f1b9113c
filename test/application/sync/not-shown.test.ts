import { describe, expect, it } from '@jest/globals';
import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

/**
 * A publisher write Teams cannot show: Graph shows the highest of all sessions (the user's own
 * clients and ours), so our Away under the user's own Available is written (HTTP 200) and never
 * seen. The engine says so from the presence it already has on record: no read per write.
 */
describe('sync engine: presence writes Teams cannot show', () => {
  const start = async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    await t.acd.change('agent-1', acd.available());
    await t.acd.change('agent-2', acd.available());
    await h.start(t, { startFeed: true });
    // Neither is signed in to Teams yet.
    const offline = { availability: 'Offline', activity: 'Offline' } as const;
    await h.engine.acceptPresenceNotifications([
      t.graph.userSets('aad-1', offline),
      t.graph.userSets('aad-2', offline),
    ]);
    await h.settle();
    return { h, t };
  };
  const responses = (h: EngineHarness, agent: string) =>
    h.traces('t1', agent).filter((e) => e.hop === 'graph.response');

  it('flags the write on its Log Reader line and counts it in the Health Check, without an extra read', async () => {
    const { h, t } = await start();
    // agent-1 signs in to Teams (Available); agent-2 stays signed out.
    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.available)]);
    await h.settle();
    const reads = t.graph.reads.length;

    await t.acd.change('agent-1', acd.unavailable());
    await t.acd.change('agent-2', acd.unavailable());
    await h.settle();
    await h.trace.flush();

    const [flagged] = responses(h, 'agent-1');
    expect(flagged?.summary).toMatch(
      /Teams cannot show it: the user's own Available\/Available outranks our Away\/Away session/,
    );
    expect(flagged?.data).toMatchObject({ notShown: { cause: 'outranked', teamsShows: P.available } });
    expect(responses(h, 'agent-2').map((e) => e.data['notShown'])).toEqual([undefined]);
    expect(t.graph.reads.length).toBe(reads);
    expect(h.health.snapshot('t1').notShown).toMatchObject({
      lastHour: 1,
      lastDay: 1,
      latest: { agentId: 'agent-1', status: 'Away/Away', reason: expect.stringContaining('outranks our Away/Away') },
    });
  });

  it('flags the Teams change that hides a session we hold, on its decision line (it does not count a second time)', async () => {
    const { h, t } = await start();
    await t.acd.change('agent-1', acd.unavailable());
    await h.settle();
    // The agent joins a Teams meeting while our Away is held: Teams now shows Busy, not our Away
    // (the fake's aggregation is simplified, so the notification says what Graph would).
    await h.engine.acceptPresenceNotifications([{ ...t.graph.userSets('aad-1', P.meeting), presence: P.meeting }]);
    await h.settle();
    await h.trace.flush();

    const decision = h
      .traces('t1', 'agent-1')
      .filter((e) => e.hop === 'decision')
      .at(-1);
    expect(decision?.summary).toMatch(/Teams does not show our Away\/Away: the user's own Busy\/InAMeeting outranks/);
    expect(decision?.data).toMatchObject({ notShown: { cause: 'outranked', teamsShows: P.meeting } });
    expect(h.health.snapshot('t1').notShown.lastHour).toBe(0);
  });
});
