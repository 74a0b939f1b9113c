import { isolatedLocation, TestClock, testKey, type TestStoreHandle } from '../adapters/store/store-harness.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';

/**
 * An attacker who can write to the database (a leaked backup restored, a compromised replica) but
 * does not hold SECRET_ENCRYPTION_KEY must not get a sealed secret of theirs accepted. AES-GCM
 * accepts a shortened tag unless the tag length is pinned, and a 4-byte tag is forged in about
 * 2^32 trials; so a sealed value whose tag is not the full 16 bytes must never open.
 */
describe('a sealed secret with its authentication tag cut short', () => {
  let db: TestStoreHandle;
  let store: KyselyStore;
  const key = testKey();

  beforeEach(async () => {
    db = isolatedLocation('sqlite');
    store = await db.open([key], new TestClock());
    await store.tenants.putConnection('tenant-a', 'cxone', { clientSecret: 'the-real-secret' });
  });
  afterEach(async () => {
    await store.close();
    await db.dispose();
  });

  const cutTag = async (bytes: number): Promise<void> => {
    const [row] = await db.raw('select sealed from tenant_connections where tenant_id = ? and kind = ?', [
      'tenant-a',
      'cxone',
    ]);
    const parts = String(row?.['sealed']).split('.');
    parts[3] = Buffer.from(parts[3] ?? '', 'base64url')
      .subarray(0, bytes)
      .toString('base64url');
    await db.raw('update tenant_connections set sealed = ? where tenant_id = ? and kind = ?', [
      parts.join('.'),
      'tenant-a',
      'cxone',
    ]);
  };

  it.each([4, 12])('is refused as unreadable with a %i-byte tag, never opened', async (bytes) => {
    await cutTag(bytes);
    await expect(store.tenants.getConnection('tenant-a', 'cxone')).rejects.toMatchObject({
      code: 'STORE.SECRET_UNREADABLE',
    });
  });
});
