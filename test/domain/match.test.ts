import type { AcdState } from '../../src/domain/agent-state.js';
import {
  acdTargetOfState,
  matchesAcdPattern,
  publisherPresenceFor,
  subscriberTargetFor,
} from '../../src/domain/match.js';
import type { AcdStatePattern } from '../../src/domain/presence-rule.js';
import { CODES, P, acd, map, rule } from './builders.js';

describe('ACD state patterns', () => {
  const cases: [string, AcdState, AcdStatePattern, boolean][] = [
    ['Available matches Available', acd.available(), { kind: 'Available' }, true],
    ['Available is not Unavailable', acd.available(), { kind: 'Unavailable' }, false],
    ['any code matches Unavailable without code', acd.unavailable(CODES.lunch), { kind: 'Unavailable' }, true],
    ['the same code matches', acd.unavailable(CODES.lunch), { kind: 'Unavailable', codeId: CODES.lunch.id }, true],
    [
      'another code does not match',
      acd.unavailable(CODES.meeting),
      { kind: 'Unavailable', codeId: CODES.lunch.id },
      false,
    ],
    ['ACW is not plain Unavailable', acd.acw(), { kind: 'Unavailable' }, false],
    ['ACW matches AfterCallWork', acd.acw(), { kind: 'AfterCallWork' }, true],
    ['Unavailable is not AfterCallWork', acd.unavailable(), { kind: 'AfterCallWork' }, false],
    [
      'inbound matches any counterpart',
      acd.contact('InboundContact', 'voice', 'agent'),
      { kind: 'InboundContact' },
      true,
    ],
    [
      'inbound matches its counterpart',
      acd.contact('InboundContact', 'voice', 'skill'),
      { kind: 'InboundContact', counterpart: 'skill' },
      true,
    ],
    [
      'inbound with another counterpart does not',
      acd.contact('InboundContact', 'voice', 'customer'),
      { kind: 'InboundContact', counterpart: 'agent' },
      false,
    ],
    ['outbound is not inbound', acd.contact('OutboundContact'), { kind: 'InboundContact' }, false],
    [
      'consult matches',
      acd.contact('OutboundConsult', 'voice', 'agent'),
      { kind: 'OutboundConsult', counterpart: 'agent' },
      true,
    ],
    ['dialer matches', acd.contact('Dialer'), { kind: 'Dialer' }, true],
    ['LoggedIn matches only LoggedIn', acd.loggedIn(), { kind: 'LoggedIn' }, true],
    ['Available is not LoggedIn', acd.available(), { kind: 'LoggedIn' }, false],
    ['LoggedOut matches', acd.loggedOut(), { kind: 'LoggedOut' }, true],
  ];
  it.each(cases)('%s', (_label, state, pattern, expected) => {
    expect(matchesAcdPattern(state, pattern)).toBe(expected);
  });
});

describe('which mapping a rule uses', () => {
  const r = rule({
    mappings: [
      map({ kind: 'InboundContact' }, P.inACall),
      map({ kind: 'InboundContact', counterpart: 'agent' }, P.conference),
      map({ kind: 'Unavailable' }, P.away),
      map({ kind: 'Unavailable', codeId: CODES.training.id }, P.presenting),
      map({ kind: 'Unavailable', codeId: CODES.meeting.id }, P.meeting),
      map({ kind: 'Unavailable', codeId: CODES.dnd.id }, { availability: 'DoNotDisturb' }),
      map({ kind: 'Available' }, P.available),
    ],
  });

  it.each([
    ['a customer call uses the general contact mapping', acd.contact('InboundContact', 'voice', 'customer'), P.inACall],
    [
      'an agent-to-agent call uses the narrower counterpart mapping',
      acd.contact('InboundContact', 'voice', 'agent'),
      P.conference,
    ],
    ['a code without its own mapping uses the any-code mapping', acd.unavailable(CODES.lunch), P.away],
    ['a code with its own mapping uses it', acd.unavailable(CODES.training), P.presenting],
    ['a mapping Teams cannot show is never published (falls back to any-code)', acd.unavailable(CODES.meeting), P.away],
    ['ACW maps to nothing here', acd.acw(), null],
  ])('publisher: %s', (_label, state, expected) => {
    expect(publisherPresenceFor(r, state)).toEqual(expected);
  });

  it.each([
    ['a meeting → the meeting code', P.meeting, { kind: 'Unavailable', codeId: CODES.meeting.id }],
    [
      'DND/Presenting matches the exact training pair before the availability-only DND one',
      P.presenting,
      { kind: 'Unavailable', codeId: CODES.training.id },
    ],
    ['DND/DND falls to the availability-only DND mapping', P.dnd, { kind: 'Unavailable', codeId: CODES.dnd.id }],
    [
      'casing does not matter',
      { availability: 'busy', activity: 'inameeting' },
      { kind: 'Unavailable', codeId: CODES.meeting.id },
    ],
    ['Available → Available', P.available, { kind: 'Available' }],
    ['In a call maps to no settable ACD state', P.inACall, null],
    ['Away (only an any-code pattern) maps to nothing settable', P.away, null],
  ])('subscriber: %s', (_label, presence, expected) => {
    expect(subscriberTargetFor(r, presence)).toEqual(expected);
  });

  it('prefers a mapping with an activity over an availability-only one', () => {
    const both = rule({
      mappings: [
        map({ kind: 'Unavailable', codeId: '1' }, { availability: 'Busy' }),
        map({ kind: 'Unavailable', codeId: '2' }, P.meeting),
      ],
    });
    expect(subscriberTargetFor(both, P.meeting)).toEqual({ kind: 'Unavailable', codeId: '2' });
    expect(subscriberTargetFor(both, P.busy)).toEqual({ kind: 'Unavailable', codeId: '1' });
  });

  it.each([
    [acd.available(), { kind: 'Available' }],
    [acd.unavailable(CODES.lunch), { kind: 'Unavailable', codeId: CODES.lunch.id }],
    [acd.unavailableNoCode(), null],
    [acd.acw(), null],
    [acd.contact(), null],
    [acd.loggedIn(), null],
    [acd.loggedOut(), null],
  ])('the restorable form of %j is %j', (state, expected) => {
    expect(acdTargetOfState(state)).toEqual(expected);
  });
});
