import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

const TENANT_PATH = '/local-channel-tenant';

/**
 * A stand-in for the channel's token issuer: signs channel tokens with its RS256 key and serves
 * the key set where the Agents SDK looks for a configured authority's keys
 * (`<authority>/discovery/v2.0/keys`, `buildJwksUri` in the SDK's jwt-middleware). Tokens issued
 * as `https://api.botframework.com` are verified by the SDK against login.botframework.com only,
 * so the local issuer has an Entra-style issuer name of its own (teams-local-testing.md §3.2).
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
      const body = req.url === `${TENANT_PATH}/discovery/v2.0/keys` ? { keys: [jwk] } : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LocalBotIssuer(server, privateKey, kid);
  }

  /** The authority whose keys verify this issuer's tokens. */
  get authorityEndpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${TENANT_PATH}`;
  }

  /** The `iss` of the tokens it signs. */
  get issuer(): string {
    return `${this.authorityEndpoint}/v2.0`;
  }

  /** A channel token as the Bot Connector would send it; `overrides` forges a bad one. */
  async token(
    audience: string,
    serviceUrl: string,
    overrides: { issuer?: string; key?: CryptoKey; kid?: string } = {},
  ): Promise<string> {
    return new SignJWT({ serviceurl: serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: overrides.kid ?? this.kid })
      .setIssuer(overrides.issuer ?? this.issuer)
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
