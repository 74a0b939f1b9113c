import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PUBLISHER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import {
  MIN,
  recordRecovery,
  settleFor,
  startGraphFaultRig,
  stopwatch,
  until,
  type GraphFaultRig,
} from './graph-fault-kit.js';

const SUITE = 'graph-session';

/**
 * Fault: setPresence succeeded, but Graph's presence session lasts only its expirationDuration
 * (we ask PT1H for a presence that does not decay, reference §2.2/§2.6). An agent on a 110-minute
 * call must stay Busy / In a call the whole time, so the product refreshes the session before it
 * lapses, 10 minutes before its end. Time is compressed: product and Graph share one movable clock,
 * moved on in 10-minute steps.
 */
describe('Graph fault: the presence session expires while the ACD state still holds', () => {
  let rig: GraphFaultRig;
  beforeAll(async () => {
    rig = await startGraphFaultRig();
  }, 90_000);
  afterAll(() => rig?.close());

  it('an agent on a long call stays Busy / In a call past the session lifetime: the session is refreshed, once per period', async () => {
    const agent = rig.agentsOf(PUBLISHER_TEAM)[2]!;
    const user = rig.userOf(agent);
    rig.graph.teams(user, 'signedIn'); // the agent's Teams client is running: a lapsed session would show Available
    const contact = await rig.loginWithCall(agent);
    await until(rig, agent, () => rig.teamsOf(agent).activity === 'InACall', 'Teams shows In a call');
    expect(rig.writesOf(agent)).toBe(1);

    const seen: string[] = [];
    let refreshMs = 0;
    for (let elapsed = 10; elapsed <= 110; elapsed += 10) {
      const before = rig.writesOf(agent);
      await rig.advance(10 * MIN);
      seen.push(`${elapsed} min: ${rig.teamsOf(agent).availability}/${rig.teamsOf(agent).activity}`);
      // Refreshes are due 50 minutes after the last write: at 50 and 100 minutes.
      if (elapsed % 50 === 0) {
        const watch = stopwatch();
        await until(rig, agent, () => rig.writesOf(agent) === before + 1, `the session refreshed at ${elapsed} min`);
        refreshMs = Math.max(refreshMs, watch.stop());
      }
    }
    expect(seen.every((s) => s.endsWith('Busy/InACall'))).toBe(true);
    // One write for the call plus one refresh per period, never more (a refresh is not a new effect).
    expect(rig.writesOf(agent)).toBe(1 + 2);
    expect(rig.writesOf(agent, 'clearPresence')).toBe(0);
    const trace = await rig.traceOf(agent);
    expect(trace.filter((l) => l.startsWith('graph.request') && l.includes('refreshed'))).toHaveLength(2);
    expect(rig.health('graph.auth')?.status ?? 'ok').toBe('ok');

    await rig.cxone(`/contacts/${contact}/end`);
    await until(rig, agent, () => rig.teamsOf(agent).activity === 'Available', 'our session cleared after the call');
    expect(rig.writesOf(agent, 'clearPresence')).toBe(1);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'setPresence session expiring (expirationDuration)',
      recoveryMs: refreshMs,
      detail:
        'no outage: 110 compressed minutes on a call stayed Busy/InACall; 2 refreshes (due 50 min after the last write of a PT1H session); recoveryMs = slowest refresh after it became due',
    });
  }, 90_000);

  it('a restart mid-call does not forget the held session: it is refreshed by the new process too', async () => {
    const agent = rig.agentsOf(PUBLISHER_TEAM)[3]!;
    rig.graph.teams(rig.userOf(agent), 'signedIn');
    const contact = await rig.loginWithCall(agent);
    await until(rig, agent, () => rig.teamsOf(agent).activity === 'InACall', 'Teams shows In a call');
    const watch = stopwatch();
    await rig.restart();
    const restartMs = watch.stop();
    const seen: string[] = [];
    for (let elapsed = 10; elapsed <= 70; elapsed += 10) {
      await rig.advance(10 * MIN);
      await settleFor(600); // a few polls of the new process
      // The adopted session is due 50 minutes after the old process wrote it: the new one refreshes it.
      if (elapsed === 50)
        await until(rig, agent, () => rig.writesOf(agent) >= 2, 'the new process refreshed the adopted session');
      seen.push(`${elapsed} min: ${rig.teamsOf(agent).availability}/${rig.teamsOf(agent).activity}`);
    }
    expect(seen).toEqual(seen.map((s) => s.replace(/: .*/, ': Busy/InACall')));
    expect(rig.writesOf(agent)).toBeGreaterThanOrEqual(2);
    await rig.cxone(`/contacts/${contact}/end`);
    await until(rig, agent, () => rig.teamsOf(agent).activity === 'Available', 'our session cleared after the call');
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'setPresence session expiring across a restart',
      recoveryMs: restartMs,
      detail:
        'restart mid-call, then 70 compressed minutes: the new process refreshed the session it had not written itself; recoveryMs = the restart',
    });
  }, 90_000);
});
