import type { ConfidentialClientApplication } from '@azure/msal-node';
import type { ExternalFailure, OwnerSignInFlow, TenantStore } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { createMsalClient } from './graph-app-credential.js';
import { GRAPH_SCOPE_PRESENCE_READ_ALL } from './graph-options.js';
import { msalFailure } from './msal-failure.js';
import { saveOwnerCache } from './graph-owner-token-cache.js';

// openid + profile: MSAL builds the owner's account from the ID token, which a silent refresh needs.
const SCOPES = [GRAPH_SCOPE_PRESENCE_READ_ALL, 'offline_access', 'openid', 'profile'];

export interface MsalOwnerSignInOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorityHost: string;
  readonly graphBaseUrl: string;
}

/**
 * Authorization-code sign-in (PKCE) of a subscription owner with msal-node. MSAL's token cache of
 * the sign-in becomes the owner's (`owner:<oid>`, sealed) — the cache GraphOwnerTokens refreshes from.
 */
export class MsalOwnerSignIn implements OwnerSignInFlow {
  constructor(
    private readonly options: MsalOwnerSignInOptions,
    private readonly fetch: HttpFetch,
    private readonly tenants: Pick<TenantStore, 'getConnection' | 'putConnection'>,
  ) {}

  authorizeUrl(tenantId: string, o: { state: string; codeChallenge: string; redirectUri: string }): Promise<string> {
    return this.#client(tenantId).getAuthCodeUrl({
      scopes: SCOPES,
      redirectUri: o.redirectUri,
      state: o.state,
      codeChallenge: o.codeChallenge,
      codeChallengeMethod: 'S256',
      prompt: 'select_account',
    });
  }

  async redeem(
    tenantId: string,
    o: { code: string; codeVerifier: string; redirectUri: string },
  ): Promise<Result<{ ownerId: string; userPrincipalName: string }, ExternalFailure>> {
    const msal = this.#client(tenantId);
    try {
      const r = await msal.acquireTokenByCode({
        code: o.code,
        codeVerifier: o.codeVerifier,
        redirectUri: o.redirectUri,
        scopes: SCOPES,
      });
      if (r.tenantId && r.tenantId !== tenantId)
        return err({
          system: 'entra',
          status: 0,
          code: 'WRONG_TENANT',
          message: `The account signed in belongs to tenant ${r.tenantId}, not ${tenantId}.`,
          transient: false,
        });
      const ownerId = r.account?.localAccountId || r.uniqueId || '';
      if (!ownerId || !r.account)
        return err({
          system: 'entra',
          status: 0,
          code: 'NO_ACCOUNT',
          message: 'Entra returned no account for the signed-in owner (openid profile not granted?).',
          transient: false,
        });
      // This client's cache holds this one sign-in: it becomes the owner's own MSAL cache, as MSAL wrote it.
      await saveOwnerCache(this.tenants, tenantId, ownerId, msal.getTokenCache().serialize(), {
        userPrincipalName: r.account.username,
      });
      return ok({ ownerId, userPrincipalName: r.account?.username ?? ownerId });
    } catch (e) {
      return err(msalFailure(e));
    }
  }

  // A client per sign-in: its token cache must hold this owner's refresh token only.
  #client(tenantId: string): ConfidentialClientApplication {
    return createMsalClient({ ...this.options, tenantId }, this.fetch);
  }
}
