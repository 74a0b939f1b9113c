import { decide } from '../../src/domain/decide.js';
import type { Decision, SyncEvent } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import type { PresenceRule } from '../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../src/domain/sync-state.js';
import { CODES, P, T0, acd, acdEvent, agentState, rule, teamsEvent, tick, withAcd, withTeams } from './builders.js';

const run = (r: PresenceRule | null, agent: AgentSyncState, event: SyncEvent, now = T0, syncEnabled = true): Decision =>
  decide({ rule: r, agent, event, now, syncEnabled });
const reasons = (d: Decision): string[] => d.effects.map((e) => (e.kind === 'skip' ? e.reason : e.kind));
const published = (presence = P.inACall, preferred = false): AgentSyncState['published'] => ({
  presence,
  at: T0 - 900,
  ruleId: 'rule-1',
  preferred,
});

describe('ordering and duplicates', () => {
  it('drops an ACD event older than the last one seen and keeps the newer state', () => {
    const agent = withAcd(acd.contact());
    const d = run(rule(), agent, acdEvent(acd.available(), T0 - 2000));
    expect(reasons(d)).toEqual(['STALE_EVENT']);
    expect(d.next).toBe(agent);
  });

  it('drops a redelivered ACD event', () => {
    const agent = withAcd(acd.contact());
    expect(reasons(run(rule(), agent, acdEvent(acd.available(), T0, 'acd-prev')))).toEqual(['DUPLICATE_EVENT']);
  });

  it('accepts an ACD event with the same source time but another id', () => {
    expect(reasons(run(rule(), withAcd(acd.available()), acdEvent(acd.contact(), T0 - 1000)))).toEqual([
      'setTeamsPresence',
    ]);
  });

  it.each([
    [
      'a lower sequence number',
      { sequenceNumber: 'A0002' },
      { sequenceNumber: 'A0001', sourceTime: T0 },
      'STALE_EVENT',
    ],
    [
      'the same sequence number',
      { sequenceNumber: 'A0002' },
      { sequenceNumber: 'A0002', sourceTime: T0 },
      'DUPLICATE_EVENT',
    ],
    ['an older observation time without sequence numbers', {}, { sourceTime: T0 - 5000 }, 'STALE_EVENT'],
    [
      'an older observation time when only one side has a sequence number',
      { sequenceNumber: 'A0002' },
      { sourceTime: T0 - 5000 },
      'STALE_EVENT',
    ],
  ])('drops a Teams event with %s', (_l, last, event, reason) => {
    const agent = withAcd(acd.available(), { teams: withTeams(P.available, last) });
    const d = run(rule({ direction: 'subscriber' }), agent, teamsEvent(P.meeting, event.sourceTime, event));
    expect(reasons(d)).toEqual([reason]);
    expect(d.next.teams?.presence).toEqual(P.available);
  });

  it('orders Teams events by sequence number over arrival time when both have one', () => {
    const agent = withAcd(acd.available(), { teams: withTeams(P.available, { sequenceNumber: 'A0002' }) });
    const d = run(
      rule({ direction: 'subscriber' }),
      agent,
      teamsEvent(P.meeting, T0 - 5000, { sequenceNumber: 'A0003' }),
    );
    expect(reasons(d)).toEqual(['setAcdState']);
    expect(d.next.teams?.sequenceNumber).toBe('A0003');
  });

  describe('a Teams sequence number orders versions only when it is plausible', () => {
    const subscriber = rule({ direction: 'subscriber' });
    const held = (sequenceNumber: string) =>
      withAcd(acd.available(), { teams: withTeams(P.available, { sequenceNumber, sourceTime: T0 - 1000 }) });

    it.each([
      ['a stamp of another shape (forged "Z99999999999" over Graph\'s "A0129311063")', 'Z99999999999', 'A0129311064'],
      ['a stamp that is not letters and a counter', 'A0129311063', '~~~~~~~~~~~'],
      ['a stamp with another letter', 'B0000000001', 'A0129311064'],
    ])('%s is ordered by observation time', (_l, stored, next) => {
      const d = run(subscriber, held(stored), teamsEvent(P.meeting, T0, { sequenceNumber: next }));
      expect(reasons(d)).toEqual(['setAcdState']);
      expect(d.next.teams).toMatchObject({ presence: P.meeting, sequenceNumber: next });
    });

    it('a Graph read replaces what was observed before it, whatever stamp that carries', () => {
      const pinned = held('A9999999999');
      expect(reasons(run(subscriber, pinned, teamsEvent(P.meeting, T0, { sequenceNumber: 'A0129311064' })))).toEqual([
        'STALE_EVENT',
      ]);
      const read = run(subscriber, pinned, teamsEvent(P.meeting, T0, { sequenceNumber: 'A0129311064', read: true }));
      expect(reasons(read)).toEqual(['setAcdState']);
      expect(read.next.teams?.sequenceNumber).toBe('A0129311064');
    });

    it('a Graph read of the version we hold heals a forged presence under that stamp; the same presence is a duplicate', () => {
      const forged = withAcd(acd.available(), {
        teams: withTeams(P.dnd, { sequenceNumber: 'A0000000004', sourceTime: T0 - 1000 }),
      });
      const read = (p: TeamsPresence) => teamsEvent(p, T0, { sequenceNumber: 'A0000000004', read: true });
      expect(reasons(run(subscriber, forged, read(P.available)))).not.toContain('DUPLICATE_EVENT');
      expect(run(subscriber, forged, read(P.available)).next.teams?.presence).toEqual(P.available);
      expect(reasons(run(subscriber, forged, read(P.dnd)))).toEqual(['DUPLICATE_EVENT']);
    });

    it('a Graph read older than a notification seen after it is stale (the versions order them)', () => {
      const later = withAcd(acd.available(), {
        teams: withTeams(P.available, { sequenceNumber: 'A0000000005', sourceTime: T0 + 10 }),
      });
      const read = run(subscriber, later, teamsEvent(P.meeting, T0, { sequenceNumber: 'A0000000004', read: true }));
      expect(reasons(read)).toEqual(['STALE_EVENT']);
    });
  });

  it('drops a Teams event for a Teams user not linked to the agent', () => {
    expect(
      reasons(
        run(
          rule({ direction: 'subscriber' }),
          withAcd(acd.available()),
          teamsEvent(P.meeting, T0, { teamsUserId: 'someone-else' }),
        ),
      ),
    ).toEqual(['NOT_LINKED']);
  });
});

describe('gates: no rule, disabled rule, paused tenant', () => {
  const events: [string, SyncEvent][] = [
    ['ACD', acdEvent(acd.contact())],
    ['Teams', teamsEvent(P.meeting)],
  ];
  it.each(events)('%s event without a rule is recorded and skipped with NO_RULE', (_l, event) => {
    const d = run(null, withAcd(acd.available()), event);
    expect(reasons(d)).toEqual(['NO_RULE']);
    expect(event.source === 'acd' ? d.next.acd?.eventId : d.next.teams?.eventId).toBe(event.eventId);
  });
  it.each(events)('%s event under a disabled rule is skipped with RULE_DISABLED', (_l, event) => {
    expect(reasons(run(rule({ enabled: false, direction: 'bidirectional' }), withAcd(acd.available()), event))).toEqual(
      ['RULE_DISABLED'],
    );
  });
  it.each(events)('%s event while the tenant is paused is skipped with SYNC_PAUSED', (_l, event) => {
    expect(reasons(run(rule({ direction: 'bidirectional' }), withAcd(acd.available()), event, T0, false))).toEqual([
      'SYNC_PAUSED',
    ]);
  });
});

describe('echo suppression', () => {
  it('a Teams notification showing what we published does not write the ACD', () => {
    const r = rule({
      direction: 'bidirectional',
      mappings: [
        ...rule({ direction: 'bidirectional' }).mappings,
        { acd: { kind: 'Unavailable', codeId: CODES.meeting.id }, teams: P.inACall },
      ],
    });
    const d = run(r, withAcd(acd.contact(), { published: published() }), teamsEvent(P.inACall));
    expect(reasons(d)).toEqual(['ECHO']);
  });

  it('an ACD event that is our own subscriber write is not published back', () => {
    const agent = withAcd(acd.available(), {
      acdWritten: {
        phase: 'requested',
        target: { kind: 'Unavailable', codeId: CODES.training.id },
        replaced: { kind: 'Available' },
        over: { kind: 'Available' },
        at: T0 - 10,
        ruleId: 'rule-1',
      },
    });
    const d = run(rule({ direction: 'bidirectional' }), agent, acdEvent(acd.unavailable(CODES.training)));
    expect(reasons(d)).toEqual(['ECHO']);
    expect(d.next.acdWritten).toBeDefined();
  });

  it('once the agent leaves our written state the write is forgotten and their changes publish again', () => {
    const agent = withAcd(acd.unavailable(CODES.training), {
      acdWritten: {
        phase: 'shown',
        target: { kind: 'Unavailable', codeId: CODES.training.id },
        replaced: { kind: 'Available' },
        over: { kind: 'Available' },
        at: T0 - 10,
        ruleId: 'rule-1',
      },
    });
    const d = run(rule({ direction: 'bidirectional' }), agent, acdEvent(acd.unavailable(CODES.lunch)));
    expect(reasons(d)).toEqual(['setTeamsPresence']);
    expect(d.next.acdWritten).toBeUndefined();
  });

  it('an ACD observation older than our write does not make us forget it', () => {
    const agent = withAcd(acd.available(), {
      acdWritten: {
        phase: 'requested',
        target: { kind: 'Unavailable', codeId: CODES.meeting.id },
        replaced: { kind: 'Available' },
        over: { kind: 'Available' },
        at: T0 + 10,
        ruleId: 'rule-1',
      },
    });
    const d = run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available(), T0));
    expect(d.next.acdWritten).toBeDefined();
  });
});

describe('hand-set Teams status', () => {
  const manual = (p = P.dnd, over = {}): AgentSyncState => withAcd(acd.available(), { teams: withTeams(p, over) });

  it.each([P.dnd, P.busy, P.brb, P.offline])('respect: %j set by hand blocks publishing', (p) => {
    expect(reasons(run(rule(), manual(p), acdEvent(acd.contact())))).toEqual(['MANUAL_STATUS_RESPECTED']);
  });

  it.each([P.available, P.away, P.meeting, P.presenting])('%j is not taken as hand-set', (p) => {
    expect(reasons(run(rule(), manual(p), acdEvent(acd.contact())))).toEqual(['setTeamsPresence']);
  });

  it('the engine may say explicitly that a status is not hand-set', () => {
    expect(reasons(run(rule(), manual(P.dnd, { manualStatus: false }), acdEvent(acd.contact())))).toEqual([
      'setTeamsPresence',
    ]);
  });

  it('the engine may say explicitly that a status is hand-set', () => {
    expect(reasons(run(rule(), manual(P.available, { manualStatus: true }), acdEvent(acd.contact())))).toEqual([
      'MANUAL_STATUS_RESPECTED',
    ]);
  });

  it('override: keeps our session on the ACD state and adds the preferred layer with the nearest preferred pair', () => {
    const d = run(rule({ manualStatusPolicy: 'override' }), manual(P.dnd), acdEvent(acd.contact()));
    expect(d.effects).toEqual([
      expect.objectContaining({ kind: 'setTeamsPresence', presence: P.inACall, preferred: false }),
      expect.objectContaining({ kind: 'setTeamsPresence', presence: P.busy, preferred: true }),
    ]);
    expect(d.next.published).toMatchObject({ presence: P.inACall, preferred: true });
  });

  it('override: holds the preferred layer while the same presence is wanted, drops it with the next change', () => {
    const r = rule({ manualStatusPolicy: 'override' });
    const agent = withAcd(acd.contact(), { teams: withTeams(P.busy), published: published(P.inACall, true) });
    expect(reasons(run(r, agent, acdEvent(acd.contact('OutboundContact'))))).toEqual(['ALREADY_IN_STATE']);
    const lunch = run(r, agent, acdEvent(acd.unavailable(CODES.lunch)));
    expect(lunch.effects).toEqual([
      expect.objectContaining({ kind: 'setTeamsPresence', presence: P.away, preferred: false }),
      expect.objectContaining({ kind: 'clearTeamsPresence', preferred: true }),
    ]);
    expect(lunch.next.published).toMatchObject({ presence: P.away, preferred: false });
    const end = run(r, agent, acdEvent(acd.available()));
    expect(end.effects).toEqual([
      expect.objectContaining({ kind: 'clearTeamsPresence', preferred: false }),
      expect.objectContaining({ kind: 'clearTeamsPresence', preferred: true }),
    ]);
  });

  it('override: a status set by hand during a call is overridden when Teams reports it', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.inACall), published: published(P.inACall) });
    const d = run(rule({ manualStatusPolicy: 'override' }), agent, teamsEvent(P.dnd));
    expect(d.effects).toEqual([
      expect.objectContaining({ kind: 'setTeamsPresence', presence: P.busy, preferred: true }),
    ]);
  });

  it('our own preferred write is neither an echo to act on nor a hand-set status', () => {
    const agent = withAcd(acd.contact(), {
      teams: withTeams(P.inACall, { sourceTime: T0 - 2000 }),
      published: published(P.inACall, true),
    });
    expect(reasons(run(rule({ direction: 'bidirectional' }), agent, teamsEvent(P.busy)))).toEqual(['ECHO']);
    const after = { ...agent, teams: withTeams(P.busy) };
    expect(
      reasons(run(rule({ manualStatusPolicy: 'respect' }), after, acdEvent(acd.unavailable(CODES.lunch)))),
    ).toEqual(['setTeamsPresence', 'clearTeamsPresence']);
  });

  it('respect: when the hand-set status ends during a call, the held-back presence is published', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.dnd) });
    const d = run(rule(), agent, teamsEvent(P.available));
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setTeamsPresence', presence: P.inACall })]);
  });

  it('respect, bidirectional: the same when the status ends and the ACD needs no write', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.dnd) });
    const d = run(rule({ direction: 'bidirectional' }), agent, teamsEvent(P.away));
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setTeamsPresence', presence: P.inACall })]);
  });
});

describe('an echo is only the first sighting of what we published', () => {
  it('a later return to our published value is a real change and is acted on', () => {
    const held = {
      phase: 'shown',
      target: { kind: 'Unavailable', codeId: CODES.meeting.id },
      replaced: { kind: 'Available' },
      over: { kind: 'Available' },
      at: T0 - 500,
      ruleId: 'rule-1',
    } as const;
    const agent = withAcd(acd.unavailable(CODES.meeting), {
      teams: withTeams(P.meeting, { sourceTime: T0 - 400 }),
      published: published(P.available),
      acdWritten: held,
    });
    const d = run(rule({ direction: 'bidirectional' }), agent, teamsEvent(P.available, T0));
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: { kind: 'Available' } })]);
  });
});

describe('a Teams status set during a call is applied when the call ends', () => {
  it('subscriber: the meeting the agent joined during the call takes them off routing once Available', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.meeting) });
    const d = run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available()));
    expect(d.effects).toEqual([
      expect.objectContaining({ kind: 'skip', reason: 'DIRECTION_NOT_COVERED' }),
      expect.objectContaining({ kind: 'setAcdState', target: { kind: 'Unavailable', codeId: CODES.meeting.id } }),
    ]);
    expect(d.next.acdWritten).toMatchObject({ replaced: { kind: 'Available' } });
  });

  it('bidirectional: publishes the end of the call and applies the meeting', () => {
    const agent = withAcd(acd.acw(), { teams: withTeams(P.meeting), published: published(P.inACall) });
    expect(reasons(run(rule({ direction: 'bidirectional' }), agent, acdEvent(acd.available())))).toEqual([
      'setTeamsPresence',
      'setAcdState',
    ]);
  });

  it('not when the presence on record is our own', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.inACall), published: published(P.inACall) });
    expect(reasons(run(rule({ direction: 'bidirectional' }), agent, acdEvent(acd.available())))).toEqual([
      'setTeamsPresence',
    ]);
  });

  it('not when the agent picks a code themselves after the call', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.meeting) });
    expect(reasons(run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.unavailable(CODES.lunch))))).toEqual([
      'DIRECTION_NOT_COVERED',
    ]);
  });

  it('not for a presence that maps to Available', () => {
    const agent = withAcd(acd.contact(), { teams: withTeams(P.available) });
    expect(reasons(run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available())))).toEqual([
      'DIRECTION_NOT_COVERED',
    ]);
  });
});

describe('a Teams status set before the agent logged in is applied at login', () => {
  const DND = { kind: 'Unavailable', codeId: CODES.dnd.id } as const;

  it('subscriber: DND seen while logged out takes the agent off routing once they log in Available', () => {
    const agent = withAcd(acd.loggedOut(), { teams: withTeams(P.dnd) });
    const d = run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available()));
    expect(d.effects).toEqual([
      expect.objectContaining({ kind: 'skip', reason: 'DIRECTION_NOT_COVERED' }),
      expect.objectContaining({ kind: 'setAcdState', target: DND }),
    ]);
    expect(d.next.acdWritten).toMatchObject({ target: DND, replaced: { kind: 'Available' } });
  });

  it('bidirectional: applies the hand-set DND (respected, so nothing published over it)', () => {
    const agent = withAcd(acd.loggedOut(), { teams: withTeams(P.dnd) });
    expect(reasons(run(rule({ direction: 'bidirectional' }), agent, acdEvent(acd.available())))).toEqual([
      'MANUAL_STATUS_RESPECTED',
      'setAcdState',
    ]);
  });

  it('bidirectional: publishes the login and applies a Presenting DND', () => {
    const agent = withAcd(acd.loggedOut(), { teams: withTeams(P.presenting) });
    expect(reasons(run(rule({ direction: 'bidirectional' }), agent, acdEvent(acd.available())))).toEqual([
      'setTeamsPresence',
      'setAcdState',
    ]);
  });

  it('DND seen before any ACD state, then the first ACD state is Available', () => {
    const agent = agentState({ teams: withTeams(P.dnd) });
    const d = run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available()));
    expect(reasons(d)).toEqual(['DIRECTION_NOT_COVERED', 'setAcdState']);
  });

  it('through LoggedIn: nothing is written in LoggedIn (not restorable), the DND is applied when the agent goes Available', () => {
    const r = rule({ direction: 'subscriber' });
    const first = run(r, withAcd(acd.loggedOut(), { teams: withTeams(P.dnd) }), acdEvent(acd.loggedIn(), T0));
    expect(reasons(first)).toEqual(['DIRECTION_NOT_COVERED']);
    const second = run(r, first.next, acdEvent(acd.available(), T0 + 500), T0 + 500);
    expect(second.effects).toContainEqual(expect.objectContaining({ kind: 'setAcdState', target: DND }));
  });

  it('the skipped DND is written when the login event follows it', () => {
    const r = rule({ direction: 'subscriber' });
    const skippedDnd = run(r, withAcd(acd.loggedOut()), teamsEvent(P.dnd));
    expect(reasons(skippedDnd)).toEqual(['AGENT_LOGGED_OUT']);
    const login = run(r, skippedDnd.next, acdEvent(acd.available(), T0 + 500), T0 + 500);
    expect(reasons(login)).toEqual(['DIRECTION_NOT_COVERED', 'setAcdState']);
  });

  it('not when the agent logs in to a code of their own', () => {
    const agent = withAcd(acd.loggedOut(), { teams: withTeams(P.dnd) });
    expect(reasons(run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.unavailable(CODES.lunch))))).toEqual([
      'DIRECTION_NOT_COVERED',
    ]);
  });

  it('not for a presence that maps to Available', () => {
    const agent = withAcd(acd.loggedOut(), { teams: withTeams(P.available) });
    expect(reasons(run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available())))).toEqual([
      'DIRECTION_NOT_COVERED',
    ]);
  });

  it('not when the agent goes Available from a code they chose (already logged in)', () => {
    const agent = withAcd(acd.unavailable(CODES.lunch), { teams: withTeams(P.dnd) });
    expect(reasons(run(rule({ direction: 'subscriber' }), agent, acdEvent(acd.available())))).toEqual([
      'DIRECTION_NOT_COVERED',
    ]);
  });
});

describe('flap damping of ACD writes (subscriber debounce)', () => {
  const r = rule({ direction: 'subscriber', debounceMs: 3000 });
  const meeting = { kind: 'Unavailable', codeId: CODES.meeting.id } as const;

  it('a Teams change waits before it writes the ACD', () => {
    const d = run(r, withAcd(acd.available()), teamsEvent(P.meeting));
    expect(d.effects).toEqual([
      { kind: 'recheckAt', at: T0 + 3000, reason: expect.any(String) },
      expect.objectContaining({ kind: 'skip', reason: 'DEBOUNCED' }),
    ]);
    expect(d.next.pending).toMatchObject({ dueAt: T0 + 3000, sides: ['teams'] });
    expect(d.next.acdWritten).toBeUndefined();
  });

  it('writes on the tick once the change held', () => {
    const waiting = run(r, withAcd(acd.available()), teamsEvent(P.meeting)).next;
    const d = run(r, waiting, tick(T0 + 3000), T0 + 3000);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: meeting })]);
    expect(d.next.pending).toBeUndefined();
    expect(d.next.acdWritten).toMatchObject({ target: meeting, replaced: { kind: 'Available' } });
  });

  it('a flap back before the deadline cancels the write', () => {
    const waiting = run(r, withAcd(acd.available()), teamsEvent(P.meeting, T0)).next;
    const back = run(r, waiting, teamsEvent(P.available, T0 + 500), T0 + 500);
    expect(reasons(back)).toEqual(['NOTHING_TO_RESTORE']);
    expect(back.next.pending).toBeUndefined();
    expect(reasons(run(r, back.next, tick(T0 + 3000), T0 + 3000))).toEqual(['DEBOUNCED']);
  });

  it('the agent changing state while the Teams change settles wins', () => {
    const waiting = run(r, withAcd(acd.available()), teamsEvent(P.meeting, T0)).next;
    const moved = run(r, waiting, acdEvent(acd.unavailable(CODES.lunch), T0 + 1000), T0 + 1000).next;
    expect(reasons(run(r, moved, tick(T0 + 3000), T0 + 3000))).toEqual(['AGENT_CHANGED_STATE']);
  });

  it('both sides can wait at once and are carried out by one tick', () => {
    const both = rule({ direction: 'bidirectional', debounceMs: 3000 });
    const a = run(both, withAcd(acd.available()), acdEvent(acd.unavailable(CODES.lunch), T0 - 500), T0 - 500).next;
    const b = run(both, a, teamsEvent(P.meeting, T0), T0).next;
    expect(b.pending).toMatchObject({ dueAt: T0 + 3000, sides: ['acd', 'teams'] });
    expect(reasons(run(both, b, tick(T0 + 3000), T0 + 3000))).toEqual(['setTeamsPresence', 'setAcdState']);
  });

  it('a pending change persisted before sides existed is the ACD side', () => {
    const legacy = withAcd(acd.contact(), { pending: { dueAt: T0, reason: 'old' } });
    expect(reasons(run(rule({ debounceMs: 3000 }), legacy, tick(T0)))).toEqual(['setTeamsPresence']);
  });
});

describe('no-sync states', () => {
  const r = (direction: PresenceRule['direction']) =>
    rule({ direction, noSyncStates: [{ kind: 'Unavailable', codeId: CODES.training.id }] });

  it('an ACD state in the no-sync list is not published', () => {
    expect(reasons(run(r('publisher'), withAcd(acd.available()), acdEvent(acd.unavailable(CODES.training))))).toEqual([
      'NO_SYNC_STATE',
    ]);
  });

  it('an agent in a no-sync state is not written from Teams', () => {
    expect(reasons(run(r('subscriber'), withAcd(acd.unavailable(CODES.training)), teamsEvent(P.meeting)))).toEqual([
      'NO_SYNC_STATE',
    ]);
  });
});

describe('flap damping (debounce)', () => {
  const r = rule({ debounceMs: 3000 });

  it('holds a change back, asks for a recheck and remembers it', () => {
    const d = run(r, withAcd(acd.available()), acdEvent(acd.contact()));
    expect(d.effects).toEqual([
      { kind: 'recheckAt', at: T0 + 3000, reason: expect.any(String) },
      expect.objectContaining({ kind: 'skip', reason: 'DEBOUNCED' }),
    ]);
    expect(d.next.pending?.dueAt).toBe(T0 + 3000);
  });

  it('publishes on the tick once the change held', () => {
    const held = run(r, withAcd(acd.available()), acdEvent(acd.contact())).next;
    const d = run(r, held, tick(T0 + 3000), T0 + 3000);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setTeamsPresence', presence: P.inACall })]);
    expect(d.next.pending).toBeUndefined();
  });

  it('an early tick asks again for the due time', () => {
    const held = run(r, withAcd(acd.available()), acdEvent(acd.contact())).next;
    expect(run(r, held, tick(T0 + 1000), T0 + 1000).effects[0]).toEqual({
      kind: 'recheckAt',
      at: T0 + 3000,
      reason: expect.any(String),
    });
  });

  it('a flap back to what Teams already shows cancels the pending change', () => {
    const agent = withAcd(acd.available(), { published: published(P.inACall) });
    const away = run(
      r,
      { ...agent, acd: { state: acd.contact(), sourceTime: T0 - 1000, eventId: 'x' } },
      acdEvent(acd.available(), T0),
    );
    expect(away.next.pending).toBeDefined();
    const back = run(r, away.next, acdEvent(acd.contact(), T0 + 500), T0 + 500);
    expect(reasons(back)).toEqual(['ALREADY_IN_STATE']);
    expect(back.next.pending).toBeUndefined();
    expect(reasons(run(r, back.next, tick(T0 + 3000), T0 + 3000))).toEqual(['DEBOUNCED']);
  });

  it('a newer change restarts the wait', () => {
    const first = run(r, withAcd(acd.available()), acdEvent(acd.contact(), T0)).next;
    const second = run(r, first, acdEvent(acd.unavailable(CODES.lunch), T0 + 2000), T0 + 2000);
    expect(second.next.pending?.dueAt).toBe(T0 + 5000);
  });

  it('a tick without anything pending does nothing', () => {
    expect(reasons(run(r, agentState(), tick(T0)))).toEqual(['DEBOUNCED']);
  });
});
