import type { AcdAgent, DirectoryUser, UserLink } from '../../../src/application/ports.js';
import { previewMatches } from '../../../src/application/users/auto-match.js';

const agent = (agentId: string, fields: Partial<AcdAgent> = {}): AcdAgent => ({
  agentId,
  firstName: 'F',
  lastName: agentId,
  userName: `${agentId}@cxone`,
  teamId: 't1',
  isActive: true,
  ...fields,
});
const user = (id: string, userPrincipalName: string, mail?: string): DirectoryUser => ({
  id,
  userPrincipalName,
  displayName: id,
  ...(mail ? { mail } : {}),
});
const link = (agentId: string, teamsUserId: string): UserLink => ({
  tenantId: 'T',
  agentId,
  teamsUserId,
  source: 'manual',
});

describe('auto-match preview', () => {
  it('matches the agent e-mail to the user mail or UPN, ignoring case', () => {
    const p = previewMatches(
      [agent('1', { email: 'Alice@Contoso.com' }), agent('2', { email: 'bob@contoso.com' })],
      [user('u1', 'ALICE@contoso.com'), user('u2', 'robert@contoso.com', 'Bob@Contoso.com')],
      [],
    );
    expect(p.proposals).toEqual([
      { agentId: '1', teamsUserId: 'u1', userPrincipalName: 'ALICE@contoso.com', matchedBy: 'email' },
      { agentId: '2', teamsUserId: 'u2', userPrincipalName: 'robert@contoso.com', matchedBy: 'email' },
    ]);
  });

  it('falls back to the CXone user name and the federated id', () => {
    const p = previewMatches(
      [agent('1', { userName: 'carol@contoso.com' }), agent('2', { federatedId: 'dan@contoso.com' })],
      [user('u1', 'carol@contoso.com'), user('u2', 'dan@contoso.com')],
      [],
    );
    expect(p.proposals.map((m) => [m.agentId, m.matchedBy])).toEqual([
      ['1', 'userName'],
      ['2', 'federatedId'],
    ]);
  });

  it('reports a conflict when the agent identifiers point at two different users', () => {
    const p = previewMatches(
      [agent('1', { email: 'a@x.com', userName: 'b@x.com' })],
      [user('u1', 'a@x.com'), user('u2', 'b@x.com')],
      [],
    );
    expect(p.conflicts).toEqual([{ agentId: '1', reason: 'SEVERAL_USERS_MATCH', candidateUserIds: ['u1', 'u2'] }]);
    expect(p.proposals).toEqual([]);
  });

  it('reports both agents when two agents match the same user', () => {
    const p = previewMatches(
      [agent('1', { email: 'a@x.com' }), agent('2', { userName: 'A@x.com' })],
      [user('u1', 'a@x.com')],
      [],
    );
    expect(p.conflicts.map((c) => [c.agentId, c.reason])).toEqual([
      ['1', 'USER_MATCHES_SEVERAL_AGENTS'],
      ['2', 'USER_MATCHES_SEVERAL_AGENTS'],
    ]);
  });

  it('never proposes to replace a link, nor to take a user linked to another agent', () => {
    const p = previewMatches(
      [agent('1', { email: 'a@x.com' }), agent('2', { email: 'b@x.com' })],
      [user('u1', 'a@x.com'), user('u2', 'b@x.com')],
      [link('1', 'u9'), link('3', 'u2')],
    );
    expect(p.alreadyLinked).toEqual(['1', '3']);
    expect(p.conflicts).toEqual([{ agentId: '2', reason: 'USER_ALREADY_LINKED', candidateUserIds: ['u2'] }]);
    expect(p.proposals).toEqual([]);
  });

  it('lists agents with no match, and one user reachable by mail and UPN counts once', () => {
    const p = previewMatches(
      [agent('1', { email: 'a@x.com', userName: 'alias@x.com' }), agent('2')],
      [user('u1', 'alias@x.com', 'a@x.com')],
      [],
    );
    expect(p.proposals.map((m) => m.teamsUserId)).toEqual(['u1']);
    expect(p.unmatched).toEqual(['2']);
  });
});
