import type { AcdStateEvent } from './agent-state.js';
import type { DecideInput, Decision, TickEvent } from './effects.js';
import { describeAcdState, describeTarget, publishes, stateIsTarget } from './match.js';
import type { PresenceRule } from './presence-rule.js';
import type { AgentSyncState } from './sync-state.js';
import { decision, gateRule, skipped, without } from './decide-support.js';
import { publishCurrentState } from './decide-publish.js';

/** An ACD agent-state event: order it, record it, then publish to Teams if the rule says so. */
export function decideAcdEvent(input: DecideInput, event: AcdStateEvent): Decision {
  const { agent } = input;
  const last = agent.acd;
  if (last?.eventId === event.eventId) return skipped(agent, 'DUPLICATE_EVENT', `ACD event ${event.eventId} was already handled`);
  if (last && event.sourceTime < last.sourceTime) {
    return skipped(agent, 'STALE_EVENT', `ACD ${describeAcdState(event.state)} at ${event.sourceTime} is older than ${describeAcdState(last.state)} at ${last.sourceTime}`);
  }
  const next = trackOwnWrite({ ...agent, acd: { state: event.state, sourceTime: event.sourceTime, eventId: event.eventId } }, event);
  const gate = gateRule(input.rule, input.syncEnabled);
  if (gate) return decision(without(next, 'pending'), gate);
  return publishAfterAcdChange(input.rule!, next, input.now, true);
}

/** A debounce deadline: publish what the ACD state wants now, if the wait is over. */
export function decideTick(input: DecideInput, _event: TickEvent): Decision {
  const { agent, now } = input;
  const pending = agent.pending;
  if (!pending) return skipped(agent, 'DEBOUNCED', 'no change is waiting for its debounce');
  if (now < pending.dueAt) return decision(agent, { kind: 'recheckAt', at: pending.dueAt, reason: pending.reason }, { kind: 'skip', reason: 'DEBOUNCED', detail: `not due before ${pending.dueAt}` });
  const next = without(agent, 'pending');
  const gate = gateRule(input.rule, input.syncEnabled);
  if (gate) return decision(next, gate);
  return publishAfterAcdChange(input.rule!, next, now, false);
}

function publishAfterAcdChange(rule: PresenceRule, agent: AgentSyncState, now: number, debounce: boolean): Decision {
  if (!publishes(rule)) return skipped(without(agent, 'pending'), 'DIRECTION_NOT_COVERED', `rule "${rule.name}" is subscriber-only: ACD changes are not published`);
  const held = agent.acdWritten;
  if (held && stateIsTarget(agent.acd!.state, held.target)) {
    return skipped(without(agent, 'pending'), 'ECHO', `${describeTarget(held.target)} is our own subscriber write; publishing it would bounce back`);
  }
  return publishCurrentState(rule, agent, { now, debounce });
}

/**
 * Forget our subscriber write once the ACD shows the agent left it (their own choice, a contact,
 * a logout), so a later Teams change never "restores" over the agent. Observations older than
 * the write are from before it and say nothing about it.
 */
function trackOwnWrite(agent: AgentSyncState, event: AcdStateEvent): AgentSyncState {
  const held = agent.acdWritten;
  if (!held) return agent;
  if (event.state.name === 'LoggedOut') return without(agent, 'acdWritten');
  if (event.sourceTime <= held.at || stateIsTarget(event.state, held.target)) return agent;
  return without(agent, 'acdWritten');
}
