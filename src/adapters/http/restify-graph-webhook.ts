import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'restify';
import type {
  Clock,
  LifecycleEvent,
  Logger,
  Metrics,
  SyncIngress,
  WebhookValidator,
  WebhookVerdict,
} from '../../application/ports.js';
import { BoundedCache } from '../shared/bounded-cache.js';
import { TokenBuckets, type BucketOptions } from './rate-limit.js';
import type { RouteRegistrar } from './restify-server.js';

/** Options of {@link graphWebhookRoutes}. */
export interface GraphWebhookRouteOptions {
  /** Validates a raw request (clientState, validationTokens, decryption): the Graph adapter's handler. */
  readonly handle: WebhookValidator;
  /** Where valid notifications go; resolves once they are durable (then we acknowledge). */
  readonly ingress: Pick<SyncIngress, 'acceptPresenceNotifications'>;
  /**
   * Lifecycle events (reauthorizationRequired, subscriptionRemoved, missed): resolves once they
   * are durable (then we acknowledge); acting on them happens after, on the tenant's owner.
   */
  readonly onLifecycle: (events: readonly LifecycleEvent[]) => Promise<void>;
  readonly metrics: Pick<Metrics, 'webhookAck'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Larger bodies are refused with 413 before parsing (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Who sent a request: the client address, from the trusted proxy's header behind a balancer (default: socket peer). */
  readonly sourceOf?: (req: IncomingMessage) => string;
  /**
   * Refused work one source may cause (units: refused items, or KiB of a refused body) before its
   * requests are turned away with 429 unread. Graph's own deliveries are almost never refused, so
   * only a sender of forgeries runs dry. Default {@link DEFAULT_REFUSED_PER_SOURCE}.
   */
  readonly refusedPerSource?: BucketOptions;
  /**
   * Refused work all sources together may cause, except sources whose notifications were accepted
   * in the last 10 minutes (Graph's own addresses): a flood from ever-new addresses cannot take the
   * event loop, and Graph, which delivers valid notifications, is not turned away by it.
   * Default {@link DEFAULT_REFUSED_OVERALL}.
   */
  readonly refusedOverall?: BucketOptions;
}

/** A source may cause 2,000 units of refused work at once, 200 more per second. */
export const DEFAULT_REFUSED_PER_SOURCE: BucketOptions = Object.freeze({ capacity: 2_000, refillPerSecond: 200 });
/** All unproven sources together: 2,000 units at once, 500 more per second (half a 1 MB body). */
export const DEFAULT_REFUSED_OVERALL: BucketOptions = Object.freeze({ capacity: 2_000, refillPerSecond: 500 });
const OVERALL = '*';
const VOUCHED_FOR_MS = 10 * 60_000;

export const GRAPH_NOTIFICATION_PATH = '/api/graph/notifications';
export const GRAPH_LIFECYCLE_PATH = '/api/graph/lifecycle';
const DEFAULT_MAX_BODY = 1024 * 1024;

class BodyTooLarge extends Error {}

function readRawBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** 400 for what is not a notification collection, 403 for what failed a check, 503 so Graph redelivers. */
const REFUSAL_STATUS: Readonly<Record<Extract<WebhookVerdict, { kind: 'rejected' }>['reason'], number>> = {
  malformed: 400,
  forged: 403,
  unavailable: 503,
};

/**
 * The validation handshake (reference graph-presence.md §3.3): the decoded token back as
 * text/plain within 10 s. nosniff keeps a browser from reading an attacker-chosen token as HTML.
 */
function echo(res: Response, validationToken: string): void {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('x-content-type-options', 'nosniff');
  res.sendRaw(200, validationToken);
}

function problem(res: Response, status: number, code: string, detail: string): void {
  res.setHeader('content-type', 'application/problem+json');
  res.sendRaw(
    status,
    JSON.stringify({
      type: `urn:presence-sync:problem:${code}`,
      title: 'Graph notification refused',
      status,
      detail,
      code,
    }),
  );
}

/**
 * POST /api/graph/notifications and /api/graph/lifecycle (reference graph-presence.md §3.3–3.5):
 * the validation handshake is echoed as text/plain; otherwise the raw body is validated by the
 * injected handler, valid notifications are made durable in the engine's inbox, and Graph gets
 * 202 well inside its 3 s budget (processing is asynchronous). Rejected payloads get a 4xx
 * problem+json with the reason and never reach the engine.
 */
export function graphWebhookRoutes(options: GraphWebhookRouteOptions): RouteRegistrar {
  const o = Object.freeze({ ...options });
  const refused = new TokenBuckets(o.refusedPerSource ?? DEFAULT_REFUSED_PER_SOURCE, o.clock);
  const overall = new TokenBuckets(o.refusedOverall ?? DEFAULT_REFUSED_OVERALL, o.clock, 1);
  const vouched = new BoundedCache<string, true>(1_024);
  const sourceOf = o.sourceOf ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const gateOf = (source: string, now: number) => {
    const own = refused.peek(source);
    if (!own.allowed || vouched.get(source, now)) return own;
    return overall.peek(OVERALL);
  };
  const handler = async (req: Request, res: Response): Promise<void> => {
    const started = o.clock.now();
    const source = sourceOf(req);
    const gate = gateOf(source, started);
    if (!gate.allowed) {
      // Unread, and the connection closed rather than drained: a sender of forgeries costs neither
      // reading, parsing nor the store until its budget refills.
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', String(gate.retryAfterSeconds));
      return problem(res, 429, 'WEBHOOK.RATE_LIMITED', 'Too many refused notifications from this source.');
    }
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const { cost, accepted } = await answer(o, req, res, query);
    if (accepted) vouched.set(source, true, o.clock.now() + VOUCHED_FOR_MS);
    if (cost > 0) {
      refused.charge(source, cost);
      if (!vouched.get(source, o.clock.now())) overall.charge(OVERALL, cost);
    }
    o.metrics.webhookAck(o.clock.now() - started);
  };
  return (server) => {
    server.post(GRAPH_NOTIFICATION_PATH, handler);
    server.post(GRAPH_LIFECYCLE_PATH, handler);
  };
}

/**
 * Answers one request and says whether anything was accepted and how much refused work it caused
 * (refused items, or KiB of a body refused whole — whichever is more), so a source sending
 * forgeries runs out of budget.
 */
async function answer(
  o: GraphWebhookRouteOptions,
  req: Request,
  res: Response,
  query: URLSearchParams,
): Promise<{ cost: number; accepted: boolean }> {
  const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let body: string;
  try {
    body = await readRawBody(req, limit);
  } catch (e) {
    if (!(e instanceof BodyTooLarge)) throw e;
    // A handshake is recognised from the query alone, so an oversized body does not stop it.
    const unread = await o.handle(query, '');
    if (unread.kind === 'handshake') return (echo(res, unread.validationToken), NOTHING);
    problem(res, 413, 'WEBHOOK.TOO_LARGE', `The body exceeds ${limit} bytes.`);
    return { cost: Math.ceil(limit / 1024), accepted: false };
  }
  const verdict = await o.handle(query, body);
  if (verdict.kind === 'handshake') return (echo(res, verdict.validationToken), NOTHING);
  if (verdict.rejected.length > 0)
    o.logger.warn({ rejected: verdict.rejected.map((r) => r.code) }, 'graph notifications rejected');
  if (verdict.kind === 'rejected') {
    const [first] = verdict.rejected;
    problem(res, REFUSAL_STATUS[verdict.reason], first.code, first.message);
    if (verdict.reason === 'unavailable') return NOTHING;
    return { cost: Math.max(verdict.rejected.length, Math.ceil(Buffer.byteLength(body) / 1024)), accepted: false };
  }
  try {
    await o.ingress.acceptPresenceNotifications(verdict.notifications);
    if (verdict.lifecycle.length > 0) await o.onLifecycle(verdict.lifecycle);
  } catch (e) {
    // Not durable: let Graph retry (it redelivers on 5xx) rather than acknowledge and lose it.
    o.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'graph notifications not stored');
    problem(res, 503, 'WEBHOOK.INBOX_UNAVAILABLE', 'The notifications could not be stored; retry later.');
    return { cost: verdict.rejected.length, accepted: false };
  }
  res.sendRaw(202, '');
  return { cost: verdict.rejected.length, accepted: true };
}

const NOTHING = Object.freeze({ cost: 0, accepted: false });
