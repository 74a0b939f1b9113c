import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../../application/ports.js';
import type { AuditRecorder, OwnerSignInOptions } from './api-deps.js';
import { htmlPage, redirect } from './api-html-page.js';
import { problem } from './api-problem.js';
import { fail, json, route, type ApiRoute } from './api-route.js';
import { signInCallbackQuerySchema } from './api-schemas.js';
import { openState, pkcePair, sealState } from './owner-sign-in-state.js';

const stateQuerySchema = z.strictObject({ state: z.string().min(1).max(4096) });
export const ownerSignInCompleteSchema = z.strictObject({
  code: z.string().min(1).max(8192),
  state: z.string().min(1).max(4096),
});

const redirectUri = (o: OwnerSignInOptions): string =>
  typeof o.redirectUri === 'string' ? o.redirectUri : o.redirectUri();
const challengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/**
 * Subscription owners sign in with the authorization-code flow and PKCE from a popup of the tab
 * (teams-js `authentication.authenticate`): start → Entra → our callback → the auth-end page,
 * which hands code and state to the tab; the tab completes with its own SSO token. The code is
 * redeemed server-side with the verifier sealed in the state, and only for the admin who started
 * it — a code or state carried to anyone else's session is refused.
 */
export function ownerSignInRoutes(signIn: OwnerSignInOptions, recordAudit: AuditRecorder, clock: Clock): ApiRoute[] {
  const open = (state: string) => openState(signIn.stateKey, state, clock.now());
  return [
    route({
      method: 'post',
      path: '/connections/owners/sign-in',
      operationId: 'startOwnerSignIn',
      summary: 'Start a subscription owner sign-in: open `startUrl` (same origin) in the teams-js authentication popup',
      access: 'admin',
      responses: [{ status: 200, description: 'The popup start URL (and the Entra authorize URL it leads to)' }],
      handle: async ({ caller }) => {
        const { verifier, challenge } = pkcePair();
        const expiresAt = clock.now() + (signIn.ttlMs ?? 10 * 60_000);
        const state = sealState(signIn.stateKey, {
          tenantId: caller.tenantId,
          userId: caller.userId,
          actor: caller.name,
          codeVerifier: verifier,
          expiresAt,
        });
        return json(200, {
          startUrl: `/api/v1/connections/owners/sign-in/start?state=${encodeURIComponent(state)}`,
          authorizeUrl: await signIn.flow.authorizeUrl(caller.tenantId, {
            state,
            codeChallenge: challenge,
            redirectUri: redirectUri(signIn),
          }),
          expiresAt,
        });
      },
    }),
    route({
      method: 'get',
      path: '/connections/owners/sign-in/start',
      operationId: 'openOwnerSignIn',
      summary: "The popup's first page: redirects to Entra's authorize endpoint for the sealed sign-in",
      access: 'public',
      query: stateQuerySchema,
      responses: [
        { status: 302, description: 'To Entra', contentType: 'text/plain' },
        { status: 400, description: 'Expired or forged sign-in (HTML)', contentType: 'text/html' },
      ],
      handle: async ({ query }) => {
        const state = open(query.state);
        if (!state) return htmlPage(400, 'Sign-in expired', 'Start again from the Presence Sync tab.');
        // The target is always our tenant's Entra authorize URL, rebuilt from the sealed state: no open redirect.
        return redirect(
          await signIn.flow.authorizeUrl(state.tenantId, {
            state: query.state,
            codeChallenge: challengeOf(state.codeVerifier),
            redirectUri: redirectUri(signIn),
          }),
        );
      },
    }),
    route({
      method: 'get',
      path: '/connections/owners/callback',
      operationId: 'finishOwnerSignIn',
      summary: "Entra redirects here; the code and state go on to the tab's auth-end page (nothing is redeemed here)",
      access: 'public',
      query: signInCallbackQuerySchema,
      responses: [
        {
          status: 302,
          description: 'To the auth-end page, which hands the result to the tab',
          contentType: 'text/plain',
        },
        { status: 400, description: 'Expired or forged sign-in (HTML)', contentType: 'text/html' },
      ],
      handle: async ({ query }) => {
        if (!open(query.state))
          return htmlPage(
            400,
            'Sign-in expired',
            'This sign-in link is no longer valid. Start again from the Setup page.',
          );
        const forward = new URLSearchParams({ state: query.state });
        if (query.code) forward.set('code', query.code);
        if (query.error) forward.set('error', query.error);
        if (query.error_description) forward.set('error_description', query.error_description);
        return redirect(`${signIn.authEndPath ?? '/tab/auth-end.html'}?${forward.toString()}`);
      },
    }),
    route({
      method: 'post',
      path: '/connections/owners/sign-in/complete',
      operationId: 'completeOwnerSignIn',
      summary:
        'The tab completes the sign-in it started: the code is redeemed with the PKCE verifier sealed in the state',
      access: 'admin',
      body: ownerSignInCompleteSchema,
      responses: [
        { status: 200, description: 'The owner who signed in' },
        { status: 400, description: 'Expired or forged state' },
        { status: 403, description: 'The sign-in was started by another admin or tenant' },
        { status: 502, description: 'Entra refused the code' },
      ],
      handle: async ({ caller, body }) => {
        const state = open(body.state);
        if (!state)
          return fail(problem(400, 'OWNER_SIGN_IN.STATE_INVALID', 'Sign-in expired', 'Start the owner sign-in again.'));
        if (state.tenantId !== caller.tenantId || state.userId !== caller.userId)
          return fail(
            problem(
              403,
              'OWNER_SIGN_IN.NOT_YOURS',
              'Not your sign-in',
              'Only the admin who started a sign-in may complete it.',
            ),
          );
        const r = await signIn.flow.redeem(state.tenantId, {
          code: body.code,
          codeVerifier: state.codeVerifier,
          redirectUri: redirectUri(signIn),
        });
        if (!r.ok)
          return fail(problem(502, 'OWNER_SIGN_IN.REFUSED', 'Sign-in refused', `${r.error.code}: ${r.error.message}`));
        await signIn.onConnected?.(state.tenantId, r.value.ownerId);
        await recordAudit({
          tenantId: state.tenantId,
          at: clock.now(),
          actor: caller.name,
          action: 'owner.connect',
          entity: 'subscriptionOwner',
          entityId: r.value.ownerId,
          before: null,
          after: r.value,
        });
        return json(200, { ...r.value, signedIn: true });
      },
    }),
  ];
}
