import { setTimeout as delay } from 'node:timers/promises';
import {
  SqliteDialect,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * How SQLite waits for a lock another process holds (a backup tool, an admin's sqlite3 shell).
 * better-sqlite3 is synchronous: SQLite's own busy_timeout would stall the whole event loop for
 * as long as it waits (5 s per statement: no webhook answered, no health probe, no timer). So
 * SQLite waits at most `pragmaMs` at a time, and between attempts the wait is asynchronous, up to
 * `totalMs` in all; then the statement fails with SQLITE_BUSY as before and the store reports down.
 */
export interface SqliteBusyWait {
  readonly pragmaMs: number;
  readonly totalMs: number;
  readonly pauseMs: number;
}

export const SQLITE_BUSY_WAIT: SqliteBusyWait = Object.freeze({ pragmaMs: 25, totalMs: 5_000, pauseMs: 50 });

/** Lock contention that a later attempt of the same statement can get past. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // BUSY_SNAPSHOT: the transaction's snapshot is stale; only restarting the transaction helps.
  return (
    typeof code === 'string' &&
    (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY' || code === 'SQLITE_BUSY_TIMEOUT')
  );
}

class BusyRetryConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly wait: SqliteBusyWait,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const started = Date.now();
    for (;;) {
      try {
        return await this.inner.executeQuery<R>(query);
      } catch (error) {
        if (!isBusy(error) || Date.now() - started >= this.wait.totalMs) throw error;
        await delay(this.wait.pauseMs);
      }
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** Kysely's SQLite driver with every statement (and begin/commit) retried asynchronously while busy. */
class BusyRetryDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, BusyRetryConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly wait: SqliteBusyWait,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) this.#wrapped.set(connection, (wrapped = new BusyRetryConnection(connection, this.wait)));
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

export class BusyRetrySqliteDialect extends SqliteDialect {
  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly wait: SqliteBusyWait = SQLITE_BUSY_WAIT,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new BusyRetryDriver(super.createDriver(), this.wait);
  }
}
