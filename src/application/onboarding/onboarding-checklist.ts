import type { AccessLevel } from '../../domain/access.js';
import type { Tenant } from '../../domain/tenant.js';
import type { TenantConsent } from '../ports.js';

/** The application permissions sync cannot work without (read/write presence, find users). */
export const REQUIRED_APP_ROLES = ['Presence.ReadWrite.All', 'User.Read.All'] as const;

/** The steps of a tenant's life in production (design.md §3), in the order an admin takes them. */
export const ONBOARDING_STEPS = ['consent', 'tenant', 'role', 'cxone', 'owner', 'agents', 'rules', 'sync'] as const;
export type OnboardingStepId = (typeof ONBOARDING_STEPS)[number];

export interface OnboardingStep {
  readonly id: OnboardingStepId;
  readonly done: boolean;
  /** What is there, or what is missing and who does it. */
  readonly detail: string;
}

export interface OnboardingChecklist {
  readonly tenantId: string;
  readonly onboarded: boolean;
  readonly syncEnabled: boolean;
  readonly steps: readonly OnboardingStep[];
  /** The first step not done: what to do next (absent once everything is done). */
  readonly next?: OnboardingStep;
}

/** What the checklist is computed from (read by TenantOnboarding). */
export interface OnboardingFacts {
  readonly tenantId: string;
  readonly access: AccessLevel;
  readonly consent?: TenantConsent;
  readonly tenant?: Tenant;
  readonly cxoneConnected: boolean;
  readonly owners: readonly { readonly ownerId: string; readonly signedIn: boolean }[];
  readonly linkedAgents: number;
  readonly enabledRules: number;
}

export const missingRoles = (consent: TenantConsent | undefined): readonly string[] =>
  REQUIRED_APP_ROLES.filter((r) => !consent?.roles.includes(r));

function consentStep(f: OnboardingFacts): OnboardingStep {
  const missing = missingRoles(f.consent);
  if (!f.consent)
    return step(
      'consent',
      false,
      'A Global Administrator grants admin consent to the Presence Sync app (Setup page: Grant admin consent).',
    );
  return missing.length === 0
    ? step('consent', true, `Admin consent granted: ${f.consent.roles.join(', ')}.`)
    : step('consent', false, `Admin consent lacks ${missing.join(', ')}: grant admin consent again.`);
}

const ROLE_DETAIL: Record<AccessLevel, string> = {
  admin: 'You have the Presence Sync Admin role.',
  support: 'You have the Presence Sync Support role (Health Check, Log Reader); a Presence Sync admin does the setup.',
  none: "Your account has no Presence Sync role: a Global Administrator assigns 'Presence Sync Admin' to you in Entra (Enterprise applications → Presence Sync → Users and groups), then you sign in again.",
};

/** The steps, each saying what is there or what is missing next. */
export function onboardingChecklist(f: OnboardingFacts): OnboardingChecklist {
  const t = f.tenant;
  const later = 'After the tenant exists.';
  const signedIn = f.owners.filter((o) => o.signedIn).length;
  const steps: OnboardingStep[] = [
    consentStep(f),
    t
      ? step('tenant', true, `Tenant ${t.name} is onboarded.`)
      : step(
          'tenant',
          false,
          'A Presence Sync admin opens the tab after consent: their first sign-in creates the tenant.',
        ),
    step('role', f.access === 'admin', ROLE_DETAIL[f.access]),
    step(
      'cxone',
      f.cxoneConnected,
      f.cxoneConnected
        ? 'CXone credentials are stored.'
        : t
          ? 'Connect CXone: store and test the business unit credentials.'
          : later,
    ),
    step(
      'owner',
      signedIn > 0,
      signedIn > 0
        ? `${signedIn} of ${f.owners.length} subscription owner(s) signed in.`
        : f.owners.length > 0
          ? 'Every subscription owner must sign in again (their sign-in was refused).'
          : t
            ? 'Sign in at least one subscription owner (Graph presence subscriptions are delegated-only).'
            : later,
    ),
    step(
      'agents',
      f.linkedAgents > 0,
      f.linkedAgents > 0
        ? `${f.linkedAgents} agent(s) linked to Teams users.`
        : t
          ? 'Link agents to Teams users (auto-match, or the people picker).'
          : later,
    ),
    step(
      'rules',
      f.enabledRules > 0,
      f.enabledRules > 0 ? `${f.enabledRules} rule(s) enabled.` : t ? 'Write at least one presence rule.' : later,
    ),
    step(
      'sync',
      Boolean(t?.syncEnabled),
      t?.syncEnabled ? 'Sync is on.' : t ? 'Turn sync on once CXone and a subscription owner are connected.' : later,
    ),
  ];
  const next = steps.find((s) => !s.done);
  return {
    tenantId: f.tenantId,
    onboarded: t !== undefined,
    syncEnabled: Boolean(t?.syncEnabled),
    steps,
    ...(next ? { next } : {}),
  };
}

const step = (id: OnboardingStepId, done: boolean, detail: string): OnboardingStep => ({ id, done, detail });
