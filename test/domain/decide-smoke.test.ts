import { decide } from '../../src/domain/decide.js';
import { resolveRule } from '../../src/domain/resolve.js';
import { P, T0, acd, acdEvent, agentState, rule, teamsEvent, withAcd } from './builders.js';

describe('decide (first slice)', () => {
  it('publishes In a call when an agent takes a voice call', () => {
    const d = decide({ rule: rule(), agent: withAcd(acd.available()), event: acdEvent(acd.contact()), now: T0, syncEnabled: true });
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setTeamsPresence', presence: P.inACall, preferred: false })]);
    expect(d.next.published?.presence).toEqual(P.inACall);
  });

  it('takes the agent off routing when Teams shows a meeting (subscriber)', () => {
    const d = decide({ rule: rule({ direction: 'subscriber' }), agent: withAcd(acd.available()), event: teamsEvent(P.meeting), now: T0, syncEnabled: true });
    expect(d.effects).toEqual([expect.objectContaining({ kind: 'setAcdState', target: { kind: 'Unavailable', codeId: '102' } })]);
  });

  it('resolves a user rule over a team rule', () => {
    const team = rule({ id: 'r-team' });
    const user = rule({ id: 'r-user', scope: { kind: 'user', agentIds: ['agent-1'] } });
    expect(resolveRule({ agentId: 'agent-1', teamId: 'team-1' }, [team, user]).rule?.id).toBe('r-user');
  });

  it('records the newest state even without a rule', () => {
    const d = decide({ rule: null, agent: agentState(), event: acdEvent(acd.available()), now: T0, syncEnabled: true });
    expect(d.effects[0]).toMatchObject({ kind: 'skip', reason: 'NO_RULE' });
    expect(d.next.acd?.state.name).toBe('Available');
  });
});
