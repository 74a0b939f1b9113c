import { ApiHarness, publisherDraft, TENANT_A, TENANT_B } from './fakes/api-harness.js';
import { LocalEntra } from './fakes/local-entra.js';

let entra: LocalEntra;
let api: ApiHarness;
let tokenA: string;
let tokenB: string;
let ruleA = '';

/** Everything tenant A has, serialised: must be identical before and after tenant B's calls. */
const snapshotOfA = async (): Promise<string> =>
  JSON.stringify({
    rules: await api.store.rules.list(TENANT_A),
    audit: await api.store.rules.audit(TENANT_A, 1000),
    links: await api.store.userLinks.list(TENANT_A),
    cxone: await api.store.tenants.getConnection(TENANT_A, 'cxone'),
    settings: await api.store.tenants.getConnection(TENANT_A, 'settings'),
  });

/** Strings only tenant A's data contains. */
const A_MARKERS = [
  TENANT_A,
  'Tenant A secret rule',
  '@a.test',
  'aad-a1',
  'aad-a2',
  'team-a1',
  'code-a-lunch',
  'a-client-id',
  'a-key-id',
  'agent-a1',
  'agent-a2',
];

beforeAll(async () => {
  entra = await LocalEntra.start();
  api = await new ApiHarness(entra).start();
  tokenA = await entra.token({ tid: TENANT_A });
  tokenB = await entra.token({ tid: TENANT_B });
  const created = await api.call('POST', '/api/v1/rules', {
    token: tokenA,
    body: publisherDraft('a', 'Tenant A secret rule'),
  });
  expect(created.status).toBe(201);
  ruleA = String(created.json['id']);
  expect(
    (await api.call('PUT', '/api/v1/users/agent-a1/link', { token: tokenA, body: { teamsUserId: 'aad-a1' } })).status,
  ).toBe(200);
  expect(
    (
      await api.call('PUT', '/api/v1/connections/cxone', {
        token: tokenA,
        body: { clientId: 'a-client-id', clientSecret: 's3cret-a', accessKeyId: 'a-key-id', accessKeySecret: 'k3y-a' },
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await api.call('PUT', '/api/v1/settings', {
        token: tokenA,
        body: { reconciliationPeriodSec: 900, traceRetentionDays: 30 },
      })
    ).status,
  ).toBe(200);
  await api.store.traces.append([
    {
      id: 'ev-a',
      tenantId: TENANT_A,
      agentId: 'agent-a1',
      traceId: 't-a',
      hop: 'acd.event',
      at: api.time.now(),
      summary: 'A only',
      data: {},
    },
  ]);
});
afterAll(async () => {
  await api.close();
  await entra.close();
});

/** What tenant B sends to each route, aimed at tenant A's resources wherever the route takes an id. */
function requestFor(operationId: string): { path?: string; body?: unknown; raw?: string; contentType?: string } {
  switch (operationId) {
    case 'createRule':
      return { body: publisherDraft('b') };
    case 'updateRule':
      return { body: { ...publisherDraft('b'), version: 1 } };
    case 'setRuleEnabled':
      return { body: { enabled: false, version: 1 } };
    case 'dryRunRule':
      return { body: { rule: publisherDraft('a'), ruleId: ruleA, target: { kind: 'agent', agentId: 'agent-a1' } } };
    case 'applyAutoMatch':
      return { body: { pairs: [{ agentId: 'agent-a2', teamsUserId: 'aad-a2' }] } };
    case 'linkUser':
      return { body: { teamsUserId: 'aad-a2' } };
    case 'importUserMappings':
      return { raw: 'agentId,teamsUserId\r\nagent-a2,aad-a2\r\n', contentType: 'text/csv' };
    case 'putSettings':
      return { body: { reconciliationPeriodSec: 120, traceRetentionDays: 2 } };
    case 'putCxoneConnection':
      return { body: { clientId: 'b-client', clientSecret: 'x', accessKeyId: 'b-key', accessKeySecret: 'y' } };
    case 'queryTrace':
      return { path: '/api/v1/trace?agent=agent-a1' };
    case 'getTraceAgent':
      return { path: '/api/v1/trace/agent?agent=alice@a.test' };
    case 'listAudit':
      return { path: '/api/v1/audit?limit=1000' };
    default:
      return {};
  }
}

describe('tenant isolation: a tenant B admin token on every route', () => {
  it('never sees, and never changes, tenant A data', async () => {
    const before = await snapshotOfA();
    const routes = api.routes.filter((r) => r.operationId !== 'liveTrace');
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of routes) {
      const req = requestFor(r.operationId);
      const path = req.path ?? `/api/v1${r.path.replace(':ruleId', ruleA).replace(':agentId', 'agent-a1')}`;
      const res = await api.call(r.method === 'del' ? 'DELETE' : r.method.toUpperCase(), path, {
        token: tokenB,
        ...req,
      });
      const sent = path + JSON.stringify(req.body ?? req.raw ?? '');
      const leaked = A_MARKERS.filter((m) => !sent.includes(m) && res.text.includes(m));
      expect({ route: r.operationId, leaked }).toEqual({ route: r.operationId, leaked: [] });
      if (r.path.includes(':'))
        expect({ route: r.operationId, status: res.status }).toEqual({ route: r.operationId, status: 404 });
      else expect({ route: r.operationId, ok: res.status < 500 }).toEqual({ route: r.operationId, ok: true });
    }
    expect(await snapshotOfA()).toBe(before);
  });

  it('answers 404 (not 403) for tenant A resources, so their existence is not disclosed', async () => {
    for (const [method, path] of [
      ['GET', `/api/v1/rules/${ruleA}`],
      ['DELETE', `/api/v1/rules/${ruleA}`],
      ['DELETE', '/api/v1/users/agent-a1/link'],
    ] as const) {
      const r = await api.call(method, path, { token: tokenB });
      expect(r.status).toBe(404);
      expect(r.contentType).toMatch(/problem\+json/);
    }
    expect((await api.call('GET', `/api/v1/rules/${ruleA}`, { token: tokenA })).status).toBe(200);
  });

  it('a Log Reader query by tenant B for tenant A agents finds nothing', async () => {
    const r = await api.call('GET', '/api/v1/trace?agent=agent-a1', { token: tokenB });
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('A only');
    const own = await api.call('GET', '/api/v1/trace?agent=agent-a1', { token: tokenA });
    expect(own.status).toBe(200);
    expect(own.text).toContain('A only');
  });
});
