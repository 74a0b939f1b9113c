import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKyselyStore, type KyselyStore } from '../../../src/adapters/store/kysely-store.js';
import { eventually } from '../../e2e/sync/sandbox-harness.js';
import { anAcdEvent } from './store-builders.js';
import { TestClock } from './store-harness.js';

/**
 * The embedded store checkpoints its WAL from a worker thread (never inside one of the engine's
 * commits). What must hold: the WAL is still copied back into the database file while the store
 * runs, and a store closed afterwards reopens with everything in it.
 */
describe('SQLite WAL checkpoints in the background', () => {
  let dir: string;
  let store: KyselyStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'presence-ckpt-'));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file while the store is open', async () => {
    const path = join(dir, 'store.sqlite');
    const open = () =>
      createKyselyStore({
        location: { kind: 'sqlite', path },
        encryptionKeys: [randomBytes(32)],
        clock: new TestClock(),
      });
    store = await open();
    const sizeAfterMigrations = statSync(path).size;
    for (let batch = 0; batch < 10; batch += 1) {
      await store.inbox.append(
        Array.from({ length: 200 }, (_, n) => ({
          tenantId: 't1',
          agentId: `a${n}`,
          event: anAcdEvent('t1', `a${n}`, batch * 200 + n),
          receivedAt: n,
        })),
      );
    }
    await eventually(
      () => statSync(path).size > sizeAfterMigrations + 100_000 || undefined,
      'the database file to grow by the checkpointed pages',
      60_000,
      100,
    );
    await store.close();
    store = await open();
    expect(await store.inbox.depth('t1')).toBe(2000);
  });
});
