import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.js';
import { TestClock, testKey } from '../adapters/store/store-harness.js';

/**
 * Another account on the same machine (a shared jump host, a CI runner) reads the embedded SQLite
 * store: sealed secrets, agents' e-mails, the audit log. The files must be readable by the
 * service's own user only, whatever the umask, and an older world-readable file is tightened.
 */
describe('the embedded SQLite store on a machine with other users', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-perms-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const othersCanRead = (path: string): boolean => (statSync(path).mode & 0o077) !== 0;

  it('creates the database, its WAL and its shared-memory file readable by the owner only', async () => {
    const path = join(dir, 'data', 'presence-sync.db');
    const store = await createKyselyStore({
      location: { kind: 'sqlite', path },
      encryptionKeys: [testKey()],
      clock: new TestClock(),
    });
    try {
      await store.tenants.putConnection('tenant-a', 'cxone', { clientSecret: 's' });
      for (const file of [path, `${path}-wal`, `${path}-shm`])
        expect([file, othersCanRead(file)]).toEqual([file, false]);
      expect(othersCanRead(join(dir, 'data'))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('tightens a database file an older version left world-readable', async () => {
    const path = join(dir, 'old.db');
    writeFileSync(path, '', { mode: 0o644 });
    expect(othersCanRead(path)).toBe(true);
    const store = await createKyselyStore({
      location: { kind: 'sqlite', path },
      encryptionKeys: [testKey()],
      clock: new TestClock(),
    });
    await store.close();
    expect(othersCanRead(path)).toBe(false);
  });
});
