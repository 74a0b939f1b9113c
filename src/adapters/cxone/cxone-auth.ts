import { decodeJwt } from 'jose';
import type { Clock, ExternalFailure, Logger } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { httpFailure } from '../shared/external-failure.js';
import { originOf, type CxoneHostPolicy } from './cxone-host-policy.js';
import { parseWith, type CxoneRequester } from './cxone-http.js';
import {
  cxoneConfigurationSchema,
  openIdConfigurationSchema,
  tokenClaimsSchema,
  tokenResponseSchema,
  type TokenResponse,
} from './cxone-schemas.js';

/** Options of {@link CxoneAuth}. Secrets are held in memory only and never logged. */
export interface CxoneAuthOptions {
  /** Global identity provider, e.g. `https://cxone.niceincontact.com` (reference §1.1). */
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Renew this long before expiry (the CXone SDK uses 600 s); capped at half the token lifetime. */
  readonly refreshBeforeExpiryMs?: number;
  /**
   * Where credentials may go: the issuer and the discovered API must be on an allowed host. The
   * token endpoint must be on the issuer's own origin whatever the policy (discovery may not send
   * our secrets elsewhere). Absent = any issuer (tests that build the adapter by hand).
   */
  readonly hostPolicy?: CxoneHostPolicy;
  /** Told after every sign-in attempt: undefined = signed in, else why not (health of `acd.auth`). */
  readonly onSignIn?: (failure: ExternalFailure | undefined) => void;
}

interface Session {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

/** What discovery found: where the ACD API lives for this tenant (reference §1.2). */
export interface CxoneEndpoints {
  readonly tokenEndpoint: string;
  readonly tenantId: string;
  readonly apiBaseUrl: string;
}

/**
 * OpenID discovery → access-key password grant → tenant discovery (reference §1.2–1.3), then
 * refresh before expiry. Single-flight: concurrent callers share one token request.
 */
export class CxoneAuth {
  private readonly options: Readonly<CxoneAuthOptions>;
  private session: Session | undefined;
  private endpoints: CxoneEndpoints | undefined;
  private inflight: Promise<Result<string, ExternalFailure>> | undefined;

  constructor(
    options: CxoneAuthOptions,
    private readonly requester: CxoneRequester,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.options = Object.freeze({ ...options });
  }

  /** A valid bearer token, renewed when due. */
  accessToken(): Promise<Result<string, ExternalFailure>> {
    const s = this.session;
    if (s && this.clock.now() < s.refreshAt) return Promise.resolve(ok(s.accessToken));
    this.inflight ??= this.renew()
      .then((r) => (this.options.onSignIn?.(r.ok ? undefined : r.error), r))
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** A 401 said this token is dead: forget it so the next call renews (only if nobody renewed meanwhile). */
  invalidate(token: string): void {
    if (this.session?.accessToken === token) this.session = { ...this.session, refreshAt: 0, expiresAt: 0 };
  }

  async discover(): Promise<Result<CxoneEndpoints, ExternalFailure>> {
    if (this.endpoints) return ok(this.endpoints);
    const token = await this.accessToken();
    if (!token.ok) return token;
    return this.endpoints
      ? ok(this.endpoints)
      : err(httpFailure('cxone', 0, 'DISCOVERY', 'CXone discovery did not complete.'));
  }

  private async renew(): Promise<Result<string, ExternalFailure>> {
    const tokenEndpoint = await this.tokenEndpoint();
    if (!tokenEndpoint.ok) return tokenEndpoint;
    const refresh = this.session?.refreshToken;
    let answer = refresh
      ? await this.grant(tokenEndpoint.value, { grant_type: 'refresh_token', refresh_token: refresh })
      : undefined;
    if (!answer?.ok) {
      if (answer)
        this.logger.info({ code: answer.error.code }, 'cxone refresh refused; signing in with the access key again');
      answer = await this.grant(tokenEndpoint.value, {
        grant_type: 'password',
        username: this.options.accessKeyId,
        password: this.options.accessKeySecret,
      });
    }
    if (!answer.ok) return answer;
    const found = await this.discoverTenant(tokenEndpoint.value, answer.value);
    if (!found.ok) return found;
    this.session = this.sessionOf(answer.value);
    return ok(this.session.accessToken);
  }

  private sessionOf(t: TokenResponse): Session {
    const now = this.clock.now();
    const lifetimeMs = t.expires_in * 1000;
    const early = Math.min(this.options.refreshBeforeExpiryMs ?? 600_000, lifetimeMs / 2);
    return {
      accessToken: t.access_token,
      ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
      refreshAt: now + lifetimeMs - early,
      expiresAt: now + lifetimeMs,
    };
  }

  private async tokenEndpoint(): Promise<Result<string, ExternalFailure>> {
    if (this.endpoints) return ok(this.endpoints.tokenEndpoint);
    const issuer = this.options.issuerUrl;
    if (this.options.hostPolicy && !this.options.hostPolicy.allows(issuer))
      return err(notAllowed(`The CXone issuer ${originOf(issuer)} is not on the allowed CXone hosts.`));
    const r = await this.requester.send(`${issuer}/.well-known/openid-configuration`, { method: 'GET' });
    if (!r.ok) return r;
    const cfg = parseWith(openIdConfigurationSchema, r.value, 'OpenID configuration');
    if (!cfg.ok) return cfg;
    if (originOf(cfg.value.token_endpoint) !== originOf(issuer))
      return err(notAllowed(`CXone discovery at ${originOf(issuer)} named a token endpoint on another host.`));
    return ok(cfg.value.token_endpoint);
  }

  private async grant(
    tokenEndpoint: string,
    form: Record<string, string>,
  ): Promise<Result<TokenResponse, ExternalFailure>> {
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const r = await this.requester.send(tokenEndpoint, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}` },
      form,
    });
    return r.ok ? parseWith(tokenResponseSchema, r.value, 'token') : r;
  }

  /** Tenant id from the id_token, then `cxone-configuration` → api_endpoint (reference §1.2 steps 3–4). */
  private async discoverTenant(
    tokenEndpoint: string,
    t: TokenResponse,
  ): Promise<Result<CxoneEndpoints, ExternalFailure>> {
    if (this.endpoints) return ok(this.endpoints);
    let claims: unknown;
    try {
      claims = decodeJwt(t.id_token ?? t.access_token);
    } catch {
      return err(httpFailure('cxone', 200, 'BAD_RESPONSE', 'The CXone token carries no readable tenantId claim.'));
    }
    const c = tokenClaimsSchema.safeParse(claims);
    if (!c.success) return err(httpFailure('cxone', 200, 'BAD_RESPONSE', 'The CXone token carries no tenantId claim.'));
    const url = `${this.options.issuerUrl}/.well-known/cxone-configuration?tenantId=${encodeURIComponent(c.data.tenantId)}`;
    const r = await this.requester.send(url, { method: 'GET' });
    if (!r.ok) return r;
    const cfg = parseWith(cxoneConfigurationSchema, r.value, 'cxone-configuration');
    if (!cfg.ok) return cfg;
    if (this.options.hostPolicy && !this.options.hostPolicy.allows(cfg.value.api_endpoint))
      return err(notAllowed(`CXone discovery named an API endpoint outside the allowed CXone hosts.`));
    this.endpoints = {
      tokenEndpoint,
      tenantId: c.data.tenantId,
      apiBaseUrl: cfg.value.api_endpoint.replace(/\/+$/, ''),
    };
    this.logger.info(
      { cxoneTenantId: c.data.tenantId, apiBaseUrl: this.endpoints.apiBaseUrl },
      'cxone tenant discovered',
    );
    return ok(this.endpoints);
  }
}

const notAllowed = (message: string): ExternalFailure => httpFailure('cxone', 0, 'HOST_NOT_ALLOWED', message);
