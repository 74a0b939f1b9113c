import { createHash } from 'node:crypto';

/** An Entra app registration in one tenant: its secret and the application roles consented. */
export interface EmulatedApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Application permissions granted with admin consent (e.g. Presence.ReadWrite.All). */
  readonly roles: readonly string[];
  /** Delegated permissions consented for users of this app (e.g. Presence.Read.All). */
  readonly delegatedScopes: readonly string[];
  /**
   * Whether the tenant has the app's service principal (admin consent given). Default true; a
   * tenant that has not consented yet refuses the app's tokens until `/adminconsent` (README "Consent").
   */
  readonly consented?: boolean;
  /** Registered redirect URIs (exact match; loopback ports are ignored). Unset: any https or loopback URI. */
  readonly redirectUris?: readonly string[];
  /** `accessTokenAcceptedVersion` of the app's manifest: the form of tokens issued for it (default 2). */
  readonly accessTokenVersion?: 1 | 2;
  /** Application ID URI (`api://host/{clientId}`), the `aud` of v1 tokens for the app's own API. */
  readonly appIdUri?: string;
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
  /** Entra directory roles (e.g. `Global Administrator`): only these users may grant admin consent. */
  readonly directoryRoles?: readonly string[];
}

/** Directory roles that may grant tenant-wide admin consent (README "Consent"). */
export const CONSENT_ADMIN_ROLES = [
  'Global Administrator',
  'Privileged Role Administrator',
  'Cloud Application Administrator',
  'Application Administrator',
] as const;

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

/** Lookups over the seeded directory, and the consent granted since. */
export class Directory {
  readonly #tenants = new Map<string, EmulatedTenant>();
  /** `tenant/client` pairs whose service principal exists (admin consent). */
  readonly #consented = new Set<string>();
  /** `tenant/client/user` → delegated scopes the user consented to themselves. */
  readonly #userConsent = new Map<string, Set<string>>();
  constructor(tenants: readonly EmulatedTenant[]) {
    for (const t of tenants) {
      this.#tenants.set(t.id, t);
      for (const a of t.apps) if (a.consented !== false) this.#consented.add(`${t.id}/${a.clientId}`);
    }
  }
  tenantIds(): string[] {
    return [...this.#tenants.keys()];
  }
  isConsented(tenantId: string, clientId: string): boolean {
    return this.#consented.has(`${tenantId}/${clientId}`);
  }
  grantAdminConsent(tenantId: string, clientId: string): void {
    this.#consented.add(`${tenantId}/${clientId}`);
  }
  /** Delegated scopes a user may get tokens for: the admin-consented ones plus their own consent. */
  consentedScopes(tenantId: string, app: EmulatedApp, userId: string): Set<string> {
    const own = this.#userConsent.get(`${tenantId}/${app.clientId}/${userId}`) ?? new Set<string>();
    return this.isConsented(tenantId, app.clientId) ? new Set([...app.delegatedScopes, ...own]) : new Set(own);
  }
  grantUserConsent(tenantId: string, clientId: string, userId: string, scopes: readonly string[]): void {
    const key = `${tenantId}/${clientId}/${userId}`;
    this.#userConsent.set(key, new Set([...(this.#userConsent.get(key) ?? []), ...scopes]));
  }
  /** The app's registration as any tenant knows it (a multi-tenant app before the user's tenant is known). */
  appAnywhere(clientId: string): EmulatedApp | undefined {
    for (const t of this.#tenants.values()) {
      const app = t.apps.find((a) => a.clientId === clientId);
      if (app) return app;
    }
    return undefined;
  }
  /** A user by UPN in whichever tenant holds them (sign-in at `/common` or `/organizations`). */
  findByUpn(upn: string): { tenantId: string; user: EmulatedUser } | undefined {
    for (const t of this.#tenants.values()) {
      const user = this.user(t.id, upn);
      if (user) return { tenantId: t.id, user };
    }
    return undefined;
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
