import { rootCertificates } from 'node:tls';
import { Agent, fetch, type Dispatcher } from 'undici';

/** Options of the HTTP transport shared by the CXone and Graph adapters. */
export interface HttpTransportOptions {
  /** Extra CA certificates to trust (PEM) — the sandbox CA; real services need none. */
  readonly extraCaPem?: string;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  readonly connections?: number;
}

export type HttpFetch = (url: string, init?: Parameters<typeof fetch>[1]) => ReturnType<typeof fetch>;

/**
 * One keep-alive connection pool per external system. The extra CA is added to Node's default
 * roots (not replacing them) so the same transport reaches both the emulators and Microsoft.
 */
export function createHttpTransport(options: HttpTransportOptions): {
  fetch: HttpFetch;
  dispatcher: Dispatcher;
  close(): Promise<void>;
} {
  const opts = Object.freeze({ ...options });
  const connect = opts.extraCaPem ? { ca: [...rootCertificates, opts.extraCaPem] } : {};
  const dispatcher = new Agent({ connect, connections: opts.connections ?? 64, keepAliveTimeout: 30_000 });
  return {
    dispatcher,
    fetch: (url, init) =>
      fetch(url, { ...init, dispatcher, signal: init?.signal ?? AbortSignal.timeout(opts.timeoutMs) }),
    close: () => dispatcher.close(),
  };
}
