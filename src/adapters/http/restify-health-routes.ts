import type { RouteRegistrar } from './restify-server.js';

/**
 * `/healthz`: the process answers (liveness; a load balancer restarts it when this fails).
 * `/readyz`: it can do its work — the store is reachable and migrated (readiness; a load balancer
 * stops sending traffic when this fails). Neither needs auth nor says more than up/down.
 */
export function healthRoutes(ready: () => Promise<boolean>): RouteRegistrar {
  return (server) => {
    server.get('/healthz', async (_req, res) => {
      res.setHeader('cache-control', 'no-store');
      res.send(200, { status: 'ok' });
    });
    server.get('/readyz', async (_req, res) => {
      const ok = await ready().catch(() => false);
      res.setHeader('cache-control', 'no-store');
      res.send(ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
    });
  };
}
