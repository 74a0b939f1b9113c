import type {
  AuditEntry,
  Clock,
  ExternalFailure,
  Logger,
  OwnerSignInFlow,
  PeopleSearch,
  RuleStore,
  TenantStore,
  TraceEvent,
} from '../../../application/ports.js';
import type { DirectoryFor } from '../../../application/rules/rule-catalog.js';
import type { RuleDryRun } from '../../../application/rules/rule-dry-run.js';
import type { AgentOverviewQuery } from '../../../application/trace/agent-overview.js';
import type { RuleService } from '../../../application/rules/rule-service.js';
import type { UserCsv } from '../../../application/users/user-csv.js';
import type { UserMappingService } from '../../../application/users/user-mapping-service.js';
import type { Result } from '../../../domain/result.js';
import type { TenantSettings } from './api-schemas.js';
import type { OnboardingRouteDeps } from './api-onboarding-routes.js';
import type { SsoVerifier } from './sso-token-verifier.js';

/** The Health Check as the tab shows it (composition wires the engine's health model). */
export interface HealthQueries {
  tenantHealth(tenantId: string): Promise<Readonly<Record<string, unknown>>>;
}

export interface AgentTraceResult {
  readonly agentId: string;
  readonly teamsUserId?: string;
  readonly events: readonly TraceEvent[];
}

/** The Log Reader (composition wires application/trace: TraceQueryService + TraceTail). */
export interface TraceQueries {
  /** `agentRef`: an ACD agent id, a Teams user id or an e-mail / UPN. */
  query(
    tenantId: string,
    agentRef: string,
    from?: number,
    to?: number,
    limit?: number,
  ): Promise<Result<AgentTraceResult, { readonly code: string; readonly message: string }>>;
  /** The ACD agent id an `agentRef` names, when known. */
  resolve(tenantId: string, agentRef: string): Promise<string | undefined>;
  subscribe(tenantId: string, agentId: string, listener: (event: TraceEvent) => void): () => void;
}

/** A subscription owner account (delegated identity for presence subscriptions). */
export interface OwnerStatus {
  readonly ownerId: string;
  readonly userPrincipalName: string;
  readonly signedIn: boolean;
  readonly detail: string;
  readonly subscriptionCount: number;
}

export interface OwnerQueries {
  list(tenantId: string): Promise<readonly OwnerStatus[]>;
}

/**
 * Appends to the tenant's audit log (composition: the store's audit table). Rules and user links
 * are audited by their stores; settings and connection changes come through here.
 */
export type AuditRecorder = (entry: AuditEntry) => Promise<void>;

/** Connects a subscription owner from their SSO token (on-behalf-of with offline_access; GraphOwnerTokens). */
export interface OwnerConnector {
  connect(tenantId: string, ownerId: string, ssoToken: string): Promise<Result<void, ExternalFailure>>;
}

export interface OwnerSignInOptions {
  readonly flow: OwnerSignInFlow;
  /** This API's callback URL as registered on the Entra app (`https://<host>/api/v1/connections/owners/callback`); a function when known only once listening. */
  readonly redirectUri: string | (() => string);
  /** 32 bytes sealing the `state` parameter (from config; the same on every instance). */
  readonly stateKey: Buffer;
  /** How long a started sign-in may take (default 10 min). */
  readonly ttlMs?: number;
  /** The page the callback hands the code to, for the tab to complete (default `/tab/auth-end.html`). */
  readonly authEndPath?: string;
  /** A redeemed owner joins the tenant's subscription owners. */
  readonly onConnected?: (tenantId: string, ownerId: string) => Promise<void>;
}

/**
 * Tries the given CXone credentials (discovery and a token). A failure is told plainly — whether
 * the host was unreachable, not TLS or answered an error status is not said (it would make the
 * test a port scanner) — with a stable code: CXONE_UNREACHABLE, CXONE_CREDENTIALS_REFUSED,
 * CXONE_HOST_NOT_ALLOWED.
 */
export type CxoneConnectionTest = (
  tenantId: string,
  values: Readonly<Record<string, string>>,
) => Promise<Result<{ readonly detail: string }, { readonly code: string; readonly detail: string }>>;

/** The allowed CXone hosts (CxoneHostPolicy). */
export interface CxoneHosts {
  allows(url: string): boolean;
  describe(): string;
}

/** Size limits of request bodies, bytes. */
export interface TabApiLimits {
  readonly jsonBytes: number;
  readonly csvBytes: number;
}

/**
 * Everything the tab API needs, built in src/compose: the application services, the queries and
 * the hooks. Every route's dependency is required, so a deployment cannot leave a feature unwired
 * by forgetting it (that is how owner sign-in and the people picker once answered "not configured").
 */
export interface TabApiDeps {
  readonly verifier: SsoVerifier;
  /** The Entra app's client id (config), for links the tab builds such as the admin-consent URL. */
  readonly appClientId: string;
  readonly ruleService: RuleService;
  readonly dryRun: RuleDryRun;
  readonly userMapping: UserMappingService;
  readonly userCsv: UserCsv;
  /** The rule editor's lookups (teams, codes, agents). */
  readonly directory: DirectoryFor;
  /** Settings and connections. */
  readonly tenants: TenantStore;
  /** The audit log GET /audit reads, and the rule names the Health Check shows. */
  readonly ruleStore: Pick<RuleStore, 'audit' | 'list'>;
  readonly health: HealthQueries;
  readonly traces: TraceQueries;
  /** The Log Reader's agent header. */
  readonly agentOverview: Pick<AgentOverviewQuery, 'of'>;
  readonly testCxone: CxoneConnectionTest;
  /** Tenant onboarding: checklist, first admin sign-in, sync switch, admin consent round trip. */
  readonly onboarding: OnboardingRouteDeps;
  readonly cxoneHosts?: CxoneHosts;
  /** The issuer a CXone connection without issuerUrl uses. */
  readonly defaultIssuerUrl?: string;
  readonly owners: OwnerQueries;
  readonly ownerConnector: OwnerConnector;
  readonly ownerSignIn: OwnerSignInOptions;
  /** The people picker (OboPeopleSearch in production). */
  readonly people: PeopleSearch;
  readonly recordAudit: AuditRecorder;
  /** A CXone connection was stored: the instance running the tenant's sync restarts it on the new one. */
  readonly onConnectionSaved: (tenantId: string) => Promise<void>;
  /**
   * What a tenant that saved no settings runs with (the deployment's RECONCILE_INTERVAL_MS and
   * TRACE_RETENTION_MS). Saved settings need no hook: the engine and the trace retention read
   * them from the store on whichever instance runs them.
   */
  readonly settingsDefaults: TenantSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tuning with safe defaults (DEFAULT_LIMITS). */
  readonly limits?: Partial<TabApiLimits>;
  /** SSE comment heartbeat, ms (default 15 000), so proxies keep the live tail open. */
  readonly sseHeartbeatMs?: number;
}

export const DEFAULT_LIMITS: TabApiLimits = Object.freeze({ jsonBytes: 256 * 1024, csvBytes: 2 * 1024 * 1024 });
