import type { Server } from 'restify';
import { graphWebhookRoutes, type GraphWebhookVerdict } from '../adapters/http/restify-graph-webhook.js';
import type { RouteRegistrar } from '../adapters/http/restify-server.js';
import type { Clock, Logger } from '../application/ports.js';
import type { SyncRuntime } from './sync-runtime.js';

const notReady = (): GraphWebhookVerdict => ({
  status: 503, contentType: 'application/json', body: '', notifications: [], lifecycle: [],
  rejected: [{ code: 'WEBHOOK.NOT_READY', message: 'No tenant is running on this instance yet; Graph will redeliver.' }],
});

/** GET /metrics: Prometheus text format. */
export function metricsRoute(runtime: SyncRuntime): RouteRegistrar {
  return (server: Server) => {
    server.get('/metrics', async (_req, res) => {
      const body = await runtime.metrics.registry.metrics();
      res.setHeader('content-type', runtime.metrics.registry.contentType);
      res.sendRaw(200, body);
    });
  };
}

/**
 * The Graph webhook routes over the running tenants' handlers. One Entra app serves every tenant
 * and the parser finds each subscription in the shared store, so any running tenant's handler
 * validates any notification.
 */
export function webhookRoutes(runtime: SyncRuntime, clock: Clock, logger: Logger): RouteRegistrar {
  return graphWebhookRoutes({
    handle: (query, body) => {
      const first = runtime.adapters.values().next().value;
      return first ? first.subscriptions.handleWebhook(query, body) : Promise.resolve(notReady());
    },
    ingress: runtime.engine,
    onLifecycle: async (events) => {
      for (const e of events) await runtime.adapters.get(e.tenantId)?.subscriptions.registry.onLifecycle(e.subscriptionId, e.event);
    },
    metrics: runtime.metrics, clock, logger: logger.child({ component: 'graph-webhook' }),
  });
}
