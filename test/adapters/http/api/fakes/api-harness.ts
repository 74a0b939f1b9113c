import type { AddressInfo } from 'node:net';
import { DEFAULT_SETTINGS } from '../../../../../src/adapters/http/api/tenant-settings.js';
import restify, { type Server } from 'restify';
import { HealthModel } from '../../../../../src/application/health/health-model.js';
import { TenantOnboarding } from '../../../../../src/application/onboarding/tenant-onboarding.js';
import { ConnectionConsentStore } from '../../../../../src/adapters/store/connection-consent-store.js';
import { TraceQueryService } from '../../../../../src/application/trace/trace-query.js';
import { TraceTail } from '../../../../../src/application/trace/trace-tail.js';
import { err, ok } from '../../../../../src/domain/result.js';
import type { TabApiDeps } from '../../../../../src/adapters/http/api/api-deps.js';
import { tabApiServices, type TabApiServiceParts } from '../../../../../src/compose/tab-api-services.js';
import { registerTabApi } from '../../../../../src/adapters/http/api/register-tab-api.js';
import { createSsoVerifier } from '../../../../../src/adapters/http/api/sso-token-verifier.js';
import type { ApiRoute } from '../../../../../src/adapters/http/api/api-route.js';
import { FakeAcd } from '../../../../application/fakes/fake-acd.js';
import { MemoryLogger, SequentialIds } from '../../../../application/fakes/fake-runtime.js';
import { ManualTime } from '../../../../application/fakes/manual-time.js';
import { MemoryStore } from '../../../../application/fakes/memory-store.js';
import { FakeUserDirectory } from './fake-user-directory.js';
import { APP_ID_URI, CLIENT_ID, type LocalEntra } from './local-entra.js';

export const TENANT_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const TENANT_B = 'bbbbbbbb-0000-4000-8000-00000000000b';

/** A test replaces any dependency, or a part the services are built from (a real store, a scripted directory). */
export type HarnessOverrides = Partial<TabApiServiceParts> & Partial<Omit<TabApiDeps, keyof TabApiServiceParts>>;

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is (no JSON encoding). */
  readonly raw?: string;
  readonly contentType?: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/**
 * The tab API on a real restify server (port 0) with real JWT validation against LocalEntra,
 * over the in-memory store and fake directories of two tenants.
 */
export class ApiHarness {
  readonly time = new ManualTime();
  readonly store = new MemoryStore(this.time);
  readonly acd = new Map<string, FakeAcd>();
  readonly entraUsers = new Map<string, FakeUserDirectory>();
  readonly tail = new TraceTail();
  readonly health = new HealthModel({ clock: this.time, scheduler: this.time });
  readonly rulesChanged: { tenantId: string; agentIds: readonly string[] }[] = [];
  /** Tenants whose CXone connection was stored, in order (what the sync's lease holder is told). */
  readonly connectionsSaved: string[] = [];
  readonly linksChanged: { tenantId: string; agentIds: readonly string[] }[] = [];
  readonly logger = new MemoryLogger();
  /** Entra's side of admin consent: the application permissions granted to the app, per tenant. */
  readonly grantedRoles = new Map<string, readonly string[]>();
  /** Subscription owners per tenant, as onboarding counts them. */
  readonly ownerRoster = new Map<string, { ownerId: string; signedIn: boolean }[]>();
  /** The key sealing OAuth `state` in this harness. */
  readonly stateKey = Buffer.alloc(32, 9);
  /** Allow-list of tenants that may onboard (undefined: any). */
  allowedTenants: readonly string[] | undefined;
  consentChecks = 0;
  cxoneTests = 0;
  /** The credentials each CXone connection test was given. */
  readonly cxoneTried: Record<string, string>[] = [];
  routes: readonly ApiRoute[] = [];
  server: Server | undefined;
  base = '';

  constructor(
    private readonly entra: Pick<LocalEntra, 'jwksUrl'>,
    private readonly overrides: HarnessOverrides = {},
  ) {
    for (const [tenantId, prefix] of [
      [TENANT_A, 'a'],
      [TENANT_B, 'b'],
    ] as const) {
      const acd = new FakeAcd(tenantId, this.time);
      acd.addAgent(`agent-${prefix}1`, `team-${prefix}1`, `alice@${prefix}.test`);
      acd.addAgent(`agent-${prefix}2`, `team-${prefix}1`, `bob@${prefix}.test`);
      acd.addAgent(`agent-${prefix}3`, `team-${prefix}2`, `carol@${prefix}.test`);
      acd.codes.set(`team-${prefix}1`, [{ id: `code-${prefix}-lunch`, name: 'Lunch', isActive: true, isAcw: false }]);
      this.acd.set(tenantId, acd);
      this.entraUsers.set(
        tenantId,
        new FakeUserDirectory()
          .add(`aad-${prefix}1`, `alice@${prefix}.test`)
          .add(`aad-${prefix}2`, `BOB@${prefix}.test`, `bob@${prefix}.test`)
          .add(`aad-${prefix}9`, `dave@${prefix}.test`),
      );
    }
  }

  /** The tab API's dependencies as composition builds them (the real services over the memory store and fakes). */
  deps(): TabApiDeps {
    const traceQuery = new TraceQueryService({
      traces: this.store.traces,
      userLinks: this.store.userLinks,
      directory: async (t) => this.acd.get(t),
    });
    const parts: TabApiServiceParts = {
      tenants: this.store.tenants,
      rules: this.store.rules,
      userLinks: this.store.userLinks,
      agentStates: this.store.agentStates,
      traceQuery,
      directory: async (t) => this.acd.get(t),
      users: async (t) => this.entraUsers.get(t),
      onRulesChanged: (tenantId, agentIds) => {
        this.rulesChanged.push({ tenantId, agentIds });
      },
      onLinksChanged: (tenantId, agentIds) => {
        this.linksChanged.push({ tenantId, agentIds });
      },
      ids: new SequentialIds('rule'),
      clock: this.time,
      ...this.overrides,
    };
    return {
      ...tabApiServices(parts),
      verifier: createSsoVerifier({
        jwksUrl: this.entra.jwksUrl,
        audiences: [CLIENT_ID, APP_ID_URI],
        requiredScope: 'access_as_user',
      }),
      appClientId: CLIENT_ID,
      directory: parts.directory,
      tenants: parts.tenants,
      ruleStore: parts.rules,
      health: { tenantHealth: async (t) => ({ ...this.health.snapshot(t) }) },
      traces: {
        query: (t, agent, from, to, limit) =>
          traceQuery.byAgent({
            tenantId: t,
            agent,
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
            ...(limit !== undefined ? { limit } : {}),
          }),
        resolve: async (t, ref) => (await traceQuery.resolve(t, ref))?.agentId,
        subscribe: (t, agentId, listener) => this.tail.subscribe(t, agentId, listener),
      },
      // CXone refuses a client secret "wrong" (its token endpoint answers invalid_client), told plainly.
      testCxone: async (_tenantId, values) => {
        this.cxoneTests += 1;
        this.cxoneTried.push({ ...values });
        return values['clientSecret'] === 'wrong'
          ? err({
              code: 'CXONE_CREDENTIALS_REFUSED',
              detail: 'CXone at https://eu.cxone.test refused the client or the access key.',
            })
          : ok({ detail: 'token issued, 3 agents listed' });
      },
      // The people picker as Graph answers an admin: their own tenant's users whose name, UPN or mail starts with the query.
      people: {
        search: async (caller, query) => {
          const q = query.trim().toLowerCase();
          const users = (await this.entraUsers.get(caller.tenantId)?.listUsers()) ?? ok([]);
          return users.ok
            ? ok(
                users.value.filter((u) =>
                  [u.displayName, u.userPrincipalName, u.mail ?? ''].some((v) => v.toLowerCase().startsWith(q)),
                ),
              )
            : users;
        },
      },
      onboarding: {
        service: new TenantOnboarding(
          {
            tenants: this.store.tenants,
            consents: new ConnectionConsentStore(this.store.tenants),
            // Entra issues an app-only token only where the app is consented; it carries the granted roles.
            verifier: {
              grantedRoles: async (tenantId) => {
                this.consentChecks += 1;
                const roles = this.grantedRoles.get(tenantId);
                return roles
                  ? ok(roles)
                  : err({
                      system: 'entra',
                      status: 400,
                      code: 'invalid_client',
                      message: 'AADSTS700016: Application not found in the directory.',
                      transient: false,
                    });
              },
            },
            owners: this.overrides.owners ?? { list: async (t) => this.ownerRoster.get(t) ?? [] },
            userLinks: this.store.userLinks,
            rules: this.store.rules,
            onSyncChanged: async (tenantId) => {
              this.rulesChanged.push({ tenantId, agentIds: [] });
            },
            clock: this.time,
            logger: this.logger,
          },
          this.allowedTenants ? { allowedTenants: this.allowedTenants } : {},
        ),
        consent: {
          clientId: CLIENT_ID,
          authorityHost: 'https://login.microsoftonline.com',
          redirectUri: () => 'https://sync.contoso.test/api/v1/onboarding/consent/callback',
          stateKey: this.stateKey,
        },
        clock: this.time,
      },
      owners: { list: async () => [] },
      // Entra refuses until a test scripts it otherwise: nothing is stored by default.
      ownerConnector: {
        connect: async () =>
          err({ system: 'entra', status: 400, code: 'consent_required', message: 'AADSTS65001', transient: false }),
      },
      ownerSignIn: {
        flow: {
          authorizeUrl: async (_t, o) => `https://login.test/authorize?state=${o.state}`,
          redeem: async () => ok({ ownerId: 'owner-1', userPrincipalName: 'owner@a.test' }),
        },
        redirectUri: 'https://presence.test/api/v1/connections/owners/callback',
        stateKey: Buffer.alloc(32, 7),
      },
      // The memory store's audit log is the one GET /audit reads, as the real store's table is.
      recordAudit: async (entry) => {
        this.store.rules.log.push(entry);
      },
      onConnectionSaved: async (tenantId) => {
        this.connectionsSaved.push(tenantId);
      },
      settingsDefaults: DEFAULT_SETTINGS,
      clock: this.time,
      logger: this.logger,
      ...this.overrides,
    };
  }

  async start(): Promise<this> {
    for (const t of [TENANT_A, TENANT_B])
      await this.store.tenants.upsert({
        id: t,
        name: t,
        acdBusinessUnitId: '1',
        entraTenantId: t,
        partnerPlatform: 'msteams',
        syncEnabled: true,
      });
    this.server = restify.createServer({ handleUncaughtExceptions: false });
    this.routes = registerTabApi(this.server, this.deps()).routes;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async call(method: string, path: string, o: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (o.token) headers['authorization'] = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      /* CSV, SSE */
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
  }

  async close(): Promise<void> {
    this.server?.server.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A minimal valid publisher rule draft for tenant `prefix` ('a' or 'b'). */
export const publisherDraft = (prefix: 'a' | 'b', name = 'Voice calls show In a call') => ({
  name,
  direction: 'publisher',
  scope: { kind: 'team', teamIds: [`team-${prefix}1`] },
  mappings: [
    { acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } },
    { acd: { kind: 'Available' }, teams: { availability: 'Available', activity: 'Available' } },
  ],
});
