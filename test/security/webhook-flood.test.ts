import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphNotificationParser } from '../../src/adapters/graph/graph-notification-parser.js';
import { handleGraphWebhook } from '../../src/adapters/graph/graph-webhook-handler.js';
import { clientAddress } from '../../src/adapters/http/rate-limit.js';
import { graphWebhookRoutes } from '../../src/adapters/http/restify-graph-webhook.js';
import { createRestifyServer, type HttpServer } from '../../src/adapters/http/restify-server.js';
import type { Logger, PresenceNotification, StoredSubscription } from '../../src/application/ports.js';
import { InMemorySubscriptionStore } from '../adapters/graph/fakes.js';

/**
 * Issue 15 item 2, from the attacker's side: anyone on the internet can POST to the Graph
 * webhook. Bodies full of made-up subscription ids must not turn into store reads (each one an
 * awaited query that stalls every other request), and a source that keeps sending forgeries
 * is turned away unread — while Graph's own deliveries keep being accepted.
 */
const silent: Logger = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const TENANT = 'contoso';
const GRAPH = '52.1.1.1';
const ATTACKER = '203.0.113.9';

class CountingStore extends InMemorySubscriptionStore {
  byIdReads = 0;
  idLists = 0;
  override async byId(id: string): Promise<StoredSubscription | undefined> {
    this.byIdReads += 1;
    return super.byId(id);
  }
  override async ids(): Promise<readonly string[]> {
    this.idLists += 1;
    return super.ids();
  }
}

const item = (subscriptionId: string, clientState: string, userId = 'u1') => ({
  subscriptionId,
  clientState,
  tenantId: TENANT,
  changeType: 'updated',
  resource: `communications/presences/${userId}`,
  resourceData: { id: userId },
});

describe('a flood of forged notifications on POST /api/graph/notifications', () => {
  const store = new CountingStore();
  const stored: PresenceNotification[] = [];
  let server: HttpServer;
  let base: string;
  beforeAll(async () => {
    await store.put({
      tenantId: TENANT,
      subscriptionId: 'sub-real',
      ownerId: 'owner',
      resource: '/communications/presences',
      userIds: ['u1'],
      clientState: 'the-real-secret',
      expiresAt: Date.now() + 3_600_000,
      createdAt: 0,
    });
    const clock = { now: () => Date.now() };
    const parser = new GraphNotificationParser({
      subscriptions: store,
      decryptionKeys: [],
      appId: 'app',
      jwks: () => Promise.reject(new Error('no keys')),
      clock,
    });
    server = createRestifyServer({
      name: 'flood',
      logger: silent,
      closeTimeoutMs: 500,
      registrars: [
        graphWebhookRoutes({
          handle: (q, body) => handleGraphWebhook(parser, q, body),
          ingress: { acceptPresenceNotifications: async (n) => (stored.push(...n), n.length) },
          onLifecycle: async () => undefined,
          metrics: { webhookAck: () => undefined },
          // Behind one balancer that appends the peer it saw.
          sourceOf: clientAddress(1),
          refusedPerSource: { capacity: 500, refillPerSecond: 1 },
          refusedOverall: { capacity: 3_000, refillPerSecond: 100 },
          clock,
          logger: silent,
        }),
      ],
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  const send = (from: string, body: unknown, query = '') =>
    fetch(`${base}/api/graph/notifications${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify(body),
    });

  it('refuses a 0.9 MB body of 9,000 made-up subscription ids whole, without a single store read', async () => {
    const value = Array.from({ length: 9_000 }, (_, i) => ({ subscriptionId: `x${i}`, tenantId: TENANT }));
    const res = await send('198.51.100.1', { value });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'WEBHOOK.TOO_MANY_ITEMS' });
    expect(store.byIdReads).toBe(0);
    expect(store.idLists).toBe(0);
  });

  it('answers made-up subscription ids from memory, then turns the sender away unread with 429', async () => {
    const statuses: number[] = [];
    for (let r = 0; r < 40; r += 1) {
      const res = await send(ATTACKER, { value: Array.from({ length: 50 }, (_, i) => item(`forged-${r}-${i}`, 'g')) });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
    // Its budget refills at 1 unit/s: a 50-item body gets through now and then, the rest is turned away.
    expect(statuses.slice(12).filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    expect(store.byIdReads).toBe(0);
    // One read of the id list, then memory (a second may fall into a new second of the run).
    expect(store.idLists).toBeLessThanOrEqual(2);
  });

  it("keeps accepting Graph's genuine notifications from its own address during the flood", async () => {
    const res = await send(GRAPH, { value: [item('sub-real', 'the-real-secret')] });
    expect(res.status).toBe(202);
    expect(stored).toEqual([expect.objectContaining({ subscriptionId: 'sub-real', userId: 'u1' })]);
  });

  it('makes senders from ever-new addresses share one budget, and Graph (whose deliveries were accepted) keeps its way in', async () => {
    const statuses: number[] = [];
    for (let r = 0; r < 80; r += 1) {
      const body = { value: Array.from({ length: 50 }, (_, i) => item(`spray-${r}-${i}`, 'g')) };
      const res = await send(`192.0.2.${r}`, body);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(20);
    const graph = await send(GRAPH, { value: [item('sub-real', 'the-real-secret')] });
    expect(graph.status).toBe(202);
  });

  it('gives a forged clientState for a real subscription no more than one store read per second', async () => {
    const before = store.byIdReads;
    for (let r = 0; r < 30; r += 1)
      await (await send(`198.51.100.${r + 10}`, { value: [item('sub-real', `guess-${r}`)] })).arrayBuffer();
    expect(store.byIdReads - before).toBeLessThanOrEqual(2);
  });

  it('echoes a validation handshake as text/plain that a browser will not sniff as HTML', async () => {
    const res = await send(GRAPH, '', `?validationToken=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
