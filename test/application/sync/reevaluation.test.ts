import { reobserve } from '../../../src/application/sync/reobserve.js';
import { decide } from '../../../src/domain/decide.js';
import type { PresenceRule } from '../../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../../src/domain/sync-state.js';
import { acd, CODES, map, P, PUBLISHER_MAPPINGS, rule } from '../../domain/builders.js';
import { EngineHarness, type FakeTenant } from '../fakes/engine-harness.js';

/** Agents on a voice call (published In a call), each with a Teams presence the engine has seen. */
async function agentsOnCalls(h: EngineHarness, agents: number, withRule: PresenceRule = rule()): Promise<FakeTenant> {
  const t = await h.tenant('t1', { agents, rule: withRule });
  await h.start(t, { startFeed: true });
  for (const agentId of t.agentIds) await t.acd.change(agentId, acd.contact());
  await h.settle();
  await h.engine.acceptPresenceNotifications(t.agentIds.map((a) => t.graph.notification(a.replace('agent-', 'aad-'))));
  await h.settle();
  await h.trace.flush();
  return t;
}

async function conferenceForCalls(h: EngineHarness): Promise<void> {
  const saved = (await h.store.rules.list('t1'))[0]!;
  await h.store.rules.save(
    {
      ...saved,
      mappings: PUBLISHER_MAPPINGS.map((m) => (m.acd.kind === 'InboundContact' ? map(m.acd, P.conference) : m)),
    },
    'admin',
    saved.version,
  );
}

describe('sync engine: re-evaluation after a rule change', () => {
  it("queues every agent's ACD re-observation before any Teams one, so each agent keeps its order and a pull holds one entry per agent", async () => {
    const h = new EngineHarness();
    await agentsOnCalls(h, 3, rule({ direction: 'bidirectional' }));
    await h.engine.removeTenant('t1'); // nothing runs: the queued entries stay in the inbox as written

    expect(await h.engine.reevaluate('t1', undefined, 'rule saved')).toBe(6);

    const pending = await h.store.inbox.pending('t1', 100);
    expect(pending.map((e) => `${e.event.source}:${e.agentId}`)).toEqual([
      'acd:agent-1',
      'acd:agent-2',
      'acd:agent-3',
      'teams:agent-1',
      'teams:agent-2',
      'teams:agent-3',
    ]);
  });

  it('queues no Teams re-observation for agents whose rule does not write Teams changes to the ACD', async () => {
    const h = new EngineHarness();
    await agentsOnCalls(h, 2);
    await h.engine.removeTenant('t1');

    expect(await h.engine.reevaluate('t1')).toBe(2);
    expect((await h.store.inbox.pending('t1', 100)).map((e) => `${e.event.source}:${e.agentId}`)).toEqual([
      'acd:agent-1',
      'acd:agent-2',
    ]);
  });

  it("(the domain, as reevaluate relies on it) a Teams re-observation under a publisher-only rule decides nothing, whatever the agent's state", () => {
    const published = (presence: typeof P.inACall, preferred = false) => ({
      presence,
      at: 5,
      ruleId: 'rule-1',
      preferred,
    });
    const seen = (presence: typeof P.inACall, extra: { manualStatus?: boolean; sequenceNumber?: string } = {}) => ({
      presence,
      sourceTime: 10,
      eventId: 'n-1',
      ...extra,
    });
    const states: AgentSyncState[] = [
      {
        agentId: 'agent-1',
        teamsUserId: 'aad-1',
        teamId: 'team-1',
        acd: { state: acd.contact(), sourceTime: 1, eventId: 'a' },
        teams: seen(P.inACall),
        published: published(P.inACall),
      },
      {
        agentId: 'agent-1',
        teamsUserId: 'aad-1',
        teamId: 'team-1',
        acd: { state: acd.contact(), sourceTime: 1, eventId: 'a' },
        teams: seen(P.dnd),
        published: published(P.inACall),
      },
      {
        agentId: 'agent-1',
        teamsUserId: 'aad-1',
        teamId: 'team-1',
        acd: { state: acd.unavailable(CODES.lunch), sourceTime: 1, eventId: 'a' },
        teams: seen(P.busy, { manualStatus: true, sequenceNumber: '7' }),
      },
      {
        agentId: 'agent-1',
        teamsUserId: 'aad-1',
        teamId: 'team-1',
        acd: { state: acd.contact(), sourceTime: 1, eventId: 'a' },
        teams: seen(P.busy),
        published: published(P.inACall, true),
      },
      {
        agentId: 'agent-1',
        teamsUserId: 'aad-1',
        teamId: 'team-1',
        teams: seen(P.available, { manualStatus: false }),
        acdWritten: {
          phase: 'requested',
          target: { kind: 'Unavailable', codeId: CODES.dnd.id },
          replaced: { kind: 'Available' },
          over: { kind: 'Available' },
          at: 3,
          ruleId: 'rule-1',
        },
      },
      {
        agentId: 'agent-1',
        teamsUserId: 'aad-1',
        teamId: 'team-1',
        teams: seen(P.brb),
        pending: { dueAt: 50, reason: 'debounce' },
      },
    ];
    for (const r of [rule(), rule({ manualStatusPolicy: 'override' }), rule({ debounceMs: 1_000 })]) {
      for (const agent of states) {
        const event = reobserve('t1', agent, 'reeval:c1').find((e) => e.source === 'teams')!;
        expect(decide({ rule: r, agent, event, now: 100, syncEnabled: true }).effects.map((e) => e.kind)).toEqual([
          'skip',
        ]);
      }
    }
  });

  it('shows each re-evaluated agent in the Log Reader as one decision line and one write line', async () => {
    const h = new EngineHarness();
    const t = await agentsOnCalls(h, 2, rule({ direction: 'bidirectional' }));
    const seen = h.traces('t1', 'agent-1').length;
    const writesBefore = t.graph.writes.length;

    await conferenceForCalls(h);
    await h.engine.reevaluate('t1', undefined, 'rule "Contact centre" saved');
    await h.settle();
    await h.trace.flush();

    expect(t.graph.writes.slice(writesBefore).map((w) => [w.desire.userId, w.desire.presence])).toEqual([
      ['aad-1', P.conference],
      ['aad-2', P.conference],
    ]);
    // Corrections wait behind fresh changes at the writer; the calls' own writes were changes.
    expect(t.graph.writes.slice(writesBefore).map((w) => w.desire.urgency)).toEqual(['correction', 'correction']);
    expect(t.graph.writes.slice(0, writesBefore).every((w) => w.desire.urgency === 'change')).toBe(true);
    const lines = h.traces('t1', 'agent-1').slice(seen);
    expect(lines.map((e) => e.hop)).toEqual(['decision', 'graph.response']);
    expect(lines[0]!.summary).toMatch(
      /^Re-evaluated \(rule "Contact centre" saved\), acd state\. Agent agent-1 follows rule "Contact centre" .+ Decision: setTeamsPresence/,
    );
    expect(lines[1]!.summary).toMatch(/^Graph: session presence → Busy\/InAConferenceCall \(.+\): written/);
    expect(lines[1]!.traceId).toBe(lines[0]!.traceId);
  });

  it('records a Teams re-observation when the agent has no ACD state, or when it decides something worth seeing', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 2, rule: rule({ direction: 'subscriber' }) });
    await h.engine.addTenant(t.ports); // no feed, no settle: the stored states below are all the engine knows
    await h.settle();
    const teams = { presence: P.dnd, sourceTime: 1, eventId: 'n-1' };
    await h.store.agentStates.put('t1', { agentId: 'agent-1', teamsUserId: 'aad-1', teams });
    await h.store.agentStates.put('t1', {
      agentId: 'agent-2',
      teamsUserId: 'aad-2',
      teams,
      acd: { state: acd.contact(), sourceTime: 1, eventId: 'a-1' },
    });
    await h.trace.flush();
    const seen = { a1: h.traces('t1', 'agent-1').length, a2: h.traces('t1', 'agent-2').length };

    await h.engine.reevaluate('t1');
    await h.settle();
    await h.trace.flush();

    const first = h
      .traces('t1', 'agent-1')
      .slice(seen.a1)
      .filter((e) => e.hop === 'decision');
    expect(first.map((e) => e.summary)).toEqual([
      expect.stringMatching(/^Re-evaluated \(configuration changed\), teams state\. Agent agent-1 follows rule/),
    ]);
    const second = h
      .traces('t1', 'agent-2')
      .slice(seen.a2)
      .filter((e) => e.hop === 'decision');
    expect(second.map((e) => e.summary)).toEqual([
      expect.stringMatching(/, acd state\. /),
      expect.stringMatching(/, teams state\. .*ACD_WINS_ON_CONTACT/),
    ]);
  });

  it("lets other agents use the worker while an agent's completion commits, and runs that agent's next entry only after it", async () => {
    const h = new EngineHarness({ engine: { concurrency: 1 } });
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    await h.start(t, { startFeed: true });
    const complete = h.store.inbox.complete.bind(h.store.inbox);
    let releaseFirst: (() => void) | undefined;
    let held = 0;
    h.store.inbox.complete = async (seq, tenantId, state) => {
      if (state.agentId === 'agent-1' && held++ === 0) await new Promise<void>((resolve) => (releaseFirst = resolve));
      return complete(seq, tenantId, state);
    };

    await t.acd.change('agent-1', acd.contact());
    await t.acd.change('agent-1', acd.available());
    await t.acd.change('agent-2', acd.contact());
    await h.time.runDue();

    // agent-1's first completion is still committing: agent-2 went ahead on the only worker, agent-1's next event waits.
    expect(t.graph.writes.map((w) => [w.desire.userId, w.desire.presence])).toEqual([
      ['aad-1', P.inACall],
      ['aad-2', P.inACall],
    ]);
    releaseFirst?.();
    await h.settle();
    expect(t.graph.writes.map((w) => [w.desire.userId, w.desire.presence])).toEqual([
      ['aad-1', P.inACall],
      ['aad-2', P.inACall],
      ['aad-1', null],
    ]);
    expect(t.graph.shown('aad-1')).toEqual(P.available);
  });
});
