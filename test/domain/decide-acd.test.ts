import type { AcdState, Counterpart } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import type { Decision, Effect } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import type { RuleDirection, RuleScope } from '../../src/domain/presence-rule.js';
import { AGENT, CODES, P, T0, TEAM, acd, acdEvent, rule, withAcd } from './builders.js';

/** What an ACD event does to Teams, for every rule type × scope × state family. */
type Expect = { set: TeamsPresence } | { clear: true } | { skip: string };

const SCOPES: readonly RuleScope[] = [
  { kind: 'team', teamIds: [TEAM] },
  { kind: 'user', agentIds: [AGENT] },
];
const COUNTERPARTS: readonly Counterpart[] = ['customer', 'agent', 'skill'];
const CONTACT_NAMES = ['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'] as const;

interface Family {
  readonly label: string;
  readonly state: AcdState;
  readonly fresh: Expect;
  readonly inCall: Expect;
  readonly bidiFresh?: Expect;
  readonly bidiInCall?: Expect;
}

const FAMILIES: Family[] = [
  {
    label: 'Available',
    state: acd.available(),
    fresh: { skip: 'NO_MAPPING' },
    inCall: { clear: true },
    bidiFresh: { set: P.available },
    bidiInCall: { set: P.available },
  },
  { label: 'Unavailable(Lunch)', state: acd.unavailable(CODES.lunch), fresh: { set: P.away }, inCall: { set: P.away } },
  {
    label: 'Unavailable(Meeting), another code',
    state: acd.unavailable(CODES.meeting),
    fresh: { skip: 'NO_MAPPING' },
    inCall: { clear: true },
  },
  {
    label: 'Unavailable without code',
    state: acd.unavailableNoCode(),
    fresh: { skip: 'NO_MAPPING' },
    inCall: { clear: true },
  },
  { label: 'AfterCallWork', state: acd.acw(), fresh: { skip: 'NO_MAPPING' }, inCall: { clear: true } },
  { label: 'LoggedIn', state: acd.loggedIn(), fresh: { skip: 'NO_MAPPING' }, inCall: { clear: true } },
  {
    label: 'LoggedOut',
    state: acd.loggedOut(),
    fresh: { skip: 'AGENT_LOGGED_OUT' },
    inCall: { clear: true },
    bidiInCall: { clear: true },
  },
  ...CONTACT_NAMES.flatMap((name) =>
    COUNTERPARTS.flatMap((cp): Family[] => [
      {
        label: `${name} voice with ${cp}`,
        state: acd.contact(name, 'voice', cp),
        fresh: { set: P.inACall },
        inCall: { skip: 'ALREADY_IN_STATE' },
      },
      {
        label: `${name} digital with ${cp}`,
        state: acd.contact(name, 'digital', cp),
        fresh: { skip: 'NOT_VOICE' },
        inCall: { skip: 'NOT_VOICE' },
      },
    ]),
  ),
];

function summary(effects: readonly Effect[]): Expect {
  const [e] = effects;
  if (effects.length !== 1 || !e) throw new Error(`expected one effect, got ${JSON.stringify(effects)}`);
  if (e.kind === 'setTeamsPresence') return { set: e.presence };
  if (e.kind === 'clearTeamsPresence') return { clear: true };
  if (e.kind === 'skip') return { skip: e.reason };
  throw new Error(`unexpected ${e.kind}`);
}

function run(direction: RuleDirection, scope: RuleScope, state: AcdState, published: TeamsPresence | null): Decision {
  const agent = withAcd(
    acd.available(),
    published ? { published: { presence: published, at: T0 - 500, ruleId: 'rule-1', preferred: false } } : {},
  );
  return decide({ rule: rule({ direction, scope }), agent, event: acdEvent(state, T0), now: T0, syncEnabled: true });
}

describe.each(SCOPES.map((s) => [s.kind, s] as const))('ACD events, %s-scoped rule', (_kind, scope) => {
  describe.each(FAMILIES.map((f) => [f.label, f] as const))('%s', (_label, f) => {
    it('publisher, nothing shown yet', () =>
      expect(summary(run('publisher', scope, f.state, null).effects)).toEqual(f.fresh));
    it('publisher, In a call shown', () =>
      expect(summary(run('publisher', scope, f.state, P.inACall).effects)).toEqual(f.inCall));
    it('bidirectional, nothing shown yet', () =>
      expect(summary(run('bidirectional', scope, f.state, null).effects)).toEqual(f.bidiFresh ?? f.fresh));
    it('bidirectional, In a call shown', () =>
      expect(summary(run('bidirectional', scope, f.state, P.inACall).effects)).toEqual(f.bidiInCall ?? f.inCall));
    it('subscriber: ACD changes are not published', () =>
      expect(summary(run('subscriber', scope, f.state, P.inACall).effects)).toEqual({ skip: 'DIRECTION_NOT_COVERED' }));
    it('records the state whatever the outcome', () =>
      expect(run('publisher', scope, f.state, null).next.acd?.state).toEqual(f.state));
  });
});

describe('publishing details', () => {
  it('records what it published, with the rule and the time', () => {
    const d = run('publisher', SCOPES[0]!, acd.contact(), null);
    expect(d.next.published).toEqual({ presence: P.inACall, at: T0, ruleId: 'rule-1', preferred: false });
    expect(d.effects[0]).toMatchObject({
      ruleId: 'rule-1',
      preferred: false,
      reason: expect.stringContaining('InboundContact'),
    });
  });

  it('records a clear as nothing published', () => {
    const d = run('publisher', SCOPES[0]!, acd.available(), P.inACall);
    expect(d.next.published).toMatchObject({ presence: null, at: T0, ruleId: 'rule-1', preferred: false });
  });

  it('does not publish a digital contact even after a voice call was shown (voice only)', () => {
    const d = run('publisher', SCOPES[0]!, acd.contact('InboundContact', 'digital'), P.inACall);
    expect(d.effects.every((e) => e.kind === 'skip')).toBe(true);
    expect(d.next.published?.presence).toEqual(P.inACall);
  });

  it('does not publish for an agent not linked to a Teams user', () => {
    const agent = withAcd(acd.available(), { teamsUserId: undefined });
    const d = decide({ rule: rule(), agent, event: acdEvent(acd.contact()), now: T0, syncEnabled: true });
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'skip', reason: 'NOT_LINKED' })]);
  });

  it('clears on logout even when a mapping for the state exists', () => {
    const r = rule({
      mappings: [
        { acd: { kind: 'LoggedOut' }, teams: P.away },
        { acd: { kind: 'InboundContact' }, teams: P.inACall },
      ],
    });
    const agent = withAcd(acd.contact(), {
      published: { presence: P.inACall, at: T0 - 1, ruleId: 'rule-1', preferred: false },
    });
    const d = decide({ rule: r, agent, event: acdEvent(acd.loggedOut()), now: T0, syncEnabled: true });
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'clearTeamsPresence', preferred: false })]);
  });
});
