import type { DomainProblem } from './errors.js';
import type { PresenceRuleDraft } from './presence-rule.js';
import type { RuleValidationContext } from './validate-context.js';

/** Scope checks: not empty, known teams/agents, no duplicates, nobody claimed by two rules of the same kind. */
export function validateScope(draft: PresenceRuleDraft, ctx: RuleValidationContext): DomainProblem[] {
  const scope = draft.scope;
  const field = scope.kind === 'team' ? 'teamIds' : 'agentIds';
  const ids = scope.kind === 'team' ? scope.teamIds : scope.agentIds;
  if (ids.length === 0) {
    const what = scope.kind === 'team' ? 'at least one ACD team' : 'at least one agent';
    return [{ code: 'RULE.SCOPE_EMPTY', message: `Choose ${what} this rule applies to.`, path: ['scope', field] }];
  }
  const problems: DomainProblem[] = [];
  ids.forEach((id, i) => {
    const path = ['scope', field, i];
    if (ids.indexOf(id) !== i)
      problems.push({
        code: 'RULE.DUPLICATE_SCOPE_ENTRY',
        message: `${label(scope.kind, id, ctx)} is listed twice.`,
        path,
      });
    else problems.push(...checkEntry(scope.kind, id, path, ctx));
  });
  return problems;
}

function checkEntry(
  kind: 'team' | 'user',
  id: string,
  path: (string | number)[],
  ctx: RuleValidationContext,
): DomainProblem[] {
  const known = kind === 'team' ? ctx.teams.some((t) => t.id === id) : ctx.agents.some((a) => a.id === id);
  if (!known) {
    return kind === 'team'
      ? [{ code: 'RULE.UNKNOWN_TEAM', message: `There is no ACD team with id ${id} in this business unit.`, path }]
      : [{ code: 'RULE.UNKNOWN_AGENT', message: `There is no ACD agent with id ${id} in this business unit.`, path }];
  }
  const rival = ctx.otherRules.find((r) => r.id !== ctx.ruleId && claims(r.scope, kind, id));
  if (!rival) return [];
  return kind === 'team'
    ? [
        {
          code: 'RULE.TEAM_CLAIMED_TWICE',
          message: `${label(kind, id, ctx)} already follows the team rule "${rival.name}". A team can have only one team rule.`,
          path,
        },
      ]
    : [
        {
          code: 'RULE.AGENT_CLAIMED_TWICE',
          message: `${label(kind, id, ctx)} already has the user rule "${rival.name}". An agent can have only one user rule.`,
          path,
        },
      ];
}

function claims(scope: PresenceRuleDraft['scope'], kind: 'team' | 'user', id: string): boolean {
  if (kind === 'team') return scope.kind === 'team' && scope.teamIds.includes(id);
  return scope.kind === 'user' && scope.agentIds.includes(id);
}

export function label(kind: 'team' | 'user', id: string, ctx: RuleValidationContext): string {
  if (kind === 'team') return `Team "${ctx.teams.find((t) => t.id === id)?.name ?? id}"`;
  const name = ctx.agents.find((a) => a.id === id)?.name;
  return name ? `Agent "${name}" (${id})` : `Agent ${id}`;
}

/** The teams whose unavailable codes a rule may use: the scoped teams, or the teams of the scoped agents. */
export function scopedTeamIds(draft: PresenceRuleDraft, ctx: RuleValidationContext): string[] {
  const ids =
    draft.scope.kind === 'team'
      ? draft.scope.teamIds.filter((id) => ctx.teams.some((t) => t.id === id))
      : draft.scope.agentIds.flatMap((id) => ctx.agents.filter((a) => a.id === id).map((a) => a.teamId));
  return [...new Set(ids)];
}
