import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type {
  Clock,
  DroppedSubscription,
  ExternalFailure,
  Logger,
  StoredSubscription,
  SubscriptionRegistry,
  SubscriptionStatus,
  SubscriptionStore,
} from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { batchItemFailure } from './graph-batch.js';
import type { GraphHttpClient } from './graph-http-client.js';

/** Settings of the subscription manager for one tenant. */
export interface SubscriptionRegistryOptions {
  /** Our tenant id (the store's key). */
  readonly tenantId: string;
  /** The tenant's subscription owners (delegated identities), in a stable order. */
  readonly owners: () => Promise<readonly string[]>;
  /** A Graph client acting as that owner (delegated token). */
  readonly graphFor: (ownerId: string) => GraphHttpClient;
  readonly store: SubscriptionStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  /** Rich notifications: the public certificate (base64 DER) and its id (reference §3.3). */
  readonly encryption?: { readonly certificate: string; readonly certificateId: string };
  /** Requested lifetime (≤ 60 min, reference §3.2). */
  readonly lifetimeMs?: number;
  /** Renew when less than this is left ("well before expiry"). */
  readonly renewBeforeMs?: number;
}

const SubscriptionBody = z.object({ id: z.string(), expirationDateTime: z.string(), resource: z.string() });
const SubscriptionList = z.object({ value: z.array(SubscriptionBody) });
const MAX_IDS = 650;

/**
 * Presence change subscriptions (reference graph-presence.md §3): users sharded ≤ 650 per
 * subscription, one subscription per owner (Graph allows one per app per delegated user),
 * persisted so a restart resumes instead of duplicating, renewed well before their ≤ 60 min
 * expiry, recreated when renewal fails, when Graph dropped them silently, or after a lifecycle
 * event. One owner's failure never stops the others.
 */
export class GraphSubscriptionRegistry implements SubscriptionRegistry {
  #status: SubscriptionStatus[] = [];
  /** ensure, lifecycle handling and the drop check one at a time: a check during a recreation would see the old id gone. */
  #turn: Promise<unknown> = Promise.resolve();
  readonly #o: Required<Omit<SubscriptionRegistryOptions, 'encryption' | 'logger'>> &
    Pick<SubscriptionRegistryOptions, 'encryption' | 'logger'>;

  constructor(options: SubscriptionRegistryOptions) {
    this.#o = Object.freeze({ lifetimeMs: 55 * 60_000, renewBeforeMs: 20 * 60_000, ...options });
  }

  ensure(userIds: readonly string[]): Promise<Result<readonly SubscriptionStatus[], ExternalFailure>> {
    return this.#serial(() => this.#ensure(userIds));
  }

  async #ensure(userIds: readonly string[]): Promise<Result<readonly SubscriptionStatus[], ExternalFailure>> {
    const owners = await this.#o.owners();
    const stored = await this.#o.store.list(this.#o.tenantId);
    const { plan, uncovered } = assign(owners, stored, userIds);
    const status: SubscriptionStatus[] = [];
    for (const ownerId of owners) {
      const ids = plan.get(ownerId) ?? [];
      status.push(
        await this.#ensureOwner(
          ownerId,
          stored.filter((s) => s.ownerId === ownerId),
          ids.length > 0 ? ids : undefined,
        ),
      );
    }
    if (uncovered > 0)
      status.push({
        ownerId: '',
        subscriptionId: '',
        userCount: uncovered,
        expiresAt: 0,
        healthy: false,
        detail: `${uncovered} users need another subscription owner (650 per owner).`,
      });
    this.#status = status.filter((s) => s.subscriptionId !== '' || !s.healthy);
    const failed = status.filter((s) => !s.healthy);
    return failed.length === status.length && failed.length > 0
      ? err({
          system: 'graph',
          status: 0,
          code: 'SUBSCRIPTIONS_FAILED',
          message: failed.map((f) => f.detail).join('; '),
          transient: true,
        })
      : ok(this.#status);
  }

  async #ensureOwner(
    ownerId: string,
    mine: readonly StoredSubscription[],
    ids: readonly string[] | undefined,
  ): Promise<SubscriptionStatus> {
    const graph = this.#o.graphFor(ownerId);
    const keep = ids ? mine.find((s) => sameIds(s.userIds, ids)) : undefined;
    for (const s of mine.filter((m) => m !== keep)) await this.#delete(graph, s);
    if (!ids) return { ownerId, subscriptionId: '', userCount: 0, expiresAt: 0, healthy: true };
    const expiredBefore = keep !== undefined && keep.expiresAt <= this.#o.clock.now();
    const encryptionChanged = keep !== undefined && !this.#encryptedAsWanted(keep);
    const r = keep ? await this.#keepAlive(graph, keep) : await this.#create(ownerId, graph, ids);
    if (!r.ok) {
      this.#o.logger?.warn(
        { ownerId, code: r.error.code, status: r.error.status },
        'presence subscription could not be kept',
      );
      return {
        ownerId,
        subscriptionId: keep?.subscriptionId ?? '',
        userCount: ids.length,
        expiresAt: keep?.expiresAt ?? 0,
        healthy: false,
        detail: `${r.error.code}: ${r.error.message}`,
      };
    }
    const status = {
      ownerId,
      subscriptionId: r.value.subscriptionId,
      userCount: ids.length,
      expiresAt: r.value.expiresAt,
      healthy: true,
    };
    if (keep?.subscriptionId === r.value.subscriptionId) return status;
    const reason = !keep
      ? 'created'
      : expiredBefore
        ? `recreated: ${keep.subscriptionId} had expired`
        : encryptionChanged
          ? `recreated: ${keep.subscriptionId} ${this.#o.encryption ? `had no resource data encrypted to certificate ${this.#o.encryption.certificateId}` : 'carried resource data, now turned off'}`
          : `recreated: Graph no longer knew ${keep.subscriptionId} (removed without notice)`;
    return {
      ...status,
      replaced: { ...(keep ? { previousId: keep.subscriptionId } : {}), reason, userIds: r.value.userIds },
    };
  }

  /**
   * Whether the subscription delivers what we now want: resource data encrypted to our current
   * certificate, or none when rich notifications are off. `includeResourceData` cannot be PATCHed
   * (§3.3), so a subscription made before rich notifications were turned on is recreated.
   */
  #encryptedAsWanted(s: StoredSubscription): boolean {
    return s.encryptionCertificateId === this.#o.encryption?.certificateId;
  }

  /** Renew when due; a subscription Graph no longer knows (expired, dropped) or without the wanted encryption is recreated. */
  async #keepAlive(
    graph: GraphHttpClient,
    s: StoredSubscription,
  ): Promise<Result<StoredSubscription, ExternalFailure>> {
    const now = this.#o.clock.now();
    if (s.expiresAt <= now || !this.#encryptedAsWanted(s)) return this.#recreate(graph, s);
    const probe = await graph.request('GET', `/subscriptions/${s.subscriptionId}`);
    if (!probe.ok) return probe;
    if (probe.value.status === 404) return this.#recreate(graph, s);
    if (s.expiresAt - now > this.#o.renewBeforeMs) return ok(s);
    return this.renew(graph, s);
  }

  async renew(graph: GraphHttpClient, s: StoredSubscription): Promise<Result<StoredSubscription, ExternalFailure>> {
    const expirationDateTime = new Date(this.#o.clock.now() + this.#o.lifetimeMs).toISOString();
    const r = await graph.request('PATCH', `/subscriptions/${s.subscriptionId}`, { expirationDateTime });
    if (!r.ok) return r;
    // Only a subscription Graph no longer has is replaced; a failed renewal (5xx, 429) keeps it
    // until it expires: deleting a working subscription because Graph hiccupped loses notifications.
    if (r.value.status === 404) return this.#recreate(graph, s);
    if (r.value.status !== 200) return err(batchItemFailure(r.value));
    const body = SubscriptionBody.safeParse(r.value.body);
    const renewed = {
      ...s,
      expiresAt: body.success ? Date.parse(body.data.expirationDateTime) : Date.parse(expirationDateTime),
    };
    await this.#o.store.put(renewed);
    return ok(renewed);
  }

  async #recreate(graph: GraphHttpClient, s: StoredSubscription): Promise<Result<StoredSubscription, ExternalFailure>> {
    this.#o.logger?.info({ ownerId: s.ownerId, subscriptionId: s.subscriptionId }, 'recreating presence subscription');
    await this.#delete(graph, s);
    return this.#create(s.ownerId, graph, s.userIds);
  }

  async #delete(graph: GraphHttpClient, s: StoredSubscription): Promise<void> {
    await graph.request('DELETE', `/subscriptions/${s.subscriptionId}`);
    await this.#o.store.remove(this.#o.tenantId, s.subscriptionId);
  }

  async #create(
    ownerId: string,
    graph: GraphHttpClient,
    ids: readonly string[],
    retried = false,
  ): Promise<Result<StoredSubscription, ExternalFailure>> {
    const now = this.#o.clock.now();
    const resource = `/communications/presences?$filter=id in (${ids.map((id) => `'${id}'`).join(',')})`;
    const clientState = randomBytes(32).toString('base64url');
    const body = {
      changeType: 'updated',
      notificationUrl: this.#o.notificationUrl,
      lifecycleNotificationUrl: this.#o.lifecycleNotificationUrl,
      resource,
      expirationDateTime: new Date(now + this.#o.lifetimeMs).toISOString(),
      clientState,
      latestSupportedTlsVersion: 'v1_2',
      ...(this.#o.encryption
        ? {
            includeResourceData: true,
            encryptionCertificate: this.#o.encryption.certificate,
            encryptionCertificateId: this.#o.encryption.certificateId,
          }
        : {}),
    };
    const r = await graph.request('POST', '/subscriptions', body);
    if (!r.ok) return r;
    // 409/403: the owner already holds a subscription we lost track of (crash before the store write) — replace it once.
    if ((r.value.status === 409 || r.value.status === 403) && !retried && (await this.#clearOwner(graph)))
      return this.#create(ownerId, graph, ids, true);
    const created = SubscriptionBody.safeParse(r.value.body);
    if (r.value.status !== 201 || !created.success) return err(batchItemFailure(r.value));
    const sub: StoredSubscription = {
      tenantId: this.#o.tenantId,
      subscriptionId: created.data.id,
      ownerId,
      resource,
      userIds: [...ids],
      clientState,
      expiresAt: Date.parse(created.data.expirationDateTime),
      createdAt: now,
      ...(this.#o.encryption ? { encryptionCertificateId: this.#o.encryption.certificateId } : {}),
    };
    await this.#o.store.put(sub);
    return ok(sub);
  }

  async #clearOwner(graph: GraphHttpClient): Promise<boolean> {
    const list = await graph.request('GET', '/subscriptions');
    const parsed = list.ok ? SubscriptionList.safeParse(list.value.body) : undefined;
    const presence = parsed?.success
      ? parsed.data.value.filter((s) => s.resource.includes('communications/presences'))
      : [];
    for (const s of presence) await graph.request('DELETE', `/subscriptions/${s.id}`);
    return presence.length > 0;
  }

  /** reauthorizationRequired → renew (a renewal also reauthorizes, §3.3); removed/missed → recreate. */
  onLifecycle(subscriptionId: string, event: string): Promise<void> {
    return this.#serial(async () => {
      const s = await this.#o.store.byId(subscriptionId);
      if (!s) return;
      const graph = this.#o.graphFor(s.ownerId);
      if (event === 'reauthorizationRequired') await this.renew(graph, s);
      else await this.#recreate(graph, s);
    });
  }

  /**
   * One GET per stored subscription (one per owner): Graph sends presence no subscriptionRemoved
   * event, so a 404 is the only sign of a silent removal. Expired ones are left to `ensure`
   * (renewal failed: not a drop). A subscription another instance replaced meanwhile (it deletes
   * the old one at Graph before storing the new one) is not in the store any more and not reported.
   */
  findDropped(): Promise<readonly DroppedSubscription[]> {
    return this.#serial(async () => {
      const dropped: DroppedSubscription[] = [];
      for (const s of await this.#o.store.list(this.#o.tenantId)) {
        if (s.expiresAt <= this.#o.clock.now()) continue;
        const probe = await this.#o.graphFor(s.ownerId).request('GET', `/subscriptions/${s.subscriptionId}`);
        if (!probe.ok || probe.value.status !== 404) continue;
        if (!(await this.#o.store.byId(s.subscriptionId))) continue;
        dropped.push({ ownerId: s.ownerId, subscriptionId: s.subscriptionId, userIds: s.userIds });
      }
      return dropped;
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(work, work);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  async status(): Promise<readonly SubscriptionStatus[]> {
    return this.#status;
  }
}

/**
 * Which users each owner's subscription covers. Members stay where they are (a subscription's
 * resource cannot be changed, so moving users means recreating it); departed users leave and new
 * users fill the free room in owner order — adding one agent recreates one subscription, not all.
 */
function assign(
  owners: readonly string[],
  stored: readonly StoredSubscription[],
  userIds: readonly string[],
): { plan: Map<string, string[]>; uncovered: number } {
  const desired = new Set(userIds);
  const placed = new Set<string>();
  const plan = new Map<string, string[]>();
  for (const ownerId of owners) {
    const current = stored.find((s) => s.ownerId === ownerId)?.userIds ?? [];
    const keep = current.filter((id) => desired.has(id) && !placed.has(id)).slice(0, MAX_IDS);
    keep.forEach((id) => placed.add(id));
    plan.set(ownerId, keep);
  }
  const remaining = [...desired].filter((id) => !placed.has(id)).sort();
  for (const ownerId of owners) {
    const ids = plan.get(ownerId)!;
    ids.push(...remaining.splice(0, MAX_IDS - ids.length));
  }
  return { plan, uncovered: remaining.length };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}
