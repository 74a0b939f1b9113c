/**
 * Who may do what. App roles are defined on the Entra app (aad.manifest.json) and arrive in the
 * SSO token's `roles` claim; the tenant is the token's `tid` — a Presence Sync tenant's id IS its
 * Entra tenant id, so a request can only ever address its own tenant.
 */
export const ADMIN_ROLE = 'PresenceSync.Admin';
/** Support staff: Health Check and Log Reader, read-only. */
export const SUPPORT_ROLE = 'PresenceSync.Support';

export type AccessLevel = 'admin' | 'support' | 'none';

export function accessLevel(roles: readonly string[]): AccessLevel {
  if (roles.includes(ADMIN_ROLE)) return 'admin';
  if (roles.includes(SUPPORT_ROLE)) return 'support';
  return 'none';
}
