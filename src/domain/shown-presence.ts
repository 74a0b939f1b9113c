import { isManualStatus, shownByUs } from './manual-status.js';
import { outranks, samePresence, type TeamsPresence } from './presence.js';
import type { AgentSyncState } from './sync-state.js';

/** Why Teams cannot show a session presence we write, from the aggregate on record. */
export interface NotShown {
  /** What Teams shows instead (the aggregate last read or notified). */
  readonly teamsShows: TeamsPresence;
  readonly cause: 'manual-status' | 'outranked';
  /** For an admin: the layer that wins and the rule of precedence. */
  readonly reason: string;
}

const pair = (p: TeamsPresence): string => `${p.availability}/${p.activity}`;

/**
 * Whether our app session showing `ours` will be hidden in Teams: Graph shows the aggregate of
 * every session, a status the user set by hand outranks them all, and among sessions Do not
 * disturb > Busy > Available > Away (reference/graph-presence.md §2.1). Decided from the Teams
 * presence on record (the last notification or read), no extra read. What is on record and was
 * ours (the session we published before) hides nothing: this write replaces it. Undefined when
 * nothing on record says it is hidden.
 */
export function notShown(
  agent: Pick<AgentSyncState, 'teams' | 'published'>,
  ours: TeamsPresence,
): NotShown | undefined {
  const teams = agent.teams?.presence;
  if (!teams || samePresence(teams, ours)) return undefined;
  if (isManualStatus(agent))
    return {
      teamsShows: teams,
      cause: 'manual-status',
      reason: `the user set ${pair(teams)} in Teams by hand, and a status set by hand outranks every app session`,
    };
  const before = shownByUs(agent.published);
  if (before !== null && samePresence(before, teams)) return undefined;
  if (agent.published?.lateEchoes?.some((e) => samePresence(e.presence, teams))) return undefined;
  if (!outranks(teams, ours)) return undefined;
  return {
    teamsShows: teams,
    cause: 'outranked',
    reason: `the user's own ${pair(teams)} outranks our ${pair(ours)} session (Teams shows the highest session: Do not disturb > Busy > Available > Away)`,
  };
}
