import { afterEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './graph-emulator-harness.js';
import { startSimpleWebhook, type SimpleWebhook } from './simple-webhook.js';

let h: Harness;
let hook: SimpleWebhook;
afterEach(async () => {
  await h?.close();
  await hook?.close();
});

const MIN = 60_000;
const ids = (n: number) =>
  h.tenant.users
    .slice(0, n)
    .map((u) => `'${u.id}'`)
    .join(',');
const body = (extra: Record<string, unknown> = {}) => ({
  changeType: 'updated',
  notificationUrl: `${hook.url}/notify?tenant=t1`,
  lifecycleNotificationUrl: `${hook.url}/lifecycle`,
  resource: `/communications/presences?$filter=id in (${ids(3)})`,
  expirationDateTime: new Date(h.clock.now() + 50 * MIN).toISOString(),
  clientState: 's3cret',
  ...extra,
});

async function setup(users = 5): Promise<string> {
  h = await startHarness(users, { handshakeTimeoutMs: 300 });
  hook = await startSimpleWebhook();
  return h.userToken(0);
}

describe('emulated presence subscriptions (reference §3, §8.7)', () => {
  it('creates after the validation handshake, returning 201 with applicationId and creatorId', async () => {
    const t = await setup();
    const r = await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      applicationId: h.tenant.apps[0]!.clientId,
      creatorId: h.tenant.users[0]!.id,
      clientState: 's3cret',
    });
  });

  it('refuses app-only tokens with 403 Forbidden', async () => {
    await setup();
    const r = await h.call('POST', '/v1.0/subscriptions', { token: await h.appToken(), json: body() });
    expect(r).toMatchObject({
      status: 403,
      body: { error: { code: 'Forbidden', message: 'The request is not authorized for this user or application.' } },
    });
  });

  it('fails the create with 400 when the endpoint does not echo the token as text/plain', async () => {
    const t = await setup();
    for (const echo of ['wrong', 'html', 'silent'] as const) {
      hook.mode.echo = echo;
      expect((await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() })).status).toBe(400);
    }
    expect(h.emulator.control.subscriptions()).toHaveLength(0);
  });

  it('validates changeType, resource size, clientState length, expiry and encryption settings', async () => {
    const t = await setup(651);
    const bad = async (extra: Record<string, unknown>) =>
      (await h.call('POST', '/v1.0/subscriptions', { token: t, json: body(extra) })).status;
    expect(await bad({ changeType: 'created' })).toBe(400);
    expect(await bad({ resource: `/communications/presences?$filter=id in (${ids(651)})` })).toBe(400);
    expect(await bad({ clientState: 'x'.repeat(129) })).toBe(400);
    expect(await bad({ expirationDateTime: new Date(h.clock.now() + 61 * MIN).toISOString() })).toBe(400);
    expect(await bad({ includeResourceData: true })).toBe(400);
    expect(await bad({ notificationUrl: 'http://example.com/notify' })).toBe(400);
  });

  it('raises an expiry under 45 minutes to 45 minutes', async () => {
    const t = await setup();
    const r = await h.call('POST', '/v1.0/subscriptions', {
      token: t,
      json: body({ expirationDateTime: new Date(h.clock.now() + 10 * MIN).toISOString() }),
    });
    expect(Date.parse((r.body as { expirationDateTime: string }).expirationDateTime)).toBe(h.clock.now() + 45 * MIN);
  });

  it('answers 409 to a duplicate and 403 to a second presence subscription of the same user', async () => {
    const t = await setup();
    await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() });
    expect((await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() })).status).toBe(409);
    const other = body({ resource: `communications/presences/${h.tenant.users[4]!.id}` });
    expect((await h.call('POST', '/v1.0/subscriptions', { token: t, json: other })).status).toBe(403);
  });

  it('renews with PATCH, reauthorizes with 204, deletes with 204 and forgets expired subscriptions', async () => {
    let t = await setup();
    const id = ((await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() })).body as { id: string }).id;
    h.clock.advance(30 * MIN);
    const renewed = await h.call('PATCH', `/v1.0/subscriptions/${id}`, {
      token: t,
      json: { expirationDateTime: new Date(h.clock.now() + 60 * MIN).toISOString() },
    });
    expect(renewed.status).toBe(200);
    expect(
      (await h.call('PATCH', `/v1.0/subscriptions/${id}`, { token: t, json: { lifecycleNotificationUrl: hook.url } }))
        .status,
    ).toBe(400);
    expect((await h.call('POST', `/v1.0/subscriptions/${id}/reauthorize`, { token: t })).status).toBe(204);
    h.clock.advance(61 * MIN);
    expect((await h.call('GET', `/v1.0/subscriptions/${id}`, { token: t })).status).toBe(401);
    t = await h.userToken(0);
    expect(
      (
        await h.call('PATCH', `/v1.0/subscriptions/${id}`, {
          token: t,
          json: { expirationDateTime: new Date(h.clock.now() + 50 * MIN).toISOString() },
        })
      ).status,
    ).toBe(404);
    const id2 = ((await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() })).body as { id: string }).id;
    expect((await h.call('DELETE', `/v1.0/subscriptions/${id2}`, { token: t })).status).toBe(204);
    expect((await h.call('GET', `/v1.0/subscriptions/${id2}`, { token: t })).status).toBe(404);
  });
});

describe('emulated notification delivery (reference §3.4–3.6, §8.8)', () => {
  it('posts a changeNotificationCollection to the notification URL, keeping its query string', async () => {
    const t = await setup();
    await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() });
    h.emulator.control.teams(h.tenant.users[1]!.id, 'call');
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]!.query).toBe('?tenant=t1');
    expect(hook.bodies[0]!.body.value[0]).toMatchObject({
      changeType: 'updated',
      clientState: 's3cret',
      tenantId: h.tenant.id,
      resource: `communications/presences?$filter=id+in+('${h.tenant.users[1]!.id}')`,
      resourceData: { '@odata.type': '#Microsoft.Graph.presence', id: h.tenant.users[1]!.id },
    });
  });

  it('retries with backoff on the clock while the endpoint fails, then delivers', async () => {
    const t = await setup();
    await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() });
    hook.mode.status = 500;
    h.emulator.control.teams(h.tenant.users[1]!.id, 'call');
    await h.emulator.control.settle();
    h.emulator.control.advance(2_000);
    await h.emulator.control.settle();
    hook.mode.status = 202;
    h.emulator.control.advance(4_000);
    await h.emulator.control.settle();
    expect(h.emulator.control.deliveries.map((d) => d.status)).toEqual([500, 500, 202]);
  });

  it('counts an answer slower than the deadline as failed and retries it', async () => {
    h = await startHarness(3, { deliveryTimeouts: { firstMs: 100, retryMs: 2_000 } });
    hook = await startSimpleWebhook();
    await h.call('POST', '/v1.0/subscriptions', { token: await h.userToken(0), json: body() });
    hook.mode.delayMs = 300;
    h.emulator.control.teams(h.tenant.users[1]!.id, 'call');
    await h.emulator.control.settle();
    h.emulator.control.advance(2_000);
    await h.emulator.control.settle();
    expect(h.emulator.control.deliveries.map((d) => [d.status, d.attempt])).toEqual([
      [0, 0],
      [202, 1],
    ]);
  });

  it('sends reauthorizationRequired before expiry and holds notifications until the subscription is renewed', async () => {
    const t = await setup();
    const id = ((await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() })).body as { id: string }).id;
    h.emulator.control.advance(41 * MIN);
    await h.emulator.control.settle();
    expect(hook.bodies.map((b) => [b.path, b.body.value[0]!.lifecycleEvent])).toEqual([
      ['/lifecycle', 'reauthorizationRequired'],
    ]);
    h.emulator.control.teams(h.tenant.users[2]!.id, 'meeting');
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(1);
    await h.call('POST', `/v1.0/subscriptions/${id}/reauthorize`, { token: t });
    await h.emulator.control.settle();
    expect(hook.bodies.map((b) => b.path)).toEqual(['/lifecycle', '/notify']);
  });

  it('drops or duplicates deliveries on request (determinism hooks, §8.9)', async () => {
    const t = await setup();
    await h.call('POST', '/v1.0/subscriptions', { token: t, json: body() });
    expect((await h.call('POST', '/_control/delivery', { json: { dropNext: 1, duplicateNext: 1 } })).status).toBe(204);
    h.emulator.control.teams(h.tenant.users[1]!.id, 'call');
    await h.emulator.control.settle();
    expect(hook.bodies).toHaveLength(0);
    h.emulator.control.teams(h.tenant.users[1]!.id, 'signedIn');
    await h.emulator.control.settle();
    expect(hook.bodies.map((b) => b.body.value[0]!.resource)).toEqual([
      `communications/presences?$filter=id+in+('${h.tenant.users[1]!.id}')`,
      `communications/presences?$filter=id+in+('${h.tenant.users[1]!.id}')`,
    ]);
  });

  it('can emit null validationTokens for rich notifications', async () => {
    const t = await setup();
    const { generate } = await import('selfsigned');
    const { X509Certificate } = await import('node:crypto');
    const cert = await generate([{ name: 'commonName', value: 'n' }], { keySize: 2048 });
    const der = new X509Certificate(cert.cert).raw.toString('base64');
    await h.call('POST', '/v1.0/subscriptions', {
      token: t,
      json: body({ includeResourceData: true, encryptionCertificate: der, encryptionCertificateId: 'c1' }),
    });
    h.emulator.control.deliveryModes.nullValidationTokens = true;
    h.emulator.control.teams(h.tenant.users[1]!.id, 'call');
    await h.emulator.control.settle();
    expect(hook.bodies[0]!.body.validationTokens).toBeNull();
    expect(hook.bodies[0]!.body.value[0]).toHaveProperty('encryptedContent.encryptionCertificateId', 'c1');
  });
});
