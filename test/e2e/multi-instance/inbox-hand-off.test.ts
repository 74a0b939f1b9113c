import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness } from '../../application/fakes/engine-harness.js';
import { flushPromises } from '../../application/fakes/manual-time.js';

/**
 * Inbox hand-off between instances without a notification channel: an event accepted by an
 * instance that does not run the tenant is stored in the shared inbox, and the owner picks it up
 * at its next inbox poll — so it waits at most one poll period (why the store has no LISTEN/NOTIFY).
 * Two engines over one store and one manual clock stand for two instances over one database.
 */
describe('inbox hand-off between instances', () => {
  const POLL_MS = 1_000;

  it('an event accepted on a non-owner instance is processed by the owner within one poll period', async () => {
    const owner = new EngineHarness({ engine: { pollIntervalMs: POLL_MS } });
    const t = await owner.tenant('t1', { agents: 1, rule: rule() });
    const other = new EngineHarness({ time: owner.time, store: owner.store, engine: { pollIntervalMs: POLL_MS } });
    await owner.start(t);
    expect(other.engine.isRunning('t1')).toBe(false);

    // The owner's poll timer is mid-period when the other instance stores the event.
    await owner.time.advance(POLL_MS / 2);
    await other.engine.acceptAcdEvents([
      {
        source: 'acd',
        tenantId: 't1',
        agentId: 'agent-1',
        state: acd.contact(),
        sourceTime: owner.time.now(),
        eventId: 'accepted-elsewhere',
      },
    ]);
    expect(await owner.store.inbox.depth('t1')).toBe(1);
    expect(t.graph.shown('aad-1')).not.toEqual(P.inACall);

    // No time beyond the end of the period: the poll that falls due there does the work.
    await owner.time.advance(POLL_MS / 2);
    await flushPromises(50);
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);
    await owner.settle();
    expect(await owner.store.inbox.depth('t1')).toBe(0);
    // The instance that accepted it never ran the tenant.
    expect(other.engine.isRunning('t1')).toBe(false);
    await owner.engine.stop();
  });
});
