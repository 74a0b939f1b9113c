import { ApiHarness, TENANT_A } from './fakes/api-harness.js';
import { LocalEntra } from './fakes/local-entra.js';

let entra: LocalEntra;
let api: ApiHarness;
let token: string;

beforeAll(async () => {
  entra = await LocalEntra.start();
  token = await entra.token({ tid: TENANT_A });
});
beforeEach(async () => {
  api = await new ApiHarness(entra).start();
});
afterEach(async () => {
  await api.close();
});
afterAll(async () => {
  await entra.close();
});

const links = async () => (await api.store.userLinks.list(TENANT_A)).map((l) => [l.agentId, l.teamsUserId, l.source]);

describe('auto-match', () => {
  it('previews matches by e-mail / UPN case-insensitively without changing anything', async () => {
    const r = await api.call('POST', '/api/v1/users/auto-match/preview', { token });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      proposals: [
        { agentId: 'agent-a1', teamsUserId: 'aad-a1', matchedBy: 'email' },
        { agentId: 'agent-a2', teamsUserId: 'aad-a2', matchedBy: 'email' },
      ],
      unmatched: ['agent-a3'],
      conflicts: [],
    });
    expect(await links()).toEqual([]);
  });

  it('applies only the previewed pairs still proposed, and applying twice changes nothing more', async () => {
    const pairs = [
      { agentId: 'agent-a1', teamsUserId: 'aad-a1' },
      { agentId: 'agent-a3', teamsUserId: 'aad-a9' },
    ];
    const first = await api.call('POST', '/api/v1/users/auto-match/apply', { token, body: { pairs } });
    expect(first.json).toMatchObject({ applied: ['agent-a1'], unchanged: [], rejected: [{ agentId: 'agent-a3' }] });
    const again = await api.call('POST', '/api/v1/users/auto-match/apply', { token, body: { pairs } });
    expect(again.json).toMatchObject({ applied: [], unchanged: ['agent-a1'] });
    expect(await links()).toEqual([['agent-a1', 'aad-a1', 'auto']]);
    expect(api.linksChanged).toEqual([{ tenantId: TENANT_A, agentIds: ['agent-a1'] }]);
  });
});

describe('manual links', () => {
  it('overrides, refuses a Teams user linked elsewhere (409), and unlinks', async () => {
    expect(
      (await api.call('PUT', '/api/v1/users/agent-a3/link', { token, body: { teamsUserId: 'aad-a9' } })).status,
    ).toBe(200);
    const clash = await api.call('PUT', '/api/v1/users/agent-a1/link', { token, body: { teamsUserId: 'aad-a9' } });
    expect([clash.status, clash.json['code']]).toEqual([409, 'USER_LINK.USER_ALREADY_LINKED']);
    const unknownUser = await api.call('PUT', '/api/v1/users/agent-a1/link', {
      token,
      body: { teamsUserId: 'aad-nobody' },
    });
    expect([unknownUser.status, unknownUser.json['code']]).toEqual([422, 'USER_LINK.USER_NOT_FOUND']);
    expect(await links()).toEqual([['agent-a3', 'aad-a9', 'manual']]);
    expect((await api.call('DELETE', '/api/v1/users/agent-a3/link', { token })).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/users/agent-a3/link', { token })).status).toBe(404);
    expect(await links()).toEqual([]);
  });

  it('lists every agent with its link', async () => {
    await api.call('PUT', '/api/v1/users/agent-a2/link', { token, body: { teamsUserId: 'aad-a2' } });
    const rows = (await api.call('GET', '/api/v1/users', { token })).json['items'] as {
      agent: { agentId: string };
      link?: { teamsUserId: string };
    }[];
    expect(rows.map((r) => [r.agent.agentId, r.link?.teamsUserId ?? null])).toEqual([
      ['agent-a1', null],
      ['agent-a2', 'aad-a2'],
      ['agent-a3', null],
    ]);
  });

  it('says Graph is not connected (409) when the tenant has no user directory', async () => {
    api.entraUsers.delete(TENANT_A);
    const r = await api.call('POST', '/api/v1/users/auto-match/preview', { token });
    expect([r.status, r.json['code']]).toEqual([409, 'GRAPH.NOT_CONNECTED']);
  });
});

describe('CSV export and import', () => {
  it('round-trips: the exported file imports back as "unchanged"', async () => {
    await api.call('PUT', '/api/v1/users/agent-a1/link', { token, body: { teamsUserId: 'aad-a1' } });
    const exported = await api.call('GET', '/api/v1/users/export', { token });
    expect(exported.status).toBe(200);
    expect(exported.contentType).toMatch(/^text\/csv/);
    expect(exported.text.split('\r\n')[0]).toBe(
      'agentId,agentName,agentEmail,teamsUserId,teamsUserPrincipalName,source',
    );
    expect(exported.text).toContain('agent-a1,A agent-a1,alice@a.test,aad-a1,alice@a.test,manual');
    const back = await api.call('POST', '/api/v1/users/import', { token, raw: exported.text, contentType: 'text/csv' });
    expect(back.json).toEqual({
      linked: [],
      unlinked: [],
      unchanged: ['agent-a1', 'agent-a2', 'agent-a3'],
      dryRun: false,
    });
  });

  it('imports by UPN, unlinks rows with an empty user, and validates with ?dryRun=true without writing', async () => {
    await api.call('PUT', '/api/v1/users/agent-a1/link', { token, body: { teamsUserId: 'aad-a1' } });
    const csv = 'agentId,teamsUserPrincipalName\r\nagent-a1,\r\nagent-a2,"bob@A.test"\r\n';
    const dry = await api.call('POST', '/api/v1/users/import?dryRun=true', {
      token,
      raw: csv,
      contentType: 'text/csv',
    });
    expect(dry.json).toEqual({ linked: ['agent-a2'], unlinked: ['agent-a1'], unchanged: [], dryRun: true });
    expect(await links()).toEqual([['agent-a1', 'aad-a1', 'manual']]);
    await api.call('POST', '/api/v1/users/import', { token, raw: csv, contentType: 'text/csv' });
    expect(await links()).toEqual([['agent-a2', 'aad-a2', 'import']]);
  });

  it('reports every bad row and applies nothing (all-or-nothing)', async () => {
    const csv = 'agentId,teamsUserId\nagent-a1,aad-a1\nagent-zz,aad-a2\nagent-a1,aad-nobody\n';
    const r = await api.call('POST', '/api/v1/users/import', { token, raw: csv, contentType: 'text/csv' });
    expect([r.status, r.json['code']]).toEqual([422, 'CSV.INVALID_ROWS']);
    expect((r.json['errors'] as { pointer: string; code: string }[]).map((e) => [e.pointer, e.code])).toEqual([
      ['/rows/2/agentId', 'CSV.UNKNOWN_AGENT'],
      ['/rows/3/teamsUserId', 'CSV.UNKNOWN_USER'],
      ['/rows/3/agentId', 'CSV.DUPLICATE_AGENT'],
    ]);
    expect(await links()).toEqual([]);
  });

  it('refuses a file without the needed columns or with a broken quote (400)', async () => {
    const noColumn = await api.call('POST', '/api/v1/users/import', {
      token,
      raw: 'agent,user\n1,2\n',
      contentType: 'text/csv',
    });
    expect([noColumn.status, noColumn.json['code']]).toEqual([400, 'CSV.MISSING_COLUMN']);
    const broken = await api.call('POST', '/api/v1/users/import', {
      token,
      raw: 'agentId,teamsUserId\n"agent-a1,aad-a1\n',
      contentType: 'text/csv',
    });
    expect([broken.status, broken.json['code']]).toEqual([400, 'CSV.MALFORMED']);
  });
});
