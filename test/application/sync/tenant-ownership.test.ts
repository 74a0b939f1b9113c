import { TenantOwnership } from '../../../src/application/sync/tenant-ownership.js';
import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness, type FakeTenant } from '../fakes/engine-harness.js';

function instance(h: EngineHarness, id: string, t: FakeTenant): TenantOwnership {
  return new TenantOwnership(
    { leases: h.store.leases, tenants: h.store.tenants, engine: h.engine, portsFor: async () => t.ports, scheduler: h.time, logger: h.logger, instanceId: id },
    { leaseTtlMs: 30_000, renewEveryMs: 10_000 },
  );
}

describe('tenant ownership across instances', () => {
  it('runs a tenant on one instance only, and another takes over when the holder dies', async () => {
    const a = new EngineHarness();
    const t = await a.tenant('t1', { agents: 1, rule: rule() });
    const b = new EngineHarness({ time: a.time, store: a.store });
    const ownerA = instance(a, 'instance-a', t);
    const ownerB = instance(b, 'instance-b', t);

    await ownerA.start();
    await ownerB.start();
    expect([a.engine.isRunning('t1'), b.engine.isRunning('t1')]).toEqual([true, false]);

    // Instance A dies: it neither renews nor releases its lease.
    await a.engine.removeTenant('t1');
    await ownerA.stop();
    await a.store.leases.acquire('sync:t1', 'instance-a', 30_000);
    await a.time.advance(20_000);
    expect(b.engine.isRunning('t1')).toBe(false);
    await a.time.advance(20_000);
    expect(b.engine.isRunning('t1')).toBe(true);

    await b.engine.acceptAcdEvents([{ source: 'acd', tenantId: 't1', agentId: 'agent-1', state: acd.contact(), sourceTime: a.time.now(), eventId: 'after-takeover' }]);
    await b.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);
    await ownerB.stop();
  });

  it('hands over at once on a graceful stop (the lease is released)', async () => {
    const a = new EngineHarness();
    const t = await a.tenant('t1', { agents: 1, rule: rule() });
    const b = new EngineHarness({ time: a.time, store: a.store });
    const ownerA = instance(a, 'instance-a', t);
    const ownerB = instance(b, 'instance-b', t);
    await ownerA.start();
    await ownerB.start();

    await ownerA.stop();
    await a.time.advance(10_000);
    expect([a.engine.isRunning('t1'), b.engine.isRunning('t1')]).toEqual([false, true]);
    await ownerB.stop();
  });
});
