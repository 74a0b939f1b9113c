import type { AuthenticationResult, ConfidentialClientApplication } from '@azure/msal-node';
import type { Clock, ExternalFailure, TenantStore } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { createMsalClient } from './graph-app-credential.js';
import { GRAPH_SCOPE_PRESENCE_READ_ALL, type GraphAdapterOptions } from './graph-options.js';
import { msalFailure } from './msal-failure.js';
import { ownerRecordSignedIn, StoredOwnerTokenCache } from './graph-owner-token-cache.js';

const SCOPES = [GRAPH_SCOPE_PRESENCE_READ_ALL, 'offline_access'];

const notSignedIn = (ownerId: string): ExternalFailure => ({
  system: 'entra',
  status: 0,
  code: 'OWNER_NOT_CONNECTED',
  message: `Subscription owner ${ownerId} has not signed in.`,
  transient: false,
});
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
 * subscriptions accept only delegated identities. Each owner has MSAL's own token cache, sealed in
 * the tenant's connection values (`owner:<id>`) through a cache plugin: MSAL refreshes and rotates,
 * we never pick tokens out of it. Access tokens are refreshed before they expire. A broken sign-in
 * is a returned failure plus an unhealthy status — never a crash.
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

  /** Connect an owner from their Teams SSO token (on-behalf-of with offline_access); MSAL's cache of it is kept. */
  async connectWithSsoToken(ownerId: string, ssoToken: string): Promise<Result<void, ExternalFailure>> {
    const msal = this.#client(ownerId);
    try {
      const r = await msal.acquireTokenOnBehalfOf({ oboAssertion: ssoToken, scopes: SCOPES });
      if (!r) return err(msalFailure(new Error('no token returned')));
      this.#remember(ownerId, r.accessToken, r.expiresOn);
      return ok(undefined);
    } catch (e) {
      return err(this.#broken(ownerId, msalFailure(e)));
    }
  }

  /** Connect an owner from a refresh token obtained elsewhere (the sandbox seed); MSAL takes it over at the first refresh. */
  async connectWithRefreshToken(ownerId: string, refreshToken: string): Promise<void> {
    await this.tenants.putConnection(this.tenantId, `owner:${ownerId}`, { refreshToken });
    this.#cache.delete(ownerId);
  }

  async token(ownerId: string, forceRefresh = false): Promise<Result<string, ExternalFailure>> {
    const cached = this.#cache.get(ownerId);
    if (!forceRefresh && cached && cached.expiresAt - EARLY_MS > this.clock.now()) return ok(cached.token);
    const stored = await this.tenants.getConnection(this.tenantId, `owner:${ownerId}`);
    if (!ownerRecordSignedIn(stored)) return err(this.#broken(ownerId, notSignedIn(ownerId)));
    const msal = this.#client(ownerId);
    try {
      // Our clock (not MSAL's wall clock) says a token is stale, or this process holds none yet: MSAL
      // refreshes from its cache rather than hand back an access token whose age we cannot tell.
      const r = await this.#acquire(msal, stored ?? {});
      if (!r) return err(this.#broken(ownerId, notSignedIn(ownerId)));
      this.#remember(ownerId, r.accessToken, r.expiresOn);
      return ok(r.accessToken);
    } catch (e) {
      return err(this.#broken(ownerId, msalFailure(e)));
    }
  }

  /** MSAL refreshes from its own cache; a record from before it (a bare refresh token) is handed to MSAL once. */
  async #acquire(
    msal: ConfidentialClientApplication,
    stored: Readonly<Record<string, string>>,
  ): Promise<AuthenticationResult | null> {
    const refreshToken = stored['refreshToken'];
    if (!stored['msalCache'] && refreshToken)
      return msal.acquireTokenByRefreshToken({ refreshToken, scopes: SCOPES, forceCache: true });
    const [account] = await msal.getTokenCache().getAllAccounts();
    return account ? msal.acquireTokenSilent({ account, scopes: SCOPES, forceRefresh: true }) : null;
  }

  health(): readonly OwnerSignIn[] {
    return [...this.#health.values()];
  }

  /** Caches the access token; MSAL's cache (refresh token included) was stored by the cache plugin. */
  #remember(ownerId: string, accessToken: string, expiresOn: Date | null): void {
    // MSAL's expiresOn is on the real clock; keep the lifetime, anchor it on ours.
    const lifetime = expiresOn ? expiresOn.getTime() - Date.now() : 3600_000;
    this.#cache.set(ownerId, { token: accessToken, expiresAt: this.clock.now() + lifetime });
    this.#health.set(ownerId, { ownerId, healthy: true });
  }

  // One client per owner and call: it reads and writes that owner's MSAL cache in the store.
  #client(ownerId: string): ConfidentialClientApplication {
    return createMsalClient(this.options, this.fetch, new StoredOwnerTokenCache(this.tenants, this.tenantId, ownerId));
  }

  /**
   * A refused refresh (invalid_grant: password reset, revoked sessions or consent) needs the owner
   * to sign in again: the failure says so, and it reaches the Health Check's `owner:<id>` component
   * and the bot's alert card through the subscriptions that could not be kept.
   */
  #broken(ownerId: string, failure: ExternalFailure): ExternalFailure {
    this.#cache.delete(ownerId);
    const refused = !failure.transient;
    const said = refused
      ? {
          ...failure,
          message: `Subscription owner ${ownerId} must sign in again (Setup page → Subscription owner): ${failure.message}`,
        }
      : failure;
    this.#health.set(ownerId, {
      ownerId,
      healthy: false,
      detail: `Sign-in of subscription owner ${ownerId} failed: ${said.code} ${said.message}`,
    });
    return said;
  }
}
