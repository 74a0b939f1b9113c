import { err, ok, type Result } from '../../domain/result.js';
import type { ChannelAuthority } from './bot-channel-authority.js';
import type { BotAdapterOptions } from './bot-cloud-adapter.js';
import { BOT_FRAMEWORK_SERVICE_HOSTS, type TrustedServiceUrls } from './bot-service-urls.js';

/** The configuration values the bot's authentication is built from (src/config.ts names in brackets). */
export interface BotSettings {
  /** [PRESENCE_SYNC_MODE] */
  readonly mode: 'sandbox' | 'production';
  /** [BOT_AUTH] default `bot-framework`; `disabled-for-playground` only in the sandbox. */
  readonly botAuth?: 'bot-framework' | 'disabled-for-playground';
  /** [MICROSOFT_APP_ID] the Entra app that is the bot. */
  readonly appId?: string;
  /** [SECRET_GRAPH_CLIENT_SECRET] its client secret (outbound tokens to the Bot Connector). */
  readonly appSecret?: string;
  /** [MICROSOFT_APP_TYPE] */
  readonly appType: 'MultiTenant' | 'SingleTenant';
  /** [MICROSOFT_APP_TENANT_ID] required for SingleTenant. */
  readonly appTenantId?: string;
  /** [BOT_TRUSTED_SERVICE_URLS] extra Bot Connector origins the bot may call. */
  readonly trustedServiceUrls?: readonly string[];
  /** [BOT_CHANNEL_OPENID_METADATA, BOT_CHANNEL_ISSUER] one more channel-token issuer to trust. */
  readonly channelAuthority?: ChannelAuthority;
  /** The sandbox's own Bot Connector emulator (its serviceUrl), when it runs. */
  readonly sandboxConnectorUrl?: string;
}

/** The Agents Playground's Connector with its default port (`agentsplayground --help`: 56150, http://localhost:56150/_connector). */
export const PLAYGROUND_SERVICE_ORIGINS: readonly string[] = ['http://localhost:56150', 'http://127.0.0.1:56150'];

/**
 * Production: the Bot Framework channel hosts over HTTPS, plus any configured origin. Sandbox: only
 * its own Bot Connector emulator, the Agents Playground on its default port, and any configured origin.
 */
export function trustedServiceUrls(settings: BotSettings): TrustedServiceUrls {
  const extra = settings.trustedServiceUrls ?? [];
  return settings.mode === 'production'
    ? { httpsHosts: BOT_FRAMEWORK_SERVICE_HOSTS, origins: extra }
    : {
        httpsHosts: [],
        origins: [
          ...(settings.sandboxConnectorUrl ? [settings.sandboxConnectorUrl] : []),
          ...PLAYGROUND_SERVICE_ORIGINS,
          ...extra,
        ],
      };
}

export type BotSettingsErrorCode =
  'BOT.AUTH_DISABLED_OUTSIDE_SANDBOX' | 'BOT.APP_ID_MISSING' | 'BOT.APP_SECRET_MISSING' | 'BOT.APP_TENANT_MISSING';

export interface BotSettingsError {
  readonly code: BotSettingsErrorCode;
  readonly message: string;
}

const fail = (code: BotSettingsErrorCode, message: string): Result<never, BotSettingsError> => err({ code, message });

/**
 * Turns settings into adapter options, refusing what would leave the bot open or broken:
 * unsigned activities outside the sandbox, or Bot Framework auth without an app id and secret.
 */
export function botAdapterOptions(settings: BotSettings): Result<BotAdapterOptions, BotSettingsError> {
  if ((settings.botAuth ?? 'bot-framework') === 'disabled-for-playground') {
    if (settings.mode !== 'sandbox')
      return fail(
        'BOT.AUTH_DISABLED_OUTSIDE_SANDBOX',
        'BOT_AUTH=disabled-for-playground is allowed only with PRESENCE_SYNC_MODE=sandbox',
      );
    return ok({
      productMode: 'sandbox',
      auth: { mode: 'disabled-for-playground' },
      serviceUrls: trustedServiceUrls(settings),
    });
  }
  if (!settings.appId)
    return fail('BOT.APP_ID_MISSING', "Bot Framework authentication needs MICROSOFT_APP_ID (the bot's Entra app id)");
  if (!settings.appSecret)
    return fail(
      'BOT.APP_SECRET_MISSING',
      'Bot Framework authentication needs SECRET_GRAPH_CLIENT_SECRET to answer through the Bot Connector',
    );
  if (settings.appType === 'SingleTenant' && !settings.appTenantId)
    return fail('BOT.APP_TENANT_MISSING', 'A SingleTenant bot needs MICROSOFT_APP_TENANT_ID');
  return ok({
    productMode: settings.mode,
    serviceUrls: trustedServiceUrls(settings),
    auth: {
      mode: 'bot-framework',
      appId: settings.appId,
      appPassword: settings.appSecret,
      appType: settings.appType,
      ...(settings.appTenantId ? { appTenantId: settings.appTenantId } : {}),
      ...(settings.channelAuthority ? { channelAuthority: settings.channelAuthority } : {}),
    },
  });
}
