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

/** Makes writing agent `agentId`'s state fail (a constraint, a full disk), on a store not yet opened. */
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
  describe(`[${dialect}] inbox completions handed in together (group commit)`, () => {
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

    it('many agents completing at once: every entry done, every agent state written', async () => {
      const id = freshTenant();
      await t.store.inbox.append(Array.from({ length: 300 }, (_, n) => entry(id, `a${n}`, n)));
      const pending = await t.store.inbox.pending(id, 1000);
      await Promise.all(
        pending.map((e) =>
          t.store.inbox.complete(e.seq, id, anAgentState(e.agentId, { teamId: `team-of-${e.agentId}` })),
        ),
      );
      expect(await t.store.inbox.depth(id)).toBe(0);
      const states = await t.store.agentStates.list(id);
      expect(states).toHaveLength(300);
      expect(states.every((s) => s.teamId === `team-of-${s.agentId}`)).toBe(true);
    });

    it('an entry already completed (by a worker that lost its lease) is not completed again in a group', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a2', 2)]);
      const [e1, e2] = await t.store.inbox.pending(id, 10);
      await t.store.inbox.complete(e1!.seq, id, anAgentState('a1', { teamId: 'new-owner' }));
      await Promise.all([
        t.store.inbox.complete(e1!.seq, id, anAgentState('a1', { teamId: 'stale-worker' })),
        t.store.inbox.complete(e2!.seq, id, anAgentState('a2', { teamId: 'second' })),
      ]);
      expect((await t.store.agentStates.get(id, 'a1'))?.teamId).toBe('new-owner');
      expect((await t.store.agentStates.get(id, 'a2'))?.teamId).toBe('second');
    });

    it('two completions of one agent handed in together apply in order: the later state stays', async () => {
      const id = freshTenant();
      await t.store.inbox.append([entry(id, 'a1', 1), entry(id, 'a1', 2), entry(id, 'a2', 3)]);
      const [e1, e2, e3] = await t.store.inbox.pending(id, 10);
      await Promise.all([
        t.store.inbox.complete(e1!.seq, id, anAgentState('a1', { teamId: 'first' })),
        t.store.inbox.complete(e2!.seq, id, anAgentState('a1', { teamId: 'second' })),
        t.store.inbox.complete(e3!.seq, id, anAgentState('a2')),
      ]);
      expect((await t.store.agentStates.get(id, 'a1'))?.teamId).toBe('second');
      expect(await t.store.inbox.depth(id)).toBe(0);
    });

    it('completions of several tenants in one group stay in their tenants', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.inbox.append([entry(a, 'a1', 1)]);
      await t.store.inbox.append([entry(b, 'a1', 1)]);
      const [ea] = await t.store.inbox.pending(a, 1);
      const [eb] = await t.store.inbox.pending(b, 1);
      await Promise.all([
        t.store.inbox.complete(ea!.seq, a, anAgentState('a1', { teamId: 'in-a' })),
        t.store.inbox.complete(eb!.seq, b, anAgentState('a1', { teamId: 'in-b' })),
        // The seq of tenant a's entry under tenant b: must not complete it.
        t.store.inbox.complete(ea!.seq, b, anAgentState('a1', { teamId: 'intruder' })),
      ]);
      expect((await t.store.agentStates.get(a, 'a1'))?.teamId).toBe('in-a');
      expect((await t.store.agentStates.get(b, 'a1'))?.teamId).toBe('in-b');
    });

    it('one failing entry fails only its own completion; the others of its group are committed', async () => {
      const handle = isolatedLocation(dialect);
      try {
        const before = await handle.open([testKey()], t.clock);
        await before.inbox.append([entry('t1', 'ok1', 1), entry('t1', 'boom', 2), entry('t1', 'ok2', 3)]);
        await before.close();
        await failStateWritesFor(handle, 'boom');
        const store = await handle.open([testKey()], t.clock);
        const pending = await store.inbox.pending('t1', 10);
        const results = await Promise.allSettled(
          pending.map((e) => store.inbox.complete(e.seq, 't1', anAgentState(e.agentId))),
        );
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((await store.inbox.pending('t1', 10)).map((e) => e.agentId)).toEqual(['boom']);
        expect((await store.agentStates.list('t1')).map((s) => s.agentId)).toEqual(['ok1', 'ok2']);
        await store.close();
      } finally {
        await handle.dispose();
      }
    });

    it('closing the store commits the completions already handed in', async () => {
      const handle = isolatedLocation(dialect);
      try {
        const store = await handle.open([testKey()], t.clock);
        await store.inbox.append([entry('t1', 'a1', 1)]);
        const [e] = await store.inbox.pending('t1', 1);
        const completed = store.inbox.complete(e!.seq, 't1', anAgentState('a1'));
        await store.close();
        await completed;
        const reopened = await handle.open([testKey()], t.clock);
        expect(await reopened.inbox.depth('t1')).toBe(0);
        expect(await reopened.agentStates.get('t1', 'a1')).toEqual(anAgentState('a1'));
        await reopened.close();
      } finally {
        await handle.dispose();
      }
    });
  });
}
