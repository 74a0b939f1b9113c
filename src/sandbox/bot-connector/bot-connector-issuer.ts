import type { JWK } from 'jose';
import type { EmulatorClock } from '../graph/emulator-clock.js';
import { EntraKeys } from '../graph/entra-keys.js';

/** Where the Connector publishes its OpenID metadata and keys (login.botframework.com's paths). */
export const OPENID_METADATA_PATH = '/v1/.well-known/openidconfiguration';
export const CHANNEL_KEYS_PATH = '/v1/.well-known/keys';
/** The channels its keys endorse (the `endorsements` of each JWK, README "Channel tokens"). */
export const ENDORSED_CHANNELS: readonly string[] = ['msteams', 'emulator'];
/** Channel tokens live minutes, not an hour: each request carries a fresh one. */
const CHANNEL_TOKEN_LIFETIME_SEC = 300;
const KEY_SET = 'bot-connector';

/**
 * The emulated Connector as a token issuer (README "Channel tokens"): it signs the JWT each
 * activity to the bot carries and publishes the key in an OpenID metadata document and a JWKS,
 * as login.botframework.com does for the real Connector. The signing key is an Entra emulator key
 * set of its own (rotation, retention and all), so the two issuers share one key implementation.
 * Its issuer is the emulator's origin, never `https://api.botframework.com`: a bot trusts it only
 * when its operator configured it (BOT_CHANNEL_ISSUER), and Bot Framework's own issuer keeps its keys.
 */
export class BotChannelIssuer {
  private constructor(
    private readonly keys: EntraKeys,
    readonly issuer: string,
  ) {}

  static async create(clock: EmulatorClock, issuer: string): Promise<BotChannelIssuer> {
    return new BotChannelIssuer(await EntraKeys.createUnpooled(clock, [KEY_SET]), issuer);
  }

  /** The document at OPENID_METADATA_PATH, shaped like login.botframework.com's. */
  openIdMetadata(origin: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${origin}${CHANNEL_KEYS_PATH}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    };
  }

  /** The JWKS, each key with its `endorsements` (the channel ids it may sign for). */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.jwks(KEY_SET).keys.map((k) => ({ ...k, endorsements: [...ENDORSED_CHANNELS] })) };
  }

  /** The channel token for one activity: aud = the bot's app id, `serviceurl` = the activity's serviceUrl. */
  token(botAppId: string, serviceUrl: string): Promise<string> {
    return this.keys.sign({ iss: this.issuer, aud: botAppId, serviceurl: serviceUrl }, CHANNEL_TOKEN_LIFETIME_SEC);
  }
}
