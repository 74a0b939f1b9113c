import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createKyselyStore, type StoreLocation } from '../../../src/adapters/store/kysely-store.js';

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
  console.warn(`\n!!! PostgreSQL at ${PG_URL} is unreachable: the store contract runs on SQLite ONLY. (Under CI=true this fails.)\n`);
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
  /** Drops what the handle created (temp dir / schema). */
  dispose(): Promise<void>;
}

/** A fresh, isolated database: a temp SQLite file, or a random PostgreSQL schema dropped afterwards. */
export function isolatedLocation(dialect: TestDialect): TestStoreHandle {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'presence-store-'));
    const path = join(dir, 'test.sqlite');
    let conn: SqliteDatabase.Database | undefined;
    return {
      location: { kind: 'sqlite', path },
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
  return {
    location: { kind: 'postgres', url: PG_URL, schema, poolSize: 8 },
    raw: async (text, params = []) => {
      let i = 0;
      const res = await pool.query(text.replace(/\?/g, () => `$${++i}`), [...params]);
      return res.rows as Record<string, unknown>[];
    },
    dispose: async () => {
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
}

/** Opens a store on an isolated database; `close` closes it and drops the database. */
export async function openTestStore(dialect: TestDialect, keys: readonly Buffer[] = [testKey()]) {
  const handle = isolatedLocation(dialect);
  const clock = new TestClock();
  const store = await createKyselyStore({ location: handle.location, encryptionKeys: keys, clock });
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
