import { setTimeout as delay } from 'node:timers/promises';
import { agentChoosesState } from '../../../src/sandbox/cxone/cxone-scenarios.js';
import { FIRST_AGENT_ID, FIRST_CODE_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { fastSleep, sink, startRig, waitFor, type Rig } from './cxone-harness.js';

const LUNCH = FIRST_CODE_ID + 2;
const AGENTS = [1, 2, 3, 4, 5].map((n) => FIRST_AGENT_ID + n);

/**
 * The Real-Time feed reports a change late but stamps it with the time it happened (emulator
 * README "Real-Time feed lag and rate limit"): the feed overlaps each `updatedSince` window and
 * drops what it has already delivered, so every change arrives exactly once.
 */
describe('CxoneAgentStateFeed under a Real-Time reporting lag', () => {
  async function run(overlapMs?: number): Promise<{ rig: Rig; s: ReturnType<typeof sink> }> {
    const rig = await startRig(
      { seed: { teams: 2, agents: 8, initialState: 'Available' }, realism: { reportingLagMs: 2000 } },
      { feed: { sleep: fastSleep(2).sleep, ...(overlapMs !== undefined ? { overlapMs } : {}) } },
    );
    const s = sink();
    await rig.acd.feed.start(s.deliver);
    for (const agentId of AGENTS) {
      rig.emu.clock.advance(100);
      agentChoosesState(rig.emu.model, agentId, 'Unavailable', LUNCH);
    }
    // The clock moves past the lag in steps, with polls between the steps.
    for (let i = 0; i < 14; i += 1) {
      rig.emu.clock.advance(250);
      await delay(25);
    }
    return { rig, s };
  }
  const lunchOf = (s: ReturnType<typeof sink>, agentId: number) =>
    s.events.filter((e) => e.agentId === String(agentId) && e.state.unavailableCode?.id === String(LUNCH));

  it('delivers each change made while the feed lags exactly once (overlap + de-duplication)', async () => {
    const { rig, s } = await run();
    try {
      await waitFor(() => AGENTS.every((a) => lunchOf(s, a).length > 0), 'every Lunch change delivered');
      await delay(200); // more polls over the same overlapping window
      expect(AGENTS.map((a) => lunchOf(s, a).length)).toEqual([1, 1, 1, 1, 1]);
      const ids = s.events.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await rig.close();
    }
  });

  it('without the overlap the changes still in flight at a poll are lost (why the overlap exists)', async () => {
    const { rig, s } = await run(0);
    try {
      await delay(300);
      expect(AGENTS.filter((a) => lunchOf(s, a).length === 0).length).toBeGreaterThan(0);
    } finally {
      await rig.close();
    }
  });
});
