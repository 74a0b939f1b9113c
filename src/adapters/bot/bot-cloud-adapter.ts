import { ActivityTypes, type Activity } from '@microsoft/agents-activity';
import {
  CloudAdapter,
  ConnectorClient,
  type AuthConfiguration,
  type HeaderPropagationCollection,
  type TurnContext,
} from '@microsoft/agents-hosting';
import type { IdGenerator, Logger } from '../../application/ports.js';
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
       * An extra token issuer and the Entra-style authority whose `/discovery/v2.0/keys` sign its
       * tokens. Tokens issued by Bot Framework itself are always verified against its own keys
       * (login.botframework.com); tests sign with a local issuer configured here.
       */
      readonly channelAuthority?: { readonly authorityEndpoint: string; readonly issuer: string };
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
    ...(auth.channelAuthority
      ? { authorityEndpoint: auth.channelAuthority.authorityEndpoint, issuers: [auth.channelAuthority.issuer] }
      : {}),
  };
}

/** The SDK's adapter; with `outboundCredentials: 'none'` replies go out without a token (tests' local Connector). */
class PresenceSyncCloudAdapter extends CloudAdapter {
  constructor(
    config: AuthConfiguration,
    private readonly anonymousOutbound: boolean,
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
    if (!this.anonymousOutbound) return super.createConnectorClientWithIdentity(identity, activity, headers);
    if (!this.serviceUrls.isAllowed(activity.serviceUrl)) throw new Error('serviceUrl not trusted');
    return ConnectorClient.createClientWithToken(activity.serviceUrl ?? '', '', headers);
  }
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
  deps: { readonly logger: Logger; readonly ids: IdGenerator },
): CloudAdapter {
  checkMode(options);
  const auth = options.auth;
  const adapter = new PresenceSyncCloudAdapter(
    authConfiguration(auth),
    auth.mode === 'bot-framework' && auth.outboundCredentials === 'none',
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
