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
import type { RouteRegistrar } from './restify-server.js';

/** Options of {@link graphWebhookRoutes}. */
export interface GraphWebhookRouteOptions {
  /** Validates a raw request (clientState, validationTokens, decryption): the Graph adapter's handler. */
  readonly handle: WebhookValidator;
  /** Where valid notifications go; resolves once they are durable (then we acknowledge). */
  readonly ingress: Pick<SyncIngress, 'acceptPresenceNotifications'>;
  /** Lifecycle events (reauthorizationRequired, subscriptionRemoved, missed), handled after the ack. */
  readonly onLifecycle: (events: readonly LifecycleEvent[]) => Promise<void>;
  readonly metrics: Pick<Metrics, 'webhookAck'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Larger bodies are refused with 413 before parsing (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

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
  const handler = async (req: Request, res: Response): Promise<void> => {
    const started = o.clock.now();
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    await answer(o, req, res, query);
    o.metrics.webhookAck(o.clock.now() - started);
  };
  return (server) => {
    server.post(GRAPH_NOTIFICATION_PATH, handler);
    server.post(GRAPH_LIFECYCLE_PATH, handler);
  };
}

async function answer(o: GraphWebhookRouteOptions, req: Request, res: Response, query: URLSearchParams): Promise<void> {
  let body: string;
  try {
    body = await readRawBody(req, o.maxBodyBytes ?? DEFAULT_MAX_BODY);
  } catch (e) {
    if (!(e instanceof BodyTooLarge)) throw e;
    // A handshake is recognised from the query alone, so an oversized body does not stop it.
    const unread = await o.handle(query, '');
    if (unread.kind === 'handshake') return echo(res, unread.validationToken);
    return problem(res, 413, 'WEBHOOK.TOO_LARGE', `The body exceeds ${o.maxBodyBytes ?? DEFAULT_MAX_BODY} bytes.`);
  }
  const verdict = await o.handle(query, body);
  if (verdict.kind === 'handshake') return echo(res, verdict.validationToken);
  if (verdict.rejected.length > 0)
    o.logger.warn({ rejected: verdict.rejected.map((r) => r.code) }, 'graph notifications rejected');
  if (verdict.kind === 'rejected') {
    const [first] = verdict.rejected;
    return problem(res, REFUSAL_STATUS[verdict.reason], first.code, first.message);
  }
  try {
    await o.ingress.acceptPresenceNotifications(verdict.notifications);
  } catch (e) {
    // Not durable: let Graph retry (it redelivers on 5xx) rather than acknowledge and lose it.
    o.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'graph notifications not stored');
    return problem(res, 503, 'WEBHOOK.INBOX_UNAVAILABLE', 'The notifications could not be stored; retry later.');
  }
  res.sendRaw(202, '');
  if (verdict.lifecycle.length > 0) {
    void o
      .onLifecycle(verdict.lifecycle)
      .catch((e: unknown) =>
        o.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'lifecycle handling failed'),
      );
  }
}
