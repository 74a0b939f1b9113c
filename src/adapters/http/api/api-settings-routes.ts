import type { Clock, TenantStore } from '../../../application/ports.js';
import type { AuditRecorder, CxoneConnectionTest, OwnerQueries } from './api-deps.js';
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
  await deps.recordAudit?.({
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

/** The stored connection with the given fields over it (undefined fields keep the stored value). */
function mergeConnection(
  before: Readonly<Record<string, string>>,
  given: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const f of ['issuerUrl', ...REQUIRED_FIELDS]) {
    const v = given[f] ?? before[f];
    if (v) merged[f] = v;
  }
  return merged;
}

/** 400 naming each required field that is neither given nor stored. */
function missingFields(merged: Readonly<Record<string, string>>) {
  const missing = REQUIRED_FIELDS.filter((f) => !merged[f]);
  if (missing.length === 0) return undefined;
  return problem(400, 'API.INVALID_BODY', 'Invalid request body', 'Some fields are missing or not valid.', {
    errors: missing.map((f) => ({
      pointer: `/${f}`,
      code: 'FIELD.REQUIRED',
      detail: `${f} is required: none is stored yet.`,
    })),
  });
}

const testAnswer = (r: Awaited<ReturnType<CxoneConnectionTest>>) =>
  r.ok
    ? { ok: true, detail: r.value.detail }
    : { ok: false, code: r.error.code, status: r.error.status, detail: r.error.message };

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
  readonly owners?: OwnerQueries;
  readonly onSettingsChanged?: (tenantId: string, settings: TenantSettings) => void | Promise<void>;
  readonly recordAudit?: AuditRecorder;
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
      handle: async ({ caller }) => json(200, await readSettings(deps.tenants, caller.tenantId)),
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
        const before = await readSettings(deps.tenants, caller.tenantId);
        await writeSettings(deps.tenants, caller.tenantId, body);
        await audit(deps, caller, 'settings.update', 'settings', caller.tenantId, before, body);
        await deps.onSettingsChanged?.(caller.tenantId, body);
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
          owners: (await deps.owners?.list(caller.tenantId)) ?? [],
        }),
    }),
    route({
      method: 'put',
      path: '/connections/cxone',
      operationId: 'putCxoneConnection',
      summary: 'Store CXone credentials (encrypted); omitted secrets keep their stored value',
      access: 'admin',
      body: cxoneConnectionSchema,
      responses: [
        { status: 200, description: 'Stored (secrets not echoed)' },
        { status: 400, description: 'A secret is missing and none is stored' },
      ],
      handle: async ({ caller, body }) => {
        const refused = await unknownTenant(deps, caller);
        if (refused) return refused;
        const before = (await deps.tenants.getConnection(caller.tenantId, 'cxone')) ?? {};
        const merged = mergeConnection(before, body);
        const missing = missingFields(merged);
        if (missing) return fail(missing);
        await deps.tenants.putConnection(caller.tenantId, 'cxone', merged);
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
        return json(200, testAnswer(await deps.testCxone(caller.tenantId, values)));
      },
    }),
    route({
      method: 'post',
      path: '/connections/cxone/try',
      operationId: 'tryCxoneConnection',
      summary: 'Try CXone credentials before storing them (fields left out: the stored ones); nothing is stored',
      access: 'admin',
      body: cxoneCandidateSchema,
      responses: [
        { status: 200, description: 'ok true/false with the reason' },
        { status: 400, description: 'A field is missing and none is stored (errors per field)' },
      ],
      handle: async ({ caller, body }) => {
        const merged = mergeConnection((await deps.tenants.getConnection(caller.tenantId, 'cxone')) ?? {}, body);
        const missing = missingFields(merged);
        if (missing) return fail(missing);
        return json(200, testAnswer(await deps.testCxone(caller.tenantId, merged)));
      },
    }),
  ];
}
