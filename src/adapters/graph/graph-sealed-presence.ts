import { createHash } from 'node:crypto';
import { z } from 'zod';
import type {
  ObservedPresence,
  SealedPresence,
  SealedPresenceFailure,
  SealedPresenceOpener,
} from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { NotificationDecryptor, type DecryptionKey, type EncryptedContent } from './graph-notification-crypto.js';
import { PresenceResource } from './graph-presence-reader.js';

/**
 * Graph's encryptedContent, bounded: a presence is a few hundred bytes, a data key is wrapped by
 * RSA 2048–4096 (at most 684 base64 characters), a certificate id is at most 128 characters.
 * Anything larger is not Graph's and is refused before it is stored.
 */
export const EncryptedContentShape = z.object({
  data: z.string().max(16_384),
  dataSignature: z.string().max(128),
  dataKey: z.string().max(1_024),
  encryptionCertificateId: z.string().max(128),
  encryptionCertificateThumbprint: z.string().max(128),
});

/**
 * What the inbox keeps of a rich item: its encryptedContent as it came, and a digest binding it to
 * its subscription and resource (a redelivery of the same bytes is one inbox entry).
 */
export function sealPresence(subscriptionId: string, resource: string, content: EncryptedContent): SealedPresence {
  const { data, dataSignature, dataKey, encryptionCertificateId, encryptionCertificateThumbprint } = content;
  const digest = createHash('sha256')
    .update(`${subscriptionId}\n${resource}\n${encryptionCertificateId}\n${dataKey}\n${data}`)
    .digest('base64url');
  return {
    digest,
    payload: JSON.stringify({ data, dataSignature, dataKey, encryptionCertificateId, encryptionCertificateThumbprint }),
  };
}

/** Opened at once per batch: the RSA unwraps queue on libuv's pool (4 threads by default) rather than the heap. */
const DEFAULT_CONCURRENCY = 16;

/**
 * Opens the resource data of rich notifications after they were acknowledged and stored
 * (reference graph-presence.md §3.8): HMAC-SHA256 over the ciphertext must match before anything
 * is decrypted, then AES; the decrypted presence must be the notified user's. The RSA unwraps of
 * a batch run side by side on the thread pool, at most `concurrency` at once.
 */
export class GraphSealedPresence implements SealedPresenceOpener {
  readonly #decryptor: NotificationDecryptor;

  constructor(
    keys: readonly DecryptionKey[],
    private readonly concurrency = DEFAULT_CONCURRENCY,
  ) {
    this.#decryptor = new NotificationDecryptor(keys);
  }

  async open(
    items: readonly { readonly userId: string; readonly sealed: SealedPresence }[],
  ): Promise<readonly Result<Omit<ObservedPresence, 'userId'>, SealedPresenceFailure>[]> {
    const out = new Array<Result<Omit<ObservedPresence, 'userId'>, SealedPresenceFailure>>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < items.length; i = next++) out[i] = await this.#one(items[i]!.userId, items[i]!.sealed);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    return out;
  }

  async #one(
    userId: string,
    sealed: SealedPresence,
  ): Promise<Result<Omit<ObservedPresence, 'userId'>, SealedPresenceFailure>> {
    const content = safeJson(sealed.payload, EncryptedContentShape);
    if (!content)
      return err({ code: 'WEBHOOK.BAD_SHAPE', message: 'The stored resource data is not encryptedContent.' });
    const plain = await this.#decryptor.decrypt(content);
    if (!plain.ok)
      return err({ code: plain.error, message: `Resource data of ${userId} could not be authenticated or decrypted.` });
    const presence = safeJson(plain.value, PresenceResource);
    if (!presence || presence.id !== userId)
      return err({ code: 'WEBHOOK.BAD_RESOURCE', message: 'Decrypted data is not the presence of the notified user.' });
    return ok({
      presence: { availability: presence.availability, activity: presence.activity },
      ...(presence.sequenceNumber ? { sequenceNumber: presence.sequenceNumber } : {}),
    });
  }
}

function safeJson<T>(text: string, schema: z.ZodType<T>): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
