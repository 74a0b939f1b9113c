import { createHash } from 'node:crypto';

/** An Entra app registration in one tenant: its secret and the application roles consented. */
export interface EmulatedApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Application permissions granted with admin consent (e.g. Presence.ReadWrite.All). */
  readonly roles: readonly string[];
  /** Delegated permissions consented for users of this app (e.g. Presence.Read.All). */
  readonly delegatedScopes: readonly string[];
}

export interface EmulatedUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly mail?: string;
  readonly displayName: string;
  /** Only for the emulator's password grant (tests and the sandbox sign users in without a browser). */
  readonly password: string;
  /** App roles assigned to the user on the app (arrive as the `roles` claim of SSO tokens). */
  readonly appRoles?: readonly string[];
}

export interface EmulatedTenant {
  readonly id: string;
  readonly apps: readonly EmulatedApp[];
  readonly users: readonly EmulatedUser[];
}

/** A GUID derived from a label, so seeded data is stable across runs. */
export function stableGuid(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface SeedOptions {
  readonly tenantLabel?: string;
  readonly userCount: number;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly roles?: readonly string[];
}

/** A tenant with one app (presence read/write, user read) and `userCount` users `agent{n}@contoso.test`. */
export function seedTenant(options: SeedOptions): EmulatedTenant {
  const label = options.tenantLabel ?? 'contoso';
  const users = Array.from({ length: options.userCount }, (_, i) => ({
    id: stableGuid(`${label}/user/${i}`),
    userPrincipalName: `agent${i}@${label}.test`,
    mail: `agent${i}@${label}.test`,
    displayName: `Agent ${i}`,
    password: `pw-${i}`,
  }));
  const app: EmulatedApp = {
    clientId: options.clientId ?? stableGuid(`${label}/app`),
    clientSecret: options.clientSecret ?? 'sandbox-secret',
    roles: options.roles ?? ['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All'],
    delegatedScopes: ['Presence.Read.All', 'User.Read'],
  };
  return { id: stableGuid(`${label}/tenant`), apps: [app], users };
}

/** Lookups over the seeded directory. */
export class Directory {
  readonly #tenants = new Map<string, EmulatedTenant>();
  constructor(tenants: readonly EmulatedTenant[]) {
    for (const t of tenants) this.#tenants.set(t.id, t);
  }
  tenant(id: string): EmulatedTenant | undefined {
    return this.#tenants.get(id);
  }
  app(tenantId: string, clientId: string): EmulatedApp | undefined {
    return this.#tenants.get(tenantId)?.apps.find((a) => a.clientId === clientId);
  }
  user(tenantId: string, idOrUpn: string): EmulatedUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.#tenants.get(tenantId)?.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
  }
  users(tenantId: string): readonly EmulatedUser[] {
    return this.#tenants.get(tenantId)?.users ?? [];
  }
  /** The tenant a user belongs to (user ids are unique across the emulator). */
  tenantOfUser(userId: string): string | undefined {
    for (const t of this.#tenants.values()) if (t.users.some((u) => u.id === userId)) return t.id;
    return undefined;
  }
}
