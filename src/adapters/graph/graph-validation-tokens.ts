import { createRemoteJWKSet, customFetch, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../application/ports.js';
import type { HttpFetch } from '../shared/http-transport.js';

/** §3.7: Microsoft Graph Change Tracking, the caller named in every validation token. */
export const CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
const SKEW_SEC = 300;

/** A JWKS resolver on our transport, cached for hours (keys rotate, but not by the minute). */
export function entraJwks(jwksUrl: string, fetch: HttpFetch): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), {
    cacheMaxAge: 6 * 3600_000,
    [customFetch]: (url, init) =>
      fetch(url, {
        method: init.method,
        headers: Object.fromEntries(init.headers.entries()),
        signal: init.signal,
      }) as unknown as Promise<Response>,
  });
}

/**
 * Validates one `validationTokens` JWT (reference graph-presence.md §3.7): RS256 against Entra's
 * keys, exp/nbf, aud = our app id, iss in v1 or v2 form bound to `tenantId`, and the caller is
 * Change Tracking (appid for v1, azp for v2). Returns the token's tenant and expiry (epoch ms,
 * when the token has one), or a reason.
 */
export async function verifyValidationToken(
  token: string,
  o: { jwks: JWTVerifyGetKey; appId: string; clock: Clock },
): Promise<{ tid: string; expiresAt?: number } | { reason: string }> {
  try {
    const { payload } = await jwtVerify(token, o.jwks, {
      audience: o.appId,
      algorithms: ['RS256'],
      currentDate: new Date(o.clock.now()),
      clockTolerance: SKEW_SEC,
    });
    const tid = typeof payload.tid === 'string' ? payload.tid : '';
    const issuers = [`https://sts.windows.net/${tid}/`, `https://login.microsoftonline.com/${tid}/v2.0`];
    if (!tid || !issuers.includes(payload.iss ?? ''))
      return { reason: `issuer ${payload.iss} is not Entra for tenant ${tid}` };
    const caller = payload.ver === '1.0' ? payload.appid : payload.azp;
    if (caller !== CHANGE_TRACKING_APP_ID) return { reason: 'token was not issued to Microsoft Graph Change Tracking' };
    return typeof payload.exp === 'number' ? { tid, expiresAt: payload.exp * 1000 } : { tid };
  } catch (e) {
    return { reason: `token rejected: ${(e as Error).message}` };
  }
}
