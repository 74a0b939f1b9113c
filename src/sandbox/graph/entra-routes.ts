import { z } from 'zod';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { parseJson } from './emulator-http.js';
import type { Directory } from './emulator-model.js';
import type { EntraInteractive } from './entra-interactive.js';
import type { EntraKeys } from './entra-keys.js';
import type { EntraTokenEndpoint } from './entra-token-endpoint.js';

export interface EntraParts {
  readonly origin: () => string;
  readonly directory: Directory;
  readonly keys: EntraKeys;
  readonly token: EntraTokenEndpoint;
  readonly interactive: EntraInteractive;
}

/** Entra's own surface (README "Entra"): discovery (v1 and v2), JWKS, token, sign-in and consent pages. */
export function entraRoute(
  req: EmulatorRequest,
  e: EntraParts,
): EmulatorResponse | Promise<EmulatorResponse> | undefined {
  const keys = /^\/([^/]+)\/discovery\/(?:v2\.0\/)?keys$/.exec(req.path);
  if (keys && req.method === 'GET') return { status: 200, body: e.keys.jwks(tenantOrAll(keys[1]!, e.directory)) };
  const v2 = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(req.path);
  if (v2) return { status: 200, body: openIdConfigurationV2(e.origin(), v2[1]!) };
  const v1 = /^\/([^/]+)\/\.well-known\/openid-configuration$/.exec(req.path);
  if (v1) return { status: 200, body: openIdConfigurationV1(e.origin(), v1[1]!) };
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
  if (token && req.method === 'POST') return e.token.handle(token[1]!, req);
  return e.interactive.handle(req);
}

/** A tenant's own keys; `/common`, `/organizations` and names it does not know publish every tenant's. */
function tenantOrAll(tenant: string, directory: Directory): string | undefined {
  return directory.tenant(tenant) ? tenant : undefined;
}

/** The issuer is templated (`{tenantid}`) for the multi-tenant authorities, as Entra publishes it. */
function issuerTenant(tenant: string): string {
  return ['common', 'organizations', 'consumers'].includes(tenant) ? '{tenantid}' : tenant;
}

function openIdConfigurationV2(origin: string, tenant: string): Record<string, unknown> {
  return {
    issuer: `https://login.microsoftonline.com/${issuerTenant(tenant)}/v2.0`,
    authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
    token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
    end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
    jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    code_challenge_methods_supported: ['plain', 'S256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'tid', 'oid', 'preferred_username', 'name'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** The v1 document (`/{tenant}/.well-known/openid-configuration`): sts.windows.net issuer, v1 endpoints and keys. */
function openIdConfigurationV1(origin: string, tenant: string): Record<string, unknown> {
  return {
    issuer: `https://sts.windows.net/${issuerTenant(tenant)}/`,
    authorization_endpoint: `${origin}/${tenant}/oauth2/authorize`,
    token_endpoint: `${origin}/${tenant}/oauth2/token`,
    end_session_endpoint: `${origin}/${tenant}/oauth2/logout`,
    jwks_uri: `${origin}/${tenant}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    scopes_supported: ['openid'],
    microsoft_multi_refresh_token: true,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
  };
}

const SsoBody = z
  .object({ tenantId: z.string().min(1), user: z.string().min(1), clientId: z.string().min(1).optional() })
  .strict();
const RotateBody = z.object({ tenantId: z.string().min(1), retainMs: z.number().int().min(0).optional() }).strict();
const RetireBody = z.object({ tenantId: z.string().min(1), kid: z.string().min(1) }).strict();

/**
 * `/_control/entra/...` (not Entra): mint the token Teams' getAuthToken would give the tab, and
 * rotate or retire a tenant's signing key.
 */
export async function entraControl(req: EmulatorRequest, e: EntraParts): Promise<EmulatorResponse | undefined> {
  if (req.method !== 'POST') return undefined;
  const body = parseJson(req.rawBody);
  const path = req.path.replace(/^\/_control\/entra/, '');
  const invalid = (err: z.ZodError): EmulatorResponse => ({
    status: 400,
    body: { error: 'invalid_control_request', detail: err.message },
  });
  if (path === '/sso-token') {
    const b = SsoBody.safeParse(body);
    if (!b.success) return invalid(b.error);
    const r = await e.token.tabSsoToken(b.data.tenantId, b.data.user, b.data.clientId);
    return r.ok
      ? { status: 200, body: { token: r.token, expiresIn: r.expiresIn } }
      : { status: r.status, body: r.body };
  }
  if (path === '/keys/rotate') {
    const b = RotateBody.safeParse(body);
    if (!b.success) return invalid(b.error);
    if (!e.directory.tenant(b.data.tenantId)) return { status: 404, body: { error: 'unknown_tenant' } };
    return { status: 200, body: await e.keys.rotate(b.data.tenantId, b.data.retainMs) };
  }
  if (path === '/keys/retire') {
    const b = RetireBody.safeParse(body);
    if (!b.success) return invalid(b.error);
    return e.keys.retire(b.data.tenantId, b.data.kid)
      ? { status: 204 }
      : { status: 404, body: { error: 'unknown_kid' } };
  }
  return undefined;
}
