import type { HealthTransition } from '../../../src/application/health/health-model.js';
import type { SubscriptionStatus } from '../../../src/application/ports.js';
import { err, ok } from '../../../src/domain/result.js';
import { rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

describe('reconciliation: subscription health', () => {
  it('names the subscription owner whose sign-in broke even when it was the only owner (ensure failed as a whole)', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    const broken = {
      ownerId: 'owner-1',
      subscriptionId: 'sub-1',
      userCount: 2,
      expiresAt: 0,
      healthy: false,
      detail: 'invalid_grant: AADSTS50173 the grant was revoked',
    };
    Object.assign(t.ports.subscriptions, {
      ensure: async () =>
        err({
          system: 'graph' as const,
          status: 0,
          code: 'SUBSCRIPTIONS_FAILED',
          message: broken.detail,
          transient: true,
        }),
      status: async () => [broken],
    });
    await h.start(t);

    const components = h.health.components('t1');
    expect(components.find((c) => c.component === 'subscriptions')).toMatchObject({ status: 'down' });
    expect(components.find((c) => c.component === 'owner:owner-1')).toMatchObject({
      status: 'down',
      detail: expect.stringContaining('AADSTS50173'),
    });
  });
});

describe('a presence subscription Graph refused', () => {
  it('is planned again after 5 s, then 10 s… (not at the next reconciliation period), and no more once Graph keeps it', async () => {
    const h = new EngineHarness({ engine: { reconcileIntervalMs: 5 * 60_000, subscriptionCheckIntervalMs: 30_000 } });
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    // Graph answers 400 while its validation request cannot reach the product (an instance not yet
    // behind the balancer), then creates the subscription.
    const keep = t.graph.ensure.bind(t.graph);
    let refusals = 2;
    const attempts: number[] = [];
    Object.assign(t.ports.subscriptions, {
      ensure: async (userIds: readonly string[]) => {
        attempts.push(h.time.now());
        if (refusals-- <= 0) return keep(userIds);
        const refused: SubscriptionStatus = {
          ownerId: 'owner-1',
          subscriptionId: '',
          userCount: userIds.length,
          expiresAt: 0,
          healthy: false,
          detail:
            'ValidationError: Subscription validation request failed. Notification endpoint must respond with 200 OK.',
        };
        return ok([refused]);
      },
    });
    const started = h.time.now();
    await h.start(t);
    expect(h.health.components('t1').find((c) => c.component === 'subscriptions')).toMatchObject({
      status: 'degraded',
      detail: expect.stringContaining('ValidationError'),
    });

    for (let i = 0; i < 30; i += 1) {
      await h.time.advance(1_000);
      await h.settle();
    }
    expect(attempts.map((at) => at - started)).toEqual([0, 5_000, 15_000]);
    expect(t.graph.covered).toEqual(new Set(['aad-1', 'aad-2']));
    expect(h.health.components('t1').find((c) => c.component === 'subscriptions')?.status).toBe('ok');

    await h.time.advance(4 * 60_000);
    await h.settle();
    expect(attempts).toHaveLength(3);
  });
});

describe('a presence subscription Graph removed without notice', () => {
  const start = async () => {
    // Reconciliation at its production period: only the subscription check can notice the drop in time.
    const h = new EngineHarness({
      engine: { reconcileIntervalMs: 5 * 60_000, subscriptionCheckIntervalMs: 30_000 },
      alertDebounceMs: 60_000,
    });
    const t = await h.tenant('t1', { agents: 3, rule: rule() });
    await h.start(t);
    const transitions: HealthTransition[] = [];
    h.health.onTransition((x) => transitions.push(x));
    return { h, t, transitions };
  };

  it('is noticed by the next check, alerted at once (not after the debounce), recreated, and its users told in the Log Reader', async () => {
    const { h, t, transitions } = await start();
    const droppedAt = h.time.now();
    t.graph.dropSubscriptions();
    const ensuresBefore = t.graph.ensureCalls.length;

    await h.time.advance(30_000);
    await h.settle();
    await h.trace.flush();

    expect(transitions).toEqual([
      expect.objectContaining({
        component: 'subscriptions',
        from: 'ok',
        to: 'down',
        detail: expect.stringMatching(/Graph removed sub-1 without notice.*3 users were not notified/),
        since: droppedAt + 30_000,
        at: droppedAt + 30_000,
      }),
    ]);
    // Recreated by a reconciliation run right away, which also reads back what Teams showed meanwhile.
    expect(t.graph.ensureCalls.length).toBe(ensuresBefore + 1);
    expect(t.graph.covered).toEqual(new Set(['aad-1', 'aad-2', 'aad-3']));
    expect(h.health.components('t1').find((c) => c.component === 'subscriptions')?.status).toBe('ok');
    for (const agent of ['agent-1', 'agent-2', 'agent-3'])
      expect(
        h.traces('t1', agent).some((e) => e.hop === 'subscription' && /removed it without notice/.test(e.summary)),
      ).toBe(true);
    // The recovery is debounced as any other.
    await h.time.advance(60_000);
    await h.settle();
    expect(transitions.map((x) => `${x.from}→${x.to}`)).toEqual(['ok→down', 'down→ok']);
  });

  it('costs one subscription read per check and nothing else while the subscription is there', async () => {
    const { h, t, transitions } = await start();
    const ensures = t.graph.ensureCalls.length;
    const checks = t.graph.dropChecks;
    await h.time.advance(4 * 60_000);
    await h.settle();
    expect(t.graph.dropChecks - checks).toBe(8);
    expect(t.graph.ensureCalls.length).toBe(ensures);
    expect(transitions).toEqual([]);
  });
});

describe('presence subscriptions after a configuration change', () => {
  it('cover the linked users within seconds of a change (links, rules, sync switched on), not at the next reconciliation period', async () => {
    const h = new EngineHarness({
      engine: { reconcileIntervalMs: 5 * 60_000, subscriptionCheckIntervalMs: 5 * 60_000 },
    });
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    await h.start(t);
    const before = t.graph.ensureCalls.length;

    // Auto-match links one agent after another: the changes share one run.
    await h.engine.reevaluate('t1', ['agent-1']);
    await h.engine.reevaluate('t1', ['agent-2']);
    await h.time.advance(1_999);
    expect(t.graph.ensureCalls.length).toBe(before);
    await h.time.advance(1);
    await h.settle();

    expect(t.graph.ensureCalls.length).toBe(before + 1);
    expect(t.graph.ensureCalls.at(-1)).toEqual(expect.arrayContaining(['aad-1', 'aad-2']));
  });
});
