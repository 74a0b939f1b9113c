import { StoreConflictError, type UserLink } from '../../../src/application/ports.js';
import type { AgentSyncState } from '../../../src/domain/sync-state.js';
import { anAgentState } from './store-builders.js';
import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

const link = (tenantId: string, agentId: string, teamsUserId: string, over: Partial<UserLink> = {}): UserLink => ({
  tenantId,
  agentId,
  teamsUserId,
  source: 'manual',
  ...over,
});

for (const dialect of DIALECTS) {
  describe(`[${dialect}] user links`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('puts links and finds them by agent and by Teams user', async () => {
      const id = freshTenant();
      await t.store.userLinks.put(
        [link(id, 'a1', 'u1', { email: 'a1@contoso.com', source: 'auto' }), link(id, 'a2', 'u2')],
        'admin',
      );
      expect(await t.store.userLinks.byAgent(id, 'a1')).toEqual(
        link(id, 'a1', 'u1', { email: 'a1@contoso.com', source: 'auto' }),
      );
      expect(await t.store.userLinks.byTeamsUser(id, 'u2')).toEqual(link(id, 'a2', 'u2'));
      expect((await t.store.userLinks.list(id)).map((l) => l.agentId)).toEqual(['a1', 'a2']);
    });

    it('finds the links of many agents in one read (more agents than one statement holds), only in its tenant', async () => {
      const [id, other] = [freshTenant(), freshTenant()];
      await t.store.userLinks.put(
        Array.from({ length: 1200 }, (_, i) => link(id, `a${i}`, `u${i}`)),
        'admin',
      );
      await t.store.userLinks.put([link(other, 'a1', 'elsewhere')], 'admin');
      const wanted = [...Array.from({ length: 1100 }, (_, i) => `a${i * 2}`), 'a1', 'a1', 'unlinked'];
      const found = await t.store.userLinks.byAgents(id, wanted);
      expect(found).toHaveLength(601);
      expect(found.find((l) => l.agentId === 'a1')).toEqual(link(id, 'a1', 'u1'));
      expect(await t.store.userLinks.byAgents(id, [])).toEqual([]);
    });

    it('finds the links of many Teams users in one read (more than one statement holds), only in its tenant', async () => {
      const [id, other] = [freshTenant(), freshTenant()];
      await t.store.userLinks.put(
        Array.from({ length: 1200 }, (_, i) => link(id, `a${i}`, `u${i}`)),
        'admin',
      );
      await t.store.userLinks.put([link(other, 'a1', 'u1')], 'admin');
      const wanted = [...Array.from({ length: 1100 }, (_, i) => `u${i * 2}`), 'u1', 'u1', 'not-linked'];
      const found = await t.store.userLinks.byTeamsUsers(id, wanted);
      expect(found).toHaveLength(601);
      expect(found.find((l) => l.teamsUserId === 'u1')).toEqual(link(id, 'a1', 'u1'));
      expect(await t.store.userLinks.byTeamsUsers(id, [])).toEqual([]);
    });

    it('re-points an agent to another Teams user, and can swap two users inside one batch', async () => {
      const id = freshTenant();
      await t.store.userLinks.put([link(id, 'a1', 'u1'), link(id, 'a2', 'u2')], 'admin');
      await t.store.userLinks.put([link(id, 'a1', 'u2'), link(id, 'a2', 'u1')], 'admin');
      expect(await t.store.userLinks.byTeamsUser(id, 'u1')).toMatchObject({ agentId: 'a2' });
      expect(await t.store.userLinks.byTeamsUser(id, 'u2')).toMatchObject({ agentId: 'a1' });
    });

    it('fails a whole batch when one link clashes, leaving what was there', async () => {
      const id = freshTenant();
      await t.store.userLinks.put([link(id, 'a1', 'u1')], 'admin');
      const batch = [link(id, 'a2', 'u2'), link(id, 'a3', 'u1')];
      await expect(t.store.userLinks.put(batch, 'admin')).rejects.toThrow(
        new StoreConflictError('Teams user u1 is already linked to agent a1'),
      );
      expect(await t.store.userLinks.list(id)).toEqual([link(id, 'a1', 'u1')]);
      expect(await t.store.rules.audit(id, 10)).toHaveLength(1);
    });

    it('refuses the same agent twice in one batch', async () => {
      const id = freshTenant();
      await expect(t.store.userLinks.put([link(id, 'a1', 'u1'), link(id, 'a1', 'u2')], 'admin')).rejects.toThrow(
        StoreConflictError,
      );
      expect(await t.store.userLinks.list(id)).toEqual([]);
    });

    it('refuses the same Teams user twice in one batch', async () => {
      const id = freshTenant();
      await expect(t.store.userLinks.put([link(id, 'a1', 'u1'), link(id, 'a2', 'u1')], 'admin')).rejects.toThrow(
        /u1 appears in more than one link/,
      );
    });

    it('imports a large batch set-wise, moving Teams users between agents across statement chunks', async () => {
      const id = freshTenant();
      const n = 1200;
      await t.store.userLinks.put(
        Array.from({ length: n }, (_, i) => link(id, `a${i}`, `u${i}`, { source: 'import' })),
        'importer',
      );
      // Rotate: agent i takes the user of agent i+1, the last one takes u0 (first and last are in different chunks).
      await t.store.userLinks.put(
        Array.from({ length: n }, (_, i) => link(id, `a${i}`, `u${(i + 1) % n}`, { source: 'import' })),
        'importer',
      );
      expect(await t.store.userLinks.byTeamsUser(id, 'u0')).toMatchObject({ agentId: `a${n - 1}` });
      expect(await t.store.userLinks.list(id)).toHaveLength(n);
      expect(await t.store.rules.audit(id, 3 * n)).toHaveLength(2 * n);
    });

    it('lets two tenants link the same ids independently', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.userLinks.put([link(a, 'a1', 'u1')], 'admin');
      await t.store.userLinks.put([link(b, 'a1', 'u1')], 'admin');
      await t.store.userLinks.remove(b, 'a1', 'admin');
      expect(await t.store.userLinks.byAgent(a, 'a1')).toBeDefined();
      expect(await t.store.userLinks.byAgent(b, 'a1')).toBeUndefined();
    });

    it('audits link changes (create, update, delete) in the tenant audit log', async () => {
      const id = freshTenant();
      await t.store.userLinks.put([link(id, 'a1', 'u1')], 'admin');
      await t.store.userLinks.put([link(id, 'a1', 'u9')], 'admin');
      await t.store.userLinks.remove(id, 'a1', 'remover');
      await t.store.userLinks.remove(id, 'a1', 'remover');
      const audit = await t.store.rules.audit(id, 10);
      expect(audit.map((e) => e.action)).toEqual(['userLink.delete', 'userLink.update', 'userLink.create']);
      expect(audit[1]).toMatchObject({
        entity: 'userLink',
        entityId: 'a1',
        before: link(id, 'a1', 'u1'),
        after: link(id, 'a1', 'u9'),
      });
    });
  });

  describe(`[${dialect}] agent sync state`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    describe('reads rows stored before the subscriber write had a lifecycle', () => {
      const write = {
        target: { kind: 'Unavailable', codeId: '7' },
        replaced: { kind: 'Available' },
        at: 5,
        ruleId: 'r1',
      };
      const unavailable7 = { name: 'Unavailable', afterCallWork: false, unavailableCode: { id: '7', name: 'Lunch' } };
      const available = { name: 'Available', afterCallWork: false };
      const stored = async (legacy: Record<string, unknown>): Promise<AgentSyncState | undefined> => {
        const id = freshTenant();
        // The old shape, as an older release wrote it (put stores the JSON as given).
        await t.store.agentStates.put(id, { agentId: 'a1', ...legacy } as unknown as AgentSyncState);
        return t.store.agentStates.get(id, 'a1');
      };

      it('a write the ACD showed is shown; over defaults to what it replaced', async () => {
        const acdSeen = { state: unavailable7, sourceTime: 6, eventId: 'e6' };
        expect(await stored({ acd: acdSeen, acdWritten: write })).toEqual({
          agentId: 'a1',
          acd: acdSeen,
          acdWritten: { ...write, phase: 'shown', over: { kind: 'Available' } },
        });
      });

      it('a write the ACD did not show yet is requested, and keeps the over it had', async () => {
        const acdSeen = { state: available, sourceTime: 4, eventId: 'e4' };
        const over = { kind: 'Unavailable', codeId: '3' };
        expect((await stored({ acd: acdSeen, acdWritten: { ...write, over } }))?.acdWritten).toEqual({
          ...write,
          phase: 'requested',
          over,
        });
      });

      it('an undone write (acdReleased) is the released write, unless a newer write is held', async () => {
        const acdReleased = { target: { kind: 'Unavailable', codeId: '9' }, at: 4 };
        const acdSeen = { state: available, sourceTime: 3, eventId: 'e3' };
        const released = await stored({ acd: acdSeen, acdReleased });
        expect(released?.acdWritten).toEqual({ phase: 'released', ...acdReleased });
        expect(released).not.toHaveProperty('acdReleased');
        const both = await stored({ acd: acdSeen, acdReleased, acdWritten: write });
        expect(both?.acdWritten).toMatchObject({ phase: 'requested', target: write.target });
        expect(both).not.toHaveProperty('acdReleased');
      });
    });

    it('round-trips the whole state, including what we last wrote on both sides', async () => {
      const id = freshTenant();
      const state = anAgentState('a1', {
        acdWritten: {
          phase: 'requested',
          target: { kind: 'Unavailable', codeId: '7' },
          replaced: { kind: 'Available' },
          over: { kind: 'Available' },
          at: 5,
          ruleId: 'r1',
        },
        pending: { dueAt: 10, reason: 'debounce' },
        teams: {
          presence: { availability: 'DoNotDisturb', activity: 'Presenting' },
          sequenceNumber: 'A1',
          sourceTime: 3,
          eventId: 'e3',
        },
      });
      await t.store.agentStates.put(id, state);
      expect(await t.store.agentStates.get(id, 'a1')).toEqual(state);
      const cleared = anAgentState('a1', { published: { presence: null, at: 9, ruleId: 'r1', preferred: false } });
      await t.store.agentStates.put(id, cleared);
      expect(await t.store.agentStates.get(id, 'a1')).toEqual(cleared);
      expect(await t.store.agentStates.list(id)).toEqual([cleared]);
    });

    it('reads the states of many agents in one go, only in its tenant', async () => {
      const [id, other] = [freshTenant(), freshTenant()];
      for (let i = 0; i < 700; i += 1)
        await t.store.agentStates.put(id, anAgentState(`a${i}`, { teamId: `team-${i}` }));
      await t.store.agentStates.put(other, anAgentState('a1', { teamId: 'elsewhere' }));
      const states = await t.store.agentStates.getMany(id, [
        ...Array.from({ length: 700 }, (_, i) => `a${i}`),
        'nobody',
        'a1',
      ]);
      expect(states).toHaveLength(700);
      expect(states.find((s) => s.agentId === 'a1')).toEqual(anAgentState('a1', { teamId: 'team-1' }));
      expect(await t.store.agentStates.getMany(id, [])).toEqual([]);
    });

    it('keeps fields it does not know yet (loose parsing), and never shows another tenant the state', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      const state = { ...anAgentState('a1'), futureField: { x: 1 } };
      await t.store.agentStates.put(a, state);
      expect(await t.store.agentStates.get(a, 'a1')).toEqual(state);
      expect(await t.store.agentStates.get(b, 'a1')).toBeUndefined();
      expect(await t.store.agentStates.list(b)).toEqual([]);
    });

    it('names table and row when a stored state does not parse', async () => {
      const id = freshTenant();
      await t.store.agentStates.put(id, anAgentState('a1'));
      await t.raw('update agent_states set state = ? where tenant_id = ?', [
        '{"agentId":"a1","acd":{"state":{"name":"Sleeping"}}}',
        id,
      ]);
      await expect(t.store.agentStates.get(id, 'a1')).rejects.toThrow(
        new RegExp(`Corrupt row in agent_states \\(${id}/a1\\)`),
      );
    });
  });
}
