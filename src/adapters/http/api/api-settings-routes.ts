import type { Clock, TenantStore } from '../../../application/ports.js';
import type { AuditRecorder, CxoneConnectionTest, CxoneHosts, OwnerQueries } from './api-deps.js';
import type { Caller } from './sso-token-verifier.js';
import { problem } from './api-problem.js';
import { fail, json, route, type ApiRoute } from './api-route.js';
import { cxoneCandidateSchema, cxoneConnectionSchema, settingsSchema, type TenantSettings } from './api-schemas.js';
import { readSettings, writeSettings } from './tenant-settings.js';

/** Settings and connections live in the tenant store, which does not audit: the API records the change (secrets never). */
async function audit(
  deps: SettingsRouteDeps,
  caller: Caller,
  action: string,
  entity: string,
  entityId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await deps.recordAudit({
    tenantId: caller.tenantId,
    at: deps.clock.now(),
    actor: caller.name,
    action,
    entity,
    entityId,
    before,
    after,
  });
}

const SECRET_FIELDS = ['clientSecret', 'accessKeySecret'] as const;
const REQUIRED_FIELDS = ['clientId', 'clientSecret', 'accessKeyId', 'accessKeySecret'] as const;

/** `https://host:port` of an issuer (a path does not make another host); absent = the default issuer. */
function hostOf(url: string | undefined, deps: SettingsRouteDeps): string | undefined {
  const issuer = url ?? deps.defaultIssuerUrl;
  if (issuer === undefined) return undefined;
  try {
    return new URL(issuer).origin;
  } catch {
    return issuer;
  }
}

/**
 * The stored connection with the given fields over it (undefined fields keep the stored value).
 * Stored secrets follow the connection only while it stays on the same host: otherwise an admin
 * (or a stolen admin token) could have them sent to a host of their choosing (issue 15).
 */
function mergeConnection(
  before: Readonly<Record<string, string>>,
  given: Readonly<Record<string, string | undefined>>,
  deps: SettingsRouteDeps,
): { readonly merged: Record<string, string>; readonly hostChanged: boolean } {
  const hostChanged =
    SECRET_FIELDS.some((f) => before[f]) &&
    given['issuerUrl'] !== undefined &&
    hostOf(given['issuerUrl'], deps) !== hostOf(before['issuerUrl'], deps);
  const merged: Record<string, string> = {};
  for (const f of ['issuerUrl', ...REQUIRED_FIELDS]) {
    const kept = hostChanged && (SECRET_FIELDS as readonly string[]).includes(f) ? undefined : before[f];
    const v = given[f] ?? kept;
    if (v) merged[f] = v;
  }
  return { merged, hostChanged };
}

const invalidFields = (errors: readonly { pointer: string; code: string; detail: string }[]) =>
  problem(400, 'API.INVALID_BODY', 'Invalid request body', 'Some fields are missing or not valid.', { errors });

/** 400 for an issuer outside the allowed CXone hosts, or naming each required field neither given nor stored. */
function refusedFields(m: ReturnType<typeof mergeConnection>, deps: SettingsRouteDeps) {
  const issuer = m.merged['issuerUrl'];
  if (issuer !== undefined && deps.cxoneHosts && !deps.cxoneHosts.allows(issuer))
    return invalidFields([
      {
        pointer: '/issuerUrl',
        code: 'CONNECTION.HOST_NOT_ALLOWED',
        detail: `issuerUrl must be one of the allowed CXone hosts (${deps.cxoneHosts.describe()}).`,
      },
    ]);
  const missing = REQUIRED_FIELDS.filter((f) => !m.merged[f]);
  if (missing.length === 0) return undefined;
  const why = (f: string) =>
    m.hostChanged && (SECRET_FIELDS as readonly string[]).includes(f) ? 'the CXone host changes' : 'none is stored yet';
  return invalidFields(
    missing.map((f) => ({ pointer: `/${f}`, code: 'FIELD.REQUIRED', detail: `${f} is required: ${why(f)}.` })),
  );
}

/** A failure is told plainly (CxoneConnectionTest): no HTTP status, nothing a port scan could read. */
const testAnswer = (r: Awaited<ReturnType<CxoneConnectionTest>>) =>
  r.ok ? { ok: true, detail: r.value.detail } : { ok: false, code: r.error.code, detail: r.error.detail };

/** Runs a connection test and records it in the audit log (which host, and how it went; never a secret). */
async function audited(
  deps: SettingsRouteDeps,
  caller: Caller,
  action: 'connection.test' | 'connection.try',
  values: Readonly<Record<string, string>>,
) {
  const answer = testAnswer(await deps.testCxone(caller.tenantId, values));
  await audit(deps, caller, action, 'connection', 'cxone', connectionView(values), answer);
  return answer;
}

/** Never returns a secret: only whether each one is set. */
function connectionView(values: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  if (!values) return { configured: false };
  return {
    configured: true,
    issuerUrl: values['issuerUrl'] ?? null,
    clientId: values['clientId'] ?? null,
    accessKeyId: values['accessKeyId'] ?? null,
    ...Object.fromEntries(SECRET_FIELDS.map((f) => [`${f}Set`, Boolean(values[f])])),
  };
}

export interface SettingsRouteDeps {
  readonly tenants: TenantStore;
  readonly testCxone: CxoneConnectionTest;
  /** Where a CXone connection may point (CXONE_ALLOWED_HOSTS); absent = anywhere (tests only). */
  readonly cxoneHosts?: CxoneHosts;
  /** The issuer a connection without issuerUrl uses (CXONE_AUTH_BASE_URL, or the sandbox's emulator). */
  readonly defaultIssuerUrl?: string;
  readonly owners: OwnerQueries;
  /** Shown while the tenant saved none (the deployment's own periods). */
  readonly settingsDefaults: TenantSettings;
  readonly recordAudit: AuditRecorder;
  /** A CXone connection was stored: the instance running the tenant's sync restarts it on the new one. */
  readonly onConnectionSaved: (tenantId: string) => Promise<void>;
  readonly clock: Clock;
}

/**
 * Settings and connections belong to a tenant that exists: a caller from a tenant that was never
 * set up (any Entra tenant can sign in to a multi-tenant app) must not leave rows in our store.
 */
async function unknownTenant(deps: SettingsRouteDeps, caller: Caller) {
  if (await deps.tenants.get(caller.tenantId)) return undefined;
  return fail(
    problem(
      404,
      'TENANT.NOT_ONBOARDED',
      'Tenant not set up',
      'This Microsoft 365 tenant is not set up in Presence Sync yet: an administrator starts on the Setup page.',
    ),
  );
}

/** Settings (reconciliation period, trace retention) and connections (CXone credentials, subscription owners). */
export function settingsRoutes(deps: SettingsRouteDeps): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/settings',
      operationId: 'getSettings',
      summary: 'Tenant settings',
      access: 'admin',
      responses: [{ status: 200, description: 'Settings', schema: settingsSchema }],
      handle: async ({ caller }) => json(200, await readSettings(deps.tenants, caller.tenantId, deps.settingsDefaults)),
    }),
    route({
      method: 'put',
      path: '/settings',
      operationId: 'putSettings',
      summary: 'Change tenant settings',
      access: 'admin',
      body: settingsSchema,
      responses: [{ status: 200, description: 'Saved', schema: settingsSchema }],
      handle: async ({ caller, body }) => {
        const refused = await unknownTenant(deps, caller);
        if (refused) return refused;
        const before = await readSettings(deps.tenants, caller.tenantId, deps.settingsDefaults);
        // The tenant's owner instance reads them from the store (engine: every few seconds; retention: every run).
        await writeSettings(deps.tenants, caller.tenantId, body);
        await audit(deps, caller, 'settings.update', 'settings', caller.tenantId, before, body);
        return json(200, body);
      },
    }),
    route({
      method: 'get',
      path: '/connections',
      operationId: 'getConnections',
      summary: 'CXone connection (no secrets) and subscription owner accounts',
      access: 'admin',
      responses: [{ status: 200, description: 'Connections' }],
      handle: async ({ caller }) =>
        json(200, {
          cxone: connectionView(await deps.tenants.getConnection(caller.tenantId, 'cxone')),
          owners: await deps.owners.list(caller.tenantId),
        }),
    }),
    route({
      method: 'put',
      path: '/connections/cxone',
      operationId: 'putCxoneConnection',
      summary: 'Store CXone credentials (encrypted); omitted secrets keep their stored value on the same host only',
      access: 'admin',
      body: cxoneConnectionSchema,
      responses: [
        { status: 200, description: 'Stored (secrets not echoed)' },
        {
          status: 400,
          description:
            'A secret is missing (none stored, or the host changes), or the host is not an allowed CXone host',
        },
      ],
      handle: async ({ caller, body }) => {
        const refused = await unknownTenant(deps, caller);
        if (refused) return refused;
        const before = (await deps.tenants.getConnection(caller.tenantId, 'cxone')) ?? {};
        const m = mergeConnection(before, body, deps);
        const invalid = refusedFields(m, deps);
        if (invalid) return fail(invalid);
        const merged = m.merged;
        await deps.tenants.putConnection(caller.tenantId, 'cxone', merged);
        await deps.onConnectionSaved(caller.tenantId);
        await audit(
          deps,
          caller,
          'connection.update',
          'connection',
          'cxone',
          connectionView(Object.keys(before).length ? before : undefined),
          connectionView(merged),
        );
        return json(200, connectionView(merged));
      },
    }),
    route({
      method: 'post',
      path: '/connections/cxone/test',
      operationId: 'testCxoneConnection',
      summary: 'Try the stored CXone credentials now',
      access: 'admin',
      responses: [
        { status: 200, description: 'ok true/false with the reason' },
        { status: 409, description: 'Not configured' },
      ],
      handle: async ({ caller }) => {
        const values = await deps.tenants.getConnection(caller.tenantId, 'cxone');
        if (!values)
          return fail(
            problem(409, 'CONNECTION.NOT_CONFIGURED', 'CXone not connected', 'Store the CXone credentials first.'),
          );
        return json(200, await audited(deps, caller, 'connection.test', values));
      },
    }),
    route({
      method: 'post',
      path: '/connections/cxone/try',
      operationId: 'tryCxoneConnection',
      summary:
        'Try CXone credentials before storing them (fields left out: the stored ones, secrets on the same host only); nothing is stored',
      access: 'admin',
      body: cxoneCandidateSchema,
      responses: [
        { status: 200, description: 'ok true/false with the reason' },
        {
          status: 400,
          description:
            'A field is missing (none stored, or the host changes) or the host is not allowed (errors per field)',
        },
      ],
      handle: async ({ caller, body }) => {
        const m = mergeConnection((await deps.tenants.getConnection(caller.tenantId, 'cxone')) ?? {}, body, deps);
        const invalid = refusedFields(m, deps);
        if (invalid) return fail(invalid);
        return json(200, await audited(deps, caller, 'connection.try', m.merged));
      },
    }),
  ];
}
