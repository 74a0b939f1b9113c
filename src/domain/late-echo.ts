import { isManualStatus, shownByUs } from './manual-status.js';
import type { TeamsPresence, TeamsPresenceEvent } from './presence.js';
import { outranks, samePresence } from './presence.js';
import type { AgentSyncState } from './sync-state.js';

/**
 * Graph sends a presence change notification up to a minute after the change (Microsoft: "average
 * under 10 seconds, maximum 1 minute"; reference graph-presence.md, src/sandbox/graph/README.md
 * "Delivery latency"), plus a few seconds for our webhook and inbox. A publication of ours whose
 * notification has not come back within this is not waited for any more.
 */
export const LATE_ECHO_WINDOW_MS = 65_000;

/** Superseded publications remembered at most (a call starting and ending within a minute is two). */
export const LATE_ECHO_MAX = 4;

type Published = NonNullable<AgentSyncState['published']>;
type LateEcho = NonNullable<Published['lateEchoes']>[number];

/**
 * The late echoes to carry into a new publication made at `now`: the ones still within the
 * window, plus the publication being replaced when its notification may still come — Teams has
 * reported nothing since it was made, and it changed what Teams shows (the presence on record
 * before it neither is the same nor outranks it, and no status set by hand hides our session).
 * Of two sessions with the same availability Teams keeps showing the one it shows (the Graph
 * emulator keeps the user's client session, presence-engine.ts): a tie changed what Teams shows
 * only when the presence on record was our own session's.
 * Without any Teams presence on record nothing is assumed: a real change is never taken for an echo.
 */
export function carriedLateEchoes(agent: AgentSyncState, now: number): readonly LateEcho[] {
  const old = agent.published;
  if (!old) return [];
  const kept = (old.lateEchoes ?? []).filter((e) => now - e.at <= LATE_ECHO_WINDOW_MS);
  const shown = shownByUs(old);
  const before = agent.teams;
  const owed =
    shown !== null &&
    now - old.at <= LATE_ECHO_WINDOW_MS &&
    before !== undefined &&
    before.sourceTime < old.at &&
    !samePresence(before.presence, shown) &&
    !outranks(before.presence, shown) &&
    (!sameAvailability(before.presence, shown) || before.ours === true) &&
    (old.preferred || !isManualStatus(agent));
  return [...kept, ...(owed ? [{ presence: shown, at: old.at }] : [])].slice(-LATE_ECHO_MAX);
}

/**
 * The event is the late notification of a publication of ours that we have since replaced: it
 * shows what that publication showed and arrives within the window after it. Returns the echoes
 * still owed after it (the matched one and older ones are gone: Graph sends a user's changes in
 * order), or null when the event is no late echo.
 */
export function consumeLateEcho(
  published: AgentSyncState['published'],
  event: Pick<TeamsPresenceEvent, 'presence' | 'sourceTime'>,
): readonly LateEcho[] | null {
  const echoes = published?.lateEchoes ?? [];
  // What we publish now has its own echo rule (decide-teams isEcho): a late one never stands in for it.
  const current = shownByUs(published);
  if (current !== null && samePresence(current, event.presence)) return null;
  const i = echoes.findIndex(
    (e) => samePresence(e.presence, event.presence) && event.sourceTime - e.at <= LATE_ECHO_WINDOW_MS,
  );
  return i < 0 ? null : echoes.slice(i + 1);
}

/**
 * Any other Teams observation ends the wait: Graph numbers a user's presence versions in order, so
 * a notification of an earlier publication that comes after it is stale and dropped as such.
 */
export function withoutLateEchoes(published: AgentSyncState['published']): AgentSyncState['published'] {
  if (published?.lateEchoes === undefined) return published;
  const { lateEchoes: _ended, ...rest } = published;
  return rest;
}

const sameAvailability = (a: TeamsPresence, b: TeamsPresence): boolean =>
  a.availability.toLowerCase() === b.availability.toLowerCase();
