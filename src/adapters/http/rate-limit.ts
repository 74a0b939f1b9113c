import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'restify';
import type { Clock, RateWindowStore } from '../../application/ports.js';
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
    const b = this.#refilled(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return this.#refusal(b);
  }

  /** Whether `key` has a token left, without taking it (the cost is charged once known). */
  peek(key: string): TakeResult {
    const b = this.#refilled(key);
    return b.tokens >= 1 ? { allowed: true } : this.#refusal(b);
  }

  /** Takes `cost` tokens after the fact; the debt (at most one bucket) is paid back before the next `peek` passes. */
  charge(key: string, cost: number): void {
    const b = this.#refilled(key);
    b.tokens = Math.max(-this.options.capacity, b.tokens - cost);
  }

  #refilled(key: string): Bucket {
    const now = this.clock.now();
    const { capacity, refillPerSecond } = this.options;
    const b = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (Math.max(0, now - b.at) / 1000) * refillPerSecond);
    b.at = now;
    // Re-insert so Map order is least-recently-used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, b);
    this.#evict();
    return b;
  }

  #refusal(b: Bucket): TakeResult {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.options.refillPerSecond)) };
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

/**
 * Limits shared by every instance on the store, per fixed window: the local buckets cut a flood on
 * the instance it hits; these make a tenant's and a user's budget one budget behind a load
 * balancer instead of one per instance.
 */
export interface SharedApiLimits {
  readonly windows: RateWindowStore;
  readonly windowMs: number;
  /** Requests of one tenant per window, all its users and all instances together. */
  readonly perTenant: number;
  /** Requests of one signed-in user per window, all instances together. */
  readonly perUser: number;
}

/** Limits of the tab API. */
export interface ApiRateLimitOptions {
  /** Per signed-in tenant (the verified token's `tid`), charged after the token is verified. */
  readonly perTenant: BucketOptions;
  /** Per signed-in user (`tid` + `oid`), so one user cannot spend the whole tenant's budget. */
  readonly perUser: BucketOptions;
  /** Per client address, charged before anything else (unauthenticated floods included). */
  readonly perIp: BucketOptions;
  readonly shared: SharedApiLimits;
  readonly clock: Clock;
  /**
   * The client address of a request (`clientAddress(trustedProxyHops)`): behind a load balancer the
   * socket peer is the balancer, and keying on it would let one client lock everyone out.
   */
  readonly clientIp: (req: IncomingMessage) => string;
  /** Most buckets kept per family (default 10 000). */
  readonly maxKeys?: number;
}

/**
 * Generous defaults: a busy admin tab makes a few requests a second; a script gets slowed down.
 * The per-address limit is well above what one office behind one NAT address sends.
 */
export const DEFAULT_API_RATE_LIMITS = Object.freeze({
  perTenant: Object.freeze({ capacity: 120, refillPerSecond: 20 }),
  perUser: Object.freeze({ capacity: 60, refillPerSecond: 10 }),
  perIp: Object.freeze({ capacity: 120, refillPerSecond: 20 }),
  shared: Object.freeze({ windowMs: 10_000, perTenant: 600, perUser: 300 }),
});

/**
 * The address a request came from. With `trustedProxyHops` = 0 the socket's peer. Behind N
 * proxies that each append the peer they saw to `X-Forwarded-For`, the N-th entry from the right
 * is the one our outermost trusted proxy wrote; entries to its left were written by the client and
 * prove nothing (a client rotating them must not get fresh budgets).
 */
export function clientAddress(trustedProxyHops: number): (req: IncomingMessage) => string {
  return (req) => {
    const peer = req.socket.remoteAddress ?? 'unknown';
    if (trustedProxyHops === 0) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    // Fewer entries than trusted proxies: the request skipped one of them; its leftmost entry is
    // the best we know, and the balancer's own address is never a client's.
    return hops[Math.max(0, hops.length - trustedProxyHops)] ?? peer;
  };
}

export const tooManyRequests = (scope: 'tenant' | 'client', retryAfterSeconds: number): ApiProblem =>
  problem(
    429,
    'API.RATE_LIMITED',
    'Too many requests',
    `Too many requests from this ${scope}; retry after ${retryAfterSeconds} s.`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );

export const tooManyForScope = (scope: 'tenant' | 'user', retryAfterSeconds: number): ApiProblem =>
  problem(
    429,
    'API.RATE_LIMITED',
    'Too many requests',
    `Too many requests from this ${scope}; retry after ${retryAfterSeconds} s.`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );

/**
 * Charges the tenant's and the user's budgets once a token has been verified (an unverified `tid`
 * must not spend another tenant's budget): first this instance's buckets, then the windows every
 * instance shares.
 */
export function rateLimitedVerifier(
  verifier: SsoVerifier,
  limits: { readonly tenant: TokenBuckets; readonly user: TokenBuckets; readonly shared: SharedApiLimits },
  clock: Clock,
): SsoVerifier {
  let purgedAt = 0;
  return async (authorization) => {
    const caller = await verifier(authorization);
    if (!caller.ok) return caller;
    const { tenantId, userId } = caller.value;
    const tenant = limits.tenant.take(tenantId);
    if (!tenant.allowed) return err(tooManyForScope('tenant', tenant.retryAfterSeconds));
    const user = limits.user.take(`${tenantId}/${userId}`);
    if (!user.allowed) return err(tooManyForScope('user', user.retryAfterSeconds));
    const { windows, windowMs, perTenant, perUser } = limits.shared;
    const now = clock.now();
    const windowStart = now - (now % windowMs);
    const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    try {
      const [tenantCount, userCount] = await Promise.all([
        windows.hit(`tenant/${tenantId}`, windowStart),
        windows.hit(`user/${tenantId}/${userId}`, windowStart),
      ]);
      if (now - purgedAt > 60_000) {
        purgedAt = now;
        void windows.purge(windowStart - windowMs).catch(() => undefined);
      }
      if (tenantCount > perTenant) return err(tooManyForScope('tenant', retryAfter));
      if (userCount > perUser) return err(tooManyForScope('user', retryAfter));
    } catch {
      // The store is down: the Health Check says so; the local buckets above still bound the load,
      // and refusing every admin request because a counter cannot be written would help nobody.
    }
    return caller;
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

/**
 * Rate limits for the tab API, for the composition root:
 * `registerTabApi(server, rateLimitTabApi(server, deps, options))`. Installs the per-IP limiter
 * on the server and returns the deps with the per-tenant limit folded into the token verifier.
 */
export function rateLimitTabApi(server: Server, deps: TabApiDeps, options: ApiRateLimitOptions): TabApiDeps {
  const ip = new TokenBuckets(options.perIp, options.clock, options.maxKeys);
  const tenant = new TokenBuckets(options.perTenant, options.clock, options.maxKeys);
  const user = new TokenBuckets(options.perUser, options.clock, options.maxKeys);
  server.pre(perIpLimiter(ip, options.clientIp) as unknown as Parameters<Server['pre']>[0]);
  return {
    ...deps,
    verifier: rateLimitedVerifier(deps.verifier, { tenant, user, shared: options.shared }, options.clock),
  };
}
