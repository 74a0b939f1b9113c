import { LifecycleRelay, type LifecycleHandler } from '../../../src/application/sync/lifecycle-relay.js';
import { MemoryLogger } from '../fakes/fake-runtime.js';
import { ManualTime } from '../fakes/manual-time.js';
import { MemoryLifecycleEventStore } from '../fakes/memory-shared-state.js';

/** Two instances on one store: the owner of t1 and another. */
function rig() {
  const time = new ManualTime();
  const events = new MemoryLifecycleEventStore();
  const acted: string[] = [];
  const handler: LifecycleHandler = async (id, event) => void acted.push(`${id} ${event}`);
  const relay = (owns: readonly string[]) =>
    new LifecycleRelay(
      {
        events,
        handlerFor: (t) => (owns.includes(t) ? handler : undefined),
        running: () => owns,
        clock: time,
        scheduler: time,
        logger: new MemoryLogger(),
      },
      { pollMs: 1_000, keepHandledMs: 60_000 },
    );
  return { time, events, acted, owner: relay(['t1']), other: relay([]) };
}

describe('Graph lifecycle events on any instance', () => {
  it('an event received by another instance is acted on by the owner within its poll period, once', async () => {
    const r = rig();
    r.owner.start();
    await r.other.accept([{ tenantId: 't1', subscriptionId: 's1', event: 'reauthorizationRequired' }]);
    expect(r.acted).toEqual([]);
    await r.time.advance(1_000);
    expect(r.acted).toEqual(['s1 reauthorizationRequired']);
    await r.time.advance(5_000);
    expect(r.acted).toEqual(['s1 reauthorizationRequired']);
    r.owner.stop();
  });

  it('an event received by the owner is acted on at once', async () => {
    const r = rig();
    await r.owner.accept([{ tenantId: 't1', subscriptionId: 's2', event: 'subscriptionRemoved' }]);
    await r.time.advance(0);
    expect(r.acted).toEqual(['s2 subscriptionRemoved']);
  });

  it('an event of a tenant the instance does not own is only stored, never acted on there', async () => {
    const r = rig();
    await r.owner.accept([{ tenantId: 't9', subscriptionId: 's3', event: 'missed' }]);
    r.owner.start();
    await r.time.advance(3_000);
    expect(r.acted).toEqual([]);
    expect(await r.events.pending('t9', 10)).toHaveLength(1);
  });

  it('an event that cannot be stored fails the call (Graph then redelivers it)', async () => {
    const r = rig();
    r.events.add = async () => {
      throw new Error('store down');
    };
    await expect(r.other.accept([{ tenantId: 't1', subscriptionId: 's1', event: 'missed' }])).rejects.toThrow();
  });
});
