import { GraphSealedPresence } from '../../src/adapters/graph/graph-sealed-presence.js';
import {
  createCipheriv,
  createHmac,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  constants,
  type KeyObject,
} from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { StoredSubscription } from '../../src/application/ports.js';
import { GraphNotificationParser } from '../../src/adapters/graph/graph-notification-parser.js';
import { CHANGE_TRACKING_APP_ID } from '../../src/adapters/graph/graph-validation-tokens.js';

/** A Graph webhook parser over one subscription, with genuine rich/basic/lifecycle payloads and forged validation tokens. */
export const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
export const APP_ID = 'app-0000-fuzz';
export const TENANT = 'tenant-fuzz-0000';
export const CLIENT_STATE = 'client-state-secret-7f3a';
export const USERS = ['user-1', 'user-2', 'user-3'];
export const SUB: StoredSubscription = {
  tenantId: TENANT,
  subscriptionId: 'sub-1',
  ownerId: 'owner-1',
  resource: '/communications/presences',
  userIds: USERS,
  clientState: CLIENT_STATE,
  expiresAt: NOW + 3600_000,
  createdAt: NOW,
};

export type Json = Record<string, unknown>;
export interface Genuine {
  readonly body: Json;
  readonly presence: Json;
}

export let parser: GraphNotificationParser;
/** Opens what the parser hands on sealed (the engine's inbox pump does it after the 202). */
export let opener: GraphSealedPresence;
let rsa: { publicKey: KeyObject; privateKey: KeyObject };
let signer: CryptoKey;
export let genuine: Genuine[] = [];
export const forgedTokens: string[] = [];

/** §3.8 the way Graph does it: AES-256-CBC (IV = key[0:16]), HMAC-SHA256 over the ciphertext, RSA-OAEP(SHA-1) wrapped key. */
function encrypt(plain: string): Json {
  const key = randomBytes(32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt(
      { key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      key,
    ).toString('base64'),
    encryptionCertificateId: 'cert-1',
    encryptionCertificateThumbprint: 'AB12',
  };
}

const token = (claims: Json, key: CryptoKey = signer, exp = NOW / 1000 + 3600): Promise<string> =>
  new SignJWT({
    aud: APP_ID,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    azp: CHANGE_TRACKING_APP_ID,
    tid: TENANT,
    ver: '2.0',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuedAt(NOW / 1000 - 60)
    .setExpirationTime(exp)
    .sign(key);

/** Builds the keys, the parser and the payloads (call once, in beforeAll). */
export async function startGraphFixture(): Promise<void> {
  rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pair = await generateKeyPair('RS256');
  signer = pair.privateKey;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
  const decryptionKeys = [{ certificateId: 'cert-1', thumbprint: 'AB12', privateKey: rsa.privateKey }];
  opener = new GraphSealedPresence(decryptionKeys);
  parser = new GraphNotificationParser({
    subscriptions: {
      byId: async (id) => (id === SUB.subscriptionId ? SUB : undefined),
      ids: async () => [SUB.subscriptionId],
    },
    decryptionKeys,
    appId: APP_ID,
    jwks,
    clock: { now: () => NOW },
  });
  const valid = await token({});
  const item = (user: string): Json => ({
    subscriptionId: SUB.subscriptionId,
    tenantId: TENANT,
    clientState: CLIENT_STATE,
    changeType: 'updated',
    resource: `communications/presences/${user}`,
    resourceData: { id: user },
  });
  genuine = USERS.flatMap((user, i) =>
    ['Busy', 'Available'].map((availability) => {
      const presence = {
        id: user,
        availability,
        activity: availability === 'Busy' ? 'InACall' : 'Available',
        sequenceNumber: String(i),
      };
      return {
        presence,
        body: {
          value: [{ ...item(user), encryptedContent: encrypt(JSON.stringify(presence)) }],
          validationTokens: [valid],
        },
      };
    }),
  );
  genuine.push({ presence: {}, body: { value: [item('user-1')] } });
  genuine.push({
    presence: {},
    body: {
      value: [
        {
          subscriptionId: SUB.subscriptionId,
          tenantId: TENANT,
          clientState: CLIENT_STATE,
          lifecycleEvent: 'reauthorizationRequired',
        },
      ],
    },
  });
  const other = await generateKeyPair('RS256');
  forgedTokens.push(
    await token({}, other.privateKey),
    await token({}, signer, NOW / 1000 - 3600),
    await token({ aud: 'someone-else' }),
    await token({ tid: 'other-tenant', iss: 'https://login.microsoftonline.com/other-tenant/v2.0' }),
    await token({ azp: 'not-change-tracking' }),
    await token({ iss: 'https://evil.example/' }),
    `${valid.slice(0, -4)}AAAA`,
    'not-a-jwt',
  );
}
