import { StoreConflictError } from '../../../src/application/ports.js';
import { StoreSecretError } from '../../../src/adapters/store/store-errors.js';
import { aRule, aTenant } from './store-builders.js';
import {
  freshTenant,
  isolatedLocation,
  openTestStore,
  testDialects,
  testKey,
  type TestStore,
} from './store-harness.js';

const DIALECTS = await testDialects();

for (const dialect of DIALECTS) {
  describe(`[${dialect}] tenants, connections and rules`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('is ready once migrations ran', async () => {
      expect(await t.store.ready()).toBe(true);
    });

    it('upserts and reads tenants', async () => {
      const id = freshTenant();
      await t.store.tenants.upsert(aTenant(id));
      await t.store.tenants.upsert(aTenant(id, { name: 'Renamed', syncEnabled: false }));
      expect(await t.store.tenants.get(id)).toEqual(aTenant(id, { name: 'Renamed', syncEnabled: false }));
      expect((await t.store.tenants.list()).filter((x) => x.id === id)).toHaveLength(1);
      expect(await t.store.tenants.get('nobody')).toBeUndefined();
    });

    it('stores connection secrets encrypted: the row does not contain the plaintext', async () => {
      const id = freshTenant();
      await t.store.tenants.putConnection(id, 'cxone', { accessKeyId: 'AK1', accessKeySecret: 'very-secret-value' });
      expect(await t.store.tenants.getConnection(id, 'cxone')).toEqual({
        accessKeyId: 'AK1',
        accessKeySecret: 'very-secret-value',
      });
      const rows = await t.raw('select sealed from tenant_connections where tenant_id = ?', [id]);
      expect(rows).toHaveLength(1);
      expect(String(rows[0]?.['sealed'])).not.toContain('very-secret-value');
      expect(String(rows[0]?.['sealed'])).not.toContain('AK1');
    });

    it('keeps connections per tenant and kind', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.tenants.putConnection(a, 'owner:u1', { refreshToken: 'rt-a' });
      await t.store.tenants.putConnection(a, 'owner:u1', { refreshToken: 'rt-a2' });
      expect(await t.store.tenants.getConnection(a, 'owner:u1')).toEqual({ refreshToken: 'rt-a2' });
      expect(await t.store.tenants.getConnection(b, 'owner:u1')).toBeUndefined();
      expect(await t.store.tenants.getConnection(a, 'graph')).toBeUndefined();
    });

    it('fails clearly on a tampered ciphertext and on a row copied to another tenant', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.tenants.putConnection(a, 'graph', { clientSecret: 'x' });
      const [row] = await t.raw('select sealed from tenant_connections where tenant_id = ?', [a]);
      await t.raw('insert into tenant_connections (tenant_id, kind, sealed, updated_at) values (?, ?, ?, ?)', [
        b,
        'graph',
        row?.['sealed'],
        0,
      ]);
      await expect(t.store.tenants.getConnection(b, 'graph')).rejects.toThrow(StoreSecretError);
      await t.raw(`update tenant_connections set sealed = ? where tenant_id = ?`, [
        `${String(row?.['sealed']).slice(0, -4)}AAAA`,
        a,
      ]);
      await expect(t.store.tenants.getConnection(a, 'graph')).rejects.toThrow(/cannot be decrypted.*tampered/);
    });

    it('saves a rule with version 1, bumps it on each save, and audits who/when/before/after', async () => {
      const id = freshTenant();
      const v1 = await t.store.rules.save(aRule(id, 'r1'), 'admin@contoso');
      expect(v1.version).toBe(1);
      t.clock.advance(1000);
      const v2 = await t.store.rules.save({ ...v1, name: 'Calls' }, 'other@contoso', 1);
      expect(v2).toEqual({ ...aRule(id, 'r1'), name: 'Calls', version: 2 });
      expect(await t.store.rules.get(id, 'r1')).toEqual(v2);
      const audit = await t.store.rules.audit(id, 10);
      expect(audit.map((a) => [a.action, a.actor])).toEqual([
        ['rule.update', 'other@contoso'],
        ['rule.create', 'admin@contoso'],
      ]);
      expect(audit[0]).toMatchObject({
        tenantId: id,
        entity: 'rule',
        entityId: 'r1',
        at: t.clock.now(),
        before: v1,
        after: v2,
      });
      expect(audit[1]).toMatchObject({ before: null, after: v1 });
    });

    it('refuses a save against a stale version with StoreConflictError and leaves the rule as it was', async () => {
      const id = freshTenant();
      const v1 = await t.store.rules.save(aRule(id, 'r1'), 'a');
      await t.store.rules.save({ ...v1, name: 'first' }, 'a', 1);
      await expect(t.store.rules.save({ ...v1, name: 'second' }, 'b', 1)).rejects.toThrow(StoreConflictError);
      expect((await t.store.rules.get(id, 'r1'))?.name).toBe('first');
      expect(await t.store.rules.audit(id, 10)).toHaveLength(2);
    });

    it('refuses creating a rule that exists when the caller expected none (version 0)', async () => {
      const id = freshTenant();
      await t.store.rules.save(aRule(id, 'r1'), 'a');
      await expect(t.store.rules.save(aRule(id, 'r1'), 'b', 0)).rejects.toMatchObject({ code: 'STORE.CONFLICT' });
    });

    it('of many concurrent saves against the same version exactly one wins', async () => {
      const id = freshTenant();
      const v1 = await t.store.rules.save(aRule(id, 'r1'), 'a');
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => t.store.rules.save({ ...v1, name: `edit ${i}` }, `admin${i}`, 1)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual(
        Array.from({ length: 7 }, () => expect.any(StoreConflictError)),
      );
      expect((await t.store.rules.get(id, 'r1'))?.version).toBe(2);
      expect(await t.store.rules.audit(id, 100)).toHaveLength(2);
    });

    it('lists rules of one tenant and deletes with an audit entry', async () => {
      const id = freshTenant();
      await t.store.rules.save(aRule(id, 'r2', { name: 'B' }), 'a');
      await t.store.rules.save(aRule(id, 'r1', { name: 'A' }), 'a');
      expect((await t.store.rules.list(id)).map((r) => r.id)).toEqual(['r1', 'r2']);
      expect(await t.store.rules.delete(id, 'r1', 'remover')).toBe(true);
      expect(await t.store.rules.delete(id, 'r1', 'remover')).toBe(false);
      expect((await t.store.rules.list(id)).map((r) => r.id)).toEqual(['r2']);
      expect((await t.store.rules.audit(id, 1))[0]).toMatchObject({
        action: 'rule.delete',
        actor: 'remover',
        after: null,
      });
    });

    it('names table and row when a stored rule is corrupt', async () => {
      const id = freshTenant();
      await t.store.rules.save(aRule(id, 'bad'), 'a');
      await t.raw('update presence_rules set body = ? where tenant_id = ?', ['{"id": 1', id]);
      await expect(t.store.rules.get(id, 'bad')).rejects.toThrow(
        `Corrupt row in presence_rules (${id}/bad): not valid JSON`,
      );
      await t.raw('update presence_rules set body = ? where tenant_id = ?', ['{"id": "bad"}', id]);
      await expect(t.store.rules.list(id)).rejects.toMatchObject({
        code: 'STORE.CORRUPT_ROW',
        table: 'presence_rules',
      });
    });
  });

  describe(`[${dialect}] lifecycle and keys`, () => {
    it('is not ready when a migration is missing from the database', async () => {
      const handle = isolatedLocation(dialect);
      try {
        const store = await handle.open([testKey()], { now: () => 1 });
        await handle.raw('delete from kysely_migration where name = ?', ['0002_inbox_pending_indexes']);
        expect(await store.ready()).toBe(false);
        await store.close();
      } finally {
        await handle.dispose();
      }
    });

    it('rotates keys: with the new key first, old rows still open and are re-sealed under the new key', async () => {
      const handle = isolatedLocation(dialect);
      const [oldKey, newKey] = [testKey(), testKey()];
      const clock = { now: () => 1 };
      try {
        const before = await handle.open([oldKey], clock);
        await before.tenants.putConnection('t1', 'graph', { clientSecret: 'rotating' });
        await before.close();
        const rotated = await handle.open([newKey, oldKey], clock);
        expect(await rotated.tenants.getConnection('t1', 'graph')).toEqual({ clientSecret: 'rotating' });
        expect(await rotated.tenants.resealConnections()).toBe(1);
        expect(await rotated.tenants.resealConnections()).toBe(0);
        await rotated.close();
        const newOnly = await handle.open([newKey], clock);
        expect(await newOnly.tenants.getConnection('t1', 'graph')).toEqual({ clientSecret: 'rotating' });
        await newOnly.close();
      } finally {
        await handle.dispose();
      }
    });

    it('re-opens an existing database without re-applying migrations, and a wrong key gives a clear error', async () => {
      const handle = isolatedLocation(dialect);
      const clock = { now: () => 1 };
      try {
        const first = await handle.open([testKey()], clock);
        await first.tenants.putConnection('t1', 'cxone', { secret: 'x' });
        await first.close();
        expect(await first.ready()).toBe(false);
        const second = await handle.open([testKey()], clock);
        expect(await second.ready()).toBe(true);
        await expect(second.tenants.getConnection('t1', 'cxone')).rejects.toMatchObject({
          code: 'STORE.SECRET_UNREADABLE',
          message: expect.stringMatching(/not configured/),
        });
        await second.close();
      } finally {
        await handle.dispose();
      }
    });
  });
}
