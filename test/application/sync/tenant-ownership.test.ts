import { announceTakeover } from '../../../src/application/sync/takeover-trace.js';
import { TenantOwnership } from '../../../src/application/sync/tenant-ownership.js';
import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness, type FakeTenant } from '../fakes/engine-harness.js';
import { FakeAcd } from '../fakes/fake-acd.js';

function instance(h: EngineHarness, id: string, t: FakeTenant): TenantOwnership {
  return new TenantOwnership(
    {
      leases: h.store.leases,
      tenants: h.store.tenants,
      signals: h.store.tenantSignals,
      engine: h.engine,
      portsFor: async () => t.ports,
      scheduler: h.time,
      logger: h.logger,
      instanceId: id,
    },
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

    await b.engine.acceptAcdEvents([
      {
        source: 'acd',
        tenantId: 't1',
        agentId: 'agent-1',
        state: acd.contact(),
        sourceTime: a.time.now(),
        eventId: 'after-takeover',
      },
    ]);
    await b.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);
    await ownerB.stop();
  });

  it('after a crash, a restarted instance takes the lease at once when it knows the holder is gone', async () => {
    const a = new EngineHarness();
    const t = await a.tenant('t1', { agents: 1, rule: rule() });
    // The crashed process's lease: 30 s left, nobody renews it.
    await a.store.leases.acquire('sync:t1', 'crashed', 30_000);
    const gone = new Set(['crashed']);
    const unsure = new EngineHarness({ time: a.time, store: a.store });
    const waits = new TenantOwnership(
      {
        leases: a.store.leases,
        tenants: a.store.tenants,
        signals: a.store.tenantSignals,
        engine: unsure.engine,
        portsFor: async () => t.ports,
        scheduler: a.time,
        logger: a.logger,
        instanceId: 'unsure',
        holderIsGone: () => false,
      },
      { leaseTtlMs: 30_000, renewEveryMs: 10_000 },
    );
    await waits.start();
    expect(unsure.engine.isRunning('t1')).toBe(false);
    await waits.stop();
    const restarted = new TenantOwnership(
      {
        leases: a.store.leases,
        tenants: a.store.tenants,
        signals: a.store.tenantSignals,
        engine: a.engine,
        portsFor: async () => t.ports,
        scheduler: a.time,
        logger: a.logger,
        instanceId: 'restarted',
        holderIsGone: (h) => gone.has(h),
      },
      { leaseTtlMs: 30_000, renewEveryMs: 10_000 },
    );
    await restarted.start();
    expect(a.engine.isRunning('t1')).toBe(true);
    expect(await a.store.leases.holder('sync:t1')).toBe('restarted');
    await restarted.stop();
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

  it('the Log Reader of each agent with events pending at a takeover shows who took it up; other agents get no line', async () => {
    const a = new EngineHarness();
    const t = await a.tenant('t1', { agents: 3, rule: rule() });
    // The dead owner left two events of agent-1 and one of agent-2 in the inbox; agent-3 had none.
    await a.store.inbox.append(
      ['agent-1', 'agent-1', 'agent-2'].map((agentId, i) => ({
        tenantId: 't1',
        agentId,
        receivedAt: a.time.now(),
        event: {
          source: 'acd' as const,
          tenantId: 't1',
          agentId,
          state: acd.contact(),
          sourceTime: a.time.now() + i,
          eventId: `left-${i}`,
        },
      })),
    );
    // agent-2's had failed once and waits for its retry: it is resumed too, so it is announced too.
    const waiting = (await a.store.inbox.pending('t1', 10)).find((e) => e.agentId === 'agent-2')!;
    await a.store.inbox.fail(waiting.seq, 'graph 503', a.time.now() + 1_000);
    const owner = new TenantOwnership(
      {
        leases: a.store.leases,
        tenants: a.store.tenants,
        signals: a.store.tenantSignals,
        engine: a.engine,
        portsFor: async () => t.ports,
        scheduler: a.time,
        logger: a.logger,
        instanceId: 'instance-b',
        onTakeUp: async (tenantId) =>
          void (await announceTakeover(
            { inbox: a.store.inbox, trace: a.trace, clock: a.time },
            tenantId,
            'instance-b',
          )),
      },
      { leaseTtlMs: 30_000, renewEveryMs: 10_000 },
    );
    await owner.start();
    await a.settle();
    await a.trace.flush();
    const lines = (agentId: string) =>
      a
        .traces('t1', agentId)
        .filter((e) => e.hop === 'ownership')
        .map((e) => e.summary);
    expect(lines('agent-1')).toEqual([expect.stringMatching(/instance-b; 2 pending event\(s\)/)]);
    expect(lines('agent-2')).toEqual([expect.stringMatching(/instance-b; 1 pending event\(s\)/)]);
    expect(lines('agent-3')).toEqual([]);
    // The line comes before the resumed work of that agent.
    const hops = a.traces('t1', 'agent-1').map((e) => e.hop);
    expect(hops.indexOf('ownership')).toBeLessThan(hops.indexOf('graph.request'));
    await owner.stop();
  });

  it('a CXone connection saved through any instance moves the holder’s sync onto it at its next round; other rounds rebuild nothing', async () => {
    const a = new EngineHarness();
    const t = await a.tenant('t1', { agents: 1, rule: rule() });
    // The tenant's CXone as stored: the first connection is t.acd; a second business unit is `moved`.
    const moved = new FakeAcd('t1', a.time);
    moved.addAgent('agent-1', 'team-1', 'agent-1@example.com');
    await a.store.tenants.putConnection('t1', 'cxone', { clientId: 'first' });
    const built: string[] = [];
    const takenUp: string[] = [];
    const holder = new TenantOwnership(
      {
        leases: a.store.leases,
        tenants: a.store.tenants,
        signals: a.store.tenantSignals,
        engine: a.engine,
        portsFor: async () => {
          const clientId = (await a.store.tenants.getConnection('t1', 'cxone'))?.['clientId'] ?? 'none';
          built.push(clientId);
          const acdNow = clientId === 'second' ? moved : t.acd;
          return { ...t.ports, acd: acdNow, acdFeed: acdNow, acdDirectory: acdNow };
        },
        scheduler: a.time,
        logger: a.logger,
        instanceId: 'holder',
        onTakeUp: async (tenantId) => void takenUp.push(tenantId),
      },
      { leaseTtlMs: 30_000, renewEveryMs: 10_000 },
    );
    await holder.start();
    await a.settle();
    await a.time.advance(30_000);
    expect(built).toEqual(['first']);

    // Another instance stores the new connection and raises the tenant's signal (the route does both).
    await a.store.tenants.putConnection('t1', 'cxone', { clientId: 'second' });
    await a.store.tenantSignals.raise('t1', 'connection');
    await a.time.advance(10_000);
    await a.settle();
    expect(built).toEqual(['first', 'second']);
    expect(takenUp).toEqual(['t1']);
    expect(a.engine.isRunning('t1')).toBe(true);

    // The sync follows the new business unit's feed, and no longer the former one's.
    await t.acd.change('agent-1', acd.contact());
    await a.settle();
    expect(t.graph.shown('aad-1')).not.toEqual(P.inACall);
    await moved.change('agent-1', acd.contact());
    await a.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);

    await a.time.advance(30_000);
    expect(built).toEqual(['first', 'second']);
    await holder.stop();
  });
});
