import type {
  AgentStateStore,
  Clock,
  IdGenerator,
  RuleStore,
  SyncPolicy,
  TenantStore,
  UserDirectory,
  UserLinkStore,
} from '../application/ports.js';
import type { DirectoryFor } from '../application/rules/rule-catalog.js';
import { RuleDryRun } from '../application/rules/rule-dry-run.js';
import { AgentOverviewQuery } from '../application/trace/agent-overview.js';
import type { TraceQueryService } from '../application/trace/trace-query.js';
import { RuleService, type RulesChangedHook } from '../application/rules/rule-service.js';
import { domainRuleValidator } from '../application/rules/rule-validator.js';
import { UserCsv } from '../application/users/user-csv.js';
import { UserMappingService, type LinksChangedHook } from '../application/users/user-mapping-service.js';
import { decide } from '../domain/decide.js';
import { resolveRule } from '../domain/resolve.js';

/** The sync policy the engine runs: a dry run must answer with the very same functions. */
export const DOMAIN_POLICY: SyncPolicy = Object.freeze({ decide, resolveRule });

/** What the tab's use cases are built from: the stores, the tenant's directories and the engine's hooks. */
export interface TabApiServiceParts {
  readonly tenants: TenantStore;
  readonly rules: RuleStore;
  readonly userLinks: UserLinkStore;
  readonly agentStates: AgentStateStore;
  /** The Log Reader's agent lookup (id, Teams user id, e-mail or name), shared with the trace query. */
  readonly traceQuery: Pick<TraceQueryService, 'resolve'>;
  /** The tenant's CXone directory (any instance: built from the stored connection). */
  readonly directory: DirectoryFor;
  /** The tenant's Entra users (Graph, application permissions). */
  readonly users: (tenantId: string) => Promise<UserDirectory | undefined>;
  readonly onRulesChanged: RulesChangedHook;
  readonly onLinksChanged: LinksChangedHook;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

/** The tab API's application services: rule administration and dry runs, agent ↔ user mapping, the Log Reader's agent header. */
export function tabApiServices(p: TabApiServiceParts): {
  readonly ruleService: RuleService;
  readonly dryRun: RuleDryRun;
  readonly userMapping: UserMappingService;
  readonly userCsv: UserCsv;
  readonly agentOverview: AgentOverviewQuery;
} {
  const userMapping = new UserMappingService({
    userLinks: p.userLinks,
    directory: p.directory,
    users: p.users,
    onLinksChanged: p.onLinksChanged,
  });
  return {
    ruleService: new RuleService({
      rules: p.rules,
      tenants: p.tenants,
      directory: p.directory,
      validate: domainRuleValidator,
      ids: p.ids,
      onRulesChanged: p.onRulesChanged,
    }),
    dryRun: new RuleDryRun({
      rules: p.rules,
      tenants: p.tenants,
      agentStates: p.agentStates,
      directory: p.directory,
      policy: DOMAIN_POLICY,
      clock: p.clock,
    }),
    userMapping,
    userCsv: new UserCsv(userMapping),
    agentOverview: new AgentOverviewQuery({
      resolve: (tenantId, ref) => p.traceQuery.resolve(tenantId, ref),
      userLinks: p.userLinks,
      agentStates: p.agentStates,
      rules: p.rules,
      tenants: p.tenants,
      directory: p.directory,
      policy: DOMAIN_POLICY,
    }),
  };
}
