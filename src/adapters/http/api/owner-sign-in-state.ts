import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What the sign-in round trip must carry from "start" to "callback", unforgeable and unreadable by the browser. */
export interface SignInState {
  readonly tenantId: string;
  /** The admin who started it (Entra object id): only their session may complete it. */
  readonly userId: string;
  /** Who started it (audit). */
  readonly actor: string;
  /** The PKCE code verifier: only our server ever sees it. */
  readonly codeVerifier: string;
  readonly expiresAt: number;
}

const Payload = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  actor: z.string(),
  codeVerifier: z.string().min(43),
  expiresAt: z.number(),
});
const AAD = Buffer.from('presence-sync/owner-sign-in/v1');

/**
 * The `state` parameter is the state itself, sealed with AES-256-GCM: any instance behind the
 * load balancer can finish the sign-in (no sticky sessions, no shared table), and a state whose
 * tenant was altered fails authentication.
 */
export function sealState(key: Buffer, state: SignInState): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The state, or undefined when it was tampered with, sealed under another key, or has expired. */
export function openState(key: Buffer, sealed: string, now: number): SignInState | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(AAD);
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const parsed = Payload.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.expiresAt > now ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7636 S256: a fresh verifier and its challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
