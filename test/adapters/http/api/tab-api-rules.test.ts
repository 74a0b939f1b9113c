import type { AgentSyncState } from '../../../../src/domain/sync-state.js';
import { ApiHarness, publisherDraft, TENANT_A } from './fakes/api-harness.js';
import { LocalEntra } from './fakes/local-entra.js';

let entra: LocalEntra;
let api: ApiHarness;
let token: string;

beforeAll(async () => {
  entra = await LocalEntra.start();
  token = await entra.token({ tid: TENANT_A, extra: { preferred_username: 'ada@a.test' } });
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

const storeSnapshot = async () =>
  JSON.stringify({ rules: await api.store.rules.list(TENANT_A), audit: api.store.rules.log });

describe('presence rules CRUD', () => {
  it('creates, reads, lists, updates with the expected version, and deletes, each audited', async () => {
    const created = await api.call('POST', '/api/v1/rules', { token, body: publisherDraft('a') });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      tenantId: TENANT_A,
      version: 1,
      enabled: true,
      manualStatusPolicy: 'respect',
      debounceMs: 0,
      partnerPlatform: 'msteams',
    });
    const id = String(created.json['id']);
    expect((await api.call('GET', `/api/v1/rules/${id}`, { token })).json).toEqual(created.json);
    expect((await api.call('GET', '/api/v1/rules', { token })).json['items']).toEqual([created.json]);

    const updated = await api.call('PUT', `/api/v1/rules/${id}`, {
      token,
      body: { ...publisherDraft('a', 'Renamed'), version: 1 },
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: 'Renamed', version: 2 });
    const disabled = await api.call('PUT', `/api/v1/rules/${id}/enabled`, {
      token,
      body: { enabled: false, version: 2 },
    });
    expect(disabled.json).toMatchObject({ enabled: false, version: 3, name: 'Renamed' });
    expect((await api.call('DELETE', `/api/v1/rules/${id}`, { token })).status).toBe(204);
    expect((await api.call('GET', `/api/v1/rules/${id}`, { token })).status).toBe(404);

    const audit = await api.call('GET', '/api/v1/audit?limit=10', { token });
    expect((audit.json['items'] as { action: string; actor: string }[]).map((e) => [e.action, e.actor])).toEqual([
      ['delete', 'ada@a.test'],
      ['update', 'ada@a.test'],
      ['update', 'ada@a.test'],
      ['create', 'ada@a.test'],
    ]);
  });

  it('tells the engine which agents to re-evaluate: the old and the new scope', async () => {
    const id = String((await api.call('POST', '/api/v1/rules', { token, body: publisherDraft('a') })).json['id']);
    expect(api.rulesChanged.at(-1)).toEqual({ tenantId: TENANT_A, agentIds: ['agent-a1', 'agent-a2'] });
    await api.call('PUT', `/api/v1/rules/${id}`, {
      token,
      body: { ...publisherDraft('a'), scope: { kind: 'team', teamIds: ['team-a2'] }, version: 1 },
    });
    expect(api.rulesChanged.at(-1)).toEqual({ tenantId: TENANT_A, agentIds: ['agent-a1', 'agent-a2', 'agent-a3'] });
  });

  it('refuses a stale version with 409 problem+json and keeps the newer rule', async () => {
    const id = String((await api.call('POST', '/api/v1/rules', { token, body: publisherDraft('a') })).json['id']);
    expect(
      (
        await api.call('PUT', `/api/v1/rules/${id}`, {
          token,
          body: { ...publisherDraft('a', 'First editor'), version: 1 },
        })
      ).status,
    ).toBe(200);
    const late = await api.call('PUT', `/api/v1/rules/${id}`, {
      token,
      body: { ...publisherDraft('a', 'Second editor'), version: 1 },
    });
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ code: 'RULE.VERSION_CONFLICT' });
    expect((await api.call('GET', `/api/v1/rules/${id}`, { token })).json['name']).toBe('First editor');
  });

  it('returns domain validation problems per field (422) and saves nothing', async () => {
    const before = await storeSnapshot();
    const draft = {
      ...publisherDraft('a'),
      name: '  ',
      scope: { kind: 'team', teamIds: ['team-nope'] },
      mappings: [
        { acd: { kind: 'Unavailable', codeId: 'code-unknown' }, teams: { availability: 'Busy', activity: 'InACall' } },
      ],
    };
    const r = await api.call('POST', '/api/v1/rules', { token, body: draft });
    expect(r.status).toBe(422);
    expect(r.json['code']).toBe('RULE.INVALID');
    const errors = r.json['errors'] as { pointer: string; code: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/name', code: 'RULE.NAME_REQUIRED' }),
        expect.objectContaining({ code: 'RULE.UNKNOWN_TEAM', pointer: expect.stringMatching(/^\/scope\/teamIds/) }),
      ]),
    );
    expect(await storeSnapshot()).toBe(before);
    expect(api.rulesChanged).toHaveLength(0);
  });

  it.each([
    [
      'a missing direction and a wrong mapping kind',
      {
        ...publisherDraft('a'),
        direction: undefined,
        mappings: [{ acd: { kind: 'Sleeping' }, teams: { availability: 'Busy' } }],
      },
      ['/direction', '/mappings/0/acd/kind'],
    ],
    ['an unknown field (typo)', { ...publisherDraft('a'), enabeld: true }, ['']],
    ['a wrong type', { ...publisherDraft('a'), debounceMs: 'soon' }, ['/debounceMs']],
  ])('refuses %s with 400 and errors per field, store unchanged', async (_what, body, pointers) => {
    const before = await storeSnapshot();
    const r = await api.call('POST', '/api/v1/rules', { token, body });
    expect(r.status).toBe(400);
    expect(r.json['code']).toBe('API.INVALID_BODY');
    expect((r.json['errors'] as { pointer: string }[]).map((e) => e.pointer)).toEqual(expect.arrayContaining(pointers));
    expect(await storeSnapshot()).toBe(before);
  });

  it('refuses malformed JSON (400), a wrong media type (415) and an oversized body (413), changing nothing', async () => {
    const before = await storeSnapshot();
    const bad = await api.call('POST', '/api/v1/rules', {
      token,
      raw: '{"name": "x",',
      contentType: 'application/json',
    });
    expect([bad.status, bad.json['code']]).toEqual([400, 'API.MALFORMED_JSON']);
    const form = await api.call('POST', '/api/v1/rules', {
      token,
      raw: 'name=x',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect([form.status, form.json['code']]).toEqual([415, 'API.UNSUPPORTED_MEDIA_TYPE']);
    const huge = await api.call('POST', '/api/v1/rules', {
      token,
      body: { ...publisherDraft('a'), name: 'x'.repeat(300 * 1024) },
    });
    expect([huge.status, huge.json['code']]).toEqual([413, 'API.BODY_TOO_LARGE']);
    expect(huge.contentType).toMatch(/problem\+json/);
    expect(await storeSnapshot()).toBe(before);
  });
});

describe('dry-run', () => {
  const onCall = (agentId: string): AgentSyncState => ({
    agentId,
    teamId: 'team-a1',
    teamsUserId: `aad-${agentId}`,
    acd: {
      state: {
        name: 'InboundContact',
        afterCallWork: false,
        contact: { contactId: 'c1', media: 'voice', mediaTypeId: 4, counterpart: 'customer', isOutbound: false },
      },
      sourceTime: api.time.now() - 1000,
      eventId: 'e1',
    },
  });

  it('shows what a draft team rule would do to each agent of the team now, and that a user rule beats it', async () => {
    await api.store.agentStates.put(TENANT_A, onCall('agent-a1'));
    const userRule = { ...publisherDraft('a', 'Agent 2 only'), scope: { kind: 'user', agentIds: ['agent-a2'] } };
    const userRuleId = String((await api.call('POST', '/api/v1/rules', { token, body: userRule })).json['id']);
    const before = await storeSnapshot();
    const r = await api.call('POST', '/api/v1/rules/dry-run', {
      token,
      body: { rule: publisherDraft('a'), target: { kind: 'team', teamId: 'team-a1' } },
    });
    expect(r.status).toBe(200);
    const [a1, a2] = r.json as unknown as {
      agentId: string;
      draftApplies: boolean;
      effectiveRuleId: string;
      decisions: { side: string; effects: { kind: string; presence?: unknown }[] }[];
    }[];
    expect(a1).toMatchObject({ agentId: 'agent-a1', draftApplies: true });
    expect(a1?.decisions[0]?.effects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'setTeamsPresence', presence: { availability: 'Busy', activity: 'InACall' } }),
      ]),
    );
    expect(a2).toMatchObject({ agentId: 'agent-a2', draftApplies: false, effectiveRuleId: userRuleId, decisions: [] });
    expect(await storeSnapshot()).toBe(before);
  });

  it('answers 404 for an agent not in the directory', async () => {
    const r = await api.call('POST', '/api/v1/rules/dry-run', {
      token,
      body: { rule: publisherDraft('a'), target: { kind: 'agent', agentId: 'agent-zz' } },
    });
    expect([r.status, r.json['code']]).toEqual([404, 'DRY_RUN.TARGET_NOT_FOUND']);
  });
});

describe('editor lookups', () => {
  it('lists ACD teams with their unavailable codes, agents and settable Teams presences', async () => {
    const teams = await api.call('GET', '/api/v1/lookups/teams', { token });
    expect(teams.json['items']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ teamId: 'team-a1', codes: [expect.objectContaining({ id: 'code-a-lunch' })] }),
      ]),
    );
    const agents = await api.call('GET', '/api/v1/lookups/agents', { token });
    expect((agents.json['items'] as unknown[]).length).toBe(3);
    const presences = await api.call('GET', '/api/v1/lookups/presences', { token });
    expect(presences.json['session']).toEqual(expect.arrayContaining([{ availability: 'Busy', activity: 'InACall' }]));
  });

  it('says CXone is not connected (409) when the tenant has no directory', async () => {
    api.acd.delete(TENANT_A);
    const r = await api.call('GET', '/api/v1/lookups/teams', { token });
    expect([r.status, r.json['code']]).toEqual([409, 'ACD.NOT_CONNECTED']);
  });
});
