import type { DecideInput, Decision } from './effects.js';
import { isManualStatus, shownByUs } from './manual-status.js';
import { describePresence, publishes, subscribes } from './match.js';
import type { TeamsPresence, TeamsPresenceEvent } from './presence.js';
import { outranks, samePresence } from './presence.js';
import { comparableVersions } from './presence-version.js';
import { consumeLateEcho, withoutLateEchoes } from './late-echo.js';
import { heldWrite } from './subscriber-write.js';
import type { PresenceRule } from './presence-rule.js';
import type { AgentSyncState } from './sync-state.js';
import { decision, dropPending, gateRule, skipped, withPending } from './decide-support.js';
import { publishCurrentState } from './decide-publish.js';
import { subscribeCurrentPresence } from './decide-subscribe.js';

/** A Teams presence event: order it, record it, drop our own echo, then write the ACD if the rule says so. */
export function decideTeamsEvent(input: DecideInput, event: TeamsPresenceEvent): Decision {
  const { agent } = input;
  if (agent.teamsUserId !== undefined && agent.teamsUserId !== event.teamsUserId) {
    return skipped(
      agent,
      'NOT_LINKED',
      `Teams user ${event.teamsUserId} is not the one linked to agent ${agent.agentId}`,
    );
  }
  const order = orderProblem(agent, event);
  if (order) return order;
  const published = withoutLateEchoes(agent.published);
  const next: AgentSyncState = {
    ...agent,
    teamsUserId: event.teamsUserId,
    teams: recorded(event, shownByUs(agent.published)),
    ...(published !== undefined ? { published } : {}),
  };
  const gate = gateRule(input.rule, input.syncEnabled);
  if (gate) return decision(next, gate);
  const rule = input.rule!;
  if (isEcho(agent, event) && !endsOwnWrite(rule, agent, event))
    return skipped(next, 'ECHO', `Teams shows ${describePresence(event.presence)}, which we published`);
  const lateEchoes = consumeLateEcho(agent.published, event);
  if (lateEchoes !== null) return lateEcho(agent, event, lateEchoes);
  // A hand-set status that starts (override) or ends (respect) changes what we should publish.
  const manualChanged = publishes(rule) && isManualStatus(agent) !== isManualStatus(next);
  if (!subscribes(rule)) {
    if (manualChanged) return publishCurrentState(rule, next, { now: input.now, debounce: false });
    return skipped(
      next,
      'DIRECTION_NOT_COVERED',
      `rule "${rule.name}" is publisher-only: Teams changes are not written to the ACD`,
    );
  }
  const sub = damped(rule, next, subscribeCurrentPresence(rule, next, input.now), input.now);
  return manualChanged ? withRepublish(rule, sub, input.now) : sub;
}

/**
 * The late notification of a publication of ours we have since replaced (late-echo.ts): it says
 * nothing about the user. Its version is taken (so it orders what follows and a repeat of it is a
 * duplicate), but not its presence or time: what we believe Teams shows stays as it was, and the
 * echo of our current publication, still to come, is still recognised as the first one after it.
 */
function lateEcho(agent: AgentSyncState, event: TeamsPresenceEvent, lateEchoes: LateEchoes): Decision {
  const published = agent.published!;
  const { lateEchoes: _consumed, ...rest } = published;
  const teams: AgentSyncState['teams'] =
    agent.teams === undefined
      ? recorded(event)
      : {
          ...agent.teams,
          eventId: event.eventId,
          ...(event.sequenceNumber !== undefined ? { sequenceNumber: event.sequenceNumber } : {}),
        };
  const next: AgentSyncState = {
    ...agent,
    teamsUserId: event.teamsUserId,
    teams,
    published: lateEchoes.length > 0 ? { ...rest, lateEchoes } : rest,
  };
  const now = shownByUs(published);
  return skipped(
    next,
    'ECHO',
    `Teams shows ${describePresence(event.presence)}: the late notification of what we published before ${now === null ? 'clearing our presence' : describePresence(now)}, not a change by the user`,
  );
}

type LateEchoes = NonNullable<NonNullable<AgentSyncState['published']>['lateEchoes']>;

/** Flap damping for ACD writes: a Teams change must hold `debounceMs` before it writes the ACD; one that needs no write cancels the wait. */
function damped(rule: PresenceRule, before: AgentSyncState, sub: Decision, now: number): Decision {
  const write = sub.effects.find((e) => e.kind === 'setAcdState');
  if (!write) return { ...sub, next: dropPending(sub.next, 'teams') };
  if (rule.debounceMs === 0) return sub;
  const dueAt = now + rule.debounceMs;
  const reason = `${write.reason}, once Teams held it ${rule.debounceMs} ms`;
  return decision(
    withPending(before, 'teams', dueAt, reason),
    { kind: 'recheckAt', at: dueAt, reason },
    { kind: 'skip', reason: 'DEBOUNCED', detail: reason },
  );
}

/**
 * Our own write coming back: the first observation after our publish that shows what we
 * published. Later notifications with the same value are real changes (e.g. the user's meeting
 * ended and the aggregate fell back to our session), so value equality alone is not enough.
 */
function isEcho(agent: AgentSyncState, event: TeamsPresenceEvent): boolean {
  const ours = shownByUs(agent.published);
  if (ours === null || !samePresence(ours, event.presence)) return false;
  return agent.teams === undefined || agent.teams.sourceTime < agent.published!.at;
}

/**
 * Teams now shows what we published, but the status on record before it (which our subscriber
 * write stands on) outranks our session, or is hand-set (and we hold no preferred layer over it):
 * our publish could not have changed the
 * aggregate, so it has no echo and this is the user's status ending, to be written through (the
 * subscriber sees our own session and releases the write). Dropped as an echo, the agent would
 * stay in our code for good (soak finding: the end of ACW published Available and wrote the code
 * for a Teams call in one decision; the Teams call's end looked like the echo of that Available).
 */
function endsOwnWrite(rule: PresenceRule, agent: AgentSyncState, event: TeamsPresenceEvent): boolean {
  if (!subscribes(rule) || heldWrite(agent) === undefined || agent.teams === undefined) return false;
  // Our preferred layer (override policy) replaces whatever the user shows: it always has an echo.
  if (agent.published?.preferred) return false;
  return isManualStatus(agent) || outranks(agent.teams.presence, event.presence);
}

function recorded(event: TeamsPresenceEvent, ours: TeamsPresence | null = null): NonNullable<AgentSyncState['teams']> {
  const base = { presence: event.presence, sourceTime: event.sourceTime, eventId: event.eventId };
  return {
    ...base,
    ...(event.sequenceNumber !== undefined ? { sequenceNumber: event.sequenceNumber } : {}),
    ...(event.manualStatus !== undefined ? { manualStatus: event.manualStatus } : {}),
    ...(ours !== null && samePresence(ours, event.presence) ? { ours: true } : {}),
  };
}

/**
 * Sequence numbers order Graph versions when both are plausible and of the same shape
 * (presence-version.ts); otherwise the observation time does. A Graph read is what Graph holds
 * now: it replaces anything observed before it whatever its stamp (a forged stamp ordered after
 * every real one would otherwise make each later change stale for good).
 */
function orderProblem(agent: AgentSyncState, event: TeamsPresenceEvent): Decision | null {
  const last = agent.teams;
  if (!last) return null;
  if (last.eventId === event.eventId)
    return skipped(agent, 'DUPLICATE_EVENT', `Teams event ${event.eventId} was already handled`);
  const sameVersion = event.sequenceNumber !== undefined && event.sequenceNumber === last.sequenceNumber;
  const readAfter = event.read === true && last.sourceTime <= event.sourceTime;
  if (sameVersion && (!readAfter || samePresence(event.presence, last.presence)))
    return skipped(agent, 'DUPLICATE_EVENT', `Teams presence version ${event.sequenceNumber} was already handled`);
  if (readAfter) return null;
  if (comparableVersions(last.sequenceNumber, event.sequenceNumber)) {
    if (event.sequenceNumber! < last.sequenceNumber!)
      return skipped(
        agent,
        'STALE_EVENT',
        `Teams presence version ${event.sequenceNumber} is older than ${last.sequenceNumber}`,
      );
    return null;
  }
  if (event.sourceTime < last.sourceTime)
    return skipped(
      agent,
      'STALE_EVENT',
      `Teams presence seen at ${event.sourceTime} is older than the one seen at ${last.sourceTime}`,
    );
  return null;
}

/** The hand-set status started or ended: publish what that changes, unless the ACD is being written. */
function withRepublish(rule: PresenceRule, sub: Decision, now: number): Decision {
  if (sub.effects.some((e) => e.kind === 'setAcdState')) return sub;
  const pub = publishCurrentState(rule, sub.next, { now, debounce: false });
  if (!pub.effects.some((e) => e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence')) return sub;
  return decision(pub.next, ...sub.effects.filter((e) => e.kind === 'recheckAt'), ...pub.effects);
}
