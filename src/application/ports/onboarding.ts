import type { Result } from '../../domain/result.js';
import type { ExternalFailure } from './runtime.js';

/** A tenant's admin consent to the app's Graph application permissions, as verified with Entra. */
export interface TenantConsent {
  /** Entra tenant id. */
  readonly tenantId: string;
  /** Epoch ms it was verified. */
  readonly verifiedAt: number;
  /** The application permissions Entra now grants the app in that tenant (the `roles` of an app-only token). */
  readonly roles: readonly string[];
  /** Who was seen granting it (the admin-consent callback), or `entra` when found by asking Entra. */
  readonly via: 'admin-consent' | 'entra';
}

/** Where verified consents are kept; a consent may exist before its tenant does. */
export interface TenantConsentStore {
  get(tenantId: string): Promise<TenantConsent | undefined>;
  put(consent: TenantConsent): Promise<void>;
}

/**
 * Asks Entra whether the app is consented in a tenant: an app-only token for that tenant is issued
 * only once an admin granted consent, and its `roles` are the application permissions granted.
 */
export interface ConsentVerifier {
  grantedRoles(tenantId: string): Promise<Result<readonly string[], ExternalFailure>>;
}

/** The tenant's subscription owners as onboarding counts them. */
export interface OwnerRoster {
  list(tenantId: string): Promise<readonly { readonly ownerId: string; readonly signedIn: boolean }[]>;
}
