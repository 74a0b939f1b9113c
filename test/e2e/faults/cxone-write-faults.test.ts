import { BIDIRECTIONAL_TEAM, SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE, TEAMS_DND_CODE } from '../../../src/sandbox/sandbox-world.js';
import {
  alertArrives,
  componentBecomes,
  type CxoneFaultRig,
  recordRecovery,
  startReadyCxoneFaultRig,
  stopwatch,
  writeSuiteHelpers,
} from './cxone-fault-kit.js';

const SUITE = 'cxone-write-faults';

/**
 * CXone side, Teams → ACD (subscriber and bidirectional rules): the state write failing (5xx, a
 * dead token, a cut connection after CXone applied it) and the agent logging out between our
 * decision and the write (timeouts: cxone-write-timeouts). The emulator's request log is the witness of what CXone received.
 */
describe('CXone faults on state writes (Teams → ACD)', () => {
  let kit: CxoneFaultRig;
  const { freshAgent, outcomes, hasCode, writePath } = writeSuiteHelpers(() => kit);

  beforeAll(async () => {
    kit = await startReadyCxoneFaultRig();
  }, 90_000);
  afterAll(() => kit?.close());
  afterEach(() => kit.clearFaults());

  it('503s on the write are retried until it lands: CXone carries the change out exactly once; acd.writes degraded, then ok', async () => {
    const agent = await freshAgent(SUBSCRIBER_TEAM);
    const mark = await kit.alertCount();
    await kit.fault({ rules: [{ status: 503, times: 3, method: 'POST', pathContains: writePath(agent) }] });
    const watch = stopwatch();
    kit.graph().teams(kit.rig.userOf(agent).id, 'call');
    const degraded = await componentBecomes(kit, 'acd.writes', ['degraded']);
    expect(degraded.detail).toMatch(/ACD state writes failing: 503 ServiceUnavailable/);
    await kit.until(agent, () => hasCode(agent, TEAMS_CALL_CODE), 'ACD Teams Call code after the 503s');
    const recoveryMs = watch.stop();
    await kit.until(agent, async () => (await kit.hops(agent, 'acd.response')).length >= 1, 'the write answered');
    expect(outcomes(agent)).toEqual([503, 503, 503, 202]);
    expect(await kit.hops(agent, 'acd.request')).toEqual([expect.stringContaining(`Unavailable:${TEAMS_CALL_CODE}`)]);
    expect(await kit.hops(agent, 'error')).toEqual([1, 2, 3].map(() => expect.stringMatching(/cxone 503 .*retrying/)));
    expect(await kit.hops(agent, 'acd.response')).toEqual([expect.stringContaining('applied')]);
    await componentBecomes(kit, 'acd.writes', ['ok']);
    expect((await alertArrives(kit, 'acd.writes', 'degraded', mark)).text).toMatch(/503/);
    await alertArrives(kit, 'acd.writes', 'ok', mark);
    expect((await kit.component('acd.connection'))?.status).toBe('ok'); // the feed was never affected
    kit.graph().teams(kit.rig.userOf(agent).id, 'signedIn');
    await kit.until(agent, () => kit.acdOf(agent).state === 'Available', 'ACD Available after the Teams call');
    expect(outcomes(agent)).toEqual([503, 503, 503, 202, 202]);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'state write 5xx (503 x3)',
      recoveryMs,
      detail:
        'Teams call → ACD code: 4 POSTs (503 x3, 202), 1 acd.request, 3 error hops "retrying", 1 applied; acd.writes degraded + alert, ok + recovery alert; time from the Teams change (backoff 0.5+1+2 s included)',
    });
  }, 60_000);

  it('a state write meets a token CXone no longer accepts: renewed, written once', async () => {
    const agent = await freshAgent(SUBSCRIBER_TEAM);
    await kit.rig.cxone('/tokens', { revokeAll: true }); // the poll or the write meets the dead token first: either renews
    const watch = stopwatch();
    kit.graph().teams(kit.rig.userOf(agent).id, 'call');
    await kit.until(agent, () => hasCode(agent, TEAMS_CALL_CODE), 'ACD Teams Call code with a renewed token');
    const recoveryMs = watch.stop();
    await kit.until(agent, async () => (await kit.hops(agent, 'acd.response')).length >= 1, 'the write answered');
    expect(outcomes(agent).filter((o) => o === 202)).toHaveLength(1);
    expect(outcomes(agent).filter((o) => o !== 202 && o !== 401)).toEqual([]);
    expect(await kit.hops(agent, 'acd.response')).toEqual([expect.stringContaining('applied')]);
    expect((await kit.component('acd.auth'))?.status).toBe('ok');
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'access token revoked before a state write',
      recoveryMs,
      detail: `POST outcomes ${JSON.stringify(outcomes(agent))}: a 401 is renewed and retried once inside the adapter; one applied write; acd.auth ok`,
    });
  }, 60_000);

  it('a state write refused 403 (the API user lacks the permission): not retried; the Health Check and the Log Reader say so', async () => {
    const agent = await freshAgent(SUBSCRIBER_TEAM);
    await kit.fault({ rules: [{ status: 403, times: 1, method: 'POST', pathContains: writePath(agent) }] });
    const watch = stopwatch();
    kit.graph().teams(kit.rig.userOf(agent).id, 'call');
    await kit.until(agent, async () => (await kit.hops(agent, 'acd.response')).length >= 1, 'the write answered');
    const shownMs = watch.stop();
    expect(await kit.hops(agent, 'acd.response')).toEqual([
      expect.stringMatching(
        /refused: PERMISSION_DENIED: CXone denied permission \(HTTP 403\): the API user's security profile/,
      ),
    ]);
    const auth = await componentBecomes(kit, 'acd.auth', ['down']);
    expect(auth.detail).toMatch(/403 PERMISSION_DENIED: CXone denied permission/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(outcomes(agent)).toEqual([403]); // a refusal is not retried
    expect(await kit.hops(agent, 'error')).toEqual([]);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'state write refused 403 (API user lacks permission)',
      recoveryMs: shownMs,
      detail:
        'one POST, not retried; Log Reader "refused: PERMISSION_DENIED …"; acd.auth down naming the permission (time until the Log Reader line)',
    });
  }, 60_000);

  it('a write whose connection is cut after CXone applied it is not written again', async () => {
    const agent = await freshAgent(SUBSCRIBER_TEAM);
    await kit.fault({
      rules: [{ kind: 'reset', afterApply: true, times: 1, method: 'POST', pathContains: writePath(agent) }],
    });
    const watch = stopwatch();
    kit.graph().teams(kit.rig.userOf(agent).id, 'call');
    await kit.until(agent, async () => (await kit.hops(agent, 'acd.response')).length >= 1, 'the write settled');
    const recoveryMs = watch.stop();
    expect(hasCode(agent, TEAMS_CALL_CODE)).toBe(true);
    expect(await kit.hops(agent, 'acd.response')).toEqual([expect.stringContaining('answer was lost')]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(outcomes(agent)).toEqual(['reset']);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'state write connection reset after CXone applied it',
      recoveryMs,
      detail: 'read back = target → applied; 1 POST in total',
    });
  }, 60_000);

  it.each([
    ['subscriber', SUBSCRIBER_TEAM, 'call', TEAMS_CALL_CODE],
    ['bidirectional', BIDIRECTIONAL_TEAM, 'dnd', TEAMS_DND_CODE],
  ] as const)(
    '%s: the agent logs out between our decision and the write — not logged back in, not retried, the Log Reader says why',
    async (rule, team, teamsChange, code) => {
      const agent = await freshAgent(team);
      const user = kit.rig.userOf(agent).id;
      await kit.fault({ logoutBeforeWrite: [Number(agent)] });
      if (teamsChange === 'call') kit.graph().teams(user, 'call');
      else kit.graph().manualStatus(user, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
      await kit.until(agent, async () => (await kit.hops(agent, 'acd.response')).length >= 1, 'the write answered');
      expect(await kit.hops(agent, 'acd.response')).toEqual([expect.stringMatching(/refused: AGENT_LOGGED_OUT/)]);
      await new Promise((r) => setTimeout(r, 2000));
      expect(outcomes(agent)).toEqual([409]); // one attempt: a refusal is not retried
      expect(kit.acdOf(agent).state).toBe('LoggedOut'); // and nothing logs them back in
      expect(await kit.hops(agent, 'error')).toEqual([]);
      // The Teams status still holds: when the agent logs in to Available it is applied (the rule says so).
      const watch = stopwatch();
      await kit.login(agent);
      await kit.until(agent, () => hasCode(agent, code), `ACD ${code} after the login`);
      const recoveryMs = watch.stop();
      expect(outcomes(agent)).toEqual([409, 202]);
      recordRecovery(SUITE, {
        area: 'cxone',
        fault: `agent logged out while we write (${rule})`,
        recoveryMs,
        detail:
          'write refused 409 AgentNotLoggedIn once, not retried, agent left logged out; the Teams status applied once at the next login (time from login)',
      });
    },
    60_000,
  );
});
