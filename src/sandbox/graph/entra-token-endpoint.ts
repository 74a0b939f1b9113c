import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from './emulator-clock.js';
import type { Directory, EmulatedApp, EmulatedUser } from './emulator-model.js';
import { entraError } from './entra-errors.js';
import type { EntraKeys } from './entra-keys.js';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const TOKEN_LIFETIME_SEC = 3599;

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
}

/**
 * `POST /{tenant}/oauth2/v2.0/token` (reference graph-presence.md §5, §8.1): client credentials,
 * the emulator-only password grant, refresh_token and on-behalf-of, answering in Entra's shapes.
 */
export class EntraTokenEndpoint {
  readonly #refreshTokens = new Map<string, RefreshGrant>();
  /** Per user: refresh tokens up to this serial are revoked. */
  readonly #revokedUsers = new Map<string, number>();
  #serial = 0;

  constructor(
    private readonly directory: Directory,
    private readonly keys: EntraKeys,
    private readonly clock: EmulatorClock,
  ) {}

  /**
   * Invalidate every refresh token the user holds now (password reset, revokeSignInSessions,
   * revoked consent): §8.1 invalid_grant. Signing in again afterwards yields a working one.
   */
  revokeUser(userId: string): void {
    this.#revokedUsers.set(userId, this.#serial);
  }

  async handle(tenantId: string, req: EmulatorRequest): Promise<EmulatorResponse> {
    const form = new URLSearchParams(req.rawBody);
    const now = this.clock.now();
    if (!this.directory.tenant(tenantId))
      return entraError(400, 'invalid_request', 90002, `Tenant '${tenantId}' not found.`, now);
    const app = this.directory.app(tenantId, form.get('client_id') ?? '');
    if (!app)
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id')}' was not found in the directory.`,
        now,
      );
    const grant = form.get('grant_type');
    const secret = form.get('client_secret');
    if (secret !== null && secret !== app.clientSecret)
      return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided.', now);
    if (grant === 'client_credentials')
      return secret === null ? this.#noSecret(now) : this.#clientCredentials(tenantId, app, form);
    if (grant === 'password') return this.#password(tenantId, app, form);
    if (grant === 'refresh_token') return this.#refresh(tenantId, app, form);
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.#onBehalfOf(tenantId, app, form);
    return entraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
      now,
    );
  }

  #noSecret(now: number): EmulatorResponse {
    return entraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      now,
    );
  }

  async #clientCredentials(tenantId: string, app: EmulatedApp, form: URLSearchParams): Promise<EmulatorResponse> {
    const scope = form.get('scope') ?? '';
    if (scope !== `${GRAPH_AUDIENCE}/.default`) {
      return entraError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
        this.clock.now(),
      );
    }
    const token = await this.keys.sign(
      {
        aud: GRAPH_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        appid: app.clientId,
        azp: app.clientId,
        tid: tenantId,
        oid: `sp-${app.clientId}`,
        sub: `sp-${app.clientId}`,
        idtyp: 'app',
        roles: [...app.roles],
        ver: '1.0',
      },
      TOKEN_LIFETIME_SEC,
    );
    return this.#ok({
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SEC,
      ext_expires_in: TOKEN_LIFETIME_SEC,
      access_token: token,
    });
  }

  async #password(tenantId: string, app: EmulatedApp, form: URLSearchParams): Promise<EmulatorResponse> {
    const user = this.directory.user(tenantId, form.get('username') ?? '');
    if (!user || user.password !== form.get('password')) {
      return entraError(
        400,
        'invalid_grant',
        50126,
        'Error validating credentials due to invalid username or password.',
        this.clock.now(),
      );
    }
    return this.#userTokens({
      tenantId,
      app,
      user,
      scopes: splitScopes(form.get('scope')),
      clientInfo: form.get('client_info') === '1',
    });
  }

  async #refresh(tenantId: string, app: EmulatedApp, form: URLSearchParams): Promise<EmulatorResponse> {
    const rt = form.get('refresh_token') ?? '';
    const grant = this.#refreshTokens.get(rt);
    const now = this.clock.now();
    if (!grant || grant.tenantId !== tenantId || grant.clientId !== app.clientId) {
      return entraError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.', now);
    }
    if ((grant.serial ?? 0) <= (this.#revokedUsers.get(grant.userId) ?? Number.NEGATIVE_INFINITY)) {
      return entraError(
        400,
        'invalid_grant',
        50173,
        'The provided grant has expired due to it being revoked, a fresh auth token is needed.',
        now,
      );
    }
    const user = this.directory.user(tenantId, grant.userId)!;
    const asked = splitScopes(form.get('scope'));
    return this.#userTokens({
      tenantId,
      app,
      user,
      scopes: asked.length > 0 ? asked : grant.scopes,
      clientInfo: form.get('client_info') === '1',
    });
  }

  async #onBehalfOf(tenantId: string, app: EmulatedApp, form: URLSearchParams): Promise<EmulatorResponse> {
    const now = this.clock.now();
    if (form.get('requested_token_use') !== 'on_behalf_of')
      return entraError(400, 'invalid_request', 50027, 'requested_token_use must be on_behalf_of.', now);
    // §5: the assertion must be a token for *this* app (aud = its client id).
    const claims = await this.keys.verify(form.get('assertion') ?? '', app.clientId);
    const user = typeof claims?.oid === 'string' ? this.directory.user(tenantId, claims.oid) : undefined;
    if (!user)
      return entraError(
        400,
        'invalid_grant',
        50013,
        'Assertion failed signature validation or is not for this application.',
        now,
      );
    return this.#userTokens({
      tenantId,
      app,
      user,
      scopes: splitScopes(form.get('scope')),
      clientInfo: form.get('client_info') === '1',
    });
  }

  async #userTokens(ctx: UserGrantContext): Promise<EmulatorResponse> {
    const { tenantId, app, user, scopes } = ctx;
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s));
    const ownApi = resourceScopes.some((s) => s.startsWith('api://') || s.startsWith(`${app.clientId}/`));
    const granted = ownApi ? ['access_as_user'] : graphScopes(resourceScopes, app);
    const missing = granted.filter((s) => !ownApi && !app.delegatedScopes.includes(s));
    if (missing.length > 0) {
      return entraError(
        400,
        'invalid_grant',
        65001,
        `The user or administrator has not consented to use the application with ID '${app.clientId}'. Send an interactive authorization request for this user and resource.`,
        this.clock.now(),
      );
    }
    const access = ownApi
      ? await this.#ssoToken(tenantId, app, user)
      : await this.#graphUserToken(tenantId, app, user, granted);
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: granted.map((s) => (ownApi ? s : `${GRAPH_AUDIENCE}/${s}`)).join(' '),
      expires_in: TOKEN_LIFETIME_SEC,
      ext_expires_in: TOKEN_LIFETIME_SEC,
      access_token: access,
    };
    if (scopes.includes('offline_access'))
      body.refresh_token = this.#issueRefreshToken({ tenantId, clientId: app.clientId, userId: user.id, scopes });
    if (scopes.includes('openid')) body.id_token = await this.#idToken(tenantId, app, user);
    if (ctx.clientInfo)
      body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenantId })).toString('base64url');
    return this.#ok(body);
  }

  #graphUserToken(tenantId: string, app: EmulatedApp, user: EmulatedUser, scp: readonly string[]): Promise<string> {
    return this.keys.sign(
      {
        aud: GRAPH_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        appid: app.clientId,
        tid: tenantId,
        oid: user.id,
        sub: user.id,
        upn: user.userPrincipalName,
        name: user.displayName,
        scp: scp.join(' '),
        idtyp: 'user',
        ver: '1.0',
      },
      TOKEN_LIFETIME_SEC,
    );
  }

  /** A Teams-SSO-like v2 token for our own API (§5): aud = client id, scp access_as_user. */
  #ssoToken(tenantId: string, app: EmulatedApp, user: EmulatedUser): Promise<string> {
    return this.keys.sign(
      {
        aud: app.clientId,
        iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
        azp: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
        tid: tenantId,
        oid: user.id,
        sub: user.id,
        preferred_username: user.userPrincipalName,
        name: user.displayName,
        scp: 'access_as_user',
        ver: '2.0',
        ...(user.appRoles?.length ? { roles: [...user.appRoles] } : {}),
      },
      TOKEN_LIFETIME_SEC,
    );
  }

  #idToken(tenantId: string, app: EmulatedApp, user: EmulatedUser): Promise<string> {
    return this.keys.sign(
      {
        aud: app.clientId,
        iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
        tid: tenantId,
        oid: user.id,
        sub: user.id,
        preferred_username: user.userPrincipalName,
        name: user.displayName,
        ver: '2.0',
      },
      TOKEN_LIFETIME_SEC,
    );
  }

  #issueRefreshToken(grant: RefreshGrant): string {
    const rt = `rt.${randomBytes(24).toString('base64url')}`;
    this.#refreshTokens.set(rt, { ...grant, serial: (this.#serial += 1) });
    return rt;
  }

  #ok(body: Record<string, unknown>): EmulatorResponse {
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body,
    };
  }
}

function splitScopes(scope: string | null): string[] {
  return (scope ?? '')
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `https://graph.microsoft.com/X` or bare `X`; `.default` means every consented delegated scope. */
function graphScopes(resourceScopes: readonly string[], app: EmulatedApp): string[] {
  const names = resourceScopes.map((s) =>
    s.startsWith(`${GRAPH_AUDIENCE}/`) ? s.slice(GRAPH_AUDIENCE.length + 1) : s,
  );
  return names.includes('.default') ? [...app.delegatedScopes] : names;
}
