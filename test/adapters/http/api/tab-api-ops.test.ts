import type { TraceEvent } from '../../../../src/application/ports.js';
import { SUPPORT_ROLE } from '../../../../src/domain/access.js';
import { openApiPath } from '../../../../src/adapters/http/api/api-openapi.js';
import { ApiHarness, publisherDraft, TENANT_A, TENANT_B } from './fakes/api-harness.js';
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

const hop = (tenantId: string, agentId: string, summary: string): TraceEvent => ({
  id: `${tenantId}-${summary}`,
  tenantId,
  agentId,
  traceId: 't1',
  hop: 'acd.event',
  at: 1,
  summary,
  data: {},
});

/** Reads SSE frames from a streaming response until `until` says stop. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  until: (events: { event: string; data: string }[]) => boolean,
): Promise<{ event: string; data: string }[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: string }[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        frame
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
      if (field('event')) events.push({ event: field('event'), data: field('data') });
    }
  }
  reader.releaseLock();
  return events;
}

describe('Log Reader live tail (SSE)', () => {
  it('streams the hops of the followed agent of the caller tenant only, and unsubscribes when the client leaves', async () => {
    const support = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    const abort = new AbortController();
    const res = await fetch(`${api.base}/api/v1/trace/live?agent=agent-a1`, {
      headers: { authorization: `Bearer ${support}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = res.body as ReadableStream<Uint8Array>;
    expect((await readEvents(body, (e) => e.length >= 1))[0]).toEqual({
      event: 'ready',
      data: JSON.stringify({ agentId: 'agent-a1' }),
    });
    expect(api.tail.subscriberCount()).toBe(1);
    api.tail.publish(hop(TENANT_B, 'agent-a1', 'other tenant'));
    api.tail.publish(hop(TENANT_A, 'agent-a2', 'other agent'));
    api.tail.publish(hop(TENANT_A, 'agent-a1', 'ours'));
    const [trace] = await readEvents(body, (e) => e.length >= 1);
    expect(trace?.event).toBe('trace');
    expect(JSON.parse(trace?.data ?? '{}')).toMatchObject({ summary: 'ours', tenantId: TENANT_A });
    abort.abort();
    for (let i = 0; i < 50 && api.tail.subscriberCount() > 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(api.tail.subscriberCount()).toBe(0);
  });

  it('refuses to follow an agent nobody knows (404 problem+json, as the query says), without taking a stream slot', async () => {
    const support = await entra.token({ tid: TENANT_A, roles: [SUPPORT_ROLE] });
    // agent-b1 exists, in the other tenant only: unknown here too.
    for (const agent of ['no-such-agent', 'agent-b1']) {
      const res = await fetch(`${api.base}/api/v1/trace/live?agent=${agent}`, {
        headers: { authorization: `Bearer ${support}` },
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(await res.json()).toMatchObject({ code: 'TRACE.AGENT_NOT_FOUND' });
    }
    expect(api.tail.subscriberCount()).toBe(0);
  });

  it('refuses a live tail without a valid token before streaming', async () => {
    const res = await fetch(`${api.base}/api/v1/trace/live?agent=agent-a1`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('settings and connections', () => {
  it('stores the CXone credentials encrypted through the tenant store and never returns a secret', async () => {
    const put = await api.call('PUT', '/api/v1/connections/cxone', {
      token,
      body: { clientId: 'cid', clientSecret: 'top-secret', accessKeyId: 'kid', accessKeySecret: 'key-secret' },
    });
    expect(put.status).toBe(200);
    const got = await api.call('GET', '/api/v1/connections', { token });
    expect(got.json['cxone']).toEqual({
      configured: true,
      issuerUrl: null, // none given: the deployment's CXone, not a default the admin never chose
      clientId: 'cid',
      accessKeyId: 'kid',
      clientSecretSet: true,
      accessKeySecretSet: true,
    });
    expect(put.text + got.text).not.toMatch(/top-secret|key-secret/);
    // A later edit without secrets keeps the stored ones.
    await api.call('PUT', '/api/v1/connections/cxone', { token, body: { clientId: 'cid2', accessKeyId: 'kid' } });
    expect(await api.store.tenants.getConnection(TENANT_A, 'cxone')).toMatchObject({
      clientId: 'cid2',
      clientSecret: 'top-secret',
      accessKeySecret: 'key-secret',
    });
  });

  it('tries credentials before they are stored: the stored connection is unchanged whatever the answer', async () => {
    const stored = { clientId: 'cid', clientSecret: 'good', accessKeyId: 'kid', accessKeySecret: 'ks' };
    await api.call('PUT', '/api/v1/connections/cxone', {
      token,
      body: { ...stored, issuerUrl: 'https://eu.cxone.test' },
    });
    const before = await api.store.tenants.getConnection(TENANT_A, 'cxone');
    const refused = await api.call('POST', '/api/v1/connections/cxone/try', {
      token,
      body: { clientSecret: 'wrong' },
    });
    expect(refused.json).toEqual({
      ok: false,
      code: 'CXONE_CREDENTIALS_REFUSED',
      detail: 'CXone at https://eu.cxone.test refused the client or the access key.',
    });
    // Fields left out were taken from the stored connection.
    expect(api.cxoneTried.at(-1)).toEqual({ ...stored, clientSecret: 'wrong', issuerUrl: 'https://eu.cxone.test' });
    const saves = api.connectionsSaved.length;
    const works = await api.call('POST', '/api/v1/connections/cxone/try', { token, body: { clientId: 'cid2' } });
    expect(works.json).toMatchObject({ ok: true, detail: 'token issued, 3 agents listed' });
    expect(await api.store.tenants.getConnection(TENANT_A, 'cxone')).toEqual(before);
    // A try moves no sync: only a stored connection is signalled to the instance running the tenant.
    expect(api.connectionsSaved.length).toBe(saves);
    // An edit that leaves the issuer out keeps the stored one.
    await api.call('PUT', '/api/v1/connections/cxone', { token, body: { clientId: 'cid3', accessKeyId: 'kid' } });
    expect(await api.store.tenants.getConnection(TENANT_A, 'cxone')).toMatchObject({
      issuerUrl: 'https://eu.cxone.test',
      clientId: 'cid3',
    });
    expect(api.connectionsSaved.slice(saves)).toEqual([TENANT_A]);
  });

  it('asks for the secrets the first time (400 per field) and tests a stored connection', async () => {
    const saves = api.connectionsSaved.length;
    const r = await api.call('PUT', '/api/v1/connections/cxone', {
      token,
      body: { clientId: 'cid', accessKeyId: 'kid' },
    });
    expect(r.status).toBe(400);
    expect(api.connectionsSaved.length).toBe(saves);
    expect((r.json['errors'] as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/clientSecret',
      '/accessKeySecret',
    ]);
    expect((await api.call('POST', '/api/v1/connections/cxone/test', { token })).status).toBe(409);
    await api.call('PUT', '/api/v1/connections/cxone', {
      token,
      body: { clientId: 'cid', clientSecret: 's', accessKeyId: 'kid', accessKeySecret: 'k' },
    });
    const test = await api.call('POST', '/api/v1/connections/cxone/test', { token });
    expect(test.json).toEqual({ ok: true, detail: 'token issued, 3 agents listed' });
    expect(api.cxoneTests).toBe(1);
  });

  it('reads defaults, saves valid settings and refuses out-of-range ones per field', async () => {
    expect((await api.call('GET', '/api/v1/settings', { token })).json).toEqual({
      reconciliationPeriodSec: 300,
      traceRetentionDays: 14,
    });
    expect(
      (
        await api.call('PUT', '/api/v1/settings', {
          token,
          body: { reconciliationPeriodSec: 600, traceRetentionDays: 30 },
        })
      ).status,
    ).toBe(200);
    const bad = await api.call('PUT', '/api/v1/settings', {
      token,
      body: { reconciliationPeriodSec: 5, traceRetentionDays: 3650 },
    });
    expect((bad.json['errors'] as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/reconciliationPeriodSec',
      '/traceRetentionDays',
    ]);
    expect((await api.call('GET', '/api/v1/settings', { token })).json).toEqual({
      reconciliationPeriodSec: 600,
      traceRetentionDays: 30,
    });
  });

  it('audits settings and connection changes, without secrets', async () => {
    await api.call('PUT', '/api/v1/settings', {
      token,
      body: { reconciliationPeriodSec: 600, traceRetentionDays: 30 },
    });
    await api.call('PUT', '/api/v1/connections/cxone', {
      token,
      body: { clientId: 'cid', clientSecret: 'top-secret', accessKeyId: 'kid', accessKeySecret: 'key-secret' },
    });
    const audit = await api.call('GET', '/api/v1/audit', { token });
    expect((audit.json['items'] as { action: string }[]).map((e) => e.action)).toEqual([
      'connection.update',
      'settings.update',
    ]);
    expect(audit.json['items']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'settings.update',
          before: { reconciliationPeriodSec: 300, traceRetentionDays: 14 },
          after: { reconciliationPeriodSec: 600, traceRetentionDays: 30 },
        }),
      ]),
    );
    expect(audit.text).not.toMatch(/top-secret|key-secret/);
  });

  it('refuses an invalid query string with 400 per parameter', async () => {
    const r = await api.call('GET', '/api/v1/trace?agent=agent-a1&from=yesterday', { token });
    expect([r.status, r.json['code']]).toEqual([400, 'API.INVALID_QUERY']);
    expect((r.json['errors'] as { pointer: string }[])[0]?.pointer).toBe('/query/from');
  });
});

describe('the Log Reader agent header (GET /trace/agent)', () => {
  it('names the agent, their team and Teams user, what each side last showed, and the rule that applies and why', async () => {
    await api.store.userLinks.put(
      [{ tenantId: TENANT_A, agentId: 'agent-a1', teamsUserId: 'aad-a1', source: 'auto', email: 'alice@a.test' }],
      'test',
    );
    await api.store.agentStates.put(TENANT_A, {
      agentId: 'agent-a1',
      teamId: 'team-a1',
      teamsUserId: 'aad-a1',
      acd: {
        state: { name: 'Unavailable', afterCallWork: false, unavailableCode: { id: 'code-a-lunch', name: 'Lunch' } },
        sourceTime: 1_000,
        eventId: 'e1',
      },
      teams: {
        presence: { availability: 'Away', activity: 'Away' },
        sourceTime: 2_000,
        eventId: 'e2',
        manualStatus: true,
      },
    });
    const created = await api.call('POST', '/api/v1/rules', { token, body: publisherDraft('a') });
    expect(created.status).toBe(201);
    const r = await api.call('GET', '/api/v1/trace/agent?agent=alice@a.test', { token });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      agentId: 'agent-a1',
      name: 'A agent-a1',
      email: 'alice@a.test',
      team: { teamId: 'team-a1', teamName: 'Team team-a1' },
      teamsUser: { id: 'aad-a1', email: 'alice@a.test', linkedBy: 'auto' },
      acd: { label: 'Unavailable(Lunch)', since: 1_000 },
      teams: { label: 'Away/Away', since: 2_000, manual: true },
      rule: { id: created.json['id'], name: 'Voice calls show In a call', direction: 'publisher' },
      syncEnabled: true,
      gaps: [],
    });
    expect(r.json['why']).toContain("it covers the agent's team team-a1");
  });

  it('says why no rule applies to an agent nothing is known of yet, and 404s a name nobody has', async () => {
    const r = await api.call('GET', '/api/v1/trace/agent?agent=agent-a3', { token });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ agentId: 'agent-a3', team: { teamId: 'team-a2' }, rule: null });
    expect(r.json['acd']).toBeUndefined();
    expect(r.json['teamsUser']).toBeUndefined();
    expect(r.json['why']).toContain('has no effective rule');
    const none = await api.call('GET', '/api/v1/trace/agent?agent=nobody@nowhere.test', { token });
    expect([none.status, none.json['code']]).toEqual([404, 'TRACE.AGENT_NOT_FOUND']);
  });

  it('still answers when CXone cannot be read, saying what is not known', async () => {
    const offline = await new ApiHarness(entra, { directory: async () => undefined }).start();
    try {
      const r = await offline.call('GET', '/api/v1/trace/agent?agent=agent-a1', { token });
      expect(r.status).toBe(200);
      expect(r.json['name']).toBeUndefined();
      expect(r.json['gaps']).toEqual(['CXone is not connected: name and team are unknown.']);
    } finally {
      await offline.close();
    }
  });

  it("never describes another tenant's agent", async () => {
    const tokenB = await entra.token({ tid: TENANT_B });
    const r = await api.call('GET', '/api/v1/trace/agent?agent=alice@a.test', { token: tokenB });
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('agent-a1');
  });
});

describe('subscription owners', () => {
  it('lists the owner accounts with their sign-in status, as composition reports them', async () => {
    const owners = [
      {
        ownerId: 'o1',
        userPrincipalName: 'svc@a.test',
        signedIn: false,
        detail: 'invalid_grant: password changed',
        subscriptionCount: 2,
      },
    ];
    const withOwners = await new ApiHarness(entra, {
      owners: { list: async (t) => (t === TENANT_A ? owners : []) },
    }).start();
    try {
      expect((await withOwners.call('GET', '/api/v1/connections', { token })).json['owners']).toEqual(owners);
    } finally {
      await withOwners.close();
    }
  });
});

describe('health', () => {
  it('returns the tenant health model', async () => {
    api.health.reporter(TENANT_A).report('acd.connection', 'down', 'CXone unreachable');
    const r = await api.call('GET', '/api/v1/health', { token });
    expect(r.json).toMatchObject({ tenantId: TENANT_A, status: 'down' });
  });

  it('reads as an admin would: one headline, failing components first, rule and code names, a 60-minute chart', async () => {
    const rule = await api.call('POST', '/api/v1/rules', { token, body: publisherDraft('a', 'Voice calls') });
    const reporter = api.health.reporter(TENANT_A);
    reporter.success('store');
    reporter.success('acd.connection', 'feed connected');
    reporter.report('acd.auth', 'down', 'CXone refused the access key');
    api.health.setSyncActive(TENANT_A, true, 'syncing 3 agents');
    const now = api.time.now();
    api.health.activity.record(TENANT_A, {
      ruleId: String(rule.json['id']),
      direction: 'teams-to-acd',
      status: 'Unavailable:code-a-lunch',
      latencyMs: 300,
      at: now - 30_000,
    });
    const h = (await api.call('GET', '/api/v1/health', { token })).json as {
      headline: { state: string; title: string; why: string };
      components: { component: string; label: string; action: string }[];
      activeSyncs: { ruleName: string; statusLabel: string; directionLabel: string }[];
      perMinute: { teamsToAcd: number }[];
    };
    expect(h.headline).toEqual({
      state: 'degraded',
      title: 'Sync degraded',
      why: 'CXone sign-in down: CXone refused the access key',
    });
    expect(h.components.map((c) => c.label)).toEqual(['CXone sign-in', 'CXone connection', 'Database']);
    expect(h.components[0]?.action).toMatch(/Settings page/);
    expect(h.activeSyncs).toEqual([
      expect.objectContaining({
        ruleName: 'Voice calls',
        statusLabel: 'Unavailable: Lunch',
        directionLabel: 'Teams → CXone',
      }),
    ]);
    expect(h.perMinute).toHaveLength(60);
    expect(h.perMinute.reduce((n, m) => n + m.teamsToAcd, 0)).toBe(1);
  });
});

describe('OpenAPI document', () => {
  it('is served without a token and describes exactly the routes the server registered', async () => {
    const r = await api.call('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json['openapi']).toBe('3.1.0');
    const documented = Object.entries(r.json['paths'] as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const registered = Object.values(api.server?.router.getRoutes() ?? {})
      .map((route) => `${String(route.method)} ${openApiPath(String(route.path).replace(/^\/api\/v1/, ''))}`)
      .filter((r) => !r.endsWith('/api/v1/*'));
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('documents request bodies from the zod schemas and the problem shape', async () => {
    const doc = (await api.call('GET', '/api/v1/openapi.json')).json as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }
        >
      >;
      components: { schemas: Record<string, unknown> };
    };
    const create = doc.paths['/api/v1/rules']?.['post'];
    expect(Object.keys(create?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(
      expect.arrayContaining(['name', 'direction', 'scope', 'mappings']),
    );
    expect(doc.paths['/api/v1/users/import']?.['post']?.requestBody?.content['text/csv']).toBeDefined();
    expect(doc.components.schemas['Problem']).toBeDefined();
  });

  it('lists every problem code the API answered with in these tests (x-problem-codes)', async () => {
    const doc = (await api.call('GET', '/api/v1/openapi.json')).json as { 'x-problem-codes': Record<string, number> };
    for (const code of [
      'AUTH.INVALID_TOKEN',
      'API.BODY_TOO_LARGE',
      'RULE.VERSION_CONFLICT',
      'CSV.INVALID_ROWS',
      'GRAPH.CONSENT_REQUIRED',
      'TRACE.AGENT_NOT_FOUND',
    ]) {
      expect(doc['x-problem-codes'][code]).toEqual(expect.any(Number));
    }
  });
});

describe('acting on Graph for the signed-in admin', () => {
  it('searches people with the caller identity and maps a refused on-behalf-of exchange to 403 consent required', async () => {
    const seen: string[] = [];
    const graphApi = await new ApiHarness(entra, {
      people: {
        search: async (caller, q) => {
          seen.push(`${caller.tenantId}:${q}`);
          return q === 'x'
            ? {
                ok: false,
                error: {
                  system: 'entra',
                  status: 400,
                  code: 'invalid_grant',
                  message: 'AADSTS65001',
                  transient: false,
                },
              }
            : { ok: true, value: [{ id: 'aad-a1', userPrincipalName: 'alice@a.test', displayName: 'Alice' }] };
        },
      },
      ownerConnector: {
        connect: async (tenantId, ownerId) => {
          seen.push(`owner ${tenantId}:${ownerId}`);
          return { ok: true, value: undefined };
        },
      },
    }).start();
    try {
      const found = await graphApi.call('GET', '/api/v1/directory/users?search=ali', { token });
      expect(found.json['items']).toEqual([{ id: 'aad-a1', userPrincipalName: 'alice@a.test', displayName: 'Alice' }]);
      const refused = await graphApi.call('GET', '/api/v1/directory/users?search=x', { token });
      expect([refused.status, refused.json['code']]).toEqual([403, 'GRAPH.CONSENT_REQUIRED']);
      expect((await graphApi.call('POST', '/api/v1/connections/owners/me', { token })).json).toMatchObject({
        ownerId: `user-of-${TENANT_A}`,
        signedIn: true,
      });
      expect(seen).toEqual([`${TENANT_A}:ali`, `${TENANT_A}:x`, `owner ${TENANT_A}:user-of-${TENANT_A}`]);
    } finally {
      await graphApi.close();
    }
  });

  it("searches on behalf of the caller: an admin finds their own tenant's people only", async () => {
    const r = await api.call('GET', '/api/v1/directory/users?search=dav', { token });
    expect(r.status).toBe(200);
    expect(r.json['items']).toEqual([expect.objectContaining({ id: 'aad-a9', userPrincipalName: 'dave@a.test' })]);
  });
});

describe('signing keys unavailable', () => {
  it('answers 503 (retry later), not 401, when the JWKS cannot be fetched', async () => {
    const offline = await new ApiHarness({ jwksUrl: 'http://127.0.0.1:9/keys' }).start();
    try {
      const r = await offline.call('GET', '/api/v1/me', { token });
      expect([r.status, r.json['code']]).toEqual([503, 'AUTH.KEYS_UNAVAILABLE']);
    } finally {
      await offline.close();
    }
  });
});
