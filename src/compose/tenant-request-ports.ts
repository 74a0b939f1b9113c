import { createHash } from 'node:crypto';
import { createCxoneAcd, type CxoneAcd } from '../adapters/cxone/cxone-acd.js';
import { createGraphUserDirectory } from '../adapters/graph/graph-adapter.js';
import type { CxoneAcdOptions } from '../adapters/cxone/cxone-acd.js';
import type { OwnerConnector } from '../adapters/http/api/api-deps.js';
import { GraphOwnerTokens } from '../adapters/graph/graph-owner-tokens.js';
import type { GraphAdapterOptions } from '../adapters/graph/graph-options.js';
import type { HttpFetch } from '../adapters/shared/http-transport.js';
import type { AcdDirectory, Clock, ExternalFailure, Logger, Store, UserDirectory } from '../application/ports.js';
import { err } from '../domain/result.js';
import type { Config } from '../config.js';
import { SignalFollower } from '../application/sync/signal-follower.js';
import { cxoneOptions, graphOptions, type Endpoints } from './tenant-ports.js';

/**
 * What a tab request needs of a tenant's external systems, built on whichever instance answers it
 * from the tenant's stored connections — never from the sync's adapters, which exist only on the
 * instance that holds the tenant's lease (behind a balancer 2 requests of 3 land elsewhere).
 */
export interface TenantRequestPortDeps {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly store: Store;
  readonly fetch: HttpFetch;
  readonly clock: Clock;
}

const graphNotConnected = (tenantId: string): ExternalFailure => ({
  system: 'graph',
  status: 0,
  code: 'GRAPH_NOT_CONNECTED',
  message: `Tenant ${tenantId} has no Microsoft Graph app connection (and the deployment has no app secret).`,
  transient: false,
});

/**
 * One value per tenant, rebuilt when the connection it was built from changes (a rotated secret,
 * another CXone key): the key is a digest of the options, so the stored connection's content is
 * its version. A replaced value is disposed of once requests still using it have had time to end.
 */
export class PerTenant<T, O = GraphAdapterOptions> {
  readonly #built = new Map<string, { readonly key: string; readonly value: T }>();
  readonly #retiring = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly build: (tenantId: string, options: O) => T,
    private readonly dispose?: { readonly close: (value: T) => Promise<void>; readonly afterMs: number },
  ) {}

  get(tenantId: string, options: O): T {
    const key = createHash('sha256').update(JSON.stringify(options)).digest('base64');
    const hit = this.#built.get(tenantId);
    if (hit?.key === key) return hit.value;
    const value = this.build(tenantId, options);
    this.#built.set(tenantId, { key, value });
    if (hit) this.retire(hit.value);
    return value;
  }

  /** Forgets the tenant's value (its connection is gone). */
  drop(tenantId: string): void {
    const hit = this.#built.get(tenantId);
    this.#built.delete(tenantId);
    if (hit) this.retire(hit.value);
  }

  async close(): Promise<void> {
    for (const t of this.#retiring) clearTimeout(t);
    this.#retiring.clear();
    const values = [...this.#built.values()].map((b) => b.value);
    this.#built.clear();
    await Promise.all(values.map((v) => this.dispose?.close(v)));
  }

  private retire(value: T): void {
    const dispose = this.dispose;
    if (!dispose) return;
    const timer = setTimeout(() => {
      this.#retiring.delete(timer);
      void dispose.close(value).catch(() => undefined);
    }, dispose.afterMs);
    timer.unref();
    this.#retiring.add(timer);
  }
}

/** The tenant's Graph app as a request sees it (stored connection, else the process's Entra app). */
async function graphApp(
  d: Omit<TenantRequestPortDeps, 'fetch'>,
  tenantId: string,
): Promise<GraphAdapterOptions | undefined> {
  const tenant = await d.store.tenants.get(tenantId);
  const stored = await d.store.tenants.getConnection(tenantId, 'graph');
  return graphOptions(d, { entraTenantId: tenant?.entraTenantId ?? tenantId }, stored);
}

/**
 * Connects a subscription owner from their SSO token (on-behalf-of, offline access): the refresh
 * token lands in the store, where the instance that runs the tenant's subscriptions reads it.
 */
export function tenantOwnerConnector(d: TenantRequestPortDeps, onConnected: OwnerConnected): OwnerConnector {
  const tokens = new PerTenant((t, o) => new GraphOwnerTokens(o, d.fetch, d.store.tenants, t, d.clock));
  return {
    connect: async (tenantId, ownerId, ssoToken) => {
      const o = await graphApp(d, tenantId);
      if (!o) return err(graphNotConnected(tenantId));
      const r = await tokens.get(tenantId, o).connectWithSsoToken(ownerId, ssoToken);
      if (r.ok) await onConnected(tenantId, ownerId);
      return r;
    },
  };
}

export type OwnerConnected = (tenantId: string, ownerId: string) => Promise<void>;

/**
 * The tenant's directories as any instance's requests read them (the rule editor's lookups, rule
 * validation, dry runs, user mapping, the Log Reader's name search): built from the stored
 * connections, cached per tenant while the connection stays the same. The sync's own adapters
 * (feed, writer, Graph budget) exist only on the lease holder and are never used for a request.
 */
export interface TenantRequestPorts {
  /** The tenant's CXone directory; undefined while CXone is not connected. */
  acdDirectory(tenantId: string): Promise<AcdDirectory | undefined>;
  /** The tenant's Entra users (app-only Graph); undefined without a Graph app. */
  users(tenantId: string): Promise<UserDirectory | undefined>;
  close(): Promise<void>;
}

export function tenantRequestPorts(
  d: Omit<TenantRequestPortDeps, 'fetch'> & { readonly logger: Logger },
): TenantRequestPorts {
  // A replaced client is closed after the longest request it may still be serving.
  const afterMs = d.config.httpTimeoutMs * 2;
  const acd = new PerTenant<CxoneAcd, CxoneAcdOptions>(
    (_t, o) => createCxoneAcd(o, { clock: d.clock, logger: d.logger.child({ component: 'cxone-requests' }) }),
    { close: (a) => a.close(), afterMs },
  );
  const graph = new PerTenant((_t, o) => createGraphUserDirectory(o), { close: (g) => g.close(), afterMs });
  // The instance running the tenant raises `directory` when CXone's Real-Time records show an agent
  // in another team: the copy kept here would otherwise answer the old team for up to 5 minutes.
  const moves = new SignalFollower(
    { signals: d.store.tenantSignals, clock: d.clock },
    'directory',
    d.config.sharedState.configSignalPollMs,
  );
  return {
    acdDirectory: async (tenantId) => {
      const o = cxoneOptions(d, tenantId, await d.store.tenants.getConnection(tenantId, 'cxone'));
      if (!o) return void acd.drop(tenantId);
      const directory = acd.get(tenantId, o).directory;
      if (await moves.raisedSince(tenantId)) directory.invalidate();
      return directory;
    },
    users: async (tenantId) => {
      const o = await graphApp(d, tenantId);
      if (!o) return void graph.drop(tenantId);
      return graph.get(tenantId, o).users;
    },
    close: async () => {
      await Promise.all([acd.close(), graph.close()]);
    },
  };
}
