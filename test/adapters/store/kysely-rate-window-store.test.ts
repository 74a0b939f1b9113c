import { freshTenant, openTestStore, testDialects, type TestStore } from './store-harness.js';

const DIALECTS = await testDialects();

for (const dialect of DIALECTS) {
  describe(`[${dialect}] API rate windows`, () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(dialect);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('counts every hit of a key in its window, each caller seeing a distinct count', async () => {
      const key = `tenant/${freshTenant()}`;
      const counts = await Promise.all(Array.from({ length: 20 }, () => t.store.rateWindows.hit(key, 60_000)));
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await t.store.rateWindows.hit(key, 70_000)).toBe(1);
      expect(await t.store.rateWindows.hit(`${key}-other`, 60_000)).toBe(1);
    });

    it('purges windows that started before a time, and only those', async () => {
      const key = `user/${freshTenant()}/u1`;
      await t.store.rateWindows.hit(key, 1_000);
      await t.store.rateWindows.hit(key, 2_000);
      expect(await t.store.rateWindows.purge(2_000)).toBeGreaterThanOrEqual(1);
      expect(await t.store.rateWindows.hit(key, 2_000)).toBe(2);
      expect(await t.store.rateWindows.hit(key, 1_000)).toBe(1);
    });
  });
}
