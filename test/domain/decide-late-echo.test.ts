import { decide } from '../../src/domain/decide.js';
import type { Decision, SyncEvent } from '../../src/domain/effects.js';
import { LATE_ECHO_WINDOW_MS } from '../../src/domain/late-echo.js';
import type { AgentSyncState } from '../../src/domain/sync-state.js';
import {
  CODES,
  P,
  PUBLISHER_MAPPINGS,
  SUBSCRIBER_MAPPINGS,
  T0,
  acd,
  acdEvent,
  map,
  rule,
  teamsEvent,
  withAcd,
  withTeams,
} from './builders.js';

/**
 * Graph notifies a presence change up to a minute late (average under 10 s). A call shorter than
 * that sends our In a call and our Available before Teams has shown the first back: the late
 * In a call must not pass for the user's own Teams call (bidirectional: it would take the agent
 * off routing with the Teams Call code right after the customer call — the ping-pong the e2e
 * suite found once it ran with the sandbox's realistic latency).
 */
const bidirectional = rule({
  direction: 'bidirectional',
  mappings: [
    ...PUBLISHER_MAPPINGS,
    ...SUBSCRIBER_MAPPINGS,
    map({ kind: 'Unavailable', codeId: CODES.meeting.id }, { availability: 'Busy', activity: 'InACall' }),
  ],
});

const step = (agent: AgentSyncState, event: SyncEvent): Decision =>
  decide({ rule: bidirectional, agent, event, now: event.sourceTime, syncEnabled: true });
const kinds = (d: Decision) => d.effects.map((e) => (e.kind === 'skip' ? `skip ${e.reason}` : e.kind));

/** Logged in and Available, Teams Available; a customer call at T0 and its end 3 s later, published both. */
function callEndedBeforeItsEchoCame(): AgentSyncState {
  const start = withAcd(acd.available(), { teams: withTeams(P.available) });
  const call = step(start, acdEvent(acd.contact(), T0));
  expect(kinds(call)).toEqual(['setTeamsPresence']);
  const end = step(call.next, acdEvent(acd.available(), T0 + 3_000));
  expect(kinds(end)).toEqual(['setTeamsPresence']);
  return end.next;
}

describe('late echoes of our own publications (Graph notification latency)', () => {
  it('the late In a call of a call already over is our echo, not a Teams call: no ACD write', () => {
    const after = step(callEndedBeforeItsEchoCame(), teamsEvent(P.inACall, T0 + 8_000));
    expect(kinds(after)).toEqual(['skip ECHO']);
    expect(after.next.acdWritten).toBeUndefined();
    // What we believe Teams shows did not move: the late notification says nothing about the user.
    expect(after.next.teams?.presence).toEqual(P.available);
  });

  it('the echo of the current publication that follows it is still recognised', () => {
    const late = step(callEndedBeforeItsEchoCame(), teamsEvent(P.inACall, T0 + 8_000));
    const current = step(late.next, teamsEvent(P.available, T0 + 9_000));
    expect(kinds(current)).toEqual(['skip ECHO']);
  });

  it('a late echo is consumed once: the same presence again is the user', () => {
    const late = step(callEndedBeforeItsEchoCame(), teamsEvent(P.inACall, T0 + 8_000));
    const current = step(late.next, teamsEvent(P.available, T0 + 9_000));
    const own = step(current.next, teamsEvent(P.inACall, T0 + 20_000));
    expect(kinds(own)).toEqual(['setAcdState']);
  });

  it('after the documented maximum latency, the same presence is the user', () => {
    const own = step(callEndedBeforeItsEchoCame(), teamsEvent(P.inACall, T0 + LATE_ECHO_WINDOW_MS + 1));
    expect(kinds(own)).toEqual(['setAcdState']);
  });

  it('once Teams showed our In a call back, a Teams call after the customer call is the user', () => {
    const start = withAcd(acd.available(), { teams: withTeams(P.available) });
    const call = step(start, acdEvent(acd.contact(), T0));
    const echo = step(call.next, teamsEvent(P.inACall, T0 + 1_000));
    expect(kinds(echo)).toEqual(['skip ECHO']);
    const end = step(echo.next, acdEvent(acd.available(), T0 + 3_000));
    expect(end.next.published?.lateEchoes).toBeUndefined();
    const back = step(end.next, teamsEvent(P.available, T0 + 4_000));
    expect(kinds(back)).toEqual(['skip ECHO']);
    const own = step(back.next, teamsEvent(P.inACall, T0 + 10_000));
    expect(kinds(own)).toEqual(['setAcdState']);
  });
});

/**
 * Of two sessions of the same availability, Teams keeps showing the one it shows: a publication
 * that only ties with the user's own status changes nothing, and has no echo to wait for; one that
 * ties with our own session replaces it, and has (property test seed -1417714922 found the first).
 */
describe('late echoes when our publication ties in availability with what Teams shows', () => {
  const publisher = rule({
    direction: 'publisher',
    mappings: [
      map({ kind: 'OutboundConsult' }, { availability: 'Busy', activity: 'InAConferenceCall' }),
      ...PUBLISHER_MAPPINGS.filter((m) => m.acd.kind !== 'OutboundConsult'),
    ],
  });
  const publish = (agent: AgentSyncState, event: SyncEvent): Decision =>
    decide({ rule: publisher, agent, event, now: event.sourceTime, syncEnabled: true });

  it("a call under the user's Teams meeting owes no echo: the user's Teams call after it is recorded", () => {
    const inMeeting = withAcd(acd.available(), { teams: withTeams(P.meeting) });
    const call = publish(inMeeting, acdEvent(acd.contact(), T0));
    expect(kinds(call)).toEqual(['setTeamsPresence']);
    const end = publish(call.next, acdEvent(acd.available(), T0 + 3_000));
    expect(end.next.published?.lateEchoes).toBeUndefined();
    const teamsCall = publish(end.next, teamsEvent(P.inACall, T0 + 8_000));
    expect(kinds(teamsCall)).not.toContain('skip ECHO');
    expect(teamsCall.next.teams?.presence).toEqual(P.inACall);
  });

  it('a consult that replaced our own In a call owes its echo: its late Conference call is ours', () => {
    const start = withAcd(acd.available(), { teams: withTeams(P.available) });
    const call = publish(start, acdEvent(acd.contact(), T0));
    const echo = publish(call.next, teamsEvent(P.inACall, T0 + 1_000));
    expect(kinds(echo)).toEqual(['skip ECHO']);
    const consult = publish(echo.next, acdEvent(acd.contact('OutboundConsult'), T0 + 2_000));
    expect(kinds(consult)).toEqual(['setTeamsPresence']);
    const end = publish(consult.next, acdEvent(acd.available(), T0 + 4_000));
    const late = publish(end.next, teamsEvent({ availability: 'Busy', activity: 'InAConferenceCall' }, T0 + 9_000));
    expect(kinds(late)).toEqual(['skip ECHO']);
    expect(late.next.teams?.presence).toEqual(P.inACall);
  });
});
