import { StoreConflictError } from '../../application/ports.js';

/** A row that does not parse: named by table and id so an operator can find and fix it. */
export class StoreCorruptRowError extends Error {
  readonly code = 'STORE.CORRUPT_ROW';
  constructor(
    readonly table: string,
    readonly rowId: string,
    detail: string,
  ) {
    super(`Corrupt row in ${table} (${rowId}): ${detail}`);
    this.name = 'StoreCorruptRowError';
  }
}

/** A stored secret that does not open (wrong or missing key, or tampered ciphertext). */
export class StoreSecretError extends Error {
  readonly code = 'STORE.SECRET_UNREADABLE';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'StoreSecretError';
  }
}

/** SQLite (better-sqlite3) and PostgreSQL (pg, SQLSTATE 23505) report a unique clash differently. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('code' in e)) return false;
  const code = String(e.code);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs `work`, turning a unique clash into a StoreConflictError with `message`. */
export async function conflictOnClash<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isUniqueViolation(e)) throw new StoreConflictError(message);
    throw e;
  }
}
