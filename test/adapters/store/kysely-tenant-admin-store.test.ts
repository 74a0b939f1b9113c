import type { TenantAdmin } from '../../../src/application/ports.js';
import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

const admin = (tenantId: string, aadObjectId: string, over: Partial<TenantAdmin> = {}): TenantAdmin => ({
  tenantId,
  aadObjectId,
  name: `Admin ${aadObjectId}`,
  source: 'sso',
  role: 'admin',
  lastSeen: 1_800_000_000_000,
  ...over,
});

for (const dialect of DIALECTS) {
  describe(`[${dialect}] tenant admins`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('records an admin and reads it back exactly (epoch-ms lastSeen beyond 32 bits)', async () => {
      const id = freshTenant();
      await t.store.tenantAdmins.record(admin(id, 'u1'));
      expect(await t.store.tenantAdmins.get(id, 'u1')).toEqual(admin(id, 'u1'));
      expect(await t.store.tenantAdmins.get(id, 'u2')).toBeUndefined();
    });

    it('a second sighting refreshes name, source and lastSeen instead of adding a row', async () => {
      const id = freshTenant();
      await t.store.tenantAdmins.record(admin(id, 'u1'));
      await t.store.tenantAdmins.record(
        admin(id, 'u1', { name: 'Renamed', source: 'owner', lastSeen: 1_800_000_086_400 }),
      );
      expect(await t.store.tenantAdmins.list(id)).toEqual([
        admin(id, 'u1', { name: 'Renamed', source: 'owner', lastSeen: 1_800_000_086_400 }),
      ]);
    });

    it('keeps the role each user was seen with: support staff apart from admins', async () => {
      const id = freshTenant();
      await t.store.tenantAdmins.record(admin(id, 'u1', { role: 'support' }));
      expect((await t.store.tenantAdmins.get(id, 'u1'))?.role).toBe('support');
      await t.store.tenantAdmins.record(admin(id, 'u1', { role: 'admin' }));
      expect((await t.store.tenantAdmins.get(id, 'u1'))?.role).toBe('admin');
    });

    it('lists one tenant only, and remove forgets one admin', async () => {
      const [a, b] = [freshTenant(), freshTenant()];
      await t.store.tenantAdmins.record(admin(a, 'u2'));
      await t.store.tenantAdmins.record(admin(a, 'u1'));
      await t.store.tenantAdmins.record(admin(b, 'u1'));
      expect((await t.store.tenantAdmins.list(a)).map((x) => x.aadObjectId)).toEqual(['u1', 'u2']);
      await t.store.tenantAdmins.remove(a, 'u1');
      expect((await t.store.tenantAdmins.list(a)).map((x) => x.aadObjectId)).toEqual(['u2']);
      expect(await t.store.tenantAdmins.get(b, 'u1')).toEqual(admin(b, 'u1'));
    });

    it('refuses to read a row with an unknown source as an admin', async () => {
      const id = freshTenant();
      await t.store.tenantAdmins.record(admin(id, 'u1'));
      await t.raw('update tenant_admins set source = ? where tenant_id = ?', ['guessed', id]);
      await expect(t.store.tenantAdmins.get(id, 'u1')).rejects.toMatchObject({ code: 'STORE.CORRUPT_ROW' });
    });
  });
}
