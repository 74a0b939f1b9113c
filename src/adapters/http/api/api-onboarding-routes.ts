import { z } from 'zod';
import type { Clock } from '../../../application/ports.js';
import type { OnboardingError, TenantOnboarding } from '../../../application/onboarding/tenant-onboarding.js';
import type { Result } from '../../../domain/result.js';
import type { OnboardingChecklist } from '../../../application/onboarding/onboarding-checklist.js';
import { htmlPage, redirect } from './api-html-page.js';
import { problem, type ApiProblem } from './api-problem.js';
import { fail, json, route, type ApiRoute, type RouteOutcome } from './api-route.js';
import { openState, sealState } from './sealed-state.js';

/** How the admin-consent round trip is built (Entra `/{tenant}/v2.0/adminconsent`). */
export interface AdminConsentOptions {
  /** The Entra app (client) id consent is granted to. */
  readonly clientId: string;
  /** `https://login.microsoftonline.com` or the emulator's authority URL. */
  readonly authorityHost: string;
  /** `https://<public host>/api/v1/onboarding/consent/callback`, registered on the Entra app (known once listening). */
  readonly redirectUri: () => string;
  /** 32 bytes sealing `state` (the same on every instance). */
  readonly stateKey: Buffer;
  /** How long a started consent may take (default 15 min). */
  readonly ttlMs?: number;
}

export interface OnboardingRouteDeps {
  readonly service: TenantOnboarding;
  readonly consent: AdminConsentOptions;
  readonly clock: Clock;
}

const PURPOSE = 'presence-sync/admin-consent/v1';
const tenantId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'an Entra tenant id (GUID)');
const ConsentState = z.object({ tenantId, expiresAt: z.number() });
export const consentStartQuerySchema = z.strictObject({ tenant: tenantId });
/**
 * Entra's redirect after admin consent: `admin_consent=True&tenant=…&scope=…&state=…`, or
 * `error=…&error_description=…&state=…` (learn.microsoft.com/entra/identity-platform/v2-admin-consent).
 */
export const consentCallbackQuerySchema = z.object({
  state: z.string().min(1).max(4096),
  tenant: z.string().max(100).optional(),
  admin_consent: z.string().max(10).optional(),
  scope: z.string().max(4000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});
export const syncSwitchSchema = z.strictObject({ enabled: z.boolean() });

function onboardingProblem(e: OnboardingError): ApiProblem {
  switch (e.code) {
    case 'ONBOARDING.TENANT_NOT_ALLOWED':
      return problem(403, e.code, 'Tenant not allowed', e.message);
    case 'ONBOARDING.INCOMPLETE':
    case 'ONBOARDING.NOT_ONBOARDED':
      return problem(409, e.code, 'Onboarding incomplete', e.message, { extensions: { missing: e.missing ?? [] } });
    case 'ONBOARDING.CONSENT_NOT_VERIFIED':
      return problem(409, e.code, 'Admin consent not verified', e.message);
  }
}

const answer = (r: Result<OnboardingChecklist, OnboardingError>): RouteOutcome =>
  r.ok ? json(200, r.value) : fail(onboardingProblem(r.error));

function consentUrl(o: AdminConsentOptions, tenant: string, state: string): string {
  const url = new URL(`${o.authorityHost.replace(/\/$/, '')}/${tenant}/v2.0/adminconsent`);
  url.searchParams.set('client_id', o.clientId);
  // `.default`: every application permission configured on the app registration, at once.
  url.searchParams.set('scope', 'https://graph.microsoft.com/.default');
  url.searchParams.set('redirect_uri', o.redirectUri());
  url.searchParams.set('state', state);
  return url.toString();
}

/** Tenant onboarding: the checklist, the first admin sign-in, sync on/off, and the admin-consent round trip. */
export function onboardingRoutes(deps: OnboardingRouteDeps | undefined): ApiRoute[] {
  if (!deps) return [];
  const { service, consent, clock } = deps;
  return [
    route({
      method: 'get',
      path: '/onboarding',
      operationId: 'getOnboarding',
      summary: 'What is done and what is missing next to put this tenant to work (any signed-in user of the tenant)',
      access: 'signed-in',
      responses: [{ status: 200, description: 'The checklist' }],
      handle: async ({ caller }) => answer(await service.checklist(caller)),
    }),
    route({
      method: 'post',
      path: '/onboarding/sign-in',
      operationId: 'onboardingSignIn',
      summary: 'The tab signed in: the first admin sign-in from a consented tenant creates the tenant (sync off)',
      access: 'signed-in',
      responses: [{ status: 200, description: 'The checklist after the sign-in' }],
      handle: async ({ caller }) => answer(await service.signIn(caller)),
    }),
    route({
      method: 'put',
      path: '/onboarding/sync',
      operationId: 'switchSync',
      summary: "Turn the tenant's sync on (needs consent, CXone and a signed-in subscription owner) or off",
      access: 'admin',
      body: syncSwitchSchema,
      responses: [
        { status: 200, description: 'The checklist after the switch' },
        { status: 409, description: 'A step is missing (listed in `missing`)' },
      ],
      handle: async ({ caller, body }) => answer(await service.setSync(caller, body.enabled)),
    }),
    route({
      method: 'get',
      path: '/onboarding/consent',
      operationId: 'startAdminConsent',
      summary: "Redirects a tenant's admin to Entra's admin consent for the app (open it in a popup)",
      access: 'public',
      query: consentStartQuerySchema,
      responses: [
        { status: 302, description: 'To the Entra admin consent page', contentType: 'text/plain' },
        { status: 403, description: 'This tenant may not onboard here (HTML)', contentType: 'text/html' },
      ],
      handle: async ({ query }) => {
        if (!service.isAllowed(query.tenant))
          return htmlPage(403, 'Tenant not allowed', 'This Presence Sync deployment does not serve your organization.');
        const state = sealState(consent.stateKey, PURPOSE, {
          tenantId: query.tenant,
          expiresAt: clock.now() + (consent.ttlMs ?? 15 * 60_000),
        });
        return redirect(consentUrl(consent, query.tenant, state));
      },
    }),
    route({
      method: 'get',
      path: '/onboarding/consent/callback',
      operationId: 'finishAdminConsent',
      summary: 'Entra redirects here after admin consent; the consent is then verified with Entra itself',
      access: 'public',
      query: consentCallbackQuerySchema,
      responses: [
        { status: 200, description: 'Consent verified (HTML)', contentType: 'text/html' },
        { status: 400, description: 'Refused, expired, forged or unverifiable (HTML)', contentType: 'text/html' },
      ],
      handle: async ({ query }) => {
        const state = openState(consent.stateKey, PURPOSE, query.state, ConsentState, clock.now());
        if (!state)
          return htmlPage(400, 'Consent link expired', 'Start admin consent again from the Presence Sync Setup page.');
        if (query.error) return htmlPage(400, 'Admin consent not granted', query.error_description ?? query.error);
        if (query.tenant !== undefined && query.tenant.toLowerCase() !== state.tenantId)
          return htmlPage(400, 'Consent for another organization', 'Start admin consent again from your own tenant.');
        const r = await service.confirmConsent(state.tenantId, 'admin-consent');
        if (!r.ok)
          return htmlPage(
            r.error.code === 'ONBOARDING.TENANT_NOT_ALLOWED' ? 403 : 400,
            'Admin consent not verified',
            r.error.message,
          );
        return htmlPage(
          200,
          'Admin consent granted',
          'Go back to Presence Sync in Teams: the Setup page shows the next step.',
        );
      },
    }),
  ];
}
