import { appendCapped } from '../capped-log.js';
import { EndpointHealth } from './endpoint-health.js';
import type { EntraKeys } from './entra-keys.js';
import type { GraphWorld } from './graph-world.js';
import { NO_LATENCY, type NotificationLatency } from './notification-latency.js';
import { encryptResource } from './rich-encryption.js';
import type { EmulatedSubscription } from './subscription-model.js';
import type { SubscriptionStoreEmu } from './subscription-store.js';
import type { WebhookCaller } from './webhook-caller.js';

/** §3.7: Microsoft Graph Change Tracking's app id, the `azp`/`appid` of validation tokens. */
export const CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
/** §3.4: 3 s for the first attempt, 10 s for retries. */
export const DELIVERY_TIMEOUTS = { firstMs: 3_000, retryMs: 10_000 } as const;
const GIVE_UP_MS = 4 * 3600_000;
const MAX_ITEMS_PER_POST = 100;

interface Outgoing {
  readonly url: string;
  readonly subscriptionId: string;
  readonly item: Record<string, unknown>;
  readonly appId: string;
  readonly tenantId: string;
  readonly rich: boolean;
  /** Lifecycle items are not presence changes: the documented presence latency does not apply to them. */
  readonly lifecycle?: boolean;
  readonly firstAt: number;
  attempt: number;
  dueAt: number;
}

export interface DeliveryLogEntry {
  readonly url: string;
  readonly items: number;
  readonly status: number;
  readonly attempt: number;
}

/**
 * Notification delivery (reference §3.4–3.6, §8.8): each aggregate change of a subscribed user
 * becomes an item; items for one URL are batched into one `changeNotificationCollection`; a
 * non-2xx or a timeout (3 s first, 10 s on retries) is retried with exponential backoff for up
 * to 4 h, on the emulator clock.
 */
export class NotificationDelivery {
  readonly #queue: Outgoing[] = [];
  readonly #held: Outgoing[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #scheduled = false;
  /** POSTs to webhooks, newest `world.logCap` kept (see capped-log.ts). */
  readonly log: DeliveryLogEntry[] = [];
  /** Items per delivery status since start (-1 dropped by dropNext, -2 dropped as the endpoint is judged too slow); not capped. */
  readonly totals = new Map<number, number>();
  /**
   * Switches for tests (§8.8, §8.9): drop or duplicate the next POSTs; hold the next
   * `reorderNext` POSTs and then send them newest first; deliver new notifications `delayMs`
   * late on the emulator clock (Graph documents delays of minutes, §3.4).
   */
  readonly modes = { nullValidationTokens: false, dropNext: 0, duplicateNext: 0, reorderNext: 0, delayMs: 0 };
  /** The last body POSTed to a notification URL, as a network capture would show it (security tests replay it). */
  lastBody: Readonly<Record<string, unknown>> | undefined;
  readonly #reordered: { url: string; items: Outgoing[]; body: Record<string, unknown> }[] = [];

  constructor(
    private readonly world: GraphWorld,
    private readonly subs: SubscriptionStoreEmu,
    private readonly keys: EntraKeys,
    private readonly webhooks: WebhookCaller,
    readonly health: EndpointHealth = new EndpointHealth(),
    private readonly timeouts: { readonly firstMs: number; readonly retryMs: number } = DELIVERY_TIMEOUTS,
    /** How long after a change its notification leaves (README "Delivery latency"); none by default. */
    public latency: NotificationLatency = NO_LATENCY,
  ) {
    world.onChange((_tenantId, userId) => this.#presenceChanged(userId));
    subs.onReleased((id) => this.#release(id));
  }

  #presenceChanged(userId: string): void {
    const now = this.world.clock.now();
    const presence = this.world.presence(userId);
    // README "Notifications": presence notifications name the user in the bulk-filter form, whatever the subscription's shape.
    const resource = `communications/presences?$filter=id+in+('${userId}')`;
    for (const sub of this.subs.covering(userId, now)) {
      const item: Record<string, unknown> = {
        subscriptionId: sub.id,
        clientState: sub.clientState ?? null,
        changeType: 'updated',
        tenantId: sub.tenantId,
        resource,
        subscriptionExpirationDateTime: new Date(sub.expiresAt).toISOString(),
        resourceData: {
          '@odata.id': resource,
          '@odata.type': '#Microsoft.Graph.presence',
          id: userId,
        },
        organizationId: sub.tenantId,
      };
      if (sub.includeResourceData && sub.certificate) {
        const resource = {
          '@odata.id': `users/${userId}/presence`,
          '@odata.type': '#microsoft.graph.presence',
          ...presence.toResource(false),
        };
        item.encryptedContent = encryptResource(resource, sub.certificate);
      }
      this.enqueue(sub, sub.notificationUrl, item);
    }
  }

  /** A lifecycle item (§3.5) to the subscription's lifecycleNotificationUrl. */
  lifecycle(sub: EmulatedSubscription, event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed'): void {
    if (!sub.lifecycleNotificationUrl) return;
    const item = {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: new Date(sub.expiresAt).toISOString(),
      tenantId: sub.tenantId,
      clientState: sub.clientState ?? null,
      lifecycleEvent: event,
    };
    this.#push({
      url: sub.lifecycleNotificationUrl,
      subscriptionId: sub.id,
      item,
      appId: sub.appId,
      tenantId: sub.tenantId,
      rich: false,
      lifecycle: true,
      firstAt: this.world.clock.now(),
      attempt: 0,
      dueAt: 0,
    });
  }

  enqueue(sub: EmulatedSubscription, url: string, item: Record<string, unknown>): void {
    const out: Outgoing = {
      url,
      subscriptionId: sub.id,
      item,
      appId: sub.appId,
      tenantId: sub.tenantId,
      rich: sub.includeResourceData,
      firstAt: this.world.clock.now(),
      attempt: 0,
      dueAt: 0,
    };
    // §3.4: an endpoint whose authorisation lapsed (reauthorization pending) gets nothing until renewed.
    if (sub.reauthPendingFor !== undefined) this.#held.push(out);
    else this.#push(out);
  }

  #push(out: Outgoing): void {
    const endpoint = endpointOf(out.url);
    const now = this.world.clock.now();
    const state = this.health.state(endpoint, now);
    // §3.4: a *drop* endpoint loses new notifications for good; a *slow* one gets them 10 min late.
    if (state === 'drop' && out.attempt === 0)
      return void this.#logged({ url: out.url, items: 1, status: -2, attempt: 0 });
    if (state === 'slow' && out.attempt === 0) out.dueAt = Math.max(out.dueAt, this.health.slowUntil(endpoint));
    if (this.modes.delayMs > 0 && out.attempt === 0) out.dueAt = Math.max(out.dueAt, now + this.modes.delayMs);
    if (out.attempt === 0 && !out.lifecycle) out.dueAt = Math.max(out.dueAt, now + this.latency.nextMs());
    this.#queue.push(out);
    if (out.dueAt > now) this.#wakeAt(out.dueAt - now);
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /**
   * With a clock that follows real time, flush when the item is due rather than at the next
   * tick (the tick would round every latency up to its interval); a clock that stands still
   * until advanced finds nothing due then, and its next tick flushes instead.
   */
  #wakeAt(inMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#flush();
    }, inMs);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Stop the wake-up timers (the emulator is closing). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #release(subscriptionId: string): void {
    const mine = this.#held.filter((o) => o.subscriptionId === subscriptionId);
    this.#held.splice(0, this.#held.length, ...this.#held.filter((o) => o.subscriptionId !== subscriptionId));
    for (const o of mine) this.#push(o);
  }

  /** Send everything due now; retries wait for their time on the emulator clock. */
  #flush(): void {
    this.#scheduled = false;
    const now = this.world.clock.now();
    const due = this.#queue.filter((o) => o.dueAt <= now);
    this.#queue.splice(0, this.#queue.length, ...this.#queue.filter((o) => o.dueAt > now));
    const byUrl = new Map<string, Outgoing[]>();
    for (const o of due) byUrl.set(o.url, [...(byUrl.get(o.url) ?? []), o]);
    for (const [url, items] of byUrl) {
      for (let i = 0; i < items.length; i += MAX_ITEMS_PER_POST)
        this.#track(this.#send(url, items.slice(i, i + MAX_ITEMS_PER_POST)));
    }
  }

  /** The clock moved: retries may be due. */
  tick(): void {
    if (this.#queue.length > 0) this.#flush();
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #send(url: string, items: Outgoing[]): Promise<void> {
    if (this.modes.dropNext > 0) {
      this.modes.dropNext -= 1;
      this.#logged({ url, items: items.length, status: -1, attempt: 0 });
      return;
    }
    const body = { value: items.map((o) => o.item), ...(await this.#validationTokens(items)) };
    if (this.modes.reorderNext > 0) {
      this.modes.reorderNext -= 1;
      this.#reordered.push({ url, items, body });
      if (this.modes.reorderNext > 0) return;
      for (const held of this.#reordered.splice(0).reverse()) await this.#post(held.url, held.items, held.body);
      return;
    }
    await this.#post(url, items, body);
  }

  async #post(url: string, items: Outgoing[], body: Record<string, unknown>): Promise<void> {
    this.lastBody = body;
    const attempt = Math.max(...items.map((o) => o.attempt));
    const result = await this.webhooks.post(url, body, attempt === 0 ? this.timeouts.firstMs : this.timeouts.retryMs);
    if (this.modes.duplicateNext > 0) {
      this.modes.duplicateNext -= 1;
      await this.webhooks.post(url, body, this.timeouts.retryMs);
    }
    this.#logged({ url, items: items.length, status: result.status, attempt });
    this.health.record(endpointOf(url), this.world.clock.now(), result.ms);
    if (result.status >= 200 && result.status < 300) return;
    const now = this.world.clock.now();
    for (const o of items) {
      o.attempt += 1;
      o.dueAt = now + Math.min(2 ** o.attempt * 1000, 3600_000);
      if (o.dueAt - o.firstAt <= GIVE_UP_MS) this.#queue.push(o);
    }
  }

  /** §3.7: one token per (app, tenant) present in a rich batch; `null` when switched off. */
  async #validationTokens(items: Outgoing[]): Promise<{ validationTokens?: string[] | null }> {
    if (!items.some((o) => o.rich)) return {};
    if (this.modes.nullValidationTokens) return { validationTokens: null };
    const pairs = new Map(items.filter((o) => o.rich).map((o) => [`${o.appId}/${o.tenantId}`, o]));
    const tokens = await Promise.all([...pairs.values()].map((o) => this.#validationToken(o.appId, o.tenantId)));
    return { validationTokens: tokens };
  }

  /**
   * README "Validation tokens": an access token for the subscribing app from Change Tracking, in
   * the form the app's `accessTokenAcceptedVersion` asks for (v1: sts.windows.net issuer and
   * `appid`; v2: login.microsoftonline.com/{tid}/v2.0 and `azp`).
   */
  #validationToken(appId: string, tenantId: string): Promise<string> {
    const v1 = this.world.directory.app(tenantId, appId)?.accessTokenVersion === 1;
    const common = { aud: appId, tid: tenantId, sub: CHANGE_TRACKING_APP_ID, oid: CHANGE_TRACKING_APP_ID };
    const claims = v1
      ? { ...common, iss: `https://sts.windows.net/${tenantId}/`, appid: CHANGE_TRACKING_APP_ID, ver: '1.0' }
      : {
          ...common,
          iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
          azp: CHANGE_TRACKING_APP_ID,
          ver: '2.0',
        };
    return this.keys.sign(claims, 24 * 3600);
  }

  /** Resolves when nothing is in flight and nothing is due (tests await this instead of sleeping). */
  async settle(): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      await new Promise((r) => setImmediate(r));
      if (this.#inFlight.size === 0 && !this.#scheduled) return;
      await Promise.all([...this.#inFlight]);
    }
  }

  pendingRetries(): number {
    return this.#queue.length;
  }

  /**
   * Notifications owed and not yet sent: waiting out their latency or a retry, or held while the
   * subscription's authorisation lapsed. A test that waits for quiet waits for this to reach 0
   * (with the realistic latency a change's notification may leave up to a minute after it).
   */
  owed(): number {
    return this.#queue.length + this.#held.length + this.#inFlight.size;
  }

  #logged(entry: DeliveryLogEntry): void {
    appendCapped(this.log, entry, this.world.logCap);
    this.totals.set(entry.status, (this.totals.get(entry.status) ?? 0) + entry.items);
  }
}

/** Graph judges an endpoint by its URL without the query string. */
function endpointOf(url: string): string {
  return url.split('?')[0]!;
}
