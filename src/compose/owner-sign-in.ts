import { OboPeopleSearch } from '../adapters/graph/graph-people-search.js';
import { MsalOwnerSignIn } from '../adapters/graph/graph-owner-sign-in.js';
import type { OwnerSignInOptions } from '../adapters/http/api/api-deps.js';
import { stateKeyFrom } from '../adapters/http/api/sealed-state.js';
import type { HttpFetch } from '../adapters/shared/http-transport.js';
import type { OwnerSignInFlow, PeopleSearch, Store } from '../application/ports.js';
import type { Config } from '../config.js';
import type { Endpoints } from './tenant-ports.js';

/** The path Entra redirects an owner's sign-in to (registered on the app as a Web redirect URI). */
export const OWNER_SIGN_IN_CALLBACK = '/api/v1/connections/owners/callback';

export interface TenantGraphAppWiring {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly store: Store;
  readonly fetch: HttpFetch;
  /** The deployment's Entra app (the sandbox's emulated one), used unless the tenant stored its own. */
  readonly appClientId: string;
  readonly appClientSecret: string;
}

/**
 * A tenant's Graph app as a tab request sees it: built per request from its stored connection (or
 * the deployment's app), on whichever instance answers — not from the sync's adapters.
 */
async function graphApp(w: TenantGraphAppWiring, tenantId: string) {
  const stored = await w.store.tenants.getConnection(tenantId, 'graph');
  return {
    clientId: stored?.['clientId'] ?? w.appClientId,
    clientSecret: stored?.['clientSecret'] ?? w.appClientSecret,
    authorityHost: w.endpoints.entraAuthorityHost,
    graphBaseUrl: w.endpoints.graphBaseUrl,
  };
}

/** Subscription owners' sign-in (authorization code + PKCE, MsalOwnerSignIn) for the tab API. */
export function ownerSignInOptions(
  w: TenantGraphAppWiring & {
    readonly publicBaseUrl: () => string;
    readonly onConnected: (tenantId: string, ownerId: string) => Promise<void>;
  },
): OwnerSignInOptions {
  const flow: OwnerSignInFlow = {
    authorizeUrl: async (tenantId, o) =>
      new MsalOwnerSignIn(await graphApp(w, tenantId), w.fetch, w.store.tenants).authorizeUrl(tenantId, o),
    redeem: async (tenantId, o) =>
      new MsalOwnerSignIn(await graphApp(w, tenantId), w.fetch, w.store.tenants).redeem(tenantId, o),
  };
  return {
    flow,
    redirectUri: () => `${w.publicBaseUrl().replace(/\/$/, '')}${OWNER_SIGN_IN_CALLBACK}`,
    stateKey: stateKeyFrom(Buffer.from(w.config.encryptionKeys[0] ?? '', 'base64')),
    onConnected: w.onConnected,
  };
}

/** The people picker: the directory as the signed-in admin sees it (on-behalf-of their SSO token). */
export function peopleSearch(w: TenantGraphAppWiring): PeopleSearch {
  return {
    search: async (caller, query) =>
      new OboPeopleSearch(await graphApp(w, caller.tenantId), w.fetch).search(caller, query),
  };
}
