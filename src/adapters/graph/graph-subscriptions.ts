import type { Clock, Logger, SubscriptionStore, TenantStore } from '../../application/ports.js';
import type { GraphAdapter } from './graph-adapter.js';
import { GraphHttpClient } from './graph-http-client.js';
import type { DecryptionKey } from './graph-notification-crypto.js';
import { GraphNotificationParser } from './graph-notification-parser.js';
import type { GraphAdapterOptions } from './graph-options.js';
import { GraphOwnerTokens } from './graph-owner-tokens.js';
import { GraphSubscriptionRegistry, type SubscriptionRegistryOptions } from './graph-subscription-registry.js';
import { entraJwks } from './graph-validation-tokens.js';

/** What the subscription side of one tenant needs besides the app adapter. */
export interface GraphSubscriptionDeps {
  /** Our tenant id (store key). */
  readonly tenantId: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly tenants: Pick<TenantStore, 'getConnection' | 'putConnection'>;
  readonly store: SubscriptionStore;
  readonly owners: () => Promise<readonly string[]>;
  /** `https://login.microsoftonline.com/common/discovery/v2.0/keys` or the emulator's. */
  readonly jwksUrl: string;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string;
  /** Rich notifications: our certificate (public, base64 DER) and the private keys to read them. */
  readonly encryption?: SubscriptionRegistryOptions['encryption'] & { readonly keys: readonly DecryptionKey[] };
}

export interface GraphSubscriptions {
  readonly tokens: GraphOwnerTokens;
  readonly registry: GraphSubscriptionRegistry;
  readonly parser: GraphNotificationParser;
}

/** Wires owner tokens (delegated), the registry and the webhook parser on the adapter's transport. */
export function createGraphSubscriptions(
  options: GraphAdapterOptions,
  adapter: GraphAdapter,
  deps: GraphSubscriptionDeps,
): GraphSubscriptions {
  const fetch = adapter.transport.fetch;
  const tokens = new GraphOwnerTokens(options, fetch, deps.tenants, deps.tenantId, deps.clock);
  const clients = new Map<string, GraphHttpClient>();
  const graphFor = (ownerId: string): GraphHttpClient => {
    let c = clients.get(ownerId);
    if (!c)
      clients.set(
        ownerId,
        (c = new GraphHttpClient(options.graphBaseUrl, (force) => tokens.token(ownerId, force), fetch)),
      );
    return c;
  };
  const registry = new GraphSubscriptionRegistry({
    tenantId: deps.tenantId,
    owners: deps.owners,
    graphFor,
    store: deps.store,
    clock: deps.clock,
    ...(deps.logger ? { logger: deps.logger.child({ component: 'graph-subscriptions' }) } : {}),
    notificationUrl: deps.notificationUrl,
    lifecycleNotificationUrl: deps.lifecycleNotificationUrl,
    ...(deps.encryption
      ? { encryption: { certificate: deps.encryption.certificate, certificateId: deps.encryption.certificateId } }
      : {}),
  });
  const parser = new GraphNotificationParser({
    subscriptions: deps.store,
    appId: options.clientId,
    clock: deps.clock,
    jwks: entraJwks(deps.jwksUrl, fetch),
    decryptionKeys: deps.encryption?.keys ?? [],
  });
  return { tokens, registry, parser };
}
