import { ConfidentialClientApplication, LogLevel, type ICachePlugin } from '@azure/msal-node';
import type { ExternalFailure } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { GRAPH_SCOPE_DEFAULT, type GraphAdapterOptions } from './graph-options.js';
import { MsalNetworkClient } from './msal-network-client.js';
import { msalFailure } from './msal-failure.js';

/** Builds an MSAL confidential client for the tenant's authority on our transport (and a persisted cache, if given). */
export function createMsalClient(
  options: GraphAdapterOptions,
  fetch: HttpFetch,
  cachePlugin?: ICachePlugin,
): ConfidentialClientApplication {
  const host = new URL(options.authorityHost).host;
  return new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: `${options.authorityHost.replace(/\/$/, '')}/${options.tenantId}`,
      // A non-Microsoft host (the emulator) must be declared known, or MSAL tries instance discovery.
      knownAuthorities: [host],
    },
    ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    system: {
      networkClient: new MsalNetworkClient(fetch),
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false },
    },
  });
}

/** App-only Graph tokens (client credentials, reference graph-presence.md §5), cached by MSAL. */
export class GraphAppCredential {
  constructor(private readonly msal: ConfidentialClientApplication) {}

  /** `forceRefresh` after a 401 (the token was revoked or its clock ran out early). */
  async token(forceRefresh = false): Promise<Result<string, ExternalFailure>> {
    try {
      const r = await this.msal.acquireTokenByClientCredential({
        scopes: [GRAPH_SCOPE_DEFAULT],
        skipCache: forceRefresh,
      });
      return r?.accessToken ? ok(r.accessToken) : err(msalFailure(new Error('no token returned')));
    } catch (e) {
      return err(msalFailure(e));
    }
  }
}
