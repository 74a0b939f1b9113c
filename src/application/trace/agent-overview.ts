import type { AgentStateStore, RuleStore, SyncPolicy, TenantStore, UserLink, UserLinkStore } from '../ports.js';
import { describeAcdState, describePresence } from '../../domain/match.js';
import type { RuleDirection } from '../../domain/presence-rule.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { DirectoryFor } from '../rules/rule-catalog.js';

/**
 * Who the Log Reader is looking at, above their flows: the agent as CXone names them, the Teams
 * user they are linked to, what each side last showed, and the rule that applies and why.
 */
export interface AgentOverview {
  readonly agentId: string;
  /** "First Last" from the CXone directory; absent when CXone is not connected or does not know the agent. */
  readonly name?: string;
  readonly email?: string;
  readonly team?: { readonly teamId: string; readonly teamName?: string };
  /** The linked Teams (Entra) user; absent when the agent is not linked. */
  readonly teamsUser?: { readonly id: string; readonly email?: string; readonly linkedBy: UserLink['source'] };
  /** The last ACD state the sync saw, and when CXone says it began. */
  readonly acd?: { readonly label: string; readonly since: number };
  /** The last Teams presence the sync saw (Graph's aggregate), and when. */
  readonly teams?: { readonly label: string; readonly since: number; readonly manual: boolean };
  /** What the sync last asked Teams to show (null: cleared), and when. */
  readonly published?: { readonly label: string; readonly at: number };
  readonly rule: {
    readonly id: string;
    readonly name: string;
    readonly direction: RuleDirection;
  } | null;
  /** Why that rule (or none) applies, in a sentence (domain/resolve.ts). */
  readonly why: string;
  /** False when the tenant's sync is switched off: no rule acts then. */
  readonly syncEnabled: boolean;
  /** What could not be read (CXone unreachable, not connected); the rest is still shown. */
  readonly gaps: readonly string[];
}

export interface AgentOverviewError {
  readonly code: 'TRACE.AGENT_NOT_FOUND';
  readonly message: string;
}

export interface AgentOverviewDeps {
  /** How the Log Reader names agents (TraceQueryService.resolve): id, Teams user id, e-mail or name. */
  readonly resolve: (tenantId: string, ref: string) => Promise<{ agentId: string } | undefined>;
  readonly userLinks: Pick<UserLinkStore, 'byAgent'>;
  readonly agentStates: Pick<AgentStateStore, 'get'>;
  readonly rules: Pick<RuleStore, 'list'>;
  readonly tenants: Pick<TenantStore, 'get'>;
  readonly directory: DirectoryFor;
  readonly policy: Pick<SyncPolicy, 'resolveRule'>;
}

/** The Log Reader's agent header: read only, from the stores, the CXone directory and the sync policy. */
export class AgentOverviewQuery {
  constructor(private readonly deps: AgentOverviewDeps) {}

  async of(tenantId: string, ref: string): Promise<Result<AgentOverview, AgentOverviewError>> {
    const who = await this.deps.resolve(tenantId, ref.trim());
    if (!who)
      return err({
        code: 'TRACE.AGENT_NOT_FOUND',
        message: `No agent, Teams user or e-mail "${ref}" is known in this tenant.`,
      });
    const { agentId } = who;
    const [link, state, rules, tenant, acd] = await Promise.all([
      this.deps.userLinks.byAgent(tenantId, agentId),
      this.deps.agentStates.get(tenantId, agentId),
      this.deps.rules.list(tenantId),
      this.deps.tenants.get(tenantId),
      this.fromDirectory(tenantId, agentId),
    ]);
    const teamId = acd.agent?.teamId ?? state?.teamId;
    const resolution = this.deps.policy.resolveRule({ agentId, ...(teamId !== undefined ? { teamId } : {}) }, rules);
    const rule = resolution.rule;
    const name = acd.agent ? `${acd.agent.firstName} ${acd.agent.lastName}`.trim() : '';
    const teamName = acd.teams?.find((t) => t.teamId === teamId)?.teamName;
    return ok({
      agentId,
      ...(name ? { name } : {}),
      ...(acd.agent?.email ? { email: acd.agent.email } : {}),
      ...(teamId !== undefined ? { team: { teamId, ...(teamName !== undefined ? { teamName } : {}) } } : {}),
      ...(link
        ? { teamsUser: { id: link.teamsUserId, ...(link.email ? { email: link.email } : {}), linkedBy: link.source } }
        : {}),
      ...(state?.acd ? { acd: { label: describeAcdState(state.acd.state), since: state.acd.sourceTime } } : {}),
      ...(state?.teams
        ? {
            teams: {
              label: describePresence(state.teams.presence),
              since: state.teams.sourceTime,
              manual: state.teams.manualStatus === true,
            },
          }
        : {}),
      ...(state?.published
        ? { published: { label: describePresence(state.published.presence), at: state.published.at } }
        : {}),
      rule: rule ? { id: rule.id, name: rule.name, direction: rule.direction } : null,
      why: resolution.explanation,
      syncEnabled: tenant?.syncEnabled ?? true,
      gaps: acd.gaps,
    });
  }

  /** The agent and the team names from CXone; a directory that cannot be read leaves a gap, not an error. */
  private async fromDirectory(
    tenantId: string,
    agentId: string,
  ): Promise<{
    agent?: { firstName: string; lastName: string; email?: string; teamId: string };
    teams?: readonly { teamId: string; teamName: string }[];
    gaps: string[];
  }> {
    const directory = await this.deps.directory(tenantId);
    if (!directory) return { gaps: ['CXone is not connected: name and team are unknown.'] };
    const [agents, teams] = await Promise.all([directory.listAgents(), directory.listTeams()]);
    const gaps: string[] = [];
    if (!agents.ok) gaps.push(`CXone agents could not be read (${agents.error.code}).`);
    if (!teams.ok) gaps.push(`CXone teams could not be read (${teams.error.code}).`);
    const agent = agents.ok ? agents.value.find((a) => a.agentId === agentId) : undefined;
    if (agents.ok && !agent) gaps.push(`CXone does not list agent ${agentId} (deleted or in another business unit).`);
    return { ...(agent ? { agent } : {}), ...(teams.ok ? { teams: teams.value } : {}), gaps };
  }
}
