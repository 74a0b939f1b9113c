import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { EmulatorClock } from './emulator-clock.js';

let processKey: Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }> | undefined;

async function generate(): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    privateKey,
    publicKey,
    jwk: { ...(await exportJWK(publicKey)), kid: randomUUID(), use: 'sig', alg: 'RS256' },
  };
}

/**
 * The emulator's signing key, published as a JWKS like Entra's
 * (reference graph-presence.md §8.1): every token it issues — app, user, SSO-style and the
 * validationTokens of rich notifications — is RS256 with this key's `kid`.
 */
export class EntraKeys {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly jwk: JWK,
    private readonly clock: EmulatorClock,
  ) {}

  static async create(clock: EmulatorClock): Promise<EntraKeys> {
    // One key per process, like Entra's shared signing keys; it also spares each emulator start an RSA key generation.
    const { privateKey, publicKey, jwk } = await (processKey ??= generate());
    return new EntraKeys(privateKey, publicKey, jwk, clock);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.jwk] };
  }

  /** Sign `claims`, adding iat/nbf/exp from the emulator clock. */
  async sign(claims: JWTPayload, lifetimeSec: number): Promise<string> {
    const nowSec = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ ...claims, iat: nowSec, nbf: nowSec, exp: nowSec + lifetimeSec })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.jwk.kid! })
      .sign(this.privateKey);
  }

  /** Verify a token this emulator issued, judging exp/nbf by the emulator clock. */
  async verify(token: string, audience?: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        currentDate: new Date(this.clock.now()),
        clockTolerance: 0,
        ...(audience ? { audience } : {}),
      });
      return payload;
    } catch {
      return undefined;
    }
  }
}
