import type { AccessLevel } from '../../domain/access.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { Tenant } from '../../domain/tenant.js';
import type {
  Clock,
  ConsentVerifier,
  ExternalFailure,
  Logger,
  OwnerRoster,
  RuleStore,
  TenantConsent,
  TenantConsentStore,
  TenantStore,
  UserLinkStore,
} from '../ports.js';
import {
  missingRoles,
  onboardingChecklist,
  type OnboardingChecklist,
  type OnboardingStepId,
} from './onboarding-checklist.js';

export type OnboardingErrorCode =
  | 'ONBOARDING.TENANT_NOT_ALLOWED'
  | 'ONBOARDING.CONSENT_NOT_VERIFIED'
  | 'ONBOARDING.NOT_ONBOARDED'
  | 'ONBOARDING.INCOMPLETE';

export interface OnboardingError {
  readonly code: OnboardingErrorCode;
  readonly message: string;
  /** INCOMPLETE: the steps still missing. */
  readonly missing?: readonly OnboardingStepId[];
  readonly failure?: ExternalFailure;
}

/** Who is signing in (from their verified SSO token). */
export interface OnboardingCaller {
  readonly tenantId: string;
  readonly userId: string;
  readonly name: string;
  readonly access: AccessLevel;
}

export interface TenantOnboardingDeps {
  readonly tenants: TenantStore;
  readonly consents: TenantConsentStore;
  readonly verifier: ConsentVerifier;
  readonly owners: OwnerRoster;
  readonly userLinks: Pick<UserLinkStore, 'list'>;
  readonly rules: Pick<RuleStore, 'list'>;
  /** Sync was turned on or off: the engine re-reads the tenant. */
  readonly onSyncChanged?: (tenantId: string) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface TenantOnboardingOptions {
  /** Entra tenant ids that may onboard (lower case); undefined = any. */
  readonly allowedTenants?: readonly string[];
  /** Entra is asked again about a tenant with no consent at most this often (default 30 s). */
  readonly recheckAfterMs?: number;
}

const notAllowed = (tenantId: string): OnboardingError => ({
  code: 'ONBOARDING.TENANT_NOT_ALLOWED',
  message: `Tenant ${tenantId} may not onboard on this Presence Sync deployment (ONBOARDING_ALLOWED_TENANTS).`,
});

/**
 * How a tenant comes to exist in production: an admin grants consent (verified with Entra, never
 * taken from a redirect's word), then the first sign-in of a Presence Sync admin of that tenant
 * creates it with sync off; sync goes on only once CXone and a subscription owner are connected.
 */
export class TenantOnboarding {
  readonly #checked = new Map<string, number>();
  readonly #recheckMs: number;

  constructor(
    private readonly deps: TenantOnboardingDeps,
    private readonly options: TenantOnboardingOptions = {},
  ) {
    this.#recheckMs = options.recheckAfterMs ?? 30_000;
  }

  isAllowed(tenantId: string): boolean {
    const allowed = this.options.allowedTenants;
    return !allowed || allowed.includes(tenantId.toLowerCase());
  }

  /** After an admin-consent redirect (or to find a consent granted elsewhere): ask Entra, keep what it says. */
  async confirmConsent(tenantId: string, via: TenantConsent['via']): Promise<Result<TenantConsent, OnboardingError>> {
    if (!this.isAllowed(tenantId)) return err(notAllowed(tenantId));
    this.#checked.set(tenantId, this.deps.clock.now());
    const roles = await this.deps.verifier.grantedRoles(tenantId);
    if (!roles.ok)
      return err({
        code: 'ONBOARDING.CONSENT_NOT_VERIFIED',
        message: `Entra issued no app token for tenant ${tenantId} (${roles.error.code}): admin consent is not in place.`,
        failure: roles.error,
      });
    const consent: TenantConsent = { tenantId, verifiedAt: this.deps.clock.now(), roles: [...roles.value].sort(), via };
    await this.deps.consents.put(consent);
    this.deps.logger.info({ tenantId, roles: consent.roles, via }, 'tenant admin consent verified');
    return ok(consent);
  }

  /** A verified tab sign-in: the first one of an admin from a consented tenant creates the tenant. */
  async signIn(caller: OnboardingCaller): Promise<Result<OnboardingChecklist, OnboardingError>> {
    if (!this.isAllowed(caller.tenantId)) return err(notAllowed(caller.tenantId));
    // Also for a tenant that exists (seeded, or consent revoked and granted again): the checklist shows what Entra says.
    const consent = await this.#consent(caller.tenantId);
    const complete = consent !== undefined && missingRoles(consent).length === 0;
    if (complete && caller.access === 'admin' && !(await this.deps.tenants.get(caller.tenantId)))
      await this.#create(caller);
    return this.checklist(caller);
  }

  async checklist(caller: OnboardingCaller): Promise<Result<OnboardingChecklist, OnboardingError>> {
    if (!this.isAllowed(caller.tenantId)) return err(notAllowed(caller.tenantId));
    const t = caller.tenantId;
    const tenant = await this.deps.tenants.get(t);
    const [consent, cxone, owners, links, rules] = await Promise.all([
      this.deps.consents.get(t),
      tenant ? this.deps.tenants.getConnection(t, 'cxone') : undefined,
      tenant ? this.deps.owners.list(t) : [],
      tenant ? this.deps.userLinks.list(t) : [],
      tenant ? this.deps.rules.list(t) : [],
    ]);
    return ok(
      onboardingChecklist({
        tenantId: t,
        access: caller.access,
        ...(consent ? { consent } : {}),
        ...(tenant ? { tenant } : {}),
        cxoneConnected: cxone !== undefined,
        owners,
        linkedAgents: links.length,
        enabledRules: rules.filter((r) => r.enabled).length,
      }),
    );
  }

  /** Turns sync on (only once consent, CXone and a signed-in subscription owner are there) or off. */
  async setSync(caller: OnboardingCaller, enabled: boolean): Promise<Result<OnboardingChecklist, OnboardingError>> {
    const list = await this.checklist(caller);
    if (!list.ok) return list;
    const tenant = await this.deps.tenants.get(caller.tenantId);
    if (!tenant)
      return err({
        code: 'ONBOARDING.NOT_ONBOARDED',
        message: 'This tenant is not onboarded yet.',
        missing: ['tenant'],
      });
    const missing = list.value.steps.filter((s) => !s.done && ['consent', 'cxone', 'owner'].includes(s.id));
    if (enabled && missing.length > 0)
      return err({
        code: 'ONBOARDING.INCOMPLETE',
        message: `Sync cannot be turned on yet: ${missing.map((s) => s.detail).join(' ')}`,
        missing: missing.map((s) => s.id),
      });
    if (tenant.syncEnabled !== enabled) {
      await this.deps.tenants.upsert({ ...tenant, syncEnabled: enabled });
      this.deps.logger.info({ tenantId: tenant.id, actor: caller.name, syncEnabled: enabled }, 'tenant sync switched');
      await this.deps.onSyncChanged?.(tenant.id);
    }
    return this.checklist(caller);
  }

  /** The stored consent, or one Entra confirms now (granted in the Entra admin center, say), asked at most every recheck period. */
  async #consent(tenantId: string): Promise<TenantConsent | undefined> {
    const stored = await this.deps.consents.get(tenantId);
    if (stored && missingRoles(stored).length === 0) return stored;
    const last = this.#checked.get(tenantId);
    if (last !== undefined && this.deps.clock.now() - last < this.#recheckMs) return stored;
    const confirmed = await this.confirmConsent(tenantId, 'entra');
    return confirmed.ok ? confirmed.value : stored;
  }

  async #create(caller: OnboardingCaller): Promise<Tenant> {
    const domain = /@([^@\s]+)$/.exec(caller.name)?.[1];
    const tenant: Tenant = {
      id: caller.tenantId,
      name: domain ?? caller.tenantId,
      acdBusinessUnitId: '',
      entraTenantId: caller.tenantId,
      partnerPlatform: 'msteams',
      syncEnabled: false,
    };
    await this.deps.tenants.upsert(tenant);
    this.deps.logger.info({ tenantId: tenant.id, actor: caller.name }, 'tenant onboarded by its first admin sign-in');
    return tenant;
  }
}
