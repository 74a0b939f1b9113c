import { z } from 'zod';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { parseJson } from './emulator-http.js';
import { forbidden, graphError, tooManyRequests } from './graph-errors.js';
import type { GraphPrincipal } from './graph-principal.js';
import { mayReadPresence, mayWritePresence } from './graph-principal.js';
import type { GraphWorld } from './graph-world.js';
import { parseIsoDuration } from './iso-duration.js';

const SESSION_PAIRS = [
  'Available/Available',
  'Busy/InACall',
  'Busy/InAConferenceCall',
  'Away/Away',
  'DoNotDisturb/Presenting',
];
const PREFERRED_PAIRS = [
  'Available/Available',
  'Busy/Busy',
  'DoNotDisturb/DoNotDisturb',
  'BeRightBack/BeRightBack',
  'Away/Away',
  'Offline/OffWork',
];
const MIN_5 = 5 * 60_000;
const HOUR_4 = 4 * 3600_000;
const DAY = 24 * 3600_000;

const SetPresence = z.object({
  sessionId: z.string(),
  availability: z.string(),
  activity: z.string(),
  expirationDuration: z.string().optional(),
});
const ClearPresence = z.object({ sessionId: z.string() });
const SetPreferred = z.object({
  availability: z.string(),
  activity: z.string(),
  expirationDuration: z.string().optional(),
});
const SetStatusMessage = z.object({
  statusMessage: z.object({
    message: z.object({ content: z.string(), contentType: z.literal('text') }),
    expiryDateTime: z.object({ dateTime: z.string(), timeZone: z.string() }).optional(),
  }),
});
const GetByIds = z.object({ ids: z.array(z.string()).min(1).max(650) });

type Handler = (ctx: PresenceContext) => EmulatorResponse;
interface PresenceContext {
  readonly world: GraphWorld;
  readonly principal: GraphPrincipal;
  readonly userId: string;
  readonly body: unknown;
  readonly now: number;
  readonly receivedAt: number | undefined;
}

/**
 * The presence endpoints (reference graph-presence.md §1.3, §2, §8.4), behind the per-app
 * throttle (§8.5). Returns undefined when the path is not a presence route.
 */
export function handlePresence(
  req: EmulatorRequest,
  principal: GraphPrincipal,
  world: GraphWorld,
): EmulatorResponse | undefined {
  const route = matchRoute(req, principal);
  if (!route) return undefined;
  const now = world.clock.now();
  const gate = admit(world, principal, now);
  if (gate) return gate;
  // §8.2: /me needs a delegated token.
  if (route.userId === '/me') return bad(now, '/me request is only valid with delegated authentication flow.');
  const user = world.directory.user(principal.tenantId, route.userId);
  if (!user && route.action !== 'getPresencesByUserId')
    return graphError(404, 'NotFound', `User '${route.userId}' not found.`, now);
  const ctx: PresenceContext = {
    world,
    principal,
    userId: user?.id ?? '',
    body: parseJson(req.rawBody),
    now,
    receivedAt: req.receivedAt,
  };
  return ACTIONS[route.action]!(ctx);
}

function matchRoute(req: EmulatorRequest, p: GraphPrincipal): { action: string; userId: string } | undefined {
  const path = req.path.replace(/^\/v1\.0/, '');
  if (req.method === 'POST' && path === '/communications/getPresencesByUserId')
    return { action: 'getPresencesByUserId', userId: '' };
  const get = /^\/(?:users\/([^/]+)\/presence|communications\/presences\/([^/]+)|me\/presence)$/.exec(path);
  if (req.method === 'GET' && get)
    return { action: 'get', userId: get[1] ?? get[2] ?? (p.kind === 'user' ? p.oid : '/me') };
  const act = /^\/(?:users\/([^/]+)|me)\/presence\/(\w+)$/.exec(path);
  if (req.method === 'POST' && act && ACTIONS[act[2]!])
    return { action: act[2]!, userId: act[1] ?? (p.kind === 'user' ? p.oid : '/me') };
  return undefined;
}

function admit(world: GraphWorld, p: GraphPrincipal, now: number): EmulatorResponse | undefined {
  const fault = world.takeFault();
  if (fault) {
    if (fault.status === 429) return tooManyRequests(fault.retryAfterSec ?? 1, now);
    return graphError(
      fault.status,
      'ServiceUnavailable',
      'Injected fault.',
      now,
      fault.retryAfterSec ? { 'retry-after': String(fault.retryAfterSec) } : {},
    );
  }
  const wait = world.throttle.take(`${p.appId}/${p.tenantId}`, now);
  return wait === undefined ? undefined : tooManyRequests(wait, now);
}

const bad = (now: number, message: string): EmulatorResponse => graphError(400, 'BadRequest', message, now);
const empty: EmulatorResponse = { status: 200 };

function durationOf(value: string | undefined, now: number, fallback: number, max = HOUR_4): number | EmulatorResponse {
  if (value === undefined) return fallback;
  const ms = parseIsoDuration(value);
  if (ms === undefined || ms < MIN_5 || ms > max)
    return bad(now, `expirationDuration '${value}' must be between PT5M and PT4H.`);
  return ms;
}

function record(
  ctx: PresenceContext,
  route: string,
  presence?: { readonly availability: string; readonly activity: string },
): void {
  ctx.world.logWrite({
    at: ctx.now,
    ...(ctx.receivedAt !== undefined ? { receivedAt: ctx.receivedAt } : {}),
    route,
    userId: ctx.userId,
    appId: ctx.principal.appId,
    ...(presence ? { presence: `${presence.availability}/${presence.activity}` } : {}),
  });
  ctx.world.touch(ctx.userId);
}

const ACTIONS: Record<string, Handler> = {
  get(ctx) {
    const self = ctx.principal.kind === 'user' && ctx.principal.oid === ctx.userId;
    if (!mayReadPresence(ctx.principal, self)) return forbidden(ctx.now);
    ctx.world.presenceReads++;
    return { status: 200, body: ctx.world.presence(ctx.userId).toResource(self) };
  },
  getPresencesByUserId(ctx) {
    if (!mayReadPresence(ctx.principal, false)) return forbidden(ctx.now);
    const parsed = GetByIds.safeParse(ctx.body);
    if (!parsed.success) return bad(ctx.now, 'ids must hold 1 to 650 user ids.');
    // README "Presence reads": one presence per distinct id, however often it was asked for.
    const known = [...new Set(parsed.data.ids.map((id) => id.toLowerCase()))].filter((id) =>
      ctx.world.directory.user(ctx.principal.tenantId, id),
    );
    ctx.world.presenceReads++;
    return { status: 200, body: { value: known.map((id) => ctx.world.presence(id).toResource(false)) } };
  },
  setPresence(ctx) {
    if (!mayWritePresence(ctx.principal, ctx.principal.oid === ctx.userId)) return forbidden(ctx.now);
    const b = SetPresence.safeParse(ctx.body);
    if (!b.success) return bad(ctx.now, 'Invalid setPresence body.');
    if (b.data.sessionId !== ctx.principal.appId) return bad(ctx.now, 'sessionId must be the calling application id.');
    if (!SESSION_PAIRS.includes(`${b.data.availability}/${b.data.activity}`))
      return bad(ctx.now, `Invalid availability/activity pair ${b.data.availability}/${b.data.activity}.`);
    const ms = durationOf(b.data.expirationDuration, ctx.now, MIN_5);
    if (typeof ms !== 'number') return ms;
    ctx.world.presence(ctx.userId).setAppSession(b.data.sessionId, b.data, ctx.now, ms);
    record(ctx, 'setPresence', b.data);
    return empty;
  },
  clearPresence(ctx) {
    if (!mayWritePresence(ctx.principal, ctx.principal.oid === ctx.userId)) return forbidden(ctx.now);
    const b = ClearPresence.safeParse(ctx.body);
    if (!b.success) return bad(ctx.now, 'Invalid clearPresence body.');
    const p = ctx.world.presence(ctx.userId);
    // §2.3: 404 when that session does not exist (an expired one counts as gone).
    const existed = p.hasAppSession(b.data.sessionId, ctx.now);
    p.clearAppSession(b.data.sessionId);
    if (!existed) return graphError(404, 'NotFound', 'Presence session not found.', ctx.now);
    record(ctx, 'clearPresence');
    return empty;
  },
  setUserPreferredPresence(ctx) {
    if (!mayWritePresence(ctx.principal, ctx.principal.oid === ctx.userId)) return forbidden(ctx.now);
    const b = SetPreferred.safeParse(ctx.body);
    if (!b.success || !PREFERRED_PAIRS.includes(`${b.data.availability}/${b.data.activity}`))
      return bad(ctx.now, 'Invalid preferred availability/activity pair.');
    // §2.4: default expiry 1 day for Busy/DND, 7 days otherwise.
    const fallback = ['Busy', 'DoNotDisturb'].includes(b.data.availability) ? DAY : 7 * DAY;
    const ms = durationOf(b.data.expirationDuration, ctx.now, fallback, 7 * DAY);
    if (typeof ms !== 'number') return ms;
    ctx.world.presence(ctx.userId).setPreferred(b.data, ctx.now, ms);
    record(ctx, 'setUserPreferredPresence', b.data);
    return empty;
  },
  clearUserPreferredPresence(ctx) {
    if (!mayWritePresence(ctx.principal, ctx.principal.oid === ctx.userId)) return forbidden(ctx.now);
    ctx.world.presence(ctx.userId).setPreferred(undefined, ctx.now);
    record(ctx, 'clearUserPreferredPresence');
    return empty;
  },
  setStatusMessage(ctx) {
    if (!mayWritePresence(ctx.principal, ctx.principal.oid === ctx.userId)) return forbidden(ctx.now);
    const b = SetStatusMessage.safeParse(ctx.body);
    if (!b.success) return bad(ctx.now, 'Invalid statusMessage.');
    ctx.world.presence(ctx.userId).statusMessage = {
      ...b.data.statusMessage,
      publishedDateTime: new Date(ctx.now).toISOString(),
    };
    record(ctx, 'setStatusMessage');
    // README "Presence sessions": the message is part of the presence resource, so it is a new version and a notification.
    ctx.world.announce(ctx.userId);
    return empty;
  },
};
