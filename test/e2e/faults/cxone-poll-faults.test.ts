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

const SUITE = 'cxone-poll-faults';

/**
 * CXone side, ACD → Teams: the Real-Time agent-states poll failing (5xx, timeouts, a stream cut
 * mid-response) and misbehaving (records replayed, an older record after a newer one). Each test
 * changes an agent's state in the emulator while the fault holds and proves the change reaches
 * Teams once it ends — once, not twice — with the Health Check and the Log Reader telling it.
 */
describe('CXone faults on the agent-states poll (publisher team: ACD → Teams)', () => {
  let kit: CxoneFaultRig;
  let next = 1; // agent 0 of the team has its own user rule (Lunch → Presenting)
  /** A fresh publisher agent, logged in Available and seen by the engine (not signed in to Teams: our session presence is what shows). */
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
  /** graph.request hops that set Away: the one effect the Lunch change should have. */
  const awayWrites = async (agent: string) =>
    (await kit.hops(agent, 'graph.request')).filter((l) => l.includes('Away/Away'));

  beforeAll(async () => {
    kit = await startReadyCxoneFaultRig();
  }, 90_000);
  afterAll(() => kit?.close());
  afterEach(async () => {
    await kit.clearFaults();
    await componentBecomes(kit, 'acd.connection', ['ok'], 60_000);
  }, 70_000);

  it('5xx on every poll: acd.connection goes down, the change made meanwhile reaches Teams once after', async () => {
    const agent = await freshAgent();
    const mark = await kit.alertCount();
    await kit.fault({ rules: [{ status: 503, times: 100_000, method: 'GET', pathContains: 'agents/states' }] });
    const down = await componentBecomes(kit, 'acd.connection', ['down']);
    expect(down.detail).toMatch(/polling failed \(HTTP 503 ServiceUnavailable\)/);
    expect((await alertArrives(kit, 'acd.connection', 'down', mark)).text).toMatch(/HTTP 503/);
    await lunch(agent);
    await kit.pastTheLag(1_500);
    expect(away(agent)).toBe(false); // nothing gets through while CXone answers 503
    await kit.clearFaults();
    const watch = stopwatch();
    await kit.until(agent, () => away(agent), 'Teams Away after the outage');
    const recoveryMs = watch.stop();
    await componentBecomes(kit, 'acd.connection', ['ok']);
    await alertArrives(kit, 'acd.connection', 'ok', mark);
    expect(await awayWrites(agent)).toHaveLength(1);
    expect(
      (await kit.hops(agent, 'acd.event')).filter((l) => l.includes('Lunch') || l.includes(LUNCH_CODE)),
    ).toHaveLength(1);
    const failed = kit.requestsOf('GET', '/agents/states').filter((r) => r.outcome === 503).length;
    expect(failed).toBeGreaterThanOrEqual(3);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'agent-states poll 5xx (sustained 503)',
      recoveryMs,
      detail: `${failed} polls answered 503; acd.connection down then ok; the Lunch change made during the outage written to Teams once`,
    });
  }, 90_000);

  it('a stalled poll times out (HTTP timeout 10 s): degraded, then the change arrives once', async () => {
    const agent = await freshAgent();
    const mark = await kit.alertCount();
    await kit.fault({
      rules: [{ kind: 'stall', stallMs: 60_000, times: 2, method: 'GET', pathContains: 'agents/states' }],
    });
    await lunch(agent);
    const degraded = await componentBecomes(kit, 'acd.connection', ['degraded', 'down'], 40_000);
    expect(degraded.detail).toMatch(/polling failed \(TIMEOUT\)/);
    // The fault ends when the client has given up on the second stalled poll.
    await eventually(
      () => kit.requestsOf('GET', '/agents/states').filter((r) => r.outcome === 'stalled').length >= 2,
      'both stalled polls abandoned by the client',
      60_000,
    );
    const watch = stopwatch();
    await kit.until(agent, () => away(agent), 'Teams Away after the stalls');
    const recoveryMs = watch.stop();
    await componentBecomes(kit, 'acd.connection', ['ok']);
    await alertArrives(kit, 'acd.connection', 'degraded', mark);
    await alertArrives(kit, 'acd.connection', 'ok', mark);
    expect(await awayWrites(agent)).toHaveLength(1);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'agent-states poll timeout (2 stalled polls)',
      recoveryMs,
      detail:
        'each stalled poll abandoned at the 10 s HTTP timeout; acd.connection degraded then ok; the change written once',
    });
  }, 90_000);

  it('the stream cut mid-response (connection reset after half a body): retried, the change arrives once', async () => {
    const agent = await freshAgent();
    const mark = await kit.alertCount();
    await kit.fault({ rules: [{ kind: 'reset', times: 3, method: 'GET', pathContains: 'agents/states' }] });
    const injected = stopwatch();
    await lunch(agent);
    const down = await componentBecomes(kit, 'acd.connection', ['degraded', 'down'], 30_000);
    expect(down.detail).toMatch(/polling failed \((NETWORK|TIMEOUT)\): cxone unreachable/);
    await eventually(
      () => kit.requestsOf('GET', '/agents/states').filter((r) => r.outcome === 'reset').length >= 3,
      'three polls cut',
    );
    const watch = stopwatch();
    await kit.until(agent, () => away(agent), 'Teams Away after the cut streams');
    const recoveryMs = watch.stop();
    await componentBecomes(kit, 'acd.connection', ['ok']);
    await alertArrives(kit, 'acd.connection', '(degraded|down)', mark);
    await alertArrives(kit, 'acd.connection', 'ok', mark);
    expect(await awayWrites(agent)).toHaveLength(1);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'agent-states stream cut mid-response (3 resets)',
      recoveryMs,
      detail: `after the third cut (${Math.round(injected.stop())} ms after injection, backoff included); acd.connection degraded/down then ok; written once`,
    });
  }, 90_000);

  it('the same agent-state record delivered again (replayed 3 times): no second Teams write', async () => {
    const agent = await freshAgent();
    await lunch(agent);
    await kit.until(agent, () => away(agent), 'Teams Away');
    const before = kit.requestsOf('GET', '/agents/states').length;
    const mark = await kit.alertCount();
    const watch = stopwatch();
    await kit.fault({ replays: [{ agentId: Number(agent), back: 0, times: 3 }] });
    await eventually(() => kit.requestsOf('GET', '/agents/states').length >= before + 5, 'the replays served');
    const settledMs = watch.stop();
    await kit.rig.app.runtime.trace.flush();
    expect(await awayWrites(agent)).toHaveLength(1);
    expect(
      (await kit.hops(agent, 'acd.event')).filter((l) => l.includes('Lunch') || l.includes(LUNCH_CODE)),
    ).toHaveLength(1);
    expect((await kit.component('acd.connection'))?.status).toBe('ok');
    expect(await kit.alertsAbout('acd.connection', '\\w+', mark)).toEqual([]);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'agent-state record replayed (duplicate x3)',
      recoveryMs: settledMs,
      detail:
        'duplicates dropped by event id before the engine: no acd.event, no graph.request; health stays ok, no alert (nothing to recover; time = replays served)',
    });
  }, 60_000);

  it('a newer and an older record of the agent on the same page: the older one is dropped, Teams shows the newer', async () => {
    const agent = await freshAgent();
    await kit.rig.cxone(`/agents/${agent}/state`, { state: 'Unavailable' }); // no code: nothing to show in Teams
    await kit.until(
      agent,
      async () => (await kit.hops(agent, 'acd.event')).some((l) => l.includes('Unavailable')),
      'Unavailable seen',
    );
    const writes = (await kit.hops(agent, 'graph.request')).length;
    const watch = stopwatch();
    // The poll that carries the Lunch record carries, after it, the Available one of two changes ago:
    // a different event, older than the last one delivered.
    await kit.fault({ replays: [{ agentId: Number(agent), back: 2, times: 1, samePage: true }] });
    await lunch(agent);
    await kit.until(agent, () => away(agent), 'Teams Away');
    const recoveryMs = watch.stop();
    expect(kit.rig.app.sandbox!.world.cxone.faults.pendingReplays()).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(away(agent)).toBe(true);
    expect(await kit.hops(agent, 'graph.request')).toHaveLength(writes + 1);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'older record after the newer on the same page',
      recoveryMs,
      detail:
        'the stale Available record (two changes old) after the Lunch one is dropped by source time; Teams stays Away; one graph.request',
    });
  }, 60_000);

  it('an older record after a newer one (lastUpdateTime goes back): Teams is not turned back', async () => {
    const agent = await freshAgent();
    await lunch(agent);
    await kit.until(agent, () => away(agent), 'Teams Away');
    await kit.rig.cxone(`/agents/${agent}/state`, { state: 'Available' });
    await kit.until(agent, () => !away(agent), 'Teams back from Away');
    const shown = kit.rig.teamsOf(agent);
    const writes = (await kit.hops(agent, 'graph.request')).length;
    const before = kit.requestsOf('GET', '/agents/states').length;
    const watch = stopwatch();
    // back: 1 = the Lunch record, older than the Available one already delivered.
    await kit.fault({ replays: [{ agentId: Number(agent), back: 1, times: 3 }] });
    await eventually(() => kit.requestsOf('GET', '/agents/states').length >= before + 5, 'the stale records served');
    const settledMs = watch.stop();
    await new Promise((r) => setTimeout(r, 1000));
    expect(kit.rig.teamsOf(agent)).toMatchObject({ availability: shown.availability, activity: shown.activity });
    expect(await kit.hops(agent, 'graph.request')).toHaveLength(writes);
    recordRecovery(SUITE, {
      area: 'cxone',
      fault: 'agent-state records out of order (older lastUpdateTime x3)',
      recoveryMs: settledMs,
      detail: 'stale records dropped by source time: Teams unchanged, no extra graph.request',
    });
  }, 60_000);
});
