import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from './emulator-http.js';

/** Entra's error body shape (reference graph-presence.md §8.1). */
export function entraError(
  status: number,
  error: string,
  aadsts: number,
  description: string,
  now: number,
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}`,
      error_codes: [aadsts],
      timestamp: new Date(now).toISOString().replace('T', ' '),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}
