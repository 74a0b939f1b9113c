import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'restify';
import type { Clock, Logger, Metrics, PresenceNotification, SyncIngress } from '../../application/ports.js';
import type { RouteRegistrar } from './restify-server.js';

/** What the Graph adapter's webhook handler answers (structural: adapters do not import each other). */
export interface GraphWebhookVerdict {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly notifications: readonly PresenceNotification[];
  readonly lifecycle: readonly { readonly subscriptionId: string; readonly tenantId: string; readonly event: string }[];
  readonly rejected: readonly { readonly code: string; readonly message: string; readonly index?: number }[];
}

/** Options of {@link graphWebhookRoutes}. */
export interface GraphWebhookRouteOptions {
  /** Validates a raw request (clientState, validationTokens, decryption): the Graph adapter's handler. */
  readonly handle: (query: URLSearchParams, body: string) => Promise<GraphWebhookVerdict>;
  /** Where valid notifications go; resolves once they are durable (then we acknowledge). */
  readonly ingress: Pick<SyncIngress, 'acceptPresenceNotifications'>;
  /** Lifecycle events (reauthorizationRequired, subscriptionRemoved, missed), handled after the ack. */
  readonly onLifecycle: (events: GraphWebhookVerdict['lifecycle']) => Promise<void>;
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
    const token = query.get('validationToken');
    if (token !== null) {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.sendRaw(200, token);
      return;
    }
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
    if (e instanceof BodyTooLarge)
      return problem(res, 413, 'WEBHOOK.TOO_LARGE', `The body exceeds ${o.maxBodyBytes ?? DEFAULT_MAX_BODY} bytes.`);
    throw e;
  }
  const verdict = await o.handle(query, body);
  if (verdict.rejected.length > 0)
    o.logger.warn({ rejected: verdict.rejected.map((r) => r.code) }, 'graph notifications rejected');
  if (verdict.status >= 400) {
    const first = verdict.rejected[0];
    return problem(
      res,
      verdict.status,
      first?.code ?? 'WEBHOOK.REJECTED',
      first?.message ?? 'The notification was refused.',
    );
  }
  if (verdict.status === 200) {
    res.setHeader('content-type', verdict.contentType);
    res.sendRaw(200, verdict.body);
    return;
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
