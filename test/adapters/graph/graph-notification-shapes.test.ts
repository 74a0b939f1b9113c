import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { presenceUserOf } from '../../../src/adapters/graph/graph-notification-parser.js';
import { handleGraphWebhook } from '../../../src/adapters/graph/graph-webhook-handler.js';
import { startSubscriptionHarness, type SubscriptionHarness } from './subscription-harness.js';
import { notificationsOf } from './verdicts.js';

let h: SubscriptionHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Collection {
  value: Record<string, unknown>[];
  validationTokens?: string[];
}

describe('presence notification resource (Graph names the user in the bulk-filter form)', () => {
  it.each([
    ["communications/presences?$filter=id+in+('u-1')", 'u-1'],
    ["communications/presences?$filter=id%20in%20('u-1')", 'u-1'],
    ['/communications/presences?$filter=id in (u-1)', 'u-1'],
    ['communications/presences/u-1', 'u-1'],
    ["communications/presences?$filter=id+in+('u-1','u-2')", undefined],
    ['users/u-1/messages', undefined],
  ])('%s names %s', (resource, user) => {
    expect(presenceUserOf(resource)).toBe(user);
  });

  it('takes the user of a basic notification from the emulator’s resource when resourceData has no id', async () => {
    h = await startSubscriptionHarness(2, 1, false);
    await h.registry().ensure(h.tenant.users.map((u) => u.id));
    const user = h.tenant.users[1]!.id;
    h.emulator.control.teams(user, 'call');
    await h.emulator.control.settle();
    const sent = JSON.parse(h.receiver.raw.at(-1)!) as Collection;
    expect(sent.value[0]!.resource).toBe(`communications/presences?$filter=id+in+('${user}')`);
    const withoutId = { value: [{ ...sent.value[0], resourceData: {} }] };
    const r = await handleGraphWebhook(h.parser, new URLSearchParams(), JSON.stringify(withoutId));
    expect(r.kind).toBe('accepted');
    expect(notificationsOf(r)).toEqual([expect.objectContaining({ userId: user })]);
  });
});

describe('validation tokens in v1 form (an app whose manifest accepts v1 tokens)', () => {
  it('accepts rich notifications whose validation token has the sts.windows.net issuer and appid', async () => {
    h = await startSubscriptionHarness(2, 1, true, { accessTokenVersion: 1 });
    await h.registry().ensure(h.tenant.users.map((u) => u.id));
    h.emulator.control.teams(h.tenant.users[1]!.id, 'meeting');
    await h.emulator.control.settle();
    const sent = JSON.parse(h.receiver.raw.at(-1)!) as Collection;
    expect(decodeJwt(sent.validationTokens![0]!)).toMatchObject({
      ver: '1.0',
      iss: `https://sts.windows.net/${h.tenant.id}/`,
      appid: '0bf30f3b-4a52-48df-9a82-234910c4a086',
    });
    const r = await handleGraphWebhook(h.parser, new URLSearchParams(), JSON.stringify(sent));
    expect(r.kind).toBe('accepted');
    const [n] = notificationsOf(r);
    expect(await h.opener.open([{ userId: n!.userId, sealed: n!.sealed! }])).toEqual([
      { ok: true, value: expect.objectContaining({ presence: { availability: 'Busy', activity: 'InAMeeting' } }) },
    ]);
  });
});
