import type { Result } from '../../domain/result.js';
import type { DirectoryUser } from './presence.js';
import type { ExternalFailure } from './runtime.js';

/** Authorization-code sign-in of a subscription owner (MsalOwnerSignIn in production). */
export interface OwnerSignInFlow {
  authorizeUrl(
    tenantId: string,
    o: { readonly state: string; readonly codeChallenge: string; readonly redirectUri: string },
  ): Promise<string>;
  /** Redeems the code, stores the owner's refresh token (encrypted) and says who signed in. */
  redeem(
    tenantId: string,
    o: { readonly code: string; readonly codeVerifier: string; readonly redirectUri: string },
  ): Promise<Result<{ readonly ownerId: string; readonly userPrincipalName: string }, ExternalFailure>>;
}

/** Who asks the directory: the signed-in admin's tenant and their SSO token (for on-behalf-of). */
export interface DelegatedCaller {
  readonly tenantId: string;
  readonly token: string;
}

/** The people picker: directory users as the signed-in admin may see them (OboPeopleSearch in production). */
export interface PeopleSearch {
  search(caller: DelegatedCaller, query: string): Promise<Result<readonly DirectoryUser[], ExternalFailure>>;
}
