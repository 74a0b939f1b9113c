import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'restify';
import type { Clock } from '../../application/ports.js';
import { err } from '../../domain/result.js';
import type { TabApiDeps } from './api/api-deps.js';
import { sendProblem } from './api/api-http.js';
import { problem, type ApiProblem } from './api/api-problem.js';
import { API_BASE } from './api/api-openapi.js';
import type { SsoVerifier } from './api/sso-token-verifier.js';

/** One token bucket family: `capacity` requests at once, refilled at `refillPerSecond`. */
export interface BucketOptions {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets keyed by a string (tenant id, client IP). Memory is bounded: past `maxKeys`
 * the least recently refilled buckets are dropped, so a spray of new keys cannot grow the map —
 * a dropped key simply starts again with a full bucket.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: BucketOptions,
    private readonly clock: Clock,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): TakeResult {
    const now = this.clock.now();
    const { capacity, refillPerSecond } = this.options;
    const b = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (Math.max(0, now - b.at) / 1000) * refillPerSecond);
    b.at = now;
    // Re-insert so Map order is least-recently-used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, b);
    this.#evict();
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / refillPerSecond)) };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #evict(): void {
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.maxKeys) return;
      this.#buckets.delete(key);
    }
  }
}

/** Limits of the tab API. */
export interface ApiRateLimitOptions {
  /** Per signed-in tenant (the verified token's `tid`), charged after the token is verified. */
  readonly perTenant: BucketOptions;
  /** Per client address, charged before anything else (unauthenticated floods included). */
  readonly perIp: BucketOptions;
  readonly clock: Clock;
  /**
   * The client address of a request. Default: the socket's peer address. Behind a load balancer
   * pass a function reading the address the balancer appends (never trust a client-set header).
   */
  readonly clientIp?: (req: IncomingMessage) => string;
  /** Most buckets kept per family (default 10 000). */
  readonly maxKeys?: number;
}

/** Generous defaults: a busy admin tab makes a few requests a second; a script gets slowed down. */
export const DEFAULT_API_RATE_LIMITS = Object.freeze({
  perTenant: Object.freeze({ capacity: 120, refillPerSecond: 20 }),
  perIp: Object.freeze({ capacity: 60, refillPerSecond: 10 }),
});

export const tooManyRequests = (scope: 'tenant' | 'client', retryAfterSeconds: number): ApiProblem =>
  problem(
    429,
    'API.RATE_LIMITED',
    'Too many requests',
    `Too many requests from this ${scope}; retry after ${retryAfterSeconds} s.`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );

/** Charges the tenant bucket once a token has been verified (an unverified `tid` must not spend another tenant's budget). */
export function rateLimitedVerifier(verifier: SsoVerifier, buckets: TokenBuckets): SsoVerifier {
  return async (authorization) => {
    const caller = await verifier(authorization);
    if (!caller.ok) return caller;
    const taken = buckets.take(caller.value.tenantId);
    return taken.allowed ? caller : err(tooManyRequests('tenant', taken.retryAfterSeconds));
  };
}

type PreHandler = (req: IncomingMessage, res: ServerResponse, next: (proceed?: boolean) => void) => void;

/** A restify `pre` handler charging the per-IP bucket for every request below `prefix`. */
export function perIpLimiter(
  buckets: TokenBuckets,
  clientIp: (req: IncomingMessage) => string,
  prefix = API_BASE,
): PreHandler {
  return (req, res, next) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return next();
    const taken = buckets.take(clientIp(req));
    if (taken.allowed) return next();
    sendProblem(res, tooManyRequests('client', taken.retryAfterSeconds), path);
    return next(false);
  };
}

const socketAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/**
 * Rate limits for the tab API, for the composition root:
 * `registerTabApi(server, rateLimitTabApi(server, deps, options))`. Installs the per-IP limiter
 * on the server and returns the deps with the per-tenant limit folded into the token verifier.
 */
export function rateLimitTabApi(server: Server, deps: TabApiDeps, options: ApiRateLimitOptions): TabApiDeps {
  const ip = new TokenBuckets(options.perIp, options.clock, options.maxKeys);
  const tenant = new TokenBuckets(options.perTenant, options.clock, options.maxKeys);
  server.pre(perIpLimiter(ip, options.clientIp ?? socketAddress) as unknown as Parameters<Server['pre']>[0]);
  return { ...deps, verifier: rateLimitedVerifier(deps.verifier, tenant) };
}
