import { z } from 'zod';
import type { DirectoryUser, ExternalFailure, UserDirectory } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { batchItemFailure } from './graph-batch.js';
import type { GraphHttpClient } from './graph-http-client.js';

const UserPage = z.object({
  value: z.array(z.object({ id: z.string(), userPrincipalName: z.string(), mail: z.string().nullish(), displayName: z.string().nullish() })),
  '@odata.nextLink': z.string().optional(),
});

/** Entra users (id, UPN, mail) for auto-matching ACD agents, following `@odata.nextLink`. */
export class GraphUserDirectory implements UserDirectory {
  constructor(private readonly graph: GraphHttpClient, private readonly graphBaseUrl: string) {}

  async listUsers(): Promise<Result<readonly DirectoryUser[], ExternalFailure>> {
    const users: DirectoryUser[] = [];
    let path: string | undefined = '/users?$select=id,userPrincipalName,mail,displayName&$top=999';
    while (path) {
      const r = await this.graph.request('GET', path);
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(batchItemFailure(r.value));
      const page = UserPage.safeParse(r.value.body);
      if (!page.success) return err({ system: 'graph', status: 200, code: 'BAD_RESPONSE', message: 'GET /users answered an unexpected shape', transient: false });
      for (const u of page.data.value) users.push({ id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName ?? u.userPrincipalName, ...(u.mail ? { mail: u.mail } : {}) });
      path = this.#relative(page.data['@odata.nextLink']);
    }
    return ok(users);
  }

  /** nextLink is absolute (…/v1.0/users?…); the client wants the path after the version. */
  #relative(next: string | undefined): string | undefined {
    if (!next) return undefined;
    const u = new URL(next, this.graphBaseUrl);
    return `${u.pathname.replace(/^\/v1\.0/, '')}${u.search}`;
  }
}
