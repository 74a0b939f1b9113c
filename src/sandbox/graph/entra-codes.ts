import { createHash, randomBytes } from 'node:crypto';

/** Authorization codes live about ten minutes (README "Authorization code"). */
export const CODE_LIFETIME_MS = 10 * 60_000;
const REDEEMED_KEPT = 10_000;

export interface AuthorizationCodeGrant {
  readonly tenantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: 'S256' | 'plain';
  readonly nonce?: string;
  readonly expiresAt: number;
}

export type CodeLookup =
  | { readonly ok: true; readonly grant: AuthorizationCodeGrant }
  | { readonly ok: false; readonly reason: 'unknown' | 'redeemed' | 'expired' };

/** Issued codes, each redeemable once; a second redemption is told apart from a code never issued. */
export class EntraCodes {
  readonly #codes = new Map<string, AuthorizationCodeGrant>();
  readonly #redeemed = new Set<string>();

  issue(grant: AuthorizationCodeGrant): string {
    const code = `1.${randomBytes(32).toString('base64url')}`;
    this.#codes.set(code, grant);
    return code;
  }

  /** The grant behind `code`, consumed: whatever the redemption's outcome, the code cannot be used again. */
  redeem(code: string, now: number): CodeLookup {
    const grant = this.#codes.get(code);
    if (!grant) return { ok: false, reason: this.#redeemed.has(code) ? 'redeemed' : 'unknown' };
    this.#codes.delete(code);
    this.#redeemed.add(code);
    if (this.#redeemed.size > REDEEMED_KEPT) this.#redeemed.delete(this.#redeemed.values().next().value!);
    return grant.expiresAt <= now ? { ok: false, reason: 'expired' } : { ok: true, grant };
  }

  /** Peek without consuming (the token endpoint needs the code's tenant before it checks the client). */
  tenantOf(code: string): string | undefined {
    return this.#codes.get(code)?.tenantId;
  }
}

/** RFC 7636 §4.6: S256 compares BASE64URL(SHA256(verifier)); plain compares the strings. */
export function pkceMatches(challenge: string, method: 'S256' | 'plain', verifier: string): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const derived = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge;
}
