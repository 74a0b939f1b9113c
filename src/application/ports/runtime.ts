/** Time, randomness and logging are injected so the application is deterministic under test. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IdGenerator {
  /** A new unique id (UUID v4 in production). */
  next(): string;
}

/** The subset of pino the application uses; adapters pass a real pino logger. */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/**
 * An error from an external system, normalised to one shape (design.md §5) so retry, health and
 * traces handle CXone and Graph alike.
 */
export interface ExternalFailure {
  /** Which dependency answered. */
  readonly system: 'cxone' | 'graph' | 'entra' | 'botframework' | 'store';
  /** HTTP status, or 0 for a network error / timeout. */
  readonly status: number;
  /** A stable code: the remote's (e.g. `TooManyRequests`, `invalid_grant`) or ours (`NETWORK`, `TIMEOUT`, `BAD_RESPONSE`). */
  readonly code: string;
  readonly message: string;
  readonly requestId?: string;
  /** Milliseconds to wait before retrying, from Retry-After. */
  readonly retryAfterMs?: number;
  /** True for 429/503/504/network/timeouts: try again later. */
  readonly transient: boolean;
}
