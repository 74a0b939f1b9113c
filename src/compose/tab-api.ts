import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ownerRecordSignedIn } from '../adapters/graph/graph-owner-token-cache.js';
import type { AuditRecorder, OwnerQueries, TabApiDeps, TraceQueries } from '../adapters/http/api/api-deps.js';
import { registerTabApi } from '../adapters/http/api/register-tab-api.js';
import { AdminSightings } from '../adapters/http/api/admin-sightings.js';
import { createSsoVerifier, TAB_API_SCOPE, type SsoVerifier } from '../adapters/http/api/sso-token-verifier.js';
import { clientAddress, DEFAULT_API_RATE_LIMITS, rateLimitTabApi } from '../adapters/http/rate-limit.js';
import { staticTabRoutes } from '../adapters/http/restify-static-tab.js';
import type { RouteRegistrar } from '../adapters/http/restify-server.js';
import { createHttpTransport, type HttpFetch } from '../adapters/shared/http-transport.js';
import type { Clock, Logger, Store } from '../application/ports.js';
import { TraceQueryService } from '../application/trace/trace-query.js';
import type { Config } from '../config.js';
import type { TenantSettings } from '../adapters/http/api/api-schemas.js';
import { cxoneConnectionTest } from './cxone-connection-test.js';
import { onboardingRoutesDeps, withOnboardingHealth } from './onboarding.js';
import { ownerSignInOptions, peopleSearch } from './owner-sign-in.js';
import { uuidIds, type SyncRuntime } from './sync-runtime.js';
import { tabApiServices } from './tab-api-services.js';
import { tenantOwnerConnector, type TenantRequestPorts } from './tenant-request-ports.js';
import { cxoneOptions, tenantOwners, type Endpoints } from './tenant-ports.js';

export interface TabApiWiring {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly store: Store;
  readonly runtime: SyncRuntime;
  /** The tenants' directories for requests, on any instance (never the sync's adapters: those live on the lease holder only). */
  readonly requestPorts: TenantRequestPorts;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The Entra app (client) id: the audience of the tab's SSO tokens. */
  readonly appClientId: string;
  /** Its client secret (Graph app-only tokens: the admin-consent check). */
  readonly appClientSecret: string;
  /** This service's public base URL (known once the server listens): the redirect URIs. */
  readonly publicBaseUrl: () => string;
}

function traceQueryService(w: TabApiWiring): TraceQueryService {
  return new TraceQueryService({
    traces: w.store.traces,
    userLinks: w.store.userLinks,
    directory: (t) => w.requestPorts.acdDirectory(t),
    flush: () => w.runtime.trace.flush(),
  });
}

function traceQueries(w: TabApiWiring, service: TraceQueryService): TraceQueries {
  return {
    query: (tenantId, agent, from, to, limit) =>
      service.byAgent({
        tenantId,
        agent,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(limit !== undefined ? { limit } : {}),
      }),
    resolve: async (tenantId, ref) => (await service.resolve(tenantId, ref))?.agentId,
    subscribe: (tenantId, agentId, listener) => w.runtime.traceTail.subscribe(tenantId, agentId, listener),
  };
}

function ownerQueries(w: TabApiWiring): OwnerQueries {
  return {
    list: async (tenantId) => {
      const subs = await w.store.subscriptions.list(tenantId);
      const health = (await w.runtime.sharedHealth.answer(tenantId)).components;
      return Promise.all(
        (await tenantOwners(w.store, tenantId)).map(async (ownerId) => {
          const h = health.find((c) => c['component'] === `owner:${ownerId}`);
          const record = await w.store.tenants.getConnection(tenantId, `owner:${ownerId}`);
          const signedIn = ownerRecordSignedIn(record) && h?.['status'] !== 'down';
          return {
            ownerId,
            userPrincipalName: record?.['userPrincipalName'] ?? ownerId,
            signedIn,
            detail: typeof h?.['detail'] === 'string' ? h['detail'] : signedIn ? 'signed in' : 'not signed in',
            subscriptionCount: subs.filter((s) => s.ownerId === ownerId).length,
          };
        }),
      );
    },
  };
}

/**
 * Audit of changes the store does not audit itself (settings, connections and their tests, owner
 * sign-ins; rules and links are audited by the store in their own transaction): into the audit log
 * the tab shows (GET /audit) when a store is given, and always as a structured `audit` line. The
 * API never passes secrets, and pino redacts them anyway.
 */
export function logAudit(logger: Logger, store?: Pick<Store, 'rules'>): AuditRecorder {
  const log = logger.child({ component: 'audit' });
  return async (entry) => {
    await store?.rules.recordAudit(entry);
    log.info({ audit: entry }, `audit ${entry.action} ${entry.entity} ${entry.entityId} by ${entry.actor}`);
  };
}

/** How the product checks the tab's SSO tokens: our audience, Entra's issuers, and only our API's delegated scope. */
export function tabSsoVerifier(o: {
  readonly jwksUrl: string;
  readonly appClientId: string;
  readonly fetch?: HttpFetch;
  readonly clock: Clock;
}): SsoVerifier {
  return createSsoVerifier({
    jwksUrl: o.jwksUrl,
    audiences: [o.appClientId, `api://localhost/${o.appClientId}`],
    requiredScope: TAB_API_SCOPE,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    clock: o.clock,
  });
}

/**
 * The deployment's RECONCILE_INTERVAL_MS and TRACE_RETENTION_MS as the Settings page expresses
 * them (whole seconds and days within the page's bounds): what a tenant that saved none sees.
 */
export function deploymentSettings(config: Config): TenantSettings {
  const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(v)));
  return {
    reconciliationPeriodSec: clamp(config.sync.reconcileIntervalMs / 1000, 60, 86_400),
    traceRetentionDays: clamp(config.trace.retentionMs / 86_400_000, 1, 90),
  };
}

/** The tab REST API (SSO, roles, tenant-scoped) wired to the store, the engine and the tenants' adapters. */
export function tabApiRegistrar(w: TabApiWiring): RouteRegistrar {
  const transport = createHttpTransport({
    timeoutMs: w.config.httpTimeoutMs,
    ...(w.endpoints.caPem ? { extraCaPem: w.endpoints.caPem } : {}),
  });
  const reevaluate = async (tenantId: string, agentIds: readonly string[]): Promise<void> =>
    void (await w.runtime.engine.reevaluate(tenantId, agentIds.length ? agentIds : undefined));
  // Admins seen here become the bot's alert recipients.
  const sightings = new AdminSightings({ admins: w.store.tenantAdmins, clock: w.clock, logger: w.logger });
  // A signed-in owner joins the tenant's owners (several per tenant): the sync shards subscriptions across them.
  const addOwner = async (tenantId: string, ownerId: string): Promise<void> => {
    const graph = (await w.store.tenants.getConnection(tenantId, 'graph')) ?? {};
    const owners = new Set([...(await tenantOwners(w.store, tenantId)), ownerId]);
    await w.store.tenants.putConnection(tenantId, 'graph', { ...graph, owners: [...owners].join(',') });
    await sightings.seen({ tenantId, userId: ownerId, name: ownerId, access: 'admin' }, 'owner');
  };
  const directory = (t: string) => w.requestPorts.acdDirectory(t);
  const traceQuery = traceQueryService(w);
  const services = tabApiServices({
    tenants: w.store.tenants,
    rules: w.store.rules,
    userLinks: w.store.userLinks,
    agentStates: w.store.agentStates,
    traceQuery,
    directory,
    users: (t) => w.requestPorts.users(t),
    onRulesChanged: reevaluate,
    onLinksChanged: reevaluate,
    ids: uuidIds,
    clock: w.clock,
  });
  const owners = ownerQueries(w);
  const deps: TabApiDeps = {
    ...services,
    verifier: sightings.wrap(
      tabSsoVerifier({
        jwksUrl: w.endpoints.entraJwksUrl,
        appClientId: w.appClientId,
        fetch: transport.fetch,
        clock: w.clock,
      }),
    ),
    appClientId: w.appClientId,
    directory,
    tenants: w.store.tenants,
    ruleStore: w.store.rules,
    health: withOnboardingHealth(
      { tenantHealth: (t) => w.runtime.sharedHealth.answer(t) },
      w.store,
      async (t) => cxoneOptions(w, t, await w.store.tenants.getConnection(t, 'cxone')) !== undefined,
    ),
    traces: traceQueries(w, traceQuery),
    testCxone: cxoneConnectionTest(w),
    cxoneHosts: w.endpoints.cxoneHostPolicy,
    defaultIssuerUrl: w.endpoints.cxoneAuthBaseUrl,
    onboarding: onboardingRoutesDeps({
      ...w,
      owners,
      fetch: transport.fetch,
      appClientSecret: w.appClientSecret,
      publicBaseUrl: w.publicBaseUrl,
      onSyncChanged: (tenantId) => reevaluate(tenantId, []),
    }),
    owners,
    ownerConnector: tenantOwnerConnector(
      { config: w.config, endpoints: w.endpoints, store: w.store, fetch: transport.fetch, clock: w.clock },
      addOwner,
    ),
    ownerSignIn: ownerSignInOptions({ ...w, fetch: transport.fetch, onConnected: addOwner }),
    people: peopleSearch({ ...w, fetch: transport.fetch }),
    recordAudit: logAudit(w.logger, w.store),
    // The lease holder (this instance or another) rebuilds the tenant's sync adapters at its next round.
    onConnectionSaved: async (tenantId) =>
      void (await w.store.tenantSignals
        .raise(tenantId, 'connection', w.clock.now())
        .catch((error: unknown) =>
          w.logger.warn(
            { err: error, tenantId },
            'CXone connection change not signalled: the sync keeps the former one until its next takeover',
          ),
        )),
    settingsDefaults: deploymentSettings(w.config),
    clock: w.clock,
    logger: w.logger,
  };
  const dist = resolve('tabs/dist');
  return (server) => {
    // Per client address (before anything else) and per verified tenant; the defaults leave a busy admin tab alone.
    registerTabApi(
      server,
      rateLimitTabApi(server, deps, {
        ...DEFAULT_API_RATE_LIMITS,
        shared: { ...DEFAULT_API_RATE_LIMITS.shared, windows: w.store.rateWindows },
        clientIp: clientAddress(w.config.http.trustedProxyHops),
        clock: w.clock,
      }),
    );
    if (existsSync(dist)) staticTabRoutes(dist)(server);
  };
}
