import { GraphConsentVerifier } from '../adapters/graph/graph-consent-verifier.js';
import type { HealthQueries, OwnerQueries } from '../adapters/http/api/api-deps.js';
import type { OnboardingRouteDeps } from '../adapters/http/api/api-onboarding-routes.js';
import { stateKeyFrom } from '../adapters/http/api/sealed-state.js';
import type { HttpFetch } from '../adapters/shared/http-transport.js';
import { ConnectionConsentStore } from '../adapters/store/connection-consent-store.js';
import { TenantOnboarding } from '../application/onboarding/tenant-onboarding.js';
import type { Clock, Logger, Store } from '../application/ports.js';
import type { Config } from '../config.js';
import type { Endpoints } from './tenant-ports.js';

/** The path Entra redirects an admin consent to (registered on the app as a Web redirect URI). */
export const ADMIN_CONSENT_CALLBACK = '/api/v1/onboarding/consent/callback';

export interface OnboardingWiring {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly store: Store;
  readonly owners: OwnerQueries;
  readonly fetch: HttpFetch;
  readonly appClientId: string;
  /** The Entra app secret (the sandbox's comes from its emulated app). */
  readonly appClientSecret: string;
  readonly publicBaseUrl: () => string;
  /** Sync switched: the engine re-reads the tenant. */
  readonly onSyncChanged: (tenantId: string) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Tenant onboarding (admin consent verified with Entra, first admin sign-in, sync switch) for the tab API. */
export function onboardingRoutesDeps(w: OnboardingWiring): OnboardingRouteDeps {
  const service = new TenantOnboarding(
    {
      tenants: w.store.tenants,
      consents: new ConnectionConsentStore(w.store.tenants),
      verifier: new GraphConsentVerifier(
        { clientId: w.appClientId, clientSecret: w.appClientSecret, authorityHost: w.endpoints.entraAuthorityHost },
        w.fetch,
      ),
      owners: w.owners,
      userLinks: w.store.userLinks,
      rules: w.store.rules,
      onSyncChanged: w.onSyncChanged,
      clock: w.clock,
      logger: w.logger.child({ component: 'onboarding' }),
    },
    w.config.onboarding.allowedTenants ? { allowedTenants: w.config.onboarding.allowedTenants } : {},
  );
  return {
    service,
    consent: {
      clientId: w.appClientId,
      authorityHost: w.endpoints.entraAuthorityHost,
      redirectUri: () => `${w.publicBaseUrl().replace(/\/$/, '')}${ADMIN_CONSENT_CALLBACK}`,
      stateKey: stateKeyFrom(Buffer.from(w.config.encryptionKeys[0] ?? '', 'base64')),
    },
    clock: w.clock,
  };
}

/**
 * The Health Check of a tenant that is not onboarded says so, with the next step, instead of an
 * empty "ok": nothing syncs until the checklist is through.
 */
export function withOnboardingHealth(
  health: HealthQueries,
  store: Pick<Store, 'tenants'>,
  cxoneConnected: (tenantId: string) => Promise<boolean>,
): HealthQueries {
  return {
    tenantHealth: async (tenantId) => {
      const snapshot = await health.tenantHealth(tenantId);
      if (await store.tenants.get(tenantId))
        return (await cxoneConnected(tenantId)) ? snapshot : withoutCxoneSaid(snapshot);
      const detail =
        'This tenant is not onboarded yet: open the Setup page (admin consent, then a Presence Sync admin signs in).';
      const components = Array.isArray(snapshot['components']) ? (snapshot['components'] as unknown[]) : [];
      return {
        ...snapshot,
        status: 'down',
        onboarded: false,
        syncActive: false,
        syncDetail: detail,
        components: [{ component: 'onboarding', status: 'down', detail }, ...components],
      };
    },
  };
}

const WAITS_FOR_CXONE =
  'Sync starts once CXone is connected: a Presence Sync admin connects it on the Setup page (Connect CXone).';

/**
 * No instance runs a tenant without CXone credentials: its Health Check says that, not that it
 * waits for an instance to take it over (what it says when the tenant's holder is gone), and not
 * the empty "ok" of the instance that holds its lease with nothing built yet (an ownership round
 * may take the tenant at any time after it was created: the answer must not depend on whether one
 * already did). Connected means what the sync itself builds from: the tenant's stored connection
 * or, failing that, the deployment's own CXone credentials.
 */
function withoutCxoneSaid(snapshot: Record<string, unknown>): Record<string, unknown> {
  const components = Array.isArray(snapshot['components']) ? (snapshot['components'] as Record<string, unknown>[]) : [];
  const since = components.find((c) => c['component'] === 'sync')?.['since'];
  return {
    ...snapshot,
    status: 'down',
    syncActive: false,
    syncDetail: WAITS_FOR_CXONE,
    components: [
      { component: 'sync', status: 'down', detail: WAITS_FOR_CXONE, ...(since !== undefined ? { since } : {}) },
      ...components.filter((c) => c['component'] !== 'sync'),
    ],
  };
}
