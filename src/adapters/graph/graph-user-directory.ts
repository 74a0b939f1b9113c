import { z } from 'zod';
import type { DirectoryUser, ExternalFailure, UserDirectory } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { batchItemFailure } from './graph-batch.js';
import type { GraphHttpClient } from './graph-http-client.js';

const User = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  mail: z.string().nullish(),
  displayName: z.string().nullish(),
});
const UserPage = z.object({ value: z.array(User), '@odata.nextLink': z.string().optional() });

const toDirectoryUser = (u: z.infer<typeof User>): DirectoryUser => ({
  id: u.id,
  userPrincipalName: u.userPrincipalName,
  displayName: u.displayName ?? u.userPrincipalName,
  ...(u.mail ? { mail: u.mail } : {}),
});

/** Entra users (id, UPN, mail) for auto-matching ACD agents, following `@odata.nextLink`. */
export class GraphUserDirectory implements UserDirectory {
  constructor(
    private readonly graph: GraphHttpClient,
    private readonly graphBaseUrl: string,
  ) {}

  async listUsers(): Promise<Result<readonly DirectoryUser[], ExternalFailure>> {
    const users: DirectoryUser[] = [];
    let path: string | undefined = '/users?$select=id,userPrincipalName,mail,displayName&$top=999';
    while (path) {
      const r = await this.graph.request('GET', path);
      if (!r.ok) return r;
      if (r.value.status !== 200) return err(batchItemFailure(r.value));
      const page = UserPage.safeParse(r.value.body);
      if (!page.success)
        return err({
          system: 'graph',
          status: 200,
          code: 'BAD_RESPONSE',
          message: 'GET /users answered an unexpected shape',
          transient: false,
        });
      users.push(...page.data.value.map(toDirectoryUser));
      path = this.#relative(page.data['@odata.nextLink']);
    }
    return ok(users);
  }

  /** One user by object id or UPN (manual mapping in the tab); `undefined` when there is none. */
  async lookup(idOrUpn: string): Promise<Result<DirectoryUser | undefined, ExternalFailure>> {
    const r = await this.graph.request(
      'GET',
      `/users/${encodeURIComponent(idOrUpn)}?$select=id,userPrincipalName,mail,displayName`,
    );
    if (!r.ok) return r;
    if (r.value.status === 404) return ok(undefined);
    const user = User.safeParse(r.value.body);
    if (r.value.status !== 200 || !user.success) return err(batchItemFailure(r.value));
    return ok(toDirectoryUser(user.data));
  }

  /** nextLink is absolute (…/v1.0/users?…); the client wants the path after the version. */
  #relative(next: string | undefined): string | undefined {
    if (!next) return undefined;
    const u = new URL(next, this.graphBaseUrl);
    return `${u.pathname.replace(/^\/v1\.0/, '')}${u.search}`;
  }
}
