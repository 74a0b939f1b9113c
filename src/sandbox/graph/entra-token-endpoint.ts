import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from './emulator-clock.js';
import type { Directory, EmulatedApp, EmulatedUser } from './emulator-model.js';
import { pkceMatches, type EntraCodes } from './entra-codes.js';
import { aadstsError, entraError } from './entra-errors.js';
import type { EntraKeys } from './entra-keys.js';
import {
  BOT_CONNECTOR_AUDIENCE,
  BOT_FRAMEWORK_TENANT,
  EntraTokenMinter,
  GRAPH_AUDIENCE,
  OWN_API_SCOPE,
  ownApiAudienceV1,
  TEAMS_CLIENT_ID,
  TOKEN_LIFETIME_SEC,
} from './entra-token-minter.js';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';

export { GRAPH_AUDIENCE } from './entra-token-minter.js';
export const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** Tenant-independent authorities: the tenant comes from the user, the code or the refresh token. */
export const MULTI_TENANT_AUTHORITIES = new Set(['common', 'organizations']);

interface RefreshGrant {
  readonly tenantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  /** Issue order; a revocation ends the grants issued before it, not a later sign-in's. */
  serial?: number;
}

interface UserGrantContext {
  readonly tenantId: string;
  readonly app: EmulatedApp;
  readonly user: EmulatedUser;
  readonly scopes: readonly string[];
  readonly clientInfo: boolean;
  readonly nonce?: string;
}

/** The per-request facts every grant needs. */
interface TokenRequest {
  readonly tenantId: string;
  readonly app: EmulatedApp;
  readonly form: URLSearchParams;
  readonly now: number;
  readonly fail: (status: number, error: string, aadsts: number, description: string) => EmulatorResponse;
}

/**
 * `POST /{tenant}/oauth2/v2.0/token` (README "Token endpoint"): client credentials, the
 * authorization code (PKCE, redirect URI, single use), the emulator-only password grant,
 * refresh_token and on-behalf-of, answering in Entra's shapes. The app is a confidential client:
 * every grant must carry its secret.
 */
export class EntraTokenEndpoint {
  readonly #refreshTokens = new Map<string, RefreshGrant>();
  /** Per user: refresh tokens up to this serial are revoked. */
  readonly #revokedUsers = new Map<string, number>();
  #serial = 0;
  readonly minter: EntraTokenMinter;

  constructor(
    private readonly directory: Directory,
    private readonly keys: EntraKeys,
    private readonly clock: EmulatorClock,
    private readonly codes: EntraCodes,
  ) {
    this.minter = new EntraTokenMinter(keys);
  }

  /**
   * Invalidate every refresh token the user holds now (password reset, revokeSignInSessions,
   * revoked consent): invalid_grant 50173. Signing in again afterwards yields a working one.
   */
  revokeUser(userId: string): void {
    this.#revokedUsers.set(userId, this.#serial);
  }

  async handle(pathTenant: string, req: EmulatorRequest): Promise<EmulatorResponse> {
    const form = new URLSearchParams(req.rawBody);
    const now = this.clock.now();
    const correlation = req.headers['client-request-id'];
    const fail = (status: number, error: string, aadsts: number, description: string): EmulatorResponse =>
      entraError(status, error, aadsts, description, now, correlation);
    if (pathTenant === BOT_FRAMEWORK_TENANT.alias || pathTenant === BOT_FRAMEWORK_TENANT.id)
      return this.#botFrameworkTenant({ tenantId: BOT_FRAMEWORK_TENANT.id, form, now, fail });
    const tenantId = this.#tenantOf(pathTenant, form);
    if (!tenantId || !this.directory.tenant(tenantId))
      return fail(400, 'invalid_request', 90002, `Tenant '${pathTenant}' not found.`);
    const app = authenticatedClient(this.directory.app(tenantId, form.get('client_id') ?? ''), tenantId, form, fail);
    if ('status' in app) return app;
    if (!this.directory.isConsented(tenantId, app.clientId) && form.get('grant_type') === 'client_credentials')
      return fail(
        401,
        'invalid_client',
        7000229,
        `The client application ${app.clientId} is missing service principal in the tenant ${tenantId}.`,
      );
    return this.#grant({ tenantId, app, form, now, fail });
  }

  #grant(r: TokenRequest): Promise<EmulatorResponse> | EmulatorResponse {
    const grant = r.form.get('grant_type');
    if (grant === 'client_credentials') return this.#clientCredentials(r);
    if (grant === 'authorization_code') return this.#authorizationCode(r);
    if (grant === 'password') return this.#password(r);
    if (grant === 'refresh_token') return this.#refresh(r);
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.#onBehalfOf(r);
    return r.fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
  }

  /** `/common` and `/organizations` take the tenant from what is redeemed. */
  #tenantOf(pathTenant: string, form: URLSearchParams): string | undefined {
    if (!MULTI_TENANT_AUTHORITIES.has(pathTenant)) return pathTenant;
    const code = form.get('code');
    if (code) return this.codes.tenantOf(code);
    return this.#refreshTokens.get(form.get('refresh_token') ?? '')?.tenantId;
  }

  /**
   * `/botframework.com/oauth2/v2.0/token`: where a multi-tenant bot gets its Bot Connector token
   * (README "Bot Framework tokens"). The bot is a multi-tenant app registered in one of the
   * emulated tenants; this tenant grants it client credentials for the Connector and nothing else.
   */
  async #botFrameworkTenant(r: Omit<TokenRequest, 'app'>): Promise<EmulatorResponse> {
    const app = authenticatedClient(
      this.directory.appAnywhere(r.form.get('client_id') ?? ''),
      BOT_FRAMEWORK_TENANT.alias,
      r.form,
      r.fail,
    );
    if ('status' in app) return app;
    if (
      r.form.get('grant_type') !== 'client_credentials' ||
      r.form.get('scope') !== `${BOT_CONNECTOR_AUDIENCE}/.default`
    )
      return r.fail(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${r.form.get('scope') ?? ''} is not valid. Only ${BOT_CONNECTOR_AUDIENCE}/.default is granted here.`,
      );
    return this.#clientCredentials({ ...r, app });
  }

  async #clientCredentials(r: TokenRequest): Promise<EmulatorResponse> {
    const scope = r.form.get('scope') ?? '';
    // A single-tenant bot asks its own tenant for the Connector's scope.
    if (scope === `${BOT_CONNECTOR_AUDIENCE}/.default`)
      return ok({
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SEC,
        ext_expires_in: TOKEN_LIFETIME_SEC,
        access_token: await this.minter.botConnectorToken(r.tenantId, r.app),
      });
    if (scope !== `${GRAPH_AUDIENCE}/.default`) {
      return r.fail(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    return ok({
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SEC,
      ext_expires_in: TOKEN_LIFETIME_SEC,
      access_token: await this.minter.appGraphToken(r.tenantId, r.app),
    });
  }

  async #authorizationCode(r: TokenRequest): Promise<EmulatorResponse> {
    const found = this.codes.redeem(r.form.get('code') ?? '', r.now);
    if (!found.ok) {
      if (found.reason === 'redeemed')
        return r.fail(
          400,
          'invalid_grant',
          54005,
          'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
        );
      if (found.reason === 'expired')
        return r.fail(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired.');
      return r.fail(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    }
    const g = found.grant;
    if (g.clientId !== r.app.clientId || g.tenantId !== r.tenantId)
      return r.fail(400, 'invalid_grant', 70000, 'The provided authorization code was issued to another client.');
    if ((r.form.get('redirect_uri') ?? '') !== g.redirectUri)
      return r.fail(
        400,
        'invalid_grant',
        500112,
        `The reply address '${r.form.get('redirect_uri') ?? ''}' does not match the reply address '${g.redirectUri}' provided when requesting Authorization code.`,
      );
    const verifier = r.form.get('code_verifier');
    if (g.codeChallenge && !(verifier && pkceMatches(g.codeChallenge, g.codeChallengeMethod ?? 'plain', verifier)))
      return r.fail(
        400,
        'invalid_grant',
        501481,
        'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      );
    const user = this.directory.user(g.tenantId, g.userId)!;
    return this.#userTokens({
      tenantId: g.tenantId,
      app: r.app,
      user,
      scopes: g.scopes,
      clientInfo: r.form.get('client_info') === '1',
      ...(g.nonce ? { nonce: g.nonce } : {}),
    });
  }

  #password(r: TokenRequest): Promise<EmulatorResponse> | EmulatorResponse {
    const user = this.directory.user(r.tenantId, r.form.get('username') ?? '');
    if (!user || user.password !== r.form.get('password'))
      return r.fail(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
    return this.#userTokens({
      tenantId: r.tenantId,
      app: r.app,
      user,
      scopes: splitScopes(r.form.get('scope')),
      clientInfo: r.form.get('client_info') === '1',
    });
  }

  #refresh(r: TokenRequest): Promise<EmulatorResponse> | EmulatorResponse {
    const grant = this.#refreshTokens.get(r.form.get('refresh_token') ?? '');
    if (!grant || grant.tenantId !== r.tenantId || grant.clientId !== r.app.clientId)
      return r.fail(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    if ((grant.serial ?? 0) <= (this.#revokedUsers.get(grant.userId) ?? Number.NEGATIVE_INFINITY))
      return r.fail(
        400,
        'invalid_grant',
        50173,
        'The provided grant has expired due to it being revoked, a fresh auth token is needed.',
      );
    const user = this.directory.user(r.tenantId, grant.userId)!;
    const asked = splitScopes(r.form.get('scope'));
    return this.#userTokens({
      tenantId: r.tenantId,
      app: r.app,
      user,
      scopes: asked.length > 0 ? asked : grant.scopes,
      clientInfo: r.form.get('client_info') === '1',
    });
  }

  async #onBehalfOf(r: TokenRequest): Promise<EmulatorResponse> {
    if (r.form.get('requested_token_use') !== 'on_behalf_of')
      return r.fail(400, 'invalid_request', 50027, 'requested_token_use must be on_behalf_of.');
    // The assertion must be a token for *this* app (aud = its client id, or its App ID URI for v1 tokens).
    const assertion = r.form.get('assertion') ?? '';
    const claims =
      (await this.keys.verify(assertion, r.app.clientId)) ??
      (await this.keys.verify(assertion, ownApiAudienceV1(r.app)));
    const user = typeof claims?.oid === 'string' ? this.directory.user(r.tenantId, claims.oid) : undefined;
    if (!user)
      return r.fail(
        400,
        'invalid_grant',
        50013,
        'Assertion failed signature validation or is not for this application.',
      );
    return this.#userTokens({
      tenantId: r.tenantId,
      app: r.app,
      user,
      scopes: splitScopes(r.form.get('scope')),
      clientInfo: r.form.get('client_info') === '1',
    });
  }

  /**
   * What Teams' getAuthToken would hand the tab for this user (README "Tab SSO"): refused with
   * 65001 while neither the tenant's admin nor the user has consented to the app.
   */
  async tabSsoToken(
    tenantId: string,
    userIdOrUpn: string,
    clientId?: string,
  ): Promise<{ ok: true; token: string; expiresIn: number } | { ok: false; status: number; body: unknown }> {
    const now = this.clock.now();
    const app = clientId ? this.directory.app(tenantId, clientId) : this.directory.tenant(tenantId)?.apps[0];
    const user = this.directory.user(tenantId, userIdOrUpn);
    if (!app || !user)
      return {
        ok: false,
        status: 404,
        body: aadstsError('invalid_request', 90002, 'Unknown tenant, app or user.', now),
      };
    const consented =
      this.directory.isConsented(tenantId, app.clientId) ||
      this.directory.consentedScopes(tenantId, app, user.id).has(OWN_API_SCOPE);
    if (!consented)
      return {
        ok: false,
        status: 400,
        body: aadstsError(
          'invalid_grant',
          65001,
          `The user or administrator has not consented to use the application with ID '${app.clientId}'.`,
          now,
        ),
      };
    return { ok: true, token: await this.minter.ownApiToken(tenantId, app, user, TEAMS_CLIENT_ID), expiresIn: 3600 };
  }

  async #userTokens(ctx: UserGrantContext): Promise<EmulatorResponse> {
    const { tenantId, app, user, scopes } = ctx;
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s));
    const ownApi = resourceScopes.some(isOwnApiScope(app));
    const granted = ownApi ? [OWN_API_SCOPE] : graphScopes(resourceScopes, app, this.directory, tenantId, user);
    const consented = this.directory.consentedScopes(tenantId, app, user.id);
    const missing = ownApi
      ? !this.directory.isConsented(tenantId, app.clientId) && !consented.has(OWN_API_SCOPE)
      : (resourceScopes.length > 0 && granted.length === 0) || granted.some((s) => !consented.has(s));
    if (missing) {
      return entraError(
        400,
        'invalid_grant',
        65001,
        `The user or administrator has not consented to use the application with ID '${app.clientId}'. Send an interactive authorization request for this user and resource.`,
        this.clock.now(),
      );
    }
    const access = ownApi
      ? await this.minter.ownApiToken(tenantId, app, user, app.clientId)
      : await this.minter.userGraphToken(tenantId, app, user, granted);
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: granted.map((s) => (ownApi ? s : `${GRAPH_AUDIENCE}/${s}`)).join(' '),
      expires_in: TOKEN_LIFETIME_SEC,
      ext_expires_in: TOKEN_LIFETIME_SEC,
      access_token: access,
    };
    if (scopes.includes('offline_access'))
      body.refresh_token = this.#issueRefreshToken({ tenantId, clientId: app.clientId, userId: user.id, scopes });
    if (scopes.includes('openid')) body.id_token = await this.minter.idToken(tenantId, app, user, ctx.nonce);
    if (ctx.clientInfo)
      body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenantId })).toString('base64url');
    return ok(body);
  }

  #issueRefreshToken(grant: RefreshGrant): string {
    const rt = `rt.${randomBytes(24).toString('base64url')}`;
    this.#refreshTokens.set(rt, { ...grant, serial: (this.#serial += 1) });
    return rt;
  }
}

/** The client named by `client_id`, if it exists and its secret is the one sent; else Entra's error. */
function authenticatedClient(
  app: EmulatedApp | undefined,
  directoryName: string,
  form: URLSearchParams,
  fail: TokenRequest['fail'],
): EmulatedApp | EmulatorResponse {
  if (!app)
    return fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${directoryName}'.`,
    );
  const secret = form.get('client_secret');
  if (secret === null)
    return fail(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  if (secret !== app.clientSecret) return fail(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  return app;
}

function ok(body: Record<string, unknown>): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

export function splitScopes(scope: string | null): string[] {
  return (scope ?? '')
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A scope of our own API: `api://…/access_as_user`, `{clientId}/access_as_user` or the App ID URI's `.default`. */
export function isOwnApiScope(app: EmulatedApp): (scope: string) => boolean {
  return (s) => s.startsWith('api://') || s.startsWith(`${app.clientId}/`);
}

/** `https://graph.microsoft.com/X` or bare `X`; `.default` means every delegated scope consented for the user. */
export function graphScopes(
  resourceScopes: readonly string[],
  app: EmulatedApp,
  directory: Directory,
  tenantId: string,
  user: EmulatedUser,
): string[] {
  const names = resourceScopes.map((s) =>
    s.startsWith(`${GRAPH_AUDIENCE}/`) ? s.slice(GRAPH_AUDIENCE.length + 1) : s,
  );
  return names.includes('.default') ? [...directory.consentedScopes(tenantId, app, user.id)] : names;
}
