import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PUBLISHER_TEAM, SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE } from '../../../src/sandbox/sandbox-world.js';
import {
  announced,
  recordRecovery,
  settleFor,
  startGraphFaultRig,
  stopwatch,
  until,
  type GraphFaultRig,
} from './graph-fault-kit.js';

const SUITE = 'graph-errors';
const SET_PRESENCE = '/presence/setPresence$';
const GET_PRESENCES = '^/v1\\.0/communications/getPresencesByUserId$';
const SUBSCRIPTION = String.raw`^/v1\.0/subscriptions/[^/]+$`;

/**
 * Graph answering 5xx, timing out (the product's HTTP timeout is 2 s here) and throttling with
 * Retry-After, on the presence write, the presence read and the subscription routes. Time is real
 * (seconds-long windows); reconciliation runs every 2 s instead of 5 min. Subscriptions carry no
 * resource data here (GRAPH_RICH_NOTIFICATIONS=off): the presence-read outage is about a basic
 * notification, which needs a read before deciding (a rich one needs none).
 */
describe('Graph faults: 5xx, timeouts and 429 storms', () => {
  let rig: GraphFaultRig;
  const publishers = (): string[] => rig.agentsOf(PUBLISHER_TEAM);
  const acdWrites = (): number => rig.world.cxone.stats.get('POST /agents/{id}/state') ?? 0;
  beforeAll(async () => {
    rig = await startGraphFaultRig({ env: { GRAPH_RICH_NOTIFICATIONS: 'off' } });
    await rig.whenSubscribed();
  }, 90_000);
  afterAll(() => rig?.close());

  it('setPresence answering 503 for 10 s: retried until Graph is back, written once, graph.presence degraded then ok', async () => {
    const agent = publishers()[0]!;
    rig.graph.failRoute({ method: 'POST', path: SET_PRESENCE, status: 503, untilMs: rig.clock.now() + 10_000 });
    const faultEnds = Date.now() + 10_000;
    await rig.loginWithCall(agent);
    await until(
      rig,
      agent,
      () => rig.health('graph.presence')?.status === 'degraded',
      'graph.presence degraded',
      30_000,
    );
    await until(rig, agent, () => announced(rig, 'graph.presence', 'degraded'), 'the alert transition');
    await until(
      rig,
      agent,
      () => rig.teamsOf(agent).activity === 'InACall',
      'Teams In a call after the outage',
      40_000,
    );
    const recoveryMs = Math.max(0, Date.now() - faultEnds);
    expect(rig.writesOf(agent)).toBe(1);
    expect(rig.graph.routeFaultHits(SET_PRESENCE)).toBeGreaterThanOrEqual(5);
    // The Log Reader: the 503s as error hops, then the one written answer.
    const trace = (await until(
      rig,
      agent,
      async () => {
        const lines = await rig.traceOf(agent);
        return lines.some((l) => l.startsWith('graph.response') && l.includes('written')) ? lines : undefined;
      },
      'the written answer in the trace',
    )) as string[];
    expect(trace.some((l) => l.startsWith('error') && l.includes('503'))).toBe(true);
    expect(trace.filter((l) => l.startsWith('graph.response') && l.includes('written'))).toHaveLength(1);
    await until(
      rig,
      agent,
      () => rig.health('graph.presence')?.status === 'ok' && announced(rig, 'graph.presence', 'ok'),
      'graph.presence ok again',
    );
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'setPresence 5xx (503 for 10 s)',
      recoveryMs,
      detail: `${rig.graph.routeFaultHits(SET_PRESENCE)} refused attempts (writer + engine retries), then exactly one setPresence applied; graph.presence degraded → ok with alert transitions`,
    });
  }, 90_000);

  it('setPresence timing out: the write is retried after each timeout and applied once', async () => {
    const agent = publishers()[1]!;
    // The emulator holds the answer 5 s and never applies the write; our timeout is 2 s. A timeout
    // after Graph applied it would make the retry a second write of the same session state — the
    // at-least-once case, harmless because setPresence of the same state is idempotent.
    const hitsBefore = rig.graph.routeFaultHits(SET_PRESENCE);
    rig.graph.failRoute({ method: 'POST', path: SET_PRESENCE, status: 'timeout', hangMs: 5_000, count: 3 });
    const watch = stopwatch();
    await rig.loginWithCall(agent);
    await until(
      rig,
      agent,
      () => rig.teamsOf(agent).activity === 'InACall',
      'Teams In a call after the timeouts',
      60_000,
    );
    const recoveryMs = watch.stop();
    expect(rig.graph.routeFaultHits(SET_PRESENCE) - hitsBefore).toBe(3);
    expect(rig.writesOf(agent)).toBe(1);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'setPresence timeouts (3 × no answer, 2 s client timeout)',
      recoveryMs,
      detail: 'from the call to Teams In a call (includes 3 × 2 s timeouts and backoff); one setPresence applied',
    });
  }, 90_000);

  it('getPresencesByUserId answering 503 for 6 s: a Teams change still reaches the ACD once; reconciliation degraded then ok', async () => {
    const agent = rig.agentsOf(SUBSCRIBER_TEAM)[0]!;
    const user = rig.userOf(agent);
    await rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
    rig.graph.teams(user, 'signedIn');
    await until(
      rig,
      agent,
      async () => (await rig.traceOf(agent)).some((l) => l.startsWith('acd.event') && l.includes('Available')),
      'the engine saw Available',
    );
    await settleFor(500);
    const before = acdWrites();
    // The outage lasts until reconciliation has run into it (at least 6 s), however slow the
    // machine: a fixed window could close before a loaded reconciler ever read.
    rig.graph.failRoute({ method: 'POST', path: GET_PRESENCES, status: 503 });
    const outage = stopwatch();
    rig.graph.teams(user, 'call');
    await until(
      rig,
      agent,
      () => rig.health('reconciliation')?.status === 'degraded',
      'reconciliation degraded',
      60_000,
    );
    expect(rig.health('reconciliation')?.detail).toMatch(/Teams presence read failed/);
    await settleFor(Math.max(0, 6_000 - outage.stop()));
    rig.graph.clearRouteFaults();
    const faultEnds = Date.now();
    await until(
      rig,
      agent,
      () => rig.acdOf(agent).outStateId === Number(TEAMS_CALL_CODE),
      'the ACD gets the Teams Call code',
      40_000,
    );
    const recoveryMs = Math.max(0, Date.now() - faultEnds);
    await until(rig, agent, () => rig.health('reconciliation')?.status === 'ok', 'reconciliation ok again');
    await settleFor(1_000);
    expect(acdWrites()).toBe(before + 1);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'getPresence 5xx (503 for ≥ 6 s)',
      recoveryMs,
      detail:
        'a basic notification needs a presence read: retried in place until Graph answered, one ACD write; reconciliation degraded → ok',
    });
  }, 90_000);

  it('subscription probe timing out: the subscription is kept (not recreated), health says so, ok after', async () => {
    const [id] = rig.graphSubscriptionIds();
    const agent = publishers()[2]!;
    rig.graph.failRoute({ method: 'GET', path: SUBSCRIPTION, status: 'timeout', hangMs: 5_000, count: 2 });
    await until(rig, agent, () => rig.health('subscriptions')?.status !== 'ok', 'subscriptions unhealthy', 30_000);
    const watch = stopwatch();
    await until(
      rig,
      agent,
      () => rig.graph.routeFaultHits(SUBSCRIPTION) >= 2 && rig.health('subscriptions')?.status === 'ok',
      'subscriptions ok again',
      30_000,
    );
    const recoveryMs = watch.stop();
    expect(rig.graphSubscriptionIds()).toEqual([id]);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'subscriptions route timeouts (2 × GET probe)',
      recoveryMs,
      detail:
        'subscriptions degraded while the probe timed out, the same subscription kept; from first unhealthy report to ok',
    });
  }, 60_000);

  it('a 429 storm with Retry-After on presence writes: every agent converges, one write each, Retry-After honoured', async () => {
    const agents = publishers().slice(3, 11);
    const before = new Map(agents.map((a) => [a, rig.writesOf(a)]));
    const hitsBefore = rig.graph.routeFaultHits(SET_PRESENCE);
    // Three rounds of the whole batch answering 429 with Retry-After: 2 s.
    rig.graph.failRoute({
      method: 'POST',
      path: SET_PRESENCE,
      status: 429,
      retryAfterSec: 2,
      count: agents.length * 3,
    });
    const watch = stopwatch();
    for (const a of agents) await rig.loginWithCall(a);
    await until(
      rig,
      agents[0]!,
      () =>
        rig.health('graph.presence')?.status === 'degraded' && /throttling/.test(rig.health('graph.presence')!.detail),
      'graph.presence degraded: throttled',
      30_000,
    );
    await eventuallyAll(rig, agents);
    const elapsed = watch.stop();
    await until(
      rig,
      agents[0]!,
      () => announced(rig, 'graph.presence', 'degraded') && rig.health('graph.presence')?.status === 'ok',
      'the throttling alert, then ok',
    );
    expect(rig.graph.routeFaultHits(SET_PRESENCE) - hitsBefore).toBe(agents.length * 3);
    for (const a of agents) expect(rig.writesOf(a) - before.get(a)!).toBe(1);
    // Honouring Retry-After cannot be faster than 3 waits of 2 s (the storm's own floor).
    expect(elapsed).toBeGreaterThanOrEqual(3 * 2_000);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: '429 storm with Retry-After (3 rounds × 2 s, 8 agents)',
      recoveryMs: elapsed - 3 * 2_000,
      detail: `all ${agents.length} agents In a call after ${Math.round(elapsed)} ms; recoveryMs = beyond the 6 s the Retry-After headers demanded; one setPresence each; graph.presence degraded (throttling) with an alert, then ok`,
    });
  }, 90_000);
});

async function eventuallyAll(rig: GraphFaultRig, agents: readonly string[]): Promise<void> {
  for (const a of agents)
    await until(rig, a, () => rig.teamsOf(a).activity === 'InACall', `agent ${a} In a call`, 60_000);
}
