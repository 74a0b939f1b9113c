import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { forbidden, graphError } from './graph-errors.js';
import type { GraphPrincipal } from './graph-principal.js';
import { mayReadUsers } from './graph-principal.js';
import type { Directory, EmulatedUser } from './emulator-model.js';

const PAGE = 100;

const shape = (u: EmulatedUser): Record<string, unknown> => ({
  id: u.id,
  userPrincipalName: u.userPrincipalName,
  mail: u.mail ?? null,
  displayName: u.displayName,
});

/** `GET /users` (paged with `@odata.nextLink`, `$top` ≤ 999) and `GET /users/{id | upn}`. */
export function handleUsers(
  req: EmulatorRequest,
  p: GraphPrincipal,
  directory: Directory,
  baseUrl: string,
  now: number,
): EmulatorResponse | undefined {
  if (req.method !== 'GET') return undefined;
  const one = /^\/v1\.0\/users\/([^/]+)$/.exec(req.path);
  if (req.path !== '/v1.0/users' && !one) return undefined;
  if (!mayReadUsers(p)) return forbidden(now);
  if (one) {
    const u = directory.user(p.tenantId, one[1]!);
    return u
      ? { status: 200, body: shape(u) }
      : graphError(404, 'Request_ResourceNotFound', `Resource '${one[1]}' does not exist.`, now);
  }
  const top = Math.min(Number(req.query.get('$top') ?? PAGE) || PAGE, 999);
  const skip = Number(req.query.get('$skiptoken') ?? 0) || 0;
  const all = directory.users(p.tenantId);
  const page = all.slice(skip, skip + top);
  const next = skip + top < all.length ? `${baseUrl}/v1.0/users?$top=${top}&$skiptoken=${skip + top}` : undefined;
  return { status: 200, body: { value: page.map(shape), ...(next ? { '@odata.nextLink': next } : {}) } };
}
