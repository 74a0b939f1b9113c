import { afterEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './graph-emulator-harness.js';
import { startSimpleWebhook, type SimpleWebhook } from './simple-webhook.js';

let h: Harness;
let hook: SimpleWebhook | undefined;
afterEach(async () => {
  await h?.close();
  await hook?.close();
  hook = undefined;
});

const MIN = 60_000;
const SUBS = String.raw`^/v1\.0/subscriptions/`;

/** One subscription of user 0 over users 1 and 2, delivering to a bare webhook. */
async function subscribed(): Promise<{ token: string; id: string }> {
  hook = await startSimpleWebhook();
  const token = await h.userToken(0);
  const ids = h.tenant.users
    .slice(1, 3)
    .map((u) => `'${u.id}'`)
    .join(',');
  const r = await h.call('POST', '/v1.0/subscriptions', {
    token,
    json: {
      changeType: 'updated',
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: `/communications/presences?$filter=id in (${ids})`,
      expirationDateTime: new Date(h.clock.now() + 50 * MIN).toISOString(),
      clientState: 'c',
    },
  });
  expect(r.status).toBe(201);
  return { token, id: (r.body as { id: string }).id };
}

const renew = (token: string, id: string) =>
  h.call('PATCH', `/v1.0/subscriptions/${id}`, {
    token,
    json: { expirationDateTime: new Date(h.clock.now() + 55 * MIN).toISOString() },
  });

describe('route faults: errors and timeouts on chosen Graph routes (reference §8.9)', () => {
  it('fails subscription renewals for a window of emulator time, and only those', async () => {
    h = await startHarness(3, { handshakeTimeoutMs: 2_000 });
    const { token, id } = await subscribed();
    const f = await h.call('POST', '/_control/route-faults', {
      json: { method: 'PATCH', path: SUBS, status: 503, retryAfterSec: 30, forMs: 60 * MIN },
    });
    expect(f.status).toBe(204);
    const failing = await renew(token, id);
    expect([
      failing.status,
      failing.headers.get('retry-after'),
      (failing.body as { error: { code: string } }).error.code,
    ]).toEqual([503, '30', 'ServiceUnavailable']);
    expect((await h.call('GET', `/v1.0/subscriptions/${id}`, { token })).status).toBe(200);
    h.clock.advance(59 * MIN);
    expect((await renew(token, id)).status).toBe(503);
    h.clock.advance(2 * MIN);
    // The subscription expired during the hour (it was good for 50 minutes); the fault is over.
    expect((await renew(await h.userToken(0), id)).status).toBe(404);
    expect(h.emulator.control.routeFaultHits(SUBS)).toBe(2);
  });

  it('a counted fault on setPresence hits direct calls and $batch items alike, then lets requests through', async () => {
    h = await startHarness(2);
    const token = await h.appToken();
    const user = h.tenant.users[0]!.id;
    const body = {
      sessionId: h.tenant.apps[0]!.clientId,
      availability: 'Busy',
      activity: 'InACall',
      expirationDuration: 'PT15M',
    };
    h.emulator.control.failRoute({ method: 'POST', path: '/presence/setPresence$', status: 500, count: 2 });
    expect((await h.call('POST', `/v1.0/users/${user}/presence/setPresence`, { token, json: body })).status).toBe(500);
    const batch = await h.call('POST', '/v1.0/$batch', {
      token,
      json: {
        requests: [
          {
            id: '1',
            method: 'POST',
            url: `/users/${user}/presence/setPresence`,
            headers: { 'content-type': 'application/json' },
            body,
          },
        ],
      },
    });
    expect(batch.status).toBe(200);
    expect((batch.body as { responses: { status: number }[] }).responses[0]!.status).toBe(500);
    expect((await h.call('POST', `/v1.0/users/${user}/presence/setPresence`, { token, json: body })).status).toBe(200);
    expect(h.emulator.control.presence(user)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
    expect(h.emulator.control.writeLog.filter((w) => w.route === 'setPresence')).toHaveLength(1);
  });

  it('a timeout holds the answer longer than the caller waits; clearing the faults restores service', async () => {
    h = await startHarness(1);
    const token = await h.appToken();
    const user = h.tenant.users[0]!.id;
    await h.call('POST', '/_control/route-faults', {
      json: { method: 'GET', path: '/presence$', status: 'timeout', hangMs: 60_000 },
    });
    const waited = h.call('GET', `/v1.0/users/${user}/presence`, { token });
    const outcome = await Promise.race([
      waited.then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('still waiting'), 1_000)),
    ]);
    expect(outcome).toBe('still waiting');
    expect((await h.call('DELETE', '/_control/route-faults')).status).toBe(204);
    expect((await h.call('GET', `/v1.0/users/${user}/presence`, { token })).status).toBe(200);
    // Closing the emulator ends the held request (afterEach) instead of waiting a minute.
    void waited.catch(() => undefined);
  });

  it('refuses malformed fault bodies with 400', async () => {
    h = await startHarness(1);
    for (const json of [
      { path: '(', status: 500 },
      { path: 'x', status: 200 },
      { path: 'x', status: 'slow' },
      { path: 'x', status: 500, extra: 1 },
    ]) {
      expect((await h.call('POST', '/_control/route-faults', { json })).status).toBe(400);
    }
  });
});

describe('delivery control: duplicated, reordered and late notifications (reference §3.4)', () => {
  const changes = async (n: number): Promise<string[]> => {
    const user = h.tenant.users[1]!.id;
    const seq: string[] = [];
    for (const activity of ['call', 'signedIn', 'meeting', 'signedIn'].slice(0, n) as (
      'call' | 'signedIn' | 'meeting'
    )[]) {
      h.emulator.control.teams(user, activity);
      seq.push(h.emulator.control.presence(user).activity);
      await h.emulator.control.settle();
    }
    return seq;
  };
  const received = (): number => hook!.bodies.filter((b) => b.path === '/notify').length;

  it('duplicates: the next POST arrives twice with the same items', async () => {
    h = await startHarness(3, { handshakeTimeoutMs: 2_000 });
    await subscribed();
    await h.call('POST', '/_control/delivery', { json: { duplicateNext: 1 } });
    await changes(1);
    const posts = hook!.bodies.filter((b) => b.path === '/notify');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toEqual(posts[0]!.body);
  });

  it('reorders: the next 3 POSTs are held, then sent newest first', async () => {
    h = await startHarness(3, { handshakeTimeoutMs: 2_000 });
    await subscribed();
    h.emulator.control.deliveryModes.reorderNext = 3;
    await changes(2);
    expect(received()).toBe(0);
    h.emulator.control.teams(h.tenant.users[2]!.id, 'call');
    await h.emulator.control.settle();
    const users = hook!.bodies.map((b) => (b.body.value[0]!.resourceData as { id: string }).id);
    expect(users).toEqual([h.tenant.users[2]!.id, h.tenant.users[1]!.id, h.tenant.users[1]!.id]);
  });

  it('delays: new notifications wait on the emulator clock, then are delivered late', async () => {
    h = await startHarness(3, { handshakeTimeoutMs: 2_000 });
    await subscribed();
    await h.call('POST', '/_control/delivery', { json: { delayMs: 3 * MIN } });
    await changes(2);
    expect(received()).toBe(0);
    h.emulator.control.advance(2 * MIN);
    await h.emulator.control.settle();
    expect(received()).toBe(0);
    h.emulator.control.advance(MIN);
    await h.emulator.control.settle();
    // Both changes became due in the same tick: one POST with both items, §3.4 batching.
    expect(hook!.bodies.filter((b) => b.path === '/notify').flatMap((b) => b.body.value)).toHaveLength(2);
  });
});
