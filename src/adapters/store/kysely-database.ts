import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  DEFAULT_MIGRATION_TABLE,
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type Dialect,
  type MigrationProvider,
} from 'kysely';
import pg from 'pg';
import { migrationProvider, type StoreDialect } from './kysely-migrations.js';
import { startSqliteCheckpointer } from './sqlite-checkpointer.js';
import { BusyRetrySqliteDialect, SQLITE_BUSY_WAIT } from './sqlite-busy-retry.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type { Database } from './kysely-schema.js';

/** Where the store lives: an embedded SQLite file (or `:memory:`), or a PostgreSQL server. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** Schema to use (search_path); created if absent. Tests use one per run. */
      readonly schema?: string;
      readonly poolSize?: number;
    };

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * pg returns BIGINT as strings (it can exceed 2^53); our BIGINTs are epoch ms and sequence
 * numbers, far below that, so they are read as numbers. Scoped to our pool, not pg's globals.
 */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_INT8 || oid === PG_NUMERIC
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function postgresDialect(loc: Extract<StoreLocation, { kind: 'postgres' }>): Dialect {
  if (loc.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(loc.schema))
    throw new Error(`Invalid PostgreSQL schema name: ${loc.schema}`);
  const pool = new pg.Pool({
    connectionString: loc.url,
    max: loc.poolSize ?? 10,
    types: pgTypes,
    ...(loc.schema ? { options: `-c search_path=${loc.schema}` } : {}),
    // A server that does not answer (dropped packets) fails the query instead of hanging it for minutes.
    connectionTimeoutMillis: 10_000,
  });
  // A connection the server or the network drops (restart, failover, pg_terminate_backend) arrives
  // as an 'error' event: on the pool for an idle client, on the client itself while it is checked
  // out between two queries (e.g. inside a transaction). Unhandled, either crashes the process. The
  // dead client is discarded (on release) and the next query connects afresh; the queries failing
  // meanwhile reject, and their callers report the store down.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => void client.on('error', () => undefined));
  return new PostgresDialect({ pool });
}

/**
 * The database holds sealed secrets, agents' e-mails and the audit log: only the service's own
 * user may read it. SQLite gives its -wal and -shm files the main file's permissions, so setting
 * the main file is enough; a file left readable by an older version is tightened at start.
 */
function ownerOnlyFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) chmodSync(path, 0o600);
  else closeSync(openSync(path, 'a', 0o600));
  for (const side of ['-wal', '-shm']) if (existsSync(path + side)) chmodSync(path + side, 0o600);
}

function sqliteDialect(path: string): { dialect: Dialect; stop: () => Promise<void> } {
  if (path !== ':memory:') ownerOnlyFile(path);
  const db = new SqliteDatabase(path);
  // WAL: readers do not block the writer. A second process holding a lock is waited for in short
  // synchronous steps with asynchronous pauses between them (sqlite-busy-retry.ts).
  db.pragma('journal_mode = WAL');
  // synchronous=NORMAL in WAL mode: a commit is appended to the WAL without an fsync (the WAL is
  // synced at checkpoints). A committed transaction survives a crash or SIGKILL of the process —
  // what we promise: restart mid-storm loses nothing — but the last commits before a power loss or
  // OS crash may be rolled back (the database stays consistent). FULL would fsync every inbox
  // append and completion, which dominated the engine's latency under load.
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${SQLITE_BUSY_WAIT.pragmaMs}`);
  db.pragma('foreign_keys = ON');
  // Keeps the WAL file from staying at its high-water mark after a burst.
  db.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
  let stop = (): Promise<void> => Promise.resolve();
  if (path !== ':memory:') {
    const checkpointer = startSqliteCheckpointer(path, () => db.open && db.pragma('wal_autocheckpoint = 1000'));
    db.pragma('wal_autocheckpoint = 0');
    stop = () => checkpointer.stop();
  }
  return { dialect: new BusyRetrySqliteDialect({ database: withStatementCache(db) }), stop };
}

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** True when reachable and every migration is applied. */
  readonly migrationsApplied: () => Promise<boolean>;
  /** Stops background work (the SQLite checkpointer) and closes the connections. */
  readonly close: () => Promise<void>;
}

/** Opens the database and applies every pending migration; throws if one fails. */
export async function openDatabase(loc: StoreLocation): Promise<OpenDatabase> {
  const dialect: StoreDialect = loc.kind;
  const opened =
    loc.kind === 'sqlite' ? sqliteDialect(loc.path) : { dialect: postgresDialect(loc), stop: () => Promise.resolve() };
  const db = new Kysely<Database>({ dialect: opened.dialect });
  const close = async (): Promise<void> => {
    await opened.stop();
    await db.destroy();
  };
  const schema = loc.kind === 'postgres' ? loc.schema : undefined;
  try {
    if (schema) await db.schema.createSchema(schema).ifNotExists().execute();
    const provider = migrationProvider(dialect);
    const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
    const { error } = await migrator.migrateToLatest();
    if (error)
      throw new Error(`Store migration failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    return { db, dialect, migrationsApplied: () => migrationsApplied(db, provider, schema), close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Reads Kysely's migration table directly (not Migrator.getMigrations, which introspects every
 * table of the database): cheap enough for every /readyz probe.
 */
async function migrationsApplied(
  db: Kysely<Database>,
  provider: MigrationProvider,
  schema: string | undefined,
): Promise<boolean> {
  const table = schema ? `${schema}.${DEFAULT_MIGRATION_TABLE}` : DEFAULT_MIGRATION_TABLE;
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db);
  const applied = new Set(rows.map((r) => r.name));
  return Object.keys(await provider.getMigrations()).every((name) => applied.has(name));
}
