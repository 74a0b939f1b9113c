import type { RuleStore } from '../../../application/ports.js';
import { healthView, type HealthSnapshotLike } from '../../../application/health/health-view.js';
import type { DirectoryFor } from '../../../application/rules/rule-catalog.js';
import type { AgentOverviewQuery } from '../../../application/trace/agent-overview.js';
import type { HealthQueries, OwnerQueries, TraceQueries } from './api-deps.js';
import { healthNames } from './health-names.js';
import { problem } from './api-problem.js';
import { fail, json, route, type ApiRoute } from './api-route.js';
import { auditQuerySchema, liveQuerySchema, traceQuerySchema } from './api-schemas.js';
import { DEFAULT_LIVE_TAIL_LIMITS, LiveTailSlots, streamTrace } from './trace-sse.js';

export interface OpsRouteDeps {
  readonly health: HealthQueries;
  readonly traces: TraceQueries;
  readonly agentOverview: Pick<AgentOverviewQuery, 'of'>;
  readonly rules: Pick<RuleStore, 'audit' | 'list'>;
  readonly heartbeatMs: number;
  readonly appClientId: string;
  /** Concurrent live-tail streams allowed per user and per tenant (default 5 / 50). */
  readonly liveTailLimits?: { readonly perUser: number; readonly perTenant: number };
  readonly owners?: OwnerQueries | undefined;
  readonly directory?: DirectoryFor | undefined;
}

/** The model's answer with the headline, human names and a stable order (health-view.ts). */
async function readableHealth(deps: OpsRouteDeps, tenantId: string): Promise<Readonly<Record<string, unknown>>> {
  const raw = await deps.health.tenantHealth(tenantId);
  // Another instance may answer without components yet (or an older shape): shown as it is.
  if (!Array.isArray(raw['components']) || !Array.isArray(raw['activeSyncs'])) return raw;
  const h = raw as unknown as HealthSnapshotLike & Readonly<Record<string, unknown>>;
  return healthView(h, await healthNames(deps, tenantId, h));
}

/** Who am I, Health Check, Log Reader (query + live tail), audit log. */
export function opsRoutes(deps: OpsRouteDeps): ApiRoute[] {
  const liveTails = new LiveTailSlots(deps.liveTailLimits ?? DEFAULT_LIVE_TAIL_LIMITS);
  return [
    route({
      method: 'get',
      path: '/me',
      operationId: 'getMe',
      summary: "The caller: tenant, user, access level, and the app's Entra client id",
      access: 'read',
      responses: [{ status: 200, description: 'Caller' }],
      handle: async ({ caller }) =>
        json(200, {
          tenantId: caller.tenantId,
          userId: caller.userId,
          name: caller.name,
          access: caller.access,
          appClientId: deps.appClientId,
        }),
    }),
    route({
      method: 'get',
      path: '/health',
      operationId: 'getHealth',
      summary: 'Health Check of your tenant',
      access: 'read',
      responses: [{ status: 200, description: 'Component health' }],
      handle: async ({ caller }) => json(200, await readableHealth(deps, caller.tenantId)),
    }),
    route({
      method: 'get',
      path: '/trace',
      operationId: 'queryTrace',
      summary: 'Log Reader: every hop of one agent in a time range',
      access: 'read',
      query: traceQuerySchema,
      responses: [
        { status: 200, description: 'Trace events' },
        { status: 404, description: 'Unknown agent' },
      ],
      handle: async ({ caller, query }) => {
        const r = await deps.traces.query(caller.tenantId, query.agent, query.from, query.to, query.limit);
        return r.ok ? json(200, r.value) : fail(problem(404, r.error.code, 'Agent not found', r.error.message));
      },
    }),
    route({
      method: 'get',
      path: '/trace/agent',
      operationId: 'getTraceAgent',
      summary:
        'Log Reader header: the agent (name, team, linked Teams user), the last CXone state and Teams presence the sync saw, and the rule that applies and why',
      access: 'read',
      query: liveQuerySchema,
      responses: [
        { status: 200, description: 'Agent overview' },
        { status: 404, description: 'Unknown agent' },
      ],
      handle: async ({ caller, query }) => {
        const r = await deps.agentOverview.of(caller.tenantId, query.agent);
        return r.ok ? json(200, r.value) : fail(problem(404, r.error.code, 'Agent not found', r.error.message));
      },
    }),
    route({
      method: 'get',
      path: '/trace/live',
      operationId: 'liveTrace',
      summary: 'Log Reader live tail (text/event-stream)',
      access: 'read',
      query: liveQuerySchema,
      responses: [
        { status: 200, description: 'Server-sent events, one `trace` event per hop', contentType: 'text/event-stream' },
        { status: 404, description: 'Unknown agent' },
        { status: 429, description: 'Too many live-tail streams open for this user or tenant' },
      ],
      handle: async ({ caller, query, req, res }) => {
        // Known as the Log Reader's query knows agents: following a typo would stream nothing forever.
        const known = await deps.traces.query(caller.tenantId, query.agent, undefined, undefined, 1);
        if (!known.ok) return fail(problem(404, known.error.code, 'Agent not found', known.error.message));
        const slot = liveTails.take(caller.tenantId, caller.userId);
        if ('full' in slot) {
          const { perUser, perTenant } = liveTails.limits;
          return fail(
            problem(
              429,
              'TRACE.TOO_MANY_STREAMS',
              'Too many live tails',
              slot.full === 'user'
                ? `You already follow ${perUser} agents live; close one of those Log Reader tabs first.`
                : `Your organisation already has ${perTenant} live tails open; try again when one closes.`,
              { headers: { 'retry-after': '10' } },
            ),
          );
        }
        try {
          const agentId = known.value.agentId;
          await streamTrace({
            req,
            res,
            heartbeatMs: deps.heartbeatMs,
            subscribe: (listener) => deps.traces.subscribe(caller.tenantId, agentId, listener),
            agentId,
          });
        } finally {
          slot.release();
        }
        return { streamed: true };
      },
    }),
    route({
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      summary: 'Audit log of configuration changes, newest first',
      access: 'admin',
      query: auditQuerySchema,
      responses: [{ status: 200, description: 'Audit entries' }],
      handle: async ({ caller, query }) => json(200, { items: await deps.rules.audit(caller.tenantId, query.limit) }),
    }),
  ];
}
