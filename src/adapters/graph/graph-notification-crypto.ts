import { constants, createDecipheriv, createHmac, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Result } from '../../domain/result.js';
import { err, ok } from '../../domain/result.js';

/** A private key for rich notifications, found by certificate id or thumbprint (keep old ones during rotation, §3.8). */
export interface DecryptionKey {
  readonly certificateId: string;
  /** Upper-case hex SHA-1 of the certificate DER. */
  readonly thumbprint?: string;
  readonly privateKey: KeyObject;
}

export interface EncryptedContent {
  readonly data: string;
  readonly dataSignature: string;
  readonly dataKey: string;
  readonly encryptionCertificateId: string;
  readonly encryptionCertificateThumbprint: string;
}

export type DecryptFailure =
  'WEBHOOK.UNKNOWN_CERTIFICATE' | 'WEBHOOK.BAD_DATA_KEY' | 'WEBHOOK.BAD_SIGNATURE' | 'WEBHOOK.DECRYPT_FAILED';

/**
 * Reference graph-presence.md §3.8: RSA-OAEP(SHA-1) unwraps a 32-byte key; HMAC-SHA256 of the
 * ciphertext must match `dataSignature` (constant time) *before* anything is decrypted; then
 * AES-256-CBC with IV = key[0:16]. Certificate validity dates are deliberately not checked.
 */
export function decryptContent(c: EncryptedContent, keys: readonly DecryptionKey[]): Result<string, DecryptFailure> {
  const key =
    keys.find((k) => k.certificateId === c.encryptionCertificateId) ??
    keys.find(
      (k) =>
        k.thumbprint !== undefined && k.thumbprint.toUpperCase() === c.encryptionCertificateThumbprint.toUpperCase(),
    );
  if (!key) return err('WEBHOOK.UNKNOWN_CERTIFICATE');
  let symKey: Buffer;
  try {
    symKey = privateDecrypt(
      { key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(c.dataKey, 'base64'),
    );
  } catch {
    return err('WEBHOOK.BAD_DATA_KEY');
  }
  if (symKey.length !== 32) return err('WEBHOOK.BAD_DATA_KEY');
  const data = Buffer.from(c.data, 'base64');
  const expected = createHmac('sha256', symKey).update(data).digest();
  const given = Buffer.from(c.dataSignature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return err('WEBHOOK.BAD_SIGNATURE');
  try {
    const decipher = createDecipheriv('aes-256-cbc', symKey, symKey.subarray(0, 16));
    return ok(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8'));
  } catch {
    return err('WEBHOOK.DECRYPT_FAILED');
  }
}
