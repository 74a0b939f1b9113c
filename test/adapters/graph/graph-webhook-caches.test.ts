import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';
import { BoundedCache } from '../../../src/adapters/shared/bounded-cache.js';
import { GraphNotificationParser } from '../../../src/adapters/graph/graph-notification-parser.js';
import { handleGraphWebhook } from '../../../src/adapters/graph/graph-webhook-handler.js';
import { notificationsOf, rejectedOf } from './verdicts.js';
import { CHANGE_TRACKING_APP_ID } from '../../../src/adapters/graph/graph-validation-tokens.js';
import type { StoredSubscription } from '../../../src/application/ports.js';
import { InMemorySubscriptionStore } from './fakes.js';

const TENANT = 'tenant-1';
const APP = 'our-app';
const none = new URLSearchParams();

/** The shared store as every instance sees it, counting the reads this instance makes. */
class CountingStore extends InMemorySubscriptionStore {
  reads = 0;
  idLists = 0;
  override async byId(subscriptionId: string): Promise<StoredSubscription | undefined> {
    this.reads += 1;
    return super.byId(subscriptionId);
  }
  override async ids(): Promise<readonly string[]> {
    this.idLists += 1;
    return super.ids();
  }
}

const subscription = (id: string, clientState: string, userIds: string[]): StoredSubscription => ({
  tenantId: TENANT,
  subscriptionId: id,
  ownerId: 'owner',
  resource: '/communications/presences',
  userIds,
  clientState,
  expiresAt: 3_600_000,
  createdAt: 0,
});
const item = (subscriptionId: string, clientState: string, userId: string): Record<string, unknown> => ({
  subscriptionId,
  clientState,
  tenantId: TENANT,
  changeType: 'updated',
  resource: `communications/presences/${userId}`,
  resourceData: { id: userId },
});
const post = (parser: GraphNotificationParser, items: Record<string, unknown>[], validationTokens?: string[]) =>
  handleGraphWebhook(parser, none, JSON.stringify({ value: items, ...(validationTokens ? { validationTokens } : {}) }));

function rig(jwks: JWTVerifyGetKey = () => Promise.reject(new Error('no keys'))) {
  const clock = {
    t: 1_000_000,
    now(): number {
      return this.t;
    },
  };
  const store = new CountingStore();
  const parser = new GraphNotificationParser({
    subscriptions: store,
    decryptionKeys: [],
    appId: APP,
    jwks,
    clock,
    subscriptionCache: { maxEntries: 8, ttlMs: 60_000 },
  });
  return { clock, store, parser };
}

describe('Graph webhook parser: the per-process subscription cache', () => {
  it('reads a subscription from the store once, not once per notification', async () => {
    const { store, parser } = rig();
    await store.put(subscription('sub-1', 'secret', ['u1', 'u2']));
    const first = await post(parser, [item('sub-1', 'secret', 'u1'), item('sub-1', 'secret', 'u2')]);
    const second = await post(parser, [item('sub-1', 'secret', 'u2')]);
    expect([first.kind, second.kind]).toEqual(['accepted', 'accepted']);
    expect(notificationsOf(first).map((n) => n.userId)).toEqual(['u1', 'u2']);
    expect(store.reads).toBe(1);
  });

  it('accepts a subscription another instance created after this one had refused it', async () => {
    const { clock, store, parser } = rig();
    expect(await post(parser, [item('sub-new', 'fresh', 'u1')])).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.UNKNOWN_SUBSCRIPTION' }],
    });
    await store.put(subscription('sub-new', 'fresh', ['u1'])); // the owning instance, through the shared store
    clock.t += 1_000;
    expect(await post(parser, [item('sub-new', 'fresh', 'u1')])).toMatchObject({
      kind: 'accepted',
      notifications: [{ subscriptionId: 'sub-new', userId: 'u1' }],
    });
  });

  it('asks the store again before refusing a clientState the cache does not know, and still refuses a forged one', async () => {
    const { clock, store, parser } = rig();
    await store.put(subscription('sub-1', 'old', ['u1']));
    expect((await post(parser, [item('sub-1', 'old', 'u1')])).kind).toBe('accepted');
    await store.put(subscription('sub-1', 'new', ['u1', 'u9'])); // replaced elsewhere under the same id
    clock.t += 1_000;
    expect(await post(parser, [item('sub-1', 'new', 'u9')])).toMatchObject({
      kind: 'accepted',
      notifications: [{ userId: 'u9' }],
    });
    const reads = store.reads;
    clock.t += 1_000;
    expect(await post(parser, [item('sub-1', 'guessed', 'u1')])).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.CLIENT_STATE_MISMATCH' }],
    });
    expect(store.reads).toBe(reads + 1);
  });

  it('stops vouching for a deleted subscription once its entry has expired', async () => {
    const { clock, store, parser } = rig();
    await store.put(subscription('sub-1', 'secret', ['u1']));
    expect((await post(parser, [item('sub-1', 'secret', 'u1')])).kind).toBe('accepted');
    await store.remove(TENANT, 'sub-1');
    clock.t += 60_000;
    expect(await post(parser, [item('sub-1', 'secret', 'u1')])).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.UNKNOWN_SUBSCRIPTION' }],
    });
  });

  it('refuses a user the subscription does not cover, after checking the store', async () => {
    const { clock, store, parser } = rig();
    await store.put(subscription('sub-1', 'secret', ['u1']));
    await post(parser, [item('sub-1', 'secret', 'u1')]);
    clock.t += 1_000;
    expect(await post(parser, [item('sub-1', 'secret', 'intruder')])).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.BAD_RESOURCE' }],
    });
    expect(store.reads).toBe(2);
  });
});

describe('Graph webhook parser: what a flood of forgeries costs the store', () => {
  const unknownIds = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => item(`forged-${from + i}`, 'guess', 'u1'));

  it('refuses unknown subscription ids from memory: one read of the id list per second, no per-id reads', async () => {
    const { clock, store, parser } = rig();
    await store.put(subscription('sub-1', 'secret', ['u1']));
    for (let second = 0; second < 3; second += 1) {
      for (let request = 0; request < 20; request += 1) {
        const v = await post(parser, unknownIds(50, second * 10_000 + request * 50));
        expect(v.kind).toBe('rejected');
        expect(new Set(rejectedOf(v).map((r) => r.code))).toEqual(new Set(['WEBHOOK.UNKNOWN_SUBSCRIPTION']));
        clock.t += 40;
      }
      clock.t += 200;
    }
    expect(store.reads).toBe(0);
    expect(store.idLists).toBe(3);
  });

  it('reads a known subscription at most once per second however many forged clientStates name it', async () => {
    const { clock, store, parser } = rig();
    await store.put(subscription('sub-1', 'secret', ['u1']));
    expect((await post(parser, [item('sub-1', 'secret', 'u1')])).kind).toBe('accepted');
    const reads = store.reads;
    for (let i = 0; i < 150; i += 1) {
      await post(parser, [item('sub-1', `guess-${i}`, 'u1'), item('sub-1', 'secret', `intruder-${i}`)]);
      clock.t += 10;
    }
    expect(store.reads - reads).toBe(1); // 1.5 s of forgeries
  });
});

describe('Graph webhook parser: verified validation tokens', () => {
  async function signer() {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const local = createLocalJWKSet({ keys: [jwk] });
    let lookups = 0;
    const jwks: JWTVerifyGetKey = (header, token) => {
      lookups += 1;
      return local(header, token);
    };
    const sign = (expSec: number) =>
      new SignJWT({
        aud: APP,
        iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        azp: CHANGE_TRACKING_APP_ID,
        tid: TENANT,
        ver: '2.0',
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuedAt(expSec - 3600)
        .setExpirationTime(expSec)
        .sign(privateKey);
    return { jwks, sign, lookups: () => lookups };
  }
  // Rich items that pass the token check and then fail decryption (no keys here): the token verdict is what is observed.
  const rich = (userId: string) => ({
    ...item('sub-1', 'secret', userId),
    encryptedContent: {
      data: 'AA==',
      dataSignature: 'AA==',
      dataKey: 'AA==',
      encryptionCertificateId: 'c',
      encryptionCertificateThumbprint: 't',
    },
  });

  it('verifies a token once and trusts it by its hash until it expires, then verifies it again', async () => {
    const keys = await signer();
    const { clock, store, parser } = rig(keys.jwks);
    await store.put(subscription('sub-1', 'secret', ['u1']));
    const expSec = clock.t / 1000 + 600;
    const token = await keys.sign(expSec);
    const first = await post(parser, [rich('u1')], [token]);
    const second = await post(parser, [rich('u1')], [token]);
    for (const r of [first, second])
      expect(rejectedOf(r).map((x) => x.code)).not.toContain('WEBHOOK.VALIDATION_TOKEN_INVALID');
    expect(keys.lookups()).toBe(1);
    clock.t = expSec * 1000 + 301_000; // past exp and the 5 min skew allowance
    expect(await post(parser, [rich('u1')], [token])).toMatchObject({
      kind: 'rejected',
      reason: 'forged',
      rejected: [{ code: 'WEBHOOK.VALIDATION_TOKEN_INVALID' }],
    });
    expect(keys.lookups()).toBe(2);
  });

  it('does not remember a token it refused', async () => {
    const keys = await signer();
    const { store, parser } = rig(keys.jwks);
    await store.put(subscription('sub-1', 'secret', ['u1']));
    const stranger = await new SignJWT({ aud: 'someone-else', tid: TENANT })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('1h')
      .sign((await generateKeyPair('RS256')).privateKey);
    for (let i = 0; i < 2; i += 1)
      expect(await post(parser, [rich('u1')], [stranger])).toMatchObject({
        kind: 'rejected',
        reason: 'forged',
        rejected: [{ code: 'WEBHOOK.VALIDATION_TOKEN_INVALID' }],
      });
    expect(keys.lookups()).toBe(2);
  });
});

describe('BoundedCache', () => {
  it('keeps at most maxEntries, evicting the least recently used, and forgets expired entries', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1, 100);
    c.set('b', 2, 100);
    expect(c.get('a', 0)).toBe(1); // a is now the most recent
    c.set('c', 3, 100);
    expect([c.get('a', 0), c.get('b', 0), c.get('c', 0)]).toEqual([1, undefined, 3]);
    expect(c.get('a', 100)).toBeUndefined();
    expect(c.size).toBe(1);
  });
});
