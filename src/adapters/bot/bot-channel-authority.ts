import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { HttpFetch } from '../shared/http-transport.js';

/** An extra channel-token issuer the operator trusts (BOT_CHANNEL_OPENID_METADATA + BOT_CHANNEL_ISSUER). */
export interface ChannelAuthority {
  /** Its OpenID metadata document, like https://login.botframework.com/v1/.well-known/openidconfiguration. */
  readonly openIdMetadataUrl: string;
  /** The `iss` of its tokens; the metadata document must name the same. */
  readonly issuer: string;
}

export type ChannelVerdict = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

/** Key-set URLs go over TLS, except to this machine (a local emulator of the Connector). */
export function isHttpsOrLoopback(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  return (
    u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
  );
}

const Metadata = z.looseObject({
  issuer: z.string().min(1),
  jwks_uri: z.string().refine(isHttpsOrLoopback, 'jwks_uri must be https (or http on loopback)'),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
});
type Metadata = z.infer<typeof Metadata>;
type LoadedMetadata = Metadata & { readonly keys: ReturnType<typeof createRemoteJWKSet> };
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
/** The Bot Framework SDK keeps the Connector's keys for days; a new `kid` still refetches at once. */
const KEY_CACHE_MS = 24 * 3600_000;
const CLOCK_SKEW_SEC = 300;

/**
 * Verifies a channel token of the configured authority as Bot Connector authentication prescribes
 * ("Connector to bot", steps 2–4): the OpenID metadata names the key set and the algorithms; the
 * token is signed by a listed key, issued by the configured issuer, for our app id, unexpired (5 min
 * skew); and when the signing key lists `endorsements`, the activity's channelId is one of them.
 * The metadata is fetched once (again after a failure); keys are cached and refetched on a new kid.
 */
export class ChannelAuthorityVerifier {
  #metadata?: Promise<LoadedMetadata>;

  constructor(
    private readonly authority: ChannelAuthority,
    private readonly appId: string,
    private readonly fetch: HttpFetch,
  ) {}

  /** Whether the token claims to come from this authority (only then is it verified here). */
  claims(token: string): boolean {
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
      return (payload as { iss?: unknown } | null)?.iss === this.authority.issuer;
    } catch {
      return false;
    }
  }

  async verify(token: string, activity: { readonly channelId?: string }): Promise<ChannelVerdict> {
    const metadata = await this.#loadMetadata().catch((e: unknown) => e as Error);
    if (metadata instanceof Error) return { ok: false, reason: `channel authority metadata: ${metadata.message}` };
    const algorithms = (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) =>
      RSA_ALGORITHMS.includes(a),
    );
    try {
      const { payload } = await jwtVerify(token, metadata.keys, {
        issuer: this.authority.issuer,
        audience: this.appId,
        algorithms,
        clockTolerance: CLOCK_SKEW_SEC,
        requiredClaims: ['exp'],
      });
      const { kid } = decodeProtectedHeader(token);
      const key = metadata.keys.jwks()?.keys.find((k) => k.kid === kid) as { endorsements?: unknown } | undefined;
      const endorsements = key?.endorsements;
      if (Array.isArray(endorsements) && !endorsements.includes(activity.channelId))
        return { ok: false, reason: `the signing key does not endorse channel ${String(activity.channelId)}` };
      return { ok: true, claims: payload };
    } catch (e) {
      return { ok: false, reason: `channel token rejected: ${(e as Error).message}` };
    }
  }

  #loadMetadata(): Promise<LoadedMetadata> {
    this.#metadata ??= this.#fetchMetadata().catch((e: unknown) => {
      this.#metadata = undefined;
      throw e;
    });
    return this.#metadata;
  }

  async #fetchMetadata(): Promise<LoadedMetadata> {
    const res = await this.fetch(this.authority.openIdMetadataUrl, { redirect: 'error' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const metadata = Metadata.parse(await res.json());
    if (metadata.issuer !== this.authority.issuer)
      throw new Error(`it names issuer ${metadata.issuer}, not the configured ${this.authority.issuer}`);
    const keys = createRemoteJWKSet(new URL(metadata.jwks_uri), {
      cacheMaxAge: KEY_CACHE_MS,
      [customFetch]: (url, init) =>
        this.fetch(url, {
          method: init.method,
          headers: Object.fromEntries(init.headers.entries()),
          signal: init.signal,
          redirect: 'error',
        }) as unknown as Promise<Response>,
    });
    return { ...metadata, keys };
  }
}
