import { aRule, aTenant, anAcdEvent, anAgentState } from './store-builders.js';
import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

/** Tenant A fills every repository with the same ids tenant B then asks for. */
async function fillTenant(t: TestStore, a: string): Promise<void> {
  const s = t.store;
  await s.tenants.upsert(aTenant(a));
  await s.tenants.putConnection(a, 'cxone', { secret: 'a' });
  await s.rules.save(aRule(a, 'r1'), 'admin');
  await s.userLinks.put([{ tenantId: a, agentId: 'a1', teamsUserId: 'u1', source: 'auto' }], 'admin');
  await s.agentStates.put(a, anAgentState('a1'));
  await s.inbox.append([{ tenantId: a, agentId: 'a1', event: anAcdEvent(a, 'a1', 1), receivedAt: 1 }]);
  await s.traces.append([
    { id: 'e1', tenantId: a, agentId: 'a1', traceId: 'tr1', hop: 'decision', at: 1, summary: 's', data: {} },
  ]);
  await s.subscriptions.put({
    tenantId: a,
    subscriptionId: `${a}-s1`,
    ownerId: 'o',
    resource: 'r',
    userIds: ['u1'],
    clientState: 'c',
    expiresAt: 2,
    createdAt: 1,
  });
  await s.conversations.put({ tenantId: a, conversationId: 'c1', reference: {}, scope: 'personal' });
}

for (const dialect of DIALECTS) {
  describe(`[${dialect}] tenant isolation`, () => {
    let t: TestStore;
    const [a, b] = [freshTenant(), freshTenant()];
    beforeAll(async () => {
      t = await openTestStore(dialect);
      await fillTenant(t, a);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('tenant B reads nothing of tenant A through any method', async () => {
      const s = t.store;
      expect(await s.tenants.get(b)).toBeUndefined();
      expect(await s.tenants.getConnection(b, 'cxone')).toBeUndefined();
      expect(await s.rules.list(b)).toEqual([]);
      expect(await s.rules.get(b, 'r1')).toBeUndefined();
      expect(await s.rules.audit(b, 100)).toEqual([]);
      expect(await s.userLinks.list(b)).toEqual([]);
      expect(await s.userLinks.byAgent(b, 'a1')).toBeUndefined();
      expect(await s.userLinks.byTeamsUser(b, 'u1')).toBeUndefined();
      expect(await s.agentStates.get(b, 'a1')).toBeUndefined();
      expect(await s.agentStates.list(b)).toEqual([]);
      expect(await s.inbox.pending(b, 100)).toEqual([]);
      expect(await s.inbox.depth(b)).toBe(0);
      expect(await s.traces.query({ tenantId: b, limit: 100 })).toEqual([]);
      expect(await s.traces.query({ tenantId: b, agentId: 'a1', traceId: 'tr1', limit: 100 })).toEqual([]);
      expect(await s.subscriptions.list(b)).toEqual([]);
      expect(await s.conversations.list(b)).toEqual([]);
    });

    it("tenant B's writes and deletes with A's ids leave A's rows alone", async () => {
      const s = t.store;
      expect(await s.rules.delete(b, 'r1', 'intruder')).toBe(false);
      await s.userLinks.remove(b, 'a1', 'intruder');
      await s.subscriptions.remove(b, `${a}-s1`);
      await s.conversations.remove(b, 'c1');
      const [entry] = await s.inbox.pending(a, 1);
      await s.inbox.complete(entry!.seq, b, anAgentState('a1', { teamId: 'intruder' }));
      await s.rules.save(aRule(b, 'r1', { name: 'B rule' }), 'b-admin');

      expect(await s.rules.get(a, 'r1')).toMatchObject({ name: 'Rule r1', version: 1 });
      expect(await s.userLinks.byAgent(a, 'a1')).toBeDefined();
      expect(await s.subscriptions.list(a)).toHaveLength(1);
      expect(await s.conversations.list(a)).toHaveLength(1);
      expect(await s.inbox.depth(a)).toBe(1);
      expect(await s.agentStates.get(a, 'a1')).toEqual(anAgentState('a1'));
      expect(await s.rules.audit(a, 100)).toHaveLength(2); // the rule and the link, nothing of B
    });
  });
}
