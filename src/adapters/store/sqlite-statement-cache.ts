import type { Database as BetterSqliteDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept prepared; the engine's hot path uses a few dozen distinct ones. */
const MAX_CACHED = 256;
/** Longer texts are multi-row inserts whose text changes with the row count: not worth keeping. */
const MAX_CACHED_SQL_LENGTH = 4_000;

/**
 * The better-sqlite3 handle as Kysely's SqliteDialect sees it, keeping prepared statements by
 * SQL text. Kysely's driver prepares every query afresh, which costs as much as running the
 * small per-event statements themselves. A statement still being iterated (a streamed select)
 * is busy and cannot be reused: such a call gets a fresh one.
 */
export function withStatementCache(db: BetterSqliteDatabase): SqliteDatabase {
  const cache = new Map<string, Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        // Map order is insertion order: re-inserting makes it the most recently used.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const stmt = db.prepare(sql);
      if (cached || sql.length > MAX_CACHED_SQL_LENGTH) return stmt;
      cache.set(sql, stmt);
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}
