import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/**
 * A stand-in for login.botframework.com: serves the OpenID metadata and JWKS botbuilder reads,
 * and signs channel tokens with its RS256 key (teams-local-testing.md §3.2).
 */
export class LocalBotIssuer {
  private constructor(
    private readonly server: Server,
    private readonly privateKey: CryptoKey,
    readonly kid: string,
  ) {}

  static async start(): Promise<LocalBotIssuer> {
    const kid = 'local-test-key';
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = {
      ...(await exportJWK(publicKey)),
      kid,
      use: 'sig',
      alg: 'RS256',
      endorsements: ['msteams', 'emulator'],
    };
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const body =
        req.url === '/.well-known/openid-configuration'
          ? { issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }
          : req.url === '/keys'
            ? { keys: [jwk] }
            : undefined;
      // Not chained: restify's spdy dependency patches http so writeHead may not return `res`.
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LocalBotIssuer(server, privateKey, kid);
  }

  get metadataUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/openid-configuration`;
  }

  /** A channel token as the Bot Connector would send it; `overrides` forges a bad one. */
  async token(
    audience: string,
    serviceUrl: string,
    overrides: { issuer?: string; key?: CryptoKey; kid?: string } = {},
  ): Promise<string> {
    return new SignJWT({ serviceurl: serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: overrides.kid ?? this.kid })
      .setIssuer(overrides.issuer ?? BOT_FRAMEWORK_ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('5m')
      .sign(overrides.key ?? this.privateKey);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
