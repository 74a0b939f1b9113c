import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

const METADATA_PATH = '/v1/.well-known/openidconfiguration';
const KEYS_PATH = '/v1/.well-known/keys';

/**
 * A stand-in for the channel's token issuer: signs channel tokens with its RS256 key and publishes
 * it as login.botframework.com does, an OpenID metadata document naming a JWKS whose keys carry
 * `endorsements` (Bot Connector authentication, "Connector to bot"). The bot trusts it as a
 * configured channel authority; tokens issued as `https://api.botframework.com` are verified
 * against login.botframework.com only, so the local issuer's name is its own origin.
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
    let origin = '';
    const server = createServer((req, res) => {
      const body =
        req.url === KEYS_PATH
          ? { keys: [jwk] }
          : req.url === METADATA_PATH
            ? { issuer: origin, jwks_uri: `${origin}${KEYS_PATH}`, id_token_signing_alg_values_supported: ['RS256'] }
            : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new LocalBotIssuer(server, privateKey, kid);
  }

  /** The `iss` of the tokens it signs: its origin. */
  get issuer(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Its OpenID metadata document (BOT_CHANNEL_OPENID_METADATA). */
  get openIdMetadataUrl(): string {
    return `${this.issuer}${METADATA_PATH}`;
  }

  /** The channel authority the bot is configured with. */
  get authority(): { openIdMetadataUrl: string; issuer: string } {
    return { openIdMetadataUrl: this.openIdMetadataUrl, issuer: this.issuer };
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
