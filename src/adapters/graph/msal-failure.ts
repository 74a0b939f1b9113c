import type { ExternalFailure } from '../../application/ports.js';

/** An MSAL error as our ExternalFailure (system `entra`); invalid_grant & co. are not transient. */
export function msalFailure(e: unknown): ExternalFailure {
  const x = e as { errorCode?: string; errorMessage?: string; message?: string; subError?: string; status?: number };
  const code = x.errorCode ?? 'MSAL_ERROR';
  const transient =
    /network|timeout|temporarily|unavailable/i.test(`${code} ${x.errorMessage ?? x.message ?? ''}`) &&
    !/invalid_grant|invalid_client/.test(code);
  return {
    system: 'entra',
    status: x.status ?? 0,
    code,
    message: (x.errorMessage ?? x.message ?? 'token request failed').slice(0, 300),
    transient,
  };
}
