import type { TeamsPresence } from './presence.js';
import { samePresence } from './presence.js';
import type { AgentSyncState } from './sync-state.js';

/**
 * Whether the agent has set a status by hand in Teams (the user-preferred layer, which outranks
 * every session: reference/graph-presence.md §2.1, §2.4).
 *
 * Graph does not say which layer produced the aggregate, so unless the engine tells us
 * (`manualStatus` on the event), the heuristic is: the aggregate is a pair only the preferred
 * layer produces — Busy/Busy, DoNotDisturb/DoNotDisturb, BeRightBack/BeRightBack, Offline/OffWork
 * — and it is not a preferred presence we wrote ourselves (override policy). Available and Away
 * are left out on purpose: every session produces them, so they never prove a hand-set status.
 */
const MANUAL_ONLY_PAIRS: readonly TeamsPresence[] = [
  { availability: 'Busy', activity: 'Busy' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
  { availability: 'Offline', activity: 'OffWork' },
];

export function isManualStatus(agent: Pick<AgentSyncState, 'teams' | 'published'>): boolean {
  const teams = agent.teams;
  if (!teams) return false;
  const ours = agent.published;
  if (ours?.preferred && ours.presence && samePresence(toPreferredPair(ours.presence), teams.presence)) return false;
  if (teams.manualStatus !== undefined) return teams.manualStatus;
  return MANUAL_ONLY_PAIRS.some((p) => samePresence(p, teams.presence));
}

/**
 * The preferred-layer pair for a session pair, used under the `override` policy: the preferred
 * layer has no InACall/Presenting, so the nearest pair of the same availability stands in
 * (Busy/InACall → Busy/Busy, DoNotDisturb/Presenting → DoNotDisturb/DoNotDisturb).
 */
/** What Teams should show because of us: our session, or the preferred pair on top when we hold that layer. */
export function shownByUs(published: AgentSyncState['published']): TeamsPresence | null {
  if (!published?.presence) return null;
  return published.preferred ? toPreferredPair(published.presence) : published.presence;
}

export function toPreferredPair(session: TeamsPresence): TeamsPresence {
  const availability = session.availability;
  const activity = ['Busy', 'DoNotDisturb'].includes(availability) ? availability : session.activity;
  return { availability, activity };
}
