import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { BOT_CONNECTOR_AUDIENCE, BOT_FRAMEWORK_TENANT } from '../graph/entra-token-minter.js';

/** How the emulated Connector fetches Entra's keys (the CLI passes one that trusts the sandbox CA). */
export type KeysFetch = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

export interface BotTokenVerifierOptions {
  /** The Entra (emulator) JWKS that signs the bot's Connector tokens. */
  readonly jwksUrl: string;
  /** The registered bot's app id: the `appid` every accepted token names. */
  readonly botAppId: string;
  /** Tenants a single-tenant bot may get its token from, besides Bot Framework's own. */
  readonly tenantIds?: readonly string[];
  readonly fetch?: KeysFetch;
  readonly now?: () => number;
}

/**
 * The Connector's check of the token a bot sends with each reply (Bot Connector authentication,
 * "Bot to Connector"): an Entra token, RS256 with a key of Entra's JWKS, aud api.botframework.com,
 * issued by the botframework.com tenant (multi-tenant bot) or a known tenant (single-tenant bot),
 * to the registered bot (`appid`), unexpired. Anything else is the Connector's 401.
 */
export function entraBotTokenVerifier(o: BotTokenVerifierOptions): (token: string) => Promise<boolean> {
  const keys = createRemoteJWKSet(new URL(o.jwksUrl), {
    ...(o.fetch ? { [customFetch]: o.fetch as unknown as typeof fetch } : {}),
  });
  const issuers = [BOT_FRAMEWORK_TENANT.id, ...(o.tenantIds ?? [])].map((t) => `https://sts.windows.net/${t}/`);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        audience: BOT_CONNECTOR_AUDIENCE,
        issuer: issuers,
        algorithms: ['RS256'],
        clockTolerance: 300,
        ...(o.now ? { currentDate: new Date(o.now()) } : {}),
      });
      return payload['appid'] === o.botAppId;
    } catch {
      return false;
    }
  };
}
