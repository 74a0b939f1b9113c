import { readFileSync } from 'node:fs';
import { healthRoutes } from './adapters/http/restify-health-routes.js';
import { legalPageRoutes } from './adapters/http/restify-legal-pages.js';
import { createRestifyServer, type RouteRegistrar } from './adapters/http/restify-server.js';
import { createHttpTransport, type HttpFetch } from './adapters/shared/http-transport.js';
import { loadNotificationEncryption, type NotificationEncryption } from './adapters/graph/graph-notification-keys.js';
import { createKyselyStore } from './adapters/store/kysely-store.js';
import type { Clock, Logger, Store } from './application/ports.js';
import type { SyncEngineOptions } from './application/sync/engine-options.js';
import { metricsRoute, webhookRoutes } from './compose/http-routes.js';
import { createSyncRuntime, type SyncRuntime } from './compose/sync-runtime.js';
import { tabApiRegistrar } from './compose/tab-api.js';
import { botRegistrar } from './compose/bot.js';
import { productionPlaces, type Place } from './compose/banner.js';
import { createLogger } from './compose/logger.js';
import { logProductionReadiness } from './compose/onboarding-log.js';
import { CxoneHostPolicy } from './adapters/cxone/cxone-host-policy.js';
import { endpointsFromConfig, type Endpoints } from './compose/tenant-ports.js';
import { tenantRequestPorts, type TenantRequestPorts } from './compose/tenant-request-ports.js';
import type { Config } from './config.js';
import { parseNotificationLatency, realisticLatency } from './sandbox/graph/notification-latency.js';
import { seedSandboxTenant } from './sandbox/sandbox-seed.js';
import { sandboxPlaces, startSandboxSession } from './sandbox/sandbox-session.js';
import { sandboxDevTokenRoute } from './sandbox/sandbox-dev-token.js';
import { INSTANT_CXONE, REALISTIC_CXONE } from './sandbox/cxone/cxone-realism.js';
import { startSandboxWorld, type SandboxWorld } from './sandbox/sandbox-world.js';

/** The running product: what main.ts starts and stops. */
export interface App {
  readonly logger: Logger;
  readonly store: Store;
  readonly runtime: SyncRuntime;
  /** Sandbox mode only: the emulators and the seeded tenant. */
  readonly sandbox?: { readonly world: SandboxWorld; readonly tenantId: string };
  /** Starts listening and syncing; resolves with the bound port. */
  start(): Promise<number>;
  /** Where a person looks once it has started (the start-up banner). */
  places(): readonly Place[];
  /** Graceful: stop syncing, stop taking requests, let in-flight ones finish, close the store and emulators. */
  stop(): Promise<void>;
}

export interface ComposeOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly engineOptions?: Partial<SyncEngineOptions>;
  /** Sandbox: run against these already-started emulators (kept running on stop; a restart test). */
  readonly sandboxWorld?: SandboxWorld;
  /** Extra routes (tests). */
  readonly registrars?: readonly RouteRegistrar[];
}

const systemClock: Clock = { now: () => Date.now() };

interface SandboxParts {
  readonly world: SandboxWorld;
  readonly tenantId: string;
  readonly endpoints: Endpoints;
}

/** Routes beyond health and metrics: Graph webhooks, the tab API + static tab, the sandbox sign-in. */
function featureRoutes(
  config: Config,
  runtime: SyncRuntime,
  deps: {
    store: Store;
    clock: Clock;
    logger: Logger;
    endpoints: Endpoints;
    sandbox: SandboxParts | undefined;
    webhookFetch: HttpFetch;
    encryption: NotificationEncryption;
    onBot: (bot: { close(): void }) => void;
    publicBaseUrl: () => string;
    requestPorts: TenantRequestPorts;
  },
): RouteRegistrar[] {
  const { store, clock, logger, endpoints, sandbox } = deps;
  const appClientId = sandbox?.world.entra.apps[0]?.clientId ?? config.microsoft.appId;
  const webhooks = webhookRoutes({
    runtime,
    store,
    appId: appClientId ?? '',
    jwksUrl: endpoints.entraJwksUrl,
    fetch: deps.webhookFetch,
    decryptionKeys: deps.encryption.keys,
    clock,
    logger,
    trustedProxyHops: config.http.trustedProxyHops,
  });
  const routes = [
    webhooks,
    botRegistrar({
      config,
      store,
      runtime,
      clock,
      logger,
      onStarted: deps.onBot,
      ...(sandbox?.world.botConnector ? { sandboxConnectorUrl: sandbox.world.botConnector.serviceUrl } : {}),
      ...(endpoints.caPem ? { caPem: endpoints.caPem } : {}),
    }),
  ];
  const appClientSecret = sandbox?.world.entra.apps[0]?.clientSecret ?? config.microsoft.clientSecret ?? '';
  if (appClientId)
    routes.push(
      tabApiRegistrar({
        config,
        endpoints,
        store,
        runtime,
        requestPorts: deps.requestPorts,
        clock,
        logger,
        appClientId,
        appClientSecret,
        publicBaseUrl: deps.publicBaseUrl,
      }),
    );
  if (sandbox) {
    const transport = createHttpTransport({
      timeoutMs: config.httpTimeoutMs,
      ...(endpoints.caPem ? { extraCaPem: endpoints.caPem } : {}),
    });
    routes.push(sandboxDevTokenRoute(sandbox.world, transport.fetch));
  }
  return routes;
}

async function sandboxWorld(
  config: Config,
  store: Store,
  given: SandboxWorld | undefined,
  logger: Logger,
): Promise<SandboxParts> {
  const world =
    given ??
    (await startSandboxWorld({
      dataDir: config.dataDir,
      cxoneUrl: config.cxone.authBaseUrl,
      graphUrl: config.microsoft.loginBaseUrl,
      cxoneRealism: config.sandbox.cxoneRealism ? REALISTIC_CXONE : INSTANT_CXONE,
      logger: logger.child({ component: 'bot-connector-emulator' }),
      notificationLatency: parseNotificationLatency(config.sandbox.graphNotificationLatency) ?? realisticLatency(),
    }));
  try {
    // The product trusts the sandbox CA through config (EXTRA_CA_FILE), never by turning TLS checks off.
    const caPem = readFileSync(config.extraCaFile ?? world.caFile, 'utf8');
    const transport = createHttpTransport({ timeoutMs: config.httpTimeoutMs, extraCaPem: caPem });
    const tenantId = await seedSandboxTenant(store, world, transport.fetch).finally(() => transport.close());
    const endpoints: Endpoints = {
      cxoneAuthBaseUrl: world.cxone.url,
      // The sandbox sends CXone credentials to its emulator only (issue 15).
      cxoneHostPolicy: new CxoneHostPolicy([new URL(world.cxone.url).host]),
      graphBaseUrl: world.graph.url,
      entraAuthorityHost: world.graph.authorityUrl,
      entraJwksUrl: world.graph.jwksUrl,
      caPem,
    };
    return { world, tenantId, endpoints };
  } catch (e) {
    if (!given) await world.close();
    throw e;
  }
}

/** The one composition root: builds the adapters from config and wires them. */
export async function compose(config: Config, overrides: ComposeOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, env: config.env }).logger;
  const clock = overrides.clock ?? systemClock;
  const store = await createKyselyStore({
    location: config.store,
    encryptionKeys: config.encryptionKeys.map((k) => Buffer.from(k, 'base64')),
    clock,
  });
  logger.info({ store: config.store.kind, mode: config.mode }, 'store ready (migrations applied)');
  const sandbox =
    config.mode === 'sandbox'
      ? await sandboxWorld(config, store, overrides.sandboxWorld, logger).catch(async (e: unknown) => {
          await store.close();
          throw e;
        })
      : undefined;
  const endpoints =
    sandbox?.endpoints ??
    endpointsFromConfig(config, config.extraCaFile ? readFileSync(config.extraCaFile, 'utf8') : undefined);
  // Before any route or tenant starts: the webhook decrypts on every instance, the owner subscribes with the certificate.
  const encryption = await loadNotificationEncryption(store.notificationKeys, {
    rich: config.microsoft.richNotifications,
    clock,
    logger: logger.child({ component: 'graph-notification-keys' }),
  }).catch(async (e: unknown) => {
    if (!overrides.sandboxWorld) await sandbox?.world.close();
    await store.close();
    throw e;
  });
  const runtime = createSyncRuntime({
    config,
    endpoints,
    store,
    clock,
    logger,
    encryption,
    ...(overrides.engineOptions ? { engineOptions: overrides.engineOptions } : {}),
  });
  // What requests need of a tenant's CXone and Graph, on every instance (the sync's adapters live on the lease holder only).
  const requestPorts = tenantRequestPorts({ config, endpoints, store, clock, logger });
  let bot: { close(): void } | undefined;
  // In the sandbox the emulators call us back on loopback, at the port we get once listening.
  let publicBaseUrl = config.http.publicBaseUrl;
  // The webhook route's own transport (Entra JWKS): it validates on every instance, owner or not.
  const webhookTransport = createHttpTransport({
    timeoutMs: config.httpTimeoutMs,
    ...(endpoints.caPem ? { extraCaPem: endpoints.caPem } : {}),
  });
  const http = createRestifyServer({
    name: 'presence-sync',
    logger: logger.child({ component: 'http' }),
    closeTimeoutMs: config.shutdownTimeoutMs,
    registrars: [
      healthRoutes(() => store.ready()),
      legalPageRoutes(),
      metricsRoute(runtime.metrics.registry, config.metrics),
      ...featureRoutes(config, runtime, {
        store,
        clock,
        logger,
        endpoints,
        sandbox,
        webhookFetch: webhookTransport.fetch,
        encryption,
        onBot: (b) => (bot = b),
        publicBaseUrl: () => publicBaseUrl,
        requestPorts,
      }),
      ...(overrides.registrars ?? []),
    ],
  });
  let stopping: Promise<void> | undefined;
  let places: readonly Place[] = [];
  let session: { stop(): Promise<void> } | undefined;
  const stopAll = async (): Promise<void> => {
    await session?.stop();
    bot?.close();
    await runtime.stop();
    await http.close();
    await requestPorts.close();
    await webhookTransport.close();
    if (!overrides.sandboxWorld) await sandbox?.world.close();
    await store.close();
  };
  return {
    logger,
    store,
    runtime,
    ...(sandbox ? { sandbox: { world: sandbox.world, tenantId: sandbox.tenantId } } : {}),
    async start() {
      const port = await http.listen(config.http.port, config.http.host);
      // In the sandbox the emulated Graph calls us back on loopback; in production on the public URL.
      const local = `http://127.0.0.1:${port}`;
      if (sandbox) publicBaseUrl = local;
      await runtime.start(publicBaseUrl);
      places = sandbox ? sandboxPlaces(sandbox.world, local) : productionPlaces(config.http.publicBaseUrl, port);
      if (!sandbox) await logProductionReadiness(store.tenants, logger, { publicBaseUrl: config.http.publicBaseUrl });
      if (sandbox) {
        // The simulated call centre drives the emulators over HTTPS through a transport of its own.
        const transport = createHttpTransport({
          timeoutMs: 10_000,
          ...(endpoints.caPem ? { extraCaPem: endpoints.caPem } : {}),
        });
        const started = startSandboxSession({
          world: sandbox.world,
          runtime,
          tenantId: sandbox.tenantId,
          baseUrl: local,
          workloadRate: config.sandbox.workloadRate,
          workloadSeed: config.sandbox.workloadSeed,
          fetch: transport.fetch,
          logger,
        });
        session = { stop: () => started.stop().finally(() => transport.close()) };
      }
      return port;
    },
    places: () => places,
    stop: () => (stopping ??= stopAll()),
  };
}
