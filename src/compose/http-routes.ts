import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Server } from 'restify';
import type { DecryptionKey } from '../adapters/graph/graph-notification-crypto.js';
import { GraphNotificationParser } from '../adapters/graph/graph-notification-parser.js';
import { entraJwks } from '../adapters/graph/graph-validation-tokens.js';
import { handleGraphWebhook } from '../adapters/graph/graph-webhook-handler.js';
import { clientAddress } from '../adapters/http/rate-limit.js';
import { graphWebhookRoutes } from '../adapters/http/restify-graph-webhook.js';
import type { RouteRegistrar } from '../adapters/http/restify-server.js';
import type { HttpFetch } from '../adapters/shared/http-transport.js';
import type { Clock, Logger, Store } from '../application/ports.js';
import type { Config } from '../config.js';
import type { SyncRuntime } from './sync-runtime.js';

/**
 * GET /metrics: Prometheus text format. The series name every tenant id and reveal sync volumes,
 * so outside the sandbox a scraper must send the configured bearer token (Prometheus
 * `authorization: { credentials: … }`); production without a token does not serve them at all.
 */
export function metricsRoute(registry: Registry, access: Config['metrics']): RouteRegistrar {
  const expected = access.access === 'token' ? digest(access.token) : undefined;
  return (server: Server) => {
    if (access.access === 'off') return;
    server.get('/metrics', async (req, res) => {
      if (expected) {
        const sent = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!sent || !timingSafeEqual(digest(sent), expected)) {
          res.setHeader('www-authenticate', 'Bearer realm="metrics"');
          res.setHeader('content-type', 'application/problem+json');
          res.sendRaw(
            401,
            JSON.stringify({
              type: 'urn:presence-sync:problem:METRICS.TOKEN_REQUIRED',
              title: 'Metrics token required',
              status: 401,
              code: 'METRICS.TOKEN_REQUIRED',
              detail: 'Send the configured SECRET_METRICS_TOKEN as a bearer token.',
            }),
          );
          return;
        }
      }
      const body = await registry.metrics();
      res.setHeader('content-type', registry.contentType);
      res.sendRaw(200, body);
    });
  };
}

/** Fixed-length digests, so the comparison takes the same time whatever was sent. */
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** What the webhook route needs to validate notifications on any instance. */
export interface WebhookRouteDeps {
  readonly runtime: SyncRuntime;
  readonly store: Store;
  /** Our Entra app (client) id: the audience of validation tokens. */
  readonly appId: string;
  /** Entra's signing keys (validation tokens of rich notifications). */
  readonly jwksUrl: string;
  /** Fetch for the JWKS (trusts the configured extra CA). */
  readonly fetch: HttpFetch;
  /** Private keys of rich notifications (from the shared store, so any instance decrypts any tenant's). */
  readonly decryptionKeys: readonly DecryptionKey[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Proxies in front of us that append to X-Forwarded-For (refused work is counted per client address). */
  readonly trustedProxyHops: number;
}

/**
 * The Graph webhook routes. One Entra app serves every tenant and the parser finds each
 * subscription in the shared store, so every instance validates every notification with one
 * handler built from the store and the app's Graph settings, whether or not it runs the tenant;
 * valid notifications go to the shared inbox, which the tenant's owner polls.
 */
export function webhookRoutes(deps: WebhookRouteDeps): RouteRegistrar {
  const { runtime, clock, logger } = deps;
  const parser = new GraphNotificationParser({
    subscriptions: deps.store.subscriptions,
    appId: deps.appId,
    clock,
    jwks: entraJwks(deps.jwksUrl, deps.fetch),
    decryptionKeys: deps.decryptionKeys,
  });
  const log = logger.child({ component: 'graph-webhook' });
  return graphWebhookRoutes({
    handle: async (query, body) => {
      try {
        return await handleGraphWebhook(parser, query, body);
      } catch (error) {
        // Validation reads the subscriptions from the store; when it cannot, Graph must redeliver later.
        log.error(
          { err: error instanceof Error ? error.message : String(error) },
          'graph notifications not validated: store unavailable',
        );
        return {
          kind: 'rejected',
          reason: 'unavailable',
          rejected: [
            { code: 'WEBHOOK.STORE_UNAVAILABLE', message: 'The notifications could not be checked now; retry later.' },
          ],
        };
      }
    },
    ingress: runtime.engine,
    // Stored for the tenant's owner (acted on at once when that is this instance) before Graph gets its 202.
    onLifecycle: (events) => runtime.lifecycle.accept(events),
    metrics: runtime.metrics,
    sourceOf: clientAddress(deps.trustedProxyHops),
    clock,
    logger: log,
  });
}
