import type { Clock, ExternalFailure, PeopleSearch } from '../../../application/ports.js';
import type { AuditRecorder, OwnerConnector } from './api-deps.js';
import { problem, type ApiProblem } from './api-problem.js';
import { fail, json, route, type ApiRoute } from './api-route.js';
import { peopleQuerySchema } from './api-schemas.js';

/** Entra refusing the on-behalf-of exchange means the admin must consent (or sign in again); anything else is an outage. */
function graphProblem(f: ExternalFailure): ApiProblem {
  if (/invalid_grant|interaction_required|consent_required/.test(f.code)) {
    return problem(
      403,
      'GRAPH.CONSENT_REQUIRED',
      'Consent required',
      `Microsoft Entra refused to act on your behalf (${f.code}); grant consent to the Presence Sync app and try again.`,
    );
  }
  return problem(
    503,
    'GRAPH.UNAVAILABLE',
    'Microsoft Graph unavailable',
    `Microsoft Graph could not be reached (${f.code}).`,
    f.retryAfterMs !== undefined ? { headers: { 'retry-after': String(Math.ceil(f.retryAfterMs / 1000)) } } : {},
  );
}

/** What the API does on Graph as the signed-in admin (on-behalf-of their SSO token). */
export function directoryRoutes(
  people: PeopleSearch,
  owners: OwnerConnector,
  recordAudit: AuditRecorder,
  clock: Clock,
): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/directory/users',
      operationId: 'searchDirectoryUsers',
      summary: 'People picker: Entra users whose name, UPN or mail starts with `search` (as the signed-in admin)',
      access: 'admin',
      query: peopleQuerySchema,
      responses: [
        { status: 200, description: 'Users' },
        { status: 403, description: 'Consent required' },
        { status: 503, description: 'Graph unavailable' },
      ],
      handle: async ({ caller, query }) => {
        const r = await people.search(caller, query.search);
        return r.ok ? json(200, { items: r.value }) : fail(graphProblem(r.error));
      },
    }),
    route({
      method: 'post',
      path: '/connections/owners/me',
      operationId: 'connectOwnerMe',
      summary:
        'Connect the signed-in account as a subscription owner (on-behalf-of, offline access; refresh token stored encrypted)',
      access: 'admin',
      responses: [
        { status: 200, description: 'Connected' },
        { status: 403, description: 'Consent required' },
      ],
      handle: async ({ caller }) => {
        const r = await owners.connect(caller.tenantId, caller.userId, caller.token);
        if (r.ok)
          await recordAudit({
            tenantId: caller.tenantId,
            at: clock.now(),
            actor: caller.name,
            action: 'owner.connect',
            entity: 'subscriptionOwner',
            entityId: caller.userId,
            before: null,
            after: { ownerId: caller.userId, name: caller.name },
          });
        return r.ok
          ? json(200, { ownerId: caller.userId, name: caller.name, signedIn: true })
          : fail(graphProblem(r.error));
      },
    }),
  ];
}
