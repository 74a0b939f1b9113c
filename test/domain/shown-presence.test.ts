import { describe, expect, it } from '@jest/globals';
import { notShown } from '../../src/domain/shown-presence.js';
import type { AgentSyncState } from '../../src/domain/sync-state.js';
import { agentState, P } from './builders.js';
import type { TeamsPresence } from '../../src/domain/presence.js';

const onRecord = (presence: TeamsPresence, over: Partial<AgentSyncState> = {}): AgentSyncState =>
  agentState({ teams: { presence, sourceTime: 1, eventId: 'n-1' }, ...over });
const published = (presence: TeamsPresence | null, over: Partial<NonNullable<AgentSyncState['published']>> = {}) => ({
  published: { presence, at: 1, ruleId: 'rule-1', preferred: false, ...over },
});

describe('notShown: will Teams show the session presence we write?', () => {
  it.each([
    ['the user is Available on their own, we write Away', P.available, P.away],
    ['the user is in a Teams meeting (Busy), we write Away', P.meeting, P.away],
    ['the user presents (Do not disturb), we write In a call', P.presenting, P.inACall],
  ])('hidden: %s (the higher session wins)', (_what, theirs, ours) => {
    expect(notShown(onRecord(theirs), ours)).toMatchObject({ cause: 'outranked', teamsShows: theirs });
  });

  it('hidden: a status set by hand outranks every session, whatever its rank', () => {
    expect(notShown(onRecord(P.brb), P.inACall)).toMatchObject({
      cause: 'manual-status',
      reason: expect.stringContaining('BeRightBack/BeRightBack in Teams by hand'),
    });
    expect(
      notShown(
        onRecord(P.available, { teams: { presence: P.available, sourceTime: 1, eventId: 'n', manualStatus: true } }),
        P.inACall,
      ),
    ).toMatchObject({ cause: 'manual-status' });
  });

  it.each([
    ['nothing read yet', agentState(), P.inACall],
    ['Teams already shows it', onRecord(P.inACall), P.inACall],
    ['ours outranks theirs (Busy over Available)', onRecord(P.available), P.inACall],
    [
      'ours outranks theirs (anything over Offline)',
      onRecord({ availability: 'Offline', activity: 'Offline' }),
      P.away,
    ],
    ['what is on record is our own earlier session, replaced now', onRecord(P.inACall, published(P.inACall)), P.away],
    [
      'what is on record is a late echo of ours',
      onRecord(P.presenting, published(P.away, { lateEchoes: [{ presence: P.presenting, at: 1 }] })),
      P.away,
    ],
  ])('shown: %s', (_what, agent, ours) => {
    expect(notShown(agent, ours)).toBeUndefined();
  });
});
