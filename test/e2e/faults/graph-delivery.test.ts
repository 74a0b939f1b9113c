import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE, TEAMS_DND_CODE } from '../../../src/sandbox/sandbox-world.js';
import {
  MIN,
  recordRecovery,
  settleFor,
  startGraphFaultRig,
  stopwatch,
  until,
  type GraphFaultRig,
} from './graph-fault-kit.js';

const SUITE = 'graph-delivery';

/**
 * Notifications delivered twice, out of order and minutes late, with both kinds of subscription:
 * basic notifications (GRAPH_RICH_NOTIFICATIONS=off: each makes the engine read the presence, so a
 * duplicate or a stale one reads the current presence and changes nothing) and rich ones (the
 * default: the presence travels in the notification; a duplicate or an older version is dropped
 * by the domain's ordering). Lateness is compressed on the shared clock; reconciliation runs every
 * 2 s instead of 5 min. None of these is an outage the product can see (Graph gives no sign of a
 * late or repeated delivery), so the Health Check stays ok: what shows it is the Log Reader (each
 * delivery is a teams.notification hop).
 */
describe.each(['off', 'on'] as const)('Graph faults: notification delivery (rich notifications %s)', (rich) => {
  const mode = rich === 'on' ? ', rich notifications' : ', basic notifications';
  let rig: GraphFaultRig;
  let agents: string[];
  const acdWrites = (): number => rig.world.cxone.stats.get('POST /agents/{id}/state') ?? 0;
  const notifications = async (agent: string): Promise<number> =>
    (await rig.traceOf(agent)).filter((l) => l.startsWith('teams.notification')).length;
  const reset = async (agent: string): Promise<void> => {
    rig.graph.manualStatus(rig.userOf(agent), undefined);
    rig.graph.teams(rig.userOf(agent), 'signedIn');
    await until(rig, agent, () => rig.acdOf(agent).state === 'Available', 'ACD Available again');
    await rig.whenQuiet();
  };

  beforeAll(async () => {
    rig = await startGraphFaultRig({ env: { GRAPH_RICH_NOTIFICATIONS: rich } });
    agents = rig.agentsOf(SUBSCRIBER_TEAM).slice(0, 3);
    for (const a of agents) {
      await rig.cxone(`/agents/${a}/login`, { state: 'Available' });
      rig.graph.teams(rig.userOf(a), 'signedIn');
    }
    await rig.whenSubscribed();
    for (const a of agents)
      await until(
        rig,
        a,
        async () => (await rig.traceOf(a)).some((l) => l.startsWith('acd.event') && l.includes('Available')),
        'the engine saw Available',
      );
    await rig.whenQuiet();
  }, 90_000);
  afterAll(() => rig?.close());

  it('a notification delivered twice: both are taken in, the ACD is written once', async () => {
    const agent = agents[0]!;
    const [writes, seen] = [acdWrites(), await notifications(agent)];
    rig.graph.deliveryModes.duplicateNext = 1;
    const watch = stopwatch();
    rig.graph.teams(rig.userOf(agent), 'call');
    await until(
      rig,
      agent,
      () => rig.acdOf(agent).outStateId === Number(TEAMS_CALL_CODE),
      'the ACD gets the Teams Call code',
    );
    const recoveryMs = watch.stop();
    await until(rig, agent, async () => (await notifications(agent)) >= seen + 2, 'both deliveries in the Log Reader');
    await settleFor(1_000);
    expect(acdWrites()).toBe(writes + 1);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: `notification delivered twice${mode}`,
      recoveryMs,
      detail: 'two deliveries of one change, both traced; the second decides nothing: one ACD write',
    });
    await reset(agent);
  }, 60_000);

  it('notifications out of order: the older change arrives last and does not undo the newer one', async () => {
    const agent = agents[1]!;
    const user = rig.userOf(agent);
    const [writes, seen] = [acdWrites(), await notifications(agent)];
    rig.graph.deliveryModes.reorderNext = 2;
    rig.graph.teams(user, 'call'); // older: In a call
    await rig.graph.settle();
    rig.graph.manualStatus(user, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' }); // newer: Do not disturb
    const watch = stopwatch();
    await rig.graph.settle();
    await until(
      rig,
      agent,
      () => rig.acdOf(agent).outStateId === Number(TEAMS_DND_CODE),
      'the ACD gets the Teams DND code',
    );
    const recoveryMs = watch.stop();
    await until(
      rig,
      agent,
      async () => (await notifications(agent)) >= seen + 2,
      'both reordered deliveries in the Log Reader',
    );
    await settleFor(1_500);
    // Converged on the newest Teams state; the late "call" notification changed nothing.
    expect(rig.acdOf(agent).outStateId).toBe(Number(TEAMS_DND_CODE));
    // One write (DND), or two when a reconciliation read Teams between the two changes (call, then DND).
    expect(acdWrites() - writes).toBeLessThanOrEqual(2);
    expect(acdWrites() - writes).toBeGreaterThanOrEqual(1);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: `notifications out of order${mode}`,
      recoveryMs,
      detail: 'call then DND delivered DND first; the ACD ends on Teams DND, the stale call notification is a no-op',
    });
    await reset(agent);
  }, 60_000);

  it('notifications minutes late: reconciliation carries the changes in time; the late ones change nothing', async () => {
    const agent = agents[2]!;
    const user = rig.userOf(agent);
    const writes = acdWrites();
    const seen = await notifications(agent);
    rig.graph.deliveryModes.delayMs = 3 * MIN;
    const watch = stopwatch();
    rig.graph.teams(user, 'call');
    await until(
      rig,
      agent,
      () => rig.acdOf(agent).outStateId === Number(TEAMS_CALL_CODE),
      'the ACD gets the Teams Call code by reconciliation',
    );
    const recoveryMs = watch.stop();
    rig.graph.teams(user, 'signedIn');
    await until(rig, agent, () => rig.acdOf(agent).state === 'Available', 'the ACD Available again by reconciliation');
    const trace = await rig.traceOf(agent);
    expect(trace.filter((l) => l.startsWith('reconcile.correction')).length).toBeGreaterThanOrEqual(2);
    expect(await notifications(agent)).toBe(seen);
    rig.graph.deliveryModes.delayMs = 0;
    await rig.advance(3 * MIN);
    await until(rig, agent, async () => (await notifications(agent)) >= seen + 2, 'the late notifications arrive');
    await settleFor(1_500);
    expect(rig.acdOf(agent).state).toBe('Available');
    expect(acdWrites()).toBe(writes + 2);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: `notifications late (3 min)${mode}`,
      recoveryMs,
      detail:
        'reconciliation (2 s here, 5 min in production) set the Teams Call code and cleared it; the two notifications 3 compressed minutes late wrote nothing: 2 ACD writes in all',
    });
  }, 60_000);
});
