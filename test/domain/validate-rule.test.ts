import type { DomainErrorCode } from '../../src/domain/errors.js';
import { DOMAIN_ERROR_CODES } from '../../src/domain/errors.js';
import type { PresenceRuleDraft } from '../../src/domain/presence-rule.js';
import type { RuleValidationContext } from '../../src/domain/validate-rule.js';
import { validateRule } from '../../src/domain/validate-rule.js';
import { CODES, P, map, rule } from './builders.js';

const CTX: RuleValidationContext = {
  teams: [
    {
      id: 'team-1',
      name: 'Support',
      unavailableCodes: [
        CODES.lunch,
        CODES.meeting,
        CODES.dnd,
        CODES.training,
        { id: '900', name: 'Wrap-up', isAcw: true },
      ],
    },
    { id: 'team-2', name: 'Sales', unavailableCodes: [CODES.lunch, CODES.meeting, CODES.dnd] },
    { id: 'team-3', name: 'Back office', unavailableCodes: [CODES.lunch, CODES.meeting, CODES.dnd, CODES.training] },
  ],
  agents: [
    { id: 'a-1', name: 'Ada', teamId: 'team-1' },
    { id: 'a-2', name: 'Bo', teamId: 'team-2' },
    { id: 'a-3', teamId: 'team-3' },
  ],
  partnerPlatform: 'msteams',
  otherRules: [
    rule({ id: 'other-team', name: 'Back office rule', scope: { kind: 'team', teamIds: ['team-3'] } }),
    rule({ id: 'other-user', name: 'Ada only', scope: { kind: 'user', agentIds: ['a-1'] } }),
  ],
};

function draft(over: Partial<PresenceRuleDraft> = {}): PresenceRuleDraft {
  const { id: _id, tenantId: _t, version: _v, ...d } = rule({ scope: { kind: 'team', teamIds: ['team-1'] } });
  return { ...d, ...over };
}

function codes(d: PresenceRuleDraft, ctx: RuleValidationContext = CTX): { code: DomainErrorCode; path: string }[] {
  const r = validateRule(d, ctx);
  return r.ok ? [] : r.error.map((p) => ({ code: p.code, path: p.path.join('.') }));
}

describe('validateRule accepts good rules', () => {
  it.each([
    ['a publisher team rule', draft()],
    [
      'a subscriber team rule',
      draft({ direction: 'subscriber', mappings: rule({ direction: 'subscriber' }).mappings }),
    ],
    [
      'a bidirectional team rule',
      draft({ direction: 'bidirectional', mappings: rule({ direction: 'bidirectional' }).mappings }),
    ],
    [
      'a user rule for an agent without one',
      draft({ scope: { kind: 'user', agentIds: ['a-2'] }, mappings: [map({ kind: 'InboundContact' }, P.inACall)] }),
    ],
    [
      'a rule across two teams that share the code',
      draft({
        scope: { kind: 'team', teamIds: ['team-1', 'team-2'] },
        mappings: [map({ kind: 'Unavailable', codeId: CODES.lunch.id }, P.away)],
      }),
    ],
    ['the maximum debounce', draft({ debounceMs: 60_000 })],
    ['an override policy (no preferred pairs needed)', draft({ manualStatusPolicy: 'override' })],
  ])('%s', (_l, d) => {
    expect(validateRule(d, CTX)).toEqual({ ok: true, value: d });
  });

  it('editing a rule does not collide with itself', () => {
    const own = rule({ id: 'other-team', scope: { kind: 'team', teamIds: ['team-3'] } });
    const d = draft({ scope: own.scope, mappings: [map({ kind: 'InboundContact' }, P.inACall)] });
    expect(codes(d, { ...CTX, ruleId: 'other-team' })).toEqual([]);
  });
});

describe('validateRule reports every problem with a stable code and a path', () => {
  const cases: [string, PresenceRuleDraft, { code: DomainErrorCode; path: string }[]][] = [
    ['a blank name', draft({ name: '   ' }), [{ code: 'RULE.NAME_REQUIRED', path: 'name' }]],
    ['a name too long', draft({ name: 'x'.repeat(101) }), [{ code: 'RULE.NAME_TOO_LONG', path: 'name' }]],
    [
      'no teams',
      draft({ scope: { kind: 'team', teamIds: [] } }),
      [{ code: 'RULE.SCOPE_EMPTY', path: 'scope.teamIds' }],
    ],
    [
      'no agents',
      draft({ scope: { kind: 'user', agentIds: [] } }),
      [{ code: 'RULE.SCOPE_EMPTY', path: 'scope.agentIds' }],
    ],
    ['no mappings', draft({ mappings: [] }), [{ code: 'RULE.NO_MAPPINGS', path: 'mappings' }]],
    [
      'an unknown team',
      draft({ scope: { kind: 'team', teamIds: ['team-1', 'nope'] } }),
      [{ code: 'RULE.UNKNOWN_TEAM', path: 'scope.teamIds.1' }],
    ],
    [
      'an unknown agent',
      draft({ scope: { kind: 'user', agentIds: ['ghost'] }, mappings: [map({ kind: 'InboundContact' }, P.inACall)] }),
      [{ code: 'RULE.UNKNOWN_AGENT', path: 'scope.agentIds.0' }],
    ],
    [
      'a team listed twice',
      draft({ scope: { kind: 'team', teamIds: ['team-1', 'team-1'] } }),
      [{ code: 'RULE.DUPLICATE_SCOPE_ENTRY', path: 'scope.teamIds.1' }],
    ],
    [
      'a code missing on one scoped team',
      draft({ scope: { kind: 'team', teamIds: ['team-1', 'team-2'] } }),
      [{ code: 'RULE.CODE_NOT_ON_TEAM', path: 'mappings.6.acd.codeId' }],
    ],
    [
      "a code missing on a scoped agent's team",
      draft({ scope: { kind: 'user', agentIds: ['a-2'] } }),
      [{ code: 'RULE.CODE_NOT_ON_TEAM', path: 'mappings.6.acd.codeId' }],
    ],
    [
      'a no-sync code missing on a team',
      draft({
        scope: { kind: 'team', teamIds: ['team-2'] },
        mappings: [map({ kind: 'InboundContact' }, P.inACall)],
        noSyncStates: [{ kind: 'Unavailable', codeId: CODES.training.id }],
      }),
      [{ code: 'RULE.CODE_NOT_ON_TEAM', path: 'noSyncStates.0.codeId' }],
    ],
    [
      'two presences for one ACD state',
      draft({ mappings: [map({ kind: 'InboundContact' }, P.inACall), map({ kind: 'InboundContact' }, P.conference)] }),
      [{ code: 'RULE.AMBIGUOUS_PUBLISHER_MAPPING', path: 'mappings.1.acd' }],
    ],
    [
      'two ACD states for one presence',
      draft({
        direction: 'subscriber',
        mappings: [
          map({ kind: 'Unavailable', codeId: CODES.meeting.id }, P.meeting),
          map({ kind: 'Unavailable', codeId: CODES.dnd.id }, { availability: 'busy', activity: 'inameeting' }),
        ],
      }),
      [{ code: 'RULE.AMBIGUOUS_SUBSCRIBER_MAPPING', path: 'mappings.1.teams' }],
    ],
    [
      'a presence apps cannot set (publisher)',
      draft({ mappings: [map({ kind: 'InboundContact' }, P.dnd)] }),
      [{ code: 'RULE.PRESENCE_NOT_SETTABLE', path: 'mappings.0.teams' }],
    ],
    [
      'In a meeting (publisher)',
      draft({ mappings: [map({ kind: 'InboundContact' }, P.meeting)] }),
      [{ code: 'RULE.PRESENCE_NOT_SETTABLE', path: 'mappings.0.teams' }],
    ],
    [
      'a publisher presence without activity',
      draft({ mappings: [map({ kind: 'InboundContact' }, { availability: 'Busy' })] }),
      [{ code: 'RULE.PRESENCE_INVALID_PAIR', path: 'mappings.0.teams.activity' }],
    ],
    [
      'an unknown availability',
      draft({ direction: 'subscriber', mappings: [map({ kind: 'Available' }, { availability: 'Sleeping' })] }),
      [{ code: 'RULE.PRESENCE_INVALID_PAIR', path: 'mappings.0.teams.availability' }],
    ],
    [
      'an unknown activity',
      draft({
        direction: 'subscriber',
        mappings: [map({ kind: 'Available' }, { availability: 'Busy', activity: 'Napping' })],
      }),
      [{ code: 'RULE.PRESENCE_INVALID_PAIR', path: 'mappings.0.teams.activity' }],
    ],
    [
      'a contact state as subscriber target',
      draft({ direction: 'subscriber', mappings: [map({ kind: 'InboundContact' }, P.meeting)] }),
      [{ code: 'RULE.ACD_TARGET_NOT_SETTABLE', path: 'mappings.0.acd' }],
    ],
    [
      'Unavailable without code as subscriber target',
      draft({ direction: 'subscriber', mappings: [map({ kind: 'Unavailable' }, P.meeting)] }),
      [{ code: 'RULE.ACD_TARGET_NOT_SETTABLE', path: 'mappings.0.acd' }],
    ],
    [
      'ACW as subscriber target',
      draft({ direction: 'subscriber', mappings: [map({ kind: 'AfterCallWork' }, P.meeting)] }),
      [{ code: 'RULE.ACD_TARGET_NOT_SETTABLE', path: 'mappings.0.acd' }],
    ],
    [
      'LoggedOut as subscriber target',
      draft({ direction: 'subscriber', mappings: [map({ kind: 'LoggedOut' }, P.offline)] }),
      [{ code: 'RULE.ACD_TARGET_NOT_SETTABLE', path: 'mappings.0.acd' }],
    ],
    [
      'an ACW code as subscriber target',
      draft({ direction: 'subscriber', mappings: [map({ kind: 'Unavailable', codeId: '900' }, P.meeting)] }),
      [{ code: 'RULE.ACD_TARGET_NOT_SETTABLE', path: 'mappings.0.acd' }],
    ],
    [
      'an ACW code in a bidirectional mapping',
      draft({ direction: 'bidirectional', mappings: [map({ kind: 'Unavailable', codeId: '900' }, P.away)] }),
      [{ code: 'RULE.ACD_TARGET_NOT_SETTABLE', path: 'mappings.0.acd' }],
    ],
    [
      'a bidirectional mapping usable in no direction',
      draft({ direction: 'bidirectional', mappings: [map({ kind: 'InboundContact' }, P.meeting)] }),
      [{ code: 'RULE.MAPPING_UNUSABLE', path: 'mappings.0' }],
    ],
    [
      'a team already claimed by another team rule',
      draft({ scope: { kind: 'team', teamIds: ['team-3'] } }),
      [{ code: 'RULE.TEAM_CLAIMED_TWICE', path: 'scope.teamIds.0' }],
    ],
    [
      'an agent already claimed by another user rule',
      draft({ scope: { kind: 'user', agentIds: ['a-1'] } }),
      [{ code: 'RULE.AGENT_CLAIMED_TWICE', path: 'scope.agentIds.0' }],
    ],
    [
      'another partner platform',
      draft({ partnerPlatform: 'zoom' as 'msteams' }),
      [{ code: 'RULE.WRONG_PARTNER_PLATFORM', path: 'partnerPlatform' }],
    ],
    ['a negative debounce', draft({ debounceMs: -1 }), [{ code: 'RULE.DEBOUNCE_OUT_OF_RANGE', path: 'debounceMs' }]],
    [
      'a debounce over a minute',
      draft({ debounceMs: 60_001 }),
      [{ code: 'RULE.DEBOUNCE_OUT_OF_RANGE', path: 'debounceMs' }],
    ],
    ['a fractional debounce', draft({ debounceMs: 1.5 }), [{ code: 'RULE.DEBOUNCE_OUT_OF_RANGE', path: 'debounceMs' }]],
  ];

  it.each(cases)('%s', (_l, d, expected) => {
    expect(codes(d)).toEqual(expected);
  });

  it('every code in the catalogue is exercised above', () => {
    const used = new Set(cases.flatMap(([, , e]) => e.map((x) => x.code)));
    expect(DOMAIN_ERROR_CODES.filter((c) => !used.has(c))).toEqual([]);
  });

  it('returns all problems at once', () => {
    const d = draft({ name: '', debounceMs: -5, scope: { kind: 'team', teamIds: ['nope'] } });
    expect(
      codes(d)
        .map((c) => c.code)
        .sort(),
    ).toEqual(['RULE.DEBOUNCE_OUT_OF_RANGE', 'RULE.NAME_REQUIRED', 'RULE.UNKNOWN_TEAM']);
  });

  it('writes messages for an admin: names the team and the code', () => {
    const r = validateRule(draft({ scope: { kind: 'team', teamIds: ['team-1', 'team-2'] } }), CTX);
    expect(r.ok ? '' : r.error[0]!.message).toBe(
      'The unavailable code "Training" is not assigned to team(s) "Sales". Every team this rule covers must have it.',
    );
  });

  it('names the rule that already claims an agent', () => {
    const r = validateRule(draft({ scope: { kind: 'user', agentIds: ['a-1'] } }), CTX);
    expect(r.ok ? '' : r.error[0]!.message).toContain('Agent "Ada" (a-1) already has the user rule "Ada only"');
  });
});
