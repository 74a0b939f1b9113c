import type { ConversationRef, StoredSubscription, TraceEvent } from '../../../src/application/ports.js';
import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

const hop = (tenantId: string, id: string, at: number, over: Partial<TraceEvent> = {}): TraceEvent => ({
  id,
  tenantId,
  agentId: 'a1',
  traceId: 'tr-1',
  hop: 'acd.event',
  at,
  summary: `event ${id}`,
  data: { n: at },
  ...over,
});

for (const dialect of DIALECTS) {
  describe(`[${dialect}] trace events`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('appends and queries by agent, trace and time window; the latest `limit` matches, oldest first', async () => {
      const id = freshTenant();
      await t.store.traces.append([
        hop(id, 'e1', 10, { teamsUserId: 'u1', latencyMs: 3, data: { nested: { ok: true } } }),
        hop(id, 'e2', 20, { hop: 'decision' }),
        hop(id, 'e3', 30, { agentId: 'a2', traceId: 'tr-2' }),
        hop(id, 'e4', 40, { hop: 'graph.request' }),
      ]);
      expect((await t.store.traces.query({ tenantId: id, agentId: 'a1', limit: 10 })).map((e) => e.id)).toEqual([
        'e1',
        'e2',
        'e4',
      ]);
      expect((await t.store.traces.query({ tenantId: id, agentId: 'a1', limit: 2 })).map((e) => e.id)).toEqual([
        'e2',
        'e4',
      ]);
      expect((await t.store.traces.query({ tenantId: id, traceId: 'tr-2', limit: 10 })).map((e) => e.id)).toEqual([
        'e3',
      ]);
      expect((await t.store.traces.query({ tenantId: id, from: 20, to: 30, limit: 10 })).map((e) => e.id)).toEqual([
        'e2',
        'e3',
      ]);
      expect((await t.store.traces.query({ tenantId: id, limit: 1, to: 10 }))[0]).toEqual(
        hop(id, 'e1', 10, { teamsUserId: 'u1', latencyMs: 3, data: { nested: { ok: true } } }),
      );
    });

    it('appends a batch larger than one statement holds', async () => {
      const id = freshTenant();
      await t.store.traces.append(Array.from({ length: 1200 }, (_, n) => hop(id, `b${n}`, 10_000 + n)));
      expect(await t.store.traces.query({ tenantId: id, limit: 5000 })).toHaveLength(1200);
    });

    it('keeps the first of two events with the same id', async () => {
      const id = freshTenant();
      await t.store.traces.append([hop(id, 'e1', 10)]);
      await t.store.traces.append([hop(id, 'e1', 10, { summary: 'again' })]);
      expect((await t.store.traces.query({ tenantId: id, limit: 10 })).map((e) => e.summary)).toEqual(['event e1']);
    });

    it('prunes by age, then keeps at most N newest per tenant', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.traces.append([1, 2, 3, 4, 5].map((n) => hop(a, `e${n}`, 1000 + n)));
      await t.store.traces.append([1, 2, 3].map((n) => hop(b, `e${n}`, 2000 + n)));
      const removed = await t.store.traces.prune(1002, 2);
      expect(removed).toBeGreaterThanOrEqual(4);
      expect((await t.store.traces.query({ tenantId: a, limit: 10 })).map((e) => e.id)).toEqual(['e4', 'e5']);
      expect((await t.store.traces.query({ tenantId: b, limit: 10 })).map((e) => e.id)).toEqual(['e2', 'e3']);
    });

    it('prunes a tenant with its own retention by its own cut-off, whether shorter or longer than the default', async () => {
      const [short, long, other] = [freshTenant(), freshTenant(), freshTenant()];
      for (const id of [short, long, other])
        await t.store.traces.append([1, 2, 3].map((n) => hop(id, `e${n}`, 3000 + n)));
      await t.store.traces.prune(
        3002,
        100,
        new Map([
          [short, 3004],
          [long, 3000],
        ]),
      );
      const ids = async (id: string) => (await t.store.traces.query({ tenantId: id, limit: 10 })).map((e) => e.id);
      expect({ short: await ids(short), long: await ids(long), other: await ids(other) }).toEqual({
        short: [],
        long: ['e1', 'e2', 'e3'],
        other: ['e2', 'e3'],
      });
    });

    it('names the row when trace data is corrupt', async () => {
      const id = freshTenant();
      await t.store.traces.append([hop(id, 'bad', Number.MAX_SAFE_INTEGER)]);
      await t.raw('update trace_events set data = ? where tenant_id = ?', ['[1,2]', id]);
      await expect(t.store.traces.query({ tenantId: id, limit: 1 })).rejects.toThrow(
        `Corrupt row in trace_events (${id}/bad)`,
      );
    });
  });

  describe(`[${dialect}] Graph subscriptions and bot conversations`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });
    const sub = (
      tenantId: string,
      subscriptionId: string,
      over: Partial<StoredSubscription> = {},
    ): StoredSubscription => ({
      tenantId,
      subscriptionId,
      ownerId: 'owner-1',
      resource: "/communications/presences?$filter=id in ('u1','u2')",
      userIds: ['u1', 'u2'],
      clientState: 'cs-123',
      expiresAt: 5000,
      createdAt: 1000,
      ...over,
    });

    it('puts, renews, lists, finds by id and removes subscriptions', async () => {
      const id = freshTenant();
      const s1 = `${id}-s1`;
      await t.store.subscriptions.put(sub(id, s1));
      await t.store.subscriptions.put(sub(id, s1, { expiresAt: 9000 }));
      await t.store.subscriptions.put(sub(id, `${id}-s2`, { userIds: [] }));
      expect(await t.store.subscriptions.byId(s1)).toEqual(sub(id, s1, { expiresAt: 9000 }));
      expect((await t.store.subscriptions.list(id)).map((s) => s.subscriptionId)).toEqual([s1, `${id}-s2`]);
      await t.store.subscriptions.remove(id, s1);
      expect(await t.store.subscriptions.byId(s1)).toBeUndefined();
    });

    it('never moves a subscription to another tenant, nor lets another tenant remove it', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.subscriptions.put(sub(a, `${a}-s`));
      await expect(t.store.subscriptions.put(sub(b, `${a}-s`))).rejects.toThrow(/another tenant/);
      await t.store.subscriptions.remove(b, `${a}-s`);
      expect(await t.store.subscriptions.byId(`${a}-s`)).toMatchObject({ tenantId: a });
      expect(await t.store.subscriptions.list(b)).toEqual([]);
    });

    it('puts, replaces, lists and removes conversation references per tenant', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      const ref: ConversationRef = {
        tenantId: a,
        conversationId: 'c1',
        reference: { serviceUrl: 'https://smba', conversation: { id: 'c1' } },
        scope: 'personal',
        installedBy: 'u1',
      };
      await t.store.conversations.put(ref);
      await t.store.conversations.put({ ...ref, scope: 'team' });
      await t.store.conversations.put({ tenantId: a, conversationId: 'c2', reference: {}, scope: 'groupChat' });
      expect(await t.store.conversations.list(a)).toEqual([
        { ...ref, scope: 'team' },
        { tenantId: a, conversationId: 'c2', reference: {}, scope: 'groupChat' },
      ]);
      expect(await t.store.conversations.list(b)).toEqual([]);
      await t.store.conversations.remove(b, 'c1');
      await t.store.conversations.remove(a, 'c1');
      expect((await t.store.conversations.list(a)).map((c) => c.conversationId)).toEqual(['c2']);
    });
  });
}
