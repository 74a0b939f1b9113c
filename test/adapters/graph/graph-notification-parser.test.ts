import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { handleGraphWebhook } from '../../../src/adapters/graph/graph-webhook-handler.js';
import { notificationsOf } from './verdicts.js';
import { CHANGE_TRACKING_APP_ID } from '../../../src/adapters/graph/graph-validation-tokens.js';
import { startSubscriptionHarness, type SubscriptionHarness } from './subscription-harness.js';

interface Collection {
  value: Record<string, unknown>[];
  validationTokens?: string[] | null;
}

let h: SubscriptionHarness;
let genuine: Collection;
const none = new URLSearchParams();
const replay = (c: unknown) => handleGraphWebhook(h.parser, none, JSON.stringify(c));

beforeAll(async () => {
  h = await startSubscriptionHarness(3, 1);
  await h.registry().ensure(h.tenant.users.map((u) => u.id));
  h.emulator.control.teams(h.tenant.users[2]!.id, 'call');
  await h.emulator.control.settle();
  genuine = JSON.parse(h.receiver.raw[0]!) as Collection;
});
afterAll(async () => h?.close());

describe('Graph webhook payload validation', () => {
  it('recognises the validation handshake and hands its token on', async () => {
    const r = await handleGraphWebhook(h.parser, new URLSearchParams({ validationToken: 'Validation: a b+c' }), '');
    expect(r).toEqual({ kind: 'handshake', validationToken: 'Validation: a b+c' });
  });

  it('accepts a genuine rich notification still sealed; opened after the acknowledgement it is the presence with its sequence number', async () => {
    const r = await replay(genuine);
    expect(r.kind).toBe('accepted');
    const [sealed] = notificationsOf(r);
    expect(sealed).toEqual(
      expect.objectContaining({
        userId: h.tenant.users[2]!.id,
        sealed: expect.objectContaining({ digest: expect.any(String) }),
      }),
    );
    expect(sealed).not.toHaveProperty('presence');
    expect(await h.opener.open([{ userId: sealed!.userId, sealed: sealed!.sealed! }])).toEqual([
      {
        ok: true,
        value: { presence: { availability: 'Busy', activity: 'InACall' }, sequenceNumber: expect.any(String) },
      },
    ]);
  });

  it('gives a redelivery of the same bytes the same digest, and different encrypted bytes another', async () => {
    const again = notificationsOf(await replay(genuine))[0]!.sealed!;
    expect(notificationsOf(await replay(genuine))[0]!.sealed!.digest).toBe(again.digest);
    const item = genuine.value[0]!;
    const content = item.encryptedContent as Record<string, string>;
    const other = { ...genuine, value: [{ ...item, encryptedContent: { ...content, data: `${content.data}AA==` } }] };
    expect(notificationsOf(await replay(other))[0]!.sealed!.digest).not.toBe(again.digest);
  });

  it('rejects malformed JSON and non-collections as malformed', async () => {
    expect(await handleGraphWebhook(h.parser, none, '{"value": [')).toMatchObject({
      kind: 'rejected',
      reason: 'malformed',
      rejected: [{ code: 'WEBHOOK.MALFORMED_JSON' }],
    });
    expect(await replay({ items: [] })).toMatchObject({
      kind: 'rejected',
      reason: 'malformed',
      rejected: [{ code: 'WEBHOOK.BAD_SHAPE' }],
    });
  });

  it('rejects a forged clientState', async () => {
    const forged = { ...genuine, value: [{ ...genuine.value[0], clientState: 'guessed' }] };
    expect(await replay(forged)).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.CLIENT_STATE_MISMATCH', index: 0 }],
    });
  });

  it('rejects notifications for subscriptions that are not ours', async () => {
    const forged = {
      ...genuine,
      value: [{ ...genuine.value[0], subscriptionId: '00000000-0000-0000-0000-000000000000' }],
    };
    expect(await replay(forged)).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.UNKNOWN_SUBSCRIPTION' }],
    });
  });

  it('rejects validation tokens signed by someone else', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const tid = genuine.value[0]!.tenantId as string;
    const forgedToken = await new SignJWT({
      aud: h.tenant.apps[0]!.clientId,
      iss: `https://login.microsoftonline.com/${tid}/v2.0`,
      azp: CHANGE_TRACKING_APP_ID,
      tid,
      ver: '2.0',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker' })
      .setIssuedAt(h.clock.now() / 1000)
      .setExpirationTime(h.clock.now() / 1000 + 3600)
      .sign(privateKey);
    expect(await replay({ ...genuine, validationTokens: [forgedToken] })).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.VALIDATION_TOKEN_INVALID' }],
    });
  });

  it("checks the validation tokens against the subscription's stored tenant, not the tenant the item claims", async () => {
    // Another tenant's subscription whose clientState leaked; the attacker holds a genuine token of their own tenant.
    const item = genuine.value[0]!;
    const victim = { ...h.store.subs.get(item.subscriptionId as string)! };
    h.store.subs.set('victim-sub', { ...victim, subscriptionId: 'victim-sub', tenantId: 'victim-tenant' });
    h.emulator.control.advance(2_000); // past the parser's refresh of the stored ids (unknown ids are refused from memory)
    try {
      const r = await replay({ ...genuine, value: [{ ...item, subscriptionId: 'victim-sub' }] });
      expect(r).toMatchObject({
        kind: 'rejected',
        reason: 'forged',
        rejected: [{ code: 'WEBHOOK.VALIDATION_TOKEN_INVALID', message: expect.stringContaining('victim-tenant') }],
      });
    } finally {
      h.store.subs.delete('victim-sub');
    }
  });

  it('rejects a genuine Entra token that was not issued to Graph Change Tracking', async () => {
    const sso = await h.userToken(0, `api://contoso.test/${h.tenant.apps[0]!.clientId}/access_as_user`);
    const r = await replay({ ...genuine, validationTokens: [sso] });
    expect(r).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.VALIDATION_TOKEN_INVALID', message: expect.stringContaining('Change Tracking') }],
    });
  });

  it('rejects rich payloads without validation tokens (null or missing)', async () => {
    expect(await replay({ ...genuine, validationTokens: null })).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.VALIDATION_TOKENS_MISSING' }],
    });
    expect(await replay({ value: genuine.value })).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.VALIDATION_TOKENS_MISSING' }],
    });
  });

  it('accepts tampered encrypted data only sealed: opening it fails the HMAC before anything is decrypted', async () => {
    // The HMAC is keyed by the RSA-wrapped key, so it is checked with the decryption, after the 202.
    const item = genuine.value[0]!;
    const content = item.encryptedContent as Record<string, string>;
    const data = Buffer.from(content.data!, 'base64');
    data[0] = data[0]! ^ 0xff;
    const tampered = {
      ...genuine,
      value: [{ ...item, encryptedContent: { ...content, data: data.toString('base64') } }],
    };
    const [sealed] = notificationsOf(await replay(tampered));
    expect(sealed).not.toHaveProperty('presence');
    expect(await h.opener.open([{ userId: sealed!.userId, sealed: sealed!.sealed! }])).toEqual([
      { ok: false, error: expect.objectContaining({ code: 'WEBHOOK.BAD_SIGNATURE' }) },
    ]);
  });

  it('refuses resource data encrypted to a certificate that is not ours, before storing it', async () => {
    const item = genuine.value[0]!;
    const content = item.encryptedContent as Record<string, string>;
    const foreign = {
      ...genuine,
      value: [
        {
          ...item,
          encryptedContent: { ...content, encryptionCertificateId: 'theirs', encryptionCertificateThumbprint: 'AB' },
        },
      ],
    };
    expect(await replay(foreign)).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.UNKNOWN_CERTIFICATE' }],
    });
  });

  it('refuses encrypted content larger than Graph sends', async () => {
    const item = genuine.value[0]!;
    const content = item.encryptedContent as Record<string, string>;
    const huge = { ...genuine, value: [{ ...item, encryptedContent: { ...content, data: 'A'.repeat(20_000) } }] };
    expect(await replay(huge)).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.BAD_SHAPE' }],
    });
  });

  it('rejects a notification naming a user outside the subscription', async () => {
    const other = { ...genuine.value[0], resourceData: { id: 'someone-else' } };
    expect(await replay({ ...genuine, value: [other] })).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.BAD_RESOURCE' }],
    });
  });

  it('rejects expired validation tokens', async () => {
    h.emulator.control.advance(25 * 3600_000);
    expect(await replay(genuine)).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.VALIDATION_TOKEN_INVALID', message: expect.stringContaining('exp') }],
    });
  });
});
