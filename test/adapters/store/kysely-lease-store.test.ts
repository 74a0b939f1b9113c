import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

for (const dialect of DIALECTS) {
  describe(`[${dialect}] leases`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('acquires a free lease, renews it for the holder, refuses others while it lasts', async () => {
      const name = `sync:${freshTenant()}`;
      expect(await t.store.leases.acquire(name, 'i1', 10_000)).toBe(true);
      expect(await t.store.leases.acquire(name, 'i2', 10_000)).toBe(false);
      t.clock.advance(9_000);
      expect(await t.store.leases.acquire(name, 'i1', 10_000)).toBe(true);
      t.clock.advance(9_000);
      expect(await t.store.leases.acquire(name, 'i2', 10_000)).toBe(false);
      expect(await t.store.leases.holder(name)).toBe('i1');
    });

    it('lets another holder take it after expiry, after which the old holder cannot renew', async () => {
      const name = `sync:${freshTenant()}`;
      await t.store.leases.acquire(name, 'i1', 1_000);
      t.clock.advance(1_000);
      expect(await t.store.leases.holder(name)).toBeUndefined();
      expect(await t.store.leases.acquire(name, 'i2', 1_000)).toBe(true);
      expect(await t.store.leases.acquire(name, 'i1', 1_000)).toBe(false);
      expect(await t.store.leases.holder(name)).toBe('i2');
    });

    it('release frees it at once, and only the holder can release', async () => {
      const name = `sync:${freshTenant()}`;
      await t.store.leases.acquire(name, 'i1', 60_000);
      await t.store.leases.release(name, 'i2');
      expect(await t.store.leases.holder(name)).toBe('i1');
      await t.store.leases.release(name, 'i1');
      expect(await t.store.leases.holder(name)).toBeUndefined();
      expect(await t.store.leases.acquire(name, 'i2', 60_000)).toBe(true);
    });

    it('takes a live lease over from a holder known to be gone, and only from that holder', async () => {
      const name = `sync:${freshTenant()}`;
      await t.store.leases.acquire(name, 'dead', 60_000);
      expect(await t.store.leases.takeOver(name, 'someone-else', 'i2', 10_000)).toBe(false);
      expect(await t.store.leases.holder(name)).toBe('dead');
      expect(await t.store.leases.takeOver(name, 'dead', 'i2', 10_000)).toBe(true);
      expect(await t.store.leases.holder(name)).toBe('i2');
      // A second taker racing on the same dead holder loses: the lease moved on.
      expect(await t.store.leases.takeOver(name, 'dead', 'i3', 10_000)).toBe(false);
      t.clock.advance(9_000);
      expect(await t.store.leases.holder(name)).toBe('i2');
      expect(await t.store.leases.takeOver(`sync:${freshTenant()}`, 'dead', 'i2', 10_000)).toBe(false);
    });

    it('of many concurrent acquires exactly one wins', async () => {
      const name = `sync:${freshTenant()}`;
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => t.store.leases.acquire(name, `i${i}`, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await t.store.leases.holder(name)).toBe(`i${results.indexOf(true)}`);
    });

    it('of many concurrent steals of an expired lease exactly one wins', async () => {
      const name = `sync:${freshTenant()}`;
      await t.store.leases.acquire(name, 'old', 1_000);
      t.clock.advance(2_000);
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => t.store.leases.acquire(name, `i${i}`, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
