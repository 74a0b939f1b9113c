import type { DirectoryUser, ExternalFailure, UserDirectory } from '../../../src/application/ports.js';
import { err, ok, type Result } from '../../../src/domain/result.js';

/** Entra users in memory, for auto-matching tests. */
export class FakeUserDirectory implements UserDirectory {
  failure: ExternalFailure | undefined;
  constructor(readonly users: DirectoryUser[] = []) {}

  add(id: string, userPrincipalName: string, displayName = userPrincipalName, mail?: string): void {
    this.users.push({ id, userPrincipalName, displayName, ...(mail ? { mail } : {}) });
  }

  async listUsers(): Promise<Result<readonly DirectoryUser[], ExternalFailure>> {
    return this.failure ? err(this.failure) : ok([...this.users]);
  }
}
