import { z } from 'zod';
import type { ConsentVerifier, ExternalFailure } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { createMsalClient } from './graph-app-credential.js';
import { GRAPH_SCOPE_DEFAULT } from './graph-options.js';
import { msalFailure } from './msal-failure.js';

export interface GraphConsentVerifierOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://login.microsoftonline.com` or the emulator's authority URL. */
  readonly authorityHost: string;
}

const Claims = z.object({ tid: z.string().optional(), roles: z.array(z.string()).default([]) });

/**
 * Entra issues an app-only token for a tenant only when the app has a service principal there
 * (admin consent granted); the token's `roles` are the application permissions consented. The
 * token came to us straight from Entra over TLS, so its claims are read without a signature check.
 */
export class GraphConsentVerifier implements ConsentVerifier {
  constructor(
    private readonly options: GraphConsentVerifierOptions,
    private readonly fetch: HttpFetch,
  ) {}

  async grantedRoles(tenantId: string): Promise<Result<readonly string[], ExternalFailure>> {
    // A fresh client per check: a cached token must not hide a consent revoked since.
    const msal = createMsalClient({ ...this.options, tenantId, graphBaseUrl: '' }, this.fetch);
    try {
      const r = await msal.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE_DEFAULT], skipCache: true });
      if (!r?.accessToken) return err(msalFailure(new Error('no token returned')));
      const claims = Claims.safeParse(decodePayload(r.accessToken));
      if (!claims.success || (claims.data.tid !== undefined && claims.data.tid !== tenantId))
        return err({
          system: 'entra',
          status: 200,
          code: 'BAD_RESPONSE',
          message: `The app token for tenant ${tenantId} carries no usable claims.`,
          transient: false,
        });
      return ok(claims.data.roles);
    } catch (e) {
      return err(msalFailure(e));
    }
  }
}

function decodePayload(jwt: string): unknown {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
