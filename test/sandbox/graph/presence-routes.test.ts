import { afterEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './graph-emulator-harness.js';

let h: Harness;
afterEach(async () => h?.close());
const setPresence = (body: Record<string, unknown>) => ({
  sessionId: h.tenant.apps[0]!.clientId,
  availability: 'Busy',
  activity: 'InACall',
  expirationDuration: 'PT10M',
  ...body,
});
const u = (i: number) => h.tenant.users[i]!.id;

describe('emulated presence endpoints (reference §1.3, §2, §8.4)', () => {
  it('accepts the five session pairs and refuses others with 400 BadRequest', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    for (const [availability, activity] of [
      ['Available', 'Available'],
      ['Busy', 'InACall'],
      ['Busy', 'InAConferenceCall'],
      ['Away', 'Away'],
      ['DoNotDisturb', 'Presenting'],
    ]) {
      expect(
        (
          await h.call('POST', `/v1.0/users/${u(0)}/presence/setPresence`, {
            token: t,
            json: setPresence({ availability, activity }),
          })
        ).status,
      ).toBe(200);
    }
    const bad = await h.call('POST', `/v1.0/users/${u(0)}/presence/setPresence`, {
      token: t,
      json: setPresence({ availability: 'Busy', activity: 'InAMeeting' }),
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: 'BadRequest', innerError: { 'request-id': expect.any(String) } } },
    });
  });

  it('refuses a sessionId other than the caller app id and durations outside PT5M..PT4H', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    const path = `/v1.0/users/${u(0)}/presence/setPresence`;
    expect((await h.call('POST', path, { token: t, json: setPresence({ sessionId: 'someone-else' }) })).status).toBe(
      400,
    );
    expect((await h.call('POST', path, { token: t, json: setPresence({ expirationDuration: 'PT4M' }) })).status).toBe(
      400,
    );
    expect((await h.call('POST', path, { token: t, json: setPresence({ expirationDuration: 'PT5H' }) })).status).toBe(
      400,
    );
    expect((await h.call('POST', path, { token: t, json: setPresence({ expirationDuration: 'PT4H' }) })).status).toBe(
      200,
    );
  });

  it('answers clearPresence with 404 when the session does not exist', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    const path = `/v1.0/users/${u(0)}/presence/clearPresence`;
    const sessionId = h.tenant.apps[0]!.clientId;
    expect((await h.call('POST', path, { token: t, json: { sessionId } })).status).toBe(404);
    await h.call('POST', `/v1.0/users/${u(0)}/presence/setPresence`, { token: t, json: setPresence({}) });
    expect((await h.call('POST', path, { token: t, json: { sessionId } })).status).toBe(200);
  });

  it('applies the preferred pairs with their default expiry (1 day for Busy/DND)', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    h.emulator.control.teams(u(0), 'signedIn');
    expect(
      (
        await h.call('POST', `/v1.0/users/${u(0)}/presence/setUserPreferredPresence`, {
          token: t,
          json: { availability: 'Busy', activity: 'InACall' },
        })
      ).status,
    ).toBe(400);
    await h.call('POST', `/v1.0/users/${u(0)}/presence/setUserPreferredPresence`, {
      token: t,
      json: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
    });
    expect(h.emulator.control.presence(u(0))).toMatchObject({ availability: 'DoNotDisturb' });
    h.emulator.control.advance(24 * 3600_000);
    expect(h.emulator.control.presence(u(0))).toMatchObject({ availability: 'Available' });
  });

  it('serves getPresencesByUserId for 1..650 ids and refuses 651', async () => {
    h = await startHarness(3);
    const t = await h.appToken();
    const ok = await h.call('POST', '/v1.0/communications/getPresencesByUserId', {
      token: t,
      json: { ids: [u(0), u(1), u(2)] },
    });
    expect((ok.body as { value: unknown[] }).value).toHaveLength(3);
    const tooMany = Array.from({ length: 651 }, (_, i) => `id-${i}`);
    expect(
      (await h.call('POST', '/v1.0/communications/getPresencesByUserId', { token: t, json: { ids: tooMany } })).status,
    ).toBe(400);
    expect(
      (await h.call('POST', '/v1.0/communications/getPresencesByUserId', { token: t, json: { ids: [] } })).status,
    ).toBe(400);
  });

  it('refuses /me with an app token, and anonymous or read-only writers', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    expect((await h.call('GET', '/v1.0/me/presence', { token: t })).status).toBe(400);
    expect((await h.call('GET', `/v1.0/users/${u(0)}/presence`)).status).toBe(401);
    const delegated = await h.userToken(0);
    expect((await h.call('GET', '/v1.0/me/presence', { token: delegated })).status).toBe(200);
    expect(
      (await h.call('POST', `/v1.0/users/${u(0)}/presence/setPresence`, { token: delegated, json: setPresence({}) }))
        .status,
    ).toBe(403);
  });

  it('decays an Available app session nobody refreshes: AvailableInactive after 5 min, Away after 10 (README "Presence sessions")', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    const read = async () => (await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t })).body;
    const set = await h.call('POST', `/v1.0/users/${u(0)}/presence/setPresence`, {
      token: t,
      json: setPresence({ availability: 'Available', activity: 'Available', expirationDuration: 'PT1H' }),
    });
    expect(set.status).toBe(200);
    expect(await read()).toMatchObject({ availability: 'Available', activity: 'Available' });
    h.emulator.control.advance(5 * 60_000 - 1_000);
    expect(await read()).toMatchObject({ availability: 'Available', activity: 'Available' });
    h.emulator.control.advance(1_000);
    expect(await read()).toMatchObject({ availability: 'Available', activity: 'AvailableInactive' });
    h.emulator.control.advance(5 * 60_000);
    expect(await read()).toMatchObject({ availability: 'Away', activity: 'Away' });
    // A refresh (the keep-alive the writer sends) makes the session Available again.
    await h.call('POST', `/v1.0/users/${u(0)}/presence/setPresence`, {
      token: t,
      json: setPresence({ availability: 'Available', activity: 'Available', expirationDuration: 'PT1H' }),
    });
    expect(await read()).toMatchObject({ availability: 'Available', activity: 'Available' });
  });

  it('sets a status message', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    const r = await h.call('POST', `/v1.0/users/${u(0)}/presence/setStatusMessage`, {
      token: t,
      json: { statusMessage: { message: { content: 'On a customer call', contentType: 'text' } } },
    });
    expect(r.status).toBe(200);
    const read = await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t });
    expect(read.body).toMatchObject({ statusMessage: { message: { content: 'On a customer call' } } });
  });

  it('throttles presence calls per app and tenant in a sliding 30 s window with 429 + Retry-After', async () => {
    h = await startHarness(1, { presenceLimit: 3 });
    const t = await h.appToken();
    for (let i = 0; i < 3; i += 1)
      expect((await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t })).status).toBe(200);
    h.clock.advance(10_000);
    const r = await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('20');
    expect(r.body).toMatchObject({ error: { code: 'TooManyRequests', message: 'Please retry again later.' } });
    h.clock.advance(20_000);
    expect((await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t })).status).toBe(200);
  });

  it('injects forced 503s and slow answers through the control surface', async () => {
    h = await startHarness(1);
    const t = await h.appToken();
    h.emulator.control.failNext(1, 503, 1);
    const r = await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await h.call('GET', `/v1.0/users/${u(0)}/presence`, { token: t })).status).toBe(200);
  });
});
