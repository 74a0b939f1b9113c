import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedLatency, realisticLatency } from '../../../src/sandbox/graph/notification-latency.js';
import { startHarness, type Harness } from './graph-emulator-harness.js';
import { startSimpleWebhook, type SimpleWebhook } from './simple-webhook.js';

let h: Harness | undefined;
let hook: SimpleWebhook | undefined;
afterEach(async () => {
  await h?.close();
  await hook?.close();
  h = undefined;
  hook = undefined;
});

const MIN = 60_000;

async function subscribed(extra: Parameters<typeof startHarness>[1] = {}): Promise<{ h: Harness; token: string }> {
  h = await startHarness(3, { handshakeTimeoutMs: 2_000, ...extra });
  hook = await startSimpleWebhook();
  const token = await h.userToken(0);
  const ids = h.tenant.users.map((u) => `'${u.id}'`).join(',');
  const r = await h.call('POST', '/v1.0/subscriptions', {
    token,
    json: {
      changeType: 'updated',
      notificationUrl: `${hook.url}/notify`,
      resource: `/communications/presences?$filter=id in (${ids})`,
      expirationDateTime: new Date(h.clock.now() + 50 * MIN).toISOString(),
      clientState: 'cs',
    },
  });
  expect(r.status).toBe(201);
  return { h, token };
}

describe('presence change notifications', () => {
  it('name the user as communications/presences?$filter=id+in+(…) in resource and resourceData', async () => {
    const { h } = await subscribed();
    const user = h.tenant.users[1]!.id;
    h.emulator.control.teams(user, 'call');
    await h.emulator.control.settle();
    expect(hook!.bodies[0]!.body.value[0]).toMatchObject({
      resource: `communications/presences?$filter=id+in+('${user}')`,
      resourceData: { '@odata.id': `communications/presences?$filter=id+in+('${user}')`, id: user },
    });
  });

  it('leave after the configured latency, not before (emulator clock)', async () => {
    const { h } = await subscribed({ notificationLatency: fixedLatency(8_000) });
    h.emulator.control.teams(h.tenant.users[1]!.id, 'call');
    await h.emulator.control.settle();
    h.emulator.control.advance(7_999);
    await h.emulator.control.settle();
    expect(hook!.bodies).toHaveLength(0);
    h.emulator.control.advance(1);
    await h.emulator.control.settle();
    expect(hook!.bodies).toHaveLength(1);
  });

  it('by the realistic default average well under 10 s and never exceed a minute', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const latency = realisticLatency(random);
    const samples = Array.from({ length: 20_000 }, () => latency.nextMs());
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(2_000);
    expect(mean).toBeLessThan(10_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(60_000);
  });

  it('follow a status message: a new sequenceNumber and a notification', async () => {
    const { h } = await subscribed();
    const user = h.tenant.users[1]!.id;
    const app = await h.appToken();
    const before = h.emulator.control.presence(user).sequenceNumber;
    const r = await h.call('POST', `/v1.0/users/${user}/presence/setStatusMessage`, {
      token: app,
      json: { statusMessage: { message: { content: 'On a customer call', contentType: 'text' } } },
    });
    expect(r.status).toBe(200);
    await h.emulator.control.settle();
    expect(h.emulator.control.presence(user).sequenceNumber > before).toBe(true);
    expect(hook!.bodies).toHaveLength(1);
  });
});

describe('subscription PATCH of notificationUrl', () => {
  it('refuses http:// and non-URLs, runs the validation request, and keeps the old URL when it fails', async () => {
    const { h, token } = await subscribed();
    const id = h.emulator.control.subscriptions()[0]!.id;
    const patch = (notificationUrl: string) =>
      h.call('PATCH', `/v1.0/subscriptions/${id}`, { token, json: { notificationUrl } });
    expect((await patch('http://example.com/notify')).status).toBe(400);
    expect((await patch('not a url')).status).toBe(400);
    hook!.mode.echo = 'wrong';
    expect((await patch(`${hook!.url}/elsewhere`)).status).toBe(400);
    expect(h.emulator.control.subscriptions()[0]!.notificationUrl).toBe(`${hook!.url}/notify`);
  });

  it('moves delivery to the new URL once it echoes the validation token', async () => {
    const { h, token } = await subscribed();
    const id = h.emulator.control.subscriptions()[0]!.id;
    const r = await h.call('PATCH', `/v1.0/subscriptions/${id}`, {
      token,
      json: { notificationUrl: `${hook!.url}/moved` },
    });
    expect(r.status).toBe(200);
    h.emulator.control.teams(h.tenant.users[2]!.id, 'call');
    await h.emulator.control.settle();
    expect(hook!.bodies.at(-1)!.path).toBe('/moved');
  });
});

describe('presence reads and throttling', () => {
  it('getPresencesByUserId answers each distinct id once', async () => {
    h = await startHarness(2);
    const id = h.tenant.users[0]!.id;
    const r = await h.call('POST', '/v1.0/communications/getPresencesByUserId', {
      token: await h.appToken(),
      json: { ids: [id, id, id.toUpperCase(), h.tenant.users[1]!.id] },
    });
    expect((r.body as { value: { id: string }[] }).value.map((p) => p.id)).toEqual([id, h.tenant.users[1]!.id]);
  });

  it('429 carries Retry-After and an innerError with its code', async () => {
    h = await startHarness(1, { presenceLimit: 1 });
    const app = await h.appToken();
    const path = `/v1.0/users/${h.tenant.users[0]!.id}/presence`;
    await h.call('GET', path, { token: app });
    const r = await h.call('GET', path, { token: app });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBeTruthy();
    expect(r.body).toMatchObject({
      error: { code: 'TooManyRequests', innerError: { code: '429', status: '429', 'request-id': expect.any(String) } },
    });
  });
});

describe('presence versions across restarts', () => {
  it('sort after every version of the previous start when the emulator keeps a state directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-emu-'));
    try {
      const versionAfterCall = async (): Promise<string> => {
        h = await startHarness(1, { stateDir: dir });
        const user = h.tenant.users[0]!.id;
        h.emulator.control.teams(user, 'call');
        const v = h.emulator.control.presence(user).sequenceNumber;
        await h.close();
        h = undefined;
        return v;
      };
      const first = await versionAfterCall();
      const second = await versionAfterCall();
      expect(second).not.toBe(first);
      expect(second > first).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
