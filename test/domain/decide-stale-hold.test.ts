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
  return rule({ direction, debounceMs, mappings: [...base.mappings, map({ kind: 'Unavailable', codeId: TEAMS_CALL.id }, P.inACall)] });
};

const reasons = (d: Decision): string[] => d.effects.map((e) => (e.kind === 'skip' ? e.reason : e.kind));
const acdWrites = (d: Decision) => d.effects.filter((e) => e.kind === 'setAcdState');

/** Feeds events through decide in order, each decided at its own time. */
function replay(direction: RuleDirection, start: AgentSyncState, steps: readonly (readonly [SyncEvent, number])[], debounceMs = 0): Decision[] {
  let agent = start;
  return steps.map(([event, now]) => {
    const d = decide({ rule: ruleFor(direction, debounceMs), agent, event, now, syncEnabled: true });
    agent = d.next;
    return d;
  });
}

const availableAgent = (): AgentSyncState => agentState({ acd: { state: acd.available(), sourceTime: T0 - 5000, eventId: 'acd-prev' } });

describe.each(['subscriber', 'bidirectional'] as const)('%s: a Teams call that starts and ends during a voice call the ACD had not reported yet', (direction) => {
  // The voice call starts at T0 (CXone time); the poll reports it late. Our write is decided at T0 + 100.
  const sequence = (): Decision[] => replay(direction, availableAgent(), [
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
    expect(acdWrites(landed)).toEqual([expect.objectContaining({ kind: 'setAcdState', target: { kind: 'Available' } })]);
    expect(landed.next.acdWritten).toBeUndefined();
  });

  it('the restored Available settles: its echo writes nothing more to the ACD', () => {
    const [, , , landed] = sequence();
    const echo = decide({ rule: ruleFor(direction), agent: landed!.next, event: acdEvent(acd.available(), T0 + 3500), now: T0 + 3500, syncEnabled: true });
    expect(acdWrites(echo)).toEqual([]);
  });

  it('the same after the call\'s after-call work', () => {
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
    const ds = replay(direction, availableAgent(), [
      [teamsEvent(P.inACall, T0 + 100), T0 + 100],
      [tick(T0 + 2100), T0 + 2100], // the Teams call held: the code is written
      [acdEvent(acd.contact(), T0), T0 + 2200],
      [teamsEvent(P.available, T0 + 3000), T0 + 3000], // the way back waits out the debounce
      [acdEvent(acd.unavailable(TEAMS_CALL), T0 + 3500), T0 + 3500],
      [tick(T0 + 5000), T0 + 5000],
    ], 2000);
    expect(acdWrites(ds[1]!)).toEqual([expect.objectContaining({ target: TEAMS_CALL_TARGET })]);
    expect(acdWrites(ds[4]!)).toEqual([expect.objectContaining({ target: { kind: 'Available' } })]);
    expect(acdWrites(ds[5]!)).toEqual([]);
  });
});

describe.each(['subscriber', 'bidirectional'] as const)('%s: the reverse race, the voice call reported with a time after our write', (direction) => {
  // CXone started the call before it applied our write, but its lastUpdateTime is later than our decision.
  const sequence = (): Decision[] => replay(direction, availableAgent(), [
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
});

describe('what stays as it was', () => {
  const held = { target: TEAMS_CALL_TARGET, replaced: { kind: 'Available' }, at: T0 - 3000, ruleId: 'rule-1' } as const;
  const confirmed = (): AgentSyncState => agentState({ acd: { state: acd.unavailable(TEAMS_CALL), sourceTime: T0 - 2000, eventId: 'acd-prev' }, acdWritten: held, teams: { presence: P.inACall, sourceTime: T0 - 3000, eventId: 't-prev' } });

  it('a contact taken after the ACD showed our code (the agent\'s own call) still makes us forget the write', () => {
    const d = decide({ rule: ruleFor('subscriber'), agent: confirmed(), event: acdEvent(acd.contact('OutboundContact'), T0), now: T0, syncEnabled: true });
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

  it('a code of the agent\'s own after the call is left alone', () => {
    const ds = replay('subscriber', availableAgent(), [
      [teamsEvent(P.inACall, T0 + 100), T0 + 100],
      [acdEvent(acd.contact(), T0), T0 + 900],
      [teamsEvent(P.available, T0 + 2000), T0 + 2000],
      [acdEvent(acd.unavailable(CODES.lunch), T0 + 3000), T0 + 3000],
    ]);
    expect(acdWrites(ds[3]!)).toEqual([]);
  });
});
