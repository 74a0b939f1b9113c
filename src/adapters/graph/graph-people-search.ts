import type { ConfidentialClientApplication } from '@azure/msal-node';
import { z } from 'zod';
import type { DelegatedCaller, DirectoryUser, ExternalFailure, PeopleSearch } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { HttpFetch } from '../shared/http-transport.js';
import { createMsalClient } from './graph-app-credential.js';
import { msalFailure } from './msal-failure.js';

export interface OboPeopleSearchOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://login.microsoftonline.com` or the emulator's authority URL. */
  readonly authorityHost: string;
  /** `https://graph.microsoft.com` or the emulator's URL (without `/v1.0`). */
  readonly graphBaseUrl: string;
  /** Delegated scope asked for on behalf of the admin (default User.ReadBasic.All). */
  readonly scope?: string;
  readonly top?: number;
}

const Page = z.object({
  value: z.array(
    z.object({
      id: z.string(),
      userPrincipalName: z.string(),
      mail: z.string().nullish(),
      displayName: z.string().nullish(),
    }),
  ),
});
const odataString = (s: string): string => s.replace(/'/g, "''");

/**
 * Searches the directory with the admin's own delegated rights (on-behalf-of their Teams SSO
 * token), so the picker shows exactly what that admin may see — not what the app could read.
 */
export class OboPeopleSearch implements PeopleSearch {
  readonly #clients = new Map<string, ConfidentialClientApplication>();

  constructor(
    private readonly options: OboPeopleSearchOptions,
    private readonly fetch: HttpFetch,
  ) {}

  async search(caller: DelegatedCaller, query: string): Promise<Result<readonly DirectoryUser[], ExternalFailure>> {
    const token = await this.#token(caller);
    if (!token.ok) return token;
    const q = odataString(query.trim());
    const filter = `startswith(displayName,'${q}') or startswith(userPrincipalName,'${q}') or startswith(mail,'${q}')`;
    const url = `${this.options.graphBaseUrl.replace(/\/$/, '')}/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id,userPrincipalName,mail,displayName&$top=${this.options.top ?? 25}`;
    let res: Response;
    try {
      res = (await this.fetch(url, { headers: { authorization: `Bearer ${token.value}` } })) as unknown as Response;
    } catch (e) {
      return err({
        system: 'graph',
        status: 0,
        code: 'NETWORK',
        message: e instanceof Error ? e.message : String(e),
        transient: true,
      });
    }
    if (res.status !== 200)
      return err({
        system: 'graph',
        status: res.status,
        code: `HTTP_${res.status}`,
        message: (await res.text()).slice(0, 300),
        transient: res.status === 429 || res.status >= 500,
      });
    const page = Page.safeParse(await res.json());
    if (!page.success)
      return err({
        system: 'graph',
        status: 200,
        code: 'BAD_RESPONSE',
        message: 'GET /users answered an unexpected shape',
        transient: false,
      });
    return ok(
      page.data.value
        .map((u) => ({
          id: u.id,
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName ?? u.userPrincipalName,
          ...(u.mail ? { mail: u.mail } : {}),
        }))
        .filter((u) => matches(u, query)),
    );
  }

  async #token(caller: DelegatedCaller): Promise<Result<string, ExternalFailure>> {
    const msal = this.#client(caller.tenantId);
    try {
      const r = await msal.acquireTokenOnBehalfOf({
        oboAssertion: caller.token,
        scopes: [this.options.scope ?? 'https://graph.microsoft.com/User.ReadBasic.All'],
      });
      return r?.accessToken ? ok(r.accessToken) : err(msalFailure(new Error('no token returned')));
    } catch (e) {
      return err(msalFailure(e));
    }
  }

  #client(tenantId: string): ConfidentialClientApplication {
    let client = this.#clients.get(tenantId);
    if (!client) {
      client = createMsalClient({ ...this.options, tenantId }, this.fetch);
      this.#clients.set(tenantId, client);
    }
    return client;
  }
}

/** Graph applies the filter; checking again keeps the answer right where a directory ignores it. */
function matches(u: DirectoryUser, query: string): boolean {
  const q = query.trim().toLowerCase();
  return [u.displayName, u.userPrincipalName, u.mail ?? ''].some((v) => v.toLowerCase().startsWith(q));
}
