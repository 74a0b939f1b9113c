import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../../application/ports.js';
import { json, type EmuRequest, type EmuResponse, type EmuRouter } from './cxone-router.js';

/** The back-end app registration and the API user's access key (reference §1.3). */
export interface CxoneCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface CxoneIdentityOptions {
  readonly credentials: CxoneCredentials;
  readonly tenantId: string;
  readonly businessUnitId: number;
  readonly apiUserAgentId: number;
  /** `expires_in` of access tokens (reference §1.3: trust it; usually 3600). */
  readonly tokenLifetimeSec: number;
}

interface IssuedToken {
  readonly expiresAt: number;
}

/** The token endpoint failing (§9.8 "refresh failure"): the next `times` token requests of `grants` are refused. */
export interface TokenFailure {
  times: number;
  /** 400 invalid_grant (the refresh token or access key refused), 401 invalid_client, 503 the identity provider down. */
  readonly status: 400 | 401 | 503;
  /** Which grants fail (default both). */
  readonly grants: readonly ('password' | 'refresh_token')[];
}

/** Identity provider + discovery (reference §1.2, §1.3, §9.1–9.2). */
export class CxoneIdentity {
  private readonly access = new Map<string, IssuedToken>();
  private readonly refresh = new Set<string>();
  private lifetimeSec: number;
  private failures: TokenFailure[] = [];
  private constructor(
    private readonly options: CxoneIdentityOptions,
    private readonly clock: Clock,
    private readonly key: CryptoKey,
    private readonly jwk: JWK,
  ) {
    this.lifetimeSec = options.tokenLifetimeSec;
  }

  static async create(options: CxoneIdentityOptions, clock: Clock): Promise<CxoneIdentity> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return new CxoneIdentity(options, clock, privateKey, {
      ...(await exportJWK(publicKey)),
      kid: 'emu-1',
      alg: 'RS256',
      use: 'sig',
    });
  }

  /** Token expiry control (§9.1 "configurable short expires_in"); applies to tokens issued next. */
  setTokenLifetime(sec: number): void {
    this.lifetimeSec = sec;
  }

  /** True when the bearer token was issued here and has not expired by the emulator clock. */
  isValid(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    const issued = token ? this.access.get(token) : undefined;
    return issued !== undefined && issued.expiresAt > this.clock.now();
  }

  /** Refuses the next token requests (cleared by `clearTokenFailures`). */
  failTokenRequests(failure: TokenFailure): void {
    this.failures.push({ ...failure });
  }

  clearTokenFailures(): void {
    this.failures = [];
  }

  /** Failure injection "401 mid-stream" (§9.8): every access token stops working at once. */
  revokeAllAccessTokens(): void {
    this.access.clear();
  }

  register(router: EmuRouter): void {
    router.on('GET', '/.well-known/openid-configuration', (req) => json(200, this.openIdConfiguration(req.origin)));
    router.on('GET', '/.well-known/cxone-configuration', (req) => this.cxoneConfiguration(req));
    router.on('GET', '/auth/jwks', () => json(200, { keys: [this.jwk] }));
    router.on('POST', '/auth/token', (req) => this.token(req));
  }

  private openIdConfiguration(origin: string): Record<string, unknown> {
    return {
      issuer: origin,
      authorization_endpoint: `${origin}/auth/authorize`,
      token_endpoint: `${origin}/auth/token`,
      end_session_endpoint: `${origin}/auth/logout`,
      jwks_uri: `${origin}/auth/jwks`,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      scopes_supported: ['openid'],
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  private cxoneConfiguration(req: EmuRequest): EmuResponse {
    if (req.query.get('tenantId') !== this.options.tenantId)
      return json(404, { error: 'TenantNotFound', errorDescription: 'Unknown tenantId.' });
    const o = req.origin;
    return json(200, {
      private: false,
      ui_endpoint: o,
      auth_endpoint: o,
      api_endpoint: o,
      area: 'na1',
      cluster: 'c32',
      domain: 'niceincontact.com',
      acdDomain: 'niceincontact.com',
      uhDomain: 'nice-incontact.com',
      tenantId: this.options.tenantId,
      globaldomain: 'niceincontact.com',
    });
  }

  private clientOk(req: EmuRequest): boolean {
    const { clientId, clientSecret } = this.options.credentials;
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!basic) return false;
    return Buffer.from(basic, 'base64').toString('utf8') === `${clientId}:${clientSecret}`;
  }

  private async token(req: EmuRequest): Promise<EmuResponse> {
    if (!this.clientOk(req))
      return json(401, { error: 'invalid_client', errorDescription: 'Client authentication failed.' });
    const form = req.body instanceof URLSearchParams ? req.body : new URLSearchParams();
    const grant = form.get('grant_type');
    const injected = this.injectedFailure(grant);
    if (injected) return injected;
    const { accessKeyId, accessKeySecret } = this.options.credentials;
    if (grant === 'password' && form.get('username') === accessKeyId && form.get('password') === accessKeySecret)
      return json(200, await this.issue());
    if (grant === 'refresh_token' && this.refresh.delete(form.get('refresh_token') ?? ''))
      return json(200, await this.issue());
    if (grant === 'password' || grant === 'refresh_token')
      return json(400, { error: 'invalid_grant', errorDescription: 'Invalid credentials or refresh token.' });
    return json(400, {
      error: 'unsupported_grant_type',
      errorDescription: `Grant ${grant ?? '(none)'} is not supported.`,
    });
  }

  private injectedFailure(grant: string | null): EmuResponse | undefined {
    const f = this.failures.find((x) => x.times > 0 && x.grants.some((g) => g === grant));
    if (!f) return undefined;
    f.times -= 1;
    this.failures = this.failures.filter((x) => x.times > 0);
    if (f.status === 400)
      return json(400, { error: 'invalid_grant', errorDescription: 'Injected: the grant was refused.' });
    if (f.status === 401)
      return json(401, { error: 'invalid_client', errorDescription: 'Injected: client authentication failed.' });
    return json(503, {
      error: 'temporarily_unavailable',
      errorDescription: 'Injected: the identity provider is unavailable.',
    });
  }

  private async issue(): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    const accessToken = randomBytes(24).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    this.access.set(accessToken, { expiresAt: now + this.lifetimeSec * 1000 });
    this.refresh.add(refreshToken);
    const idToken = await new SignJWT({
      tenantId: this.options.tenantId,
      icAgentId: String(this.options.apiUserAgentId),
      icBUId: String(this.options.businessUnitId),
      icClusterId: 'C32',
      name: 'API User',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'emu-1' })
      .setSubject(`user:${this.options.tenantId}`)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + this.lifetimeSec)
      .sign(this.key);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.lifetimeSec,
      refresh_token: refreshToken,
      id_token: idToken,
    };
  }
}
