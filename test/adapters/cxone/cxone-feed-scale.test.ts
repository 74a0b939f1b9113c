import { FIRST_AGENT_ID, FIRST_CODE_ID, FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { agentChoosesState, startCustomerContact } from '../../../src/sandbox/cxone/cxone-scenarios.js';
import { fastSleep, sink, startRig, waitFor, type Rig } from './cxone-harness.js';

const AGENTS = 2000;
const LUNCH = FIRST_CODE_ID + 2;
const BREAK = FIRST_CODE_ID + 3;

describe('CxoneAgentStateFeed at 2,000 agents: snapshot, deltas, 429 storm, token expiry, failing sink', () => {
  let rig: Rig;
  const s = sink(2);
  const timing = fastSleep();
  const health: boolean[] = [];
  beforeAll(async () => {
    rig = await startRig(
      { seed: { teams: 20, agents: AGENTS, initialState: 'Available' }, tokenLifetimeSec: 3600 },
      { feed: { sleep: timing.sleep, pageSize: 500, onHealth: (h) => health.push(h.ok) } },
    );
    rig.emu.clock.advance(1);
    await rig.acd.feed.start(s.deliver);
  });
  afterAll(() => rig.close());

  /** Every (agent, state) the emulator shows now must have been delivered exactly once. */
  const changeAndExpect = async (
    change: (agentId: number, i: number) => void,
    agents: readonly number[],
  ): Promise<void> => {
    rig.emu.clock.advance(1000);
    agents.forEach((a, i) => change(a, i));
    const wanted = new Map(agents.map((a) => [String(a), rig.emu.model.stateOf(a).lastUpdateTime]));
    await waitFor(
      () => [...wanted].every(([id, t]) => s.events.some((e) => e.agentId === id && e.sourceTime === t)),
      `${agents.length} changes delivered`,
    );
  };
  const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => FIRST_AGENT_ID + from + i);

  it('delivers a 2,000-agent snapshot once, read in pages of 500, despite two failed deliveries', () => {
    expect(s.events).toHaveLength(AGENTS);
    expect(s.batches).toBe(1);
    expect(new Set(s.events.map((e) => e.agentId)).size).toBe(AGENTS);
    expect(health.slice(0, 3)).toEqual([false, false, true]);
  });

  it('delivers deltas only: 200 state changes and 100 calls', async () => {
    const before = s.events.length;
    await changeAndExpect(
      (a, i) => agentChoosesState(rig.emu.model, a, 'Unavailable', i % 2 ? LUNCH : BREAK),
      range(0, 200),
    );
    await changeAndExpect(
      (a) => startCustomerContact(rig.emu.model, { agentId: a, skillId: FIRST_SKILL_ID, direction: 'inbound' }),
      range(500, 100),
    );
    expect(s.events.length - before).toBe(300);
    expect(
      s.events
        .slice(before + 200)
        .every((e) => e.state.contact?.counterpart === 'customer' && e.state.contact.media === 'voice'),
    ).toBe(true);
  });

  it('survives a 429 storm honouring Retry-After, losing and duplicating nothing', async () => {
    const before = s.events.length;
    timing.asked.length = 0;
    rig.emu.faults.configure({
      rules: [
        { status: 429, times: 12, retryAfterSec: 2, pathContains: 'agents/states' },
        { status: 503, times: 3, pathContains: 'agents/states' },
      ],
    });
    await changeAndExpect((a) => agentChoosesState(rig.emu.model, a, 'Available'), range(0, 150));
    expect(timing.asked.filter((ms) => ms === 2000).length).toBeGreaterThanOrEqual(12);
    expect(s.events.length - before).toBe(150);
  });

  it('survives token expiry mid-run (proactive refresh) and a revoked token (401 → renew → retry)', async () => {
    const before = s.events.length;
    rig.emu.identity.setTokenLifetime(120);
    rig.emu.identity.revokeAllAccessTokens();
    await changeAndExpect((a) => agentChoosesState(rig.emu.model, a, 'Unavailable', LUNCH), range(1000, 50));
    rig.emu.clock.advance(121_000);
    await changeAndExpect((a) => agentChoosesState(rig.emu.model, a, 'Available'), range(1000, 50));
    expect(s.events.length - before).toBe(100);
    expect(rig.emu.stats.get('POST /auth/token')).toBeGreaterThanOrEqual(3);
  });

  it('never delivered an observation twice over the whole run', () => {
    expect(new Set(s.events.map((e) => e.eventId)).size).toBe(s.events.length);
  });
});
