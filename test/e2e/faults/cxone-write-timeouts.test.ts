import { SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE } from '../../../src/sandbox/sandbox-world.js';
import {
  componentBecomes,
  type CxoneFaultRig,
  eventually,
  recordRecovery,
  startReadyCxoneFaultRig,
  stopwatch,
  writeSuiteHelpers,
} from './cxone-fault-kit.js';

const SUITE = 'cxone-write-timeouts';

/**
 * CXone side, Teams → ACD: state writes timing out (HTTP timeout 10 s, not compressed: the harness
 * runs the production setting), before CXone carried them out and after. Kept apart from
 * cxone-write-faults so the two ~10 s waits run in parallel with the other suites.
 */
describe('CXone state writes timing out (Teams → ACD)', () => {
  let kit: CxoneFaultRig;
  const { freshAgent, outcomes, hasCode, writePath } = writeSuiteHelpers(() => kit);

  beforeAll(async () => {
    kit = await startReadyCxoneFaultRig();
  }, 90_000);
  afterAll(() => kit?.close());
  afterEach(() => kit.clearFaults());

  it('a write that times out before CXone carried it out (HTTP timeout 10 s) is read back, then retried once', async () => {
    const agent = await freshAgent(SUBSCRIBER_TEAM);
    await kit.fault({
      rules: [{ kind: 'stall', stallMs: 60_000, times: 1, method: 'POST', pathContains: writePath(agent) }],
    });
    kit.graph().teams(kit.rig.userOf(agent).id, 'call');
    const degraded = await componentBecomes(kit, 'acd.writes', ['degraded'], 40_000);
    expect(degraded.detail).toMatch(/ACD state writes failing: 0 TIMEOUT/);
    const watch = stopwatch();
    await kit.until(agent, () => hasCode(agent, TEAMS_CALL_CODE), 'ACD Teams Call code after the retry');
    const recoveryMs = watch.stop();
    await componentBecomes(kit, 'acd.writes', ['ok']);
    expect(outcomes(agent)).toEqual(['stalled', 202]);
    expect(await kit.hops(agent, 'error')).toEqual([expect.stringMatching(/cxone 0 TIMEOUT.*retrying/)]);
    expect(await kit.hops(agent, 'acd.response')).toEqual([expect.stringContaining('applied')]);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'state write timeout (not applied)',
      recoveryMs,
      detail:
        'POST stalled past the 10 s timeout, read back = not written, retried once → 202; acd.writes degraded then ok; time from the timeout',
    });
  }, 60_000);

  it('a write that times out after CXone applied it is read back, not written again (HTTP timeout 10 s)', async () => {
    const agent = await freshAgent(SUBSCRIBER_TEAM);
    await kit.fault({
      rules: [
        { kind: 'stall', afterApply: true, stallMs: 60_000, times: 1, method: 'POST', pathContains: writePath(agent) },
      ],
    });
    kit.graph().teams(kit.rig.userOf(agent).id, 'call');
    await kit.until(agent, () => hasCode(agent, TEAMS_CALL_CODE), 'CXone applied the write');
    // The fault ends when our client gives up on the stalled answer.
    await eventually(() => outcomes(agent).includes('stalled'), 'the stalled write abandoned by the client', 40_000);
    const watch = stopwatch();
    await kit.until(agent, async () => (await kit.hops(agent, 'acd.response')).length >= 1, 'the write settled');
    const recoveryMs = watch.stop();
    expect(await kit.hops(agent, 'acd.response')).toEqual([expect.stringContaining('answer was lost')]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(outcomes(agent)).toEqual(['stalled']); // one POST: the lost answer cost a read, not a second write
    expect(kit.requestsOf('GET', `/agents/${agent}/states`).length).toBeGreaterThanOrEqual(1);
    expect(hasCode(agent, TEAMS_CALL_CODE)).toBe(true);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'state write timeout after CXone applied it',
      recoveryMs,
      detail: 'POST stalled past the 10 s timeout; state read back = target → applied; 1 POST in total',
    });
  }, 60_000);
});
