import type { ExternalFailure } from '../../application/ports.js';

type System = ExternalFailure['system'];

const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Retry-After is either delta-seconds (integers, and Graph sends decimals too) or an HTTP date
 * (RFC 9110 §10.2.3). Returns milliseconds, or undefined when absent/unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function httpFailure(
  system: System,
  status: number,
  code: string,
  message: string,
  extra: { requestId?: string | undefined; retryAfterMs?: number | undefined } = {},
): ExternalFailure {
  return {
    system,
    status,
    code,
    message,
    transient: TRANSIENT_STATUSES.has(status),
    ...(extra.requestId !== undefined ? { requestId: extra.requestId } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  };
}

/** A network error or timeout (no HTTP answer). Always transient. */
export function networkFailure(system: System, error: unknown): ExternalFailure {
  const e = error as { name?: string; code?: string; cause?: { code?: string }; message?: string };
  const timeout = e.name === 'TimeoutError' || e.name === 'AbortError' || e.cause?.code === 'UND_ERR_CONNECT_TIMEOUT';
  return {
    system,
    status: 0,
    code: timeout ? 'TIMEOUT' : 'NETWORK',
    message: `${system} unreachable: ${e.cause?.code ?? e.code ?? e.message ?? 'unknown error'}`,
    transient: true,
  };
}
