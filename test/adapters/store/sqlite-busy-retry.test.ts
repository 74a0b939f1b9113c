import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { openDatabase } from '../../../src/adapters/store/kysely-database.js';
import { BusyRetrySqliteDialect } from '../../../src/adapters/store/sqlite-busy-retry.js';

/**
 * Another process (here: another handle) holds the SQLite write lock. The store waits for it
 * without stalling the event loop: timers keep firing, so the process still answers webhooks and
 * health probes, and here the very timer that releases the lock gets to run.
 */
describe('SQLite lock held elsewhere: the wait does not stall the event loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'presence-busy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Holds BEGIN EXCLUSIVE on `path` until `ms` later (released by a timer of this process). */
  const lockFor = (path: string, ms: number): Promise<void> => {
    const other = new SqliteDatabase(path);
    other.exec('BEGIN EXCLUSIVE');
    return new Promise((done) =>
      setTimeout(() => {
        other.exec('COMMIT');
        other.close();
        done();
      }, ms),
    );
  };

  it('a write waits for the lock asynchronously and lands once it is released', async () => {
    const path = join(dir, 'store.sqlite');
    const opened = await openDatabase({ kind: 'sqlite', path });
    try {
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 10);
      const released = lockFor(path, 300);
      await opened.db.insertInto('leases').values({ name: 'n', holder: 'h', expires_at: 1 }).execute();
      clearInterval(ticker);
      await released;
      expect(await opened.db.selectFrom('leases').select('holder').where('name', '=', 'n').executeTakeFirst()).toEqual({
        holder: 'h',
      });
      // ~300 ms of waiting with a 10 ms timer: a blocked loop would have let none run.
      expect(ticks).toBeGreaterThan(5);
    } finally {
      await opened.close();
    }
  });

  it('a lock held past the wait budget still fails with SQLITE_BUSY (the store reports down), and the next try succeeds', async () => {
    const path = join(dir, 'short.sqlite');
    new SqliteDatabase(path).exec('create table t (v integer)');
    const handle = new SqliteDatabase(path);
    handle.pragma('busy_timeout = 5');
    const db = new Kysely<{ t: { v: number } }>({
      dialect: new BusyRetrySqliteDialect({ database: handle }, { pragmaMs: 5, totalMs: 150, pauseMs: 20 }),
    });
    try {
      const released = lockFor(path, 600);
      await expect(db.insertInto('t').values({ v: 1 }).execute()).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      await released;
      await db.insertInto('t').values({ v: 2 }).execute();
      expect((await sql<{ v: number }>`select v from t`.execute(db)).rows).toEqual([{ v: 2 }]);
    } finally {
      await db.destroy();
    }
  });
});
