import type { ConfidentialClientApplication } from '@azure/msal-node';
import type { ExternalFailure, OwnerSignInFlow, TenantStore } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { createMsalClient } from './graph-app-credential.js';
import { GRAPH_SCOPE_PRESENCE_READ_ALL } from './graph-options.js';
import { msalFailure } from './msal-failure.js';

const SCOPES = [GRAPH_SCOPE_PRESENCE_READ_ALL, 'offline_access'];

export interface MsalOwnerSignInOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorityHost: string;
  readonly graphBaseUrl: string;
}

/**
 * Authorization-code sign-in (PKCE) of a subscription owner with msal-node. The refresh token
 * lands in the tenant's `owner:<oid>` connection — the same record GraphOwnerTokens renews from.
 */
export class MsalOwnerSignIn implements OwnerSignInFlow {
  constructor(
    private readonly options: MsalOwnerSignInOptions,
    private readonly fetch: HttpFetch,
    private readonly tenants: Pick<TenantStore, 'putConnection'>,
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
      const cache = JSON.parse(msal.getTokenCache().serialize()) as {
        RefreshToken?: Record<string, { secret?: string }>;
      };
      const refreshToken = Object.values(cache.RefreshToken ?? {})[0]?.secret;
      if (!refreshToken)
        return err({
          system: 'entra',
          status: 0,
          code: 'NO_REFRESH_TOKEN',
          message: 'No refresh token came back (offline_access not granted?).',
          transient: false,
        });
      const ownerId = r.uniqueId || r.account?.localAccountId || '';
      await this.tenants.putConnection(tenantId, `owner:${ownerId}`, { refreshToken });
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
