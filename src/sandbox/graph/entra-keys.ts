import { randomUUID } from 'node:crypto';
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { EmulatorClock } from './emulator-clock.js';

interface KeyMaterial {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

interface TenantKey extends KeyMaterial {
  /** Emulator time after which a rotated-out key leaves the JWKS (undefined while it is the signing key or kept). */
  retireAt?: number;
}

/**
 * RSA generation costs a noticeable fraction of a second on a loaded machine; every emulator in
 * a process draws its tenants' keys from this pool in order, so restarts in one test file reuse them.
 */
const pool: Promise<KeyMaterial>[] = [];

function poolKey(index: number): Promise<KeyMaterial> {
  while (pool.length <= index) pool.push(generate());
  return pool[index]!;
}

async function generate(): Promise<KeyMaterial> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    privateKey,
    publicKey,
    jwk: { ...(await exportJWK(publicKey)), kid: randomUUID(), use: 'sig', alg: 'RS256' },
  };
}

/** How long a rotated-out key stays published unless the rotation says otherwise (README: key rollover). */
export const DEFAULT_KEY_RETENTION_MS = 24 * 3600_000;

/**
 * The emulated Entra signing keys (README "Signing keys"): each tenant signs with its own key,
 * published in its JWKS; `/common` publishes every tenant's keys. A rotation makes a new key the
 * signing key at once and keeps the old one published for a while, so tokens already issued
 * still verify and a verifier that cached the old set meets an unknown `kid` and must refetch.
 */
export class EntraKeys {
  readonly #keys = new Map<string, TenantKey[]>();
  readonly #fallbackTenant: string;
  #next: number;

  private constructor(
    tenantKeys: ReadonlyMap<string, KeyMaterial>,
    private readonly clock: EmulatorClock,
  ) {
    for (const [tenantId, key] of tenantKeys) this.#keys.set(tenantId, [{ ...key }]);
    this.#fallbackTenant = [...tenantKeys.keys()][0] ?? '';
    this.#next = tenantKeys.size;
  }

  static async create(clock: EmulatorClock, tenantIds: readonly string[]): Promise<EntraKeys> {
    const ids = tenantIds.length > 0 ? tenantIds : ['common'];
    const keys = await Promise.all(ids.map((_, i) => poolKey(i)));
    return new EntraKeys(new Map(ids.map((id, i) => [id, keys[i]!])), clock);
  }

  /**
   * A key set with keys of its own, never drawn from the pool: another issuer (the emulated Bot
   * Connector) must not sign with a key an Entra tenant of the same process publishes.
   */
  static async createUnpooled(clock: EmulatorClock, setIds: readonly string[]): Promise<EntraKeys> {
    const keys = await Promise.all(setIds.map(() => generate()));
    return new EntraKeys(new Map(setIds.map((id, i) => [id, keys[i]!])), clock);
  }

  /** The JWKS of one tenant, or of every tenant (`/common`, `/organizations`, an unknown tenant). */
  jwks(tenantId?: string): { keys: JWK[] } {
    const sets = tenantId && this.#keys.has(tenantId) ? [this.#published(tenantId)] : this.#allPublished();
    return { keys: sets.flat().map((k) => k.jwk) };
  }

  /** The kid a tenant signs with now. */
  signingKid(tenantId: string): string {
    return this.#signing(tenantId).jwk.kid!;
  }

  /**
   * A new signing key for the tenant; the previous one stays in the JWKS for `retainMs` of
   * emulator time (it is still needed to verify tokens issued before the rotation).
   */
  async rotate(tenantId: string, retainMs = DEFAULT_KEY_RETENTION_MS): Promise<{ kid: string; previousKid: string }> {
    const list = this.#keys.get(tenantId);
    if (!list) throw new Error(`unknown tenant ${tenantId}`);
    const previous = list[0]!;
    previous.retireAt = this.clock.now() + retainMs;
    const fresh = await poolKey(this.#next++);
    list.unshift({ ...fresh });
    return { kid: fresh.jwk.kid!, previousKid: previous.jwk.kid! };
  }

  /** Withdraw a rotated-out key now: tokens it signed stop verifying. The signing key cannot be retired. */
  retire(tenantId: string, kid: string): boolean {
    const list = this.#keys.get(tenantId);
    const i = list?.findIndex((k) => k.jwk.kid === kid) ?? -1;
    if (!list || i <= 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** Sign `claims` with the key of the tenant named in `tid`, adding iat/nbf/exp from the emulator clock. */
  async sign(claims: JWTPayload, lifetimeSec: number): Promise<string> {
    const nowSec = Math.floor(this.clock.now() / 1000);
    const key = this.#signing(typeof claims.tid === 'string' ? claims.tid : this.#fallbackTenant);
    return new SignJWT({ ...claims, iat: nowSec, nbf: nowSec, exp: nowSec + lifetimeSec })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.jwk.kid! })
      .sign(key.privateKey);
  }

  /** Verify a token this emulator issued with a key it still publishes, judging exp/nbf by the emulator clock. */
  async verify(token: string, audience?: string): Promise<JWTPayload | undefined> {
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = this.#allPublished()
        .flat()
        .find((k) => k.jwk.kid === kid);
      if (!key) return undefined;
      const { payload } = await jwtVerify(token, key.publicKey, {
        currentDate: new Date(this.clock.now()),
        clockTolerance: 0,
        ...(audience ? { audience } : {}),
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  #signing(tenantId: string): TenantKey {
    return (this.#keys.get(tenantId) ?? this.#keys.get(this.#fallbackTenant)!)[0]!;
  }

  #published(tenantId: string): TenantKey[] {
    const now = this.clock.now();
    const list = this.#keys.get(tenantId)!;
    const kept = list.filter((k, i) => i === 0 || k.retireAt === undefined || k.retireAt > now);
    if (kept.length !== list.length) this.#keys.set(tenantId, kept);
    return kept;
  }

  #allPublished(): TenantKey[][] {
    return [...this.#keys.keys()].map((id) => this.#published(id));
  }
}
