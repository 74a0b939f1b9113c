import type { AcdAgent, DirectoryUser, UserDirectory, UserLink, UserLinkStore } from '../ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { directoryOf, unavailable, type DirectoryFor } from '../rules/rule-catalog.js';
import type { Actor } from '../rules/rule-service.js';
import { previewMatches, type MatchPreview } from './auto-match.js';
import type { UserMappingProblem } from './user-mapping-errors.js';

/** Tells the engine (subscriptions, re-evaluation) which agents' links changed. */
export type LinksChangedHook = (tenantId: string, agentIds: readonly string[]) => void | Promise<void>;

export interface UserMappingDeps {
  readonly userLinks: UserLinkStore;
  readonly directory: DirectoryFor;
  /** The tenant's Entra users (Graph, application permissions); undefined when not connected. */
  readonly users: (tenantId: string) => Promise<UserDirectory | undefined>;
  readonly onLinksChanged: LinksChangedHook;
}

/** One row of the mapping table: every ACD agent, with its link when it has one. */
export interface MappingRow {
  readonly agent: AcdAgent;
  readonly link?: UserLink;
}

export interface ApplyOutcome {
  readonly applied: readonly string[];
  readonly unchanged: readonly string[];
  /** Pairs that are no longer what the preview proposes (directory or links changed since). */
  readonly rejected: readonly { readonly agentId: string; readonly teamsUserId: string; readonly reason: string }[];
}

export type Pair = { readonly agentId: string; readonly teamsUserId: string };

/** ACD agent ↔ Teams user mapping: auto-match with preview/apply, manual override, unlink. */
export class UserMappingService {
  constructor(readonly deps: UserMappingDeps) {}

  async list(tenantId: string): Promise<Result<readonly MappingRow[], UserMappingProblem>> {
    const agents = await this.agents(tenantId);
    if (!agents.ok) return agents;
    const links = new Map((await this.deps.userLinks.list(tenantId)).map((l) => [l.agentId, l]));
    return ok(
      agents.value.map((agent) => {
        const link = links.get(agent.agentId);
        return link ? { agent, link } : { agent };
      }),
    );
  }

  async preview(tenantId: string): Promise<Result<MatchPreview, UserMappingProblem>> {
    const [agents, users] = await Promise.all([this.agents(tenantId), this.users(tenantId)]);
    if (!agents.ok) return agents;
    if (!users.ok) return users;
    return ok(
      previewMatches(
        agents.value.filter((a) => a.isActive),
        users.value,
        await this.deps.userLinks.list(tenantId),
      ),
    );
  }

  /** Links exactly the given previewed pairs that the current preview still proposes; re-applying is a no-op. */
  async apply(actor: Actor, pairs: readonly Pair[]): Promise<Result<ApplyOutcome, UserMappingProblem>> {
    const preview = await this.preview(actor.tenantId);
    if (!preview.ok) return preview;
    const proposed = new Map(preview.value.proposals.map((p) => [p.agentId, p]));
    const links = new Map((await this.deps.userLinks.list(actor.tenantId)).map((l) => [l.agentId, l]));
    const outcome = {
      applied: [] as string[],
      unchanged: [] as string[],
      rejected: [] as ApplyOutcome['rejected'][number][],
    };
    const toPut: UserLink[] = [];
    for (const pair of pairs) {
      const proposal = proposed.get(pair.agentId);
      if (toPut.some((l) => l.agentId === pair.agentId)) continue;
      if (links.get(pair.agentId)?.teamsUserId === pair.teamsUserId) outcome.unchanged.push(pair.agentId);
      else if (!proposal || proposal.teamsUserId !== pair.teamsUserId)
        outcome.rejected.push({ ...pair, reason: 'Not proposed by the current auto-match preview: preview again.' });
      else
        toPut.push({
          tenantId: actor.tenantId,
          agentId: pair.agentId,
          teamsUserId: pair.teamsUserId,
          source: 'auto',
          email: proposal.userPrincipalName,
        });
    }
    await this.deps.userLinks.put(toPut, actor.name);
    outcome.applied.push(...toPut.map((l) => l.agentId));
    if (toPut.length > 0) await this.deps.onLinksChanged(actor.tenantId, outcome.applied);
    return ok(outcome);
  }

  /** Manual override: link an agent to a Teams user, replacing the agent's previous link. */
  async link(actor: Actor, agentId: string, teamsUserId: string): Promise<Result<UserLink, UserMappingProblem>> {
    const [agents, users] = await Promise.all([this.agents(actor.tenantId), this.users(actor.tenantId)]);
    if (!agents.ok) return agents;
    if (!users.ok) return users;
    if (!agents.value.some((a) => a.agentId === agentId))
      return err({
        code: 'USER_LINK.AGENT_NOT_FOUND',
        message: `No agent ${agentId} in this tenant's CXone directory.`,
      });
    const user = users.value.find((u) => u.id === teamsUserId);
    if (!user)
      return err({ code: 'USER_LINK.USER_NOT_FOUND', message: `No Entra user ${teamsUserId} in this tenant.` });
    const holder = await this.deps.userLinks.byTeamsUser(actor.tenantId, teamsUserId);
    if (holder && holder.agentId !== agentId)
      return err({
        code: 'USER_LINK.USER_ALREADY_LINKED',
        message: `Teams user ${teamsUserId} is already linked to agent ${holder.agentId}; unlink it first.`,
      });
    const link: UserLink = {
      tenantId: actor.tenantId,
      agentId,
      teamsUserId,
      source: 'manual',
      email: user.mail ?? user.userPrincipalName,
    };
    await this.deps.userLinks.put([link], actor.name);
    await this.deps.onLinksChanged(actor.tenantId, [agentId]);
    return ok(link);
  }

  async unlink(actor: Actor, agentId: string): Promise<Result<UserLink, UserMappingProblem>> {
    const before = await this.deps.userLinks.byAgent(actor.tenantId, agentId);
    if (!before) return err({ code: 'USER_LINK.NOT_FOUND', message: `Agent ${agentId} has no link in this tenant.` });
    await this.deps.userLinks.remove(actor.tenantId, agentId, actor.name);
    await this.deps.onLinksChanged(actor.tenantId, [agentId]);
    return ok(before);
  }

  async agents(tenantId: string): Promise<Result<readonly AcdAgent[], UserMappingProblem>> {
    const directory = await directoryOf(this.deps.directory, tenantId);
    if (!directory.ok) return directory;
    const agents = await directory.value.listAgents();
    return agents.ok ? ok(agents.value) : err(unavailable(agents.error));
  }

  async users(tenantId: string): Promise<Result<readonly DirectoryUser[], UserMappingProblem>> {
    const directory = await this.deps.users(tenantId);
    if (!directory)
      return err({
        code: 'GRAPH.NOT_CONNECTED',
        message: 'Microsoft Graph is not connected for this tenant yet (admin consent).',
      });
    const users = await directory.listUsers();
    return users.ok
      ? ok(users.value)
      : err({
          code: 'GRAPH.UNAVAILABLE',
          message: `Microsoft Graph could not be reached (${users.error.code}).`,
          failure: users.error,
        });
  }
}
