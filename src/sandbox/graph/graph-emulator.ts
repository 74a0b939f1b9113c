import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLocalTls, type LocalTls } from '../tls/local-ca.js';
import { handleBatch } from './batch-route.js';
import type { EmulatorClock } from './emulator-clock.js';
import { SandboxClock } from '../sandbox-clock.js';
import { readRequest, writeResponse, type EmulatorRequest, type EmulatorResponse } from './emulator-http.js';
import { Directory, type EmulatedTenant } from './emulator-model.js';
import { EndpointHealth, type EndpointThresholds } from './endpoint-health.js';
import { EntraCodes } from './entra-codes.js';
import { EntraInteractive } from './entra-interactive.js';
import { EntraKeys } from './entra-keys.js';
import { entraControl, entraRoute, type EntraParts } from './entra-routes.js';
import { EntraTokenEndpoint } from './entra-token-endpoint.js';
import { GraphControl } from './graph-control.js';
import { handleControl } from './graph-control-routes.js';
import { graphError, tooManyRequests } from './graph-errors.js';
import { principalFrom } from './graph-principal.js';
import { GraphWorld } from './graph-world.js';
import { NotificationDelivery } from './notification-delivery.js';
import { nextPresenceGeneration } from './presence-generation.js';
import type { NotificationLatency } from './notification-latency.js';
import { handlePresence } from './presence-routes.js';
import { handleSubscriptions } from './subscription-routes.js';
import { SubscriptionStoreEmu } from './subscription-store.js';
import { handleUsers } from './users-routes.js';
import { WebhookCaller } from './webhook-caller.js';

export interface GraphEmulatorOptions {
  readonly tenants: readonly EmulatedTenant[];
  /** A ManualClock in tests; by default a SandboxClock following real time that tests may still advance. */
  readonly clock?: EmulatorClock;
  /** Presence requests per 30 s per app per tenant (reference §4: 1,500 documented, 10,000 on the limits page). */
  readonly presenceLimit?: number;
  /** Accept http://127.0.0.1 notification URLs (reference §8.7); off like the real service. */
  readonly allowHttpLoopback?: boolean;
  readonly tls?: LocalTls;
  /** CA to trust when POSTing to https:// webhooks. */
  readonly webhookCaPem?: string;
  /** The validation handshake's deadline (10 s like Graph; tests shorten it). */
  readonly handshakeTimeoutMs?: number;
  /** Slow/drop endpoint rules (reference §3.4); defaults 3 s / 10 s. Tests shorten them. */
  readonly endpointThresholds?: EndpointThresholds;
  /** Delivery deadlines (§3.4: 3 s first, 10 s retries). A loaded test machine may need more. */
  readonly deliveryTimeouts?: { readonly firstMs: number; readonly retryMs: number };
  /** With a real clock: how often time-driven behaviour runs. */
  readonly tickIntervalMs?: number;
  /** Where the emulator keeps what must survive its restarts (presence versions); none: nothing survives. */
  readonly stateDir?: string;
  /** Delay between a presence change and its notification (README "Delivery latency"); none by default. */
  readonly notificationLatency?: NotificationLatency;
  /** Entries kept in the write and delivery logs (default DEFAULT_EMULATOR_LOG_CAP, capped-log.ts). */
  readonly logCap?: number;
}

export interface GraphEmulator {
  /** Graph base URL (without `/v1.0`). */
  readonly url: string;
  /** Entra authority host; the authority of a tenant is `${authorityUrl}/${tenantId}`. */
  readonly authorityUrl: string;
  /** JWKS URL for validating tokens the emulator signs (validationTokens, SSO tokens). */
  readonly jwksUrl: string;
  readonly caCertPem: string;
  readonly control: GraphControl;
  close(): Promise<void>;
}

/** Starts the Graph + Entra ID emulator over HTTPS on 127.0.0.1 (port 0 = a free port). */
export async function startGraphEmulator(options: GraphEmulatorOptions, port = 0): Promise<GraphEmulator> {
  const clock = options.clock ?? new SandboxClock(Date.now(), true);
  const tls = options.tls ?? (await createLocalTls());
  const directory = new Directory(options.tenants);
  const keys = await EntraKeys.create(clock, directory.tenantIds());
  const codes = new EntraCodes();
  const entra = new EntraTokenEndpoint(directory, keys, clock, codes);
  const world = new GraphWorld(
    directory,
    clock,
    options.presenceLimit ?? 1500,
    options.logCap,
    nextPresenceGeneration(options.stateDir),
  );
  const subs = new SubscriptionStoreEmu();
  const webhooks = new WebhookCaller({
    ...(options.webhookCaPem ? { caPem: options.webhookCaPem } : {}),
    ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
  });
  const delivery = new NotificationDelivery(
    world,
    subs,
    keys,
    webhooks,
    new EndpointHealth(options.endpointThresholds),
    options.deliveryTimeouts,
    options.notificationLatency,
  );
  const control = new GraphControl(world, subs, delivery, entra, clock, keys);
  let origin = '';
  const entraParts: EntraParts = {
    origin: () => origin,
    directory,
    keys,
    token: entra,
    interactive: new EntraInteractive(directory, clock, codes),
  };
  const graph = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const now = clock.now();
    const principal = await principalFrom(req.headers.authorization, keys);
    if (!principal)
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty, invalid or expired.', now);
    const forced = await world.routeFaults.answer(req, now);
    if (forced) return forced;
    if (req.path === '/v1.0/$batch' && req.method === 'POST') {
      const fault = world.takeFault(world.batchFaults);
      if (fault)
        return fault.status === 429
          ? tooManyRequests(fault.retryAfterSec ?? 1, now)
          : graphError(fault.status, 'ServiceUnavailable', 'Injected fault.', now);
      return handleBatch(req, graph, now);
    }
    const deps = {
      store: subs,
      webhooks,
      now: () => clock.now(),
      allowHttpLoopback: options.allowHttpLoopback ?? false,
    };
    return (
      handlePresence(req, principal, world) ??
      handleUsers(req, principal, directory, origin, now) ??
      (await handleSubscriptions(req, principal, deps)) ??
      graphError(400, 'BadRequest', `Resource not found for the segment '${req.path}'.`, now)
    );
  };
  const route = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    if (req.path.startsWith('/_control/entra/'))
      return (await entraControl(req, entraParts)) ?? { status: 404, body: { error: 'unknown_control_route' } };
    if (req.path.startsWith('/_control/')) return handleControl(req, control);
    if (req.path.startsWith('/v1.0/')) return { ...(await graph(req)), delayMs: world.slowMs };
    return (await entraRoute(req, entraParts)) ?? { status: 404, body: { error: 'not_found' } };
  };
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void readRequest(req, clock.now())
      .then(route)
      .then((r) => writeResponse(res, r))
      .catch((e: unknown) => writeResponse(res, { status: 500, body: { error: String(e) } }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const timer = options.tickIntervalMs ? setInterval(() => control.tick(), options.tickIntervalMs) : undefined;
  return {
    url: origin,
    authorityUrl: origin,
    jwksUrl: `${origin}/common/discovery/v2.0/keys`,
    caCertPem: tls.caCertPem,
    control,
    async close() {
      if (timer) clearInterval(timer);
      delivery.close();
      world.routeFaults.abortHangs();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webhooks.close();
    },
  };
}
