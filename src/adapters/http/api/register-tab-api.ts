import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'restify';
import { DEFAULT_LIMITS, type TabApiDeps } from './api-deps.js';
import { sendJson, sendProblem } from './api-http.js';
import { directoryRoutes } from './api-directory-routes.js';
import { lookupRoutes } from './api-lookup-routes.js';
import { API_BASE, buildOpenApi } from './api-openapi.js';
import { opsRoutes } from './api-ops-routes.js';
import { ownerSignInRoutes } from './api-owner-sign-in-routes.js';
import { notFound, problem, problemDocument } from './api-problem.js';
import { onboardingRoutes } from './api-onboarding-routes.js';
import { ruleRoutes } from './api-rule-routes.js';
import type { ApiRoute } from './api-route.js';
import { routeHandler } from './api-runner.js';
import { settingsRoutes } from './api-settings-routes.js';
import { userRoutes } from './api-user-routes.js';

/** The route table: the server registers exactly these, and the OpenAPI document describes exactly these. */
export function tabApiRoutes(deps: TabApiDeps): ApiRoute[] {
  return [
    ...ruleRoutes(deps.ruleService, deps.dryRun),
    ...lookupRoutes(deps.directory),
    ...userRoutes(deps.userMapping, deps.userCsv),
    ...onboardingRoutes(deps.onboarding),
    ...settingsRoutes(deps),
    ...directoryRoutes(deps.people, deps.ownerConnector, deps.recordAudit, deps.clock),
    ...ownerSignInRoutes(deps.ownerSignIn, deps.recordAudit, deps.clock),
    ...opsRoutes({
      health: deps.health,
      traces: deps.traces,
      agentOverview: deps.agentOverview,
      rules: deps.ruleStore,
      heartbeatMs: deps.sseHeartbeatMs ?? 15_000,
      appClientId: deps.appClientId,
      owners: deps.owners,
      directory: deps.directory,
    }),
  ];
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Mounts the tab REST API under /api/v1 on the product's restify server. Bodies are read by the
 * API itself (size limit, problem+json), so no global bodyParser may run on these paths.
 */
export function registerTabApi(server: Server, deps: TabApiDeps): { readonly routes: readonly ApiRoute[] } {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const routes = tabApiRoutes(deps);
  const runner = { verifier: deps.verifier, logger: deps.logger.child({ component: 'tab-api' }), limits };
  for (const r of routes) {
    const handler: Handler = routeHandler(r, runner);
    server[r.method](API_BASE + r.path, handler);
  }
  const document = buildOpenApi(routes, '1.0.0');
  const openapi: Handler = async (_req, res) => sendJson(res, 200, document);
  server.get(`${API_BASE}/openapi.json`, openapi);
  // Unknown paths below /api/v1 answer problem+json too, not restify's own error shape.
  const unknown: Handler = async (req, res) =>
    sendProblem(
      res,
      notFound(`${req.method} ${(req.url ?? '').split('?')[0]} is not part of this API.`, 'API.NO_SUCH_ROUTE'),
      (req.url ?? '').split('?')[0] ?? '',
    );
  for (const m of ['get', 'post', 'put', 'del', 'patch'] as const) server[m](`${API_BASE}/*`, unknown);
  routerProblemsAsJson(server);
  return { routes };
}

type RestifyErrorListener = (
  req: IncomingMessage,
  res: ServerResponse & { sendRaw(code: number, body: string, headers: Record<string, string>): void },
  err: Error,
  done: () => void,
) => void;

/**
 * Errors restify's router raises itself below /api/v1 — a known path with another method (405),
 * or a path it cannot match at all (a segment over find-my-way's 100 characters, 404) — answer
 * problem+json too. `sendRaw` marks the response sent, so restify does not render its own body.
 */
function routerProblemsAsJson(server: Server): void {
  const listener =
    (status: number, code: string, title: string): RestifyErrorListener =>
    (req, res, _err, done) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path.startsWith(`${API_BASE}/`) && !res.headersSent) {
        const doc = problemDocument(
          problem(status, code, title, `${req.method ?? ''} ${path.slice(0, 200)} is not part of this API.`),
          path.slice(0, 200),
        );
        res.sendRaw(status, JSON.stringify(doc), {
          'content-type': 'application/problem+json; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
      }
      done();
    };
  server.on('MethodNotAllowed', listener(405, 'API.METHOD_NOT_ALLOWED', 'Method not allowed'));
  server.on('NotFound', listener(404, 'API.NO_SUCH_ROUTE', 'Not found'));
}
