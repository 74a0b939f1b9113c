import { jest } from '@jest/globals';
import { HealthModel } from '../../../src/application/health/health-model.js';
import { SharedHealth, type TenantOwnershipView } from '../../../src/application/health/shared-health.js';
import { MemoryLogger } from '../fakes/fake-runtime.js';
import { ManualTime } from '../fakes/manual-time.js';
import { MemoryHealthSnapshotStore } from '../fakes/memory-shared-state.js';

/** Two instances of one deployment: each its own health model, one shared store. */
function deployment() {
  const time = new ManualTime();
  const snapshots = new MemoryHealthSnapshotStore();
  const leases = new Map<string, string>();
  const held = new Map<string, string>();
  const store = { down: false };
  const instance = (instanceId: string) => {
    const model = new HealthModel({ clock: time, scheduler: time }, { alertDebounceMs: 1_000 });
    const shared = new SharedHealth(
      {
        model,
        snapshots,
        ownership: async (t): Promise<TenantOwnershipView> => {
          if (store.down) throw new Error('store unreachable');
          const holder = leases.get(t);
          return { ...(holder ? { holder } : {}), here: holder === instanceId };
        },
        held: () => [...(store.down ? held : leases)].filter(([, h]) => h === instanceId).map(([t]) => t),
        instanceId,
        clock: time,
        scheduler: time,
        logger: new MemoryLogger(),
      },
      { publishEveryMs: 2_000, staleAfterMs: 10_000 },
    );
    return { model, shared };
  };
  const takeDown = () => {
    for (const [t, h] of leases) held.set(t, h);
    store.down = true;
  };
  return { time, snapshots, leases, takeDown, owner: instance('i-owner'), other: instance('i-other') };
}

const view = (h: Record<string, unknown>) => ({ ...h, ownership: undefined });

describe('Health Check shared by the instances', () => {
  it('another instance answers what the owner’s model says, within one publish period', async () => {
    const d = deployment();
    d.leases.set('t1', 'i-owner');
    d.owner.model.setSyncActive('t1', true, 'sync running');
    d.owner.model.reporter('t1').report('acd.connection', 'down', 'CXone unreachable');
    d.owner.shared.start();
    await d.time.advance(2_000);
    const fromOwner = await d.owner.shared.answer('t1');
    const fromOther = await d.other.shared.answer('t1');
    expect(view(fromOther)).toEqual(view(fromOwner));
    expect(fromOther).toMatchObject({
      status: 'down',
      syncActive: true,
      syncDetail: 'sync running (instance i-owner)',
      ownership: { holder: 'i-owner', here: false },
    });
    d.owner.shared.stop();
  });

  it('writes the snapshot when what it says changed; in between the heartbeat alone keeps it fresh', async () => {
    const d = deployment();
    d.leases.set('t1', 'i-owner');
    d.owner.model.setSyncActive('t1', true, 'sync running');
    const store = d.owner.model.reporter('t1');
    store.success('store', 'reachable');
    const put = jest.spyOn(d.snapshots, 'put');
    const touch = jest.spyOn(d.snapshots, 'touch');
    d.owner.shared.start();
    // 20 s unchanged (twice the stale bound) but for the store's success time, which moves every second.
    for (let s = 0; s < 20; s += 1) {
      store.success('store', 'reachable');
      await d.time.advance(1_000);
    }
    expect(put).toHaveBeenCalledTimes(1);
    expect(touch.mock.calls.length).toBeGreaterThanOrEqual(9);
    expect(await d.other.shared.answer('t1')).toMatchObject({ status: 'ok', syncActive: true });

    // A change is written at the next publish.
    store.report('store', 'down', 'unreachable');
    await d.time.advance(2_000);
    expect(put).toHaveBeenCalledTimes(2);
    expect((await d.other.shared.answer('t1')).components).toEqual([
      expect.objectContaining({ component: 'store', status: 'down', detail: 'unreachable' }),
    ]);

    // The success times and volumes still reach the others, once per rewriteMovingEveryMs (30 s).
    store.success('store', 'reachable');
    await d.time.advance(2_000);
    const written = put.mock.calls.length;
    for (let s = 0; s < 32; s += 1) {
      store.success('store', 'reachable');
      await d.time.advance(1_000);
    }
    expect(put.mock.calls.length).toBe(written + 1);

    // The owner hangs: its heartbeat stops, and 10 s later every other instance says the sync stopped.
    d.owner.shared.stop();
    await d.time.advance(10_001);
    expect(await d.other.shared.answer('t1')).toMatchObject({ status: 'down', syncActive: false });
  });

  it('says down and stopped when nobody holds the tenant, never "ok"', async () => {
    const d = deployment();
    const h = await d.other.shared.answer('t1');
    expect(h).toMatchObject({ status: 'down', syncActive: false });
    expect(h.components).toEqual([expect.objectContaining({ component: 'sync', status: 'down' })]);
  });

  it('says down when the holder stopped writing its snapshot (hung), with when it last did', async () => {
    const d = deployment();
    d.leases.set('t1', 'i-owner');
    d.owner.model.setSyncActive('t1', true, 'sync running');
    await d.owner.shared.publish();
    await d.time.advance(10_001);
    const h = await d.other.shared.answer('t1');
    expect(h).toMatchObject({ status: 'down', syncActive: false });
    expect(h.syncDetail).toContain('instance i-owner holds this tenant');
    expect(h.syncDetail).toContain('has not reported its health since');
  });

  it('ignores a snapshot written by an instance that no longer holds the tenant', async () => {
    const d = deployment();
    d.leases.set('t1', 'i-owner');
    d.owner.model.setSyncActive('t1', true, 'sync running');
    await d.owner.shared.publish();
    d.leases.set('t1', 'i-new');
    expect(await d.other.shared.answer('t1')).toMatchObject({ status: 'down', syncActive: false });
  });

  it("never answers a tenant with another tenant's health (attacker: admin of t2)", async () => {
    const d = deployment();
    d.leases.set('t1', 'i-owner');
    d.leases.set('t2', 'i-owner');
    d.owner.model.setSyncActive('t1', true, 'sync running');
    d.owner.model.reporter('t1').report('owner:secret-owner', 'down', 'owner of tenant one revoked');
    await d.owner.shared.publish();
    for (const answer of [await d.other.shared.answer('t2'), await d.owner.shared.answer('t2')]) {
      expect(answer['tenantId']).toBe('t2');
      expect(JSON.stringify(answer)).not.toContain('secret-owner');
    }
  });
});

describe('Health Check while the store is down', () => {
  it('the holder still answers from its own model, the store down in it; the others cannot answer', async () => {
    const d = deployment();
    d.leases.set('t1', 'i-owner');
    d.owner.model.setSyncActive('t1', true, 'sync running');
    d.owner.model.reporter('t1').report('store', 'down', 'the database cannot be reached');
    d.takeDown();
    expect(await d.owner.shared.answer('t1')).toMatchObject({
      status: 'down',
      syncActive: true,
      components: [expect.objectContaining({ component: 'store', status: 'down' })],
      ownership: { holder: 'i-owner', here: true },
    });
    await expect(d.other.shared.answer('t1')).rejects.toThrow('store unreachable');
  });
});
