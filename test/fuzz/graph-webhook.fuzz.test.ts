import { createCipheriv, createHmac, generateKeyPairSync, publicEncrypt, randomBytes, constants, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { StoredSubscription } from '../../src/application/ports.js';
import { GraphNotificationParser } from '../../src/adapters/graph/graph-notification-parser.js';
import { CHANGE_TRACKING_APP_ID } from '../../src/adapters/graph/graph-validation-tokens.js';
import { handleGraphWebhook, type WebhookReply } from '../../src/adapters/graph/graph-webhook-handler.js';
import { FuzzTally, hostileJson, hostileText, nastyString, prototypeClean, runs } from './fuzz-support.js';

const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
const APP_ID = 'app-0000-fuzz';
const TENANT = 'tenant-fuzz-0000';
const CLIENT_STATE = 'client-state-secret-7f3a';
const USERS = ['user-1', 'user-2', 'user-3'];
const SUB: StoredSubscription = { tenantId: TENANT, subscriptionId: 'sub-1', ownerId: 'owner-1', resource: '/communications/presences', userIds: USERS, clientState: CLIENT_STATE, expiresAt: NOW + 3600_000, createdAt: NOW };
const none = new URLSearchParams();
const tally = new FuzzTally('graph-webhook');

type Json = Record<string, unknown>;
interface Genuine { readonly body: Json; readonly presence: Json }

let parser: GraphNotificationParser;
let rsa: { publicKey: KeyObject; privateKey: KeyObject };
let signer: CryptoKey;
let genuine: Genuine[] = [];
const forgedTokens: string[] = [];

/** §3.8 the way Graph does it: AES-256-CBC (IV = key[0:16]), HMAC-SHA256 over the ciphertext, RSA-OAEP(SHA-1) wrapped key. */
function encrypt(plain: string): Json {
  const key = randomBytes(32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64'),
    encryptionCertificateId: 'cert-1',
    encryptionCertificateThumbprint: 'AB12',
  };
}

const token = (claims: Json, key: CryptoKey = signer, exp = NOW / 1000 + 3600): Promise<string> =>
  new SignJWT({ aud: APP_ID, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, azp: CHANGE_TRACKING_APP_ID, tid: TENANT, ver: '2.0', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt(NOW / 1000 - 60).setExpirationTime(exp).sign(key);

beforeAll(async () => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pair = await generateKeyPair('RS256');
  signer = pair.privateKey;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
  parser = new GraphNotificationParser({ subscriptions: { byId: async (id) => (id === SUB.subscriptionId ? SUB : undefined) }, decryptionKeys: [{ certificateId: 'cert-1', thumbprint: 'AB12', privateKey: rsa.privateKey }], appId: APP_ID, jwks, clock: { now: () => NOW } });
  const valid = await token({});
  const item = (user: string): Json => ({ subscriptionId: SUB.subscriptionId, tenantId: TENANT, clientState: CLIENT_STATE, changeType: 'updated', resource: `communications/presences/${user}`, resourceData: { id: user } });
  genuine = USERS.flatMap((user, i) => ['Busy', 'Available'].map((availability) => {
    const presence = { id: user, availability, activity: availability === 'Busy' ? 'InACall' : 'Available', sequenceNumber: String(i) };
    return { presence, body: { value: [{ ...item(user), encryptedContent: encrypt(JSON.stringify(presence)) }], validationTokens: [valid] } };
  }));
  genuine.push({ presence: {}, body: { value: [item('user-1')] } });
  genuine.push({ presence: {}, body: { value: [{ subscriptionId: SUB.subscriptionId, tenantId: TENANT, clientState: CLIENT_STATE, lifecycleEvent: 'reauthorizationRequired' }] } });
  const other = await generateKeyPair('RS256');
  forgedTokens.push(
    await token({}, other.privateKey), await token({}, signer, NOW / 1000 - 3600), await token({ aud: 'someone-else' }), await token({ tid: 'other-tenant', iss: 'https://login.microsoftonline.com/other-tenant/v2.0' }),
    await token({ azp: 'not-change-tracking' }), await token({ iss: 'https://evil.example/' }), `${valid.slice(0, -4)}AAAA`, 'not-a-jwt',
  );
});
afterAll(() => tally.print());

/** Every reply is 202, or 400/403 with a stable code and a reason; nothing forged gets through. */
function checkReply(r: WebhookReply): void {
  const outcome = r.status === 202 ? '202' : `${r.status}:${String((JSON.parse(r.body) as Json)['code'])}`;
  tally.count(outcome);
  expect([202, 400, 403]).toContain(r.status);
  // The subscription's clientState is a shared secret: no answer or rejection reason may carry it.
  expect(`${r.body}${JSON.stringify(r.rejected)}`.includes(CLIENT_STATE)).toBe(false);
  if (r.status !== 202) {
    const body = JSON.parse(r.body) as Json;
    expect(String(body['code'])).toMatch(/^WEBHOOK\.[A-Z_]+$/);
    expect(String(body['message']).length).toBeGreaterThan(0);
    expect(r.notifications).toEqual([]);
  }
  for (const n of r.notifications) {
    expect(n.tenantId).toBe(TENANT);
    expect(USERS).toContain(n.userId);
    if (n.presence) expect(genuine.some((g) => g.presence['id'] === n.userId && g.presence['availability'] === n.presence?.availability)).toBe(true);
  }
  for (const l of r.lifecycle) expect(l).toMatchObject({ subscriptionId: SUB.subscriptionId, tenantId: TENANT });
}

const tamper = (b64: string, at: number, bits: number): string => {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length === 0) return 'AA==';
  buf[at % buf.length] = buf[at % buf.length]! ^ (bits || 1);
  return buf.toString('base64');
};

type Forgery = 'clientState' | 'subscription' | 'data' | 'dataSignature' | 'dataKey' | 'certificate' | 'token' | 'noTokens' | 'user';

function forge(g: Genuine, kind: Forgery, n: number, bits: number, s: string): Json {
  const body = structuredClone(g.body) as { value: Json[]; validationTokens?: string[] | null };
  const item = body.value[0]!;
  const enc = item['encryptedContent'] as Record<string, string> | undefined;
  if (kind === 'clientState') item['clientState'] = s === CLIENT_STATE ? `${s}x` : s;
  else if (kind === 'subscription') item['subscriptionId'] = `sub-${s}x`;
  else if (kind === 'user' && !item['lifecycleEvent']) item['resourceData'] = { id: USERS.includes(s) ? `${s}x` : s };
  else if (enc && (kind === 'data' || kind === 'dataSignature' || kind === 'dataKey')) enc[kind] = tamper(enc[kind]!, n, bits);
  else if (enc && kind === 'certificate') Object.assign(enc, { encryptionCertificateId: `c-${s}`, encryptionCertificateThumbprint: `T${s}` });
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
      expect(r.status).toBe(202);
    }
  });

  it('answers hostile bodies with 400/403 and a reason, never throwing', async () => {
    await fc.assert(fc.asyncProperty(hostileText(fc.constantFrom(...genuine.map((g) => g.body))), async (body) => {
      checkReply(await handleGraphWebhook(parser, none, body));
    }), runs(5000));
  });

  it('refuses every forgery: clientState, subscription, user, tampered data/signature/key/certificate, forged, expired, wrong-audience or wrong-tenant validation tokens', async () => {
    const kinds = fc.constantFrom<Forgery>('clientState', 'subscription', 'data', 'dataSignature', 'dataKey', 'certificate', 'token', 'noTokens', 'user');
    await fc.assert(fc.asyncProperty(fc.constantFrom(...genuine), kinds, fc.nat(), fc.integer({ min: 1, max: 255 }), nastyString, async (g, kind, n, bits, s) => {
      const r = await handleGraphWebhook(parser, none, JSON.stringify(forge(g, kind, n, bits, s)));
      checkReply(r);
      expect(r.status).toBe(403);
      expect(r.lifecycle).toEqual([]);
    }), runs(4000));
  });

  it('echoes any validation handshake as text/plain and nothing else', async () => {
    await fc.assert(fc.asyncProperty(nastyString, hostileJson, async (v, body) => {
      const query = new URLSearchParams({ validationToken: v });
      const r = await handleGraphWebhook(parser, query, JSON.stringify(body) ?? '');
      tally.count('200:handshake');
      // URLSearchParams itself replaces lone surrogates, so compare with what the route would see.
      expect(r).toMatchObject({ status: 200, contentType: 'text/plain; charset=utf-8', body: query.get('validationToken'), notifications: [], lifecycle: [] });
    }), runs(1000));
    expect(prototypeClean()).toBe(true);
    expect(tally.inputs).toBeGreaterThanOrEqual(10_000);
  });
});
