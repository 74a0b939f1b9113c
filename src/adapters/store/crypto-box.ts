import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Why a sealed value could not be opened. Stable codes; the message never contains the secret. */
export class CryptoBoxError extends Error {
  constructor(
    readonly code: 'CRYPTO.MALFORMED' | 'CRYPTO.UNKNOWN_KEY' | 'CRYPTO.TAMPERED',
    message: string,
  ) {
    super(message);
    this.name = 'CryptoBoxError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
/** GCM's full tag. Node accepts shorter tags unless told the length, and a 4-byte tag is forgeable by trial. */
const TAG_BYTES = 16;

/** A short, non-secret fingerprint of a key, stored in the envelope so the right key is picked after rotation. */
export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/**
 * AES-256-GCM with a versioned envelope `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 * The first key seals; every key opens, so keys can rotate: add the new key first, keep the old
 * ones until every row was re-sealed. `aad` binds a value to its row (e.g. tenant + kind), so a
 * ciphertext copied to another row does not open.
 */
export class CryptoBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: { readonly id: string; readonly key: Buffer };

  constructor(keys: readonly Buffer[]) {
    const [first] = keys;
    if (!first) throw new Error('CryptoBox needs at least one key');
    for (const k of keys)
      if (k.length !== 32) throw new Error(`AES-256-GCM needs a 32-byte key, got ${k.length} bytes`);
    this.keys = new Map(keys.map((k) => [keyId(k), k]));
    this.current = { id: keyId(first), key: first };
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return [VERSION, this.current.id, ...parts].join('.');
  }

  open(envelope: string, aad: string): string {
    const [version, id, iv, tag, body, ...rest] = envelope.split('.');
    if (version !== VERSION || !id || !iv || !tag || body === undefined || rest.length > 0) {
      throw new CryptoBoxError('CRYPTO.MALFORMED', `Sealed value is not a ${VERSION} envelope`);
    }
    const key = this.keys.get(id);
    if (!key)
      throw new CryptoBoxError(
        'CRYPTO.UNKNOWN_KEY',
        `Sealed with key ${id}, which is not configured (SECRET_ENCRYPTION_KEY changed?)`,
      );
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== TAG_BYTES)
      throw new CryptoBoxError(
        'CRYPTO.TAMPERED',
        `Sealed value failed authentication (tampered, or bound to another row)`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(authTag);
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new CryptoBoxError(
        'CRYPTO.TAMPERED',
        `Sealed value failed authentication (tampered, or bound to another row)`,
      );
    }
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  isStale(envelope: string): boolean {
    return envelope.split('.')[1] !== this.current.id;
  }
}
