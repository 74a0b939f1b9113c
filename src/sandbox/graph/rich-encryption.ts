import { constants, createCipheriv, createHmac, publicEncrypt, randomBytes } from 'node:crypto';
import type { SubscriptionCertificate } from './subscription-model.js';

/**
 * Reference graph-presence.md §3.8 done in reverse (§8.8): a random 32-byte key, IV = key[0:16],
 * AES-256-CBC/PKCS7, HMAC-SHA256 over the ciphertext, the key wrapped with RSA-OAEP-SHA1.
 */
export function encryptResource(resource: unknown, cert: SubscriptionCertificate): Record<string, string> {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt(
      { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      key,
    ).toString('base64'),
    encryptionCertificateId: cert.id,
    encryptionCertificateThumbprint: cert.thumbprint,
  };
}
