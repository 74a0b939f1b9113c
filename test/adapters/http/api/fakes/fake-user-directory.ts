import type { DirectoryUser, ExternalFailure, UserDirectory } from '../../../../../src/application/ports.js';
import { err, ok, type Result } from '../../../../../src/domain/result.js';

/** A tenant's Entra users in memory. */
export class FakeUserDirectory implements UserDirectory {
  failure: ExternalFailure | undefined;
  constructor(readonly users: DirectoryUser[] = []) {}

  add(id: string, userPrincipalName: string, mail?: string): this {
    this.users.push({
      id,
      userPrincipalName,
      displayName: userPrincipalName.split('@')[0] ?? id,
      ...(mail ? { mail } : {}),
    });
    return this;
  }

  async listUsers(): Promise<Result<readonly DirectoryUser[], ExternalFailure>> {
    return this.failure ? err(this.failure) : ok([...this.users]);
  }
}
