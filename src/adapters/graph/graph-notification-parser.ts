import { createHash } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type {
  Clock,
  LifecycleEvent,
  PresenceNotification,
  SubscriptionStore,
  WebhookRejection as PortWebhookRejection,
} from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { BoundedCache } from '../shared/bounded-cache.js';
import { NotificationDecryptor, type DecryptionKey } from './graph-notification-crypto.js';
import { EncryptedContentShape, sealPresence } from './graph-sealed-presence.js';
import {
  sameSecret,
  secretHash,
  SubscriptionCache,
  type KnownSubscription,
  type SubscriptionCacheOptions,
} from './graph-subscription-cache.js';
import { verifyValidationToken } from './graph-validation-tokens.js';

const Item = z.object({
  subscriptionId: z.string().min(1),
  tenantId: z.string().min(1),
  clientState: z.string().nullish(),
  changeType: z.string().optional(),
  resource: z.string().optional(),
  lifecycleEvent: z.string().optional(),
  resourceData: z.object({ id: z.string().optional() }).passthrough().optional(),
  encryptedContent: EncryptedContentShape.optional(),
});
const Collection = z.object({ value: z.array(z.unknown()).min(1), validationTokens: z.array(z.string()).nullish() });

export type WebhookRejectionCode =
  | 'WEBHOOK.MALFORMED_JSON'
  | 'WEBHOOK.BAD_SHAPE'
  | 'WEBHOOK.TOO_MANY_ITEMS'
  | 'WEBHOOK.UNKNOWN_SUBSCRIPTION'
  | 'WEBHOOK.CLIENT_STATE_MISMATCH'
  | 'WEBHOOK.VALIDATION_TOKENS_MISSING'
  | 'WEBHOOK.VALIDATION_TOKEN_INVALID'
  | 'WEBHOOK.UNKNOWN_CERTIFICATE'
  | 'WEBHOOK.BAD_DATA_KEY'
  | 'WEBHOOK.BAD_SIGNATURE'
  | 'WEBHOOK.DECRYPT_FAILED'
  | 'WEBHOOK.BAD_RESOURCE';

/** The port's rejection (application/ports/webhook.ts), its code narrowed to what this parser says. */
export interface WebhookRejection extends PortWebhookRejection {
  readonly code: WebhookRejectionCode;
}

export type { LifecycleEvent };

export type ParsedWebhook =
  | { readonly kind: 'validation'; readonly validationToken: string }
  | {
      readonly kind: 'notifications';
      readonly notifications: readonly PresenceNotification[];
      readonly lifecycle: readonly LifecycleEvent[];
      readonly rejected: readonly WebhookRejection[];
    };

export interface NotificationParserDeps {
  readonly subscriptions: Pick<SubscriptionStore, 'byId' | 'ids'>;
  readonly decryptionKeys: readonly DecryptionKey[];
  /** Our app (client) id: the audience of validation tokens. */
  readonly appId: string;
  readonly jwks: JWTVerifyGetKey;
  readonly clock: Clock;
  /** Bounds of the per-process subscription cache (defaults: 1,024 subscriptions, 5 min). */
  readonly subscriptionCache?: SubscriptionCacheOptions;
  /** Items one request may carry; more is refused whole before any item is checked (default 1,000). */
  readonly maxItems?: number;
}

/** Graph documents no batch size; its deliveries stay far below this, a flood of forgeries does not. */
const DEFAULT_MAX_ITEMS = 1_000;

/** Verified validation tokens remembered (by hash, until their exp): Graph repeats the same few per tenant. */
const VERIFIED_TOKENS_MAX = 256;

type Parsed = z.infer<typeof Item>;
type Outcome = PresenceNotification | LifecycleEvent | Omit<WebhookRejection, 'index'>;

/**
 * Turns a raw Graph webhook request into validated notifications (reference graph-presence.md
 * §3.3–3.8). Order of checks: validation handshake; JSON and shape; validationTokens for rich
 * payloads (all of them, bound to each item's tenant); per item the subscription and its
 * clientState (constant time), the user, and for rich items the subscription's tenant among the
 * tokens' and a certificate of ours. Every check here is cheap: the sender is authenticated
 * before anything is stored. The resource data of rich items is not opened here: its HMAC is
 * keyed by an RSA-wrapped key, and the unwrap (≈ 0.3 ms of CPU per item, with a fresh key per
 * item) would put the acknowledgement of a large batch past Graph's 3 s; such items are handed on
 * `sealed` and authenticated and decrypted after the 202 (GraphSealedPresence), which is what the
 * reference §3.4 recommends (acknowledge after a cheap check, discard bad items afterwards).
 * Each rejection carries a stable code and a reason.
 */
export class GraphNotificationParser {
  readonly #subscriptions: SubscriptionCache;
  readonly #verifiedTokens = new BoundedCache<string, string>(VERIFIED_TOKENS_MAX);
  readonly #decryptor: NotificationDecryptor;

  constructor(private readonly deps: NotificationParserDeps) {
    this.#subscriptions = new SubscriptionCache(deps.subscriptions, deps.clock, deps.subscriptionCache);
    this.#decryptor = new NotificationDecryptor(deps.decryptionKeys);
  }

  async parse(query: URLSearchParams, body: string): Promise<Result<ParsedWebhook, WebhookRejection>> {
    const validationToken = query.get('validationToken');
    if (validationToken !== null) return ok({ kind: 'validation', validationToken });
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return err({ code: 'WEBHOOK.MALFORMED_JSON', message: 'The body is not JSON.' });
    }
    const value = (json as { value?: unknown } | null)?.value;
    const maxItems = this.deps.maxItems ?? DEFAULT_MAX_ITEMS;
    if (Array.isArray(value) && value.length > maxItems)
      return err({ code: 'WEBHOOK.TOO_MANY_ITEMS', message: `A request may carry at most ${maxItems} notifications.` });
    const collection = Collection.safeParse(json);
    if (!collection.success)
      return err({ code: 'WEBHOOK.BAD_SHAPE', message: 'The body is not a changeNotificationCollection.' });
    const items = collection.data.value.map((v) => Item.safeParse(v));
    const tokenCheck = await this.#checkTokens(
      items.flatMap((i) => (i.success ? [i.data] : [])),
      collection.data.validationTokens,
    );
    if ('code' in tokenCheck) return err(tokenCheck);
    return ok(await this.#items(items, tokenCheck));
  }

  /** Subscriptions, clientStates and tokens are checked item by item, in order; the output keeps the request's order. */
  async #items(items: z.ZodSafeParseResult<Parsed>[], tokenTenants: ReadonlySet<string>): Promise<ParsedWebhook> {
    const notifications: PresenceNotification[] = [];
    const lifecycle: LifecycleEvent[] = [];
    const rejected: WebhookRejection[] = [];
    for (const [index, item] of items.entries()) {
      const outcome: Outcome = item.success
        ? await this.#item(item.data, tokenTenants)
        : { code: 'WEBHOOK.BAD_SHAPE', message: 'The item is not a changeNotification.' };
      if ('code' in outcome) rejected.push({ ...outcome, index });
      else if ('event' in outcome) lifecycle.push(outcome);
      else notifications.push(outcome);
    }
    return { kind: 'notifications', notifications, lifecycle, rejected };
  }

  async #item(item: Parsed, tokenTenants: ReadonlySet<string>): Promise<Outcome> {
    const presented = secretHash(item.clientState ?? '');
    let stored = this.#subscriptions.remembered(item.subscriptionId);
    let fromStore = false;
    // The cache only vouches; before refusing, ask the store (another instance may have just created or replaced it).
    const recheck = async (): Promise<KnownSubscription | undefined> => {
      fromStore = true;
      return this.#subscriptions.read(item.subscriptionId);
    };
    if (!stored || !sameSecret(presented, stored)) stored = await recheck();
    if (!stored)
      return { code: 'WEBHOOK.UNKNOWN_SUBSCRIPTION', message: `Subscription ${item.subscriptionId} is not ours.` };
    if (!sameSecret(presented, stored))
      return {
        code: 'WEBHOOK.CLIENT_STATE_MISMATCH',
        message: `clientState does not match subscription ${item.subscriptionId}.`,
      };
    if (item.lifecycleEvent)
      return { subscriptionId: item.subscriptionId, tenantId: stored.tenantId, event: item.lifecycleEvent };
    const userId = item.resourceData?.id ?? presenceUserOf(item.resource ?? '');
    if (userId && !stored.users.has(userId) && !fromStore) stored = (await recheck()) ?? stored;
    if (!userId || !stored.users.has(userId))
      return { code: 'WEBHOOK.BAD_RESOURCE', message: 'The item names no user of this subscription.' };
    const base = {
      subscriptionId: item.subscriptionId,
      tenantId: stored.tenantId,
      userId,
      receivedAt: this.deps.clock.now(),
    };
    if (!item.encryptedContent) return base;
    // The tenant the subscription was made for, not the one the item claims: a token captured from
    // any tenant would otherwise vouch for rich data sent under this subscription.
    if (!tokenTenants.has(stored.tenantId))
      return {
        code: 'WEBHOOK.VALIDATION_TOKEN_INVALID',
        message: `No validation token for tenant ${stored.tenantId} of subscription ${item.subscriptionId}.`,
      };
    const content = item.encryptedContent;
    if (!this.#decryptor.knows(content))
      return {
        code: 'WEBHOOK.UNKNOWN_CERTIFICATE',
        message: `Resource data is encrypted to certificate ${content.encryptionCertificateId}, which is not ours.`,
      };
    return { ...base, sealed: sealPresence(item.subscriptionId, item.resource ?? userId, content) };
  }

  /**
   * §3.7: rich payloads need a valid token for every (app, tenant) pair in them. Returns the
   * tenants the tokens vouch for; each rich item is then checked against its subscription's.
   */
  async #checkTokens(
    items: readonly Parsed[],
    tokens: readonly string[] | null | undefined,
  ): Promise<WebhookRejection | ReadonlySet<string>> {
    const rich = items.filter((i) => i.encryptedContent);
    if (rich.length === 0) return new Set();
    if (!tokens || tokens.length === 0) {
      return {
        code: 'WEBHOOK.VALIDATION_TOKENS_MISSING',
        message:
          'Rich notifications came without validationTokens (set appRoleAssignmentRequired=false or assign a role to Change Tracking).',
      };
    }
    const tenants = new Set<string>();
    for (const t of tokens) {
      const v = await this.#verified(t);
      if ('reason' in v) return { code: 'WEBHOOK.VALIDATION_TOKEN_INVALID', message: v.reason };
      tenants.add(v.tid);
    }
    const uncovered = rich.find((i) => !tenants.has(i.tenantId));
    return uncovered
      ? { code: 'WEBHOOK.VALIDATION_TOKEN_INVALID', message: `No validation token for tenant ${uncovered.tenantId}.` }
      : tenants;
  }

  /**
   * A token verified once stays valid until its exp (signature, audience, issuer and caller do not
   * change), so it is remembered by its hash until then — strictly exp, without the skew allowance,
   * after which it is verified again. Rejections are not remembered.
   */
  async #verified(token: string): Promise<{ tid: string } | { reason: string }> {
    const key = createHash('sha256').update(token).digest('base64');
    const now = this.deps.clock.now();
    const known = this.#verifiedTokens.get(key, now);
    if (known !== undefined) return { tid: known };
    const v = await verifyValidationToken(token, this.deps);
    if ('tid' in v && v.expiresAt !== undefined && v.expiresAt > now) this.#verifiedTokens.set(key, v.tid, v.expiresAt);
    return v;
  }
}

/**
 * The one user a presence item's `resource` names: `communications/presences/{id}` or the form
 * Graph sends today, `communications/presences?$filter=id+in+('{id}')` (encoded or not, quoted or not).
 * A filter naming several users names no single one.
 */
export function presenceUserOf(resource: string): string | undefined {
  let text = resource;
  try {
    text = decodeURIComponent(resource);
  } catch {
    text = resource;
  }
  text = text.replace(/\+/g, ' ');
  const path = /presences\/([^/?'"()\s]+)$/.exec(text);
  if (path) return path[1];
  const filter = /\$filter=id\s+in\s*\(([^)]*)\)/i.exec(text);
  const ids = (filter?.[1] ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^'(.*)'$/, '$1'))
    .filter((s) => s !== '');
  return ids.length === 1 ? ids[0] : undefined;
}
