import type { AcdAgent, AgentStateStore, Clock, RuleStore, SyncPolicy, TenantStore } from '../ports.js';
import type { Effect, SyncEvent } from '../../domain/effects.js';
import type { PresenceRule, PresenceRuleDraft } from '../../domain/presence-rule.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import { directoryOf, unavailable, type DirectoryFor } from './rule-catalog.js';
import type { RuleProblem } from './rule-errors.js';

export type DryRunTarget =
  { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'team'; readonly teamId: string };

export interface DryRunRequest {
  readonly tenantId: string;
  readonly draft: PresenceRuleDraft;
  /** The rule being edited: the draft replaces it (absent for a new rule). */
  readonly ruleId?: string;
  readonly target: DryRunTarget;
}

/** What `decide` would do now if the agent's last known state arrived again. */
export interface DryRunDecision {
  readonly side: 'acd' | 'teams';
  readonly effects: readonly Effect[];
}

export interface DryRunAgent {
  readonly agentId: string;
  readonly teamId: string;
  /** True when the draft would be this agent's effective rule (a user rule beats a team rule). */
  readonly draftApplies: boolean;
  readonly effectiveRuleId: string | null;
  readonly explanation: string;
  /** Empty when nothing is known of the agent's current state yet. */
  readonly decisions: readonly DryRunDecision[];
}

export interface RuleDryRunDeps {
  readonly rules: RuleStore;
  readonly tenants: TenantStore;
  readonly agentStates: AgentStateStore;
  readonly directory: DirectoryFor;
  readonly policy: SyncPolicy;
  readonly clock: Clock;
}

export const DRY_RUN_RULE_ID = 'dry-run';

/** "What would this rule do to agent X / team Y right now": resolution and decisions, no effects executed. */
export class RuleDryRun {
  constructor(private readonly deps: RuleDryRunDeps) {}

  async run(req: DryRunRequest): Promise<Result<readonly DryRunAgent[], RuleProblem>> {
    const directory = await directoryOf(this.deps.directory, req.tenantId);
    if (!directory.ok) return directory;
    const agents = await directory.value.listAgents();
    if (!agents.ok) return err(unavailable(agents.error));
    const targets = agents.value.filter((a) =>
      req.target.kind === 'agent' ? a.agentId === req.target.agentId : a.teamId === req.target.teamId,
    );
    if (req.target.kind === 'agent' && targets.length === 0)
      return err({
        code: 'DRY_RUN.TARGET_NOT_FOUND',
        message: `No agent ${req.target.agentId} in this tenant's CXone directory.`,
      });
    // Evaluated as if enabled: the question is what the rule would do once switched on.
    const candidate: PresenceRule = {
      ...req.draft,
      enabled: true,
      id: req.ruleId ?? DRY_RUN_RULE_ID,
      tenantId: req.tenantId,
      version: 0,
    };
    const rules = [...(await this.deps.rules.list(req.tenantId)).filter((r) => r.id !== candidate.id), candidate];
    const syncEnabled = (await this.deps.tenants.get(req.tenantId))?.syncEnabled ?? true;
    return ok(await Promise.all(targets.map((a) => this.forAgent(req.tenantId, a, rules, candidate.id, syncEnabled))));
  }

  private async forAgent(
    tenantId: string,
    agent: AcdAgent,
    rules: readonly PresenceRule[],
    candidateId: string,
    syncEnabled: boolean,
  ): Promise<DryRunAgent> {
    const resolution = this.deps.policy.resolveRule({ agentId: agent.agentId, teamId: agent.teamId }, rules);
    const state: AgentSyncState = (await this.deps.agentStates.get(tenantId, agent.agentId)) ?? {
      agentId: agent.agentId,
      teamId: agent.teamId,
    };
    const now = this.deps.clock.now();
    const decisions = replayEvents(tenantId, state, now).map(({ side, event }) => ({
      side,
      effects: this.deps.policy.decide({ rule: resolution.rule, agent: state, event, now, syncEnabled }).effects,
    }));
    return {
      agentId: agent.agentId,
      teamId: agent.teamId,
      draftApplies: resolution.rule?.id === candidateId,
      effectiveRuleId: resolution.rule?.id ?? null,
      explanation: resolution.explanation,
      decisions,
    };
  }
}

/** The agent's last known states, as fresh events (new ids, now as source time) so they are not deduplicated. */
function replayEvents(
  tenantId: string,
  state: AgentSyncState,
  now: number,
): { side: 'acd' | 'teams'; event: SyncEvent }[] {
  const out: { side: 'acd' | 'teams'; event: SyncEvent }[] = [];
  if (state.acd) {
    out.push({
      side: 'acd',
      event: {
        source: 'acd',
        tenantId,
        agentId: state.agentId,
        state: state.acd.state,
        sourceTime: Math.max(now, state.acd.sourceTime + 1),
        eventId: `dry-run:acd:${now}`,
      },
    });
  }
  if (state.teams && state.teamsUserId) {
    const teams = state.teams;
    out.push({
      side: 'teams',
      event: {
        source: 'teams',
        tenantId,
        agentId: state.agentId,
        teamsUserId: state.teamsUserId,
        presence: teams.presence,
        sourceTime: Math.max(now, teams.sourceTime + 1),
        eventId: `dry-run:teams:${now}`,
      },
    });
  }
  return out;
}
