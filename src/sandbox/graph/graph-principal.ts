import type { EntraKeys } from './entra-keys.js';
import { GRAPH_AUDIENCE } from './entra-token-endpoint.js';

/** Who is calling Graph, from a verified bearer token. */
export interface GraphPrincipal {
  readonly kind: 'app' | 'user';
  readonly tenantId: string;
  readonly appId: string;
  /** The user's object id (delegated) or the service principal's. */
  readonly oid: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

export async function principalFrom(
  authorization: string | undefined,
  keys: EntraKeys,
): Promise<GraphPrincipal | undefined> {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  const c = await keys.verify(token, GRAPH_AUDIENCE);
  if (!c || typeof c.tid !== 'string' || typeof c.appid !== 'string' || typeof c.oid !== 'string') return undefined;
  const user = c.idtyp === 'user';
  return {
    kind: user ? 'user' : 'app',
    tenantId: c.tid,
    appId: c.appid,
    oid: c.oid,
    roles: Array.isArray(c.roles) ? c.roles.filter((r): r is string => typeof r === 'string') : [],
    scopes: typeof c.scp === 'string' ? c.scp.split(' ') : [],
  };
}

/** §1.3 / §2.2: the permission each presence operation needs, delegated or application. */
export function mayReadPresence(p: GraphPrincipal, self: boolean): boolean {
  if (p.kind === 'app') return p.roles.includes('Presence.Read.All') || p.roles.includes('Presence.ReadWrite.All');
  return p.scopes.includes('Presence.Read.All') || (self && p.scopes.includes('Presence.Read'));
}

export function mayWritePresence(p: GraphPrincipal, self: boolean): boolean {
  if (p.kind === 'app') return p.roles.includes('Presence.ReadWrite.All');
  return self && p.scopes.includes('Presence.ReadWrite');
}

export function mayReadUsers(p: GraphPrincipal): boolean {
  if (p.kind === 'app') return p.roles.includes('User.Read.All') || p.roles.includes('User.ReadBasic.All');
  return p.scopes.some((s) => s.startsWith('User.Read'));
}
