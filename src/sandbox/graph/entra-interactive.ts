import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorClock } from './emulator-clock.js';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { CONSENT_ADMIN_ROLES, type Directory, type EmulatedApp, type EmulatedUser } from './emulator-model.js';
import { CODE_LIFETIME_MS, type EntraCodes } from './entra-codes.js';
import { aadstsError } from './entra-errors.js';
import { consentPage, errorPage, formPostPage, signInPage } from './entra-pages.js';
import { GRAPH_AUDIENCE, OWN_API_SCOPE } from './entra-token-minter.js';
import { isOwnApiScope, MULTI_TENANT_AUTHORITIES, OIDC_SCOPES, splitScopes } from './entra-token-endpoint.js';

type ResponseMode = 'query' | 'fragment' | 'form_post';

/** One sign-in in progress, between the authorize (or adminconsent) request and the redirect back. */
interface Pending {
  readonly kind: 'authorize' | 'adminconsent';
  readonly pathTenant: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state?: string;
  readonly scope: string;
  readonly responseMode: ResponseMode;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: 'S256' | 'plain';
  readonly nonce?: string;
  readonly prompt?: string;
  readonly loginHint?: string;
  signedIn?: { readonly tenantId: string; readonly user: EmulatedUser };
}

const COOKIE = 'ESTSAUTH';
const PENDING_KEPT = 1000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The browser side of the emulated Entra (README "Sign-in and consent"):
 * `/{tenant}/oauth2/v2.0/authorize` and `/{tenant}/v2.0/adminconsent` show a sign-in form
 * (or continue an existing browser session), then a consent page when permissions are missing,
 * and redirect back with a code bound to the client, redirect URI and PKCE challenge, or with
 * `admin_consent=True`. Requests whose client or redirect URI cannot be trusted get an error page.
 */
export class EntraInteractive {
  readonly #pending = new Map<string, Pending>();
  readonly #sessions = new Map<string, Map<string, { tenantId: string; userId: string }>>();

  constructor(
    private readonly directory: Directory,
    private readonly clock: EmulatorClock,
    private readonly codes: EntraCodes,
  ) {}

  handle(req: EmulatorRequest): EmulatorResponse | undefined {
    const authorize = /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/.exec(req.path);
    if (authorize && req.method === 'GET') return this.#start(req, authorize[1]!, 'authorize');
    const admin = /^\/([^/]+)\/v2\.0\/adminconsent$/.exec(req.path);
    if (admin && req.method === 'GET') return this.#start(req, admin[1]!, 'adminconsent');
    if (/^\/[^/]+\/login$/.test(req.path) && req.method === 'POST') return this.#login(req);
    if (/^\/[^/]+\/Consent\/Set$/.test(req.path) && req.method === 'POST') return this.#consent(req);
    return undefined;
  }

  #start(req: EmulatorRequest, pathTenant: string, kind: Pending['kind']): EmulatorResponse {
    const q = req.query;
    if (!MULTI_TENANT_AUTHORITIES.has(pathTenant) && !this.directory.tenant(pathTenant))
      return errorPage('Sign in', 90002, `Tenant '${pathTenant}' not found.`);
    const clientId = q.get('client_id') ?? '';
    const app = this.directory.app(pathTenant, clientId) ?? this.directory.appAnywhere(clientId);
    if (!app)
      return errorPage('Sign in', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!redirectAllowed(app, redirectUri))
      return errorPage(
        'Sign in',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
      );
    const mode = q.get('response_mode');
    const pending: Pending = {
      kind,
      pathTenant,
      clientId,
      redirectUri,
      scope: q.get('scope') ?? '',
      responseMode: kind === 'authorize' && (mode === 'fragment' || mode === 'form_post') ? mode : 'query',
      ...optional('state', q.get('state')),
      ...optional('nonce', q.get('nonce')),
      ...optional('prompt', q.get('prompt')),
      ...optional('loginHint', q.get('login_hint')),
      ...optional('codeChallenge', q.get('code_challenge')),
    };
    const invalid = this.#invalidRequest(pending, q);
    if (invalid) return this.#redirectError(pending, ...invalid);
    const method = q.get('code_challenge_method');
    const ready: Pending = pending.codeChallenge
      ? { ...pending, codeChallengeMethod: method === 'S256' ? 'S256' : 'plain' }
      : pending;
    const ctx = this.#remember(ready);
    const accounts = this.#accounts(req, ready);
    const hinted = accounts.find((a) => a.user.userPrincipalName.toLowerCase() === ready.loginHint?.toLowerCase());
    if (ready.prompt === 'none') {
      const silent = hinted ?? accounts[0];
      if (!silent)
        return this.#redirectError(
          ready,
          'login_required',
          50058,
          'A silent sign-in request was sent but no user is signed in.',
        );
      return this.#signedIn(ctx, ready, silent.tenantId, silent.user);
    }
    if (hinted && ready.prompt !== 'login' && ready.prompt !== 'select_account')
      return this.#signedIn(ctx, ready, hinted.tenantId, hinted.user);
    return this.#signInForm(ctx, ready, accounts);
  }

  /** Parameter errors that are safe to report by redirect (client and redirect URI already checked). */
  #invalidRequest(p: Pending, q: URLSearchParams): [string, number, string] | undefined {
    if (!p.scope) return ['invalid_request', 900144, "The request body must contain the following parameter: 'scope'."];
    if (p.kind === 'adminconsent') return undefined;
    const type = q.get('response_type') ?? '';
    if (type !== 'code')
      return ['unsupported_response_type', 700054, `response_type '${type}' is not enabled for the application.`];
    const method = q.get('code_challenge_method');
    if (method !== null && method !== 'S256' && method !== 'plain')
      return ['invalid_request', 501491, `Invalid code_challenge_method '${method}'.`];
    if (method !== null && !p.codeChallenge)
      return ['invalid_request', 501491, 'code_challenge_method was sent without a code_challenge.'];
    return undefined;
  }

  #login(req: EmulatorRequest): EmulatorResponse {
    const form = new URLSearchParams(req.rawBody);
    const ctx = form.get('ctx') ?? '';
    const pending = this.#pending.get(ctx);
    if (!pending)
      return errorPage('Sign in', 90014, 'The sign-in request expired or is unknown; start again from the app.');
    const account = form.get('account');
    if (account) {
      const chosen = this.#accounts(req, pending).find((a) => `${a.tenantId}/${a.user.id}` === account);
      if (!chosen) return this.#signInForm(ctx, pending, this.#accounts(req, pending));
      return this.#signedIn(ctx, pending, chosen.tenantId, chosen.user);
    }
    const login = (form.get('login') ?? '').trim();
    const found = MULTI_TENANT_AUTHORITIES.has(pending.pathTenant)
      ? this.directory.findByUpn(login)
      : ((u) => (u ? { tenantId: pending.pathTenant, user: u } : undefined))(
          this.directory.user(pending.pathTenant, login),
        );
    const accounts = this.#accounts(req, pending);
    if (!found) return this.#signInForm(ctx, pending, accounts, "We couldn't find an account with that username.");
    if (found.user.password !== (form.get('passwd') ?? ''))
      return this.#signInForm(ctx, pending, accounts, 'Your account or password is incorrect.');
    const sid = cookieOf(req) ?? randomBytes(18).toString('base64url');
    const session = this.#sessions.get(sid) ?? new Map();
    session.set(`${found.tenantId}/${found.user.id}`, { tenantId: found.tenantId, userId: found.user.id });
    this.#sessions.set(sid, session);
    return withCookie(this.#signedIn(ctx, pending, found.tenantId, found.user), sid);
  }

  #signedIn(ctx: string, p: Pending, tenantId: string, user: EmulatedUser): EmulatorResponse {
    p.signedIn = { tenantId, user };
    const app = this.directory.app(tenantId, p.clientId);
    if (p.kind === 'adminconsent') {
      if (!MULTI_TENANT_AUTHORITIES.has(p.pathTenant) && p.pathTenant !== tenantId)
        return errorPage(
          'Sign in',
          50020,
          `User account '${user.userPrincipalName}' does not exist in tenant '${p.pathTenant}'.`,
        );
      if (!user.directoryRoles?.some((r) => (CONSENT_ADMIN_ROLES as readonly string[]).includes(r)))
        return errorPage('Need admin approval', 90094, 'The grant requires admin permission.', 200);
      if (!app) return errorPage('Sign in', 700016, `Application '${p.clientId}' was not found in the directory.`);
      return consentPage({
        action: `/${p.pathTenant}/Consent/Set`,
        ctx,
        appName: p.clientId,
        upn: user.userPrincipalName,
        permissions: [
          ...app.roles.map((r) => `${r} (application)`),
          ...app.delegatedScopes.map((s) => `${s} (delegated)`),
        ],
        organization: true,
      });
    }
    if (!app)
      return this.#redirectError(
        p,
        'unauthorized_client',
        700016,
        `Application '${p.clientId}' was not found in the directory '${tenantId}'.`,
      );
    const missing = this.#unconsented(p, tenantId, app, user);
    if (missing.length === 0 && p.prompt !== 'consent') return this.#issueCode(p);
    if (p.prompt === 'none')
      return this.#redirectError(
        p,
        'consent_required',
        65001,
        `The user or administrator has not consented to use the application with ID '${p.clientId}'.`,
      );
    return consentPage({
      action: `/${p.pathTenant}/Consent/Set`,
      ctx,
      appName: p.clientId,
      upn: user.userPrincipalName,
      permissions: missing.length > 0 ? missing : requestedPermissions(p, app),
      organization: false,
    });
  }

  #consent(req: EmulatorRequest): EmulatorResponse {
    const form = new URLSearchParams(req.rawBody);
    const p = this.#pending.get(form.get('ctx') ?? '');
    if (!p?.signedIn) return errorPage('Permissions requested', 90014, 'The consent request expired or is unknown.');
    const { tenantId, user } = p.signedIn;
    if (form.get('accept') !== 'true') {
      if (p.kind === 'adminconsent')
        return this.#redirect(p, {
          error: 'permission_denied',
          error_description: 'The admin canceled the request',
          ...stateOf(p),
        });
      return this.#redirectError(p, 'access_denied', 65004, 'User declined to consent to access the app.', {
        error_subcode: 'cancel',
      });
    }
    if (p.kind === 'adminconsent') {
      this.directory.grantAdminConsent(tenantId, p.clientId);
      return this.#redirect(p, { admin_consent: 'True', tenant: tenantId, scope: p.scope, ...stateOf(p) });
    }
    const app = this.directory.app(tenantId, p.clientId)!;
    this.directory.grantUserConsent(tenantId, p.clientId, user.id, requestedPermissions(p, app));
    return this.#issueCode(p);
  }

  /** Requested permissions neither the tenant's admin nor the user has consented to. */
  #unconsented(p: Pending, tenantId: string, app: EmulatedApp, user: EmulatedUser): string[] {
    const consented = this.directory.consentedScopes(tenantId, app, user.id);
    const tenantWide = this.directory.isConsented(tenantId, app.clientId);
    return requestedPermissions(p, app).filter((s) =>
      s === OWN_API_SCOPE ? !tenantWide && !consented.has(s) : !consented.has(s),
    );
  }

  #issueCode(p: Pending): EmulatorResponse {
    const { tenantId, user } = p.signedIn!;
    const code = this.codes.issue({
      tenantId,
      clientId: p.clientId,
      userId: user.id,
      redirectUri: p.redirectUri,
      scopes: splitScopes(p.scope),
      expiresAt: this.clock.now() + CODE_LIFETIME_MS,
      ...(p.codeChallenge
        ? { codeChallenge: p.codeChallenge, codeChallengeMethod: p.codeChallengeMethod ?? 'plain' }
        : {}),
      ...(p.nonce ? { nonce: p.nonce } : {}),
    });
    return this.#redirect(p, { code, ...stateOf(p), session_state: randomUUID() });
  }

  #redirectError(
    p: Pending,
    error: string,
    aadsts: number,
    description: string,
    extra: Record<string, string> = {},
  ): EmulatorResponse {
    const e = aadstsError(error, aadsts, description, this.clock.now());
    return this.#redirect(p, {
      error: e.error,
      error_description: e.error_description,
      error_uri: e.error_uri,
      ...extra,
      ...stateOf(p),
    });
  }

  #redirect(p: Pending, params: Record<string, string>): EmulatorResponse {
    if (p.responseMode === 'form_post') return formPostPage(p.redirectUri, params);
    const url = new URL(p.redirectUri);
    if (p.responseMode === 'fragment') url.hash = new URLSearchParams(params).toString();
    else for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' } };
  }

  #signInForm(ctx: string, p: Pending, accounts: SessionAccount[], error?: string): EmulatorResponse {
    const offer = p.prompt === 'login' ? [] : accounts;
    return signInPage({
      action: `/${p.pathTenant}/login`,
      ctx,
      accounts: offer.map((a) => ({
        key: `${a.tenantId}/${a.user.id}`,
        upn: a.user.userPrincipalName,
        name: a.user.displayName,
      })),
      purpose:
        p.kind === 'adminconsent'
          ? 'Sign in as an administrator to grant consent for your organization.'
          : `to continue to ${p.clientId}`,
      ...(p.loginHint ? { loginHint: p.loginHint } : {}),
      ...(error ? { error } : {}),
    });
  }

  #remember(p: Pending): string {
    const ctx = randomBytes(18).toString('base64url');
    this.#pending.set(ctx, p);
    if (this.#pending.size > PENDING_KEPT) this.#pending.delete(this.#pending.keys().next().value!);
    return ctx;
  }

  /** Accounts signed in in this browser that this request may use. */
  #accounts(req: EmulatorRequest, p: Pending): SessionAccount[] {
    const session = this.#sessions.get(cookieOf(req) ?? '');
    if (!session) return [];
    return [...session.values()]
      .filter((a) => MULTI_TENANT_AUTHORITIES.has(p.pathTenant) || a.tenantId === p.pathTenant)
      .map((a) => ({ tenantId: a.tenantId, user: this.directory.user(a.tenantId, a.userId)! }))
      .filter((a) => a.user !== undefined);
  }
}

interface SessionAccount {
  readonly tenantId: string;
  readonly user: EmulatedUser;
}

/** Delegated permissions a request names, in consent-page form (`Presence.Read.All`, `access_as_user`). */
function requestedPermissions(p: Pending, app: EmulatedApp): string[] {
  const scopes = splitScopes(p.scope).filter((s) => !OIDC_SCOPES.has(s));
  const names = scopes.map((s) =>
    isOwnApiScope(app)(s) ? OWN_API_SCOPE : s.startsWith(`${GRAPH_AUDIENCE}/`) ? s.slice(GRAPH_AUDIENCE.length + 1) : s,
  );
  return [...new Set(names.flatMap((n) => (n === '.default' ? app.delegatedScopes : [n])))];
}

/**
 * Registered redirect URIs match exactly, except that the port of a loopback URI is ignored; an
 * app registered with none accepts any https URI or loopback http URI.
 */
export function redirectAllowed(app: EmulatedApp, uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  const loopback = LOOPBACK.has(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return false;
  if (!app.redirectUris) return true;
  const withoutPort = (s: string): string => {
    const x = new URL(s);
    x.port = '';
    return x.toString();
  };
  return app.redirectUris.some((r) => r === uri || (loopback && withoutPort(r) === withoutPort(uri)));
}

function cookieOf(req: EmulatorRequest): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '');
  return m?.[1];
}

function withCookie(r: EmulatorResponse, sid: string): EmulatorResponse {
  return { ...r, headers: { ...r.headers, 'set-cookie': `${COOKIE}=${sid}; Path=/; HttpOnly; Secure; SameSite=None` } };
}

function stateOf(p: Pending): Record<string, string> {
  return p.state !== undefined ? { state: p.state } : {};
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}
