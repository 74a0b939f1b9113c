import type { PresenceRule } from './presence-rule.js';

/** How the effective rule of an agent was found: the rule, a sentence for an admin, and every rule that claims the agent or its team. */
export interface RuleResolution {
  readonly rule: PresenceRule | null;
  readonly explanation: string;
  readonly considered: readonly { ruleId: string; verdict: string }[];
}

export interface ResolvableAgent {
  readonly agentId: string;
  readonly teamId?: string;
}

type Verdict = { ruleId: string; verdict: string };

const byId = (a: PresenceRule, b: PresenceRule): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const claimsAgent = (rule: PresenceRule, agent: ResolvableAgent): boolean =>
  rule.scope.kind === 'user' && rule.scope.agentIds.includes(agent.agentId);

const claimsTeam = (rule: PresenceRule, agent: ResolvableAgent): boolean =>
  agent.teamId !== undefined && rule.scope.kind === 'team' && rule.scope.teamIds.includes(agent.teamId);

/**
 * An agent's effective rule: its enabled user-scoped rule, else its team's enabled rule, else
 * none. Disabled rules are passed over (the next level can still apply). Validation keeps one
 * rule per agent and per team; should two still claim the same agent, the lowest id wins, so
 * the result never depends on the order rules were loaded in.
 */
export function resolveRule(agent: ResolvableAgent, rules: readonly PresenceRule[]): RuleResolution {
  const considered: Verdict[] = [];
  const user = pickLevel(rules.filter((r) => claimsAgent(r, agent)).sort(byId), 'user', considered);
  const team = pickLevel(rules.filter((r) => claimsTeam(r, agent)).sort(byId), 'team', considered, user);
  const rule = user ?? team;
  const others = rules.length - considered.length;
  return { rule, explanation: explanationOf(agent, rule, considered, others), considered };
}

/** Just the sentence: why this agent has the rule it has (for the tab, the bot and traces). */
export function explain(agent: ResolvableAgent, rules: readonly PresenceRule[]): string {
  return resolveRule(agent, rules).explanation;
}

function pickLevel(
  candidates: readonly PresenceRule[],
  level: 'user' | 'team',
  out: Verdict[],
  winner: PresenceRule | null = null,
): PresenceRule | null {
  let chosen: PresenceRule | null = null;
  for (const r of candidates) {
    if (winner)
      out.push({ ruleId: r.id, verdict: `rejected: user rule "${winner.name}" (${winner.id}) beats team rules` });
    else if (!r.enabled) out.push({ ruleId: r.id, verdict: `skipped: "${r.name}" is disabled` });
    else if (chosen)
      out.push({
        ruleId: r.id,
        verdict: `rejected: "${chosen.name}" (${chosen.id}) also claims this agent at ${level} level and has the lower id`,
      });
    else {
      chosen = r;
      out.push({ ruleId: r.id, verdict: `chosen: ${level}-scoped rule "${r.name}"` });
    }
  }
  return chosen;
}

function explanationOf(
  agent: ResolvableAgent,
  rule: PresenceRule | null,
  considered: readonly Verdict[],
  others: number,
): string {
  const disabled = considered.filter((c) => c.verdict.startsWith('skipped')).map((c) => c.ruleId);
  const note =
    (disabled.length > 0 ? ` Disabled rule(s) passed over: ${disabled.join(', ')}.` : '') +
    (others > 0 ? ` ${others} other rule(s) do not cover this agent.` : '');
  if (rule === null) {
    return `Agent ${agent.agentId} has no effective rule: no enabled rule names the agent${agent.teamId ? ` or covers team ${agent.teamId}` : ' and the agent has no known team'}.${note}`;
  }
  const why =
    rule.scope.kind === 'user'
      ? 'it names the agent directly (a user rule beats any team rule)'
      : `it covers the agent's team ${agent.teamId} and no enabled user rule names the agent`;
  return `Agent ${agent.agentId} follows rule "${rule.name}" (${rule.id}): ${why}.${note}`;
}
