import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ApiRoute } from '../../src/adapters/http/api/api-route.js';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.js';
import { ApiHarness, publisherDraft, TENANT_A, TENANT_B } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';
import { dumpStore } from '../security/secured-api.js';
import {
  FuzzTally,
  httpCall,
  type HttpAnswer,
  hostileJson,
  hostileText,
  nastyString,
  prototypeClean,
  SEED,
} from './fuzz-support.js';

const INPUTS = 10_240;
const CONCURRENCY = 8;
const tally = new FuzzTally('tab-api');

let entra: LocalEntra;
let api: ApiHarness;
const tokens: Record<string, string> = {};

interface Spec {
  readonly route: number;
  readonly params: readonly string[];
  readonly query: string;
  readonly token: string;
  readonly contentType: string | undefined;
  readonly body: string | undefined;
  readonly method?: string;
}

/** Everything but the live tail (a valid query would stream until closed). */
const fuzzable = (): readonly ApiRoute[] => api.routes.filter((r) => r.operationId !== 'liveTrace');

beforeAll(async () => {
  entra = await LocalEntra.start();
  api = await new ApiHarness(entra).start();
  const [admin, support, noRole, otherTenant, forged, expired, wrongAud] = await Promise.all([
    entra.token({ tid: TENANT_A }),
    entra.token({ tid: TENANT_A, roles: ['PresenceSync.Support'] }),
    entra.token({ tid: TENANT_A, roles: [] }),
    entra.token({ tid: TENANT_B }),
    entra.token({ tid: TENANT_A, signWith: 'forger' }),
    entra.token({ tid: TENANT_A, expiresInSec: -3600 }),
    entra.token({ tid: TENANT_A, aud: 'api://someone-else' }),
  ]);
  Object.assign(tokens, { admin, support, noRole, otherTenant, forged, expired, wrongAud, garbage: 'a.b.c', none: '' });
  for (const [t, p] of [
    [admin, 'a'],
    [otherTenant, 'b'],
  ] as const)
    expect((await api.call('POST', '/api/v1/rules', { token: t, body: publisherDraft(p) })).status).toBe(201);
});
afterAll(async () => {
  tally.print();
  keepAlive.destroy();
  await api?.close();
  await entra?.close();
});

const genuineBodies = fc.constantFrom<unknown>(
  publisherDraft('a'),
  { reconciliationPeriodSec: 900, traceRetentionDays: 30 },
  { teamsUserId: 'aad-a1' },
  { enabled: false },
  { clientId: 'c', clientSecret: 's', accessKeyId: 'k', accessKeySecret: 'x' },
  { pairs: [{ agentId: 'agent-a1', teamsUserId: 'aad-a1' }] },
);

const spec: fc.Arbitrary<Spec> = fc.record({
  route: fc.nat(),
  params: fc.array(fc.oneof(nastyString, fc.constantFrom('rule-1', 'rule-2', 'agent-a1', 'agent-b1')), {
    minLength: 2,
    maxLength: 2,
  }),
  query: fc.oneof(
    fc.constant(''),
    fc
      .dictionary(
        fc.oneof(nastyString, fc.constantFrom('agent', 'from', 'to', 'limit', 'dryRun', 'search')),
        fc.oneof(
          nastyString,
          hostileJson.map((v) => JSON.stringify(v) ?? ''),
        ),
        { maxKeys: 3 },
      )
      .map((d) => new URLSearchParams(d).toString()),
  ),
  token: fc.oneof(
    { weight: 8, arbitrary: fc.constant('admin') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'support',
        'noRole',
        'otherTenant',
        'forged',
        'expired',
        'wrongAud',
        'garbage',
        'none',
      ),
    },
  ),
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        'text/csv',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'multipart/form-data; boundary=x',
      ),
    },
  ),
  body: fc.oneof(
    { weight: 12, arbitrary: hostileText(genuineBodies) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 3000 }).map((kb) => `{"name":"${'x'.repeat(kb * 1024)}"}`) },
  ),
  method: fc.oneof(
    { weight: 30, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('PATCH', 'OPTIONS', 'HEAD') },
  ),
});

/** The body the route's own schema accepts is a legitimate request, not a hostile one: not sent. */
function legitimate(r: ApiRoute, s: Spec): boolean {
  // Deleting an existing rule or link is an admin's right, not hostile input.
  if (r.operationId === 'deleteRule' && /^rule-\d$/.test(s.params[0] ?? '')) return true;
  if (r.operationId === 'unlinkUser' && /^agent-[ab]\d$/.test(s.params[0] ?? '')) return true;
  if (!r.body || s.body === undefined) return false;
  try {
    return r.body.safeParse(r.bodyKind === 'csv' ? s.body : JSON.parse(s.body)).success && !(r.bodyKind === 'csv');
  } catch {
    return false;
  }
}

/** Percent-encoded (lone surrogates become U+FFFD, as any client would send them). */
const segment = (p: string): string => encodeURIComponent(Buffer.from(p, 'utf8').toString('utf8'));

function pathOf(r: ApiRoute, s: Spec): string {
  let i = 0;
  const path = r.path.replace(/:[A-Za-z]+/g, () => segment(s.params[i++] ?? ''));
  return `/api/v1${path}${s.query ? `?${s.query}` : ''}`;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

const MUTATING = new Set(['post', 'put', 'del']);
const mutations: string[] = [];

async function send(s: Spec): Promise<void> {
  const routes = fuzzable();
  const r = routes[s.route % routes.length]!;
  if (legitimate(r, s)) return void tally.skip('legitimate');
  const method = s.method ?? (r.method === 'del' ? 'DELETE' : r.method.toUpperCase());
  const headers: Record<string, string> = {};
  if (tokens[s.token]) headers['authorization'] = `Bearer ${tokens[s.token]}`;
  if (s.contentType && s.body !== undefined) headers['content-type'] = s.contentType;
  let res: HttpAnswer;
  try {
    res = await httpCall(
      method,
      `${api.base}${pathOf(r, s)}`,
      headers,
      method !== 'HEAD' && method !== 'GET' ? s.body : undefined,
      keepAlive,
    );
  } catch (e) {
    tally.crashes += 1;
    throw new Error(
      `no answer (${String((e as Error).cause ?? e)}) to ${method} ${pathOf(r, s).slice(0, 200)} token ${s.token} type ${s.contentType} body ${String(s.body?.length)} ${String(s.body).slice(0, 200)}`,
    );
  }
  const text = res.text;
  tally.count(String(res.status));
  if (res.status >= 500) {
    tally.serverErrors += 1;
    throw new Error(
      `5xx ${res.status} for ${method} ${pathOf(r, s).slice(0, 200)} body ${String(s.body).slice(0, 200)}: ${text.slice(0, 300)}`,
    );
  }
  // 431: Node's own header limit (a huge query string) answers before any route runs, without a body.
  if (res.status >= 400 && method !== 'HEAD' && res.status !== 431) {
    const where = `${res.status} ${res.headers['content-type'] ?? ''} for ${method} ${pathOf(r, s).slice(0, 120)} (${r.operationId}): ${text.slice(0, 300)}`;
    expect({ where, problemJson: res.headers['content-type']?.includes('application/problem+json') }).toEqual({
      where,
      problemJson: true,
    });
    const p = JSON.parse(text) as Record<string, unknown>;
    expect(p).toMatchObject({
      status: res.status,
      code: expect.stringMatching(/^[A-Z_]+\.[A-Z_]+$/),
      detail: expect.any(String),
      title: expect.any(String),
    });
  }
  if (res.status < 300 && MUTATING.has(r.method) && s.method === undefined)
    mutations.push(`${r.operationId} ${res.status}`);
}

describe('fuzz: the tab API over HTTP (real restify, real JWT validation)', () => {
  it(`answers ${INPUTS} hostile requests with 2xx/4xx only, every rejection problem+json, and changes nothing`, async () => {
    const before = await dumpStore(api);
    const specs = fc.sample(spec, { seed: SEED, numRuns: INPUTS });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < specs.length) await send(specs[next++]!);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(prototypeClean()).toBe(true);
    // onboardingSignIn of an existing tenant only reads (the store dump below proves it).
    const unexpected = mutations.filter(
      (m) => !/^(testCxoneConnection|previewAutoMatch|unlinkUser|startOwnerSignIn|onboardingSignIn) /.test(m),
    );
    expect(unexpected).toEqual([]);
    expect(await dumpStore(api)).toBe(before);
    expect(tally.inputs).toBeGreaterThanOrEqual(10_000);
  }, 180_000);

  it('leaves every table of a real (SQLite) store byte-for-byte unchanged under 1 024 more hostile requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-store-'));
    const file = join(dir, 'store.db');
    const memory = api;
    const store = await createKyselyStore({
      location: { kind: 'sqlite', path: file },
      encryptionKeys: [randomBytes(32)],
      clock: memory.time,
    });
    try {
      api = new ApiHarness(entra, {
        tenants: store.tenants,
        rules: store.rules,
        userLinks: store.userLinks,
        agentStates: store.agentStates,
      });
      await api.start();
      for (const t of [TENANT_A, TENANT_B])
        await store.tenants.upsert({
          id: t,
          name: t,
          acdBusinessUnitId: '1',
          entraTenantId: t,
          partnerPlatform: 'msteams',
          syncEnabled: true,
        });
      expect(
        (await api.call('POST', '/api/v1/rules', { token: tokens['admin'], body: publisherDraft('a') })).status,
      ).toBe(201);
      expect(
        (
          await api.call('PUT', '/api/v1/users/agent-a1/link', {
            token: tokens['admin'],
            body: { teamsUserId: 'aad-a1' },
          })
        ).status,
      ).toBe(200);
      const before = dumpTables(file);
      const specs = fc.sample(spec, { seed: SEED + 1, numRuns: 1024 });
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < specs.length) await send(specs[next++]!);
        }),
      );
      expect(dumpTables(file)).toBe(before);
    } finally {
      await api.close();
      api = memory;
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Every row of every table, as text. */
function dumpTables(file: string): string {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    return tables
      .map(
        (t) =>
          `${t.name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v))}`,
      )
      .join('\n');
  } finally {
    db.close();
  }
}
