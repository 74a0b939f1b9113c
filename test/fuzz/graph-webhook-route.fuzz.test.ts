import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import restify, { type Server } from 'restify';
import type { PresenceNotification } from '../../src/application/ports.js';
import { handleGraphWebhook } from '../../src/adapters/graph/graph-webhook-handler.js';
import {
  GRAPH_LIFECYCLE_PATH,
  GRAPH_NOTIFICATION_PATH,
  graphWebhookRoutes,
} from '../../src/adapters/http/restify-graph-webhook.js';
import { MemoryLogger } from '../application/fakes/fake-runtime.js';
import { FuzzTally, hostileText, httpCall, nastyString, SEED } from './fuzz-support.js';
import { CLIENT_STATE, genuine, NOW, parser, startGraphFixture, TENANT, USERS } from './graph-fixture.js';

const INPUTS = 10_240;
const CONCURRENCY = 8;
const tally = new FuzzTally('graph-webhook-route');
const keepAlive = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const ingested: PresenceNotification[] = [];
const lifecycle: unknown[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  await startGraphFixture();
  server = restify.createServer({ handleUncaughtExceptions: false });
  graphWebhookRoutes({
    handle: (query, body) => handleGraphWebhook(parser, query, body),
    ingress: {
      acceptPresenceNotifications: async (n) => {
        ingested.push(...n);
        return n.length;
      },
    },
    onLifecycle: async (events) => {
      lifecycle.push(...events);
    },
    metrics: { webhookAck: () => undefined },
    // Validation is fuzzed here; the budgets for refused work are test/security/webhook-flood.test.ts's.
    refusedPerSource: { capacity: 1e9, refillPerSecond: 1 },
    refusedOverall: { capacity: 1e9, refillPerSecond: 1 },
    clock: { now: () => NOW },
    logger: new MemoryLogger(),
    maxBodyBytes: 256 * 1024,
  })(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  tally.print();
  keepAlive.destroy();
  server.server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Spec {
  readonly path: string;
  readonly handshake: string | undefined;
  readonly body: string;
}

const spec = (): fc.Arbitrary<Spec> =>
  fc.record({
    path: fc.constantFrom(GRAPH_NOTIFICATION_PATH, GRAPH_LIFECYCLE_PATH),
    handshake: fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: nastyString.map((s) => s.slice(0, 2000)) },
    ),
    body: fc.oneof(
      { weight: 20, arbitrary: hostileText(fc.constantFrom(...genuine.map((g) => g.body))) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 257, max: 2048 }).map((kb) => `{"value":["${'x'.repeat(kb * 1024)}"]}`),
      },
    ),
  });

async function send(s: Spec): Promise<void> {
  const query = s.handshake === undefined ? '' : `?${new URLSearchParams({ validationToken: s.handshake }).toString()}`;
  const res = await httpCall(
    'POST',
    `${base}${s.path}${query}`,
    { 'content-type': 'application/json' },
    s.body,
    keepAlive,
  );
  tally.count(String(res.status));
  if (res.status >= 500) {
    tally.serverErrors += 1;
    throw new Error(
      `${res.status} for ${s.path}${query.slice(0, 100)} body ${s.body.slice(0, 300)}: ${res.text.slice(0, 300)}`,
    );
  }
  expect(res.text.includes(CLIENT_STATE)).toBe(false);
  if (s.handshake !== undefined) {
    expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
    });
    return;
  }
  expect([202, 400, 403, 413]).toContain(res.status);
  if (res.status >= 400) {
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.text)).toMatchObject({
      status: res.status,
      code: expect.stringMatching(/^WEBHOOK\.[A-Z_]+$/),
      detail: expect.any(String),
    });
  }
}

describe('fuzz: the Graph webhook routes over HTTP (notifications and lifecycle)', () => {
  it(`answers ${INPUTS} hostile requests with 200 handshakes, 202, or 400/403/413 problem+json, and only genuine notifications reach the inbox`, async () => {
    const specs = fc.sample(spec(), { seed: SEED, numRuns: INPUTS });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < specs.length) await send(specs[next++]!);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (const n of ingested) {
      expect(n.tenantId).toBe(TENANT);
      expect(USERS).toContain(n.userId);
      if (n.presence)
        expect(
          genuine.some((g) => g.presence['id'] === n.userId && g.presence['availability'] === n.presence?.availability),
        ).toBe(true);
    }
    expect(tally.inputs).toBe(INPUTS);
  }, 240_000);
});
