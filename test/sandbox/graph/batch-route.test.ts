import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './graph-emulator-harness.js';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness(2, { presenceLimit: 2 });
  token = await h.appToken();
});
afterAll(async () => h?.close());

const get = (id: string, user = 0) => ({ id, method: 'GET', url: `/users/${h.tenant.users[user]!.id}/presence` });
const batch = (requests: unknown[]) => h.call('POST', '/v1.0/$batch', { token, json: { requests } });

describe('emulated JSON $batch (reference §4, §8.6)', () => {
  it('refuses more than 20 requests, duplicate ids (case-insensitive) and a body without Content-Type', async () => {
    expect((await batch(Array.from({ length: 21 }, (_, i) => get(String(i))))).status).toBe(400);
    expect((await batch([get('a'), get('A')])).status).toBe(400);
    expect(
      (
        await batch([
          {
            id: '1',
            method: 'POST',
            url: `/users/${h.tenant.users[0]!.id}/presence/clearPresence`,
            body: { sessionId: 'x' },
          },
        ])
      ).status,
    ).toBe(400);
  });

  it('answers 424 to a request whose dependency failed, and throttles items one by one with their own Retry-After', async () => {
    const r = await batch([
      {
        id: '1',
        method: 'POST',
        url: `/users/${h.tenant.users[0]!.id}/presence/clearPresence`,
        headers: { 'Content-Type': 'application/json' },
        body: { sessionId: h.tenant.apps[0]!.clientId },
      },
      { ...get('2'), dependsOn: ['1'] },
      get('3'),
      get('4', 1),
      get('5', 1),
    ]);
    expect(r.status).toBe(200);
    const byId = new Map(
      (r.body as { responses: { id: string; status: number; headers: Record<string, string> }[] }).responses.map(
        (x) => [x.id, x],
      ),
    );
    expect(byId.get('1')!.status).toBe(404);
    expect(byId.get('2')!.status).toBe(424);
    expect([byId.get('3')!.status, byId.get('4')!.status, byId.get('5')!.status]).toEqual([200, 429, 429]);
    expect(byId.get('5')!.headers['retry-after']).toBeDefined();
    // Graph's side of the count, for benchmarks: the two throttled items, nothing else.
    expect((await h.call('GET', '/_control/throttle')).body).toEqual({ limit: 2, throttled: 2 });
  });
});

describe('the write log dates a write by its arrival (what latency benchmarks measure to)', () => {
  it('stamps a setPresence inside a $batch with the time the batch reached the emulator', async () => {
    const own = await startHarness(1);
    try {
      const app = await own.appToken();
      const user = own.tenant.users[0]!.id;
      own.clock.advance(5_000);
      const arrived = own.clock.now();
      const r = await own.call('POST', '/v1.0/$batch', {
        token: app,
        json: {
          requests: [
            {
              id: '1',
              method: 'POST',
              url: `/users/${user}/presence/setPresence`,
              headers: { 'Content-Type': 'application/json' },
              body: { sessionId: own.tenant.apps[0]!.clientId, availability: 'Busy', activity: 'InACall' },
            },
          ],
        },
      });
      expect(r.status).toBe(200);
      expect(own.emulator.control.writeLog.at(-1)).toMatchObject({
        route: 'setPresence',
        userId: user,
        presence: 'Busy/InACall',
        receivedAt: arrived,
      });
    } finally {
      await own.close();
    }
  });
});
