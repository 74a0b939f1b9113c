import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { parseJson } from './emulator-http.js';
import { forbidden, graphError } from './graph-errors.js';
import type { GraphPrincipal } from './graph-principal.js';
import type { SubscriptionStoreEmu } from './subscription-store.js';
import {
  parseCertificate,
  parsePresenceResource,
  subscriptionResource,
  type EmulatedSubscription,
} from './subscription-model.js';
import type { WebhookCaller } from './webhook-caller.js';

const MIN_45 = 45 * 60_000;
const MIN_60 = 60 * 60_000;

const Create = z.object({
  changeType: z.string(),
  notificationUrl: z.string(),
  lifecycleNotificationUrl: z.string().optional(),
  resource: z.string(),
  expirationDateTime: z.string(),
  clientState: z.string().optional(),
  includeResourceData: z.boolean().optional(),
  encryptionCertificate: z.string().optional(),
  encryptionCertificateId: z.string().max(128).optional(),
  latestSupportedTlsVersion: z.string().optional(),
});
const Patch = z
  .object({
    expirationDateTime: z.string().optional(),
    notificationUrl: z.string().optional(),
    encryptionCertificate: z.string().optional(),
    encryptionCertificateId: z.string().optional(),
  })
  .strict();

export interface SubscriptionRouteDeps {
  readonly store: SubscriptionStoreEmu;
  readonly webhooks: WebhookCaller;
  readonly now: () => number;
  /** §8.7: http:// notification URLs are accepted only on loopback and only with this flag. */
  readonly allowHttpLoopback: boolean;
}

/** `/subscriptions` (reference graph-presence.md §3.1–3.3, §8.7). */
export async function handleSubscriptions(
  req: EmulatorRequest,
  p: GraphPrincipal,
  deps: SubscriptionRouteDeps,
): Promise<EmulatorResponse | undefined> {
  const m = /^\/v1\.0\/subscriptions(?:\/([^/]+))?(\/reauthorize)?$/.exec(req.path);
  if (!m) return undefined;
  const now = deps.now();
  // §3.1: presence subscriptions are delegated-only; an app token is refused.
  if (p.kind !== 'user' || !p.scopes.includes('Presence.Read.All')) return forbidden(now);
  const id = m[1];
  if (!id) return req.method === 'POST' ? create(req, p, deps) : req.method === 'GET' ? list(p, deps) : undefined;
  const sub = deps.store.get(id, now);
  if (!sub || sub.appId !== p.appId || sub.tenantId !== p.tenantId)
    return graphError(404, 'ResourceNotFound', `The object was not found.`, now);
  if (m[2] && req.method === 'POST') return reauthorize(sub, deps);
  if (req.method === 'GET') return { status: 200, body: subscriptionResource(sub, now) };
  if (req.method === 'DELETE') return (deps.store.remove(id), { status: 204 });
  if (req.method === 'PATCH') return await patch(sub, req, deps);
  return undefined;
}

function list(p: GraphPrincipal, deps: SubscriptionRouteDeps): EmulatorResponse {
  const now = deps.now();
  const mine = deps.store
    .all(now)
    .filter((s) => s.appId === p.appId && s.tenantId === p.tenantId && s.creatorId === p.oid);
  return { status: 200, body: { value: mine.map((s) => subscriptionResource(s, now)) } };
}

function reauthorize(sub: EmulatedSubscription, deps: SubscriptionRouteDeps): EmulatorResponse {
  delete sub.reauthPendingFor;
  deps.store.released(sub.id);
  return { status: 204 };
}

function checkUrl(url: string, deps: SubscriptionRouteDeps): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:') return true;
    return deps.allowHttpLoopback && u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** §3.3: below +45 min is raised to +45 min; beyond +60 min is refused. */
function expiryOf(value: string, now: number): number | string {
  const at = Date.parse(value);
  if (Number.isNaN(at) || at <= now) return 'expirationDateTime must be a future UTC time.';
  if (at > now + MIN_60) return 'Subscription expiration can only be 60 minutes in the future.';
  return Math.max(at, now + MIN_45);
}

async function create(req: EmulatorRequest, p: GraphPrincipal, deps: SubscriptionRouteDeps): Promise<EmulatorResponse> {
  const now = deps.now();
  const bad = (msg: string): EmulatorResponse => graphError(400, 'ValidationError', msg, now);
  const b = Create.safeParse(parseJson(req.rawBody));
  if (!b.success) return bad('Invalid subscription body.');
  const body = b.data;
  if (body.changeType !== 'updated') return bad("Presence subscriptions support changeType 'updated' only.");
  const userIds = parsePresenceResource(body.resource);
  if (!userIds || userIds.length === 0 || userIds.length > 650) return bad('Resource must name 1 to 650 presence ids.');
  if ((body.clientState?.length ?? 0) > 128) return bad('clientState must be at most 128 characters.');
  const expiresAt = expiryOf(body.expirationDateTime, now);
  if (typeof expiresAt === 'string') return bad(expiresAt);
  if (![body.notificationUrl, body.lifecycleNotificationUrl].every((u) => u === undefined || checkUrl(u, deps)))
    return bad('Notification URLs must be HTTPS.');
  const certificate = body.encryptionCertificate
    ? parseCertificate(body.encryptionCertificate, body.encryptionCertificateId ?? '')
    : undefined;
  if (body.includeResourceData && (!certificate || !body.encryptionCertificateId))
    return bad('includeResourceData requires a valid RSA encryptionCertificate and encryptionCertificateId.');
  const clash = deps.store
    .all(now)
    .find(
      (s) =>
        s.appId === p.appId && s.tenantId === p.tenantId && (s.resource === body.resource || s.creatorId === p.oid),
    );
  if (clash?.resource === body.resource)
    return graphError(
      409,
      'Conflict',
      `Subscription Id ${clash.id} already exists for the requested combination.`,
      now,
    );
  if (clash)
    return graphError(
      403,
      'ExtensionError',
      'Operation: Create; Exception: [Status Code: Forbidden; Reason: One presence subscription per application per user (limit 1) reached.]',
      now,
    );
  for (const url of new Set([
    body.notificationUrl,
    ...(body.lifecycleNotificationUrl ? [body.lifecycleNotificationUrl] : []),
  ])) {
    const failure = await deps.webhooks.handshake(url);
    if (failure) return bad(`Subscription validation request failed. ${failure}`);
  }
  const sub: EmulatedSubscription = {
    id: randomUUID(),
    tenantId: p.tenantId,
    appId: p.appId,
    creatorId: p.oid,
    resource: body.resource,
    userIds: new Set(userIds),
    changeType: body.changeType,
    notificationUrl: body.notificationUrl,
    expiresAt,
    includeResourceData: body.includeResourceData ?? false,
    ...(body.lifecycleNotificationUrl ? { lifecycleNotificationUrl: body.lifecycleNotificationUrl } : {}),
    ...(body.clientState !== undefined ? { clientState: body.clientState } : {}),
    ...(certificate ? { certificate } : {}),
  };
  deps.store.add(sub);
  return { status: 201, body: subscriptionResource(sub, now) };
}

async function patch(
  sub: EmulatedSubscription,
  req: EmulatorRequest,
  deps: SubscriptionRouteDeps,
): Promise<EmulatorResponse> {
  const now = deps.now();
  const b = Patch.safeParse(parseJson(req.rawBody));
  if (!b.success)
    return graphError(
      400,
      'ValidationError',
      'Only expirationDateTime, notificationUrl and the encryption certificate can be updated.',
      now,
    );
  const at = b.data.expirationDateTime ? expiryOf(b.data.expirationDateTime, now) : undefined;
  if (typeof at === 'string') return graphError(400, 'ValidationError', at, now);
  const url = b.data.notificationUrl;
  // README "Subscriptions": a new notificationUrl is held to the rules of create, validation request included.
  if (url !== undefined && url !== sub.notificationUrl) {
    if (!checkUrl(url, deps)) return graphError(400, 'ValidationError', 'Notification URLs must be HTTPS.', now);
    const failure = await deps.webhooks.handshake(url);
    if (failure) return graphError(400, 'ValidationError', `Subscription validation request failed. ${failure}`, now);
  }
  if (at !== undefined) sub.expiresAt = at;
  if (url) sub.notificationUrl = url;
  if (b.data.encryptionCertificate) {
    const cert = parseCertificate(
      b.data.encryptionCertificate,
      b.data.encryptionCertificateId ?? sub.certificate?.id ?? '',
    );
    if (!cert) return graphError(400, 'ValidationError', 'Invalid encryptionCertificate.', now);
    sub.certificate = cert;
  }
  // §3.3: a renewal also reauthorizes.
  reauthorize(sub, deps);
  return { status: 200, body: subscriptionResource(sub, now) };
}
