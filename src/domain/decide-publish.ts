import { isOnContact, isOnVoiceContact } from './agent-state.js';
import type { Decision, Effect } from './effects.js';
import { isManualStatus, toPreferredPair } from './manual-status.js';
import { describeAcdState, describePresence, matchesAnyPattern, publisherPresenceFor, samePresenceOrNull } from './match.js';
import type { TeamsPresence } from './presence.js';
import type { PresenceRule } from './presence-rule.js';
import type { AgentSyncState } from './sync-state.js';
import { decision, skipped, without } from './decide-support.js';

/**
 * The publisher half (ACD → Teams) for the agent's current ACD state, already recorded in
 * `agent.acd`. Called for ACD events, debounce ticks, and when a hand-set Teams status ends.
 */
export interface PublishOptions {
  readonly now: number;
  /** False when re-evaluating after the debounce already ran (a tick). */
  readonly debounce: boolean;
}

interface Target {
  readonly presence: TeamsPresence | null;
  readonly preferred: boolean;
}

export function publishCurrentState(rule: PresenceRule, agent: AgentSyncState, opts: PublishOptions): Decision {
  const state = agent.acd?.state;
  if (state === undefined) return skipped(agent, 'NO_MAPPING', 'the ACD state of the agent is not known yet');
  if (agent.teamsUserId === undefined) return skipped(agent, 'NOT_LINKED', 'the agent is not linked to a Teams user');
  if (matchesAnyPattern(state, rule.noSyncStates)) return skipped(without(agent, 'pending'), 'NO_SYNC_STATE', `${describeAcdState(state)} is a no-sync state of rule "${rule.name}"`);
  if (isOnContact(state) && !isOnVoiceContact(state)) return skipped(without(agent, 'pending'), 'NOT_VOICE', `${describeAcdState(state)} is not a voice contact; only voice changes Teams presence`);
  const target = targetFor(rule, agent, publisherPresenceFor(rule, state));
  if ('skip' in target) return skipped(without(agent, 'pending'), target.skip, target.detail);
  return publishTarget(rule, agent, target, opts);
}

type TargetOrSkip = Target | { readonly skip: 'MANUAL_STATUS_RESPECTED' | 'NO_MAPPING' | 'AGENT_LOGGED_OUT' | 'ALREADY_IN_STATE'; readonly detail: string };

function targetFor(rule: PresenceRule, agent: AgentSyncState, wanted: TeamsPresence | null): TargetOrSkip {
  const state = agent.acd!.state;
  const published = agent.published?.presence ?? null;
  const loggedOut = state.name === 'LoggedOut';
  if (loggedOut || wanted === null) {
    if (published !== null) return { presence: null, preferred: agent.published!.preferred };
    return loggedOut
      ? { skip: 'AGENT_LOGGED_OUT', detail: 'the agent logged out and nothing of ours is shown in Teams' }
      : { skip: 'NO_MAPPING', detail: `rule "${rule.name}" maps ${describeAcdState(state)} to nothing and nothing of ours is shown in Teams` };
  }
  // Once on the preferred layer we stay on it until we clear, or the preferred layer would mask our session.
  if (agent.published?.preferred && published !== null) return { presence: toPreferredPair(wanted), preferred: true };
  if (!isManualStatus(agent)) return { presence: wanted, preferred: false };
  if (rule.manualStatusPolicy === 'override') return { presence: toPreferredPair(wanted), preferred: true };
  const shown = describePresence(agent.teams?.presence ?? null);
  return { skip: 'MANUAL_STATUS_RESPECTED', detail: `the agent set ${shown} by hand in Teams; rule "${rule.name}" respects it` };
}

function publishTarget(rule: PresenceRule, agent: AgentSyncState, target: Target, opts: PublishOptions): Decision {
  const published = agent.published;
  const shownLayer = published?.preferred ?? false;
  if (samePresenceOrNull(target.presence, published?.presence ?? null) && (target.presence === null || shownLayer === target.preferred)) {
    return skipped(without(agent, 'pending'), 'ALREADY_IN_STATE', `Teams already shows ${describePresence(target.presence)} from us`);
  }
  if (opts.debounce && rule.debounceMs > 0) {
    const dueAt = opts.now + rule.debounceMs;
    const reason = `publish ${describePresence(target.presence)} once ${describeAcdState(agent.acd!.state)} held ${rule.debounceMs} ms`;
    const next: AgentSyncState = { ...agent, pending: { dueAt, reason } };
    return decision(next, { kind: 'recheckAt', at: dueAt, reason }, { kind: 'skip', reason: 'DEBOUNCED', detail: reason });
  }
  return decision(
    { ...without(agent, 'pending'), published: { presence: target.presence, at: opts.now, ruleId: rule.id, preferred: target.presence === null ? false : target.preferred } },
    publishEffect(rule, agent, target),
  );
}

function publishEffect(rule: PresenceRule, agent: AgentSyncState, target: Target): Effect {
  const why = `rule "${rule.name}": ACD ${describeAcdState(agent.acd!.state)}`;
  if (target.presence === null) return { kind: 'clearTeamsPresence', preferred: target.preferred, ruleId: rule.id, reason: `${why} maps to nothing` };
  return { kind: 'setTeamsPresence', presence: target.presence, preferred: target.preferred, ruleId: rule.id, reason: `${why} → ${describePresence(target.presence)}` };
}
