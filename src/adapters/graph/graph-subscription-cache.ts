import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock, SubscriptionStore } from '../../application/ports.js';
import { BoundedCache } from '../shared/bounded-cache.js';

/** What the webhook parser needs of a stored subscription, shaped for per-notification checks. */
export interface KnownSubscription {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly users: ReadonlySet<string>;
  /** sha256 of the clientState: compared in constant time, never the secret itself. */
  readonly secretHash: Buffer;
}

export interface SubscriptionCacheOptions {
  /** Subscriptions remembered (one per owner, ≤ 650 users each). */
  readonly maxEntries?: number;
  /** How long a remembered subscription is trusted before the store is asked again. */
  readonly ttlMs?: number;
  /**
   * The list of stored subscription ids is read again at most this often, and one subscription
   * at most this often: a flood of unknown ids or forged clientStates costs no store reads.
   */
  readonly refreshMinMs?: number;
}

export const DEFAULT_SUBSCRIPTION_CACHE: Required<SubscriptionCacheOptions> = Object.freeze({
  maxEntries: 1024,
  ttlMs: 5 * 60_000,
  refreshMinMs: 1_000,
});

export function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of a presented clientState with a subscription's (hashes have equal length). */
export function sameSecret(presented: Buffer, known: KnownSubscription): boolean {
  return timingSafeEqual(presented, known.secretHash);
}

/**
 * The store's subscriptions as the webhook parser reads them, once per subscription instead of
 * once per notification (a row carries up to 650 user ids; reading it for every notification
 * capped ingress at a few hundred per second). A subscription id names one immutable
 * (tenant, users, clientState) — Graph never reuses ids and our registry recreates rather than
 * edits — so a cached row can only be stale by having been deleted; the TTL bounds that.
 * Instances share the store, not this cache: the parser asks the store again (`read`) before it
 * rejects anything the cache does not vouch for, so a subscription just created by another
 * instance is accepted. Concurrent reads of one id share one query.
 *
 * Anyone can POST to the webhook, so a store read is only spent on an id the store is known to
 * hold: the set of stored ids is kept in memory and read again (one query, all tenants) at most
 * once per `refreshMinMs` when an unknown id arrives; an id still unknown is refused from
 * memory. A known id is read again at most once per `refreshMinMs` as well.
 */
export class SubscriptionCache {
  readonly #cache: BoundedCache<string, KnownSubscription>;
  readonly #reading = new Map<string, Promise<KnownSubscription | undefined>>();
  readonly #readAt = new BoundedCache<string, number>(4096);
  readonly #ttlMs: number;
  readonly #refreshMinMs: number;
  #ids = new Set<string>();
  #idsReadAt = Number.NEGATIVE_INFINITY;
  #idsReading: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<SubscriptionStore, 'byId' | 'ids'>,
    private readonly clock: Clock,
    options: SubscriptionCacheOptions = {},
  ) {
    const o = { ...DEFAULT_SUBSCRIPTION_CACHE, ...options };
    this.#cache = new BoundedCache(o.maxEntries);
    this.#ttlMs = o.ttlMs;
    this.#refreshMinMs = o.refreshMinMs;
  }

  /** The remembered subscription, if any (no store read). */
  remembered(subscriptionId: string): KnownSubscription | undefined {
    return this.#cache.get(subscriptionId, this.clock.now());
  }

  /**
   * The store's answer, bypassing what is remembered (and remembering it) — unless the id is not
   * among the stored ids, or this id was read less than `refreshMinMs` ago (then the memory's answer).
   */
  async read(subscriptionId: string): Promise<KnownSubscription | undefined> {
    const inFlight = this.#reading.get(subscriptionId);
    if (inFlight) return inFlight;
    if (!(await this.#mayBeStored(subscriptionId))) return undefined;
    const now = this.clock.now();
    const readAt = this.#readAt.get(subscriptionId, now);
    if (readAt !== undefined && now - readAt < this.#refreshMinMs) return this.remembered(subscriptionId);
    this.#readAt.set(subscriptionId, now, now + this.#refreshMinMs);
    const reading = this.#load(subscriptionId).finally(() => this.#reading.delete(subscriptionId));
    this.#reading.set(subscriptionId, reading);
    return reading;
  }

  /** Whether the id is among the stored ones, reading the list again if it is stale enough. */
  async #mayBeStored(subscriptionId: string): Promise<boolean> {
    if (this.#ids.has(subscriptionId)) return true;
    if (this.clock.now() - this.#idsReadAt >= this.#refreshMinMs) {
      this.#idsReading ??= this.#readIds().finally(() => (this.#idsReading = undefined));
      await this.#idsReading;
    } else if (this.#idsReading) await this.#idsReading;
    return this.#ids.has(subscriptionId);
  }

  async #readIds(): Promise<void> {
    this.#idsReadAt = this.clock.now();
    this.#ids = new Set(await this.store.ids());
  }

  async #load(subscriptionId: string): Promise<KnownSubscription | undefined> {
    const stored = await this.store.byId(subscriptionId);
    if (!stored) {
      this.#cache.delete(subscriptionId);
      this.#ids.delete(subscriptionId);
      return undefined;
    }
    this.#ids.add(subscriptionId);
    const known: KnownSubscription = {
      subscriptionId,
      tenantId: stored.tenantId,
      users: new Set(stored.userIds),
      secretHash: secretHash(stored.clientState),
    };
    this.#cache.set(subscriptionId, known, this.clock.now() + this.#ttlMs);
    return known;
  }
}
