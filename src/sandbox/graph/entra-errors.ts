import { randomUUID } from 'node:crypto';
import type { EmulatorResponse } from './emulator-http.js';

/** Entra's wire timestamp: `2016-01-09 02:02:12Z`. */
export function entraTimestamp(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** The fields every AADSTS error carries, on the token endpoint (JSON) and in redirects (query). */
export interface AadstsError {
  readonly error: string;
  readonly error_description: string;
  readonly error_codes: number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
}

/**
 * Entra's error shape (README "Errors"): the description ends with the trace id, the correlation
 * id (the caller's `client-request-id` when it sent one) and the timestamp, and `error_uri` points
 * at the error lookup page.
 */
export function aadstsError(
  error: string,
  aadsts: number,
  description: string,
  now: number,
  correlationId?: string,
): AadstsError {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = entraTimestamp(now);
  return {
    error,
    error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  };
}

export function entraError(
  status: number,
  error: string,
  aadsts: number,
  description: string,
  now: number,
  correlationId?: string,
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: aadstsError(error, aadsts, description, now, correlationId),
  };
}
