import type { DomainProblem } from '../../domain/errors.js';
import type { PresenceRuleDraft } from '../../domain/presence-rule.js';
import type { Result } from '../../domain/result.js';
import { validateRule } from '../../domain/validate-rule.js';
import type { RuleCatalog } from './rule-catalog.js';

/**
 * Validates a rule draft against the tenant's directory and other rules. Injectable so a test can
 * script it; production uses `domainRuleValidator`, so every problem keeps its domain code and path.
 */
export type RuleValidator = (
  draft: PresenceRuleDraft,
  catalog: RuleCatalog,
) => Result<PresenceRuleDraft, readonly DomainProblem[]>;

/** The domain's validateRule over the catalog the application loaded from CXone and the store. */
export const domainRuleValidator: RuleValidator = (draft, catalog) =>
  validateRule(draft, {
    teams: catalog.teams.map((t) => ({
      id: t.teamId,
      name: t.teamName,
      unavailableCodes: t.codes.filter((c) => c.isActive).map((c) => ({ id: c.id, name: c.name, isAcw: c.isAcw })),
    })),
    agents: catalog.agents.map((a) => ({
      id: a.agentId,
      name: `${a.firstName} ${a.lastName}`.trim(),
      teamId: a.teamId,
    })),
    partnerPlatform: catalog.partnerPlatform,
    otherRules: catalog.otherRules,
  });
