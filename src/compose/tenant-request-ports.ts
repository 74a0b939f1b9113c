import type { OwnerConnector } from '../adapters/http/api/api-deps.js';
import { GraphOwnerTokens } from '../adapters/graph/graph-owner-tokens.js';
import type { GraphAdapterOptions } from '../adapters/graph/graph-options.js';
import type { HttpFetch } from '../adapters/shared/http-transport.js';
import type { Clock, ExternalFailure, Store } from '../application/ports.js';
import { err } from '../domain/result.js';
import type { Config } from '../config.js';
import { graphOptions, type Endpoints } from './tenant-ports.js';

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

/** One value per tenant, rebuilt when the connection it was built from changes (a rotated secret). */
export class PerTenant<T> {
  readonly #built = new Map<string, { readonly key: string; readonly value: T }>();

  constructor(private readonly build: (tenantId: string, options: GraphAdapterOptions) => T) {}

  get(tenantId: string, options: GraphAdapterOptions): T {
    const key = JSON.stringify(options);
    const hit = this.#built.get(tenantId);
    if (hit?.key === key) return hit.value;
    const value = this.build(tenantId, options);
    this.#built.set(tenantId, { key, value });
    return value;
  }
}

/** The tenant's Graph app as a request sees it (stored connection, else the process's Entra app). */
async function graphApp(d: TenantRequestPortDeps, tenantId: string): Promise<GraphAdapterOptions | undefined> {
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
