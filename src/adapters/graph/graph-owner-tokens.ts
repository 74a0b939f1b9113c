import type { Clock, ExternalFailure, TenantStore } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { createMsalClient } from './graph-app-credential.js';
import { GRAPH_SCOPE_PRESENCE_READ_ALL, type GraphAdapterOptions } from './graph-options.js';
import { msalFailure } from './msal-failure.js';

const SCOPES = [GRAPH_SCOPE_PRESENCE_READ_ALL, 'offline_access'];
/** Refresh this long before the access token expires. */
const EARLY_MS = 5 * 60_000;

interface Cached {
  readonly token: string;
  readonly expiresAt: number;
}

/** The health of one subscription owner's sign-in. */
export interface OwnerSignIn {
  readonly ownerId: string;
  readonly healthy: boolean;
  readonly detail?: string;
}

/**
 * Delegated Graph tokens of subscription owners (reference graph-presence.md §3.1, §5): presence
 * subscriptions accept only delegated identities. Each owner's refresh token is kept in the
 * tenant's encrypted connection values (`owner:<id>`), rotated after every refresh, and access
 * tokens are refreshed before they expire. A broken sign-in is a returned failure plus an
 * unhealthy status — never a crash.
 */
export class GraphOwnerTokens {
  readonly #cache = new Map<string, Cached>();
  readonly #health = new Map<string, OwnerSignIn>();

  constructor(
    private readonly options: GraphAdapterOptions,
    private readonly fetch: HttpFetch,
    private readonly tenants: Pick<TenantStore, 'getConnection' | 'putConnection'>,
    private readonly tenantId: string,
    private readonly clock: Clock,
  ) {}

  /** Connect an owner from their Teams SSO token (on-behalf-of with offline_access). */
  async connectWithSsoToken(ownerId: string, ssoToken: string): Promise<Result<void, ExternalFailure>> {
    const msal = createMsalClient(this.options, this.fetch);
    try {
      const r = await msal.acquireTokenOnBehalfOf({ oboAssertion: ssoToken, scopes: SCOPES });
      if (!r) return err(msalFailure(new Error('no token returned')));
      return this.#keep(ownerId, msal, r.accessToken, r.expiresOn);
    } catch (e) {
      return err(this.#broken(ownerId, msalFailure(e)));
    }
  }

  /** Connect an owner from a refresh token obtained elsewhere (admin consent flow, sandbox). */
  async connectWithRefreshToken(ownerId: string, refreshToken: string): Promise<void> {
    await this.tenants.putConnection(this.tenantId, `owner:${ownerId}`, { refreshToken });
    this.#cache.delete(ownerId);
  }

  async token(ownerId: string, forceRefresh = false): Promise<Result<string, ExternalFailure>> {
    const cached = this.#cache.get(ownerId);
    if (!forceRefresh && cached && cached.expiresAt - EARLY_MS > this.clock.now()) return ok(cached.token);
    const stored = await this.tenants.getConnection(this.tenantId, `owner:${ownerId}`);
    if (!stored?.refreshToken)
      return err(
        this.#broken(ownerId, {
          system: 'entra',
          status: 0,
          code: 'OWNER_NOT_CONNECTED',
          message: `Subscription owner ${ownerId} has not signed in.`,
          transient: false,
        }),
      );
    const msal = createMsalClient(this.options, this.fetch);
    try {
      const r = await msal.acquireTokenByRefreshToken({
        refreshToken: stored.refreshToken,
        scopes: SCOPES,
        forceCache: true,
      });
      if (!r) return err(msalFailure(new Error('no token returned')));
      const kept = await this.#keep(ownerId, msal, r.accessToken, r.expiresOn);
      return kept.ok ? ok(r.accessToken) : kept;
    } catch (e) {
      return err(this.#broken(ownerId, msalFailure(e)));
    }
  }

  health(): readonly OwnerSignIn[] {
    return [...this.#health.values()];
  }

  /** Store the (possibly rotated) refresh token MSAL now holds, and cache the access token. */
  async #keep(
    ownerId: string,
    msal: ReturnType<typeof createMsalClient>,
    accessToken: string,
    expiresOn: Date | null,
  ): Promise<Result<void, ExternalFailure>> {
    const serialized = JSON.parse(msal.getTokenCache().serialize()) as {
      RefreshToken?: Record<string, { secret?: string }>;
    };
    const refreshToken = Object.values(serialized.RefreshToken ?? {})[0]?.secret;
    if (!refreshToken)
      return err(
        this.#broken(ownerId, {
          system: 'entra',
          status: 0,
          code: 'NO_REFRESH_TOKEN',
          message: 'No refresh token came back (offline_access not granted?).',
          transient: false,
        }),
      );
    await this.tenants.putConnection(this.tenantId, `owner:${ownerId}`, { refreshToken });
    // MSAL's expiresOn is on the real clock; keep the lifetime, anchor it on ours.
    const lifetime = expiresOn ? expiresOn.getTime() - Date.now() : 3600_000;
    this.#cache.set(ownerId, { token: accessToken, expiresAt: this.clock.now() + lifetime });
    this.#health.set(ownerId, { ownerId, healthy: true });
    return ok(undefined);
  }

  #broken(ownerId: string, failure: ExternalFailure): ExternalFailure {
    this.#cache.delete(ownerId);
    this.#health.set(ownerId, {
      ownerId,
      healthy: false,
      detail: `Sign-in of subscription owner ${ownerId} failed: ${failure.code} ${failure.message}`,
    });
    return failure;
  }
}
