import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

/** What instances behind a load balancer share: the owner's health, lifecycle events, alert pacing. */
for (const dialect of DIALECTS) {
  describe(`[${dialect}] shared instance state`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("keeps one health snapshot per tenant, the latest, and never hands out another tenant's", async () => {
      const a = freshTenant();
      const b = freshTenant();
      await t.store.healthSnapshots.put({ tenantId: a, holder: 'i1', at: 1_000, health: { status: 'ok' } });
      await t.store.healthSnapshots.put({ tenantId: a, holder: 'i2', at: 2_000, health: { status: 'down', n: [1] } });
      expect(await t.store.healthSnapshots.get(a)).toEqual({
        tenantId: a,
        holder: 'i2',
        at: 2_000,
        health: { status: 'down', n: [1] },
      });
      expect(await t.store.healthSnapshots.get(b)).toBeUndefined();
    });

    it('takes a heartbeat from the snapshot’s writer only, changing nothing but its time', async () => {
      const a = freshTenant();
      expect(await t.store.healthSnapshots.touch(a, 'i1', 1_000)).toBe(false);
      expect(await t.store.healthSnapshots.get(a)).toBeUndefined();
      await t.store.healthSnapshots.put({ tenantId: a, holder: 'i1', at: 1_000, health: { status: 'ok' } });
      expect(await t.store.healthSnapshots.touch(a, 'i2', 3_000)).toBe(false);
      expect(await t.store.healthSnapshots.touch(a, 'i1', 2_000)).toBe(true);
      expect(await t.store.healthSnapshots.get(a)).toEqual({
        tenantId: a,
        holder: 'i1',
        at: 2_000,
        health: { status: 'ok' },
      });
    });

    it('hands lifecycle events to exactly one handler, per tenant, oldest first, and purges handled ones', async () => {
      const a = freshTenant();
      const b = freshTenant();
      await t.store.lifecycleEvents.add({ tenantId: a, subscriptionId: 's1', event: 'missed', receivedAt: 10 });
      await t.store.lifecycleEvents.add({
        tenantId: a,
        subscriptionId: 's2',
        event: 'reauthorizationRequired',
        receivedAt: 11,
      });
      await t.store.lifecycleEvents.add({ tenantId: b, subscriptionId: 's3', event: 'missed', receivedAt: 12 });
      const pending = await t.store.lifecycleEvents.pending(a, 10);
      expect(pending.map((e) => [e.subscriptionId, e.event, e.receivedAt])).toEqual([
        ['s1', 'missed', 10],
        ['s2', 'reauthorizationRequired', 11],
      ]);
      const [first] = pending;
      const wins = await Promise.all([1, 2, 3].map(() => t.store.lifecycleEvents.handled(a, first!.seq, 20)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      // Another tenant's event cannot be marked through this tenant.
      const [ofB] = await t.store.lifecycleEvents.pending(b, 10);
      expect(await t.store.lifecycleEvents.handled(a, ofB!.seq, 20)).toBe(false);
      expect((await t.store.lifecycleEvents.pending(a, 10)).map((e) => e.subscriptionId)).toEqual(['s2']);
      expect(await t.store.lifecycleEvents.purge(21)).toBeGreaterThanOrEqual(1);
      expect((await t.store.lifecycleEvents.pending(b, 10)).map((e) => e.subscriptionId)).toEqual(['s3']);
    });

    it('raises a tenant signal once per raise, racing raises included, and reads it per tenant and signal', async () => {
      const a = freshTenant();
      const b = freshTenant();
      expect(await t.store.tenantSignals.versions('config', [a, b])).toEqual(new Map());
      expect(await t.store.tenantSignals.raise(a, 'config', 10)).toBe(1);
      const raised = await Promise.all([1, 2, 3, 4].map((i) => t.store.tenantSignals.raise(a, 'config', 10 + i)));
      expect([...raised].sort()).toEqual([2, 3, 4, 5]);
      await t.store.tenantSignals.raise(b, 'directory', 20);
      expect(await t.store.tenantSignals.versions('config', [a, b])).toEqual(new Map([[a, 5]]));
      expect(await t.store.tenantSignals.versions('directory', [a, b])).toEqual(new Map([[b, 1]]));
      expect(await t.store.tenantSignals.versions('config', [])).toEqual(new Map());
    });

    it('writes alert state only over the version read: of racing writers exactly one wins', async () => {
      const a = freshTenant();
      expect(await t.store.alertStates.get(a)).toBeUndefined();
      const created = await Promise.all([1, 2].map((i) => t.store.alertStates.put(a, { by: i }, 5_000, 0)));
      expect(created.filter(Boolean)).toHaveLength(1);
      const v1 = (await t.store.alertStates.get(a))!;
      expect(v1).toMatchObject({ tenantId: a, dueAt: 5_000, version: 1 });
      const raced = await Promise.all([3, 4].map((i) => t.store.alertStates.put(a, { by: i }, undefined, v1.version)));
      expect(raced.filter(Boolean)).toHaveLength(1);
      const v2 = (await t.store.alertStates.get(a))!;
      expect(v2.version).toBe(2);
      expect(v2.dueAt).toBeUndefined();
      expect(await t.store.alertStates.put(a, { stale: true }, 1, v1.version)).toBe(false);
    });

    it('lists the tenants whose alerts are due, and only those', async () => {
      const due = freshTenant();
      const later = freshTenant();
      const idle = freshTenant();
      await t.store.alertStates.put(due, {}, 1_000, 0);
      await t.store.alertStates.put(later, {}, 9_000_000_000_000, 0);
      await t.store.alertStates.put(idle, {}, undefined, 0);
      const listed = await t.store.alertStates.due(2_000);
      expect(listed).toContain(due);
      expect(listed).not.toContain(later);
      expect(listed).not.toContain(idle);
    });
  });
}
