import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createKyselyStore, type KyselyStore, type StoreLocation } from '../../../src/adapters/store/kysely-store.js';
import type { Clock } from '../../../src/application/ports.js';

/**
 * The dialects the repository contract runs on, like Kysely's `for (const dialect of DIALECTS)`.
 * PostgreSQL: PG_TEST_URL or postgres://postgres@127.0.0.1:5432/test. When it is unreachable the
 * suite fails under CI=true and is skipped (loudly) otherwise.
 */
export const PG_URL = process.env['PG_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export type TestDialect = 'sqlite' | 'postgres';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function testDialects(): Promise<readonly TestDialect[]> {
  if (await postgresReachable()) return ['sqlite', 'postgres'];
  if (process.env['CI'] === 'true') return ['sqlite', 'postgres']; // runs, and fails with the connection error
  console.warn(
    `\n!!! PostgreSQL at ${PG_URL} is unreachable: the store contract runs on SQLite ONLY. (Under CI=true this fails.)\n`,
  );
  return ['sqlite'];
}

/** A controllable clock: tests move time explicitly, never sleep. */
export class TestClock {
  constructor(public t = 1_800_000_000_000) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export const testKey = (): Buffer => randomBytes(32);

/** Runs raw SQL beside the store (to corrupt a row, or to look at ciphertext). `?` placeholders. */
export type RawSql = (text: string, params?: readonly unknown[]) => Promise<readonly Record<string, unknown>[]>;

export interface TestStoreHandle {
  readonly location: StoreLocation;
  readonly raw: RawSql;
  /** Opens (and migrates) a store on this database. */
  open(keys: readonly Buffer[], clock: Clock): Promise<KyselyStore>;
  /** Drops what the handle created (temp dir / schema). */
  dispose(): Promise<void>;
}

/** A fresh, isolated database: a temp SQLite file, or a random PostgreSQL schema dropped afterwards. */
export function isolatedLocation(dialect: TestDialect): TestStoreHandle {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'presence-store-'));
    const path = join(dir, 'test.sqlite');
    let conn: SqliteDatabase.Database | undefined;
    const location: StoreLocation = { kind: 'sqlite', path };
    return {
      location,
      open: (keys, clock) => createKyselyStore({ location, encryptionKeys: keys, clock }),
      raw: async (text, params = []) => {
        conn ??= new SqliteDatabase(path);
        const stmt = conn.prepare(text);
        return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
      },
      dispose: async () => {
        conn?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
  const location: StoreLocation = { kind: 'postgres', url: PG_URL, schema, poolSize: 8 };
  const serialized = <T>(work: () => Promise<T>) => withDdlLock(pool, work);
  return {
    location,
    open: (keys, clock) => serialized(() => createKyselyStore({ location, encryptionKeys: keys, clock })),
    raw: async (text, params = []) => {
      let i = 0;
      const res = await pool.query(
        text.replace(/\?/g, () => `$${++i}`),
        [...params],
      );
      return res.rows as Record<string, unknown>[];
    },
    dispose: async () => {
      await serialized(() => pool.query(`drop schema if exists ${schema} cascade`));
      await pool.end();
    },
  };
}

/**
 * Test runs migrate and drop schemas in parallel (one per file and dialect). Kysely's migrator
 * introspects every schema of the database, and a schema dropped by another run mid-scan fails
 * that scan ("schema … does not exist"); so, in tests only, migrating and dropping take turns
 * under one advisory lock. Production never drops schemas while instances start.
 */
async function withDdlLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock(7307150)');
    return await work();
  } finally {
    await client.query('select pg_advisory_unlock(7307150)').catch(() => undefined);
    client.release();
  }
}

/** Opens a store on an isolated database; `close` closes it and drops the database. */
export async function openTestStore(dialect: TestDialect, keys: readonly Buffer[] = [testKey()]) {
  const handle = isolatedLocation(dialect);
  const clock = new TestClock();
  const store = await handle.open(keys, clock);
  return {
    store,
    clock,
    raw: handle.raw,
    handle,
    keys,
    async close() {
      await store.close();
      await handle.dispose();
    },
  };
}
export type TestStore = Awaited<ReturnType<typeof openTestStore>>;

let counter = 0;
/** A tenant id unique within the run, so tests sharing one database never see each other's rows. */
export const freshTenant = (): string => `tenant-${process.pid}-${++counter}`;
