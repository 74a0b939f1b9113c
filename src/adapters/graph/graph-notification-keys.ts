import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import type { Clock, Logger, NotificationKey, NotificationKeyStore } from '../../application/ports.js';
import type { DecryptionKey } from './graph-notification-crypto.js';

/** What rich notifications need at compose time: the certificate subscriptions carry, and the keys that decrypt. */
export interface NotificationEncryption {
  /** Subscriptions ask for resource data encrypted to this certificate; absent when rich notifications are off. */
  readonly certificate?: { readonly certificate: string; readonly certificateId: string };
  /** Every stored private key (current first): notifications still encrypted to an older one keep decrypting. */
  readonly keys: readonly DecryptionKey[];
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * A fresh RSA-2048 key pair and a self-signed certificate for it. Graph uses only the public key
 * (reference §3.3: RSA 2048–4096, self-signed allowed) and does not check the validity dates.
 */
export async function createNotificationKey(clock: Clock): Promise<NotificationKey> {
  const now = clock.now();
  const generated = await generate([{ name: 'commonName', value: 'Presence Sync Graph notifications' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now),
    notAfterDate: new Date(now + TEN_YEARS_MS),
  });
  const der = new X509Certificate(generated.cert).raw;
  // The id tells keys apart in a notification (encryptionCertificateId) and in the logs; ≤ 128 chars.
  const certificateId = `presence-sync-${new Date(now).toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
  return { certificateId, certificate: der.toString('base64'), privateKeyPem: generated.private, createdAt: now };
}

/** Upper-case hex SHA-1 of the certificate DER: Graph's encryptionCertificateThumbprint. */
export const certificateThumbprint = (certificateBase64: string): string =>
  createHash('sha1').update(Buffer.from(certificateBase64, 'base64')).digest('hex').toUpperCase();

export const decryptionKey = (k: NotificationKey): DecryptionKey => ({
  certificateId: k.certificateId,
  thumbprint: certificateThumbprint(k.certificate),
  privateKey: createPrivateKey(k.privateKeyPem),
});

/**
 * Loads the rich-notification keys from the store. With `rich` the current key is created on first
 * need (the store's first writer wins, so every instance uses the same one and a restart keeps it);
 * without it nothing is generated, but stored keys still decrypt what is already on its way.
 */
export async function loadNotificationEncryption(
  store: NotificationKeyStore,
  options: { readonly rich: boolean; readonly clock: Clock; readonly logger?: Logger },
): Promise<NotificationEncryption> {
  const stored = await store.all();
  if (!options.rich) return { keys: stored.map(decryptionKey) };
  let all = stored;
  if (all.length === 0) {
    // The store had no key: the one that won the first write is now its only one.
    const created = await store.currentOrAdd(await createNotificationKey(options.clock));
    options.logger?.info({ certificateId: created.certificateId }, 'rich notifications: encryption key pair ready');
    all = [created];
  }
  const current = all[0]!;
  return {
    certificate: { certificate: current.certificate, certificateId: current.certificateId },
    keys: all.map(decryptionKey),
  };
}
