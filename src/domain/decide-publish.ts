import { carriedLateEchoes } from './late-echo.js';
import { isOnContact, isOnVoiceContact } from './agent-state.js';
import type { Decision, Effect } from './effects.js';
import { isManualStatus, toPreferredPair } from './manual-status.js';
import {
  describeAcdState,
  describePresence,
  matchesAnyPattern,
  publisherPresenceFor,
  samePresenceOrNull,
} from './match.js';
import type { TeamsPresence } from './presence.js';
import type { PresenceRule } from './presence-rule.js';
import type { AgentSyncState } from './sync-state.js';
import { decision, dropPending, skipped, withPending } from './decide-support.js';

/**
 * The publisher half (ACD → Teams) for the agent's current ACD state, already recorded in
 * `agent.acd`. Called for ACD events, debounce ticks, and when a hand-set Teams status starts or ends.
 *
 * Our app session always carries the ACD state (setPresence). Under the `override` policy, while
 * the agent has a hand-set status, the preferred layer is written on top with the nearest
 * preferred pair, and removed again as soon as that ACD state ends (`published.preferred` says
 * we hold it; its pair is always toPreferredPair(published.presence)).
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
  if (matchesAnyPattern(state, rule.noSyncStates))
    return skipped(
      dropPending(agent, 'acd'),
      'NO_SYNC_STATE',
      `${describeAcdState(state)} is a no-sync state of rule "${rule.name}"`,
    );
  if (isOnContact(state) && !isOnVoiceContact(state))
    return skipped(
      dropPending(agent, 'acd'),
      'NOT_VOICE',
      `${describeAcdState(state)} is not a voice contact; only voice changes Teams presence`,
    );
  const wanted = state.name === 'LoggedOut' ? null : publisherPresenceFor(rule, state);
  const target = targetFor(rule, agent, wanted);
  if ('skip' in target) return skipped(dropPending(agent, 'acd'), target.skip, target.detail);
  return publishTarget(rule, agent, target, opts);
}

type TargetOrSkip =
  Target | { readonly skip: 'MANUAL_STATUS_RESPECTED' | 'NO_MAPPING' | 'AGENT_LOGGED_OUT'; readonly detail: string };

function targetFor(rule: PresenceRule, agent: AgentSyncState, wanted: TeamsPresence | null): TargetOrSkip {
  const state = agent.acd!.state;
  const published = agent.published;
  if (wanted === null) {
    if (published?.presence) return { presence: null, preferred: false };
    return state.name === 'LoggedOut'
      ? { skip: 'AGENT_LOGGED_OUT', detail: 'the agent logged out and nothing of ours is shown in Teams' }
      : {
          skip: 'NO_MAPPING',
          detail: `rule "${rule.name}" maps ${describeAcdState(state)} to nothing and nothing of ours is shown in Teams`,
        };
  }
  // We hold the preferred layer: keep it while the same presence is wanted, drop it with the next change.
  if (published?.preferred && published.presence)
    return { presence: wanted, preferred: samePresenceOrNull(wanted, published.presence) };
  if (!isManualStatus(agent)) return { presence: wanted, preferred: false };
  if (rule.manualStatusPolicy === 'override') return { presence: wanted, preferred: true };
  const shown = describePresence(agent.teams?.presence ?? null);
  return {
    skip: 'MANUAL_STATUS_RESPECTED',
    detail: `the agent set ${shown} by hand in Teams; rule "${rule.name}" respects it`,
  };
}

function publishTarget(rule: PresenceRule, agent: AgentSyncState, target: Target, opts: PublishOptions): Decision {
  const published = agent.published;
  const holdsPreferred = published?.preferred ?? false;
  if (samePresenceOrNull(target.presence, published?.presence ?? null) && holdsPreferred === target.preferred) {
    return skipped(
      dropPending(agent, 'acd'),
      'ALREADY_IN_STATE',
      `Teams already shows ${describePresence(target.presence)} from us`,
    );
  }
  if (opts.debounce && rule.debounceMs > 0) {
    const dueAt = opts.now + rule.debounceMs;
    const reason = `publish ${describePresence(target.presence)} once ${describeAcdState(agent.acd!.state)} held ${rule.debounceMs} ms`;
    const next = withPending(agent, 'acd', dueAt, reason);
    return decision(
      next,
      { kind: 'recheckAt', at: dueAt, reason },
      { kind: 'skip', reason: 'DEBOUNCED', detail: reason },
    );
  }
  const next: AgentSyncState = {
    ...dropPending(agent, 'acd'),
    published: {
      presence: target.presence,
      at: opts.now,
      ruleId: rule.id,
      preferred: target.preferred,
      ...lateEchoesOf(agent, opts.now),
    },
  };
  return decision(next, ...publishEffects(rule, agent, target));
}

function lateEchoesOf(
  agent: AgentSyncState,
  now: number,
): { lateEchoes?: NonNullable<AgentSyncState['published']>['lateEchoes'] } {
  const lateEchoes = carriedLateEchoes(agent, now);
  return lateEchoes.length > 0 ? { lateEchoes } : {};
}

/** Session first, then the preferred layer: the order the engine should write them in. */
function publishEffects(rule: PresenceRule, agent: AgentSyncState, target: Target): Effect[] {
  const why = `rule "${rule.name}": ACD ${describeAcdState(agent.acd!.state)}`;
  const shown = agent.published?.presence ?? null;
  const holdsPreferred = agent.published?.preferred ?? false;
  const effects: Effect[] = [];
  if (target.presence === null)
    effects.push({ kind: 'clearTeamsPresence', preferred: false, ruleId: rule.id, reason: `${why} maps to nothing` });
  else if (!samePresenceOrNull(target.presence, shown))
    effects.push({
      kind: 'setTeamsPresence',
      presence: target.presence,
      preferred: false,
      ruleId: rule.id,
      reason: `${why} → ${describePresence(target.presence)}`,
    });
  if (target.preferred && !holdsPreferred && target.presence) {
    const pair = toPreferredPair(target.presence);
    effects.push({
      kind: 'setTeamsPresence',
      presence: pair,
      preferred: true,
      ruleId: rule.id,
      reason: `${why}; overriding the status the agent set by hand with ${describePresence(pair)}`,
    });
  }
  if (!target.preferred && holdsPreferred)
    effects.push({
      kind: 'clearTeamsPresence',
      preferred: true,
      ruleId: rule.id,
      reason: `${why}; the override of the agent's own status ends`,
    });
  return effects;
}
