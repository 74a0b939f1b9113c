import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from './emulator-http.js';

/** Graph's error shape (reference graph-presence.md §8.2). */
export function graphError(
  status: number,
  code: string,
  message: string,
  now: number,
  headers: Record<string, string> = {},
): EmulatorResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'application/json', 'request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date(now).toISOString(), 'request-id': requestId, 'client-request-id': requestId },
      },
    },
  };
}

/**
 * README "Throttling": the 429 body and Retry-After header; the innerError repeats the status as
 * its `code` and `status`, as in Microsoft's throttling example.
 */
export function tooManyRequests(retryAfterSec: number, now: number): EmulatorResponse {
  const r = graphError(429, 'TooManyRequests', 'Please retry again later.', now, {
    'retry-after': String(retryAfterSec),
  });
  const body = r.body as { error: { innerError: Record<string, string> } };
  return {
    ...r,
    body: {
      error: {
        ...body.error,
        innerError: { code: '429', message: 'Please retry after', status: '429', ...body.error.innerError },
      },
    },
  };
}

export const forbidden = (now: number): EmulatorResponse =>
  graphError(403, 'Forbidden', 'The request is not authorized for this user or application.', now);
