import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { z } from 'zod';

/**
 * An OAuth `state` that is the state itself, sealed with AES-256-GCM under a key every instance
 * shares: any instance behind the load balancer can finish a redirect round trip (no sticky
 * sessions, no shared table), the browser cannot read it, and any alteration fails authentication.
 * `purpose` is bound in as associated data, so a state sealed for one flow opens in no other.
 */
export function sealState<T extends { readonly expiresAt: number }>(key: Buffer, purpose: string, payload: T): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The payload, or undefined when tampered with, sealed for another purpose or key, malformed or expired. */
export function openState<T extends { readonly expiresAt: number }>(
  key: Buffer,
  purpose: string,
  sealed: string,
  schema: z.ZodType<T>,
  now: number,
): T | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(purpose));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.expiresAt > now ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The state key, derived from the secrets-at-rest key (the same on every instance, never stored). */
export function stateKeyFrom(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('presence-sync/oauth-state/v1').digest();
}
