import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE, TEAMS_DND_CODE } from '../../../src/sandbox/sandbox-world.js';
import {
  announced,
  MIN,
  recordRecovery,
  startGraphFaultRig,
  stopwatch,
  until,
  type GraphFaultRig,
} from './graph-fault-kit.js';

const SUITE = 'graph-subscriptions';
const SUBS_ITEM = String.raw`^/v1\.0/subscriptions/[^/]+$`;
const SUBS_CREATE = String.raw`^/v1\.0/subscriptions$`;

/**
 * Subscription faults. Reconciliation (which also re-ensures subscriptions) runs every 2 s of
 * real time here instead of every 5 min; hours of emulator time are compressed by moving the one
 * clock the product and Graph share (and CXone's by as much).
 */
describe('Graph faults: presence subscriptions', () => {
  let rig: GraphFaultRig;
  let agents: string[];
  const acdWrites = (): number => rig.world.cxone.stats.get('POST /agents/{id}/state') ?? 0;
  const subscriptionHops = async (agent: string): Promise<string[]> =>
    (await rig.traceOf(agent)).filter((l) => l.startsWith('subscription '));
  /** A Teams change of a subscriber agent reaches the ACD exactly once. */
  const teamsChangeReachesAcd = async (
    agent: string,
    change: () => void,
    code: string,
    what: string,
  ): Promise<void> => {
    const before = acdWrites();
    change();
    await until(rig, agent, () => rig.acdOf(agent).outStateId === Number(code), what);
    await until(
      rig,
      agent,
      async () => (await rig.traceOf(agent)).some((l) => l.startsWith('acd.response')),
      'the ACD write answered',
    );
    expect(acdWrites()).toBe(before + 1);
  };
  const backToAvailable = async (agent: string): Promise<void> => {
    rig.graph.manualStatus(rig.userOf(agent), undefined);
    rig.graph.teams(rig.userOf(agent), 'signedIn');
    await until(rig, agent, () => rig.acdOf(agent).state === 'Available', 'ACD Available again');
  };

  beforeAll(async () => {
    rig = await startGraphFaultRig();
    agents = rig.agentsOf(SUBSCRIBER_TEAM).slice(0, 4);
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
  }, 90_000);
  afterAll(() => rig?.close());

  it('subscription silently removed: recreated at the next reconciliation, notifications flow again, a subscription hop in the trace', async () => {
    const agent = agents[0]!;
    const [old] = rig.graphSubscriptionIds();
    const watch = stopwatch();
    expect(rig.graph.dropSubscription(old!)).toBe(true);
    await until(
      rig,
      agent,
      () => rig.graphSubscriptionIds().length === 1 && rig.graphSubscriptionIds()[0] !== old,
      'a new subscription at Graph',
    );
    await rig.whenSubscribed();
    const recoveryMs = watch.stop();
    expect((await subscriptionHops(agent)).some((l) => l.includes(`Graph no longer knew ${old}`))).toBe(true);
    expect(rig.health('subscriptions')?.status).toBe('ok');
    await teamsChangeReachesAcd(
      agent,
      () => rig.graph.teams(rig.userOf(agent), 'call'),
      TEAMS_CALL_CODE,
      'the Teams call reaches the ACD',
    );
    expect((await rig.traceOf(agent)).some((l) => l.startsWith('teams.notification'))).toBe(true);
    await backToAvailable(agent);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'subscription silently removed',
      recoveryMs,
      detail:
        'drop → new subscription stored and known to Graph (reconcile period compressed to 2 s; production 5 min); a Teams call then reached the ACD with one write',
    });
  }, 60_000);

  it('reauthorizationRequired: renewed in place on the lifecycle event; the change held meanwhile arrives once', async () => {
    const agent = agents[1]!;
    const [id] = rig.graphSubscriptionIds();
    const expiresBefore = rig.graph.subscriptions()[0]!.expiresAt;
    await rig.advance(MIN); // the renewal must move the expiry visibly
    const watch = stopwatch();
    rig.graph.requireReauthorization(id!);
    await teamsChangeReachesAcd(
      agent,
      () => rig.graph.manualStatus(rig.userOf(agent), { availability: 'DoNotDisturb', activity: 'DoNotDisturb' }),
      TEAMS_DND_CODE,
      'DND reaches the ACD',
    );
    const recoveryMs = watch.stop();
    expect(rig.graphSubscriptionIds()).toEqual([id]);
    expect(rig.graph.subscriptions()[0]!.expiresAt).toBeGreaterThan(expiresBefore);
    expect(rig.graph.subscriptions()[0]!.reauthPendingFor).toBeUndefined();
    await backToAvailable(agent);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'reauthorizationRequired lifecycle event',
      recoveryMs,
      detail:
        'lifecycle event → PATCH renewal (same subscription, later expiry) → the DND set meanwhile reached the ACD once',
    });
  }, 60_000);

  it('renewal failing for an hour: the subscription is kept, health degrades, reconciliation carries Teams changes, and it is recreated after', async () => {
    const agent = agents[2]!;
    const [id] = rig.graphSubscriptionIds();
    const start = rig.clock.now();
    // Graph's subscription service fails every renewal and creation for an hour (compressed).
    rig.graph.failRoute({ method: 'PATCH', path: SUBS_ITEM, status: 503, untilMs: start + 60 * MIN });
    rig.graph.failRoute({ method: 'POST', path: SUBS_CREATE, status: 503, untilMs: start + 60 * MIN });
    await rig.advance(40 * MIN); // renewal is due (less than 20 of its 55 minutes left)
    await until(
      rig,
      agent,
      () => rig.health('subscriptions')?.status !== 'ok',
      'subscriptions reported unhealthy',
      20_000,
    );
    expect(rig.health('subscriptions')?.detail).toMatch(/503|ServiceUnavailable/);
    // The failed renewal did not throw the working subscription away.
    expect(rig.graphSubscriptionIds()).toEqual([id]);
    await until(
      rig,
      agent,
      () => announced(rig, 'subscriptions', rig.health('subscriptions')!.status),
      'the alert transition announced',
    );
    await rig.advance(16 * MIN); // now it has expired: no notifications at all
    await until(rig, agent, () => rig.graphSubscriptionIds().length === 0, 'the subscription expired at Graph');
    // Nothing is lost: reconciliation reads Teams presence and carries the change to the ACD.
    await teamsChangeReachesAcd(
      agent,
      () => rig.graph.teams(rig.userOf(agent), 'call'),
      TEAMS_CALL_CODE,
      'the Teams call reaches the ACD by reconciliation',
    );
    expect(
      (await rig.traceOf(agent)).some((l) => l.startsWith('reconcile.correction') && l.includes('Busy/InACall')),
    ).toBe(true);
    expect(rig.graph.routeFaultHits(SUBS_ITEM) + rig.graph.routeFaultHits(SUBS_CREATE)).toBeGreaterThan(0);
    await rig.advance(5 * MIN); // the hour is over
    const watch = stopwatch();
    await until(
      rig,
      agent,
      () => rig.health('subscriptions')?.status === 'ok' && rig.graphSubscriptionIds().length === 1,
      'subscription recreated, health ok',
      30_000,
    );
    await rig.whenSubscribed();
    const recoveryMs = watch.stop();
    // The expired one left the store when its replacement was first attempted, so the new one reads "created".
    const [fresh] = rig.graphSubscriptionIds();
    expect((await subscriptionHops(agent)).some((l) => l.includes(`Subscription ${fresh} `))).toBe(true);
    await until(rig, agent, () => announced(rig, 'subscriptions', 'ok'), 'the recovery transition announced');
    await backToAvailable(agent);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: 'subscription renewal failing for an hour',
      recoveryMs,
      detail:
        'PATCH+POST /subscriptions 503 for 60 compressed min: subscription kept until expiry, health degraded/down, Teams call carried by reconciliation (one ACD write); from fault end to a new subscription',
    });
  }, 90_000);

  it("a subscription owner's refresh token revoked: the owner goes down with an alert; Teams changes still arrive by reconciliation; a new sign-in restores it", async () => {
    const agent = agents[3]!;
    const ownerId = rig.world.owner.id;
    rig.graph.revokeUser(ownerId);
    // The owner's access token lives on for up to an hour; its refresh then fails (and the subscription expires).
    await rig.advance(61 * MIN);
    await until(rig, agent, () => rig.health(`owner:${ownerId}`)?.status === 'down', 'the owner reported down', 30_000);
    expect(rig.health(`owner:${ownerId}`)?.detail).toMatch(/invalid_grant|revoked|50173/i);
    await until(rig, agent, () => announced(rig, `owner:${ownerId}`, 'down'), 'the owner alert transition');
    await teamsChangeReachesAcd(
      agent,
      () => rig.graph.teams(rig.userOf(agent), 'call'),
      TEAMS_CALL_CODE,
      'the Teams call reaches the ACD by reconciliation',
    );
    // The admin signs the owner in again (the tab's owner sign-in stores a fresh refresh token).
    const watch = stopwatch();
    const adapters = rig.app.runtime.adapters.get(rig.tenantId)!;
    await adapters.subscriptions.tokens.connectWithRefreshToken(ownerId, await ownerRefreshToken(rig));
    await until(
      rig,
      agent,
      () => rig.health(`owner:${ownerId}`)?.status === 'ok' && rig.health('subscriptions')?.status === 'ok',
      'owner and subscriptions ok',
      30_000,
    );
    await rig.whenSubscribed();
    const recoveryMs = watch.stop();
    await until(rig, agent, () => announced(rig, `owner:${ownerId}`, 'ok'), 'the owner recovery transition');
    await backToAvailable(agent);
    recordRecovery(SUITE, {
      area: 'graph',
      fault: "subscription owner's refresh token revoked",
      recoveryMs,
      detail:
        'revoked + 61 compressed min: owner down (invalid_grant) with alert, Teams changes via reconciliation; from the new sign-in to owner ok + subscription back',
    });
  }, 90_000);
});

/** What the admin's new sign-in of the owner yields: a fresh refresh token from (emulated) Entra. */
async function ownerRefreshToken(rig: GraphFaultRig): Promise<string> {
  const { Agent, fetch } = await import('undici');
  const app = rig.world.entra.apps[0]!;
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    username: rig.world.owner.userPrincipalName,
    password: rig.world.owner.password,
    scope: 'https://graph.microsoft.com/Presence.Read.All offline_access',
  });
  const dispatcher = new Agent({ connect: { ca: rig.world.graph.caCertPem } });
  try {
    const res = await fetch(`${rig.world.graph.authorityUrl}/${rig.world.entra.id}/oauth2/v2.0/token`, {
      method: 'POST',
      body: form,
      dispatcher,
    });
    return ((await res.json()) as { refresh_token: string }).refresh_token;
  } finally {
    await dispatcher.close();
  }
}
