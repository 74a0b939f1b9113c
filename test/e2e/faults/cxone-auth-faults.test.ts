import { LUNCH_CODE, PUBLISHER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import {
  alertArrives,
  componentBecomes,
  type CxoneFaultRig,
  eventually,
  recordRecovery,
  startReadyCxoneFaultRig,
  stopwatch,
} from './cxone-fault-kit.js';

const SUITE = 'cxone-auth-faults';

/**
 * CXone side, identity: the access token dying before its `expires_in` (CXone answers 401), the
 * refresh grant refused, and sign-in refused altogether until the identity provider recovers. An
 * ACD change made during the fault must still reach Teams, once.
 */
describe('CXone token expiry and refresh failure', () => {
  let kit: CxoneFaultRig;
  let next = 1; // agent 0 of the team has its own user rule
  const freshAgent = async (): Promise<string> => {
    const agent = kit.rig.agentsOf(PUBLISHER_TEAM)[next++]!;
    await kit.login(agent);
    await kit.until(
      agent,
      async () => (await kit.hops(agent, 'acd.event')).some((l) => l.includes('Available')),
      'the login seen',
    );
    return agent;
  };
  const lunch = (agent: string) =>
    kit.rig.cxone(`/agents/${agent}/state`, { state: 'Unavailable', outStateId: Number(LUNCH_CODE) });
  const away = (agent: string) => kit.rig.teamsOf(agent).availability === 'Away';
  const awayWrites = async (agent: string) =>
    (await kit.hops(agent, 'graph.request')).filter((l) => l.includes('Away/Away'));
  const tokenRequests = () => kit.rig.app.sandbox!.world.cxone.stats.get('POST /auth/token') ?? 0;
  const polls = () => kit.requestsOf('GET', '/agents/states');

  beforeAll(async () => {
    kit = await startReadyCxoneFaultRig();
  }, 90_000);
  afterAll(() => kit?.close());
  afterEach(async () => {
    await kit.clearFaults();
    await componentBecomes(kit, 'acd.connection', ['ok'], 60_000);
  }, 70_000);

  it('the access token expires early (CXone answers 401): renewed with the refresh grant, no outage', async () => {
    const agent = await freshAgent();
    const tokens = tokenRequests();
    const seen = polls().length;
    const watch = stopwatch();
    await kit.rig.cxone('/tokens', { revokeAll: true });
    await lunch(agent);
    await kit.until(agent, () => away(agent), 'Teams Away with a renewed token');
    const recoveryMs = watch.stop();
    const outcomes = polls()
      .slice(seen)
      .map((r) => r.outcome);
    expect(outcomes.indexOf(401)).toBeGreaterThanOrEqual(0);
    expect(outcomes.slice(outcomes.indexOf(401) + 1)).toContain(200);
    expect(tokenRequests()).toBe(tokens + 1);
    expect(await awayWrites(agent)).toHaveLength(1);
    expect((await kit.component('acd.connection'))?.status).toBe('ok');
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'access token expired early (401 mid-stream)',
      recoveryMs,
      detail: 'one 401 poll, one refresh grant, the poll retried at once; health stays ok; the change written once',
    });
  }, 60_000);

  it('the access token expires by the clock before we renew it (clock skew): 401, renewed, no outage', async () => {
    const agent = await freshAgent();
    // Compressed time: 30 s tokens, and the CXone clock jumps 40 s ahead of ours (we renew at 15 s by our clock).
    await kit.rig.cxone('/tokens', { lifetimeSec: 30, revokeAll: true });
    const tokens = tokenRequests();
    await eventually(() => tokenRequests() > tokens && polls().at(-1)?.outcome === 200, 'a 30 s token in use');
    const seen = polls().length;
    const afterShortToken = tokenRequests();
    const watch = stopwatch();
    await kit.rig.cxone('/clock', { advanceMs: 40_000 });
    await kit.rig.cxone('/tokens', { lifetimeSec: 3600 });
    await lunch(agent);
    await kit.until(agent, () => away(agent), 'Teams Away after the expired token was renewed');
    const recoveryMs = watch.stop();
    const outcomes = polls()
      .slice(seen)
      .map((r) => r.outcome);
    expect(outcomes).toContain(401);
    expect(outcomes.slice(outcomes.indexOf(401) + 1)).toContain(200);
    expect(tokenRequests()).toBe(afterShortToken + 1);
    expect(await awayWrites(agent)).toHaveLength(1);
    expect((await kit.component('acd.connection'))?.status).toBe('ok');
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'access token expired (CXone clock 40 s past a 30 s token)',
      recoveryMs,
      detail:
        'one 401 poll, one refresh grant, poll retried at once; health stays ok; written once (time compressed: 30 s tokens, clock jump)',
    });
  }, 60_000);

  it('the refresh grant refused (invalid_grant): signed in again with the access key, no outage', async () => {
    const agent = await freshAgent();
    const tokens = tokenRequests();
    const watch = stopwatch();
    await kit.rig.cxone('/tokens', { revokeAll: true, fail: { times: 1, status: 400, grants: ['refresh_token'] } });
    await lunch(agent);
    await kit.until(agent, () => away(agent), 'Teams Away after the fallback sign-in');
    const recoveryMs = watch.stop();
    expect(tokenRequests()).toBe(tokens + 2); // refresh refused, then the password grant
    expect(await awayWrites(agent)).toHaveLength(1);
    expect((await kit.component('acd.connection'))?.status).toBe('ok');
    expect((await kit.component('acd.auth'))?.status).toBe('ok');
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'token refresh refused (invalid_grant), access key still valid',
      recoveryMs,
      detail: 'refresh → 400 invalid_grant, password grant → 200; health stays ok; the change written once',
    });
  }, 60_000);

  it('every sign-in refused (invalid_grant) until the identity provider recovers: acd.auth down and alerted, the change arrives once after', async () => {
    const agent = await freshAgent();
    const mark = await kit.alertCount();
    await kit.rig.cxone('/tokens', { revokeAll: true, fail: { times: 100_000, status: 400 } });
    const auth = await componentBecomes(kit, 'acd.auth', ['down']);
    expect(auth.detail).toMatch(/sign-in failed \(HTTP 400 invalid_grant\)/);
    const connection = await componentBecomes(kit, 'acd.connection', ['down']);
    expect(connection.detail).toMatch(/invalid_grant/);
    expect((await alertArrives(kit, 'acd.auth', 'down', mark)).text).toMatch(/invalid_grant/);
    await lunch(agent);
    await kit.pastTheLag();
    expect(away(agent)).toBe(false);
    await kit.rig.cxone('/tokens', { recover: true });
    const watch = stopwatch();
    await kit.until(agent, () => away(agent), 'Teams Away after the identity provider recovered', 60_000);
    const recoveryMs = watch.stop();
    await componentBecomes(kit, 'acd.auth', ['ok']);
    await componentBecomes(kit, 'acd.connection', ['ok']);
    await alertArrives(kit, 'acd.auth', 'ok', mark);
    expect(await awayWrites(agent)).toHaveLength(1);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'token refresh and sign-in refused (invalid_grant) until recovery',
      recoveryMs,
      detail:
        'acd.auth and acd.connection down + alert, ok + recovery alert; the Lunch change made meanwhile written once; time includes the poll backoff reached during the outage',
    });
  }, 90_000);

  it('the identity provider answers 503 for a while: degraded, not down for the credentials, and back', async () => {
    const agent = await freshAgent();
    const tokens = tokenRequests();
    const watch = stopwatch();
    await kit.rig.cxone('/tokens', { revokeAll: true, fail: { times: 3, status: 503 } });
    await lunch(agent);
    const auth = await componentBecomes(kit, 'acd.auth', ['degraded', 'down']);
    expect(auth).toMatchObject({ status: 'degraded' }); // 503 is transient: the credentials are not blamed
    await eventually(() => tokenRequests() >= tokens + 3, 'the three refused token requests');
    await kit.until(agent, () => away(agent), 'Teams Away after the identity provider came back', 60_000);
    const recoveryMs = watch.stop();
    await componentBecomes(kit, 'acd.auth', ['ok']);
    expect(await awayWrites(agent)).toHaveLength(1);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'identity provider 503 (3 token requests)',
      recoveryMs,
      detail:
        'acd.auth degraded (transient), then ok; the change written once; time from injection (3 refused token requests, backoff included) to converged',
    });
  }, 90_000);
});
