import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './graph-emulator-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(2);
});
afterAll(async () => h?.close());

describe('emulator control surface over HTTP (reference §8.9)', () => {
  it('lets a user act in Teams (sign in, call, meeting, manual status) and reads the aggregate', async () => {
    const id = h.tenant.users[0]!.id;
    expect((await h.call('POST', `/_control/users/${id}/teams`, { json: { activity: 'signedIn' } })).status).toBe(204);
    expect((await h.call('GET', `/_control/users/${id}/presence`)).body).toMatchObject({
      availability: 'Available',
      activity: 'Available',
    });
    await h.call('POST', `/_control/users/${id}/teams`, { json: { activity: 'meeting' } });
    expect((await h.call('GET', `/_control/users/${id}/presence`)).body).toMatchObject({
      availability: 'Busy',
      activity: 'InAMeeting',
    });
    await h.call('POST', `/_control/users/${id}/manual`, {
      json: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
    });
    expect((await h.call('GET', `/_control/users/${id}/presence`)).body).toMatchObject({
      availability: 'DoNotDisturb',
    });
    await h.call('POST', `/_control/users/${id}/manual`, { json: null });
    expect((await h.call('GET', `/_control/users/${id}/presence`)).body).toMatchObject({ availability: 'Busy' });
  });

  it('injects faults and moves the clock; refuses invalid bodies with 400', async () => {
    const token = await h.appToken();
    expect(
      (await h.call('POST', '/_control/faults', { json: { count: 1, status: 429, retryAfterSec: 7 } })).status,
    ).toBe(204);
    const r = await h.call('GET', `/v1.0/users/${h.tenant.users[1]!.id}/presence`, { token });
    expect([r.status, r.headers.get('retry-after')]).toEqual([429, '7']);
    const before = h.clock.now();
    await h.call('POST', '/_control/advance', { json: { ms: 1000 } });
    expect(h.clock.now()).toBe(before + 1000);
    expect((await h.call('POST', '/_control/faults', { json: { count: 0, status: 200 } })).status).toBe(400);
    expect((await h.call('POST', `/_control/users/x/teams`, { json: { activity: 'dancing' } })).status).toBe(400);
  });
});
