import { isOnContact } from './agent-state.js';
import type { Decision } from './effects.js';
import {
  describeAcdState,
  describePresence,
  describeTarget,
  matchesAnyPattern,
  stateIsTarget,
  subscriberTargetFor,
} from './match.js';
import type { PresenceRule } from './presence-rule.js';
import type { TeamsPresence } from './presence.js';
import { samePresence } from './presence.js';
import { isManualStatus, shownByUs } from './manual-status.js';
import type { AcdTarget, AgentSyncState, HeldAcdWrite } from './sync-state.js';
import { heldWrite, releasing, requested, restoringFrom } from './subscriber-write.js';
import { decision, skipped, without } from './decide-support.js';

/**
 * The subscriber half (Teams → ACD) for the agent's current Teams presence, already recorded in
 * `agent.teams`. A Teams status that maps to an unavailable code takes the agent off routing and
 * remembers what it replaced; when Teams goes back (to a presence that maps to Available or to
 * nothing) only that replaced state is restored, and only if the agent still sits in ours.
 * A Teams presence mapping to Available never forces Available on its own: the sync only undoes
 * its own writes, so an agent who chose a code in the ACD keeps it.
 */
export function subscribeCurrentPresence(
  rule: PresenceRule,
  agent: AgentSyncState,
  now: number,
  ours: TeamsPresence | null = shownByUs(agent.published),
): Decision {
  const presence = agent.teams!.presence;
  const own = showsOurSession(agent, ours);
  const target = own ? null : subscriberTargetFor(rule, presence);
  const held = heldWrite(agent);
  const blocked = acdBlocker(rule, agent);
  if (held && (target === null || target.kind === 'Available')) return release(rule, agent, held, blocked, now);
  if (own)
    return skipped(
      agent,
      'ECHO',
      `Teams shows ${describePresence(presence)}, our own session: no status of the user's to write`,
    );
  if (target === null)
    return skipped(agent, 'NO_MAPPING', `rule "${rule.name}" maps Teams ${describePresence(presence)} to no ACD state`);
  if (target.kind === 'Available')
    return skipped(
      agent,
      'NOTHING_TO_RESTORE',
      `Teams shows ${describePresence(presence)} but the sync holds no ACD state of its own to undo`,
    );
  if (blocked) return blocked;
  return hold(rule, agent, target, now);
}

/**
 * Teams shows exactly our own session (`ours`, what we show there), and the user has not set a
 * status by hand: whatever the user's own sessions show is weaker, so the status any write of ours
 * stood on has ended, and the presence is no request of the user's. Mapping it back to the ACD
 * would write our own publish back (e.g. our session still showing a finished call as Busy/InACall
 * → a "Teams Call" code, found by the lag property).
 */
function showsOurSession(agent: AgentSyncState, ours: TeamsPresence | null): boolean {
  return ours !== null && samePresence(ours, agent.teams!.presence) && !isManualStatus(agent);
}

/** Why the ACD may not be written now, or null. */
function acdBlocker(rule: PresenceRule, agent: AgentSyncState): Decision | null {
  const state = agent.acd?.state;
  if (state === undefined) return skipped(agent, 'AGENT_LOGGED_OUT', 'the ACD state of the agent is not known yet');
  if (state.name === 'LoggedOut')
    return skipped(forgetHeld(agent), 'AGENT_LOGGED_OUT', 'the agent is logged out of the ACD');
  if (isOnContact(state) || state.afterCallWork)
    return skipped(
      agent,
      'ACD_WINS_ON_CONTACT',
      `the agent is in ${describeAcdState(state)}; the ACD wins until it ends`,
    );
  if (matchesAnyPattern(state, rule.noSyncStates))
    return skipped(agent, 'NO_SYNC_STATE', `${describeAcdState(state)} is a no-sync state of rule "${rule.name}"`);
  return null;
}

function hold(rule: PresenceRule, agent: AgentSyncState, target: AcdTarget, now: number): Decision {
  const state = agent.acd!.state;
  if (stateIsTarget(state, target) && !restoringFrom(agent, target))
    return skipped(agent, 'ALREADY_IN_STATE', `the agent is already in ${describeAcdState(state)}`);
  const write = requested(agent, target, now, rule.id);
  if (write === null)
    return skipped(
      forgetHeld(agent),
      'STATE_NOT_RESTORABLE',
      `${describeAcdState(state)} could not be restored afterwards, so it is left alone`,
    );
  const reason = `rule "${rule.name}": Teams ${describePresence(agent.teams!.presence)} → ${describeTarget(target)}`;
  return decision({ ...agent, acdWritten: write }, { kind: 'setAcdState', target, ruleId: rule.id, reason });
}

function release(
  rule: PresenceRule,
  agent: AgentSyncState,
  held: HeldAcdWrite,
  blocked: Decision | null,
  now: number,
): Decision {
  if (blocked) return blocked;
  const state = agent.acd!.state;
  const free = without(agent, 'acdWritten');
  const after = releasing(held, state, now);
  if (after === null) {
    return skipped(
      free,
      'AGENT_CHANGED_STATE',
      `the agent moved to ${describeAcdState(state)} after our ${describeTarget(held.target)}; their choice stays`,
    );
  }
  const reason = `rule "${rule.name}": Teams ${describePresence(agent.teams!.presence)} ended our ${describeTarget(held.target)}; restoring ${describeTarget(held.replaced)}`;
  const next: AgentSyncState = { ...free, acdWritten: after };
  return decision(next, { kind: 'setAcdState', target: held.replaced, ruleId: rule.id, reason });
}

/** Drop a write we hold; a released one stays until the ACD reports again (its late arrival is ours). */
const forgetHeld = (agent: AgentSyncState): AgentSyncState => (heldWrite(agent) ? without(agent, 'acdWritten') : agent);
