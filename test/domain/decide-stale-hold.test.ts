import { decide } from '../../src/domain/decide.js';
import type { Decision, SyncEvent } from '../../src/domain/effects.js';
import type { RuleDirection } from '../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../src/domain/sync-state.js';
import { CODES, P, T0, acd, acdEvent, agentState, map, rule, teamsEvent, tick } from './builders.js';

/**
 * A hold of ours that Teams no longer wants must not outlive a contact (soak finding, agent
 * 1001074): the agent landed in the "Teams Call" code after a voice call and stayed unroutable.
 */
const TEAMS_CALL = { id: '110', name: 'Teams Call' } as const;
const TEAMS_CALL_TARGET = { kind: 'Unavailable', codeId: TEAMS_CALL.id } as const;

const ruleFor = (direction: RuleDirection, debounceMs = 0) => {
  const base = rule({ direction });
  return rule({
    direction,
    debounceMs,
    mappings: [...base.mappings, map({ kind: 'Unavailable', codeId: TEAMS_CALL.id }, P.inACall)],
  });
};

const reasons = (d: Decision): string[] => d.effects.map((e) => (e.kind === 'skip' ? e.reason : e.kind));
const acdWrites = (d: Decision) => d.effects.filter((e) => e.kind === 'setAcdState');

/** Feeds events through decide in order, each decided at its own time. */
function replay(
  direction: RuleDirection,
  start: AgentSyncState,
  steps: readonly (readonly [SyncEvent, number])[],
  debounceMs = 0,
): Decision[] {
  let agent = start;
  return steps.map(([event, now]) => {
    const d = decide({ rule: ruleFor(direction, debounceMs), agent, event, now, syncEnabled: true });
    agent = d.next;
    return d;
  });
}

const availableAgent = (): AgentSyncState =>
  agentState({ acd: { state: acd.available(), sourceTime: T0 - 5000, eventId: 'acd-prev' } });

describe.each(['subscriber', 'bidirectional'] as const)(
  '%s: a Teams call that starts and ends during a voice call the ACD had not reported yet',
  (direction) => {
    // The voice call starts at T0 (CXone time); the poll reports it late. Our write is decided at T0 + 100.
    const sequence = (): Decision[] =>
      replay(direction, availableAgent(), [
        [teamsEvent(P.inACall, T0 + 100), T0 + 100], // decide still sees Available: writes the Teams Call code
        [acdEvent(acd.contact(), T0), T0 + 900], // the voice call (older than our write) arrives late
        [teamsEvent(P.available, T0 + 2000), T0 + 2000], // the Teams call ends while the voice call is on
        [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3000), T0 + 3000], // call over: CXone applies the state we requested
      ]);

    it('writes the code, then skips the way back while the ACD wins on the contact', () => {
      const [hold, , back] = sequence();
      expect(acdWrites(hold!)).toEqual([expect.objectContaining({ target: TEAMS_CALL_TARGET })]);
      expect(reasons(back!)).toEqual(['ACD_WINS_ON_CONTACT']);
      expect(back!.next.acdWritten).toMatchObject({ target: TEAMS_CALL_TARGET, replaced: { kind: 'Available' } });
    });

    it('when the agent lands in our code after the call, restores what it replaced', () => {
      const landed = sequence()[3]!;
      expect(acdWrites(landed)).toEqual([
        expect.objectContaining({ kind: 'setAcdState', target: { kind: 'Available' } }),
      ]);
      expect(landed.next.acdWritten).toMatchObject({ phase: 'restoring', target: TEAMS_CALL_TARGET });
    });

    it('the restored Available settles: its echo writes nothing more to the ACD', () => {
      const [, , , landed] = sequence();
      const echo = decide({
        rule: ruleFor(direction),
        agent: landed!.next,
        event: acdEvent(acd.available(), T0 + 3500),
        now: T0 + 3500,
        syncEnabled: true,
      });
      expect(acdWrites(echo)).toEqual([]);
    });

    it("the same after the call's after-call work", () => {
      const ds = replay(direction, availableAgent(), [
        [teamsEvent(P.inACall, T0 + 100), T0 + 100],
        [acdEvent(acd.contact(), T0), T0 + 900],
        [teamsEvent(P.available, T0 + 2000), T0 + 2000],
        [acdEvent(acd.acw(), T0 + 2500), T0 + 2500],
        [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3000), T0 + 3000],
      ]);
      expect(acdWrites(ds[4]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    });

    it('a Teams status that maps to nothing releases it too', () => {
      const ds = replay(direction, availableAgent(), [
        [teamsEvent(P.inACall, T0 + 100), T0 + 100],
        [acdEvent(acd.contact(), T0), T0 + 900],
        [teamsEvent(P.brb, T0 + 2000), T0 + 2000],
        [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3000), T0 + 3000],
      ]);
      expect(acdWrites(ds[3]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    });

    it('keeps the code while the Teams call is still on, and the normal way back releases it later', () => {
      const ds = replay(direction, availableAgent(), [
        [teamsEvent(P.inACall, T0 + 100), T0 + 100],
        [acdEvent(acd.contact(), T0), T0 + 900],
        [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3000), T0 + 3000],
        [teamsEvent(P.available, T0 + 4000), T0 + 4000],
      ]);
      expect(acdWrites(ds[2]!)).toEqual([]);
      expect(acdWrites(ds[3]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    });

    it('with a debounce too: the restore is written once, when the agent lands, and no later tick writes again', () => {
      const ds = replay(
        direction,
        availableAgent(),
        [
          [teamsEvent(P.inACall, T0 + 100), T0 + 100],
          [tick(T0 + 2100), T0 + 2100], // the Teams call held: the code is written
          [acdEvent(acd.contact(), T0), T0 + 2200],
          [teamsEvent(P.available, T0 + 3000), T0 + 3000], // the way back waits out the debounce
          [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3500), T0 + 3500],
          [tick(T0 + 5000), T0 + 5000],
        ],
        2000,
      );
      expect(acdWrites(ds[1]!)).toEqual([expect.objectContaining({ target: TEAMS_CALL_TARGET })]);
      expect(acdWrites(ds[4]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
      expect(acdWrites(ds[5]!)).toEqual([]);
    });
  },
);

describe.each(['subscriber', 'bidirectional'] as const)(
  '%s: the reverse race, the voice call reported with a time after our write',
  (direction) => {
    // CXone started the call before it applied our write, but its lastUpdateTime is later than our decision.
    const sequence = (): Decision[] =>
      replay(direction, availableAgent(), [
        [teamsEvent(P.inACall, T0), T0],
        [acdEvent(acd.contact(), T0 + 50), T0 + 900],
        [teamsEvent(P.available, T0 + 2000), T0 + 2000],
        [acdEvent(acd.acw(), T0 + 2500), T0 + 2500],
        [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3000), T0 + 3000],
      ]);

    it('remembers our write through the contact and its after-call work', () => {
      const ds = sequence();
      expect(ds[1]!.next.acdWritten).toMatchObject({ target: TEAMS_CALL_TARGET });
      expect(ds[3]!.next.acdWritten).toMatchObject({ target: TEAMS_CALL_TARGET });
    });

    it('and restores Available when the agent lands in our code', () => {
      expect(acdWrites(sequence()[4]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    });
  },
);

describe('what stays as it was', () => {
  const held = {
    phase: 'shown',
    target: TEAMS_CALL_TARGET,
    replaced: { kind: 'Available' },
    over: { kind: 'Available' },
    at: T0 - 3000,
    ruleId: 'rule-1',
  } as const;
  const confirmed = (): AgentSyncState =>
    agentState({
      acd: { state: acd.unavailable(TEAMS_CALL), sourceTime: T0 - 2000, eventId: 'acd-prev' },
      acdWritten: held,
      teams: { presence: P.inACall, sourceTime: T0 - 3000, eventId: 't-prev' },
    });

  it("a contact taken after the ACD showed our code (the agent's own call) still makes us forget the write", () => {
    const d = decide({
      rule: ruleFor('subscriber'),
      agent: confirmed(),
      event: acdEvent(acd.contact('OutboundContact'), T0),
      now: T0,
      syncEnabled: true,
    });
    expect(d.next.acdWritten).toBeUndefined();
  });

  it('the agent leaving the contact for Available forgets the write and writes nothing', () => {
    const ds = replay('subscriber', availableAgent(), [
      [teamsEvent(P.inACall, T0 + 100), T0 + 100],
      [acdEvent(acd.contact(), T0), T0 + 900],
      [teamsEvent(P.available, T0 + 2000), T0 + 2000],
      [acdEvent(acd.available(), T0 + 3000), T0 + 3000],
    ]);
    expect(acdWrites(ds[3]!)).toEqual([]);
    expect(ds[3]!.next.acdWritten).toBeUndefined();
  });

  it("a code of the agent's own after the call is left alone", () => {
    const ds = replay('subscriber', availableAgent(), [
      [teamsEvent(P.inACall, T0 + 100), T0 + 100],
      [acdEvent(acd.contact(), T0), T0 + 900],
      [teamsEvent(P.available, T0 + 2000), T0 + 2000],
      [acdEvent(acd.unavailable(CODES.lunch), T0 + 3000), T0 + 3000],
    ]);
    expect(acdWrites(ds[3]!)).toEqual([]);
  });
});

/**
 * Bidirectional rules: our own session shows the call too, and the end of a contact publishes
 * while the subscriber writes. Soak finding (agent 1000210): the end of ACW published Available and
 * wrote the Teams Call code in one decision; the Teams call's end then showed Available, taken for
 * the echo of that publish, and the agent stayed in our code.
 */
describe('bidirectional: our own session and the subscriber write', () => {
  const teamsWrites = (d: Decision) =>
    d.effects.filter((e) => e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence');
  const onCall = (): AgentSyncState =>
    agentState({
      acd: { state: acd.contact(), sourceTime: T0 - 5000, eventId: 'acd-call' },
      published: { presence: P.inACall, at: T0 - 5000, ruleId: 'rule-1', preferred: false },
    });

  it('the end of a Teams call that started during the ACW releases the code written when the ACW ended', () => {
    const ds = replay('bidirectional', onCall(), [
      [acdEvent(acd.acw(), T0), T0], // ACW maps to nothing: our session is cleared
      [teamsEvent(P.inACall, T0 + 100), T0 + 100], // the user's Teams call (ACD wins during ACW)
      [acdEvent(acd.available(), T0 + 1000), T0 + 1000], // ACW ends: publish Available + write the Teams Call code
      [teamsEvent(P.available, T0 + 2000), T0 + 2000], // the Teams call ends: Teams shows our Available
    ]);
    expect(teamsWrites(ds[2]!)).toEqual([expect.objectContaining({ presence: P.available })]);
    expect(acdWrites(ds[2]!)).toEqual([expect.objectContaining({ target: TEAMS_CALL_TARGET })]);
    expect(reasons(ds[3]!)).toEqual(['setAcdState']);
    expect(acdWrites(ds[3]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    expect(ds[3]!.next.acdWritten).toMatchObject({ phase: 'released', target: TEAMS_CALL_TARGET });
  });

  it('a status our new session would hide (Away under Available) is not written at the end of the ACW: its end could never be seen', () => {
    const ds = replay('bidirectional', onCall(), [
      [acdEvent(acd.acw(), T0), T0],
      [teamsEvent(P.away, T0 + 100), T0 + 100],
      [acdEvent(acd.available(), T0 + 1000), T0 + 1000],
    ]);
    expect(teamsWrites(ds[2]!)).toEqual([expect.objectContaining({ presence: P.available })]);
    expect(acdWrites(ds[2]!)).toEqual([]);
  });

  it('the echo of our own publish still writes nothing while the code it stands on is held', () => {
    const ds = replay('bidirectional', onCall(), [
      [acdEvent(acd.acw(), T0), T0],
      [teamsEvent(P.presenting, T0 + 100), T0 + 100], // the user presents: DND outranks our Available
      [acdEvent(acd.available(), T0 + 1000), T0 + 1000],
      [acdEvent(acd.unavailable(CODES.training), T0 + 1500), T0 + 1500], // our code arrives
    ]);
    expect(acdWrites(ds[2]!)).toEqual([
      expect.objectContaining({ target: { kind: 'Unavailable', codeId: CODES.training.id } }),
    ]);
    expect(reasons(ds[3]!)).toEqual(['ECHO']);
    expect(ds[3]!.next.acdWritten).toBeDefined();
  });

  /*
   * Helper D's case: the Teams Call code and voice calls map to the same Teams presence. A Teams
   * call starts during a voice call the ACD has not reported: we write the code; the voice call
   * shows Busy/InACall from our session, which hides the Teams call's end; the agent lands in our
   * code when the voice call ends while our session still shows the finished call.
   */
  const landed = (): Decision[] =>
    replay(
      'bidirectional',
      agentState({
        acd: { state: acd.available(), sourceTime: T0 - 5000, eventId: 'acd-prev' },
        published: { presence: P.available, at: T0 - 5000, ruleId: 'rule-1', preferred: false },
        teams: { presence: P.available, sourceTime: T0 - 4000, eventId: 't-prev' },
      }),
      [
        [teamsEvent(P.inACall, T0 + 100), T0 + 100], // the user's Teams call: the code is written
        [acdEvent(acd.contact(), T0), T0 + 900], // the voice call, reported late: our session shows it
        [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3000), T0 + 3000], // voice call over: CXone applies our code
      ],
    );

  it('landing in our code after the call, our session goes back to what the code replaced', () => {
    const ds = landed();
    expect(teamsWrites(ds[1]!)).toEqual([expect.objectContaining({ presence: P.inACall })]);
    expect(teamsWrites(ds[2]!)).toEqual([expect.objectContaining({ kind: 'setTeamsPresence', presence: P.available })]);
    expect(acdWrites(ds[2]!)).toEqual([]);
    expect(ds[2]!.next.acdWritten).toMatchObject({ target: TEAMS_CALL_TARGET });
  });

  it('then Teams showing Available (the Teams call had ended) releases the code', () => {
    const last = landed()[2]!;
    const d = decide({
      rule: ruleFor('bidirectional'),
      agent: last.next,
      event: teamsEvent(P.available, T0 + 3500),
      now: T0 + 3500,
      syncEnabled: true,
    });
    expect(acdWrites(d)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
  });

  it('and while the Teams call is still on, Teams keeps showing it: the code stays', () => {
    const last = landed()[2]!;
    // Our Available does not change the aggregate (Busy outranks it): no notification at all.
    expect(last.next.acdWritten).toBeDefined();
    const d = decide({
      rule: ruleFor('bidirectional'),
      agent: last.next,
      event: teamsEvent(P.inACall, T0 + 3500),
      now: T0 + 3500,
      syncEnabled: true,
    });
    expect(acdWrites(d)).toEqual([]);
  });

  it('Teams falling back to our own session (still showing the finished call) never writes our code from it', () => {
    const agent = agentState({
      acd: { state: acd.available(), sourceTime: T0 - 100, eventId: 'acd-prev' },
      published: { presence: P.inACall, at: T0 - 5000, ruleId: 'rule-1', preferred: false },
      teams: { presence: P.presenting, sourceTime: T0 - 4000, eventId: 't-prev' },
    });
    const d = decide({
      rule: ruleFor('bidirectional'),
      agent,
      event: teamsEvent(P.inACall, T0),
      now: T0,
      syncEnabled: true,
    });
    expect(acdWrites(d)).toEqual([]);
    expect(reasons(d)).toEqual(['ECHO']);
  });
});

/**
 * Soak finding (agent 1001380, a duplicate Graph write): Teams went back before the ACD showed our
 * code, so we restored at once; the code then arrived late, was taken for the agent's own choice
 * and published (Busy for a second), and the restore's arrival published Available again.
 */
describe.each(['subscriber', 'bidirectional'] as const)(
  '%s: our code arriving after we already undid it',
  (direction) => {
    const sequence = (): Decision[] =>
      replay(
        direction,
        agentState({
          acd: { state: acd.available(), sourceTime: T0 - 5000, eventId: 'acd-prev' },
          published: { presence: P.available, at: T0 - 5000, ruleId: 'rule-1', preferred: false },
          teams: { presence: P.available, sourceTime: T0 - 4000, eventId: 't-prev' },
        }),
        [
          [teamsEvent(P.inACall, T0), T0], // the user's Teams call: the code is written
          [teamsEvent(P.available, T0 + 800), T0 + 800], // it ends before the ACD showed the code: restore
          [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 10), T0 + 900], // the code arrives late
          [acdEvent(acd.available(), T0 + 820), T0 + 1000], // then the restore
        ],
      );

    it("restores at once, and takes the code's late arrival for our own write: nothing is published or written", () => {
      const ds = sequence();
      expect(acdWrites(ds[1]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
      expect(reasons(ds[2]!)).toEqual(['ECHO']);
      expect(ds[1]!.next.acdWritten).toMatchObject({ phase: 'released', target: TEAMS_CALL_TARGET });
      expect(ds[2]!.next.acdWritten).toBeUndefined();
    });

    it("the restore's arrival changes nothing on Teams either", () => {
      const ds = sequence();
      expect(ds[3]!.effects.filter((e) => e.kind !== 'skip')).toEqual([]);
    });

    it('a code the agent picks later (after another ACD state) is theirs again', () => {
      const ds = sequence();
      const later = decide({
        rule: ruleFor(direction),
        agent: ds[3]!.next,
        event: acdEvent(acd.unavailable(TEAMS_CALL), T0 + 5000),
        now: T0 + 5000,
        syncEnabled: true,
      });
      expect(reasons(later)).not.toContain('ECHO');
    });
  },
);

/**
 * Found with rich notifications, which deliver Teams changes back to back: a Teams status (we
 * write its code), a Teams call (we switch to the call's code), then Available before the ACD
 * showed the switch. The last ACD state seen was our own first code, taken for the agent's choice:
 * the restore was skipped and the agent stayed in the call's code, unroutable.
 */
describe.each(['subscriber', 'bidirectional'] as const)(
  '%s: Teams goes back before the ACD showed our switch of codes',
  (direction) => {
    const sequence = (): Decision[] =>
      replay(
        direction,
        agentState({
          acd: { state: acd.available(), sourceTime: T0 - 5000, eventId: 'acd-prev' },
          published: { presence: P.available, at: T0 - 5000, ruleId: 'rule-1', preferred: false },
          teams: { presence: P.available, sourceTime: T0 - 4000, eventId: 't-prev' },
        }),
        [
          [teamsEvent(P.meeting, T0), T0], // a Teams meeting: the meeting code is written
          [acdEvent(acd.unavailable(CODES.meeting), T0 + 100), T0 + 200], // the ACD shows it
          [teamsEvent(P.inACall, T0 + 1000), T0 + 1000], // a Teams call: switch to the Teams Call code
          [teamsEvent(P.available, T0 + 1300), T0 + 1300], // back to Available before the ACD showed the switch
          [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 1050), T0 + 1400], // the switch arrives late
          [acdEvent(acd.available(), T0 + 1350), T0 + 1500], // then the restore
        ],
      );

    it('switches codes keeping what the first write replaced', () => {
      const ds = sequence();
      expect(acdWrites(ds[2]!)).toEqual([expect.objectContaining({ target: TEAMS_CALL_TARGET })]);
      expect(ds[2]!.next.acdWritten).toMatchObject({
        target: TEAMS_CALL_TARGET,
        replaced: { kind: 'Available' },
        over: { kind: 'Unavailable', codeId: CODES.meeting.id },
      });
    });

    it('restores Available when Teams goes back, though the ACD still shows our previous code', () => {
      const ds = sequence();
      expect(acdWrites(ds[3]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    });

    it('the late switch and the restore then settle with nothing more written', () => {
      const ds = sequence();
      expect(reasons(ds[4]!)).toEqual(['ECHO']);
      expect(acdWrites(ds[5]!)).toEqual([]);
      expect(ds[5]!.effects.filter((e) => e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence')).toEqual(
        [],
      );
    });

    it('an agent who really moved after our write (a newer ACD state) keeps their choice', () => {
      const ds = replay(
        direction,
        agentState({
          acd: { state: acd.available(), sourceTime: T0 - 5000, eventId: 'acd-prev' },
          teams: { presence: P.available, sourceTime: T0 - 4000, eventId: 't-prev' },
        }),
        [
          [teamsEvent(P.meeting, T0), T0],
          [acdEvent(acd.unavailable(CODES.meeting), T0 + 100), T0 + 200],
          [teamsEvent(P.inACall, T0 + 1000), T0 + 1000],
          [acdEvent(acd.unavailable(CODES.lunch), T0 + 1200), T0 + 1250], // the agent picks Lunch themselves
          [teamsEvent(P.available, T0 + 1300), T0 + 1300],
        ],
      );
      expect(acdWrites(ds[4]!)).toEqual([]);
    });
  },
);
