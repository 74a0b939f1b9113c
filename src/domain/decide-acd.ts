import type { AcdState, AcdStateEvent } from './agent-state.js';
import { isOnContact } from './agent-state.js';
import type { DecideInput, Decision, TickEvent } from './effects.js';
import { isManualStatus, shownByUs } from './manual-status.js';
import {
  describeAcdState,
  describeTarget,
  publisherPresenceFor,
  publishes,
  stateIsTarget,
  subscriberTargetFor,
  subscribes,
} from './match.js';
import type { TeamsPresence } from './presence.js';
import { outranks, samePresence } from './presence.js';
import type { PresenceRule } from './presence-rule.js';
import type { AcdTarget, AcdWrite, AgentSyncState, HeldAcdWrite } from './sync-state.js';
import { heldWrite, observeAcd } from './subscriber-write.js';
import { decision, dropPending, gateRule, pendingSides, skipped, without } from './decide-support.js';
import { publishCurrentState } from './decide-publish.js';
import { subscribeCurrentPresence } from './decide-subscribe.js';

/** An ACD agent-state event: order it, record it, then publish to Teams if the rule says so. */
export function decideAcdEvent(input: DecideInput, event: AcdStateEvent): Decision {
  const { agent } = input;
  const last = agent.acd;
  if (last?.eventId === event.eventId)
    return skipped(agent, 'DUPLICATE_EVENT', `ACD event ${event.eventId} was already handled`);
  if (last && event.sourceTime < last.sourceTime) {
    return skipped(
      agent,
      'STALE_EVENT',
      `ACD ${describeAcdState(event.state)} at ${event.sourceTime} is older than ${describeAcdState(last.state)} at ${last.sourceTime}`,
    );
  }
  const observed = observeAcd(agent.acdWritten, event, last?.state);
  const next = withWrite(
    { ...agent, acd: { state: event.state, sourceTime: event.sourceTime, eventId: event.eventId } },
    observed.write,
  );
  if (observed.ownLateArrival) {
    return skipped(
      dropPending(next, 'acd'),
      'ECHO',
      `${describeTarget(agent.acdWritten!.target)} is our own subscriber write, undone before the ACD showed it; the restore follows`,
    );
  }
  const gate = gateRule(input.rule, input.syncEnabled);
  if (gate) return decision(without(next, 'pending'), gate);
  const rule = input.rule!;
  const published = publishAfterAcdChange(rule, next, input.now, true);
  if (!subscribes(rule)) return published;
  if (observed.arrived && unwantedOnArrival(rule, published.next))
    return withLateRelease(published, subscribeCurrentPresence(rule, dropPending(published.next, 'teams'), input.now));
  if (!reappliesTeams(last?.state, event.state) || ownPresence(next)) return published;
  return withDeferredSubscribe(published, subscribeCurrentPresence(rule, published.next, input.now));
}

function withWrite(agent: AgentSyncState, write: AcdWrite | undefined): AgentSyncState {
  return write === undefined ? without(agent, 'acdWritten') : { ...agent, acdWritten: write };
}

/**
 * The agent arrives in the code we wrote while the Teams presence on record no longer maps to it
 * (Available or nothing), or maps to it but would be hidden under the session we show then: no
 * Teams change will ever end it, so the way back is taken now (restore `replaced`). A write
 * applied at the end of a contact (CXone keeps a state requested during a call) is the usual way
 * to get here.
 */
function unwantedOnArrival(rule: PresenceRule, agent: AgentSyncState): boolean {
  const held = heldWrite(agent);
  if (!held || agent.teams === undefined) return false;
  const wanted = subscriberTargetFor(rule, agent.teams.presence);
  return wanted === null || wanted.kind === 'Available' || hiddenUnderOurSession(rule, agent, held);
}

/**
 * Our session, showing what the write replaced (publishUnderOwnWrite), will outrank the Teams
 * status the write stands on (e.g. Away under our Available): Teams can then never report that
 * status ending. Left in the usual order this cannot arise (the status was visible over our
 * session when we wrote); after a contact it can.
 */
function hiddenUnderOurSession(rule: PresenceRule, agent: AgentSyncState, held: HeldAcdWrite): boolean {
  if (!publishes(rule) || agent.published === undefined || isManualStatus(agent)) return false;
  const ours = publisherPresenceFor(rule, stateOfTarget(held.replaced));
  return ours !== null && !outranks(agent.teams!.presence, ours);
}

function withLateRelease(published: Decision, release: Decision): Decision {
  const writes = release.effects.filter((e) => e.kind === 'setAcdState');
  if (writes.length === 0) return published;
  return decision(release.next, ...published.effects, ...writes);
}

/**
 * While the agent was on a contact the ACD won and Teams changes were not written. When the
 * contact (or its after-call work) ends in Available, a Teams status that maps to an unavailable
 * code (e.g. the agent joined a Teams meeting meanwhile) is applied now, or the agent would be
 * routed while in the meeting. Only towards Available: an agent who picked a code themselves keeps it.
 */
function leftContactForAvailable(before: AcdState | undefined, after: AcdState): boolean {
  return before !== undefined && (isOnContact(before) || before.afterCallWork) && after.name === 'Available';
}

/**
 * Likewise a Teams status skipped because the agent was not logged in (or not seen yet) is applied
 * when they log in to Available (straight from LoggedOut, or through LoggedIn, which is not
 * restorable and so is never written itself). An agent who logs in to a code of their own keeps it.
 */
function loggedInToAvailable(before: AcdState | undefined, after: AcdState): boolean {
  return (
    (before === undefined || before.name === 'LoggedOut' || before.name === 'LoggedIn') && after.name === 'Available'
  );
}

const reappliesTeams = (before: AcdState | undefined, after: AcdState): boolean =>
  leftContactForAvailable(before, after) || loggedInToAvailable(before, after);

/** The Teams presence on record is (still) what we published: nothing the user did. */
function ownPresence(agent: AgentSyncState): boolean {
  const ours = shownByUs(agent.published);
  return agent.teams === undefined || (ours !== null && samePresence(ours, agent.teams.presence));
}

function withDeferredSubscribe(published: Decision, sub: Decision): Decision {
  const writes = sub.effects.filter((e) => e.kind === 'setAcdState');
  if (writes.length === 0 || sub.next.acdWritten?.target.kind !== 'Unavailable') return published;
  // What we publish now would hide that status in Teams (Away under our Available): its end could
  // never be seen, so the code would never be undone; left in the usual order it is hidden too.
  const ours = published.next.published?.presence ?? null;
  if (ours !== null && !isManualStatus(published.next) && !outranks(published.next.teams!.presence, ours))
    return published;
  return decision(sub.next, ...published.effects, ...writes);
}

/** A debounce deadline: carry out what each waiting side wants now, if the wait is over. */
export function decideTick(input: DecideInput, _event: TickEvent): Decision {
  const { agent, now } = input;
  const pending = agent.pending;
  if (!pending) return skipped(agent, 'DEBOUNCED', 'no change is waiting for its debounce');
  if (now < pending.dueAt)
    return decision(
      agent,
      { kind: 'recheckAt', at: pending.dueAt, reason: pending.reason },
      { kind: 'skip', reason: 'DEBOUNCED', detail: `not due before ${pending.dueAt}` },
    );
  const sides = pendingSides(agent);
  const next = without(agent, 'pending');
  const gate = gateRule(input.rule, input.syncEnabled);
  if (gate) return decision(next, gate);
  const rule = input.rule!;
  const acdSide = sides.includes('acd') ? publishAfterAcdChange(rule, next, now, false) : null;
  // The Teams side is judged by what our session showed when Teams reported it, not by what this tick publishes.
  const teamsSide = sides.includes('teams')
    ? subscribeOnTick(rule, acdSide?.next ?? next, now, pending.dueAt - rule.debounceMs, shownByUs(next.published))
    : null;
  return decision(teamsSide?.next ?? acdSide?.next ?? next, ...(acdSide?.effects ?? []), ...(teamsSide?.effects ?? []));
}

/** The settled Teams change, unless the agent changed their ACD state while it settled: their later choice wins. */
function subscribeOnTick(
  rule: PresenceRule,
  agent: AgentSyncState,
  now: number,
  waitStarted: number,
  ours: TeamsPresence | null,
): Decision {
  if (!subscribes(rule) || agent.teams === undefined)
    return skipped(agent, 'DIRECTION_NOT_COVERED', `rule "${rule.name}" no longer writes Teams changes to the ACD`);
  if (agent.acd && agent.acd.sourceTime > waitStarted) {
    return skipped(
      agent,
      'AGENT_CHANGED_STATE',
      `the agent moved to ${describeAcdState(agent.acd.state)} while the Teams change settled; their choice stays`,
    );
  }
  return subscribeCurrentPresence(rule, agent, now, ours);
}

function publishAfterAcdChange(rule: PresenceRule, agent: AgentSyncState, now: number, debounce: boolean): Decision {
  if (!publishes(rule))
    return skipped(
      dropPending(agent, 'acd'),
      'DIRECTION_NOT_COVERED',
      `rule "${rule.name}" is subscriber-only: ACD changes are not published`,
    );
  const held = heldWrite(agent);
  if (held && stateIsTarget(agent.acd!.state, held.target))
    return publishUnderOwnWrite(rule, agent, held, now, debounce);
  return publishCurrentState(rule, agent, { now, debounce });
}

/**
 * The ACD shows our own subscriber write. Publishing what it maps to would bounce back (our
 * session would then hold up the very Teams status that caused the write), so our session shows
 * what the write replaced: what it showed before the write in the usual order, where this
 * publishes nothing. Not so when the write was applied at the end of a contact (CXone keeps a
 * state requested during a call): our session still shows the call, which keeps Teams Busy over
 * the user's own presence, hides the end of the Teams status that caused the write, and, when
 * Teams maps the call's presence to our code too, holds the code up forever (soak finding).
 */
function publishUnderOwnWrite(
  rule: PresenceRule,
  agent: AgentSyncState,
  held: HeldAcdWrite,
  now: number,
  debounce: boolean,
): Decision {
  const echo = skipped(
    dropPending(agent, 'acd'),
    'ECHO',
    `${describeTarget(held.target)} is our own subscriber write; publishing it would bounce back`,
  );
  // Never published for this agent: there is no stale session of ours to correct.
  if (agent.published === undefined) return echo;
  const seen = agent.acd!;
  const underneath = publishCurrentState(
    rule,
    { ...agent, acd: { ...seen, state: stateOfTarget(held.replaced) } },
    { now, debounce },
  );
  const writes = underneath.effects.filter((e) => e.kind !== 'skip');
  if (writes.length === 0) return echo;
  const why = ` (the ACD shows our own ${describeTarget(held.target)}: our session shows the ${describeTarget(held.replaced)} it replaced, as before the contact)`;
  return decision(
    { ...underneath.next, acd: seen },
    ...writes.map((e) => ('reason' in e ? { ...e, reason: `${e.reason}${why}` } : e)),
  );
}

/** A state the sync can write, as the ACD would report it (the code's name is not known here). */
function stateOfTarget(target: AcdTarget): AcdState {
  if (target.kind === 'Available') return { name: 'Available', afterCallWork: false };
  return {
    name: 'Unavailable',
    afterCallWork: false,
    unavailableCode: { id: target.codeId, name: `code ${target.codeId}` },
  };
}
