import type { AcdAgent, DirectoryUser, UserLink } from '../ports.js';

export type MatchKey = 'email' | 'userName' | 'federatedId';

/** A proposed link: exactly one Entra user matches the agent, and no other agent claims that user. */
export interface MatchProposal {
  readonly agentId: string;
  readonly teamsUserId: string;
  readonly userPrincipalName: string;
  /** Which agent field matched the user's mail or UPN. */
  readonly matchedBy: MatchKey;
}

export type MatchConflictReason = 'SEVERAL_USERS_MATCH' | 'USER_MATCHES_SEVERAL_AGENTS' | 'USER_ALREADY_LINKED';

export interface MatchConflict {
  readonly agentId: string;
  readonly reason: MatchConflictReason;
  readonly candidateUserIds: readonly string[];
}

export interface MatchPreview {
  readonly proposals: readonly MatchProposal[];
  readonly conflicts: readonly MatchConflict[];
  readonly unmatched: readonly string[];
  /** Agents that already have a link; auto-match never replaces a link. */
  readonly alreadyLinked: readonly string[];
}

const KEYS: readonly MatchKey[] = ['email', 'userName', 'federatedId'];
const norm = (s: string | undefined): string | undefined => (s && s.trim() ? s.trim().toLowerCase() : undefined);

/** Entra users by lower-cased mail and UPN (a user may be reachable under both). */
function indexUsers(users: readonly DirectoryUser[]): Map<string, DirectoryUser[]> {
  const index = new Map<string, DirectoryUser[]>();
  for (const u of users) {
    for (const key of new Set([norm(u.mail), norm(u.userPrincipalName)])) {
      if (key) index.set(key, [...(index.get(key) ?? []), u]);
    }
  }
  return index;
}

/** The distinct users matching any of the agent's identifiers, with the first key that matched each. */
function candidatesOf(
  agent: AcdAgent,
  index: Map<string, DirectoryUser[]>,
): Map<string, { user: DirectoryUser; by: MatchKey }> {
  const found = new Map<string, { user: DirectoryUser; by: MatchKey }>();
  for (const key of KEYS) {
    for (const user of index.get(norm(agent[key]) ?? '') ?? []) {
      if (!found.has(user.id)) found.set(user.id, { user, by: key });
    }
  }
  return found;
}

/**
 * Auto-match ACD agents to Entra users by e-mail / UPN / user name, case-insensitively. Pure:
 * the same inputs give the same preview, so "apply" can recompute it and accept only what still holds.
 */
export function previewMatches(
  agents: readonly AcdAgent[],
  users: readonly DirectoryUser[],
  links: readonly UserLink[],
): MatchPreview {
  const index = indexUsers(users);
  const linkedAgents = new Set(links.map((l) => l.agentId));
  const linkedUsers = new Set(links.map((l) => l.teamsUserId));
  const open = [...agents]
    .filter((a) => !linkedAgents.has(a.agentId))
    .sort((a, b) => a.agentId.localeCompare(b.agentId));
  const single = new Map<string, { user: DirectoryUser; by: MatchKey }>();
  const conflicts: MatchConflict[] = [];
  const unmatched: string[] = [];
  for (const agent of open) {
    const found = candidatesOf(agent, index);
    const first = [...found.values()][0];
    if (!first) unmatched.push(agent.agentId);
    else if (found.size > 1)
      conflicts.push({
        agentId: agent.agentId,
        reason: 'SEVERAL_USERS_MATCH',
        candidateUserIds: [...found.keys()].sort(),
      });
    else if (linkedUsers.has(first.user.id))
      conflicts.push({ agentId: agent.agentId, reason: 'USER_ALREADY_LINKED', candidateUserIds: [first.user.id] });
    else single.set(agent.agentId, first);
  }
  const claims = new Map<string, number>();
  for (const m of single.values()) claims.set(m.user.id, (claims.get(m.user.id) ?? 0) + 1);
  const proposals: MatchProposal[] = [];
  for (const [agentId, m] of single) {
    if ((claims.get(m.user.id) ?? 0) > 1)
      conflicts.push({ agentId, reason: 'USER_MATCHES_SEVERAL_AGENTS', candidateUserIds: [m.user.id] });
    else
      proposals.push({ agentId, teamsUserId: m.user.id, userPrincipalName: m.user.userPrincipalName, matchedBy: m.by });
  }
  conflicts.sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { proposals, conflicts, unmatched, alreadyLinked: [...linkedAgents].sort() };
}
