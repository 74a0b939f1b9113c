import type { AcdState, Counterpart } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import type { Decision, Effect } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import type { RuleDirection, RuleScope } from '../../src/domain/presence-rule.js';
import type { AcdTarget, AgentSyncState } from '../../src/domain/sync-state.js';
import { AGENT, CODES, P, T0, TEAM, acd, acdEvent, rule, teamsEvent, withAcd } from './builders.js';

/** What a Teams presence change does to the ACD, for every rule type × scope × ACD state family. */
type Expect = { set: AcdTarget; replaced?: AcdTarget } | { skip: string };

const SCOPES: readonly RuleScope[] = [
  { kind: 'team', teamIds: [TEAM] },
  { kind: 'user', agentIds: [AGENT] },
];
const MEETING: AcdTarget = { kind: 'Unavailable', codeId: CODES.meeting.id };
const DND: AcdTarget = { kind: 'Unavailable', codeId: CODES.dnd.id };
const AVAILABLE: AcdTarget = { kind: 'Available' };
const LUNCH: AcdTarget = { kind: 'Unavailable', codeId: CODES.lunch.id };
const COUNTERPARTS: readonly Counterpart[] = ['customer', 'agent', 'skill'];
const CONTACT_NAMES = ['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'] as const;

const FAMILIES: [string, AcdState, Expect][] = [
  ['Available', acd.available(), { set: MEETING, replaced: AVAILABLE }],
  ['Unavailable(Lunch)', acd.unavailable(CODES.lunch), { set: MEETING, replaced: LUNCH }],
  ['Unavailable(Meeting) already', acd.unavailable(CODES.meeting), { skip: 'ALREADY_IN_STATE' }],
  ['Unavailable without code', acd.unavailableNoCode(), { skip: 'STATE_NOT_RESTORABLE' }],
  ['AfterCallWork', acd.acw(), { skip: 'ACD_WINS_ON_CONTACT' }],
  ['LoggedIn', acd.loggedIn(), { skip: 'STATE_NOT_RESTORABLE' }],
  ['LoggedOut', acd.loggedOut(), { skip: 'AGENT_LOGGED_OUT' }],
  ...CONTACT_NAMES.flatMap((name) =>
    COUNTERPARTS.flatMap((cp): [string, AcdState, Expect][] => [
      [`${name} voice with ${cp}`, acd.contact(name, 'voice', cp), { skip: 'ACD_WINS_ON_CONTACT' }],
      [`${name} digital with ${cp}`, acd.contact(name, 'digital', cp), { skip: 'ACD_WINS_ON_CONTACT' }],
    ]),
  ),
];

function summary(d: Decision): Expect {
  const [e] = d.effects;
  if (d.effects.length !== 1 || !e) throw new Error(`expected one effect, got ${JSON.stringify(d.effects)}`);
  if (e.kind === 'setAcdState')
    return d.next.acdWritten?.phase === 'requested'
      ? { set: e.target, replaced: d.next.acdWritten.replaced }
      : { set: e.target };
  if (e.kind === 'skip') return { skip: e.reason };
  throw new Error(`unexpected ${(e as Effect).kind}`);
}

const run = (direction: RuleDirection, scope: RuleScope, agent: AgentSyncState, p: TeamsPresence): Decision =>
  decide({ rule: rule({ direction, scope }), agent, event: teamsEvent(p, T0), now: T0, syncEnabled: true });

describe.each(SCOPES.map((s) => [s.kind, s] as const))('Teams events, %s-scoped rule', (_kind, scope) => {
  describe.each(FAMILIES)('ACD %s', (_label, state, expected) => {
    it.each(['subscriber', 'bidirectional'] as const)('%s: a Teams meeting', (direction) => {
      expect(summary(run(direction, scope, withAcd(state), P.meeting))).toEqual(expected);
    });
    it('publisher: Teams changes are not written to the ACD', () => {
      expect(summary(run('publisher', scope, withAcd(state), P.meeting))).toEqual({ skip: 'DIRECTION_NOT_COVERED' });
    });
    it.each(['subscriber', 'bidirectional'] as const)('%s: a presence with no mapping', (direction) => {
      expect(summary(run(direction, scope, withAcd(state), P.brb))).toEqual({ skip: 'NO_MAPPING' });
    });
    it.each(['subscriber', 'bidirectional'] as const)('%s: Available with nothing of ours to undo', (direction) => {
      expect(summary(run(direction, scope, withAcd(state), P.available))).toEqual({ skip: 'NOTHING_TO_RESTORE' });
    });
    it('records the presence whatever the outcome', () => {
      expect(run('subscriber', scope, withAcd(state), P.meeting).next.teams?.presence).toEqual(P.meeting);
    });
  });
});

describe('the way back restores only what we replaced', () => {
  const held = (replaced: AcdTarget = LUNCH, target: AcdTarget = MEETING): AgentSyncState['acdWritten'] => ({
    phase: 'requested',
    target,
    replaced,
    over: replaced,
    at: T0 - 800,
    ruleId: 'rule-1',
  });
  const sub = (agent: AgentSyncState, p: TeamsPresence): Decision => run('subscriber', SCOPES[0]!, agent, p);

  it.each([
    ['Teams back to Available', P.available],
    ['Teams to a presence with no mapping', P.brb],
    ['Teams to Away (no mapping)', P.away],
  ])('%s restores the replaced state', (_l, p) => {
    const d = sub(withAcd(acd.unavailable(CODES.meeting), { acdWritten: held() }), p);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: LUNCH })]);
    expect(d.next.acdWritten).toEqual({ phase: 'restoring', target: MEETING, replaced: LUNCH, at: T0 });
  });

  it('Teams asking for our code again before the ACD reported the restore writes it again (the restore will land first)', () => {
    const restored = sub(withAcd(acd.unavailable(CODES.meeting), { acdWritten: held() }), P.available).next;
    const again = sub(restored, P.meeting);
    expect(again.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: MEETING })]);
    expect(again.next.acdWritten).toMatchObject({ phase: 'requested', target: MEETING, replaced: LUNCH, over: LUNCH });
    const observe = (agent: AgentSyncState, state: AcdState, at: number) =>
      decide({
        rule: rule({ direction: 'subscriber' }),
        agent,
        event: acdEvent(state, at),
        now: at,
        syncEnabled: true,
      });
    // The restore's arrival (from before the new write) leaves it requested; then the agent lands in it.
    const restore = observe(again.next, acd.unavailable(CODES.lunch), T0 - 1);
    expect(restore.next.acdWritten).toMatchObject({ phase: 'requested' });
    const landed = observe(restore.next, acd.unavailable(CODES.meeting), T0 + 1);
    expect(landed.next.acdWritten).toMatchObject({ phase: 'shown', target: MEETING, replaced: LUNCH });
  });

  it('restores Available when Available was replaced', () => {
    const d = sub(withAcd(acd.unavailable(CODES.meeting), { acdWritten: held(AVAILABLE) }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: AVAILABLE })]);
  });

  it('leaves the agent alone when they changed state themselves meanwhile', () => {
    const d = sub(withAcd(acd.unavailable(CODES.training), { acdWritten: held() }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'skip', reason: 'AGENT_CHANGED_STATE' })]);
    expect(d.next.acdWritten).toBeUndefined();
  });

  it('Teams back before the ACD confirmed our write: still restores (the agent did not move)', () => {
    // Last ACD state seen (T0 - 1000) is the one we replaced, from before our write (T0 - 800).
    const d = sub(withAcd(acd.unavailable(CODES.lunch), { acdWritten: held() }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: LUNCH })]);
    // Released: when the ACD reports our code on its way to the restore, that is our own write arriving.
    expect(d.next.acdWritten).toEqual({ phase: 'released', target: MEETING, at: T0 - 800 });
  });

  it('Teams back before confirmation, Available replaced: restores Available', () => {
    const d = sub(withAcd(acd.available(), { acdWritten: held(AVAILABLE) }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: AVAILABLE })]);
  });

  it("an ACD state seen after our write that is the replaced one is the agent's choice: left alone", () => {
    const agent = withAcd(acd.unavailable(CODES.meeting), { acdWritten: held() });
    const back = decide({
      rule: rule({ direction: 'subscriber' }),
      agent,
      event: acdEvent(acd.unavailable(CODES.lunch), T0 - 500),
      now: T0 - 500,
      syncEnabled: true,
    });
    expect(back.next.acdWritten).toBeUndefined();
    expect(sub(back.next, P.available).effects).toEqual([
      expect.objectContaining({ kind: 'skip', reason: 'NOTHING_TO_RESTORE' }),
    ]);
  });

  it('before confirmation, an ACD state that is neither ours nor the replaced one is left alone', () => {
    const d = sub(withAcd(acd.unavailable(CODES.training), { acdWritten: held() }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'skip', reason: 'AGENT_CHANGED_STATE' })]);
  });

  it('waits while the agent is on a contact (the ACD wins) and keeps what to restore', () => {
    const d = sub(withAcd(acd.contact('OutboundContact'), { acdWritten: held() }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'skip', reason: 'ACD_WINS_ON_CONTACT' })]);
    expect(d.next.acdWritten).toEqual(held());
  });

  it('forgets its write when the agent logged out', () => {
    const d = sub(withAcd(acd.loggedOut(), { acdWritten: held() }), P.available);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'skip', reason: 'AGENT_LOGGED_OUT' })]);
    expect(d.next.acdWritten).toBeUndefined();
  });

  it('moving from one mapped presence to another switches code but keeps the original state to restore', () => {
    const d = sub(withAcd(acd.unavailable(CODES.meeting), { acdWritten: held() }), P.dnd);
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: DND })]);
    expect(d.next.acdWritten).toMatchObject({ target: DND, replaced: LUNCH, at: T0 });
  });

  it("if the agent left our state and Teams maps elsewhere, what it replaces now is the agent's new state", () => {
    const d = sub(withAcd(acd.available(), { acdWritten: held() }), P.dnd);
    expect(d.next.acdWritten).toMatchObject({ target: DND, replaced: AVAILABLE });
  });
});
