import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 500;

/**
 * Runs in a worker thread with its own connection: PASSIVE checkpoints never take the write
 * lock, so the process's writer goes on appending to the WAL meanwhile. Plain CommonJS text
 * (eval worker) so it runs the same from sources, tests and the build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); try { db.close(); } finally { parentPort.close(); } });
`;

/** The background checkpointer of one SQLite file. */
export interface SqliteCheckpointer {
  /** Stops the worker (its connection closes; the file is left consistent either way). */
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the event loop. better-sqlite3 is synchronous: the automatic
 * checkpoint runs inside whichever commit crosses the threshold (1000 pages) and, with
 * synchronous=NORMAL, ends in an fsync of the database file — measured at hundreds of ms on this
 * machine, all of it stalling every agent's events behind that commit. The caller turns the
 * automatic checkpoint off only once this worker is running and turns it back on if the worker
 * fails, so the WAL never grows without bound.
 */
export function startSqliteCheckpointer(path: string, onFailure: (error: unknown) => void): SqliteCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, everyMs: CHECKPOINT_EVERY_MS } });
  worker.unref();
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fail = (error: unknown): void => {
    if (!stopped) onFailure(error);
  };
  worker.on('error', fail);
  worker.on('message', (m: { error?: string }) => fail(new Error(`WAL checkpoint failed: ${m.error ?? 'unknown'}`)));
  worker.once('exit', (code) => fail(new Error(`WAL checkpointer exited (code ${code})`)));
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
