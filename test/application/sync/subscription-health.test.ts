import { err } from '../../../src/domain/result.js';
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
