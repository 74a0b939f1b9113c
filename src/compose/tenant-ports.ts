import { createCxoneAcd, describeCxoneFailure, type CxoneAcdOptions } from '../adapters/cxone/cxone-acd.js';
import { CxoneHostPolicy } from '../adapters/cxone/cxone-host-policy.js';
import { createGraphAdapter, type GraphAdapter } from '../adapters/graph/graph-adapter.js';
import type { NotificationEncryption } from '../adapters/graph/graph-notification-keys.js';
import type { GraphAdapterOptions } from '../adapters/graph/graph-options.js';
import { createGraphSubscriptions, type GraphSubscriptions } from '../adapters/graph/graph-subscriptions.js';
import type { Clock, HealthReporter, Logger, Store } from '../application/ports.js';
import type { TenantPorts } from '../application/sync/tenant-runtime.js';
import type { Tenant } from '../domain/tenant.js';
import type { Config } from '../config.js';

/** Where the external systems are (config, or the sandbox emulators' actual addresses). */
export interface Endpoints {
  readonly cxoneAuthBaseUrl: string;
  /** Where CXone credentials may go (CXONE_ALLOWED_HOSTS; the emulator's host in the sandbox). */
  readonly cxoneHostPolicy: CxoneHostPolicy;
  readonly cxoneApiBaseUrl?: string;
  /** Graph base without `/v1.0`. */
  readonly graphBaseUrl: string;
  readonly entraAuthorityHost: string;
  readonly entraJwksUrl: string;
  readonly caPem?: string;
}

/** One tenant's adapters as compose keeps them: the engine's ports plus what routes and shutdown need. */
export interface TenantAdapters {
  readonly ports: TenantPorts;
  readonly graph: GraphAdapter;
  readonly subscriptions: GraphSubscriptions;
  readonly owners: () => Promise<readonly string[]>;
  close(): Promise<void>;
}

export interface TenantAdapterDeps {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly health: (tenantId: string) => HealthReporter;
  /** This service's public base URL (the notification URLs Graph calls). */
  readonly publicBaseUrl: () => string;
  /** Rich notifications: with a certificate, subscriptions carry the presence encrypted to it. */
  readonly encryption?: NotificationEncryption;
}

export const endpointsFromConfig = (config: Config, caPem?: string): Endpoints => ({
  cxoneAuthBaseUrl: config.cxone.authBaseUrl,
  cxoneHostPolicy: new CxoneHostPolicy(config.cxone.allowedHosts),
  ...(config.cxone.apiBaseUrl ? { cxoneApiBaseUrl: config.cxone.apiBaseUrl } : {}),
  graphBaseUrl: config.microsoft.graphBaseUrl.replace(/\/v1\.0\/?$/, ''),
  entraAuthorityHost: config.microsoft.loginBaseUrl,
  entraJwksUrl: `${config.microsoft.loginBaseUrl}/common/discovery/v2.0/keys`,
  ...(caPem ? { caPem } : {}),
});

/** Owner accounts of a tenant: the `owners` list of its `graph` connection (comma-separated ids). */
export async function tenantOwners(store: Store, tenantId: string): Promise<readonly string[]> {
  const graph = await store.tenants.getConnection(tenantId, 'graph');
  return (graph?.owners ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * How a tenant's CXone business unit is reached: its stored `cxone` connection over the process
 * config — the issuer included (a business unit on another CXone cluster than the deployment's
 * default saves its own, and the connection test used it); undefined while a credential is
 * missing. The sync and every request build from this.
 */
export function cxoneOptions(
  deps: Pick<TenantAdapterDeps, 'config' | 'endpoints'>,
  tenantId: string,
  stored: Record<string, string> | undefined,
): CxoneAcdOptions | undefined {
  const { config, endpoints } = deps;
  const pick = (key: string, fallback: string | undefined): string | undefined => stored?.[key] ?? fallback;
  const clientId = pick('clientId', config.cxone.clientId);
  const clientSecret = pick('clientSecret', config.cxone.clientSecret);
  const accessKeyId = pick('accessKeyId', config.cxone.accessKeyId);
  const accessKeySecret = pick('accessKeySecret', config.cxone.accessKeySecret);
  if (
    clientId === undefined ||
    clientSecret === undefined ||
    accessKeyId === undefined ||
    accessKeySecret === undefined
  )
    return undefined;
  return {
    tenantId,
    issuerUrl: stored?.['issuerUrl'] ?? endpoints.cxoneAuthBaseUrl,
    hostPolicy: endpoints.cxoneHostPolicy,
    clientId,
    clientSecret,
    accessKeyId,
    accessKeySecret,
    timeoutMs: config.httpTimeoutMs,
    ...(endpoints.caPem ? { extraCaPem: endpoints.caPem } : {}),
  };
}

/** The tenant's Graph app: its stored `graph` connection, else the process's own Entra app; undefined without a secret. */
export function graphOptions(
  deps: Pick<TenantAdapterDeps, 'config' | 'endpoints'>,
  tenant: Pick<Tenant, 'entraTenantId'>,
  stored: Record<string, string> | undefined,
): GraphAdapterOptions | undefined {
  const clientId = stored?.clientId ?? deps.config.microsoft.appId;
  const clientSecret = stored?.clientSecret ?? deps.config.microsoft.clientSecret;
  if (!clientId || !clientSecret) return undefined;
  const e = deps.endpoints;
  return {
    tenantId: tenant.entraTenantId,
    clientId,
    clientSecret,
    authorityHost: e.entraAuthorityHost,
    graphBaseUrl: e.graphBaseUrl,
    requestTimeoutMs: deps.config.httpTimeoutMs,
    ...(e.caPem ? { caPem: e.caPem } : {}),
  };
}

/**
 * Builds a tenant's CXone and Graph adapters from its encrypted connections (falling back to the
 * process config); undefined while the tenant is not connected yet.
 */
export async function buildTenantAdapters(
  deps: TenantAdapterDeps,
  tenant: Tenant,
): Promise<TenantAdapters | undefined> {
  const logger = deps.logger.child({ tenantId: tenant.id });
  const cxone = cxoneOptions(deps, tenant.id, await deps.store.tenants.getConnection(tenant.id, 'cxone'));
  const graphOpts = graphOptions(deps, tenant, await deps.store.tenants.getConnection(tenant.id, 'graph'));
  if (!cxone || !graphOpts) {
    logger.warn(
      { cxone: Boolean(cxone), graph: Boolean(graphOpts) },
      'tenant not connected yet; sync waits for its connections',
    );
    return undefined;
  }
  const health = deps.health(tenant.id);
  const acd = createCxoneAcd(
    {
      ...cxone,
      feed: {
        pollIntervalMs: deps.config.sync.pollIntervalMs,
        onHealth: (h) => {
          if (h.ok) health.success('acd.connection');
          // No failure = CXone answered but the engine could not store the changes: the store reports that, not the ACD.
          else if (h.failure)
            health.report(
              'acd.connection',
              h.consecutiveFailures > 2 ? 'down' : 'degraded',
              describeCxoneFailure('CXone agent-state polling failed', h.failure),
            );
        },
      },
      // Sign-in refused (access key, refresh token) is its own component: the admin must act on it.
      onSignIn: (f) =>
        f
          ? health.report(
              'acd.auth',
              f.transient ? 'degraded' : 'down',
              describeCxoneFailure('CXone sign-in failed', f),
            )
          : health.success('acd.auth'),
      // The failure's message names the endpoint and what was unreadable (skipped records included).
      onBadShape: (f) =>
        health.report('acd.connection', 'degraded', `CXone answered a shape we cannot read (${f.code}): ${f.message}`),
      // Every instance's request directory (tenant-request-ports) drops its copy at the signal.
      onAgentMoved: (agentId, teamId) => {
        logger.info({ agentId, teamId }, 'agent moved team in CXone: directories of every instance refreshed');
        void deps.store.tenantSignals
          .raise(tenant.id, 'directory', deps.clock.now())
          .catch((error: unknown) =>
            logger.warn({ err: error, agentId }, 'team move not signalled to the other instances'),
          );
      },
    },
    { clock: deps.clock, logger },
  );
  const graph = createGraphAdapter(graphOpts, {
    clock: deps.clock,
    logger,
    presenceBudget: deps.config.graph.presenceBudget,
    // One attempt per call on 5xx / network failures: the engine retries (GRAPH_WRITE_ATTEMPTS).
    writer: {
      maxAttempts: 1,
      sessionDuration: deps.config.graph.sessionDuration,
      maxConcurrentBatches: deps.config.graph.writeConcurrency,
    },
  });
  const owners = () => tenantOwners(deps.store, tenant.id);
  const base = deps.publicBaseUrl();
  const subscriptions = createGraphSubscriptions(graphOpts, graph, {
    tenantId: tenant.id,
    clock: deps.clock,
    logger,
    tenants: deps.store.tenants,
    store: deps.store.subscriptions,
    owners,
    jwksUrl: deps.endpoints.entraJwksUrl,
    notificationUrl: `${base}/api/graph/notifications`,
    lifecycleNotificationUrl: `${base}/api/graph/lifecycle`,
    ...(deps.encryption?.certificate
      ? { encryption: { ...deps.encryption.certificate, keys: deps.encryption.keys } }
      : {}),
  });
  const ports: TenantPorts = {
    tenantId: tenant.id,
    acd: acd.gateway,
    acdFeed: acd.feed,
    acdDirectory: acd.directory,
    presence: graph.presence,
    subscriptions: subscriptions.registry,
  };
  return {
    ports,
    graph,
    subscriptions,
    owners,
    close: async () => {
      await acd.close();
      await graph.close();
    },
  };
}
