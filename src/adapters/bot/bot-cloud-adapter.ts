import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
import type { IdGenerator, Logger } from '../../application/ports.js';
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
       * Where channel tokens are verified; default the public Bot Framework (login.botframework.com).
       * Tests point it at a local OpenID issuer.
       */
      readonly channelAuthority?: { readonly openIdMetadataUrl: string; readonly tokenIssuer: string };
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
}

/** Replies without an Authorization header, while inbound JWTs are still verified. */
class AnonymousOutboundCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  override createCredentials(appId: string, audience: string, loginEndpoint: string, validateAuthority: boolean) {
    return new ConfigurationServiceClientCredentialFactory({}).createCredentials(
      appId,
      audience,
      loginEndpoint,
      validateAuthority,
    );
  }
}

// Setting any endpoint key drops the built-in defaults of all of them (reference §3.2), so all are set.
const channelEndpoints = (authority: {
  openIdMetadataUrl: string;
  tokenIssuer: string;
}): ConfigurationBotFrameworkAuthenticationOptions => ({
  ToBotFromChannelOpenIdMetadataUrl: authority.openIdMetadataUrl,
  ToBotFromEmulatorOpenIdMetadataUrl: authority.openIdMetadataUrl,
  ToBotFromChannelTokenIssuer: authority.tokenIssuer,
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
  ValidateAuthority: true,
});

function authentication(options: BotAdapterOptions): ConfigurationBotFrameworkAuthentication {
  const auth = options.auth;
  if (auth.mode === 'disabled-for-playground') {
    if (options.productMode !== 'sandbox')
      throw new Error('BOT_AUTH=disabled-for-playground is allowed only in the sandbox');
    return new ConfigurationBotFrameworkAuthentication({});
  }
  const credentials = {
    MicrosoftAppId: auth.appId,
    MicrosoftAppPassword: auth.appPassword,
    MicrosoftAppType: auth.appType,
    ...(auth.appTenantId ? { MicrosoftAppTenantId: auth.appTenantId } : {}),
  };
  const config = { ...credentials, ...(auth.channelAuthority ? channelEndpoints(auth.channelAuthority) : {}) };
  const factory =
    auth.outboundCredentials === 'none'
      ? new AnonymousOutboundCredentialFactory(credentials)
      : new ConfigurationServiceClientCredentialFactory(credentials);
  return new ConfigurationBotFrameworkAuthentication(config, factory);
}

const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * botbuilder lets a bad signature escape as a plain JsonWebTokenError, which CloudAdapter
 * answers with 500; any token the verifier rejects is an authentication failure (401).
 */
class BotCloudAdapter extends CloudAdapter {
  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    try {
      return typeof auth === 'string'
        ? await super.processActivity(auth, activity, logic)
        : await super.processActivity(auth, activity, logic);
    } catch (err) {
      if (err instanceof Error && JWT_ERRORS.has(err.name))
        throw new AuthenticationError(`Unauthorized. ${err.message}`, 401);
      throw err;
    }
  }
}

/** The app id proactive messages are sent as ('' when auth is disabled). */
export const botAppId = (auth: BotAuthOptions): string => (auth.mode === 'bot-framework' ? auth.appId : '');

/**
 * The CloudAdapter with a trace id per turn and the one onTurnError: it logs with the trace
 * id and answers the user only for message activities (an install or invoke gets no chatter).
 */
export function createBotAdapter(
  options: BotAdapterOptions,
  deps: { readonly logger: Logger; readonly ids: IdGenerator },
): CloudAdapter {
  const adapter = new BotCloudAdapter(authentication(options));
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
