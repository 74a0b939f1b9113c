import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { WebhookVerdict } from '../../src/application/ports.js';
import { handleGraphWebhook } from '../../src/adapters/graph/graph-webhook-handler.js';
import { lifecycleOf, notificationsOf, rejectedOf } from '../adapters/graph/verdicts.js';
import { FuzzTally, hostileJson, hostileText, nastyString, prototypeClean, runs } from './fuzz-support.js';
import {
  CLIENT_STATE,
  forgedTokens,
  genuine,
  opener,
  parser,
  startGraphFixture,
  SUB,
  TENANT,
  USERS,
  type Genuine,
  type Json,
} from './graph-fixture.js';

const none = new URLSearchParams();
const tally = new FuzzTally('graph-webhook');

beforeAll(startGraphFixture);
afterAll(() => tally.print());

/** Every verdict accepts, or refuses as malformed/forged with a stable code and a reason; nothing forged gets through. */
function checkReply(r: WebhookVerdict): void {
  const outcome = r.kind === 'rejected' ? `${r.reason}:${r.rejected[0].code}` : r.kind;
  tally.count(outcome);
  expect(['accepted', 'rejected']).toContain(r.kind);
  // The subscription's clientState is a shared secret: no rejection reason may carry it.
  expect(JSON.stringify(rejectedOf(r)).includes(CLIENT_STATE)).toBe(false);
  if (r.kind === 'rejected') {
    expect(['malformed', 'forged']).toContain(r.reason);
    expect(r.rejected[0].code).toMatch(/^WEBHOOK\.[A-Z_]+$/);
    expect(r.rejected[0].message.length).toBeGreaterThan(0);
  }
  for (const n of notificationsOf(r)) {
    expect(n.tenantId).toBe(TENANT);
    expect(USERS).toContain(n.userId);
    if (n.presence)
      expect(
        genuine.some((g) => g.presence['id'] === n.userId && g.presence['availability'] === n.presence?.availability),
      ).toBe(true);
  }
  for (const l of lifecycleOf(r)) expect(l).toMatchObject({ subscriptionId: SUB.subscriptionId, tenantId: TENANT });
}

const tamper = (b64: string, at: number, bits: number): string => {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length === 0) return 'AA==';
  buf[at % buf.length] = buf[at % buf.length]! ^ (bits || 1);
  return buf.toString('base64');
};

type Forgery =
  'clientState' | 'subscription' | 'data' | 'dataSignature' | 'dataKey' | 'certificate' | 'token' | 'noTokens' | 'user';

function forge(g: Genuine, kind: Forgery, n: number, bits: number, s: string): Json {
  const body = structuredClone(g.body) as { value: Json[]; validationTokens?: string[] | null };
  const item = body.value[0]!;
  const enc = item['encryptedContent'] as Record<string, string> | undefined;
  if (kind === 'clientState') item['clientState'] = s === CLIENT_STATE ? `${s}x` : s;
  else if (kind === 'subscription') item['subscriptionId'] = `sub-${s}x`;
  else if (kind === 'user' && !item['lifecycleEvent']) item['resourceData'] = { id: USERS.includes(s) ? `${s}x` : s };
  else if (enc && (kind === 'data' || kind === 'dataSignature' || kind === 'dataKey'))
    enc[kind] = tamper(enc[kind]!, n, bits);
  else if (enc && kind === 'certificate')
    Object.assign(enc, { encryptionCertificateId: `c-${s}`, encryptionCertificateThumbprint: `T${s}` });
  else if (enc && kind === 'token') body.validationTokens = [forgedTokens[n % forgedTokens.length]!];
  else if (enc && kind === 'noTokens') body.validationTokens = n % 2 ? null : [];
  else item['clientState'] = null;
  return body;
}

describe('fuzz: Graph webhook handler (notifications and lifecycle)', () => {
  it('accepts every genuine collection', async () => {
    for (const g of genuine) {
      const r = await handleGraphWebhook(parser, none, JSON.stringify(g.body));
      checkReply(r);
      expect(r.kind).toBe('accepted');
      const sealed = notificationsOf(r).flatMap((n) => (n.sealed ? [{ userId: n.userId, sealed: n.sealed }] : []));
      for (const [i, o] of (await opener.open(sealed)).entries())
        expect(o).toEqual({
          ok: true,
          value: expect.objectContaining({
            presence: expect.objectContaining({
              availability: g.presence['id'] === sealed[i]!.userId ? g.presence['availability'] : expect.any(String),
            }),
          }),
        });
    }
  });

  it('answers hostile bodies with 400/403 and a reason, never throwing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText(fc.constantFrom(...genuine.map((g) => g.body))), async (body) => {
        checkReply(await handleGraphWebhook(parser, none, body));
      }),
      runs(5000),
    );
  });

  it('refuses every forgery: clientState, subscription, user, tampered data/signature/key/certificate, forged, expired, wrong-audience or wrong-tenant validation tokens (tampered resource data: refused when opened, after the 202)', async () => {
    const kinds = fc.constantFrom<Forgery>(
      'clientState',
      'subscription',
      'data',
      'dataSignature',
      'dataKey',
      'certificate',
      'token',
      'noTokens',
      'user',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...genuine),
        kinds,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        nastyString,
        async (g, kind, n, bits, s) => {
          const r = await handleGraphWebhook(parser, none, JSON.stringify(forge(g, kind, n, bits, s)));
          checkReply(r);
          if (r.kind === 'accepted' && ['data', 'dataSignature', 'dataKey'].includes(kind)) {
            // Authenticated sender, resource data unread: stored sealed, and opening it fails.
            const sealed = notificationsOf(r).map((x) => ({ userId: x.userId, sealed: x.sealed! }));
            expect(sealed.length).toBeGreaterThan(0);
            expect((await opener.open(sealed)).every((o) => !o.ok)).toBe(true);
            tally.count('accepted:unopenable');
          } else expect(r).toMatchObject({ kind: 'rejected', reason: 'forged' });
        },
      ),
      runs(4000),
    );
  });

  it('recognises any validation handshake and hands on its token and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(nastyString, hostileJson, async (v, body) => {
        const query = new URLSearchParams({ validationToken: v });
        const r = await handleGraphWebhook(parser, query, JSON.stringify(body) ?? '');
        tally.count('handshake');
        // URLSearchParams itself replaces lone surrogates, so compare with what the route would see.
        expect(r).toEqual({ kind: 'handshake', validationToken: query.get('validationToken') });
      }),
      runs(1000),
    );
    expect(prototypeClean()).toBe(true);
    expect(tally.inputs).toBeGreaterThanOrEqual(10_000);
  });
});
