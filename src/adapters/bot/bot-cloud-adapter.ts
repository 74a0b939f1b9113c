import { ActivityTypes, type Activity } from '@microsoft/agents-activity';
import {
  CloudAdapter,
  ConnectorClient,
  type AuthConfiguration,
  type HeaderPropagationCollection,
  type TurnContext,
} from '@microsoft/agents-hosting';
import type { IdGenerator, Logger } from '../../application/ports.js';
import type { ChannelAuthority } from './bot-channel-authority.js';
import { ServiceUrlPolicy, type TrustedServiceUrls } from './bot-service-urls.js';
import { TRACE_ID_KEY, traceIdOf } from './bot-turn.js';

/**
 * How the bot authenticates. `bot-framework` is the only production mode: every inbound
 * activity must carry a Bot Framework JWT for `appId`. `disabled-for-playground` accepts
 * unsigned activities (the Agents Playground does not sign) and is refused outside the sandbox.
 */
export type BotAuthOptions =
  | {
      readonly mode: 'bot-framework';
      /** The bot's Microsoft App ID (Entra client id); the `aud` every inbound token must carry. */
      readonly appId: string;
      readonly appPassword: string;
      readonly appType: 'MultiTenant' | 'SingleTenant';
      /** Required for SingleTenant: the tenant outbound tokens are requested from. */
      readonly appTenantId?: string;
      /**
       * An extra channel-token issuer the operator trusts (BOT_CHANNEL_OPENID_METADATA, BOT_CHANNEL_ISSUER),
       * verified against its own OpenID metadata (bot-channel-authority.ts). Tokens issued by Bot Framework
       * itself are always verified against its own keys (login.botframework.com) by the SDK.
       */
      readonly channelAuthority?: ChannelAuthority;
      /**
       * `entra` (default) gets an outbound token from Entra for replies; `none` sends replies
       * unauthenticated, for a local Bot Connector in tests.
       */
      readonly outboundCredentials?: 'entra' | 'none';
    }
  | { readonly mode: 'disabled-for-playground' };

export interface BotAdapterOptions {
  readonly auth: BotAuthOptions;
  /** The product's mode; auth may be disabled only in the sandbox. */
  readonly productMode: 'sandbox' | 'production';
  /** The Bot Connectors the bot may call; every other serviceUrl is refused (bot-service-urls.ts). */
  readonly serviceUrls: TrustedServiceUrls;
}

/**
 * The bot's access token for `<resource>/.default` (client credentials from Entra; for the Connector
 * the resource is https://api.botframework.com), from the product's own Entra client: its authority
 * is ENTRA_LOGIN_BASE_URL and it trusts EXTRA_CA_FILE, neither of which the SDK's MSAL client takes.
 */
export type ConnectorTokenSource = (resource: string) => Promise<string>;

/** The scope the SDK asks for when the caller is a channel (its token names no azp/appid). */
export const BOT_CONNECTOR_RESOURCE = 'https://api.botframework.com';

/** Who the bot is when it starts a conversation turn itself (proactive alerts). */
export type BotIdentity = Parameters<CloudAdapter['continueConversation']>[0];

/**
 * The Agents SDK configuration of the bot's one connection. Issuer validation is switched on:
 * without it the SDK accepts any token whose signature its key set verifies, i.e. an Entra
 * token of any tenant issued for our app id.
 */
function authConfiguration(auth: BotAuthOptions): AuthConfiguration {
  if (auth.mode === 'disabled-for-playground') return {};
  return {
    clientId: auth.appId,
    clientSecret: auth.appPassword,
    ...(auth.appTenantId ? { tenantId: auth.appTenantId } : {}),
    validateIssuer: true,
  };
}

/**
 * The SDK's adapter. Replies and alerts take their token from `tokens` when given (the product's
 * Entra client), for the same resource the SDK would ask for; with `outboundCredentials: 'none'`
 * they go out without one (tests' local Connector). Either way only a trusted serviceUrl is called.
 */
class PresenceSyncCloudAdapter extends CloudAdapter {
  constructor(
    config: AuthConfiguration,
    private readonly outbound: { readonly anonymous: boolean; readonly tokens?: ConnectorTokenSource },
    private readonly serviceUrls: ServiceUrlPolicy,
  ) {
    // The policy makes the SDK itself refuse a Connector client for any other host (replies and alerts).
    super(config, undefined, undefined, undefined, serviceUrls);
  }

  protected override async createConnectorClientWithIdentity(
    identity: BotIdentity & object,
    activity: Activity,
    headers?: HeaderPropagationCollection,
  ): Promise<ConnectorClient> {
    const { anonymous, tokens } = this.outbound;
    if (!anonymous && (!tokens || !identity.aud || activity.isAgenticRequest()))
      return super.createConnectorClientWithIdentity(identity, activity, headers);
    if (!this.serviceUrls.isAllowed(activity.serviceUrl)) throw new Error('serviceUrl not trusted');
    const token = anonymous || !tokens ? '' : await tokens(callerResource(identity));
    return ConnectorClient.createClientWithToken(activity.serviceUrl ?? '', token, headers);
  }
}

/** As the SDK decides: a channel's token names no app, so the bot asks for the Connector; a calling bot's names its app id. */
function callerResource(identity: BotIdentity & object): string {
  const claims = identity as Record<string, unknown>;
  const caller = claims['azp'] ?? claims['appid'];
  return typeof caller === 'string' && caller !== '' ? caller : BOT_CONNECTOR_RESOURCE;
}

function checkMode(options: BotAdapterOptions): void {
  if (options.auth.mode === 'disabled-for-playground' && options.productMode !== 'sandbox')
    throw new Error('BOT_AUTH=disabled-for-playground is allowed only in the sandbox');
}

/**
 * The identity proactive messages are sent as: the bot's app id (an Entra token is fetched for
 * it), or, with auth disabled in the sandbox, an identity without an audience, which the SDK
 * answers with an unauthenticated Connector client.
 */
export const botIdentity = (auth: BotAuthOptions): BotIdentity =>
  auth.mode === 'bot-framework' ? CloudAdapter.createIdentity(auth.appId) : {};

/**
 * The CloudAdapter with a trace id per turn and the one onTurnError: it logs with the trace
 * id and answers the user only for message activities (an install or invoke gets no chatter).
 */
export function createBotAdapter(
  options: BotAdapterOptions,
  deps: { readonly logger: Logger; readonly ids: IdGenerator; readonly connectorTokens?: ConnectorTokenSource },
): CloudAdapter {
  checkMode(options);
  const auth = options.auth;
  const adapter = new PresenceSyncCloudAdapter(
    authConfiguration(auth),
    {
      anonymous: auth.mode === 'bot-framework' && auth.outboundCredentials === 'none',
      ...(deps.connectorTokens ? { tokens: deps.connectorTokens } : {}),
    },
    new ServiceUrlPolicy(options.serviceUrls),
  );
  adapter.use(async (context, next) => {
    context.turnState.set(TRACE_ID_KEY, deps.ids.next());
    await next();
  });
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const traceId = traceIdOf(context);
    deps.logger.error(
      { traceId, activityType: context.activity.type, err: error.message, stack: error.stack },
      'bot turn failed',
    );
    if (context.activity.type !== ActivityTypes.Message) return;
    try {
      await context.sendActivity(
        `Sorry, something went wrong on my side. Support can find it with trace id ${traceId}.`,
      );
    } catch (sendError) {
      deps.logger.warn({ traceId, err: String(sendError) }, 'could not tell the user about the failed turn');
    }
  };
  return adapter;
}
