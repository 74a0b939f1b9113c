import type { CxoneFeedHealth } from '../../../src/adapters/cxone/cxone-agent-state-feed.js';
import { agentChoosesState, startCustomerContact } from '../../../src/sandbox/cxone/cxone-scenarios.js';
import { FIRST_AGENT_ID, FIRST_SKILL_ID, FIRST_TEAM_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { fastSleep, sink, startRig, waitFor, type Rig } from './cxone-harness.js';

describe('CxoneAgentStateFeed resilience: backoff, health, failing sink, unreadable answers, stop', () => {
  let rig: Rig;
  const timing = fastSleep();
  const health: CxoneFeedHealth[] = [];
  /** How many sleeps the feed had asked for when each health report came (it reports, then sleeps). */
  const sleepsAtReport: number[] = [];
  const s = sink();
  let failNext = 0;
  const deliver = async (events: Parameters<typeof s.deliver>[0]): Promise<void> => {
    if (failNext > 0) {
      failNext -= 1;
      throw new Error('inbox down');
    }
    await s.deliver(events);
  };
  beforeAll(async () => {
    rig = await startRig(
      { seed: { teams: 1, agents: 12, initialState: 'Available' } },
      {
        feed: {
          sleep: timing.sleep,
          random: () => 1,
          backoffInitialMs: 1000,
          backoffMaxMs: 4000,
          onHealth: (h) => void (health.push(h), sleepsAtReport.push(timing.asked.length)),
        },
      },
    );
    rig.emu.clock.advance(1);
    await rig.acd.feed.start(deliver);
  });
  afterAll(() => rig.close());
  const change = async (agentId: number, outStateId = 0): Promise<number> => {
    rig.emu.clock.advance(1000);
    agentChoosesState(rig.emu.model, agentId, outStateId ? 'Unavailable' : 'Available', outStateId);
    const t = rig.emu.model.stateOf(agentId).lastUpdateTime;
    await waitFor(
      () => s.events.some((e) => e.agentId === String(agentId) && e.sourceTime === t),
      `change of ${agentId}`,
    );
    return t;
  };

  it("maps every unavailable code of the agent's team to its id and name", async () => {
    for (const code of rig.emu.model.teamCodes(FIRST_TEAM_ID).filter((c) => !c.isAcw)) {
      const t = await change(FIRST_AGENT_ID, code.id);
      const e = s.events.find((x) => x.agentId === String(FIRST_AGENT_ID) && x.sourceTime === t);
      expect(e?.state).toEqual({
        name: 'Unavailable',
        afterCallWork: false,
        unavailableCode: { id: String(code.id), name: code.name },
      });
    }
  });

  it('backs off exponentially (capped) without Retry-After, and reports health down then up', async () => {
    health.length = 0;
    sleepsAtReport.length = 0;
    rig.emu.faults.configure({ rules: [{ status: 503, times: 4, pathContains: 'agents/states' }] });
    await change(FIRST_AGENT_ID + 1, 0);
    // From the first failure on: a poll still in flight when the fault was set succeeds and sleeps its normal interval first.
    const failed = health.findIndex((h) => !h.ok);
    const firstFailure = sleepsAtReport[failed]!;
    expect(timing.asked.slice(firstFailure, firstFailure + 4)).toEqual([1000, 2000, 4000, 4000]);
    expect(health.slice(failed, failed + 5).map((h) => [h.ok, h.consecutiveFailures, h.failure?.status])).toEqual([
      [false, 1, 503],
      [false, 2, 503],
      [false, 3, 503],
      [false, 4, 503],
      [true, 0, undefined],
    ]);
  });

  it('re-reads the same changes after a failed delivery and hands them over once it succeeds', async () => {
    const before = s.events.length;
    failNext = 2;
    await change(FIRST_AGENT_ID + 2, 0);
    expect(s.events.length - before).toBe(1);
  });

  it('turns an unreadable answer into a BAD_RESPONSE health signal and carries on', async () => {
    health.length = 0;
    rig.emu.faults.configure({ rules: [{ status: 200, times: 1, pathContains: 'agents/states' }] });
    await change(FIRST_AGENT_ID + 3, 0);
    // A poll still in flight when the fault was set may succeed and report first (seen at load 20).
    expect(health.find((h) => !h.ok)).toMatchObject({ ok: false, failure: { code: 'BAD_RESPONSE', status: 200 } });
  });

  it("a failing contact lookup holds up only the agents on a contact: another agent's Lunch in the same poll goes through", async () => {
    const [caller, luncher] = [FIRST_AGENT_ID + 4, FIRST_AGENT_ID + 5];
    const lunch = rig.emu.model.teamCodes(FIRST_TEAM_ID).find((c) => !c.isAcw)!;
    rig.emu.faults.configure({ rules: [{ status: 503, times: 1, pathContains: '/contacts/active' }] });
    rig.emu.clock.advance(1000);
    startCustomerContact(rig.emu.model, { agentId: caller, skillId: FIRST_SKILL_ID + 1, direction: 'inbound' });
    agentChoosesState(rig.emu.model, luncher, 'Unavailable', lunch.id);
    const of = (agentId: number) => s.events.filter((e) => e.agentId === String(agentId));
    await waitFor(() => of(luncher).some((e) => e.state.name === 'Unavailable'), 'the Lunch');
    // Delivered from the poll whose contact lookup failed: the call waits for the next one.
    expect(of(caller).some((e) => e.state.name === 'InboundContact')).toBe(false);
    await waitFor(() => of(caller).some((e) => e.state.name === 'InboundContact'), 'the call, once its lookup answers');
    expect(rig.emu.stats.get('GET /contacts/active')).toBeGreaterThanOrEqual(2);
    expect(of(luncher).filter((e) => e.state.name === 'Unavailable')).toHaveLength(1);
  });

  it('has delivered no observation twice; stop() ends the loop while CXone keeps throttling', async () => {
    expect(new Set(s.events.map((e) => e.eventId)).size).toBe(s.events.length);
    rig.emu.faults.configure({ rules: [{ status: 429, times: 1000, retryAfterSec: 3600 }] });
    await waitFor(() => timing.asked.includes(3_600_000), 'a long Retry-After');
    await rig.acd.feed.stop();
    const polls = rig.emu.stats.get('GET /agents/states');
    rig.emu.faults.reset();
    expect(rig.emu.stats.get('GET /agents/states')).toBe(polls);
  });
});
