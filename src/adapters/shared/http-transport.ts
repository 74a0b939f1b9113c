import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
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
 * One TLS context per extra CA, shared by every transport and connection that trusts it. Given
 * only `ca`, Node builds a fresh context for each connection and parses Node's ~145 root
 * certificates into it again: a few hundred KB of native memory per connection, churned at every
 * keep-alive reconnect (the product's pools hold up to 64 connections per system).
 */
const contexts = new Map<string, SecureContext>();
/** Distinct extra CAs kept (one in production, one per emulated world in tests): the oldest goes beyond it. */
const MAX_CONTEXTS = 8;
function trusting(extraCaPem: string): SecureContext {
  let context = contexts.get(extraCaPem);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, extraCaPem] });
    contexts.set(extraCaPem, context);
    if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
  }
  return context;
}

/**
 * One keep-alive connection pool per external system. The extra CA is added to Node's default
 * roots (not replacing them) so the same transport reaches both the emulators and Microsoft.
 */
export function createHttpTransport(options: HttpTransportOptions): {
  fetch: HttpFetch;
  dispatcher: Dispatcher;
  /** The TLS context every connection uses when an extra CA is trusted (Node's default otherwise). */
  secureContext: SecureContext | undefined;
  close(): Promise<void>;
} {
  const opts = Object.freeze({ ...options });
  const secureContext = opts.extraCaPem ? trusting(opts.extraCaPem) : undefined;
  const dispatcher = new Agent({
    connect: secureContext ? { secureContext } : {},
    connections: opts.connections ?? 64,
    keepAliveTimeout: 30_000,
  });
  return {
    dispatcher,
    secureContext,
    fetch: (url, init) =>
      fetch(url, { ...init, dispatcher, signal: init?.signal ?? AbortSignal.timeout(opts.timeoutMs) }),
    close: () => dispatcher.close(),
  };
}
