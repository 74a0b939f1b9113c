import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../../application/ports.js';
import { accessLevel, type AccessLevel } from '../../../domain/access.js';
import { err, ok, type Result } from '../../../domain/result.js';
import type { HttpFetch } from '../../shared/http-transport.js';
import { problem, type ApiProblem } from './api-problem.js';

/** Who is calling: everything the API does is scoped to `tenantId` (the token's `tid`). */
export interface Caller {
  readonly tenantId: string;
  /** Entra object id of the signed-in user. */
  readonly userId: string;
  readonly name: string;
  readonly access: AccessLevel;
  /** The raw SSO token, for on-behalf-of calls to Graph. */
  readonly token: string;
}

/** How SSO tokens are validated (reference/graph-presence.md §5). */
export interface SsoVerifierOptions {
  /** Entra JWKS (`https://login.microsoftonline.com/common/discovery/v2.0/keys`) or the emulator's. */
  readonly jwksUrl: string;
  /** Accepted `aud` values: the client id and the App ID URI `api://{domain}/{clientId}`. */
  readonly audiences: readonly string[];
  /**
   * Accepted issuers with `{tid}` replaced by the token's tenant. Default: the Entra v2
   * (`https://login.microsoftonline.com/{tid}/v2.0`) and v1 (`https://sts.windows.net/{tid}/`) forms.
   */
  readonly issuerTemplates?: readonly string[];
  /** When set, only these tenants may call (a single-tenant or allow-listed deployment). */
  readonly allowedTenants?: readonly string[];
  /**
   * The delegated scope our API exposes (aad.manifest.json `oauth2Permissions`): `scp` must contain
   * it. Required: without it an app-only token, an id_token or a token for another scope of the same
   * app registration (all carry our client id as `aud`) would pass as a signed-in user.
   */
  readonly requiredScope: string;
  /** Clock skew allowed on exp/nbf, seconds (default 300). */
  readonly clockToleranceSec?: number;
  /** Fetch for the JWKS (the sandbox passes the shared transport trusting its local CA). */
  readonly fetch?: HttpFetch;
  /** How long fetched keys are trusted before a refetch (default 6 h; an unknown `kid` refetches sooner). */
  readonly keysMaxAgeMs?: number;
  /** The time tokens are checked against (default: the system clock). */
  readonly clock?: Clock;
  /** Replaces the remote JWKS entirely (tests of this module only). */
  readonly keys?: JWTVerifyGetKey;
}

/** The one scope the tab requests for our API (aad.manifest.json exposes exactly this). */
export const TAB_API_SCOPE = 'access_as_user';

export const ENTRA_ISSUER_TEMPLATES = [
  'https://login.microsoftonline.com/{tid}/v2.0',
  'https://sts.windows.net/{tid}/',
] as const;

const unauthorized = (detail: string, code = 'AUTH.INVALID_TOKEN'): ApiProblem =>
  problem(401, code, 'Authentication required', detail, {
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` },
  });

export type SsoVerifier = (authorization: string | undefined) => Promise<Result<Caller, ApiProblem>>;

/** Validates the Teams SSO bearer token: RS256 signature against the JWKS, audience, expiry, issuer per tenant. */
export function createSsoVerifier(options: SsoVerifierOptions): SsoVerifier {
  const opts = Object.freeze({ ...options });
  const keys = opts.keys ?? remoteKeys(opts);
  const templates = opts.issuerTemplates ?? ENTRA_ISSUER_TEMPLATES;
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)$/.exec(authorization?.trim() ?? '');
    if (!match?.[1])
      return err(unauthorized('Send the Teams SSO token as "Authorization: Bearer <token>".', 'AUTH.MISSING_TOKEN'));
    const token = match[1];
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        audience: [...opts.audiences],
        clockTolerance: opts.clockToleranceSec ?? 300,
        ...(opts.clock ? { currentDate: new Date(opts.clock.now()) } : {}),
        requiredClaims: ['exp', 'iss', 'tid', 'oid'],
      }));
    } catch (e) {
      // Our side cannot fetch the signing keys: not the caller's fault, and worth retrying.
      if (e instanceof errors.JWKSTimeout || !(e instanceof errors.JOSEError)) {
        return err(
          problem(
            503,
            'AUTH.KEYS_UNAVAILABLE',
            'Sign-in keys unavailable',
            'The Entra signing keys could not be fetched; try again shortly.',
            { headers: { 'retry-after': '5' } },
          ),
        );
      }
      return err(unauthorized(describe(e)));
    }
    return callerOf(payload, token, opts, templates);
  };
}

function remoteKeys(opts: SsoVerifierOptions): JWTVerifyGetKey {
  const fetch = opts.fetch;
  return createRemoteJWKSet(new URL(opts.jwksUrl), {
    cacheMaxAge: opts.keysMaxAgeMs ?? 6 * 3600_000,
    ...(fetch
      ? {
          [customFetch]: (url: string, init: { headers: Headers; signal: AbortSignal }) =>
            fetch(url, {
              method: 'GET',
              headers: Object.fromEntries(init.headers.entries()),
              signal: init.signal,
            }) as unknown as Promise<Response>,
        }
      : {}),
  });
}

function callerOf(
  payload: JWTPayload,
  token: string,
  opts: SsoVerifierOptions,
  templates: readonly string[],
): Result<Caller, ApiProblem> {
  const tid = typeof payload['tid'] === 'string' ? payload['tid'] : '';
  const oid = typeof payload['oid'] === 'string' ? payload['oid'] : '';
  if (!/^[0-9A-Za-z-]{1,64}$/.test(tid) || !oid) return err(unauthorized('The token has no usable tid/oid claims.'));
  if (!templates.some((t) => t.replace('{tid}', tid) === payload.iss))
    return err(unauthorized('The token was not issued for its own tenant by the expected issuer.'));
  if (opts.allowedTenants && !opts.allowedTenants.includes(tid))
    return err(
      problem(
        403,
        'AUTH.TENANT_NOT_ALLOWED',
        'Tenant not allowed',
        'This tenant is not allowed to use this Presence Sync deployment.',
      ),
    );
  // An app-only token (client credentials) speaks for no user; an id_token proves a sign-in to the
  // client, not consent to call this API. Neither carries `scp`; only a delegated access token does.
  if (payload['idtyp'] === 'app' || typeof payload['scp'] !== 'string')
    return err(
      unauthorized('Send a delegated access token for this API (the Teams SSO token), not an id or app token.'),
    );
  const scopes = payload['scp'].split(' ');
  if (!scopes.includes(opts.requiredScope))
    return err(unauthorized(`The token lacks the ${opts.requiredScope} scope.`));
  const roles = Array.isArray(payload['roles'])
    ? payload['roles'].filter((r): r is string => typeof r === 'string')
    : [];
  const name =
    [payload['preferred_username'], payload['upn'], payload['name']].find((v): v is string => typeof v === 'string') ??
    oid;
  return ok({ tenantId: tid, userId: oid, name, access: accessLevel(roles), token });
}

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'The token has expired.';
  if (e instanceof errors.JWTClaimValidationFailed) return `The token's ${e.claim} claim is not accepted.`;
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey)
    return 'The token signature does not verify against the tenant signing keys.';
  if (e instanceof errors.JOSEError) return `The token is not valid (${e.code}).`;
  return 'The token could not be validated.';
}
