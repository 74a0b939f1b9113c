import type { Clock } from '../../../application/ports.js';
import type { AuditRecorder, OwnerSignInOptions } from './api-deps.js';
import { problem } from './api-problem.js';
import { fail, json, route, type ApiRoute, type RouteOutcome } from './api-route.js';
import { signInCallbackQuerySchema } from './api-schemas.js';
import { openState, pkcePair, sealState } from './owner-sign-in-state.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The popup's last page: plain HTML, no script, nothing secret. */
function page(status: number, title: string, text: string): RouteOutcome {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p><p>You can close this window.</p></body></html>`;
  return {
    status,
    raw: html,
    contentType: 'text/html; charset=utf-8',
    headers: { 'content-security-policy': "default-src 'none'", 'referrer-policy': 'no-referrer' },
  };
}

/** Subscription owners signed in with the authorization-code flow (PKCE) from the Settings page. */
export function ownerSignInRoutes(
  signIn: OwnerSignInOptions | undefined,
  recordAudit: AuditRecorder | undefined,
  clock: Clock,
): ApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/connections/owners/sign-in',
      operationId: 'startOwnerSignIn',
      summary: 'Start an authorization-code sign-in of a subscription owner: open `authorizeUrl` in a popup',
      access: 'admin',
      responses: [
        { status: 200, description: 'The Entra authorize URL' },
        { status: 409, description: 'Sign-in not configured' },
      ],
      handle: async ({ caller }) => {
        if (!signIn)
          return fail(
            problem(
              409,
              'GRAPH.NOT_CONNECTED',
              'Microsoft Graph not connected',
              'Owner sign-in is not configured on this deployment.',
            ),
          );
        const { verifier, challenge } = pkcePair();
        const expiresAt = clock.now() + (signIn.ttlMs ?? 10 * 60_000);
        const state = sealState(signIn.stateKey, {
          tenantId: caller.tenantId,
          actor: caller.name,
          codeVerifier: verifier,
          expiresAt,
        });
        return json(200, {
          authorizeUrl: await signIn.flow.authorizeUrl(caller.tenantId, {
            state,
            codeChallenge: challenge,
            redirectUri: signIn.redirectUri,
          }),
          expiresAt,
        });
      },
    }),
    route({
      method: 'get',
      path: '/connections/owners/callback',
      operationId: 'finishOwnerSignIn',
      summary: 'Entra redirects here after the owner signed in (no token: the sealed state carries the tenant)',
      access: 'public',
      query: signInCallbackQuerySchema,
      responses: [
        { status: 200, description: 'Connected (HTML)', contentType: 'text/html' },
        { status: 400, description: 'Refused, expired or tampered sign-in (HTML)', contentType: 'text/html' },
      ],
      handle: async ({ query }) => {
        if (!signIn) return page(400, 'Sign-in not configured', 'Owner sign-in is not configured on this deployment.');
        const state = openState(signIn.stateKey, query.state, clock.now());
        if (!state)
          return page(
            400,
            'Sign-in expired',
            'This sign-in link is no longer valid. Start again from the Settings page.',
          );
        if (!query.code)
          return page(
            400,
            'Sign-in refused',
            query.error_description ?? query.error ?? 'Microsoft Entra did not return a code.',
          );
        const r = await signIn.flow.redeem(state.tenantId, {
          code: query.code,
          codeVerifier: state.codeVerifier,
          redirectUri: signIn.redirectUri,
        });
        if (!r.ok) return page(400, 'Sign-in failed', `${r.error.code}: ${r.error.message}`);
        await recordAudit?.({
          tenantId: state.tenantId,
          at: clock.now(),
          actor: state.actor,
          action: 'owner.connect',
          entity: 'subscriptionOwner',
          entityId: r.value.ownerId,
          before: null,
          after: r.value,
        });
        return page(200, 'Subscription owner connected', `${r.value.userPrincipalName} is now a subscription owner.`);
      },
    }),
  ];
}
