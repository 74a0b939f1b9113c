import { decide } from '../../src/domain/decide.js';
import type { Effect } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import type { AcdTarget } from '../../src/domain/sync-state.js';
import { CODES, P, T0, acd, presence, rule, teamsEvent, withAcd } from './builders.js';

/** Every presence family Graph reports, against the builder's subscriber mappings, for an Available agent. */
const MEETING: AcdTarget = { kind: 'Unavailable', codeId: CODES.meeting.id };
const DND: AcdTarget = { kind: 'Unavailable', codeId: CODES.dnd.id };

/** [label, presence, subscriber outcome, bidirectional outcome when it differs (publisher mappings serve both ways)]. */
const FAMILIES: [string, TeamsPresence, AcdTarget | string, AcdTarget | string | null][] = [
  ['Available', P.available, 'NOTHING_TO_RESTORE', null],
  ['Available, out of office', presence('Available', 'OutOfOffice'), 'NO_MAPPING', null],
  ['AvailableIdle', presence('AvailableIdle', 'Available'), 'NO_MAPPING', null],
  ['Away', P.away, 'NO_MAPPING', { kind: 'Unavailable', codeId: CODES.lunch.id }],
  ['Be right back', P.brb, 'NO_MAPPING', null],
  ['Busy', P.busy, 'NO_MAPPING', null],
  ['In a Teams call', P.inACall, 'NO_MAPPING', null],
  ['In a conference call', P.conference, 'NO_MAPPING', null],
  ['In a meeting', P.meeting, MEETING, null],
  ['In a meeting, lower case', presence('busy', 'inAMeeting'), MEETING, null],
  ['BusyIdle', presence('BusyIdle', 'Busy'), 'NO_MAPPING', null],
  ['Do not disturb', P.dnd, DND, null],
  ['Presenting', P.presenting, DND, { kind: 'Unavailable', codeId: CODES.training.id }],
  ['Urgent interruptions only', presence('DoNotDisturb', 'UrgentInterruptionsOnly'), DND, null],
  ['Appear offline', P.offline, 'NO_MAPPING', null],
  ['Offline', presence('Offline', 'Offline'), 'NO_MAPPING', null],
  ['Unknown', presence('PresenceUnknown', 'PresenceUnknown'), 'NO_MAPPING', null],
  ['A future value Graph adds', presence('Focusing', 'Focusing'), 'NO_MAPPING', null],
];

const outcome = (effects: readonly Effect[]): AcdTarget | string => {
  const [e] = effects;
  if (e?.kind === 'setAcdState') return e.target;
  return e?.kind === 'skip' ? e.reason : `unexpected ${e?.kind}`;
};

describe.each(['subscriber', 'bidirectional'] as const)(
  'Teams presence families (%s rule, agent Available)',
  (direction) => {
    it.each(FAMILIES)('%s', (_label, p, sub, bidi) => {
      const expected = direction === 'bidirectional' && bidi !== null ? bidi : sub;
      const d = decide({
        rule: rule({ direction }),
        agent: withAcd(acd.available()),
        event: teamsEvent(p, T0),
        now: T0,
        syncEnabled: true,
      });
      expect(outcome(d.effects)).toEqual(expected);
    });
  },
);
