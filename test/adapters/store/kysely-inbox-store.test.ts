import SqliteDatabase from 'better-sqlite3';
import { anAcdEvent, anAgentState } from './store-builders.js';
import {
  freshTenant,
  isolatedLocation,
  openTestStore,
  testDialects,
  testKey,
  type TestStore,
  type TestStoreHandle,
} from './store-harness.js';

/** A trigger that makes writing agent `agentId`'s state fail, as a full disk or a lost connection would. */
async function failStateWritesFor(t: TestStoreHandle, agentId: string): Promise<void> {
  if (t.location.kind === 'sqlite') {
    const db = new SqliteDatabase(t.location.path);
    db.exec(
      `create trigger fail_state before insert on agent_states when new.agent_id = '${agentId}' begin select raise(abort, 'injected failure'); end`,
    );
    db.close();
    return;
  }
  await t.raw(
    `create function fail_state() returns trigger language plpgsql as $$ begin if new.agent_id = '${agentId}' then raise exception 'injected failure'; end if; return new; end $$`,
  );
  await t.raw('create trigger fail_state before insert on agent_states for each row execute function fail_state()');
}

const DIALECTS = await testDialects();

for (const dialect of DIALECTS) {
  describe(`[${dialect}] durable inbox`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });
    const entry = (tenantId: string, agentId: string, n: number) => ({
      tenantId,
      agentId,
      event: anAcdEvent(tenantId, agentId, n),
      receivedAt: 100 + n,
    });

    it('tells when the events it holds first arrived (the trace of a dropped duplicate), per tenant', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a2', 2)]);
      await t.store.inbox.append([{ ...entry(id, 'a1', 1), receivedAt: 999 }]);
      const seen = await t.store.inbox.receivedAt(id, ['a1:1001', 'a2:1002', 'never']);
      expect([...seen]).toEqual(
        expect.arrayContaining([
          ['a1:1001', 101],
          ['a2:1002', 102],
        ]),
      );
      expect(seen.size).toBe(2);
      expect((await t.store.inbox.receivedAt(freshTenant(), ['a1:1001'])).size).toBe(0);
    });

    it('appends in arrival order and ignores re-delivered events (same tenant + event id)', async () => {
      const id = freshTenant();
      expect(await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a2', 2), entry(id, 'a1', 3)])).toBe(3);
      expect(await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a1', 4)])).toBe(1);
      const pending = await t.store.inbox.pending(id, 10);
      expect(pending.map((p) => p.event.eventId)).toEqual(['a1:1001', 'a2:1002', 'a1:1003', 'a1:1004']);
      expect(pending[0]).toMatchObject({
        tenantId: id,
        agentId: 'a1',
        receivedAt: 101,
        attempts: 0,
        event: anAcdEvent(id, 'a1', 1),
      });
      expect(pending.map((p) => p.seq)).toEqual([...pending.map((p) => p.seq)].sort((x, y) => x - y));
      expect(await t.store.inbox.depth(id)).toBe(4);
    });

    it('keeps a rich notification still encrypted with its entry, and hands it back as it was given', async () => {
      const id = freshTenant();
      const sealed = { digest: 'd1', payload: JSON.stringify({ data: 'AAEC', dataKey: 'k', dataSignature: 's' }) };
      await t.store.inbox.append([{ ...entry(id, 'a1', 1), sealed }, entry(id, 'a2', 2)]);
      expect(await t.store.inbox.append([{ ...entry(id, 'a1', 1), sealed }])).toBe(0);
      const [rich, clear] = await t.store.inbox.pending(id, 10);
      expect(rich).toMatchObject({ agentId: 'a1', sealed });
      expect(clear).not.toHaveProperty('sealed');
    });

    it('stores an event once when several instances append it at the same time', async () => {
      const id = freshTenant();
      const counts = await Promise.all(Array.from({ length: 8 }, () => t.store.inbox.append([entry(id, 'a1', 1)])));
      expect(counts.reduce((x, y) => x + y, 0)).toBe(1);
      expect(await t.store.inbox.depth(id)).toBe(1);
    });

    it('appends a batch larger than one statement holds, atomically and in order', async () => {
      const id = freshTenant();
      const batch = Array.from({ length: 5000 }, (_, n) => entry(id, `a${n % 50}`, n));
      expect(await t.store.inbox.append(batch)).toBe(5000);
      expect(await t.store.inbox.append([...batch.slice(0, 600), entry(id, 'late', 9999)])).toBe(1);
      const first = await t.store.inbox.pending(id, 3);
      expect(first.map((p) => p.event.eventId)).toEqual(['a0:1000', 'a1:1001', 'a2:1002']);
      expect(await t.store.inbox.depth(id)).toBe(5001);
    });

    it('counts what each agent has pending, entries waiting for a retry included, oldest agents first', async () => {
      const id = freshTenant();
      await t.store.inbox.append([
        entry(id, 'a1', 1),
        entry(id, 'a2', 2),
        entry(id, 'a1', 3),
        entry(id, 'a3', 4),
        entry(id, 'a4', 5),
      ]);
      const [first, , , a3] = await t.store.inbox.pending(id, 10);
      await t.store.inbox.fail(first!.seq, 'graph 503', t.clock.now() + 60_000);
      await t.store.inbox.complete(a3!.seq, id, anAgentState('a3'));
      expect(await t.store.inbox.pendingByAgent(id, 10)).toEqual(
        new Map([
          ['a1', 2],
          ['a2', 1],
          ['a4', 1],
        ]),
      );
      expect([...(await t.store.inbox.pendingByAgent(id, 2)).keys()]).toEqual(['a1', 'a2']);
      expect(await t.store.inbox.pendingByAgent(freshTenant(), 10)).toEqual(new Map());
    });

    it('ignores a duplicate inside one batch', async () => {
      const id = freshTenant();
      expect(await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a1', 1)])).toBe(1);
    });

    it('the same event id in two tenants is two entries', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.inbox.append([entry(a, 'a1', 1)]);
      expect(await t.store.inbox.append([entry(b, 'a1', 1)])).toBe(1);
      expect(await t.store.inbox.pending(b, 10)).toHaveLength(1);
    });

    it('reads only what arrived after a given entry when asked, still holding back agents waiting for a retry', async () => {
      const id = freshTenant();
      await t.store.inbox.append([
        entry(id, 'a1', 1),
        entry(id, 'a2', 2),
        entry(id, 'a3', 3),
        entry(id, 'a2', 4),
        entry(id, 'a4', 5),
      ]);
      const all = await t.store.inbox.pending(id, 10);
      await t.store.inbox.fail(all[1]!.seq, 'graph 503', t.clock.now() + 5000);
      const after = await t.store.inbox.pending(id, 10, all[0]!.seq);
      expect(after.map((p) => p.event.eventId)).toEqual(['a3:1003', 'a4:1005']);
      expect((await t.store.inbox.pending(id, 1, all[0]!.seq)).map((p) => p.agentId)).toEqual(['a3']);
      expect(await t.store.inbox.pending(id, 10, all[4]!.seq)).toEqual([]);
    });

    it('honours the limit, oldest first', async () => {
      const id = freshTenant();
      await t.store.inbox.append([1, 2, 3, 4].map((n) => entry(id, `a${n}`, n)));
      expect((await t.store.inbox.pending(id, 2)).map((p) => p.agentId)).toEqual(['a1', 'a2']);
    });

    it('complete marks the entry done and writes the agent state in one step; repeating it changes nothing', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1)]);
      const [first] = await t.store.inbox.pending(id, 1);
      const state = anAgentState('a1');
      await t.store.inbox.complete(first!.seq, id, state);
      expect(await t.store.inbox.pending(id, 10)).toEqual([]);
      expect(await t.store.agentStates.get(id, 'a1')).toEqual(state);
      await t.store.inbox.complete(first!.seq, id, anAgentState('a1', { teamId: 'stale-worker' }));
      expect(await t.store.agentStates.get(id, 'a1')).toEqual(state);
      expect(await t.store.inbox.depth(id)).toBe(0);
    });

    it('complete is one transaction: when the state write fails the entry stays pending', async () => {
      // A store of its own, re-opened after the failure is planted, so its connection reads the new schema.
      const handle = isolatedLocation(dialect);
      const open = () => handle.open([testKey()], t.clock);
      try {
        const before = await open();
        await before.inbox.append([entry('t1', 'boom', 1)]);
        await before.close();
        await failStateWritesFor(handle, 'boom');
        const store = await open();
        const [e] = await store.inbox.pending('t1', 1);
        // Not toThrow: better-sqlite3 keeps the error class of the first jest realm that loaded it, so
        // in a later test file its errors are not `instanceof Error` there. Match on the message.
        await expect(store.inbox.complete(e!.seq, 't1', anAgentState('boom'))).rejects.toMatchObject({
          message: expect.stringMatching(/injected/),
        });
        expect((await store.inbox.pending('t1', 10)).map((p) => p.seq)).toEqual([e!.seq]);
        expect(await store.agentStates.get('t1', 'boom')).toBeUndefined();
        await store.close();
      } finally {
        await handle.dispose();
      }
    });

    it('complete for another tenant touches nothing', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.inbox.append([entry(a, 'a1', 1)]);
      const [e] = await t.store.inbox.pending(a, 1);
      await t.store.inbox.complete(e!.seq, b, anAgentState('a1'));
      expect(await t.store.inbox.depth(a)).toBe(1);
      expect(await t.store.agentStates.get(b, 'a1')).toBeUndefined();
    });

    it('fail counts the attempt and holds the entry, and the later entries of that agent, until retry time', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a2', 2), entry(id, 'a1', 3)]);
      const [e1] = await t.store.inbox.pending(id, 1);
      await t.store.inbox.fail(e1!.seq, 'graph 503', t.clock.now() + 5000);
      expect((await t.store.inbox.pending(id, 10)).map((p) => p.event.eventId)).toEqual(['a2:1002']);
      t.clock.advance(5000);
      const again = await t.store.inbox.pending(id, 10);
      expect(again.map((p) => p.event.eventId)).toEqual(['a1:1001', 'a2:1002', 'a1:1003']);
      expect(again[0]?.attempts).toBe(1);
      await t.store.inbox.fail(e1!.seq, 'graph 503', t.clock.now());
      expect((await t.store.inbox.pending(id, 1))[0]?.attempts).toBe(2);
    });

    it('holds an agent back only from its first waiting entry on: earlier entries still come', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a1', 2), entry(id, 'a1', 3)]);
      const [, second] = await t.store.inbox.pending(id, 3);
      await t.store.inbox.fail(second!.seq, 'busy', t.clock.now() + 1);
      expect((await t.store.inbox.pending(id, 10)).map((p) => p.event.eventId)).toEqual(['a1:1001']);
    });

    it('depth without a tenant counts every tenant', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      const before = await t.store.inbox.depth();
      await t.store.inbox.append([entry(a, 'x', 1), entry(b, 'x', 1)]);
      expect(await t.store.inbox.depth()).toBe(before + 2);
    });

    it('purges processed entries older than a cutoff and keeps unprocessed ones', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a2', 2)]);
      const [e] = await t.store.inbox.pending(id, 1);
      await t.store.inbox.complete(e!.seq, id, anAgentState('a1'));
      t.clock.advance(10);
      expect(await t.store.inbox.purgeProcessed(t.clock.now())).toBeGreaterThanOrEqual(1);
      expect(await t.store.inbox.depth(id)).toBe(1);
    });

    it('names the row when a stored event is corrupt', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1)]);
      await t.raw('update inbox set event = ? where tenant_id = ?', ['{"source":"fax"}', id]);
      await expect(t.store.inbox.pending(id, 1)).rejects.toThrow(/Corrupt row in inbox \(\d+\)/);
    });
  });
}
