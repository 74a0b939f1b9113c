import { explain, resolveRule } from '../../src/domain/resolve.js';
import { rule } from './builders.js';

const teamRule = rule({ id: 'r-team', name: 'Support team', scope: { kind: 'team', teamIds: ['team-1', 'team-2'] } });
const userRule = rule({ id: 'r-user', name: 'Ada', scope: { kind: 'user', agentIds: ['a-1'] } });
const otherTeam = rule({ id: 'r-other', name: 'Sales', scope: { kind: 'team', teamIds: ['team-9'] } });
const ada = { agentId: 'a-1', teamId: 'team-1' };

describe('resolveRule', () => {
  it.each([
    ['a user rule beats a team rule', ada, [teamRule, userRule, otherTeam], 'r-user'],
    ['the team rule applies without a user rule', { agentId: 'a-2', teamId: 'team-2' }, [teamRule, userRule], 'r-team'],
    ['no rule for a team nobody covers', { agentId: 'a-3', teamId: 'team-5' }, [teamRule, userRule], null],
    ['no team known: only user rules can apply', { agentId: 'a-3' }, [teamRule], null],
    ['no team known, user rule applies', { agentId: 'a-1' }, [teamRule, userRule], 'r-user'],
    ['a disabled user rule falls through to the team rule', ada, [teamRule, { ...userRule, enabled: false }], 'r-team'],
    [
      'a disabled team rule leaves no rule',
      { agentId: 'a-2', teamId: 'team-2' },
      [{ ...teamRule, enabled: false }],
      null,
    ],
    ['no rules at all', ada, [], null],
  ])('%s', (_l, agent, rules, expected) => {
    expect(resolveRule(agent, rules).rule?.id ?? null).toBe(expected);
  });

  it('is deterministic whatever order the rules come in (lowest id wins a conflict)', () => {
    const a = rule({ id: 'r-a', scope: { kind: 'user', agentIds: ['a-1'] } });
    const b = rule({ id: 'r-b', scope: { kind: 'user', agentIds: ['a-1'] } });
    expect(resolveRule(ada, [b, a, teamRule])).toEqual(resolveRule(ada, [teamRule, a, b]));
    expect(resolveRule(ada, [b, a]).rule?.id).toBe('r-a');
  });

  it('lists every rule that claims the agent or its team, with its verdict', () => {
    const r = resolveRule(ada, [teamRule, { ...userRule, id: 'r-off', enabled: false }, userRule, otherTeam]);
    expect(r.considered).toEqual([
      { ruleId: 'r-off', verdict: 'skipped: "Ada" is disabled' },
      { ruleId: 'r-user', verdict: 'chosen: user-scoped rule "Ada"' },
      { ruleId: 'r-team', verdict: 'rejected: user rule "Ada" (r-user) beats team rules' },
    ]);
  });

  it('explains the choice for an admin', () => {
    expect(explain(ada, [teamRule, userRule])).toBe(
      'Agent a-1 follows rule "Ada" (r-user): it names the agent directly (a user rule beats any team rule).',
    );
    expect(explain(ada, [userRule, otherTeam])).toBe(
      'Agent a-1 follows rule "Ada" (r-user): it names the agent directly (a user rule beats any team rule). 1 other rule(s) do not cover this agent.',
    );
    expect(explain({ agentId: 'a-2', teamId: 'team-2' }, [teamRule])).toBe(
      'Agent a-2 follows rule "Support team" (r-team): it covers the agent\'s team team-2 and no enabled user rule names the agent.',
    );
  });

  it('explains why there is no rule, naming disabled rules passed over', () => {
    expect(explain(ada, [{ ...teamRule, enabled: false }])).toBe(
      'Agent a-1 has no effective rule: no enabled rule names the agent or covers team team-1. Disabled rule(s) passed over: r-team.',
    );
    expect(explain({ agentId: 'a-9' }, [])).toBe(
      'Agent a-9 has no effective rule: no enabled rule names the agent and the agent has no known team.',
    );
  });
});
