import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, fetch } from 'undici';
import { SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE } from '../../../src/sandbox/sandbox-world.js';
import { MIN, recordRecovery, startGraphFaultRig, stopwatch, until, type GraphFaultRig } from './graph-fault-kit.js';

const SUITE = 'graph-subscription-drop';

/**
 * Graph removes a presence subscription without any notice (no lifecycle event exists for that on
 * presence). With reconciliation at its production period (5 min) and production alert settings
 * (60 s debounce, 5 s card batching), the subscription check (SUBSCRIPTION_CHECK_MS, default 30 s)
 * must notice it, tell the Health Check and the admins' bot conversation within 60 s, and recreate it.
 */
describe('Graph faults: a presence subscription removed without notice', () => {
  let rig: GraphFaultRig;
  let agent: string;
  let tls: Agent;

  beforeAll(async () => {
    rig = await startGraphFaultRig({
      reconcileIntervalMs: 5 * MIN,
      // Pacing between cards stays off (0): it spaces cards out, it does not detect anything.
      env: { HEALTH_ALERT_DEBOUNCE_MS: '60000', BOT_ALERT_BATCH_MS: '5000' },
    });
    tls = new Agent({ connect: { ca: rig.world.graph.caCertPem } });
    agent = rig.agentsOf(SUBSCRIBER_TEAM)[0]!;
    await rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
    rig.graph.teams(rig.userOf(agent), 'signedIn');
    await rig.whenSubscribed();
  }, 90_000);
  afterAll(async () => {
    await tls?.close();
    await rig?.close();
  });

  it('dropped → Health Check and bot alert within 60 s (with what to do) → recreated → healthy, and Teams changes flow again', async () => {
    const [old] = rig.graphSubscriptionIds();
    const cardsBefore = rig.alerts().length;
    // The emulator's fault route, as a test or a person at the sandbox would use it.
    const drop = await fetch(`${rig.world.graph.url}/_control/subscriptions/${old}/drop`, {
      method: 'POST',
      dispatcher: tls,
    });
    expect(drop.status).toBe(204);
    const watch = stopwatch();

    const card = await until(
      rig,
      agent,
      () =>
        rig
          .alerts()
          .slice(cardsBefore)
          .find((a) => a.text.includes('(subscriptions)') && a.text.includes('ok → down')),
      'the bot alert card',
      60_000,
    );
    const alertMs = watch.stop();
    expect(alertMs).toBeLessThan(60_000);
    expect(card!.text).toContain(`Graph removed ${old} without notice`);
    expect(card!.text).toMatch(/What to do: .*recreated within a minute/);
    // The Health Check told it too, and now shows the subscription recreated and healthy.
    expect(rig.transitions.some((t) => t.component === 'subscriptions' && t.to === 'down')).toBe(true);
    await until(rig, agent, () => rig.health('subscriptions')?.status === 'ok', 'subscriptions healthy again');
    const [fresh] = rig.graphSubscriptionIds();
    expect(fresh).not.toBe(old);
    expect(rig.health('subscriptions')?.detail).toContain(`${fresh} recreated: Graph no longer knew ${old}`);
    await rig.whenSubscribed();
    const trace = await rig.traceOf(agent);
    expect(trace.some((l) => l.startsWith(`subscription Subscription ${old} is gone`))).toBe(true);

    // Notifications flow again: a Teams call reaches the ACD without waiting for a reconciliation.
    rig.graph.teams(rig.userOf(agent), 'call');
    await until(
      rig,
      agent,
      () => rig.acdOf(agent).outStateId === Number(TEAMS_CALL_CODE),
      'the call reached CXone',
      20_000,
    );
    expect((await rig.traceOf(agent)).some((l) => l.startsWith('teams.notification'))).toBe(true);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'subscription removed without notice, production timings',
      recoveryMs: alertMs,
      detail:
        'drop (POST /_control/subscriptions/{id}/drop) → bot alert card "ok → down" with what to do; check every 30 s, reconcile 5 min, debounce 60 s, batch 5 s',
    });
  }, 120_000);
});
