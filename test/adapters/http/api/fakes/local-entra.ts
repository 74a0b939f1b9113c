import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ADMIN_ROLE } from '../../../../../src/domain/access.js';

export const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
export const APP_ID_URI = `api://tab.presence-sync.test/${CLIENT_ID}`;

export interface TokenOptions {
  readonly tid: string;
  readonly oid?: string;
  readonly roles?: readonly string[];
  readonly aud?: string;
  readonly iss?: string;
  readonly expiresInSec?: number;
  readonly signWith?: 'trusted' | 'forger';
  readonly extra?: Record<string, unknown>;
}

/** A local Entra stand-in: RS256 keys, a JWKS served over HTTP, and SSO-shaped tokens (v2 by default). */
export class LocalEntra {
  private server: Server | undefined;
  jwksUrl = '';
  jwksRequests = 0;

  private constructor(
    private readonly trusted: { privateKey: CryptoKey; jwk: JWK },
    private readonly forger: CryptoKey,
  ) {}

  static async start(): Promise<LocalEntra> {
    const trusted = await generateKeyPair('RS256');
    const forger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'trusted-1', alg: 'RS256', use: 'sig' };
    const entra = new LocalEntra({ privateKey: trusted.privateKey, jwk }, forger.privateKey);
    await entra.listen();
    return entra;
  }

  private async listen(): Promise<void> {
    this.server = createServer((_req, res) => {
      this.jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [this.trusted.jwk] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.jwksUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/discovery/v2.0/keys`;
  }

  async token(o: TokenOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({
      tid: o.tid,
      oid: o.oid ?? `user-of-${o.tid}`,
      roles: [...(o.roles ?? [ADMIN_ROLE])],
      scp: 'access_as_user',
      preferred_username: `admin@${o.tid}.test`,
      ver: '2.0',
      ...o.extra,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'trusted-1', typ: 'JWT' })
      .setIssuer(o.iss ?? `https://login.microsoftonline.com/${o.tid}/v2.0`)
      .setAudience(o.aud ?? CLIENT_ID)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + (o.expiresInSec ?? 3600));
    return jwt.sign(o.signWith === 'forger' ? this.forger : this.trusted.privateKey);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
